//! The controller: runs one checkout from mount to result.
//!
//! It wires a provider adapter, the merchant client and the views together, and asks
//! `domain::payment_state` for every state change. Two rules keep it re-entrancy safe:
//! no `RefCell` borrow is held while page code runs (events are emitted after the borrow ends),
//! and provider callbacks are handled on the microtask queue, never inside the provider's call.

use crate::domain::error::{ErrorCode, PasarelaError};
use crate::domain::merchant::{self, ActionType, MerchantAnswer, PaymentResult, ResultStatus, Source};
use crate::domain::options::CheckoutOptions;
use crate::domain::payment_state::{Happening, Outcome, PaymentState};
use crate::domain::profile::SavedProfile;
use crate::domain::token::{HeldToken, TokenKind, TokenRefusal, ONE_TIME_TOKEN_TTL_MS};
use crate::merchant_client::{self, Caller};
use crate::providers::{self, Provider, ProviderEvent, Sink};
use crate::views::{self, profiles::NEW_CARD};
use crate::web::{self, js, script, time};
use serde::Serialize;
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_sys::Element;

/// How long the shopper has for the provider's verification form before the payment is read as is.
const VERIFY_TIMEOUT_MS: u32 = 5 * 60 * 1000;

/// A handle to one checkout (cheap to clone).
#[derive(Clone)]
pub struct Checkout(Rc<RefCell<Inner>>);

struct Inner {
    opts: Rc<CheckoutOptions>,
    state: PaymentState,
    provider: Box<dyn Provider>,
    /// Pasarela's root element inside the merchant's container.
    host: Element,
    /// `emit(name, payload)` into the JS wrapper's listeners.
    emit: js_sys::Function,
    attempt: Option<Attempt>,
    /// After success, `pay()` returns this promise again: one payment, one charge.
    succeeded: Option<js_sys::Promise>,
    /// Resolves the verification wait with the notification status (or `closed`).
    verify_waiter: Option<js_sys::Function>,
    /// `enroll()`'s promise functions while the enrollment form is open.
    enroll_waiter: Option<(js_sys::Function, js_sys::Function)>,
    /// The saved cards offered now (`profiles` option, then `setProfiles`).
    profiles: Vec<SavedProfile>,
    view: Option<views::Mounted>,
}

/// The attempt in flight: its promise and the functions that settle it.
struct Attempt {
    promise: js_sys::Promise,
    resolve: js_sys::Function,
    reject: js_sys::Function,
    installments: u32,
    /// Whether the merchant request has started (before that, the attempt waits for a token).
    started: bool,
}

impl Attempt {
    fn new(installments: u32) -> Self {
        let mut fns = (JsValue::UNDEFINED, JsValue::UNDEFINED);
        let promise = js_sys::Promise::new(&mut |res, rej| fns = (res.into(), rej.into()));
        Self { promise, resolve: fns.0.into(), reject: fns.1.into(), installments, started: false }
    }
}

/// Serialises a payload as a plain JS object (not `Map`s).
pub fn to_js<T: Serialize>(v: &T) -> JsValue {
    // JSON text and `JSON.parse` reuse serde_json's writer (already needed for request bodies)
    // instead of linking a second serializer into the wasm.
    serde_json::to_string(v).ok().and_then(|j| js_sys::JSON::parse(&j).ok()).unwrap_or(JsValue::NULL)
}

impl Checkout {
    /// Builds the checkout in `container` and starts loading the provider. `opts` is validated.
    pub fn start(opts: CheckoutOptions, container: Element, emit: js_sys::Function) -> Result<Checkout, PasarelaError> {
        let opts = Rc::new(opts);
        let host =
            web::document().create_element("div").map_err(|_| PasarelaError::new(ErrorCode::Internal, opts.locale))?;
        host.set_class_name("pasarela");
        let _ = host.set_attribute("data-provider", opts.provider.as_str());
        let _ = host.set_attribute("lang", opts.locale.tag());
        let _ = container.append_child(&host);
        let provider = providers::for_options(opts.clone());
        let profiles = opts.profiles.clone();
        let this = Checkout(Rc::new(RefCell::new(Inner {
            opts,
            state: PaymentState::Loading,
            provider,
            host,
            emit,
            attempt: None,
            succeeded: None,
            verify_waiter: None,
            enroll_waiter: None,
            profiles: Vec::new(),
            view: None,
        })));
        if !profiles.is_empty() {
            this.show_profiles(profiles);
        }
        let me = this.clone();
        spawn_local(async move { me.setup().await });
        Ok(this)
    }

    fn opts(&self) -> Rc<CheckoutOptions> {
        self.0.borrow().opts.clone()
    }

    pub fn host(&self) -> Element {
        self.0.borrow().host.clone()
    }

    pub fn locale(&self) -> crate::domain::i18n::Locale {
        self.0.borrow().opts.locale
    }

    pub fn state(&self) -> PaymentState {
        self.0.borrow().state
    }

    fn error(&self, code: ErrorCode) -> PasarelaError {
        let o = self.opts();
        PasarelaError::new(code, o.locale).with_provider(o.provider)
    }

    /// Calls the page's listeners. Never with a borrow held: a listener may call back in.
    fn emit(&self, name: &str, payload: JsValue) {
        let emit = self.0.borrow().emit.clone();
        let _ = emit.call2(&JsValue::NULL, &JsValue::from_str(name), &payload);
    }

    fn emit_error(&self, e: &PasarelaError) {
        self.emit("error", to_js(e));
    }

    /// Applies a state change if the state machine allows it; says whether it did.
    fn happen(&self, h: Happening) -> bool {
        let mut inner = self.0.borrow_mut();
        match inner.state.next(h) {
            Some(s) => {
                inner.state = s;
                let _ = inner.host.set_attribute("data-state", s.as_str());
                if let Some(v) = &inner.view {
                    v.model.set_busy(s.in_flight());
                }
                true
            }
            None => false,
        }
    }

    fn sink(&self) -> Sink {
        let weak: Weak<RefCell<Inner>> = Rc::downgrade(&self.0);
        Rc::new(move |ev: ProviderEvent| {
            let weak = weak.clone();
            spawn_local(async move {
                if let Some(rc) = weak.upgrade() {
                    Checkout(rc).on_provider_event(ev);
                }
            });
        })
    }

    async fn setup(&self) {
        let spec = self.0.borrow().provider.script();
        let loaded = script::load(&spec, script::SCRIPT_TIMEOUT_MS).await;
        if self.state() == PaymentState::Destroyed {
            return;
        }
        if let Err(why) = loaded {
            let e = self.error(ErrorCode::ScriptLoadFailed).with_detail(&format!("{why:?}"));
            return self.setup_failed(e);
        }
        let sink = self.sink();
        let mounted = {
            let mut inner = self.0.borrow_mut();
            let host = inner.host.clone();
            inner.provider.mount(&host, sink)
        };
        if let Err(e) = mounted {
            self.setup_failed(e);
        }
    }

    fn setup_failed(&self, e: PasarelaError) {
        if self.happen(Happening::SetupFailed) {
            self.emit_error(&e);
        }
    }

    fn on_provider_event(&self, ev: ProviderEvent) {
        if self.state() == PaymentState::Destroyed {
            return;
        }
        match ev {
            ProviderEvent::Ready => {
                if self.happen(Happening::FormReady) {
                    self.emit("ready", to_js(&serde_json::json!({ "provider": self.opts().provider })));
                }
            }
            ProviderEvent::Token { source, kind, brand, last4 } => self.on_token(source, kind, brand, last4),
            ProviderEvent::TokenError(e) => {
                self.emit_error(&e);
                let enrolling = self.0.borrow_mut().enroll_waiter.take();
                if let Some((_, reject)) = enrolling {
                    let _ = reject.call1(&JsValue::NULL, &to_js(&e));
                    return;
                }
                // A `pay()` waiting for this form's token ends here; the shopper can fix the card
                // and pay again.
                let waiting = self.0.borrow().attempt.as_ref().is_some_and(|a| !a.started);
                if waiting {
                    self.finish(PaymentResult::from_error(&e, None), Some(e), None);
                }
            }
            ProviderEvent::Notification(status) => {
                self.emit("notification", to_js(&serde_json::json!({ "status": status })));
                self.wake_verifier(status.as_str());
            }
            ProviderEvent::ActionClosed => {
                self.wake_verifier("closed");
                let enrolling = self.0.borrow_mut().enroll_waiter.take();
                if let Some((_, reject)) = enrolling {
                    let _ = reject.call1(
                        &JsValue::NULL,
                        &to_js(&self.error(ErrorCode::TokenizationFailed).with_detail("closed")),
                    );
                }
            }
            ProviderEvent::SetupFailed(e) => self.setup_failed(e),
            ProviderEvent::Warning(e) => self.emit_error(&e),
        }
    }

    fn wake_verifier(&self, status: &str) {
        let waiter = self.0.borrow_mut().verify_waiter.take();
        if let Some(f) = waiter {
            let _ = f.call1(&JsValue::NULL, &JsValue::from_str(status));
        }
    }

    /// A token (or KR answer) arrived from the provider form: start (or continue) an attempt.
    fn on_token(&self, source: Source, kind: TokenKind, brand: Option<String>, last4: Option<String>) {
        // A Commerce token from the enrollment form saves a card; it pays nothing by itself, and
        // its value stays here (Bamboo already stored it with the customer).
        let enrolling = self.0.borrow_mut().enroll_waiter.take();
        if let Some((resolve, _)) = enrolling {
            drop(source);
            let payload = to_js(&TokenEvent { provider: self.opts().provider, kind, brand, last4 });
            self.emit("token", payload.clone());
            let _ = resolve.call1(&JsValue::NULL, &payload);
            return;
        }
        let state = self.state();
        let waiting = self.0.borrow().attempt.as_ref().map(|a| !a.started);
        // A token while another attempt is in flight, or after success, is dropped unused:
        // forwarding it could charge twice.
        if waiting == Some(false) || !(waiting == Some(true) || state.accepts_new_attempt()) {
            return;
        }
        let installments = {
            let mut inner = self.0.borrow_mut();
            let a = inner.attempt.get_or_insert_with(|| Attempt::new(1));
            a.started = true;
            a.installments
        };
        self.happen(Happening::AttemptStarted);
        let provider = self.opts().provider;
        self.emit("token", to_js(&TokenEvent { provider, kind, brand, last4 }));
        let me = self.clone();
        spawn_local(async move { me.run(source, installments).await });
    }

    /// `checkout.pay(opts)`.
    pub fn pay(&self, profile_id: Option<String>, installments: Option<u32>) -> js_sys::Promise {
        let reject = |e: PasarelaError| js_sys::Promise::reject(&to_js(&e));
        let (state, joined, succeeded) = {
            let inner = self.0.borrow();
            (inner.state, inner.attempt.as_ref().map(|a| a.promise.clone()), inner.succeeded.clone())
        };
        if state == PaymentState::Destroyed {
            return reject(self.error(ErrorCode::Destroyed));
        }
        if let Some(p) = joined.or(succeeded) {
            return p;
        }
        if !state.accepts_new_attempt() {
            return reject(self.error(ErrorCode::NotReady));
        }
        let opts = self.opts();
        match profile_id {
            Some(id) => {
                let profile = self.0.borrow().profiles.iter().find(|p| p.id == id).cloned();
                let Some(profile) = profile else {
                    return reject(self.error(ErrorCode::UnknownProfile).with_field("profileId"));
                };
                if profile.is_expired(time::this_month()) {
                    return reject(
                        self.error(ErrorCode::UnknownProfile).with_field("profileId").with_detail("expired"),
                    );
                }
                let n = installments.unwrap_or(1);
                if n == 0 || (!profile.installments.is_empty() && !profile.installments.contains(&n)) {
                    return reject(PasarelaError::invalid("installments", "is not offered for this card", opts.locale));
                }
                let mut a = Attempt::new(n);
                a.started = true;
                let p = a.promise.clone();
                self.0.borrow_mut().attempt = Some(a);
                self.happen(Happening::AttemptStarted);
                if let Some(v) = &self.0.borrow().view {
                    v.model.select(&id, n);
                }
                let me = self.clone();
                spawn_local(async move { me.run(Source::Profile { profile_id: id }, n).await });
                p
            }
            // The shopper's choice in the list counts: a storefront's own "Pay" button calling
            // `pay()` pays the saved card the shopper has selected.
            None if self.selected_profile().is_some() => {
                let (id, n) = self.selected_profile().unwrap_or_default();
                self.pay(Some(id), installments.or(Some(n)))
            }
            None => {
                let a = Attempt::new(installments.unwrap_or(1).max(1));
                let p = a.promise.clone();
                self.0.borrow_mut().attempt = Some(a);
                let submitted = self.0.borrow_mut().provider.submit();
                if let Err(e) = submitted {
                    self.finish(PaymentResult::from_error(&e, None), Some(e), None);
                }
                p
            }
        }
    }

    /// Forwards `source` to the merchant and drives the answer to one result.
    async fn run(&self, source: Source, installments: u32) {
        let opts = self.opts();
        let who = Caller { locale: opts.locale, provider: opts.provider };
        // One-time tokens go out once and only while fresh (a token may have waited on a slow
        // page); the value lives only in the request body from here on.
        let (source, fresh_until) = match source {
            Source::Token { token, kind } => {
                let received = time::now_ms();
                let mut held = HeldToken::new(token, kind, received);
                match held.take_for_forward(received) {
                    // A one-time token is sent (and re-sent by retries) only while the provider
                    // would still take it; after that the shopper is asked for the card again.
                    Ok(token) => {
                        let until = (kind == TokenKind::OneTime).then_some(received + ONE_TIME_TOKEN_TTL_MS);
                        (Source::Token { token, kind }, until)
                    }
                    Err(TokenRefusal::Expired | TokenRefusal::AlreadyForwarded) => {
                        let e = self.error(ErrorCode::TokenExpired);
                        return self.finish(PaymentResult::from_error(&e, None), Some(e), None);
                    }
                }
            }
            other => (other, None),
        };
        let body = merchant::payment_body(&opts, &source, installments);
        drop(source);
        let key = web::uuid_v4();
        let answer = merchant_client::post_payment(&opts.merchant, &body, &key, who, fresh_until).await;
        drop(body);
        if self.state() == PaymentState::Destroyed {
            return;
        }
        match answer {
            Err(e) => self.finish(PaymentResult::from_error(&e, None), Some(e), None),
            Ok(a) => self.drive(a, who).await,
        }
    }

    /// Turns a merchant answer into the final result, running the shopper's action if one is asked.
    async fn drive(&self, answer: MerchantAnswer, who: Caller) {
        if answer.status != ResultStatus::Pending {
            return self.finish(PaymentResult::from_answer(&answer), None, None);
        }
        let payment_id = answer.payment_id.clone().unwrap_or_default();
        if let Some(action) = &answer.action {
            self.happen(Happening::ActionNeeded);
            let mut payload = serde_json::json!({ "type": action.kind, "paymentId": payment_id });
            if action.kind == ActionType::Redirect {
                // The shopper must leave the page: the storefront decides when (extension: `url`).
                payload["url"] = action.url.clone().into();
                self.emit("action", to_js(&payload));
                return self.finish(PaymentResult::from_answer(&answer), None, Some(Outcome::StillPending));
            }
            self.emit("action", to_js(&payload));
            let waiter = js_sys::Promise::new(&mut |res, _| self.0.borrow_mut().verify_waiter = Some(res));
            let started = self.0.borrow_mut().provider.verify(&action.url);
            let finished_by_shopper = match started {
                Some(Ok(())) => {
                    let r = time::with_timeout(waiter, VERIFY_TIMEOUT_MS).await;
                    matches!(
                        r.and_then(|r| r.ok()).and_then(|v| v.as_string()).as_deref(),
                        Some("ok" | "pending" | "error")
                    )
                }
                Some(Err(e)) => {
                    self.emit_error(&e);
                    false
                }
                None => {
                    self.emit_error(&self.error(ErrorCode::Unsupported));
                    false
                }
            };
            self.0.borrow_mut().verify_waiter = None;
            if !self.happen(Happening::ActionDone) {
                return; // destroyed meanwhile
            }
            if !finished_by_shopper {
                // Closed (or never answered): nobody will finish it now. Read it once and report.
                return self.read_once(payment_id, who).await;
            }
        }
        self.poll(payment_id, who).await;
    }

    /// One status read after the shopper left the action: final if it is, else `pending`.
    async fn read_once(&self, payment_id: String, who: Caller) {
        let opts = self.opts();
        match merchant_client::get_status(&opts.merchant, &payment_id, who).await {
            Ok(a) if a.status != ResultStatus::Pending => self.finish(PaymentResult::from_answer(&a), None, None),
            Ok(_) => self.finish(
                PaymentResult { status: ResultStatus::Pending, payment_id: Some(payment_id), message: None },
                None,
                Some(Outcome::StillPending),
            ),
            Err(e) => self.finish(PaymentResult::from_error(&e, Some(payment_id)), Some(e), None),
        }
    }

    /// Reads `statusUrl/paymentId` with backoff until the status is final or 60 s have passed.
    async fn poll(&self, payment_id: String, who: Caller) {
        let opts = self.opts();
        let (mut n, mut elapsed, mut last_error) = (0, 0, None);
        while let Some(delay) = merchant::poll_delay_ms(n, elapsed) {
            time::sleep(delay).await;
            elapsed += delay;
            n += 1;
            if self.state() == PaymentState::Destroyed {
                return;
            }
            match merchant_client::get_status(&opts.merchant, &payment_id, who).await {
                Ok(a) if a.status != ResultStatus::Pending => {
                    return self.finish(PaymentResult::from_answer(&a), None, None)
                }
                Ok(_) => last_error = None,
                Err(e) if e.code == ErrorCode::MerchantBadResponse || e.code == ErrorCode::MerchantRejected => {
                    return self.finish(PaymentResult::from_error(&e, Some(payment_id)), Some(e), None);
                }
                Err(e) => last_error = Some(e),
            }
        }
        let pending = PaymentResult { status: ResultStatus::Pending, payment_id: Some(payment_id), message: None };
        self.finish(pending, last_error, Some(Outcome::StillPending));
    }

    /// Ends the attempt: at most once, whatever calls it.
    fn finish(&self, result: PaymentResult, error: Option<PasarelaError>, outcome: Option<Outcome>) {
        let Some(attempt) = self.0.borrow_mut().attempt.take() else {
            return;
        };
        let outcome = outcome.unwrap_or(match result.status {
            ResultStatus::Approved => Outcome::Approved,
            ResultStatus::Pending => Outcome::StillPending,
            _ => Outcome::NotApproved,
        });
        if attempt.started {
            self.happen(Happening::AttemptEnded(outcome));
        }
        if outcome == Outcome::Approved {
            self.0.borrow_mut().succeeded = Some(attempt.promise.clone());
        }
        if let Some(e) = &error {
            self.emit_error(e);
        }
        let payload = to_js(&result);
        if let Some(e) = &error {
            js::set(&payload, "error", &to_js(e));
        }
        self.emit("result", payload.clone());
        let _ = attempt.resolve.call1(&JsValue::NULL, &payload);
    }

    /// Renders (or updates) the saved-profile list. The first card that was not offered before is
    /// selected, so a card just enrolled is the one a tap pays with.
    fn show_profiles(&self, profiles: Vec<SavedProfile>) {
        let today = time::this_month();
        let existing = self.0.borrow().view.as_ref().map(|v| v.model);
        if let Some(model) = existing {
            let old = std::mem::replace(&mut self.0.borrow_mut().profiles, profiles.clone());
            let fresh = profiles
                .iter()
                .find(|p| !p.is_expired(today) && !old.iter().any(|o| o.id == p.id))
                .map(|p| p.id.clone());
            model.set_profiles(profiles);
            if let Some(id) = fresh {
                model.select(&id, 1);
            }
            self.sync_mode();
            return;
        }
        let opts = self.opts();
        let doc = web::document();
        let Ok(slot) = doc.create_element("div") else { return };
        slot.set_class_name("pasarela-profiles-host");
        let host = self.0.borrow().host.clone();
        let _ = host.insert_before(&slot, host.first_child().as_ref());
        let model = views::ViewModel::new(profiles.clone(), today);
        let weak = Rc::downgrade(&self.0);
        let w2 = weak.clone();
        let actions = views::ViewActions {
            select: Rc::new(move |id: String| {
                let weak = weak.clone();
                spawn_local(async move {
                    if let Some(rc) = weak.upgrade() {
                        Checkout(rc).on_select(id);
                    }
                });
            }),
            pay: Rc::new(move || {
                let weak = w2.clone();
                spawn_local(async move {
                    if let Some(rc) = weak.upgrade() {
                        Checkout(rc).pay_from_view();
                    }
                });
            }),
        };
        let ctx = views::profiles::ViewContext {
            locale: opts.locale,
            today,
            amount_label: views::format::money(opts.order.amount, &opts.order.currency, opts.locale),
            pay_new_card: opts.provider != crate::domain::ProviderId::Bamboo,
            group_id: providers::next_dom_id("profiles"),
        };
        let mounted = views::profiles::mount(slot.unchecked_into(), model, ctx, actions);
        {
            let mut inner = self.0.borrow_mut();
            inner.profiles = profiles;
            inner.view = Some(mounted);
        }
        self.sync_mode();
    }

    /// `data-mode` on the host: `profiles` hides the provider form, `new-card` shows it.
    fn sync_mode(&self) {
        let inner = self.0.borrow();
        let new_card = inner.view.as_ref().is_none_or(|v| v.model.choice().0 == NEW_CARD);
        let _ = inner.host.set_attribute("data-mode", if new_card { "new-card" } else { "profiles" });
    }

    fn on_select(&self, id: String) {
        if self.state() == PaymentState::Destroyed {
            return;
        }
        self.sync_mode();
        if id != NEW_CARD {
            self.emit("profileselected", to_js(&serde_json::json!({ "profileId": id })));
        }
    }

    /// The saved profile selected in the list (and its installments), if one is.
    fn selected_profile(&self) -> Option<(String, u32)> {
        let inner = self.0.borrow();
        let (id, n) = inner.view.as_ref()?.model.choice();
        (id != NEW_CARD).then_some((id, n))
    }

    fn pay_from_view(&self) {
        let (sel, n) = match &self.0.borrow().view {
            Some(v) => v.model.choice(),
            None => return,
        };
        // The outcome reaches the page through `result` / `error`; the promise is not needed here.
        let _ = if sel == NEW_CARD { self.pay(None, None) } else { self.pay(Some(sel), Some(n)) };
    }

    /// `checkout.setProfiles(list)` (extension): replaces the saved cards, e.g. after enrollment.
    pub fn set_profiles(&self, profiles: Vec<SavedProfile>) {
        if self.state() == PaymentState::Destroyed {
            return;
        }
        self.show_profiles(profiles);
        if !matches!(self.state(), PaymentState::Loading) {
            self.emit("ready", to_js(&serde_json::json!({ "provider": self.opts().provider })));
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
        let Some(url) = capture_url.or_else(|| opts.bamboo.capture_url.clone()) else {
            return reject(PasarelaError::invalid("bamboo.captureUrl", "is required to enroll a card", opts.locale));
        };
        let Some(session) = unique_id.or_else(|| opts.bamboo.unique_id.clone()) else {
            return reject(PasarelaError::invalid("bamboo.uniqueId", "is required to enroll a card", opts.locale));
        };
        let mut fns = (JsValue::UNDEFINED, JsValue::UNDEFINED);
        let promise = js_sys::Promise::new(&mut |res, rej| fns = (res.into(), rej.into()));
        let opened = self.0.borrow_mut().provider.enroll(&url, &session);
        match opened {
            Some(Ok(())) => {
                self.0.borrow_mut().enroll_waiter = Some((fns.0.into(), fns.1.into()));
                promise
            }
            Some(Err(e)) => reject(e),
            None => reject(self.error(ErrorCode::Unsupported)),
        }
    }

    /// `checkout.destroy()`: idempotent. An attempt in flight ends with one `result` (status
    /// `error`) and its promise rejects with `destroyed`.
    pub fn destroy(&self) {
        if !self.happen(Happening::Destroy) {
            return;
        }
        let (attempt, waiter, enrolling) = {
            let mut inner = self.0.borrow_mut();
            inner.provider.unmount();
            inner.view.take();
            inner.host.remove();
            (inner.attempt.take(), inner.verify_waiter.take(), inner.enroll_waiter.take())
        };
        if let Some((_, reject)) = enrolling {
            let _ = reject.call1(&JsValue::NULL, &to_js(&self.error(ErrorCode::Destroyed)));
        }
        if let Some(f) = waiter {
            let _ = f.call1(&JsValue::NULL, &JsValue::from_str("destroyed"));
        }
        if let Some(a) = attempt {
            let e = self.error(ErrorCode::Destroyed);
            self.emit("result", to_js(&PaymentResult::from_error(&e, None)));
            let _ = a.reject.call1(&JsValue::NULL, &to_js(&e));
        }
    }
}

#[derive(Serialize)]
struct TokenEvent {
    provider: crate::domain::ProviderId,
    kind: TokenKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    brand: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last4: Option<String>,
}
