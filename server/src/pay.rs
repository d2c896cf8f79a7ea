//! `POST /pay`: one payment attempt, exactly once per `Idempotency-Key`, with Stripe's semantics:
//! the same key replays the stored answer; the same key with another body is refused (422); a
//! request whose key is in progress waits for it (bounded), then gets 409. Validation failures are
//! not stored (Stripe: a result is saved only once the endpoint started executing).
//!
//! Exactly once across crashes: the attempt row is inserted before the provider is called, with a
//! lease its owner renews while it works. A request that finds a `started` row with an expired
//! lease (its owner died, or gave the lease up after losing the provider's answer) takes the lease
//! over and first asks the provider for a charge carrying the attempt's reference; only when there
//! is none does it charge.
//!
//! An order is held by one attempt at a time (`order_claims`). A request finding its order held
//! by an abandoned attempt (another key, its lease lapsed) takes that attempt's lease, renews it
//! while it asks the provider, and then, still holding it, moves the order to itself and lets the
//! lease go in one transaction fenced on the lease ([`store::hand_over_order`]). When the
//! abandoned attempt's own retry took its lease back meanwhile, that retry may be charging: the
//! request answers `409 attempt_in_progress` and charges nothing. Every lease is renewed while
//! its holder waits (on the provider, or on another attempt's reconciliation), often enough that
//! a provider call made just before its holder died ends before the lease lapses
//! ([`renewal_interval`]); hence `PASARELA_ATTEMPT_LEASE_MS` must be at least a second longer
//! than `PASARELA_PROVIDER_TIMEOUT_MS` (crate::config refuses to start otherwise).
//!
//! Renewals can fail (the database slow or cut off for this process) while the work goes on. So
//! right before each provider call that spends (a Conekta token made a card, a charge) the owner
//! confirms its lease ([`Lease::fence`]): still its own and running longer than that call may
//! take, renewed first when it is not (a fresh lease costs no write). A lease found taken over
//! answers `409 attempt_in_progress` (the request that took it reconciles and charges); one that
//! cannot be renewed, `503` with `Retry-After`. Nothing is spent either way.
//!
//! A KR session or form token ([`free_order`]) meets an abandoned holder the same way, without
//! an attempt of its own: reconciled, its charge then decides the order (`409` naming the
//! payment), or else the order is let go (its claim deleted, fenced on the holder's lease) and
//! Lyra's form opens.

use crate::app::{random_text, sha256_hex, ApiError, App};
use crate::metrics::{self, Idempotency, Retry};
use crate::config::Secret;
use crate::installments::InstallmentOffer;
use crate::protocol::{Answer, PayRequest, SaveMode, Source};
use crate::providers::{conekta::Conekta, kr::HashKey, kr::payment_outcome, Charge, KeptSource, NewCard, Outcome, PayWith, ProviderApi, ProviderError};
use crate::sessions;
use crate::store::{self, now_ms, Claim, Payment, Session};
use axum::http::StatusCode;
use pasarela_protocol::{is_installment_count, is_uuid_v4, ActionType, Method, ProviderId, ResultStatus, MAX_INSTALLMENTS};
use serde_json::Value;
use std::time::Duration;

/// A stored answer: HTTP status and JSON text, replayed byte for byte.
#[derive(Clone, Debug, PartialEq)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// JSON text.
    pub body: String,
}

/// What the checks before any charge resolved.
struct Checked {
    session: Session,
    pay_with: Option<PayWith>,
    /// A KR answer already processed by Lyra (nothing left to charge).
    kr_outcome: Option<Outcome>,
    /// The session's offer of the request's `installments` (paying in full when 1).
    offer: InstallmentOffer,
}

impl Checked {
    /// What the provider is asked to charge: the session's amount, or the offer's total when the
    /// shopper pays interest (docs/api.md §4, "Installments").
    fn amount(&self) -> i64 {
        if self.offer.free {
            self.session.amount_due
        } else {
            self.offer.total
        }
    }
}

/// Runs one request of an attempt.
pub async fn pay(app: &App, key: Option<&str>, body: &[u8]) -> Result<Reply, ApiError> {
    let key = key.filter(|k| is_uuid_v4(k)).ok_or_else(|| {
        ApiError::new(StatusCode::BAD_REQUEST, "Idempotency-Key (UUID v4) required").field("Idempotency-Key")
    })?;
    let req: PayRequest = crate::extract::read(body)?;
    let hash = sha256_hex(body);
    // A finished attempt keeps its answer beyond its session's life: looked up before the
    // session is.
    if let Some(done) = store::attempt(&app.db, key).await?.filter(|a| a.state == "done") {
        // Another body with a spent key is Stripe's 422: the page (which keeps the key of an
        // attempt it never heard the end of across a reload) then tries with a new key, and the
        // order's own guard answers that one.
        return if done.request_hash == hash { Ok(replay(done)) } else { Err(key_reused()) };
    }
    let checked = check(app, &req).await?;
    let lease = app.config.attempt_lease.as_millis() as i64;
    let attempt_ref = format!("att_{}", random_text(20));
    // The payment's id is chosen now: a provider's return URL (3-D Secure, a bank's site) names
    // it before the payment is recorded.
    let payment_id = new_payment_id();
    let deadline = tokio::time::Instant::now() + app.config.in_progress_wait;
    let (attempt_ref, taken_over, until) = loop {
        let until = now_ms() + lease;
        match store::claim(&app.db, key, &hash, &checked.session.id, &attempt_ref, &payment_id, until).await? {
            Claim::Owner => break (attempt_ref, None, until),
            Claim::Vanished => continue,
            Claim::Existing(a) if a.request_hash != hash => return Err(key_reused()),
            Claim::Existing(a) if a.state == "done" => return Ok(replay(a)),
            Claim::Existing(a) if a.locked_until <= now_ms() => {
                if store::take_over(&app.db, key, a.locked_until, until).await? {
                    metrics::retry(Retry::Takeover);
                    tracing::warn!(attempt = %a.attempt_ref, order = %checked.session.order_id, "taking over an unfinished attempt: reconciling with the provider");
                    break (a.attempt_ref.clone(), Some(a), until);
                }
            }
            Claim::Existing(_) => {
                if tokio::time::Instant::now() >= deadline {
                    metrics::idempotency(Idempotency::Conflict);
                    return Err(ApiError::new(StatusCode::CONFLICT, "a request with this Idempotency-Key is in progress").retry_after(1));
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    };
    // A KR answer is a payment Lyra already made: it is recorded whatever else happened to the
    // order. Every other source charges only while this attempt holds the order.
    let lease = Lease::new(key, until);
    if checked.kr_outcome.is_none() {
        // Holding the order may mean reconciling another attempt with the provider: this
        // attempt's own lease is renewed meanwhile, or its own retry could take it over and charge.
        let held = holding_lease(app, &lease, hold_order(app, Some(key), &checked.session.order_id)).await;
        if let Err(e) = held {
            // A lease lost meanwhile is another request's attempt now: neither forgotten nor
            // let go by this one (both are fenced on the lease besides).
            let Held { until, lost } = lease.held().await;
            match &taken_over {
                _ if lost => {}
                None => store::forget_attempt(&app.db, key, &attempt_ref, until).await?,
                Some(_) => {
                    store::release(&app.db, key, until, 0).await?;
                }
            }
            return Err(e);
        }
        // Another request took this attempt over while the order was being held (the lease
        // lapsed: this process stalled, or lost the database): it owns the attempt and may be
        // charging, so this request must not.
        if lease.confirm(app, renewal_interval(app)).await?.is_none() {
            return Err(attempt_in_flight());
        }
    }
    // An attempt begins once it holds its key and the order; a take-over continues one.
    if taken_over.is_none() {
        metrics::attempt(checked.session.provider);
    }
    let payment_id = taken_over.as_ref().and_then(|a| a.payment_id.clone()).unwrap_or(payment_id);
    let out = holding_lease(app, &lease, run(app, &checked, &req, &attempt_ref, &payment_id, taken_over.as_ref(), &lease)).await;
    let until = lease.held().await.until;
    match out {
        Ok(payment) => {
            let reply = Reply { status: 200, body: serde_json::to_string(&payment.answer()).expect("answers serialize") };
            store::finish(&app.db, key, Some(&payment.id), reply.status, &reply.body).await?;
            Ok(reply)
        }
        Err(e) => {
            // No answer from the provider (or from storage): the charge may have happened. The
            // lease goes, so the retry with this key reconciles at once — unless the provider
            // timed out: it may still be charging, and a look now would find nothing and charge
            // again. Then the attempt is held as long again, and the caller told to wait so.
            if e.body.code == Some("provider_timeout") {
                let hold = app.config.provider_timeout.as_millis() as i64 + 1000;
                if !store::release(&app.db, key, until, now_ms() + hold).await? {
                    tracing::warn!("attempt lease lost before its provider timed out: the request that took it over reconciles");
                }
                return Err(e.retry_after(((hold + 999) / 1000) as u32));
            }
            if !store::release(&app.db, key, until, 0).await? {
                tracing::warn!("attempt lease lost before its provider answered: the request that took it over reconciles");
            }
            Err(e)
        }
    }
}

/// The stored answer of a finished attempt (counted as a replay).
fn replay(a: store::Attempt) -> Reply {
    metrics::idempotency(Idempotency::Replay);
    Reply { status: a.http_status.unwrap_or(200) as u16, body: a.response_json.unwrap_or_default() }
}

/// The 422 of a key sent again with another body (counted).
fn key_reused() -> ApiError {
    metrics::idempotency(Idempotency::KeyReused);
    ApiError::invalid("Idempotency-Key", "this Idempotency-Key was used with a different request").code("idempotency_key_reused")
}

/// The 409 of an order a payment decides: paid, or pending and so possibly taking money (counted).
fn order_taken(p: &Payment) -> ApiError {
    metrics::order_conflict(if p.status == ResultStatus::Approved { "order_already_paid" } else { "attempt_in_progress" });
    if p.status == ResultStatus::Approved {
        ApiError::new(StatusCode::CONFLICT, "this order is already paid").code("order_already_paid").payment(&p.id)
    } else {
        ApiError::new(StatusCode::CONFLICT, "a payment of this order is in progress").code("attempt_in_progress").payment(&p.id)
    }
}

/// The 409 of an order another live attempt holds (counted).
fn attempt_in_flight() -> ApiError {
    metrics::order_conflict("attempt_in_progress");
    ApiError::new(StatusCode::CONFLICT, "another attempt on this order is in progress").code("attempt_in_progress").retry_after(1)
}

/// One order is paid once, across keys, tabs and processes: the attempt with `key` holds the
/// order (`order_claims`'s primary key) unless a payment of it took or may take money, or
/// another attempt holds it and is alive. A holder whose owner died is reconciled with the
/// provider first; a holder that ended without money taken (declined) lets the order go. With no
/// `key` ([`free_order`]), nothing is held: the order is only made sure free, an abandoned
/// holder found without a charge letting it go.
async fn hold_order(app: &App, key: Option<&str>, order_id: &str) -> Result<(), ApiError> {
    for _ in 0..4 {
        if let Some(p) = store::deciding_payment(&app.db, order_id).await? {
            return Err(order_taken(&p));
        }
        let holder = match key {
            Some(key) => store::claim_order(&app.db, order_id, key).await?,
            None => store::order_holder(&app.db, order_id).await?,
        };
        let Some(holder) = holder else { return Ok(()) };
        if let Some(a) = store::attempt(&app.db, &holder).await?.filter(|a| a.state == "started") {
            if a.locked_until > now_ms() {
                return Err(attempt_in_flight());
            }
            match reconcile_abandoned(app, order_id, &holder, &a, key).await? {
                // Its payment decides the order (or, declined, lets it go): looked at again.
                Reconciled::Charged => continue,
                // No charge: the order is this attempt's now, or free (unless it was not the
                // holder's any more): looked at again.
                Reconciled::HandedOver => continue,
                Reconciled::Busy => return Err(attempt_in_flight()),
            }
        }
        // The holder ended (declined, answered without a payment): the order goes to this
        // attempt unless another one took it meanwhile (then look again). Without one, it is free.
        let Some(key) = key else { return Ok(()) };
        store::move_order_claim(&app.db, order_id, &holder, key).await?;
    }
    Err(attempt_in_flight())
}

/// Makes sure that nothing may take money for `order_id` now: no payment of it approved
/// (`409 order_already_paid`) or pending, and no live attempt holding it (`409
/// attempt_in_progress`, with the payment or `Retry-After`), the answers `POST /pay` gives. An
/// attempt that died holding the order (its lease lapsed: its provider call failed or timed out,
/// its process crashed) is reconciled as `POST /pay` reconciles it: asked at its provider, its
/// charge recorded (then deciding the order), or else the order let go. For a KR form, which
/// charges at Lyra without holding the order (crate::sessions).
pub async fn free_order(app: &App, order_id: &str) -> Result<(), ApiError> {
    hold_order(app, None, order_id).await
}

/// What reconciling an abandoned order holder found.
enum Reconciled {
    /// It had charged: its payment is recorded and its attempt finished.
    Charged,
    /// It had not charged: the order was handed to the reconciling attempt (or, with none, let
    /// go), its lease let go.
    HandedOver,
    /// Another request is reconciling it or took it back, or the provider did not answer: the
    /// order stays the holder's.
    Busy,
}

/// Asks the provider what became of the attempt `holder` (`a`), whose owner died or gave its
/// lease up holding `order_id`, while holding (and renewing) its lease; records and finishes it
/// when it charged, hands the order to the attempt `key` when it did not (with no `key`, lets the
/// order go).
async fn reconcile_abandoned(app: &App, order_id: &str, holder: &str, a: &store::Attempt, key: Option<&str>) -> Result<Reconciled, ApiError> {
    let until = now_ms() + app.config.attempt_lease.as_millis() as i64;
    if !store::take_over(&app.db, holder, a.locked_until, until).await? {
        return Ok(Reconciled::Busy);
    }
    metrics::retry(Retry::Reconciliation);
    tracing::warn!(attempt = %a.attempt_ref, order = %order_id, "an abandoned attempt holds the order: reconciling with the provider");
    let lookup = async {
        let session = store::session(&app.db, &a.session_id).await?;
        let found = match session.as_ref().map(|s| app.providers.get(s.provider).map_err(|_| s.provider)) {
            Some(Ok(api)) => api.find(order_id, &a.attempt_ref).await,
            // Its provider's keys went since the attempt began: nothing can be asked, as when the
            // provider does not answer.
            Some(Err(p)) => Err(ProviderError::Unavailable(format!("provider {} is not configured", p.as_str()))),
            // Sessions are never deleted: an attempt without one never reached a provider.
            None => Ok(None),
        };
        Ok::<_, sqlx::Error>((session, found))
    };
    // Renewed as the owner renews it: a lookup slower than the lease would otherwise let the
    // holder's own retry take its attempt back and charge while this request waits.
    let theirs = Lease::new(holder, until);
    let looked = holding_lease(app, &theirs, lookup).await;
    let lease = theirs.held().await;
    let (session, found) = looked?;
    match (found, session) {
        (Ok(Some(outcome)), Some(session)) => {
            let id = a.payment_id.clone().unwrap_or_else(new_payment_id);
            // What the lost attempt charged is not known here: the session's amount is recorded
            // (*inferred* the same unless it was an installment offer with interest). A retry
            // that took the attempt back meanwhile finds the same charge: one payment.
            let payment = record(app, &session, &a.attempt_ref, &id, outcome, false, session.amount_due).await?;
            let body = serde_json::to_string(&payment.answer()).expect("answers serialize");
            store::finish(&app.db, holder, Some(&payment.id), 200, &body).await?;
            Ok(Reconciled::Charged)
        }
        (Ok(_), _) => {
            if store::hand_over_order(&app.db, order_id, holder, lease.until, key).await? {
                Ok(Reconciled::HandedOver)
            } else {
                tracing::warn!(attempt = %a.attempt_ref, order = %order_id, "the abandoned attempt was taken back while it was reconciled: not charging beside it");
                Ok(Reconciled::Busy)
            }
        }
        (Err(e), _) => {
            tracing::warn!(error = %e, "reconciling an abandoned attempt failed");
            store::release(&app.db, holder, lease.until, 0).await?;
            Ok(Reconciled::Busy)
        }
    }
}

/// An attempt's lease as this request holds it, shared by [`holding_lease`]'s renewals and the
/// work they keep alive, which confirms it before each provider call that spends money
/// ([`Lease::fence`]). Its renewals and confirmations write the lease fenced on its last value
/// (`store::take_over`), so one at a time: the lock is held across that write.
struct Lease<'k> {
    key: &'k str,
    held: tokio::sync::Mutex<Held>,
}

/// A lease's end as last set, and whether a renewal found it taken over by another request.
#[derive(Clone, Copy)]
struct Held {
    until: i64,
    lost: bool,
}

impl<'k> Lease<'k> {
    fn new(key: &'k str, until: i64) -> Self {
        Self { key, held: tokio::sync::Mutex::new(Held { until, lost: false }) }
    }

    /// The lease as last set.
    async fn held(&self) -> Held {
        *self.held.lock().await
    }

    /// The lease's end when it is surely still this request's, with more than `left` to run:
    /// renewed first when it has less (a renewal failed or came late: it may even have lapsed,
    /// and been taken over). `None` when another request took it over. A lease with time left
    /// cannot have been taken over (a take-over waits for it to lapse), so a fresh one costs no
    /// database write.
    async fn confirm(&self, app: &App, left: Duration) -> Result<Option<i64>, ApiError> {
        let mut held = self.held.lock().await;
        if held.lost {
            return Ok(None);
        }
        if held.until - now_ms() > left.as_millis() as i64 {
            return Ok(Some(held.until));
        }
        let next = now_ms() + app.config.attempt_lease.as_millis() as i64;
        if store::take_over(&app.db, self.key, held.until, next).await? {
            held.until = next;
            Ok(Some(next))
        } else {
            tracing::warn!("attempt lease lost to another request");
            held.lost = true;
            Ok(None)
        }
    }

    /// Right before a provider call that spends money (a one-use token made a card, a charge):
    /// the lease is this request's and runs longer than that call may take. A lease that
    /// renewals could not keep (the database slow or cut off) may lapse during the call, and a
    /// request taking it over find nothing yet and charge again; one taken over already is that
    /// request's, which may be charging. Then nothing is spent: `409 attempt_in_progress`, as
    /// when the lease was lost while the order was being held.
    async fn fence(&self, app: &App) -> Result<(), ApiError> {
        match self.confirm(app, app.config.provider_timeout).await? {
            Some(_) => Ok(()),
            None => Err(attempt_in_flight()),
        }
    }
}

/// How often a held lease is renewed: every third of it, and at most half of what it outlasts a
/// provider call by. A holder that dies just before a renewal, a provider call just sent, leaves
/// a lease that still runs when that call times out: nobody asks the provider about the attempt
/// while its own call may still be charging (config: the lease is longer than the timeout).
fn renewal_interval(app: &App) -> Duration {
    let lease = app.config.attempt_lease;
    let spare = lease.saturating_sub(app.config.provider_timeout) / 2;
    (lease / 3).min(spare.max(Duration::from_millis(50))).max(Duration::from_millis(1))
}

/// Runs `work` while renewing the attempt's lease ([`renewal_interval`]): a live owner waiting
/// on a slow provider keeps its attempt, and only a dead one (crashed, killed, cut off from the
/// database) lets a retry take the attempt over and reconcile. Two owners at once could both
/// spend a one-use token. A renewal that finds the lease taken over marks it lost, which `work`
/// sees at its next [`Lease::fence`]; a tick while `work` is confirming the lease itself (and so
/// renewing it) is skipped.
async fn holding_lease<T>(app: &App, lease: &Lease<'_>, work: impl std::future::Future<Output = T>) -> T {
    let every = renewal_interval(app);
    let mut renew = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    tokio::pin!(work);
    loop {
        tokio::select! {
            out = &mut work => return out,
            _ = renew.tick() => {
                // `work` is not polled while this branch runs: a lock it holds stays held.
                let Ok(mut held) = lease.held.try_lock() else { continue };
                if held.lost {
                    continue;
                }
                let next = now_ms() + app.config.attempt_lease.as_millis() as i64;
                match store::take_over(&app.db, lease.key, held.until, next).await {
                    Ok(true) => held.until = next,
                    Ok(false) => {
                        tracing::warn!("attempt lease lost to another request");
                        held.lost = true;
                    }
                    Err(e) => tracing::warn!(error = %e, "attempt lease not renewed"),
                }
            }
        }
    }
}

/// Session, order and source checks: nothing is stored for a request that fails them.
async fn check(app: &App, req: &PayRequest) -> Result<Checked, ApiError> {
    let session = sessions::open(app, req.client_secret.as_deref()).await?;
    app.providers.get(session.provider)?;
    if req.provider != session.provider {
        return Err(ApiError::invalid("provider", format!("the session is for {}", session.provider.as_str())));
    }
    if req.order.id != session.order_id {
        return Err(ApiError::invalid("order.id", "order.id is not the session's order"));
    }
    if req.order.currency != session.currency {
        return Err(ApiError::invalid("order.currency", format!("the session's currency is {}", session.currency)));
    }
    // The page shows the amount, the session sets it: a page showing another amount is refused.
    if req.order.amount != session.amount && req.order.amount != session.amount_due {
        return Err(ApiError::invalid("order.amount", format!("the session's amount is {}", session.amount_due)));
    }
    if !is_installment_count(req.installments) {
        return Err(ApiError::invalid("installments", format!("installments must be 1 to {MAX_INSTALLMENTS}")));
    }
    // Only a count the session offered is charged, at the offer's price: the page shows the
    // offers, the session set them (a tampered count is refused before any provider call).
    let offer = session.installments.iter().find(|o| o.count == req.installments).cloned();
    let offer = match (offer, req.installments) {
        (Some(o), _) => o,
        // A session stored before its offers were (migrations/0006) pays in full.
        (None, 1) => crate::installments::offers(session.amount_due, &session.currency, &[]).remove(0),
        (None, n) => return Err(ApiError::invalid("installments", format!("this session does not offer {n} installments"))),
    };
    let mut out = Checked { session, pay_with: None, kr_outcome: None, offer };
    let method = req.source.method();
    if !out.session.methods.contains(&method) {
        return Err(ApiError::invalid("source.type", format!("this session does not take {}", method.as_str())));
    }
    if req.installments > 1 && method != Method::Card {
        return Err(ApiError::invalid("installments", "installments are paid by card"));
    }
    match &req.source {
        Source::Token { token, .. } => {
            // A token of another shape never reaches a provider, not even as a body field
            // (docs/providers/*.md, "Ids"): it is refused before any customer or source is made.
            let ok = match req.provider {
                ProviderId::Bamboo => crate::providers::ids::bamboo_token(token),
                ProviderId::Conekta => crate::providers::ids::conekta_token(token),
                ProviderId::Kr => false,
            };
            if !ok {
                return Err(ApiError::invalid("source.token", format!("not a {} token", req.provider.as_str())));
            }
            out.pay_with = Some(PayWith::Token(Secret::new(token.clone())));
        }
        Source::Profile { profile_id } => {
            let card = store::card(&app.db, profile_id).await?;
            // Another customer's card and an unknown id get the same answer: ids reveal nothing.
            let card = card
                .filter(|c| c.provider == req.provider && Some(&c.customer_ref) == out.session.customer_ref.as_ref())
                .ok_or_else(|| {
                    ApiError::new(StatusCode::FORBIDDEN, "this saved card is not the session customer's").field("source.profileId")
                })?;
            check_card_installments(&out.offer, &card)?;
            out.pay_with = Some(PayWith::Saved(Box::new(card)));
        }
        // Only the signed text counts (the unsigned clientAnswer was never read: `Source` skips it).
        Source::KrAnswer { raw_client_answer, hash, hash_algorithm, hash_key, .. } => {
            let kr = app.providers.kr()?;
            let key = match hash_key.as_str() {
                "sha256_hmac" => HashKey::Hmac,
                "password" => HashKey::Password,
                _ => return Err(ApiError::invalid("source.hashKey", "hashKey must be sha256_hmac or password")),
            };
            if hash_algorithm != "sha256_hmac" || !kr.verify(raw_client_answer, hash, key) {
                return Err(ApiError::new(StatusCode::BAD_REQUEST, "kr-hash does not match kr-answer").field("source.hash"));
            }
            // Only the signed text counts, never the unsigned clientAnswer beside it.
            let answer: Value = serde_json::from_str(raw_client_answer)
                .map_err(|_| ApiError::invalid("source.rawClientAnswer", "kr-answer is not JSON"))?;
            if crate::extract::has_nul(&answer) {
                return Err(ApiError::new(StatusCode::BAD_REQUEST, "kr-answer contains a NUL character").field("source.rawClientAnswer"));
            }
            let d = &answer["orderDetails"];
            let s = &out.session;
            // Signed by Lyra for this shop, but maybe for another integration's order: the
            // session's order must be named.
            let same_order = d["orderId"].as_str() == Some(s.order_id.as_str());
            let same_money = d["orderCurrency"].as_str() == Some(s.currency.as_str())
                && d["orderTotalAmount"].as_i64().is_some_and(|a| a == s.amount_due || a == s.amount);
            if !same_order || !same_money {
                return Err(ApiError::new(StatusCode::BAD_REQUEST, "kr-answer is for another order").field("source.rawClientAnswer"));
            }
            out.kr_outcome = Some(payment_outcome(&answer));
        }
        Source::Cash { payment_media_id } | Source::BankTransfer { payment_media_id } => {
            let payment_media_id = match req.provider {
                ProviderId::Bamboo => Some(bamboo_medium(app, &out.session, method, *payment_media_id)?),
                _ if payment_media_id.is_some() => {
                    return Err(ApiError::invalid("source.paymentMediaId", "paymentMediaId is Bamboo's: Conekta picks the network itself"));
                }
                _ => None,
            };
            out.pay_with = Some(PayWith::Offline { method, payment_media_id });
        }
    }
    Ok(out)
}

/// A saved card takes an offer only when the offer names its brand (or no brand), and a Bamboo
/// card only a count its payment profile lists (`PaymentProfiles[].Installments`, "1;2;3…":
/// BambooPaymentDoc `Customer-Types/Registered-users.md`; any other is the purchase's `PR013
/// INVALID_INSTALLMENTS`, "invalid for the card entered", `Getting-Started/Error-Codes.md`).
fn check_card_installments(offer: &InstallmentOffer, card: &store::SavedCard) -> Result<(), ApiError> {
    if offer.count == 1 {
        return Ok(());
    }
    if !offer.allows(&card.brand) {
        return Err(ApiError::invalid("installments", format!("{} installments are not offered for this card's brand", offer.count)));
    }
    let listed = card.profile().installments;
    if card.provider == ProviderId::Bamboo && listed.is_some_and(|counts| !counts.contains(&offer.count)) {
        return Err(ApiError::invalid("installments", format!("this card does not take {} installments", offer.count)));
    }
    Ok(())
}

/// Bamboo's network for a voucher or transfer: the page's `paymentMediaId`, else the session's
/// `bamboo.paymentMediaId` for the method, else the country's default; one of the media this
/// service offers in BAMBOO_COUNTRY, whose mandatory fields the session's customer has.
fn bamboo_medium(app: &App, s: &Session, method: Method, asked: Option<u32>) -> Result<u32, ApiError> {
    let country = &app.providers.bamboo()?.config.country;
    let field = "source.paymentMediaId";
    let session_default = s.extra["bamboo"]["paymentMediaId"][method.as_str()].as_u64().and_then(|id| u32::try_from(id).ok());
    let id = asked
        .or(session_default)
        .or_else(|| crate::providers::bamboo::default_medium(country, method))
        .ok_or_else(|| ApiError::invalid(field, format!("no Bamboo {} medium is known in {country}", method.as_str())))?;
    let m = sessions::medium_for(country, method, id).map_err(|why| ApiError::invalid(field, why))?;
    if let Some(need) = crate::providers::bamboo::missing(m, &s.customer) {
        return Err(ApiError::invalid(field, format!("Bamboo's {} needs the session's {}", m.name, need.field())));
    }
    Ok(id)
}

/// A new payment id: `pay_` and 24 letters or digits ([`is_payment_id`]).
fn new_payment_id() -> String {
    format!("pay_{}", random_text(24))
}

/// The URL a provider sends the shopper back to (`GET /pay/{id}/return`, crate::challenge).
pub fn return_url(app: &App, payment_id: &str) -> String {
    format!("{}/pay/{payment_id}/return", app.public_url())
}

/// When a voucher of `s` issued now lapses (unix seconds): its `voucherExpiresIn`.
fn voucher_expires_at(s: &Session) -> i64 {
    let ttl = s.extra["voucherExpiresIn"].as_u64().unwrap_or(crate::vouchers::DEFAULT_TTL_S);
    now_ms() / 1000 + ttl as i64
}

/// Charges (or, taking over an unfinished attempt, finds its charge first) and records the payment.
async fn run(app: &App, c: &Checked, req: &PayRequest, attempt_ref: &str, payment_id: &str, taken_over: Option<&store::Attempt>, lease: &Lease<'_>) -> Result<Payment, ApiError> {
    let s = &c.session;
    let api = app.providers.get(s.provider)?;
    let outcome = match (&c.kr_outcome, &c.pay_with) {
        (Some(o), _) => o.clone(),
        (None, Some(pay_with)) => {
            let found = if taken_over.is_some() { api.find(&s.order_id, attempt_ref).await? } else { None };
            match found {
                Some(o) => o,
                None => {
                    let kept_source = taken_over.and_then(|a| a.source_json.as_deref()).and_then(KeptSource::from_stored);
                    let keep_card = keeps_card(s, req);
                    let charge = Charge {
                        session: s,
                        attempt_ref,
                        installments: req.installments,
                        amount: c.amount(),
                        pay_with: pay_with.clone(),
                        kept_source,
                        keep_card,
                        return_url: return_url(app, payment_id),
                        voucher_expires_at: voucher_expires_at(s),
                    };
                    let o = charge_once(app, api, charge, lease).await?;
                    // Charging again after an earlier try lost its answer: a refusal that names no
                    // charge (Bamboo's spent one-time token, `Response: null`) says nothing of the
                    // first try, which may yet be approved: never recorded as a decline.
                    if taken_over.is_some() && o.status == ResultStatus::Declined && o.provider_ref.is_none() {
                        return Err(ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "the provider has not settled an earlier try yet").retry_after(2));
                    }
                    o
                }
            }
        }
        (None, None) => unreachable!("check() resolves a source"),
    };
    record(app, s, attempt_ref, payment_id, outcome, keeps_card(s, req), c.amount()).await
}

/// Whether this attempt may keep the shopper's card: the session's `savePaymentMethod`, and
/// with `ask` the shopper's tick. KR asks in its own form (`ASK_REGISTER_PAY`, set from the
/// session), so a token in its answer is the shopper's yes.
fn keeps_card(s: &Session, req: &PayRequest) -> bool {
    match s.provider {
        ProviderId::Kr => s.save_payment_method != SaveMode::Off,
        _ => s.save_payment_method.keeps(req.save_payment_method),
    }
}

/// Charges once by the provider's API. Conekta's page token is first made a payment source
/// (`conekta_source`), and the charge is on that source; a token it refuses is the decline.
/// Each call that spends (the token, the money) waits for the attempt's lease to be confirmed.
async fn charge_once(app: &App, api: &dyn ProviderApi, c: Charge<'_>, lease: &Lease<'_>) -> Result<Outcome, ApiError> {
    let c = match (&c.pay_with, api.id()) {
        (PayWith::Token(token), ProviderId::Conekta) => match conekta_source(app, app.providers.conekta()?, &c, token, lease).await? {
            Ok(card) => Charge { pay_with: PayWith::Source(card), ..c },
            Err(declined) => return Ok(declined),
        },
        _ => c,
    };
    lease.fence(app).await?;
    Ok(api.charge(&c).await?)
}

/// Conekta charges in two steps, the page's one-use token made a payment source of a customer,
/// then an order on the source. Before the token is spent, the attempt keeps the customer and
/// the cards it had; once spent, the card it became. A retry after a lost answer so charges the
/// card the token made (found among the customer's cards if that answer was the one lost),
/// never the spent token again. `Err(outcome)`: Conekta refused the token (a decline).
async fn conekta_source(app: &App, conekta: &Conekta, c: &Charge<'_>, token: &Secret, lease: &Lease<'_>) -> Result<Result<NewCard, Outcome>, ApiError> {
    let s = c.session;
    let db = |e: sqlx::Error| ProviderError::Unavailable(format!("storage: {e}"));
    let save = c.keep_card && s.customer_ref.is_some();
    let keep = |kept: KeptSource| async move { store::set_attempt_source(&app.db, c.attempt_ref, &kept.to_stored()).await.map_err(db) };
    let customer = match &c.kept_source {
        Some(KeptSource::Card(card)) => return Ok(Ok(card.clone())),
        Some(KeptSource::Pending { customer, known }) => {
            let made = conekta.cards(customer).await?.into_iter().find(|card| !known.iter().any(|k| k == card.secret.expose()));
            if let Some(card) = made {
                keep(KeptSource::Card(card.clone())).await?;
                return Ok(Ok(card));
            }
            // The token never became a card: it is still unspent.
            customer.clone()
        }
        None => {
            // A storefront's customer may have cards already; one made for this attempt has none.
            // A card not to keep goes through a customer of its own, so it never shows among the
            // storefront customer's cards (sessions::sync_conekta lists them all).
            let (customer, known) = match s.customer_ref.as_ref().filter(|_| save) {
                Some(cref) => {
                    let id = conekta_customer(app, conekta, cref, &s.customer).await?;
                    let known = conekta.cards(&id).await?.into_iter().map(|card| card.secret.expose().to_owned()).collect();
                    (id, known)
                }
                None => (conekta.create_customer(&s.customer).await?, Vec::new()),
            };
            keep(KeptSource::Pending { customer: customer.clone(), known }).await?;
            customer
        }
    };
    lease.fence(app).await?;
    let card = match conekta.add_source(token.expose(), &customer).await? {
        Ok(card) => card,
        Err(declined) => return Ok(Err(declined)),
    };
    keep(KeptSource::Card(card.clone())).await?;
    Ok(Ok(card))
}

/// The Conekta customer of a storefront customer, created at its first card.
async fn conekta_customer(app: &App, conekta: &Conekta, cref: &str, who: &Value) -> Result<String, ProviderError> {
    let p = ProviderId::Conekta;
    let db = |e: sqlx::Error| ProviderError::Unavailable(format!("storage: {e}"));
    if let Some(id) = store::provider_customer(&app.db, cref, p).await.map_err(db)? {
        return Ok(id);
    }
    let id = conekta.create_customer(who).await?;
    store::set_provider_customer(&app.db, cref, p, &id).await.map_err(db)
}

/// Stores the payment (or finds the one already stored for the same provider charge) and the
/// card the provider saved. A voucher is the session's amount, and lapses when the provider said
/// or, when it did not, when the session asked; a challenge whose page refuses to be framed is
/// answered as a redirect (crate::challenge). `amount`: what the provider was asked to charge (an
/// installment offer's total when it bears interest).
async fn record(app: &App, s: &Session, attempt_ref: &str, id: &str, mut o: Outcome, keep_card: bool, amount: i64) -> Result<Payment, ApiError> {
    if let Some(v) = o.voucher.as_mut() {
        // What the page shows and the session charges (Bamboo may answer another currency for
        // a cross-border purchase, /tmp/research/bamboo-apm.md §0).
        v.amount = u64::try_from(s.amount_due).unwrap_or_default();
        v.currency = s.currency.clone();
        if v.expires_at.is_none() {
            v.expires_at = Some(crate::vouchers::iso(voucher_expires_at(s)));
        }
    }
    if let Some(a) = o.action.as_mut().filter(|a| a.kind == ActionType::Challenge) {
        if !crate::challenge::framable(app, &a.url).await {
            a.kind = ActionType::Redirect;
        }
    }
    let p = Payment {
        id: id.to_owned(),
        provider: s.provider,
        session_id: s.id.clone(),
        order_id: s.order_id.clone(),
        amount,
        currency: s.currency.clone(),
        status: o.status,
        message: o.message,
        action: o.action,
        provider_ref: o.provider_ref,
        attempt_ref: attempt_ref.to_owned(),
        voucher: o.voucher,
    };
    let payment = store::insert_payment(&app.db, &p).await?;
    metrics::charge(s.provider, payment.status);
    if let (Some(cref), ResultStatus::Approved | ResultStatus::Pending, true) = (&s.customer_ref, payment.status, keep_card) {
        // Bamboo's enrolled cards are read from the customer's PaymentProfiles when the next
        // session opens (sessions::create), not here on the way to the page's answer.
        if let Some(card) = &o.new_card {
            sessions::save(app, cref, s.provider, card, None, None, None).await?;
        }
    }
    tracing::info!(payment = %payment.id, provider = s.provider.as_str(), order = %s.order_id, status = payment.status.as_str(), "payment recorded");
    Ok(payment)
}

/// `GET /pay/{id}` with `Authorization: Bearer <clientSecret>`: a payment of the session's order
/// (the one that paid it may be another session's, after a reload), read again from the provider
/// while it is pending — at most one refresh in flight and one per `PASARELA_STATUS_REFRESH_MS`
/// per payment, whoever asks. Without a secret that opens a session, `401` whether or not the
/// payment exists.
pub async fn status(app: &App, id: &str, client_secret: Option<&str>) -> Result<Answer, ApiError> {
    let unauthorized = || ApiError::new(StatusCode::UNAUTHORIZED, "Authorization: Bearer <clientSecret> required").field("Authorization");
    let secret = client_secret.filter(|s| !s.is_empty() && !s.contains('\0')).ok_or_else(unauthorized)?;
    let session = store::session_by_secret(&app.db, &sha256_hex(secret.as_bytes())).await?.ok_or_else(unauthorized)?;
    let unknown = || ApiError::new(StatusCode::NOT_FOUND, "unknown payment").field("paymentId");
    if !is_payment_id(id) {
        return Err(unknown());
    }
    let p = store::payment(&app.db, id).await?.filter(|p| p.order_id == session.order_id).ok_or_else(unknown)?;
    Ok(refresh(app, p, false).await?.answer())
}

/// The least time between the end of one provider read of a payment and a forced one.
const FORCED_READ_GAP_MS: i64 = 500;

/// A pending payment read again from its provider: the payment as stored after it. A page's
/// reads (`GET /pay/{id}`) make at most one refresh in flight and one per
/// `PASARELA_STATUS_REFRESH_MS`, whoever asks; the provider's return (`force`: the shopper just
/// finished at the provider, whose webhook may not have arrived) reads it sooner, once
/// FORCED_READ_GAP_MS have passed since the last read. A voucher past its expiry is read like
/// any other pending payment: the provider decides whether it lapsed.
pub async fn refresh(app: &App, p: Payment, force: bool) -> Result<Payment, ApiError> {
    if p.status != ResultStatus::Pending {
        return Ok(p);
    }
    let Some(provider_ref) = p.provider_ref.clone() else { return Ok(p) };
    // An in-flight refresh holds the payment past any due time (the provider's bound plus the
    // interval), so even a forced read (the provider's return, an unauthenticated route) never
    // runs beside one: one provider read at a time per payment, however many ask.
    let interval = app.config.status_refresh.as_millis() as i64;
    let in_flight_bound = now_ms() + app.config.provider_timeout.as_millis() as i64 + interval + 1000;
    // A forced read (the shopper is back from the provider, who has just decided) need not wait
    // the whole interval, but it still waits FORCED_READ_GAP_MS after the last read ended: the
    // return route is unauthenticated, and without a floor a caller hitting it in a loop gets
    // one provider read per round trip, one at a time but unbounded.
    let early = if force { interval - interval.min(FORCED_READ_GAP_MS) } else { 0 };
    if !store::claim_refresh(&app.db, &p.id, in_flight_bound, early).await? {
        return Ok(p);
    }
    let fresh = match app.providers.get(p.provider) {
        Ok(api) => api.refresh(&provider_ref).await.transpose(),
        Err(_) => None,
    };
    store::refresh_after(&app.db, &p.id, now_ms() + app.config.status_refresh.as_millis() as i64).await?;
    match fresh {
        Some(Ok(o)) => {
            apply(app, &p, o).await?;
            Ok(store::payment(&app.db, &p.id).await?.unwrap_or(p))
        }
        // The provider is slow: the stored status is still true, and the page polls again.
        Some(Err(e)) => {
            tracing::warn!(error = %e, "status refresh failed");
            Ok(p)
        }
        None => Ok(p),
    }
}

/// Moves a stored payment to what its provider says now (a refresh, a webhook's read-back): a
/// voucher declined after its expiry is `expired` (crate::vouchers::settle); a challenge
/// answered as a redirect (its page refused framing) stays a redirect.
pub async fn apply(app: &App, p: &Payment, o: Outcome) -> Result<(), ApiError> {
    let mut o = crate::vouchers::settle(p, o, now_ms());
    if let (Some(new), Some(old)) = (o.action.as_mut(), p.action.as_ref()) {
        if new.kind == ActionType::Challenge && old.url == new.url {
            new.kind = old.kind;
        }
    }
    store::update_status(&app.db, &p.id, o.status, o.message.as_deref(), o.action.as_ref()).await?;
    Ok(())
}

/// Whether `id` has the shape of the payment ids this service makes (`pay_` and 24 letters or
/// digits): anything else is unknown without a database read.
pub fn is_payment_id(id: &str) -> bool {
    id.strip_prefix("pay_").is_some_and(|r| r.len() == 24 && r.bytes().all(|b| b.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A service whose leases last 1200 ms and provider calls at most 200 ms, so renewed every
    /// 400 ms.
    async fn app() -> App {
        App::for_test(&[("BAMBOO_PRIVATE_KEY", "bk"), ("PASARELA_ATTEMPT_LEASE_MS", "1200"), ("PASARELA_PROVIDER_TIMEOUT_MS", "200")]).await
    }

    /// A started attempt whose lease runs until `until`: its key and reference.
    async fn started(app: &App, until: i64) -> (String, String) {
        let (key, attempt_ref) = (random_text(24), format!("att_{}", random_text(20)));
        let claim = store::claim(&app.db, &key, "hash", "ses_test", &attempt_ref, &new_payment_id(), until).await.unwrap();
        assert!(matches!(claim, Claim::Owner));
        (key, attempt_ref)
    }

    async fn locked_until(app: &App, key: &str) -> Option<i64> {
        store::attempt(&app.db, key).await.unwrap().map(|a| a.locked_until)
    }

    #[tokio::test]
    async fn money_is_spent_only_under_a_lease_that_outlasts_the_provider_call() {
        let app = app().await;
        // Fresh (more than the provider timeout left): confirmed without a database write, even
        // when the row was moved behind its back (which a take-over of a running lease cannot do).
        let until = now_ms() + 1200;
        let (key, _) = started(&app, until).await;
        assert!(store::take_over(&app.db, &key, until, until + 7).await.unwrap());
        Lease::new(&key, until).fence(&app).await.unwrap();
        assert_eq!(locked_until(&app, &key).await, Some(until + 7), "no write");

        // Less left than a provider call may take, still this request's: renewed, then spent.
        let until = now_ms() + 150;
        let (key, _) = started(&app, until).await;
        let lease = Lease::new(&key, until);
        lease.fence(&app).await.unwrap();
        let renewed = lease.held().await.until;
        assert!(renewed > now_ms() + 1000, "renewed to a whole lease");
        assert_eq!(locked_until(&app, &key).await, Some(renewed));

        // Lapsed and taken over by another request (its renewals failed): nothing is spent.
        let until = now_ms() - 10;
        let (key, _) = started(&app, until).await;
        let theirs = now_ms() + 1200;
        assert!(store::take_over(&app.db, &key, until, theirs).await.unwrap());
        let lease = Lease::new(&key, until);
        let e = lease.fence(&app).await.unwrap_err();
        assert_eq!((e.status, e.body.code), (StatusCode::CONFLICT, Some("attempt_in_progress")));
        assert!(lease.held().await.lost);
        assert_eq!(locked_until(&app, &key).await, Some(theirs), "the other request's lease stays");
    }

    #[tokio::test]
    async fn a_lease_a_renewal_found_taken_over_stops_the_work_before_it_spends() {
        let app = app().await;
        let until = now_ms() + 1200;
        let (key, _) = started(&app, until).await;
        // Another request has the attempt (as after a lapse): the first renewal (400 ms) finds it.
        assert!(store::take_over(&app.db, &key, until, until + 1).await.unwrap());
        let lease = Lease::new(&key, until);
        let work = async {
            tokio::time::sleep(Duration::from_millis(600)).await;
            // More than the provider timeout is left by the clock: only the renewal knows.
            lease.fence(&app).await
        };
        let e = holding_lease(&app, &lease, work).await.unwrap_err();
        assert_eq!((e.status, e.body.code), (StatusCode::CONFLICT, Some("attempt_in_progress")));
        assert_eq!(locked_until(&app, &key).await, Some(until + 1));
    }

    #[tokio::test]
    async fn the_background_reconciliation_finds_orders_held_by_a_lapsed_attempt_that_no_payment_decides() {
        let app = app().await;
        let order = |n: &str| format!("ORDER-{n}-{}", random_text(12));
        let (lapsed, live, paid) = (order("lapsed"), order("live"), order("paid"));
        for (o, until) in [(&lapsed, now_ms() - 10), (&live, now_ms() + 60_000), (&paid, now_ms() - 10)] {
            let (holder, _) = started(&app, until).await;
            assert_eq!(store::claim_order(&app.db, o, &holder).await.unwrap(), None);
        }
        // A KR form paid this one beside the attempt: nothing more may charge it.
        let payment = store::Payment {
            id: new_payment_id(),
            provider: ProviderId::Kr,
            session_id: "ses_test".into(),
            order_id: paid.clone(),
            amount: 100,
            currency: "MXN".into(),
            status: ResultStatus::Approved,
            message: None,
            action: None,
            provider_ref: Some(random_text(12)),
            attempt_ref: format!("att_{}", random_text(20)),
            voucher: None,
        };
        store::insert_payment(&app.db, &payment).await.unwrap();
        let found = store::abandoned_orders(&app.db, now_ms(), 1000).await.unwrap();
        assert!(found.contains(&lapsed), "{found:?}");
        assert!(!found.contains(&live) && !found.contains(&paid), "{found:?}");
    }

    #[tokio::test]
    async fn an_attempt_or_an_order_claim_is_let_go_only_under_its_lease() {
        let app = app().await;
        // An attempt taken over is the other request's: not forgotten by the one that lost it.
        let until = now_ms() + 1200;
        let (key, attempt_ref) = started(&app, until).await;
        assert!(store::take_over(&app.db, &key, until, until + 1).await.unwrap());
        store::forget_attempt(&app.db, &key, &attempt_ref, until).await.unwrap();
        assert_eq!(locked_until(&app, &key).await, Some(until + 1), "kept");
        store::forget_attempt(&app.db, &key, &attempt_ref, until + 1).await.unwrap();
        assert_eq!(locked_until(&app, &key).await, None, "forgotten by its owner");

        // An abandoned holder's order goes free (a KR form) only while the lease is the
        // reconciling request's.
        let order = format!("ORDER-{}", random_text(12));
        let until = now_ms() + 1200;
        let (holder, _) = started(&app, until).await;
        assert_eq!(store::claim_order(&app.db, &order, &holder).await.unwrap(), None);
        assert!(!store::hand_over_order(&app.db, &order, &holder, until - 1, None).await.unwrap());
        assert_eq!(store::order_holder(&app.db, &order).await.unwrap().as_deref(), Some(holder.as_str()));
        assert!(store::hand_over_order(&app.db, &order, &holder, until, None).await.unwrap());
        assert_eq!(store::order_holder(&app.db, &order).await.unwrap(), None);
        assert_eq!(locked_until(&app, &holder).await, Some(0), "its retry reconciles at once");
    }
}
