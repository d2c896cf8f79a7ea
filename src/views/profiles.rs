//! The saved-profile list (API.md §5): an ARIA radio group with one radio per saved card, a
//! "use another card" choice that reveals the provider's form, an installments choice, and a pay
//! button with the amount. Every provider string is rendered as text, never as HTML.
//!
//! Keyboard: Arrow keys move focus and selection among the enabled choices (skipping expired
//! cards), Home/End jump, Enter/Space select the focused one; Tab leaves the group, as WAI-ARIA's
//! radio-group pattern describes.

use crate::domain::i18n::{Locale, Msg};
use crate::domain::profile::SavedProfile;
use leptos::prelude::*;
use std::rc::Rc;
use wasm_bindgen::JsCast;

/// The value of `selected` that means "use another card".
pub const NEW_CARD: &str = "";

/// What the controller shows through the view.
#[derive(Clone, Copy)]
pub struct ViewModel {
    pub profiles: RwSignal<Vec<SavedProfile>>,
    /// The chosen profile id, or [`NEW_CARD`].
    pub selected: RwSignal<String>,
    pub installments: RwSignal<u32>,
    /// An attempt is in flight: the pay button is disabled and says so.
    pub busy: RwSignal<bool>,
}

impl ViewModel {
    pub fn new(profiles: Vec<SavedProfile>, today: u32) -> Self {
        let first = profiles.iter().find(|p| !p.is_expired(today)).map(|p| p.id.clone()).unwrap_or_default();
        Self {
            profiles: RwSignal::new(profiles),
            selected: RwSignal::new(first),
            installments: RwSignal::new(1),
            busy: RwSignal::new(false),
        }
    }
}

/// The controller's side of the model: plain calls, so the controller never touches Leptos.
impl ViewModel {
    pub fn set_busy(&self, busy: bool) {
        self.busy.set(busy);
    }
    pub fn set_profiles(&self, profiles: Vec<SavedProfile>) {
        self.profiles.set(profiles);
    }
    pub fn select(&self, id: &str, installments: u32) {
        self.selected.set(id.to_owned());
        self.installments.set(installments);
    }
    /// The chosen profile id ([`NEW_CARD`] for the provider form) and installments.
    pub fn choice(&self) -> (String, u32) {
        (self.selected.get_untracked(), self.installments.get_untracked())
    }
}

/// What the shopper asked for. Called from event handlers; the controller defers the work.
#[derive(Clone)]
pub struct ViewActions {
    pub select: Rc<dyn Fn(String)>,
    pub pay: Rc<dyn Fn()>,
}

/// Static facts the view needs.
#[derive(Clone)]
pub struct ViewContext {
    pub locale: Locale,
    pub today: u32,
    pub amount_label: String,
    /// Whether Pasarela's own button pays a new card (Bamboo's form has its own button).
    pub pay_new_card: bool,
    pub group_id: String,
}

/// A mounted view; dropping it removes it from the page and disposes its reactive graph.
pub struct Mounted {
    _handle: Box<dyn std::any::Any>,
    pub model: ViewModel,
}

impl Mounted {}

/// Renders the list into `parent` (a fresh element inside Pasarela's host). The model's signals
/// are created inside the mounted view's owner, so dropping [`Mounted`] frees them too.
pub fn mount(
    parent: web_sys::HtmlElement,
    profiles: Vec<SavedProfile>,
    ctx: ViewContext,
    actions: ViewActions,
) -> Mounted {
    let slot = std::rc::Rc::new(std::cell::Cell::new(None));
    let out = slot.clone();
    let today = ctx.today;
    let handle = leptos::mount::mount_to(parent, move || {
        let model = ViewModel::new(profiles, today);
        out.set(Some(model));
        profile_list(model, ctx, actions)
    });
    let model = slot.take().expect("mount_to runs the view at once");
    Mounted { _handle: Box::new(handle), model }
}

fn profile_list(model: ViewModel, ctx: ViewContext, actions: ViewActions) -> impl IntoView {
    let ViewContext { locale, today, amount_label, pay_new_card, group_id } = ctx;
    let title_id = format!("{group_id}-title");
    let t = move |m: Msg| locale.text(m);
    // Rc callbacks live in the reactive arena: closures that re-render must be Send + Sync.
    let actions = StoredValue::new_local(actions);
    let group_ref = NodeRef::<leptos::html::Div>::new();
    // Marks one row checked or not, straight in the DOM (rows are static markup).
    let mark = move |id: &str, on: bool| {
        if let Some(group) = group_ref.get_untracked() {
            // Rows follow the profiles' order, "use another card" last: an index, not a search.
            let index = model.profiles.with_untracked(|ps| {
                if id == NEW_CARD {
                    Some(ps.len())
                } else {
                    ps.iter().position(|p| p.id == id)
                }
            });
            if let Some(row) = index.and_then(|i| group.children().item(i as u32)) {
                let _ = row.set_attribute("aria-checked", if on { "true" } else { "false" });
                let _ = row.set_attribute("tabindex", if on { "0" } else { "-1" });
            }
        }
    };
    let choose = move |id: String| {
        let previous = model.selected.get_untracked();
        if previous != id {
            // The shopper sees the change in the same frame as the click; the effect below
            // only repairs rows re-rendered by a profile update.
            mark(&previous, false);
            mark(&id, true);
            model.installments.set(1);
            model.selected.set(id.clone());
            actions.with_value(|a| (a.select)(id));
        }
    };

    // Arrow keys walk the enabled radios in DOM order; focus follows the selection.
    let on_keydown = move |ev: web_sys::KeyboardEvent| {
        let key = ev.key();
        let Some(group) = ev.current_target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else { return };
        let radios: Vec<web_sys::HtmlElement> = group
            .query_selector_all("[role=radio]:not([aria-disabled=true])")
            .map(|l| (0..l.length()).filter_map(|i| l.item(i)?.dyn_into().ok()).collect())
            .unwrap_or_default();
        if radios.is_empty() {
            return;
        }
        let focused = web_sys::window().and_then(|w| w.document()).and_then(|d| d.active_element());
        let at =
            radios.iter().position(|r| Some(r.unchecked_ref::<web_sys::Element>()) == focused.as_ref()).unwrap_or(0);
        let next = match key.as_str() {
            "ArrowDown" | "ArrowRight" => (at + 1) % radios.len(),
            "ArrowUp" | "ArrowLeft" => (at + radios.len() - 1) % radios.len(),
            "Home" => 0,
            "End" => radios.len() - 1,
            " " | "Enter" => at,
            _ => return,
        };
        ev.prevent_default();
        let target = &radios[next];
        let _ = target.focus();
        choose(target.get_attribute("data-profile-id").unwrap_or_default());
    };
    // One click handler for the whole group instead of one closure per card.
    let on_click = move |ev: web_sys::MouseEvent| {
        let radio = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|e| e.closest("[role=radio]").ok().flatten());
        if let Some(r) = radio.filter(|r| r.get_attribute("aria-disabled").as_deref() != Some("true")) {
            choose(r.get_attribute("data-profile-id").unwrap_or_default());
        }
    };

    // Selection set from code (pay({ profileId }), setProfiles) reaches the rows here.
    Effect::new(move |previous: Option<String>| {
        let now = model.selected.get();
        model.profiles.track();
        if let Some(prev) = previous.as_deref().filter(|p| *p != now) {
            mark(prev, false);
        }
        mark(&now, true);
        now
    });
    let rows = move || {
        let selected = model.selected.get_untracked();
        model
            .profiles
            .get()
            .into_iter()
            .map(|p| {
                let expired = p.is_expired(today);
                let on = p.id == selected && !expired;
                let label = format!("{} •••• {}", p.brand, p.last4);
                let expiry = if expired {
                    t(Msg::Expired).to_owned()
                } else {
                    p.expiry_label().map(|e| format!("{} {e}", t(Msg::Expires))).unwrap_or_default()
                };
                view! {
                    <div role="radio" class="pasarela-profile" data-profile-id=p.id
                        aria-checked=if on { "true" } else { "false" }
                        aria-disabled=if expired { "true" } else { "false" }
                        tabindex=if on { "0" } else { "-1" }>
                        <span class="pasarela-profile-dot" aria-hidden="true"></span>
                        <span class="pasarela-profile-main">
                            <span class="pasarela-profile-brand">{label}</span>
                            {p.holder.map(|h| view! { <span class="pasarela-profile-holder">{h}</span> })}
                            {p.issuer.map(|i| view! { <span class="pasarela-profile-holder">{i}</span> })}
                        </span>
                        <span class=if expired { "pasarela-profile-expired" } else { "pasarela-profile-expiry" }>{expiry}</span>
                    </div>
                }
            })
            .collect_view()
    };

    let offered = move || {
        let sel = model.selected.get();
        model.profiles.with(|ps| ps.iter().find(|p| p.id == sel).map(|p| p.installments.clone()).unwrap_or_default())
    };
    let many_installments = move || offered().len() > 1;
    let show_button = move || pay_new_card || model.selected.get() != NEW_CARD;
    let new_card_on = model.selected.get_untracked() == NEW_CARD;

    view! {
        <div class="pasarela-saved">
            <p class="pasarela-profiles-title" id=title_id.clone()>{t(Msg::SavedCards)}</p>
            <div class="pasarela-profiles" role="radiogroup" aria-labelledby=title_id node_ref=group_ref
                on:keydown=on_keydown on:click=on_click>
                {rows}
                <div role="radio" class="pasarela-profile pasarela-profile-new" data-profile-id=NEW_CARD
                    aria-checked=if new_card_on { "true" } else { "false" }
                    tabindex=if new_card_on { "0" } else { "-1" }>
                    <span class="pasarela-profile-dot" aria-hidden="true"></span>
                    <span class="pasarela-profile-main"><span class="pasarela-profile-brand">{t(Msg::UseAnotherCard)}</span></span>
                    <span></span>
                </div>
            </div>
            <label class="pasarela-installments" hidden=move || !many_installments()>
                    {t(Msg::Installments)}
                    <select on:change=move |ev| {
                        let v = event_target_value(&ev).parse().unwrap_or(1);
                        model.installments.set(v);
                    }>
                        {move || offered().into_iter().map(|n| view! {
                            <option value=n.to_string() selected=move || model.installments.get() == n>{n}</option>
                        }).collect_view()}
                    </select>
            </label>
            // Hidden rather than unmounted: the button keeps its focus and identity across choices.
            <button type="button" class="pasarela-pay" hidden=move || !show_button() disabled=move || model.busy.get()
                on:click=move |_| actions.with_value(|a| (a.pay)())>
                {move || if model.busy.get() { t(Msg::Processing).to_owned() } else { format!("{} {}", t(Msg::Pay), amount_label) }}
            </button>
        </div>
    }
}
