//! The controller: runs one checkout from mount to result.
//!
//! It wires a provider adapter, the merchant client and the views together, and asks
//! `domain::payment_state` for every state change. Two rules keep it re-entrancy safe:
//! no `RefCell` borrow is held while page code runs (events are emitted after the borrow ends),
//! and provider callbacks are handled on the microtask queue, never inside the provider's call.

use crate::domain::error::{ErrorCode, PasarelaError};
use crate::domain::merchant::{
    self, ActionType, MerchantAnswer, PaymentResult, ResultStatus, Source,
};
use crate::domain::options::CheckoutOptions;
use crate::domain::payment_state::{Happening, Outcome, PaymentState};
use crate::domain::token::{HeldToken, TokenKind, TokenRefusal};
use crate::merchant_client::{self, Caller};
use crate::providers::{self, Provider, ProviderEvent, Sink};
use crate::web::{self, js, script, time};
use serde::Serialize;
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;
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
    view: Option<crate::views::Mounted>,
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
        Self {
            promise,
            resolve: fns.0.into(),
            reject: fns.1.into(),
            installments,
            started: false,
        }
    }
}

/// Serialises a payload as a plain JS object (not `Map`s).
pub fn to_js<T: Serialize>(v: &T) -> JsValue {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(JsValue::NULL)
}

impl Checkout {
    /// Builds the checkout in `container` and starts loading the provider. `opts` is validated.
    pub fn start(
        opts: CheckoutOptions,
        container: Element,
        emit: js_sys::Function,
    ) -> Result<Checkout, PasarelaError> {
        let opts = Rc::new(opts);
        let host = web::document()
            .create_element("div")
            .map_err(|_| PasarelaError::new(ErrorCode::Internal, opts.locale))?;
        host.set_class_name("pasarela");
        let _ = host.set_attribute(
            "data-provider",
            &format!("{:?}", opts.provider).to_lowercase(),
        );
        let _ = host.set_attribute("lang", opts.locale.tag());
        let _ = container.append_child(&host);
        let provider = providers::for_options(opts.clone());
        let this = Checkout(Rc::new(RefCell::new(Inner {
            opts,
            state: PaymentState::Loading,
            provider,
            host,
            emit,
            attempt: None,
            succeeded: None,
            verify_waiter: None,
            view: None,
        })));
        let me = this.clone();
        spawn_local(async move { me.setup().await });
        Ok(this)
    }

    fn opts(&self) -> Rc<CheckoutOptions> {
        self.0.borrow().opts.clone()
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
                let _ = inner
                    .host
                    .set_attribute("data-state", &format!("{s:?}").to_lowercase());
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
            let e = self
                .error(ErrorCode::ScriptLoadFailed)
                .with_detail(&format!("{why:?}"));
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
                    self.emit(
                        "ready",
                        to_js(&serde_json::json!({ "provider": self.opts().provider })),
                    );
                }
            }
            ProviderEvent::Token {
                source,
                kind,
                brand,
                last4,
            } => self.on_token(source, kind, brand, last4),
            ProviderEvent::TokenError(e) => {
                self.emit_error(&e);
                // A `pay()` waiting for this form's token ends here; the shopper can fix the card
                // and pay again.
                let waiting = self.0.borrow().attempt.as_ref().is_some_and(|a| !a.started);
                if waiting {
                    self.finish(PaymentResult::from_error(&e, None), Some(e), None);
                }
            }
            ProviderEvent::Notification(status) => {
                self.emit(
                    "notification",
                    to_js(&serde_json::json!({ "status": status })),
                );
                self.wake_verifier(&format!("{status:?}").to_lowercase());
            }
            ProviderEvent::ActionClosed => self.wake_verifier("closed"),
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
    fn on_token(
        &self,
        source: Source,
        kind: TokenKind,
        brand: Option<String>,
        last4: Option<String>,
    ) {
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
        self.emit(
            "token",
            to_js(&TokenEvent {
                provider,
                kind,
                brand,
                last4,
            }),
        );
        let me = self.clone();
        spawn_local(async move { me.run(source, installments).await });
    }

    /// `checkout.pay(opts)`.
    pub fn pay(&self, profile_id: Option<String>, installments: Option<u32>) -> js_sys::Promise {
        let reject = |e: PasarelaError| js_sys::Promise::reject(&to_js(&e));
        let (state, joined, succeeded) = {
            let inner = self.0.borrow();
            (
                inner.state,
                inner.attempt.as_ref().map(|a| a.promise.clone()),
                inner.succeeded.clone(),
            )
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
                let Some(profile) = opts.profiles.iter().find(|p| p.id == id) else {
                    return reject(
                        self.error(ErrorCode::UnknownProfile)
                            .with_field("profileId"),
                    );
                };
                if profile.is_expired(time::this_month()) {
                    return reject(
                        self.error(ErrorCode::UnknownProfile)
                            .with_field("profileId")
                            .with_detail("expired"),
                    );
                }
                let n = installments.unwrap_or(1);
                if n == 0
                    || (!profile.installments.is_empty() && !profile.installments.contains(&n))
                {
                    return reject(PasarelaError::invalid(
                        "installments",
                        "is not offered for this card",
                        opts.locale,
                    ));
                }
                let mut a = Attempt::new(n);
                a.started = true;
                let p = a.promise.clone();
                self.0.borrow_mut().attempt = Some(a);
                self.happen(Happening::AttemptStarted);
                if let Some(v) = &self.0.borrow().view {
                    v.select(&id);
                }
                let me = self.clone();
                spawn_local(async move { me.run(Source::Profile { profile_id: id }, n).await });
                p
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
        let who = Caller {
            locale: opts.locale,
            provider: opts.provider,
        };
        // One-time tokens go out once and only while fresh (a token may have waited on a slow
        // page); the value lives only in the request body from here on.
        let source = match source {
            Source::Token { token, kind } => {
                let mut held = HeldToken::new(token, kind, time::now_ms());
                match held.take_for_forward(time::now_ms()) {
                    Ok(token) => Source::Token { token, kind },
                    Err(TokenRefusal::Expired | TokenRefusal::AlreadyForwarded) => {
                        let e = self.error(ErrorCode::TokenExpired);
                        return self.finish(PaymentResult::from_error(&e, None), Some(e), None);
                    }
                }
            }
            other => other,
        };
        let body = merchant::payment_body(&opts, &source, installments);
        drop(source);
        let key = web::uuid_v4();
        let answer = merchant_client::post_payment(&opts.merchant, &body, &key, who).await;
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
                return self.finish(
                    PaymentResult::from_answer(&answer),
                    None,
                    Some(Outcome::StillPending),
                );
            }
            self.emit("action", to_js(&payload));
            let waiter =
                js_sys::Promise::new(&mut |res, _| self.0.borrow_mut().verify_waiter = Some(res));
            let started = self.0.borrow_mut().provider.verify(&action.url);
            match started {
                Some(Ok(())) => {
                    let _ = time::with_timeout(waiter, VERIFY_TIMEOUT_MS).await;
                }
                Some(Err(e)) => self.emit_error(&e),
                None => self.emit_error(&self.error(ErrorCode::Unsupported)),
            }
            self.0.borrow_mut().verify_waiter = None;
            if !self.happen(Happening::ActionDone) {
                return; // destroyed meanwhile
            }
        }
        self.poll(payment_id, who).await;
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
                Err(e)
                    if e.code == ErrorCode::MerchantBadResponse
                        || e.code == ErrorCode::MerchantRejected =>
                {
                    return self.finish(
                        PaymentResult::from_error(&e, Some(payment_id)),
                        Some(e),
                        None,
                    );
                }
                Err(e) => last_error = Some(e),
            }
        }
        let pending = PaymentResult {
            status: ResultStatus::Pending,
            payment_id: Some(payment_id),
            message: None,
        };
        self.finish(pending, last_error, Some(Outcome::StillPending));
    }

    /// Ends the attempt: at most once, whatever calls it.
    fn finish(
        &self,
        result: PaymentResult,
        error: Option<PasarelaError>,
        outcome: Option<Outcome>,
    ) {
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

    /// `checkout.destroy()`: idempotent. An attempt in flight ends with one `result` (status
    /// `error`) and its promise rejects with `destroyed`.
    pub fn destroy(&self) {
        if !self.happen(Happening::Destroy) {
            return;
        }
        let (attempt, waiter) = {
            let mut inner = self.0.borrow_mut();
            inner.provider.unmount();
            inner.view.take();
            inner.host.remove();
            (inner.attempt.take(), inner.verify_waiter.take())
        };
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
