//! Saved cards: the Leptos profile list, one-click selection, `setProfiles` and `enroll`.

use super::{to_js, Checkout};
use crate::cell::Borrows;
use crate::domain::error::{ErrorCode, PasarelaError};
use crate::domain::payment_state::PaymentState;
use crate::domain::profile::{Profiles, SavedProfile};
use crate::providers;
use crate::views::{self, profiles::Selection};
use crate::web::{self, time};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

impl Checkout {
    /// Renders (or updates) the saved-profile list. The first card that was not offered before is
    /// selected, so a card just enrolled is the one a tap pays with.
    pub(super) fn show_profiles(&self, mut profiles: Profiles) {
        let today = time::this_month();
        // `expiredProfiles: 'hide'`: an expired card is not even listed. (Each list comes here
        // fresh: nothing else holds it yet.)
        if let (true, Some(list)) = (self.opts().hide_expired, Rc::get_mut(&mut profiles)) {
            list.retain(|p| !p.is_expired(today));
        }
        if self.0.read().view.is_some() {
            let mut inner = self.0.write();
            let old = std::mem::replace(&mut inner.profiles, Rc::clone(&profiles));
            let fresh = profiles
                .iter()
                .find(|p| !p.is_expired(today) && !old.iter().any(|o| o.id == p.id))
                .map(|p| p.id.clone());
            if let Some(view) = inner.view.as_mut() {
                view.set_profiles(profiles);
                if let Some(id) = fresh {
                    view.select(&id, 1);
                }
            }
            drop(inner);
            self.sync_mode();
            return;
        }
        let opts = self.opts();
        let doc = web::document();
        let Ok(slot) = doc.create_element("div") else { return };
        slot.set_class_name("pasarela-profiles-host");
        let (host, forms) = {
            let inner = self.0.read();
            (inner.host.clone(), inner.forms.clone())
        };
        // After the choice of method (if any), before the card form.
        let _ = host.insert_before(&slot, Some(&forms));
        let weak = Rc::downgrade(&self.0);
        // `profileselected` is reported from the click itself, like a DOM `change` event: the view
        // holds no borrow then, and wasm-bindgen keeps a running handler alive even if the page
        // destroys the checkout from its listener. (Deferring it cost a third of a selection's
        // time, README "Size and speed".) Paying goes to the microtask queue.
        let actions: views::ViewActions = Rc::new(move |action| match action {
            views::ViewAction::Select(id) => {
                if let Some(rc) = weak.upgrade() {
                    Checkout(rc).on_select(id);
                }
            }
            views::ViewAction::Pay => {
                let weak = weak.clone();
                crate::web::spawn(async move {
                    if let Some(rc) = weak.upgrade() {
                        Checkout(rc).pay_from_view();
                    }
                });
            }
        });
        let ctx = views::profiles::ViewContext {
            locale: opts.locale,
            today,
            amount_label: views::format::money(opts.order.amount, &opts.order.currency, opts.lang()),
            lang: opts.lang(),
            pay_new_card: super::provider_of(&opts) != crate::domain::ProviderId::Bamboo,
            pay_button: opts.pay_button,
            group_id: providers::next_dom_id("profiles"),
        };
        let mounted = views::profiles::mount(slot.unchecked_into(), &host, Rc::clone(&profiles), ctx, actions);
        {
            let mut inner = self.0.write();
            inner.profiles = profiles;
            inner.view = Some(mounted);
        }
        self.sync_mode();
    }

    /// `data-mode` on the host: `profiles` hides the provider form, `new-card` shows it.
    pub(super) fn sync_mode(&self) {
        let mut inner = self.0.write();
        let new_card = inner.view.as_ref().is_none_or(|v| v.is_new_card());
        let mode = if new_card { "new-card" } else { "profiles" };
        // Unchanged most of the time (one card for another): a write would restyle the host.
        if inner.mode != mode {
            let _ = inner.host.set_attribute("data-mode", mode);
            inner.mode = mode;
        }
        drop(inner);
        self.show_offers();
        if new_card {
            // The card form is created the first time the shopper needs it.
            self.mount_form();
        }
    }

    /// A choice in the list: `profileselected` for a saved card, the form for "another card".
    pub(super) fn on_select(&self, id: Option<JsValue>) {
        if self.state() == PaymentState::Destroyed {
            return;
        }
        self.sync_mode();
        if let Some(id) = id {
            // The id alone crosses to JS, where the wrapper makes `{ profileId }` (two calls fewer
            // per selection than building the object from here).
            static NAME: crate::cell::PageGlobal<JsValue> = crate::cell::PageGlobal::new(|| "profileselected".into());
            self.emit_named(NAME.get(), id);
        }
    }

    pub(super) fn pay_from_view(&self) {
        let (sel, n) = match &self.0.read().view {
            Some(v) => v.choice(),
            None => return,
        };
        // The outcome reaches the page through `result` / `error`; the promise is not needed here.
        // (With cash or a transfer chosen, the list and its button are hidden: the storefront's
        // own button pays that.)
        let promise = match sel {
            Selection::NewCard => self.pay(None, None, None, None, None),
            // The list's own count only when it chose one: else the choice of installments decides.
            Selection::SavedCard(id) => self.pay(Some(id), Some(n).filter(|&n| n > 1), None, None, None),
        };
        // Nobody holds it: its rejection (`destroy()` mid-attempt, a click while not ready) is
        // caught here rather than reported by the browser as unhandled. The handler is the
        // built-in `Boolean`, which takes the reason and does nothing with it (a closure of ours
        // costs a table entry; `new Function` would need CSP 'unsafe-eval').
        let _ = crate::web::js::call(&promise, "catch", &[&crate::web::js::global("Boolean")]);
    }

    /// `checkout.setProfiles(list)` (extension): replaces the saved cards, e.g. after enrollment.
    pub fn set_profiles(&self, profiles: Vec<SavedProfile>) {
        if self.state() == PaymentState::Destroyed {
            return;
        }
        self.show_profiles(Rc::new(profiles));
        if !matches!(self.state(), PaymentState::Loading) {
            self.emit_ready();
        }
    }

    /// `checkout.enroll()` (extension): opens the provider's card-enrollment form. Resolves with
    /// the `token` payload (`recurring`) once the card is saved.
    pub fn enroll(&self, capture_url: Option<String>, unique_id: Option<String>) -> js_sys::Promise {
        let reject = |e: PasarelaError| js_sys::Promise::reject(&to_js(&e));
        if self.state() == PaymentState::Destroyed {
            return reject(self.error(ErrorCode::Destroyed));
        }
        if self.state() == PaymentState::Loading || self.state().in_flight() {
            return reject(self.error(ErrorCode::NotReady));
        }
        let opts = self.opts();
        // Only PWCheckout has an enrollment form: a build without Bamboo's adapter (never
        // Bamboo's checkout, `providers::for_options`) keeps none of what follows (1.3 KB of the
        // KR and Conekta wasm; README, "Size and speed").
        let (true, crate::domain::options::ProviderOptions::Bamboo(bamboo)) =
            (cfg!(feature = "bamboo"), &opts.provider)
        else {
            return reject(self.error(ErrorCode::Unsupported));
        };
        let Some(url) = capture_url.or_else(|| bamboo.capture_url.clone()) else {
            return reject(PasarelaError::invalid("bamboo.captureUrl", "is required to enroll a card", opts.locale));
        };
        let Some(session) = unique_id.or_else(|| bamboo.unique_id.clone()) else {
            return reject(PasarelaError::invalid("bamboo.uniqueId", "is required to enroll a card", opts.locale));
        };
        // `{CaptureURL}?key={publicKey}&session_id={UniqueID}` (seed 001), opened by the part of
        // the package loaded on demand (card management: the JS entry loads it before calling
        // in) with PWCheckout's `OpenIframeCustom`, or `Iframe.OpenIframeCustomWithPaymentMediaOptions`
        // with `paymentMediaId`/`bankId`; it keeps the overlay PWCheckout adds to `<body>` and
        // removes it with the checkout (a form left open after `destroy()` could still save a card).
        let url = providers::with_query(&providers::with_query(&url, "key", &opts.public_key), "session_id", &session);
        let id = |n: Option<i64>| n.map_or(JsValue::UNDEFINED, |n| JsValue::from_f64(n as f64));
        let form = js_sys::Array::of4(&JsValue::from_str(&url), &JsValue::from_str(&session), &id(bamboo.payment_media_id), &id(bamboo.bank_id));
        if !self.draw("_e", form.into()).is_truthy() {
            return reject(self.error(ErrorCode::Unsupported).with_detail("OpenIframeCustom"));
        }
        let (promise, settle, fail) = web::deferred();
        self.0.write().enroll_waiter = Some((settle.clone(), fail));
        // Bounded like every wait for the provider: a form that never closes nor answers ends the
        // enrollment as `timeout`.
        self.bound_provider_wait(settle.into(), promise.clone());
        promise
    }
}
