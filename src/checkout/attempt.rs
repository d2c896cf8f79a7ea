//! One payment attempt: started by `pay()` or by a token from the provider form, forwarded to
//! the merchant, driven through any shopper action, ended by exactly one `result`.

use super::{to_js, Checkout, Form, Handle, TokenEvent, Verification, VERIFY_TIMEOUT_MS};
use crate::cell::Borrows;
use crate::domain::error::{ErrorCode, PasarelaError};
use crate::domain::merchant::{self, ActionType, MerchantAnswer, Method, PaymentResult, Reads, ResultStatus, Source};
use crate::domain::payment_state::{Attempt, Outcome, PaymentState, Phase};
use crate::domain::token::{self, TokenKind};
use crate::domain::voucher;
use crate::domain::wire::ActionEvent;
use crate::merchant_client::{self, Caller};
use crate::views::profiles::Selection;
use crate::web::{self, time};
use std::rc::Rc;
use wasm_bindgen::prelude::*;

impl Checkout {
    /// A token (or KR answer) arrived from the provider form: start (or continue) an attempt.
    pub(super) fn on_token(&self, source: Source, kind: TokenKind, brand: Option<String>, last4: Option<String>) {
        // A Commerce token from the enrollment form saves a card; it pays nothing by itself, and
        // its value stays here (Bamboo already stored it with the customer).
        let enrolling = self.0.write().enroll_waiter.take();
        if let Some((resolve, _)) = enrolling {
            drop(source);
            let payload = to_js(&TokenEvent { provider: super::provider_of(&self.opts()), kind, brand, last4 });
            self.emit("token", payload.clone());
            let _ = resolve.call1(&JsValue::NULL, &payload);
            return;
        }
        // A token while another attempt is in flight, or after success, is dropped unused:
        // forwarding it could charge twice (the state machine decides). Without `pay()` (Bamboo's
        // own button), the shopper's choice of installments counts.
        let chosen = self.chosen_installments(None);
        let Some(installments) = self.change(|p| p.token_arrived(|| Attempt::sent(Handle::new(), chosen))) else {
            return;
        };
        let provider = super::provider_of(&self.opts());
        self.emit("token", to_js(&TokenEvent { provider, kind, brand, last4 }));
        let me = self.clone();
        crate::web::spawn(async move { me.run(source, installments).await });
    }

    /// `checkout.pay(opts)`: `method` and `paymentMediaId` as `pay()` named them (a saved card's
    /// `profileId` names the card; a word that is no method, `Some(None)`, is none offered), and
    /// `resume`, the JS entry's own (`createCheckout({ resume })`).
    pub fn pay(
        &self,
        profile_id: Option<String>,
        installments: Option<u32>,
        method: Option<Option<Method>>,
        payment_media_id: Option<u32>,
        resume: Option<String>,
    ) -> js_sys::Promise {
        let reject = |e: PasarelaError| js_sys::Promise::reject(&to_js(&e));
        let (idle, joined) = {
            let mut inner = self.0.write();
            let joined = match &mut inner.phase {
                Phase::Destroyed => return reject(self.error(ErrorCode::Destroyed)),
                // One attempt at a time, and one payment: the page waits on the same promise.
                Phase::Paying(a) => {
                    a.from_page = true;
                    Some(a.handle.promise.clone())
                }
                Phase::Succeeded(h) => Some(h.promise.clone()),
                _ => None,
            };
            (matches!(inner.phase, Phase::Idle(_)), joined)
        };
        if let Some(p) = joined {
            return p;
        }
        // `createCheckout({ resume })` (the JS entry's `pay({ resume })` once the checkout is
        // ready): the payment a redirect left is taken up as an unfinished one, read as any
        // pending payment is, and reported by its `result`.
        if let Some(id) = resume {
            let pending = MerchantAnswer { status: ResultStatus::Pending, payment_id: Some(id), message: None, action: None };
            self.change(|p| p.resume(pending));
        }
        // A verification the shopper left unfinished is opened again for the same payment:
        // trying again must never become a second charge.
        let reopened = self.change(|p| p.reopen(|| Attempt::sent(Handle::new(), 1)));
        if let Some(answer) = reopened {
            let p = self.0.write().phase.attempt().map(|a| a.handle.promise.clone());
            let opts = self.opts();
            let who = Caller { locale: opts.locale, provider: super::provider_of(&opts) };
            let me = self.clone();
            crate::web::spawn(async move { me.drive(answer, who).await });
            return p.unwrap_or_else(|| reject(self.error(ErrorCode::Destroyed)));
        }
        if !idle {
            return reject(self.error(ErrorCode::NotReady));
        }
        let opts = self.opts();
        // A word that is no method names none the checkout offers.
        let asked = match method {
            Some(None) => return reject(self.error(ErrorCode::Unsupported).with_field("method")),
            Some(m) => m,
            None => profile_id.as_ref().map(|_| Method::Card),
        };
        // Without `method`, the checkout's first (the card, when offered): the JS entry names the
        // shopper's choice of method (the host's `data-method`) in every `pay()` it forwards.
        let method = match merchant::method_for(opts.methods, asked, opts.methods.first(), payment_media_id) {
            Ok(m) => m,
            Err("method") => return reject(self.error(ErrorCode::Unsupported).with_field("method")),
            Err(field) => return reject(PasarelaError::invalid(field, "is only for 'cash' or 'bank_transfer'", opts.locale)),
        };
        // What is sent at once: cash or a transfer (no tokenizer), or a saved card.
        let (source, n) = match (merchant::method_source(method, payment_media_id), profile_id) {
            (Some(source), _) => (source, 1),
            (None, Some(id)) => {
                let profiles = Rc::clone(&self.0.read().profiles);
                let Some(profile) = profiles.iter().find(|p| p.id == id) else {
                    return reject(self.error(ErrorCode::UnknownProfile).with_field("profileId"));
                };
                if profile.is_expired(time::this_month()) {
                    return reject(
                        self.error(ErrorCode::UnknownProfile).with_field("profileId").with_detail("expired"),
                    );
                }
                let n = installments.unwrap_or_else(|| self.chosen_installments(Some(profile)));
                if !crate::domain::installments::allows(&opts.installments, n, Some(profile)) {
                    return reject(PasarelaError::invalid("installments", "is not offered for this card", opts.locale));
                }
                if let Some(v) = &self.0.read().view {
                    // With offers, the list's own count stays 1: the choice of installments is theirs.
                    v.select(&id, if opts.installments.is_empty() { n } else { 1 });
                }
                self.show_offers();
                (Source::Profile { profile_id: id }, n)
            }
            // The shopper's choice in the list counts: a storefront's own "Pay" button calling
            // `pay()` pays the saved card the shopper has selected.
            (None, None) if self.selected_profile().is_some() => {
                let (id, n) = self.selected_profile().unwrap_or_default();
                return self.pay(Some(id), installments.or(Some(n).filter(|&n| n > 1)), None, None, None);
            }
            (None, None) => {
                let form = self.0.read().form;
                match form {
                    // No form to submit (its script failed): waiting for a token would wait forever.
                    Form::Failed => return reject(self.error(ErrorCode::NotReady)),
                    // KR's alone (`ProviderEvent::FormLocked`).
                    Form::Locked if cfg!(feature = "kr") => {
                        return reject(self.error(ErrorCode::AttemptsExceeded).with_field("kr.formToken"))
                    }
                    _ => {}
                }
                let n = installments.unwrap_or_else(|| self.chosen_installments(None));
                if !crate::domain::installments::allows(&opts.installments, n, None) {
                    return reject(PasarelaError::invalid("installments", "is not offered", opts.locale));
                }
                let a = Attempt::awaiting_token(Handle::new(), n, form != Form::Usable);
                let p = a.handle.promise.clone();
                if self.change(|phase| phase.start(a)).is_err() {
                    return reject(self.error(ErrorCode::NotReady));
                }
                self.bound_provider_wait(p.clone().into(), p.clone());
                if form == Form::Usable {
                    self.submit_form();
                } else {
                    // "Use another card" was never picked: the form is made now and submitted once
                    // the provider says it is usable.
                    self.mount_form();
                }
                return p;
            }
        };
        let a = Attempt::sent(Handle::new(), n);
        let p = a.handle.promise.clone();
        if self.change(|phase| phase.start(a)).is_err() {
            return reject(self.error(ErrorCode::NotReady));
        }
        let me = self.clone();
        crate::web::spawn(async move { me.run(source, n).await });
        p
    }


    /// Asks the provider's form for a token; a form that refuses ends the waiting attempt.
    pub(super) fn submit_form(&self) {
        if let Some(Err(e)) = self.with_provider(|p| p.submit()) {
            self.end_waiting_attempt(e);
        }
    }

    /// Every wait for a provider callback is bounded: if what `waited` stands for (an attempt's
    /// promise, or an enrollment's settle function) is still waiting after the provider's bound,
    /// it ends as `timeout`, and a token that still comes from that submission is not charged.
    /// The bound ends when `settled` (the promise the page holds) does, its timer cleared then:
    /// a checkout destroyed meanwhile is not kept alive by it. (One timer for both waits: each
    /// its own `async` block weighed on the package.)
    pub(super) fn bound_provider_wait(&self, waited: JsValue, settled: js_sys::Promise) {
        let Some(ms) = self.0.read().provider.as_ref().map(|p| p.token_timeout_ms()) else { return };
        let me = self.clone();
        crate::web::spawn(async move {
            if time::with_timeout(settled, ms).await.is_some() {
                return;
            }
            let is = |v: &JsValue| *v == waited;
            let (attempt, enrolling) = {
                let mut inner = me.0.write();
                let attempt =
                    inner.phase.awaits_token() && inner.phase.attempt().is_some_and(|a| is(a.handle.promise.as_ref()));
                let enrolling = inner.enroll_waiter.as_ref().is_some_and(|(s, _)| is(s.as_ref()));
                (attempt, if enrolling { inner.enroll_waiter.take() } else { None })
            };
            let e = me.error(ErrorCode::Timeout);
            if attempt {
                me.with_provider(|p| p.abandon_submit());
                me.end_waiting_attempt(e);
            } else if let Some((_, reject)) = enrolling {
                let _ = reject.call1(&JsValue::NULL, &to_js(&e));
            }
        });
    }

    /// Whether the checkout still lives: asked by the transport before each retry. (One closure
    /// type for both requests.)
    fn alive(&self) -> impl Fn() -> bool + '_ {
        move || self.state() != PaymentState::Destroyed
    }

    /// Forwards `source` to the merchant and drives the answer to one result.
    pub(super) async fn run(&self, source: Source, installments: u32) {
        let opts = self.opts();
        let who = Caller { locale: opts.locale, provider: super::provider_of(&opts) };
        // One-time tokens go out once and only while fresh (a token may have waited on a slow
        // page); the value lives only in the request body from here on.
        // A one-time token is sent (and re-sent by retries) only while the provider would still
        // take it; after that the shopper is asked for the card again (`token_expired`).
        let fresh_until = match &source {
            Source::Token { kind: Some(kind), .. } => token::fresh_until(*kind, time::now_ms()),
            _ => None,
        };
        if self.state() == PaymentState::Destroyed {
            return;
        }
        // The "save this card" box, drawn by the on-demand part (`data-save` on the host).
        let host = self.host();
        let ticked = host.query_selector(".pasarela-save input").ok().flatten().is_some_and(|b| web::js::get(&b, "checked").is_truthy());
        let body = merchant::payment_body(&opts, &source, installments, merchant::saves_card(&opts, &source, ticked));
        drop(source);
        // The order's unfinished attempt (a reload cut it short, the network failed, it is still
        // pending) left its key in `sessionStorage`: this attempt reuses it, so that the service
        // replays that attempt's answer instead of charging again. Only the UUID is stored.
        let slot = merchant::attempt_key_slot(super::provider_of(&opts), &opts.order.id);
        let stored = web::session::get(&slot).filter(|k| crate::domain::uuid::is_uuid_v4(k));
        let mut reused = stored.is_some();
        // Without a trustworthy Idempotency-Key the attempt must not start: a guessable or
        // repeated key could replay another payment's answer, or charge twice on a retry.
        let Some(mut key) = stored.or_else(web::uuid_v4) else {
            let e = self.error(ErrorCode::Unsupported).with_detail("crypto.getRandomValues");
            return self.finish(PaymentResult::from_error(&e, None), Some(e), None);
        };
        let answer = loop {
            // Written before the request leaves: a reload while it is in flight finds it.
            web::session::set(&slot, Some(&key));
            let answer =
                merchant_client::post_payment(&opts.merchant, &body, &key, who, fresh_until, &self.alive()).await;
            // The reused key was seen with another body: the attempt it belonged to ended with
            // an answer this page never saw, and the order is not paid. Once, at once, with a
            // fresh key.
            let fresh = match &answer {
                Err(f) if f.key_reused && std::mem::take(&mut reused) && self.state() != PaymentState::Destroyed => {
                    web::uuid_v4()
                }
                _ => None,
            };
            match fresh {
                Some(k) => key = k,
                None => break answer,
            }
        };
        drop(body);
        if self.state() == PaymentState::Destroyed {
            return;
        }
        match answer {
            Err(f) => self.finish(PaymentResult::from_error(&f.error, None), Some(f.error), None),
            Ok(a) => self.drive(a, who).await,
        }
    }

    /// Turns a merchant answer into the final result, running the shopper's action if one is asked.
    pub(super) async fn drive(&self, answer: MerchantAnswer, who: Caller) {
        if answer.status != ResultStatus::Pending {
            return self.finish(PaymentResult::from_answer(&answer), None, None);
        }
        let payment_id = answer.payment_id.clone().unwrap_or_default();
        if let Some(a) = self.0.write().phase.attempt() {
            a.payment_id = answer.payment_id.clone();
        }
        if let Some(action) = &answer.action {
            // The shopper is sent (or a form loads) only where the page itself could go.
            if action.kind != ActionType::Voucher && !web::url_allowed(&action.url) {
                let e = self.error(ErrorCode::MerchantBadResponse).with_detail("action.url");
                return self.finish(PaymentResult::from_error(&e, answer.payment_id.clone()), Some(e), None);
            }
            self.change(Phase::action_needed);
            let redirect = action.kind == ActionType::Redirect;
            // The shopper must leave the page for a redirect (extension: `url`).
            let payload = ActionEvent {
                kind: action.kind,
                payment_id: &payment_id,
                url: redirect.then_some(action.url.as_str()),
            };
            self.emit("action", to_js(&payload));
            if action.kind == ActionType::Voucher {
                // Drawn in the container by the on-demand part, which the entry reports as a
                // `pending` result that is not final (`voucher`, `final: false`) and resolves
                // `pay()` with. The attempt goes on: its payment is read until final, for as long
                // as the page stays and the voucher has not lapsed, and its final `result`
                // follows: approved, or expired. `destroy()` ends it as any attempt in flight.
                self.draw("_v", JsValue::from_str(&action.url));
                let expires_ms = action.expires_at.as_deref().map(js_sys::Date::parse).filter(|t| t.is_finite());
                let budget_ms = voucher::budget_ms(expires_ms, time::now_ms());
                return self.poll(payment_id, who, Reads::voucher(budget_ms), None).await;
            }
            if redirect {
                // The entry then takes the shopper there; the provider's return comes back to
                // the storefront, whose `createCheckout({ resume })` reports the payment.
                return self.finish(PaymentResult::from_answer(&answer), None, Some(Outcome::StillPending));
            }
            // Bamboo's verification form (PWCapture), or an in-page authentication in Pasarela's
            // own dialog (loaded on demand).
            let challenge = action.kind == ActionType::Challenge;
            let (waiter, bound) = if challenge {
                let o = crate::web::js::object(&[
                    ("url", JsValue::from_str(&action.url)),
                    ("paymentId", JsValue::from_str(&payment_id)),
                    ("paymentUrl", JsValue::from_str(&self.opts().merchant.payment_url)),
                ]);
                (Some(Ok(self.draw("_c", o.into()).unchecked_into())), voucher::CHALLENGE_TIMEOUT_MS)
            } else {
                let (waiter, resolve, _) = web::deferred();
                self.replace_verifier(Some(resolve));
                (self.with_provider(|p| p.verify(&action.url)).flatten().map(|r| r.map(|()| waiter)), VERIFY_TIMEOUT_MS)
            };
            // How the verification ended: a notification, `COMMERCE_ACTION` or the dialog's
            // `challenge_end` message hand the payment back to the merchant (read its status
            // until final); the shopper closing it, its own `TIMEOUT` or `ERROR`, or no answer
            // within our bound leave it unfinished.
            let ended = match waiter {
                Some(Ok(waiter)) => {
                    let r = time::with_timeout(waiter, bound).await;
                    match r.and_then(|r| r.ok()).as_ref().and_then(Verification::of) {
                        Some(Verification::Answered) => VerificationEnd::Answered,
                        Some(Verification::Closed) => VerificationEnd::Left(None),
                        Some(Verification::Failed) => {
                            VerificationEnd::Left(Some(self.error(ErrorCode::TokenizationFailed).with_detail("ERROR")))
                        }
                        Some(Verification::TimedOut) => {
                            VerificationEnd::Left(Some(self.error(ErrorCode::Timeout).with_detail("TIMEOUT")))
                        }
                        // Our own bound: the dialog goes.
                        _ => {
                            if challenge {
                                self.draw("_c", JsValue::NULL);
                            }
                            VerificationEnd::Left(Some(self.error(ErrorCode::Timeout)))
                        }
                    }
                }
                Some(Err(e)) => VerificationEnd::Left(Some(e)),
                None => VerificationEnd::Left(Some(self.error(ErrorCode::Unsupported))),
            };
            self.replace_verifier(None);
            if !self.change(Phase::action_done) {
                return; // destroyed meanwhile
            }
            if let VerificationEnd::Left(why) = ended {
                if let Some(e) = why {
                    self.emit_error(&e);
                }
                // Nobody will finish it now. Read it once and report; `pay()` opens it again.
                return self.poll(payment_id, who, Reads::Once, Some(answer)).await;
            }
        }
        self.poll(payment_id, who, Reads::Pending, None).await;
    }

    /// Reads `statusUrl/paymentId` until the status is final, as `reads` says
    /// (`domain::merchant::Reads`): with backoff for up to 60 s; once at once when the shopper
    /// left a verification unfinished (`left`, kept so that a later `pay()` opens it again); or,
    /// for a voucher, for as long as the page stays and the voucher has not lapsed (an hour for
    /// one that does not say when it lapses). (One loop for all, one request site: README "Size
    /// and speed".)
    pub(super) async fn poll(&self, payment_id: String, who: Caller, reads: Reads, left: Option<MerchantAnswer>) {
        let opts = self.opts();
        let (mut n, mut elapsed, mut last_error) = (0, 0, None);
        while let Some(delay) = reads.next(n, elapsed) {
            time::sleep(delay).await;
            elapsed = elapsed.saturating_add(delay);
            n += 1;
            if self.state() == PaymentState::Destroyed {
                return;
            }
            match merchant_client::get_status(&opts.merchant, &payment_id, who, &self.alive()).await {
                Ok(a) if a.status != ResultStatus::Pending => {
                    return self.finish(PaymentResult::from_answer(&a), None, None)
                }
                Ok(_) => last_error = None,
                Err(e) => {
                    // A failed read leaves the payment as it was: pending, its key kept (the
                    // money may have moved). A refusal or an answer out of protocol does not
                    // mend by reading again, and a shopper who left is not kept waiting.
                    let again = left.is_none() && e.code != ErrorCode::MerchantBadResponse && e.code != ErrorCode::MerchantRejected;
                    last_error = Some(e);
                    if !again {
                        break;
                    }
                }
            }
        }
        // Still pending, or unread: `pending` (only the merchant says a payment failed or lapsed).
        let result = PaymentResult::new(ResultStatus::Pending, Some(payment_id));
        match left {
            // Kept before the `result` event: a listener calling `pay()` opens it again.
            Some(answer) => {
                if let Some(a) = self.change(|p| p.end_unfinished(answer)) {
                    self.settle(a, result, last_error);
                }
            }
            None => self.finish(result, last_error, None),
        }
    }

    /// Ends the attempt: at most once, whatever calls it.
    pub(super) fn finish(&self, result: PaymentResult, error: Option<PasarelaError>, outcome: Option<Outcome>) {
        let outcome = outcome.unwrap_or(match result.status {
            ResultStatus::Approved => Outcome::Approved,
            ResultStatus::Pending => Outcome::StillPending,
            // Declined, expired, or an error.
            _ => Outcome::NotApproved,
        });
        if let Some(a) = self.change(|p| p.end(outcome)) {
            // A final answer ends the order's attempt: the next one gets a new key.
            if merchant::ends_attempt_key(result.status) {
                let opts = self.opts();
                web::session::set(&merchant::attempt_key_slot(super::provider_of(&opts), &opts.order.id), None);
            }
            self.settle(a, result, error);
        }
    }

    /// Reports an ended attempt: `error` (if any), then its one `result`, which its promise
    /// resolves with.
    #[inline(never)]
    pub(super) fn settle(&self, attempt: Attempt<Handle>, result: PaymentResult, error: Option<PasarelaError>) {
        if let Some(e) = &error {
            self.emit_error(e);
        }
        let payload = super::result_payload(&result, error.as_ref());
        self.emit("result", payload.clone());
        let _ = attempt.handle.resolve.call1(&JsValue::NULL, &payload);
    }

    /// The saved profile selected in the list (and its installments), if one is.
    pub(super) fn selected_profile(&self) -> Option<(String, u32)> {
        let inner = self.0.read();
        match inner.view.as_ref()?.choice() {
            (Selection::SavedCard(id), n) => Some((id, n)),
            (Selection::NewCard, _) => None,
        }
    }
}

/// How the shopper's verification ended, for the payment.
enum VerificationEnd {
    /// The provider answered: the merchant decides; its status is read until final.
    Answered,
    /// The shopper left it (with the error to report, if it was not just closed): the payment is
    /// read once and `pay()` opens the verification again.
    Left(Option<PasarelaError>),
}
