//! The saved-profile list (docs/api.md §5): an ARIA radio group with one radio per saved card, a
//! "use another card" choice that reveals the provider's form, an installments choice, and a pay
//! button with the amount. Every provider string is rendered as text, never as HTML.
//!
//! The pay button is not in the list: it closes Pasarela's element (the `footer` given to
//! [`mount`]), after the provider's card form and the "save this card" checkbox, so that the
//! shopper meets them in that order, by eye and by Tab.
//!
//! Leptos renders the markup. What changes afterwards (the checked row, the installments
//! offered, the busy button) is patched straight into the nodes it rendered: a selection change
//! among 1,000 cards touches two rows and nothing else, so the view needs no signals or effects.
//! The markup is kept to few element types on purpose: every distinct element in a `view!` is a
//! type Leptos generates code for, and this view was a third of the package (README, "Size and speed"). Saved
//! cards and "use another card" are the same row type.
//!
//! Keyboard: Arrow keys move focus and selection among the enabled choices (skipping expired
//! cards), Home/End jump, Enter/Space select the focused one; Tab leaves the group, as WAI-ARIA's
//! radio-group pattern describes.

use crate::cell::Borrows;
use crate::domain::i18n::{Locale, Msg};
use crate::domain::profile::{Profiles, SavedProfile};
use crate::text;
use crate::web::dom;
use leptos::prelude::*;
use leptos::tachys::view::{Mountable, Render};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue, UnwrapThrowExt};
use web_sys::{Element, HtmlElement};

/// What the shopper has chosen in the list.
#[derive(Clone, Debug, PartialEq)]
pub enum Selection {
    /// A saved card, by its profile id.
    SavedCard(String),
    /// "Use another card": the provider's form.
    NewCard,
}

impl Selection {
    /// Whether this is the saved card `id` (no string built: it runs for every row).
    fn is(&self, id: &str) -> bool {
        matches!(self, Selection::SavedCard(s) if s == id)
    }
}

/// What the shopper asked for.
pub enum ViewAction {
    /// The shopper chose a saved card (its id as the row holds it) or, with `None`, "use another card".
    Select(Option<JsValue>),
    /// The list's pay button.
    Pay,
}

/// Where the view reports [`ViewAction`]s, called from its event handlers with no borrow held:
/// the controller reports a selection at once and defers paying to the microtask queue.
pub type ViewActions = Rc<dyn Fn(ViewAction)>;

/// Static facts the view needs.
#[derive(Clone)]
pub struct ViewContext {
    pub locale: Locale,
    /// The checkout's language tag (`es-MX`): a region's own words where it has them.
    pub lang: &'static str,
    pub today: u32,
    pub amount_label: String,
    /// Whether Pasarela's own button pays a new card (Bamboo's form has its own button).
    pub pay_new_card: bool,
    /// `payButton: false`: the storefront pays with its own button (`pay()`); Pasarela's stays hidden.
    pub pay_button: bool,
    pub group_id: String,
}

/// What the list shows now; the DOM follows it.
struct State {
    profiles: Profiles,
    selected: Selection,
    installments: u32,
    /// An attempt is in flight: the pay button is disabled and says so.
    busy: bool,
    /// The order is paid: the pay button stays disabled (a second tap could only return the
    /// approved attempt's result, but an enabled button says there is something left to pay).
    paid: bool,
    /// The count the `<select>` shows now (0: none yet).
    shown_installments: u32,
}

impl State {
    fn first_usable(profiles: &[SavedProfile], today: u32) -> Selection {
        profiles
            .iter()
            .find(|p| !p.is_expired(today))
            .map_or(Selection::NewCard, |p| Selection::SavedCard(p.id.clone()))
    }

    /// Rows follow the profiles' order, "use another card" last: an index, not a search of the DOM.
    fn row_index(&self, choice: &Selection) -> Option<usize> {
        match choice {
            Selection::NewCard => Some(self.profiles.len()),
            Selection::SavedCard(id) => self.profiles.iter().position(|p| p.id == *id),
        }
    }

    fn show_button(&self, ctx: &ViewContext) -> bool {
        ctx.pay_button && (ctx.pay_new_card || self.selected != Selection::NewCard)
    }

    fn button_text(&self, ctx: &ViewContext) -> String {
        let t = |m| ctx.locale.text(m);
        if self.busy {
            t(Msg::Processing).to_owned()
        } else {
            text::cat(&[t(Msg::Pay), " ", &ctx.amount_label])
        }
    }
}

/// The nodes that change after rendering.
struct Nodes {
    group: Element,
    installments: HtmlElement,
    select: Element,
    button: HtmlElement,
}

/// The events the list listens to.
#[derive(Clone, Copy)]
enum Listen {
    Click,
    Keydown,
    Change,
}

/// Shared by the mounted view and its event handlers.
struct Shared {
    ctx: ViewContext,
    actions: ViewActions,
    state: RefCell<State>,
    nodes: RefCell<Option<Nodes>>,
    /// The row rendered checked now.
    checked: Cell<Option<Element>>,
    /// The installment counts the `<select>` lists now (rebuilt only when they differ).
    offered: RefCell<Vec<u32>>,
}

/// A mounted view; dropping it removes it from the page.
pub struct Mounted {
    shared: Rc<Shared>,
    parent: HtmlElement,
    /// The pay button, made once and kept across renderings (its focus and identity stay).
    button: HtmlElement,
    /// What Leptos built, to unmount it (before a new rendering, and when dropped).
    rendered: Option<Box<dyn Mountable>>,
    /// The list's click, keydown and change listeners (see [`Mounted::render`]).
    listeners: Vec<dom::EventListener>,
}

/// Renders the list into `parent` (a fresh element inside Pasarela's host), and its pay button at
/// the end of `footer` (the host).
pub fn mount(
    parent: HtmlElement,
    footer: &Element,
    profiles: Profiles,
    ctx: ViewContext,
    actions: ViewActions,
) -> Mounted {
    let selected = State::first_usable(&profiles, ctx.today);
    let state = State { profiles, selected, installments: 1, busy: false, paid: false, shown_installments: 0 };
    let shared = Rc::new(Shared {
        ctx,
        actions,
        state: RefCell::new(state),
        nodes: RefCell::new(None),
        checked: Cell::default(),
        offered: RefCell::default(),
    });
    // A plain element: it is patched (hidden, disabled, its text) by `patch_button`, as before.
    let button: HtmlElement =
        crate::web::document().create_element("button").unwrap_throw().unchecked_into();
    let _ = button.set_attribute("type", "button");
    button.set_class_name("pasarela-pay");
    let _ = footer.append_child(&button);
    let mut view = Mounted { shared, parent, button, rendered: None, listeners: Vec::new() };
    view.render();
    view
}

/// The controller's side: plain calls, so the controller never touches Leptos.
impl Mounted {
    /// The shopper's choice and installments.
    pub fn choice(&self) -> (Selection, u32) {
        let s = self.shared.state.read();
        (s.selected.clone(), s.installments)
    }

    /// Whether "use another card" is the choice (no string copied: this runs on every selection).
    pub fn is_new_card(&self) -> bool {
        self.shared.state.read().selected == Selection::NewCard
    }

    /// Selects `id` from code (`pay({ profileId })`, a card just enrolled): no `profileselected`.
    pub fn select(&self, id: &str, installments: u32) {
        self.shared.select(Selection::SavedCard(id.to_owned()), installments);
    }

    /// `busy`: an attempt is being sent; `paid`: the order is paid. The button follows both.
    pub fn set_busy(&self, busy: bool, paid: bool) {
        let changed = {
            let mut s = self.shared.state.write();
            let was = (s.busy, s.paid);
            (s.busy, s.paid) = (busy, paid);
            was != (busy, paid)
        };
        if changed {
            self.shared.patch_button();
        }
    }

    /// Replaces the cards and renders the list again (rare: `setProfiles`, an enrolled card). The
    /// selection stays if its card is still offered, else moves to the first usable one.
    pub fn set_profiles(&mut self, profiles: Profiles) {
        {
            let mut s = self.shared.state.write();
            let today = self.shared.ctx.today;
            let kept = s.selected == Selection::NewCard
                || profiles.iter().any(|p| s.selected.is(&p.id) && !p.is_expired(today));
            if !kept {
                s.selected = State::first_usable(&profiles, today);
                s.installments = 1;
            }
            s.profiles = profiles;
        }
        self.render();
    }

    fn render(&mut self) {
        self.listeners.clear();
        self.unmount();
        // Built and mounted by Leptos' renderer (tachys) directly, not through `mount_to`: the
        // list has nothing reactive, so it needs no reactive owner, and the reactive runtime
        // stays out of the package (README, "Size and speed").
        let mut rendered = profile_list(&self.shared).into_view().build();
        rendered.mount(&self.parent, None);
        self.rendered = Some(Box::new(rendered));
        let nodes = (|| {
            let q = |sel: &str| self.parent.query_selector(sel).ok().flatten();
            Some(Nodes {
                group: q(".pasarela-profiles")?,
                installments: q(".pasarela-installments")?.unchecked_into(),
                select: q(".pasarela-installments select")?,
                button: self.button.clone(),
            })
        })();
        if let Some(nodes) = &nodes {
            // Each row carries its index, so a click finds its card without a search.
            dom::number_rows(&nodes.group);
        }
        self.shared.checked.set(self.parent.query_selector("[role=radio][aria-checked=true]").ok().flatten());
        *self.shared.nodes.write() = nodes;
        self.shared.offered.write().clear();
        let index = {
            let mut s = self.shared.state.write();
            s.shown_installments = 0;
            s.row_index(&s.selected)
        };
        self.shared.patch_installments(index);
        self.shared.patch_button();
        // The list's events are bound here, once for the whole list, rather than with Leptos'
        // `on:` handlers: one plain listener per event type, no closure per row, no thread check
        // per event, and no delegation machinery in the package (README, "Size and speed"). The
        // pay button, outside the list, has its own click listener.
        let Ok(Some(root)) = self.parent.query_selector(".pasarela-saved") else { return };
        let button: &Element = &self.button;
        for (target, event, kind) in [
            (&root, "click", Listen::Click),
            (&root, "keydown", Listen::Keydown),
            (&root, "change", Listen::Change),
            (button, "click", Listen::Click),
        ] {
            let weak = Rc::downgrade(&self.shared);
            self.listeners.push(dom::EventListener::new(target, event, move |ev| {
                if let Some(shared) = weak.upgrade() {
                    shared.on_event(kind, ev);
                }
            }));
        }
    }
}

impl Mounted {
    fn unmount(&mut self) {
        if let Some(mut rendered) = self.rendered.take() {
            rendered.unmount();
        }
    }
}

impl Drop for Mounted {
    fn drop(&mut self) {
        self.listeners.clear();
        self.unmount();
        self.button.remove();
    }
}

impl Shared {
    /// Every event the list listens to (`kind` says which, so no event type is read back).
    fn on_event(&self, kind: Listen, ev: web_sys::Event) {
        let Some(target) = ev.target() else { return };
        match kind {
            Listen::Click => {
                if let Some(row) = dom::radio_of(&target) {
                    if let Some(index) = dom::row_index(&row) {
                        self.pick(index, row);
                    }
                } else if dom::is_pay_button(&target) {
                    (self.actions)(ViewAction::Pay);
                }
            }
            Listen::Keydown => self.on_keydown(ev.unchecked_into()),
            Listen::Change => {
                // The list's one form control is its installments <select>.
                let select = target.unchecked_ref::<web_sys::HtmlSelectElement>();
                let mut state = self.state.write();
                state.installments = text::parse_u32(&select.value()).unwrap_or(1);
                state.shown_installments = state.installments;
            }
        }
    }

    /// The shopper picked the row at `index` (click or keyboard): the work is two rows'
    /// attributes, plus the installments and button only when the choice changes what they show.
    fn pick(&self, index: usize, row: Element) {
        let id = {
            let state = self.state.read();
            match state.profiles.get(index) {
                Some(p) if p.is_expired(self.ctx.today) => return,
                Some(p) => Selection::SavedCard(p.id.clone()),
                None => Selection::NewCard,
            }
        };
        if self.state.read().selected == id {
            return;
        }
        let id_js = (id != Selection::NewCard).then(|| dom::profile_id_of(&row));
        self.check(Some(row), Some(index), id, 1);
        (self.actions)(ViewAction::Select(id_js));
    }

    /// Selects `id` from code: its row is found by index (rows follow the profiles' order).
    fn select(&self, choice: Selection, installments: u32) {
        let index = self.state.read().row_index(&choice);
        let row = self.row(index);
        self.check(row, index, choice, installments);
    }

    fn row(&self, index: Option<usize>) -> Option<Element> {
        let nodes = self.nodes.read();
        let rows = nodes.as_ref()?.group.query_selector_all("[role=radio]").ok()?;
        Some(rows.item(index? as u32)?.unchecked_into())
    }

    fn check(&self, row: Option<Element>, index: Option<usize>, id: Selection, installments: u32) {
        if let Some(old) = self.checked.replace(row.clone()) {
            dom::mark_radio(&old, false);
        }
        if let Some(row) = &row {
            dom::mark_radio(row, true);
        }
        let shows_button = {
            let mut state = self.state.write();
            let before = state.show_button(&self.ctx);
            state.selected = id;
            state.installments = installments;
            before != state.show_button(&self.ctx)
        };
        self.patch_installments(index);
        if shows_button {
            self.patch_button();
        }
    }

    /// Lists the selected card's installment counts; the choice is shown only when there is one.
    fn patch_installments(&self, index: Option<usize>) {
        let (nodes, mut state) = (self.nodes.read(), self.state.write());
        let Some(nodes) = nodes.as_ref() else { return };
        let empty = Vec::new();
        let offered = index.and_then(|i| state.profiles.get(i)).map_or(&empty, |p| &p.installments);
        if *offered != *self.offered.read() {
            let doc = crate::web::document();
            nodes.select.set_text_content(None);
            for n in offered {
                if let Ok(option) = doc.create_element("option") {
                    let n = text::u32_text(*n);
                    let _ = option.set_attribute("value", &n);
                    option.set_text_content(Some(&n));
                    let _ = nodes.select.append_child(&option);
                }
            }
            nodes.installments.set_hidden(offered.len() <= 1);
            *self.offered.write() = offered.clone();
            state.shown_installments = 0; // a rebuilt list shows its first option
        }
        if state.shown_installments != state.installments {
            nodes.select.unchecked_ref::<web_sys::HtmlSelectElement>().set_value(&text::u32_text(state.installments));
            state.shown_installments = state.installments;
        }
    }

    fn patch_button(&self) {
        let (nodes, state) = (self.nodes.read(), self.state.read());
        let Some(nodes) = nodes.as_ref() else { return };
        nodes.button.set_hidden(!state.show_button(&self.ctx));
        let _ = nodes.button.toggle_attribute_with_force("disabled", state.busy || state.paid);
        nodes.button.set_text_content(Some(&state.button_text(&self.ctx)));
    }

    /// Arrow keys walk the enabled radios in order (wrapping); focus follows the selection.
    /// Rows are found by index, as clicks find them: no collection of the group's nodes.
    fn on_keydown(&self, ev: web_sys::KeyboardEvent) {
        let Some(current) = ev.target().and_then(|t| dom::radio_of(&t)) else { return };
        let Some(at) = dom::row_index(&current) else { return };
        let next = {
            let state = self.state.read();
            // "Use another card" is the last row. Non-zero, so `%` has no division-by-zero panic
            // (and its message) to carry.
            let rows = std::num::NonZeroUsize::MIN.saturating_add(state.profiles.len());
            let count = rows.get();
            let enabled = |i: usize| state.profiles.get(i).is_none_or(|p| !p.is_expired(self.ctx.today));
            let walk = |step: usize| (1..=count).map(|k| at.wrapping_add(step.wrapping_mul(k)) % rows).find(|&i| enabled(i));
            match ev.key().as_str() {
                "ArrowDown" | "ArrowRight" => walk(1),
                "ArrowUp" | "ArrowLeft" => walk(count - 1),
                "Home" => (0..count).find(|&i| enabled(i)),
                "End" => (0..count).rev().find(|&i| enabled(i)),
                " " | "Enter" => Some(at),
                _ => return,
            }
        };
        ev.prevent_default();
        let Some(row) = next.and_then(|i| Some((i, self.row(Some(i))?))) else { return };
        let _ = row.1.unchecked_ref::<HtmlElement>().focus();
        self.pick(row.0, row.1);
    }
}

/// What one row shows: a saved card, or "use another card".
struct RowText {
    id: String,
    class: &'static str,
    checked: bool,
    disabled: bool,
    label: String,
    /// The card brand's name as `data-brand`, which the on-demand stylesheet draws its mark by
    /// (empty for "use another card").
    brand: String,
    /// Holder and issuer on one line.
    detail: String,
    expiry: String,
    expiry_class: &'static str,
}

/// One radio row. Saved cards and "use another card" share it, so Leptos builds one row type.
fn row(r: RowText) -> impl IntoView {
    view! {
        <div role="radio" class=r.class data-profile-id=r.id
            aria-checked=if r.checked { "true" } else { "false" }
            aria-disabled=if r.disabled { "true" } else { "false" }
            tabindex=if r.checked { "0" } else { "-1" }>
            <span class="pasarela-profile-brand" data-brand=r.brand>{r.label}</span>
            <span class="pasarela-profile-holder">{r.detail}</span>
            <span class=r.expiry_class>{r.expiry}</span>
        </div>
    }
}

fn profile_list(shared: &Shared) -> impl IntoView {
    let ctx = &shared.ctx;
    let t = |m: Msg| ctx.locale.text(m);
    let state = shared.state.read();
    let mut rows: Vec<_> = state
        .profiles
        .iter()
        .map(|p| {
            let expired = p.is_expired(ctx.today);
            let expiry = match p.expiry_label() {
                _ if expired => t(Msg::Expired).to_owned(),
                Some(e) => text::cat(&[t(Msg::Expires), " ", &e]),
                None => String::new(),
            };
            let brand = super::brand::brand(&p.brand);
            row(RowText {
                id: p.id.clone(),
                class: "pasarela-profile",
                checked: state.selected.is(&p.id) && !expired,
                disabled: expired,
                label: text::cat(&[&brand, " •••• ", &p.last4]),
                brand,
                detail: text::join(&[p.holder.as_deref(), p.issuer.as_deref()], " · "),
                expiry,
                expiry_class: if expired { "pasarela-profile-expired" } else { "pasarela-profile-expiry" },
            })
        })
        .collect();
    rows.push(row(RowText {
        id: String::new(),
        class: "pasarela-profile pasarela-profile-new",
        checked: state.selected == Selection::NewCard,
        disabled: false,
        label: t(Msg::UseAnotherCard).to_owned(),
        brand: String::new(),
        detail: String::new(),
        expiry: String::new(),
        expiry_class: "pasarela-profile-expiry",
    }));
    let title_id = text::cat(&[&ctx.group_id, "-title"]);
    drop(state);

    // The installments' options are written by `patch_installments`, as after every selection;
    // the pay button (outside the list) by `patch_button`.
    view! {
        <div class="pasarela-saved">
            <p class="pasarela-profiles-title" id=title_id.clone()>{t(Msg::SavedCards)}</p>
            <div class="pasarela-profiles" role="radiogroup" aria-labelledby=title_id>{rows}</div>
            <label class="pasarela-installments" hidden=true>{ctx.locale.text_in(Msg::Installments, ctx.lang)}<select></select></label>
        </div>
    }
}
