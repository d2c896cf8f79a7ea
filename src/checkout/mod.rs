//! The controller: runs one checkout from mount to result.
//!
//! It wires a provider adapter, the merchant client and the views together; the payment's state
//! is `domain::payment_state::Phase`, changed only through its methods. Two rules keep it
//! re-entrancy safe: no `RefCell` borrow is held while page or provider code runs (events are
//! emitted after the borrow ends; the adapter is taken out of the checkout while it is called),
//! and provider callbacks are handled on the microtask queue, never inside the provider's call.
//!
//! - this file: the checkout's life (mount, provider events, state changes, destroy);
//! - [`attempt`]: one payment attempt, from `pay()` or a token to its single `result`;
//! - [`saved_cards`]: the profile list, one-click selection, `setProfiles` and `enroll`.

mod attempt;
mod offers;
mod saved_cards;

use crate::cell::Borrows;
use crate::domain::error::{ErrorCode, PasarelaError};
use crate::domain::merchant::{Method, PaymentResult};
use crate::domain::options::CheckoutOptions;
use crate::domain::payment_state::{PaymentState, Phase, Step};
use crate::domain::wire::{OneField, TokenEvent};
use crate::providers::{self, CloseReason, Provider, ProviderEvent, Sink};
use crate::views;
use crate::web::{self, script};
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;
use web_sys::Element;

/// How long the shopper has for the provider's verification form before the payment is read as is.
const VERIFY_TIMEOUT_MS: u32 = 5 * 60 * 1000;

/// A handle to one checkout (cheap to clone).
#[derive(Clone)]
pub struct Checkout(Rc<RefCell<Inner>>);

struct Inner {
    opts: Rc<CheckoutOptions>,
    /// The payment's state: everything the checkout knows about its attempts.
    phase: Phase<Handle>,
    /// `None` only while it is being called (see [`Checkout::with_provider`]).
    provider: Option<Box<dyn Provider>>,
    /// Pasarela's root element inside the merchant's container: the live region, the saved-card
    /// list, `forms`, the "save this card" checkbox and the list's pay button, in that order.
    host: Element,
    /// Where the provider's card form goes (`display: contents`): before the checkbox and the pay
    /// button, however late it is made.
    forms: Element,
    /// `emit(name, payload)` into the JS wrapper's listeners.
    emit: Rc<js_sys::Function>,
    /// Where the provider's card form is (a new card can be paid only once it is usable).
    form: Form,
    /// Held while this checkout is the page's one checkout of a page-global provider.
    page_claim: Option<providers::PageClaim>,
    /// `enroll()`'s promise functions while the enrollment form is open.
    enroll_waiter: Option<(js_sys::Function, js_sys::Function)>,
    /// The saved cards offered now (`profiles` option, then `setProfiles`).
    profiles: crate::domain::profile::Profiles,
    view: Option<views::Mounted>,
    /// The host's `data-mode` now.
    mode: &'static str,
}

/// The provider's card form. With saved cards shown it is created only when the shopper picks
/// "use another card" (or `pay()` needs it), so a returning shopper never waits for its iframe.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Form {
    /// The provider's script is not loaded (or not set up) yet.
    NoScript,
    /// The library is set up; the form is not created yet.
    NotMounted,
    /// Created; the provider has not said it is usable yet.
    Mounting,
    Usable,
    /// The script or the form failed: no new card can be paid.
    Failed,
    /// The provider locked the form (KR `PSP_099`): a new form token is needed.
    Locked,
}

/// The controller's handle on one attempt: the promise `pay()` returns and the functions that
/// settle it. The state machine carries it; only the controller looks inside.
#[derive(Clone)]
struct Handle {
    promise: js_sys::Promise,
    resolve: js_sys::Function,
    reject: js_sys::Function,
    /// While the shopper's verification form is open: resolves its wait with how it ended.
    verify: Option<js_sys::Function>,
}

impl Handle {
    fn new() -> Self {
        let (promise, resolve, reject) = web::deferred();
        Self { promise, resolve, reject, verify: None }
    }
}

/// How the shopper's verification form ended, as it wakes the wait for it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Verification {
    /// A notification or `COMMERCE_ACTION`: the payment is the merchant's to read now.
    Answered = 1,
    /// The shopper closed the form.
    Closed,
    /// The form's own `ERROR`.
    Failed,
    /// The form's own `TIMEOUT`.
    TimedOut,
}

impl Verification {
    fn of(v: &JsValue) -> Option<Self> {
        Some(match v.as_f64()? as u8 {
            1 => Self::Answered,
            2 => Self::Closed,
            3 => Self::Failed,
            4 => Self::TimedOut,
            _ => return None,
        })
    }
}

#[wasm_bindgen]
extern "C" {
    /// The JS wrapper's `emit(name, payload)`, called without wasm-bindgen's `catch` wrapper (an
    /// `arguments` copy and a try per event): the wrapper catches its listeners' errors itself.
    type EmitFn;
    #[wasm_bindgen(method, js_name = call)]
    fn call_with(this: &EmitFn, this_arg: &JsValue, name: &JsValue, payload: &JsValue);
    /// The same call, for a request to draw whose answer is read ([`Checkout::draw`]): the
    /// events' own call returns nothing, so the selection's hot path drops no value it got back.
    #[wasm_bindgen(method, js_name = call)]
    fn call_for(this: &EmitFn, this_arg: &JsValue, name: &JsValue, payload: &JsValue) -> JsValue;
}

/// The provider of a checkout that started: a one-provider wasm (scripts/build.sh) runs only its
/// own provider's checkouts (`providers::for_options` has no other adapter, and `start` fails
/// without one), so there it is a constant, and what depends on it folds away.
fn provider_of(opts: &CheckoutOptions) -> crate::domain::ProviderId {
    use crate::domain::ProviderId;
    if cfg!(all(feature = "bamboo", not(feature = "conekta"), not(feature = "kr"))) {
        ProviderId::Bamboo
    } else if cfg!(all(feature = "kr", not(feature = "bamboo"), not(feature = "conekta"))) {
        ProviderId::Kr
    } else if cfg!(all(feature = "conekta", not(feature = "bamboo"), not(feature = "kr"))) {
        ProviderId::Conekta
    } else {
        opts.provider()
    }
}

/// A value handed to the page (an event payload, a result, an error) as a plain JS object
/// (`crate::domain::wire`).
pub fn to_js<T: serde::Serialize>(v: &T) -> JsValue {
    serde_wasm_bindgen::to_value(v).unwrap_or(JsValue::NULL)
}

/// The `result` payload: with its `error` exactly when `status` is `'error'` (docs/api.md §3;
/// a pending payment's last polling error is reported by the `error` event alone).
fn result_payload(result: &PaymentResult, error: Option<&PasarelaError>) -> JsValue {
    let payload = to_js(result);
    if let (crate::domain::merchant::ResultStatus::Error, Some(e)) = (result.status, error) {
        crate::web::js::set(&payload, "error", &to_js(e));
    }
    payload
}

impl Checkout {
    /// Builds the checkout in `container` and starts loading the provider. `opts` is validated.
    pub fn start(
        mut opts: CheckoutOptions,
        container: Element,
        emit: js_sys::Function,
    ) -> Result<Checkout, PasarelaError> {
        // The saved cards move to the controller (and the view); the options keep no copy.
        let profiles = std::mem::take(&mut opts.profiles);
        let opts = Rc::new(opts);
        // One live checkout per container: two would both render and both could charge.
        if container.query_selector(":scope>.pasarela").ok().flatten().is_some() {
            return Err(PasarelaError::invalid("container", "already hosts a live checkout", opts.locale));
        }
        // This provider's wasm has this provider's adapter (the JS entry loads the right one).
        let Some(provider) = providers::for_options(opts.clone()) else {
            return Err(PasarelaError::new(ErrorCode::Unsupported, opts.locale)
                .with_provider(opts.provider())
                .with_field("provider"));
        };
        // Refused before anything is rendered: a second PWCheckout or KR on the page would
        // silently take over the first one's global state.
        let page_claim = providers::PageClaim::take(provider_of(&opts), opts.locale)?;
        let host =
            web::document().create_element("div").map_err(|_| PasarelaError::new(ErrorCode::Internal, opts.locale))?;
        host.set_class_name("pasarela");
        let _ = host.set_attribute("data-provider", provider_of(&opts).as_str());
        // The checkout's language, with the region its amounts are shown for (`es-MX`): what
        // screen readers speak it as, and the tag the JS side's `Intl` formats with.
        let _ = host.set_attribute("lang", opts.lang());
        let forms =
            web::document().create_element("div").map_err(|_| PasarelaError::new(ErrorCode::Internal, opts.locale))?;
        forms.set_class_name("pasarela-forms");
        let _ = host.append_child(&forms);
        // "Save this card" (`merchant.savePaymentMethod: 'ask'`, Bamboo and Conekta): drawn with
        // the card form by the part loaded on demand, which `data-save` asks for.
        if crate::domain::merchant::asks_to_save(&opts) {
            let _ = host.set_attribute("data-save", "");
        }
        let _ = container.append_child(&host);
        // With more than one method, the JS entry draws the choice before the card form from
        // `data-methods` (in the options' order: the card first) and keeps it in `data-method`,
        // which the stylesheet and `pay()` read.
        if opts.methods.several() {
            let mut names = String::new();
            for m in Method::ALL {
                if opts.methods.contains(m) {
                    names.push_str(m.as_str());
                    names.push(' ');
                }
            }
            let _ = host.set_attribute("data-methods", names.trim_ascii_end());
            let _ = host.set_attribute("data-method", opts.methods.first().as_str());
        }
        let this = Checkout(Rc::new(RefCell::new(Inner {
            opts,
            phase: Phase::Loading,
            provider: Some(provider),
            host,
            forms,
            emit: Rc::new(emit),
            form: Form::NoScript,
            page_claim,
            enroll_waiter: None,
            profiles: Default::default(),
            view: None,
            mode: "",
        })));
        if !profiles.is_empty() {
            this.show_profiles(Rc::new(profiles));
        }
        this.show_offers();
        let me = this.clone();
        crate::web::spawn(async move { me.setup().await });
        Ok(this)
    }

    fn opts(&self) -> Rc<CheckoutOptions> {
        self.0.read().opts.clone()
    }

    pub fn host(&self) -> Element {
        self.0.read().host.clone()
    }

    pub fn locale(&self) -> crate::domain::i18n::Locale {
        self.0.read().opts.locale
    }

    pub fn state(&self) -> PaymentState {
        self.0.read().phase.public()
    }

    /// Calls the provider adapter with no borrow of the checkout held: its library may run page
    /// code, and whatever calls back finds the checkout free. `None` if the adapter is gone
    /// (destroyed, or this is a call from inside another provider call).
    fn with_provider<R>(&self, f: impl FnOnce(&mut dyn Provider) -> R) -> Option<R> {
        let mut provider = self.0.write().provider.take()?;
        let r = f(provider.as_mut());
        self.put_provider_back(provider);
        Some(r)
    }

    /// The second half of [`Self::with_provider`]: a checkout destroyed meanwhile unmounts it.
    fn put_provider_back(&self, mut provider: Box<dyn Provider>) {
        if self.state() == PaymentState::Destroyed {
            provider.unmount();
        } else {
            self.0.write().provider = Some(provider);
        }
    }

    fn error(&self, code: ErrorCode) -> PasarelaError {
        let o = self.opts();
        PasarelaError::new(code, o.locale).with_provider(provider_of(&o))
    }

    /// Calls the page's listeners. Never with a borrow held: a listener may call back in.
    fn emit(&self, name: &str, payload: JsValue) {
        self.emit_named(&JsValue::from_str(name), payload);
    }

    /// [`Self::emit`] with the event's name already a JS string (the selection's hot path).
    fn emit_named(&self, name: &JsValue, payload: JsValue) {
        // An `Rc`, so reporting an event clones no JS reference.
        let emit = self.0.read().emit.clone();
        emit.unchecked_ref::<EmitFn>().call_with(&JsValue::NULL, name, &payload);
    }

    /// Hands `payload` to the part of the package loaded on demand (js/pasarela_extra.mjs, through
    /// the JS entry): `_v` draws a voucher, `_c` opens an in-page authentication (`null` closes
    /// it), `_e` opens Bamboo's enrollment form. Gives back what the entry returns: for `_c`, a
    /// promise of how it ended; for `_e`, whether the form opened.
    fn draw(&self, what: &str, payload: JsValue) -> JsValue {
        let emit = self.0.read().emit.clone();
        emit.unchecked_ref::<EmitFn>().call_for(&JsValue::NULL, &JsValue::from_str(what), &payload)
    }

    /// `ready` with `{ provider }`.
    pub(super) fn emit_ready(&self) {
        self.emit("ready", to_js(&OneField { key: "provider", value: provider_of(&self.opts()).as_str() }));
    }

    fn emit_error(&self, e: &PasarelaError) {
        self.emit("error", to_js(e));
    }

    /// Applies a change to the state machine, then shows the state on the host.
    fn change<R>(&self, f: impl FnOnce(&mut Phase<Handle>) -> R) -> R {
        let r = f(&mut self.0.write().phase);
        self.show_state();
        r
    }

    /// `data-state` on the host, and the list's busy look while an attempt is sent (its button
    /// disabled then, and for good once the order is paid).
    #[inline(never)]
    fn show_state(&self) {
        let inner = self.0.read();
        let s = inner.phase.public();
        let _ = inner.host.set_attribute("data-state", s.as_str());
        if let Some(v) = &inner.view {
            v.set_busy(s.in_flight() && matches!(inner.phase, Phase::Paying(_)), s == PaymentState::Succeeded);
        }
    }

    fn sink(&self) -> Sink {
        let weak: Weak<RefCell<Inner>> = Rc::downgrade(&self.0);
        Rc::new(move |ev: ProviderEvent| {
            let weak = weak.clone();
            crate::web::spawn(async move {
                if let Some(rc) = weak.upgrade() {
                    Checkout(rc).on_provider_event(ev);
                }
            });
        })
    }

    async fn setup(&self) {
        // Without the card among the methods no tokenizer is needed: nothing of the provider is
        // loaded, and the choice is usable at once (through the sink, like the provider's own
        // `Ready`, so a listener added right after `createCheckout` still hears it).
        if !self.opts().methods.contains(Method::Card) {
            self.0.write().form = Form::Failed;
            return self.sink()(ProviderEvent::Ready);
        }
        // `script()` only reads the options (no provider code runs): a plain borrow will do.
        let Some(spec) = self.0.read().provider.as_ref().map(|p| p.script()) else { return };
        let loaded = script::load(&spec, script::SCRIPT_TIMEOUT_MS).await;
        if self.state() == PaymentState::Destroyed {
            return;
        }
        if let Err(why) = loaded {
            let e = self.error(ErrorCode::ScriptLoadFailed).with_detail(why.as_str());
            return self.setup_failed(e);
        }
        let (sink, host) = (self.sink(), self.host());
        if let Some(Err(e)) = self.with_provider(|p| p.mount(&host, sink)) {
            return self.setup_failed(e);
        }
        self.0.write().form = Form::NotMounted;
        if self.shows_new_card() {
            self.mount_form();
        } else {
            // The saved cards are usable now; the card form waits for "use another card". Through
            // the sink, like a provider's own `Ready`: a page that subscribes right after
            // `createCheckout` resolves still hears it.
            self.sink()(ProviderEvent::Ready);
        }
    }

    /// Whether the provider's form is what the shopper sees (no saved cards, or "another card").
    fn shows_new_card(&self) -> bool {
        self.0.read().view.as_ref().is_none_or(|v| v.is_new_card())
    }

    /// Creates the provider's card form unless it exists (or its script is not loaded yet).
    pub(super) fn mount_form(&self) {
        {
            let mut inner = self.0.write();
            if inner.form != Form::NotMounted || matches!(inner.phase, Phase::Destroyed) {
                return;
            }
            inner.form = Form::Mounting;
        }
        let (sink, forms) = (self.sink(), self.0.read().forms.clone());
        if let Some(Err(e)) = self.with_provider(|p| p.mount_form(&forms, sink)) {
            self.setup_failed(e);
        }
    }

    /// The provider's script or form failed: reported once, and a `pay()` waiting for the form
    /// ends with it.
    fn setup_failed(&self, e: PasarelaError) {
        self.form_unusable(Form::Failed, e);
        // Nothing of the provider will be used now (unless a saved card's attempt is still on its
        // way): its page-global state goes, and with it the page's claim, so the new checkout a
        // `script_load_failed` invites the storefront to make can take the page.
        if self.state() == PaymentState::Failed {
            let provider = {
                let mut inner = self.0.write();
                inner.page_claim = None;
                inner.provider.take()
            };
            if let Some(mut p) = provider {
                p.unmount();
            }
        }
    }

    /// The card form is `form` (failed, or locked by the provider) for good: a `pay()` waiting
    /// for its token ends with `e`.
    fn form_unusable(&self, form: Form, e: PasarelaError) {
        if self.state() == PaymentState::Destroyed {
            return;
        }
        self.0.write().form = form;
        let waiting = self.change(Phase::setup_failed);
        self.report(waiting, e);
    }

    /// Reports `e` once: as the end of the attempt `waiting` for the form (its `error` event, then
    /// its `result`), or, with none waiting, by the `error` event alone. (Both at once reported one
    /// failure twice: two `error` events, the message said twice.)
    fn report(&self, waiting: Option<crate::domain::payment_state::Attempt<Handle>>, e: PasarelaError) {
        match waiting {
            Some(a) => self.settle(a, PaymentResult::from_error(&e, None), Some(e)),
            None => self.emit_error(&e),
        }
    }

    /// Ends an attempt that waits for the form's token (none was forwarded: nothing was charged).
    fn end_waiting_attempt(&self, e: PasarelaError) {
        if let Some(a) = self.change(Phase::take_awaiting_token) {
            self.settle(a, PaymentResult::from_error(&e, None), Some(e));
        }
    }

    fn on_provider_event(&self, ev: ProviderEvent) {
        if self.state() == PaymentState::Destroyed {
            return;
        }
        match ev {
            ProviderEvent::Ready => {
                let submit_now = {
                    let mut inner = self.0.write();
                    if inner.form == Form::Mounting {
                        inner.form = Form::Usable;
                    }
                    match inner.phase.attempt().map(|a| &mut a.step) {
                        Some(Step::AwaitingToken { submit_when_ready }) => std::mem::take(submit_when_ready),
                        _ => false,
                    }
                };
                if self.change(Phase::form_ready) {
                    self.emit_ready();
                }
                if submit_now {
                    self.submit_form();
                }
            }
            ProviderEvent::Token { source, kind, brand, last4 } => self.on_token(source, kind, brand, last4),
            ProviderEvent::TokenError(e) => {
                let enrolling = self.0.write().enroll_waiter.take();
                if let Some((_, reject)) = enrolling {
                    self.emit_error(&e);
                    let _ = reject.call1(&JsValue::NULL, &to_js(&e));
                    return;
                }
                // A `pay()` waiting for this form's token ends here (the shopper can fix the card
                // and pay again), reporting the error once.
                let waiting = self.change(Phase::take_awaiting_token);
                self.report(waiting, e);
            }
            ProviderEvent::Notification(status) => {
                self.emit("notification", to_js(&OneField { key: "status", value: status.as_str() }));
                self.wake_verifier(Verification::Answered);
            }
            ProviderEvent::Closed(reason) => self.on_form_closed(reason),
            ProviderEvent::SetupFailed(e) => self.setup_failed(e),
            // KR's alone: a build without KR's adapter keeps nothing of it.
            ProviderEvent::FormLocked(e) if cfg!(feature = "kr") => self.form_unusable(Form::Locked, e),
            ProviderEvent::FormLocked(_) => {}
            ProviderEvent::Warning(e) => self.emit_error(&e),
        }
    }

    /// Sets (or, with `None`, takes) the wait for the attempt's verification form.
    fn replace_verifier(&self, waiter: Option<js_sys::Function>) -> Option<js_sys::Function> {
        let mut inner = self.0.write();
        let slot = &mut inner.phase.attempt()?.handle.verify;
        std::mem::replace(slot, waiter)
    }

    /// Wakes a verification wait with how it ended; says whether one was waiting.
    fn wake_verifier(&self, how: Verification) -> bool {
        let waiter = self.replace_verifier(None);
        if let Some(f) = &waiter {
            let _ = f.call1(&JsValue::NULL, &JsValue::from_f64(f64::from(how as u8)));
        }
        waiter.is_some()
    }

    /// A provider form closed without a token or notification: the verification, enrollment or
    /// card form that was open ends, each as its `CloseInfo.Reason` says.
    fn on_form_closed(&self, reason: CloseReason) {
        let how = match reason {
            CloseReason::Shopper => Verification::Closed,
            CloseReason::Timeout => Verification::TimedOut,
            CloseReason::Error => Verification::Failed,
            CloseReason::CommerceAction => Verification::Answered,
        };
        if self.wake_verifier(how) {
            return;
        }
        let e = match reason {
            CloseReason::Timeout => self.error(ErrorCode::Timeout).with_detail("TIMEOUT"),
            CloseReason::Error => self.error(ErrorCode::TokenizationFailed).with_detail("ERROR"),
            CloseReason::Shopper => self.error(ErrorCode::Cancelled),
            CloseReason::CommerceAction => self.error(ErrorCode::Cancelled).with_detail("COMMERCE_ACTION"),
        };
        let enrolling = self.0.write().enroll_waiter.take();
        match enrolling {
            Some((_, reject)) => {
                let _ = reject.call1(&JsValue::NULL, &to_js(&e));
            }
            // The modal card form closed while `pay()` waited for its token.
            None => self.end_waiting_attempt(e),
        }
    }

    /// `checkout.destroy()`: idempotent. An attempt in flight ends with one `result` (status
    /// `error`) and its promise rejects with `destroyed`.
    pub fn destroy(&self) {
        let Some(attempt) = self.change(Phase::destroy) else { return };
        let (provider, enrolling) = {
            let mut inner = self.0.write();
            inner.page_claim = None;
            inner.view.take();
            inner.host.remove();
            (inner.provider.take(), inner.enroll_waiter.take())
        };
        // Out of the borrow: PWCheckout's `Unbind` and KR's `removeForms` run page code. (An
        // adapter being called right now is unmounted when its call returns.)
        if let Some(mut p) = provider {
            p.unmount();
        }
        if let Some((_, reject)) = enrolling {
            let _ = reject.call1(&JsValue::NULL, &to_js(&self.error(ErrorCode::Destroyed)));
        }
        if let Some(mut a) = attempt {
            if let Some(f) = a.handle.verify.take() {
                // Woken as closed: the wait then finds the attempt gone and ends there.
                let _ = f.call1(&JsValue::NULL, &JsValue::from_f64(f64::from(Verification::Closed as u8)));
            }
            let e = self.error(ErrorCode::Destroyed);
            self.emit("result", result_payload(&PaymentResult::from_error(&e, a.payment_id), Some(&e)));
            if a.from_page {
                let _ = a.handle.reject.call1(&JsValue::NULL, &to_js(&e));
            }
        }
    }
}
