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

use crate::app::{random_text, sha256_hex, ApiError, App};
use crate::protocol::{Answer, PayRequest, Provider, Source};
use crate::providers::{kr::HashKey, kr::payment_outcome, Charge, KeptSource, NewCard, Outcome, PayWith, ProviderError};
use crate::sessions;
use crate::store::{self, now_ms, Claim, Payment, Session};
use axum::http::StatusCode;
use pasarela::domain::merchant::ResultStatus;
use pasarela::domain::ProviderId;
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

/// Whether `key` is a UUID v4, as the browser package makes them (docs/api.md §4).
pub fn is_uuid_v4(key: &str) -> bool {
    let b = key.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, &c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            14 => c == b'4',
            19 => matches!(c, b'8' | b'9' | b'a' | b'b'),
            _ => c.is_ascii_digit() || (b'a'..=b'f').contains(&c),
        })
}

/// What the checks before any charge resolved.
struct Checked {
    session: Session,
    pay_with: Option<PayWith>,
    /// A KR answer already processed by Lyra (nothing left to charge).
    kr_outcome: Option<Outcome>,
}

/// Runs one request of an attempt.
pub async fn pay(app: &App, key: Option<&str>, body: &[u8]) -> Result<Reply, ApiError> {
    let key = key.filter(|k| is_uuid_v4(k)).ok_or_else(|| {
        ApiError::new(StatusCode::BAD_REQUEST, "Idempotency-Key (UUID v4) required").field("Idempotency-Key")
    })?;
    let req: PayRequest = serde_json::from_slice(body).map_err(|e| {
        let field = e.to_string().split('`').nth(1).unwrap_or("body").to_owned();
        ApiError::invalid(&field, format!("invalid request: {e}"))
    })?;
    let checked = check(app, &req).await?;
    let hash = sha256_hex(body);
    let lease = app.config.attempt_lease.as_millis() as i64;
    let attempt_ref = format!("att_{}", random_text(20));
    let deadline = tokio::time::Instant::now() + app.config.in_progress_wait;
    let (attempt_ref, taken_over, until) = loop {
        let until = now_ms() + lease;
        match store::claim(&app.db, key, &hash, &checked.session.id, &attempt_ref, until).await? {
            Claim::Owner => break (attempt_ref, None, until),
            Claim::Existing(a) if a.request_hash != hash => {
                return Err(ApiError::invalid("Idempotency-Key", "this Idempotency-Key was used with a different request"));
            }
            Claim::Existing(a) if a.state == "done" => {
                return Ok(Reply { status: a.http_status.unwrap_or(200) as u16, body: a.response_json.unwrap_or_default() });
            }
            Claim::Existing(a) if a.locked_until <= now_ms() => {
                if store::take_over(&app.db, key, a.locked_until, until).await? {
                    tracing::warn!(attempt = %a.attempt_ref, order = %checked.session.order_id, "taking over an unfinished attempt: reconciling with the provider");
                    break (a.attempt_ref.clone(), Some(a), until);
                }
            }
            Claim::Existing(_) => {
                if tokio::time::Instant::now() >= deadline {
                    return Err(ApiError::new(StatusCode::CONFLICT, "a request with this Idempotency-Key is in progress").retry_after(1));
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    };
    match holding_lease(app, key, until, run(app, &checked, &req, &attempt_ref, taken_over.as_ref())).await {
        Ok(payment) => {
            let reply = Reply { status: 200, body: serde_json::to_string(&payment.answer()).expect("answers serialize") };
            store::finish(&app.db, key, Some(&payment.id), reply.status, &reply.body).await?;
            Ok(reply)
        }
        Err(e) => {
            // No answer from the provider (or from storage): the charge may have happened. The
            // lease goes, so the retry with this key reconciles at once.
            store::release(&app.db, key).await?;
            Err(e)
        }
    }
}

/// Runs `work` while renewing the attempt's lease every third of it: a live owner waiting on a
/// slow provider keeps its attempt, and only a dead one (crashed, killed, cut off from the
/// database) lets a retry take the attempt over and reconcile. Two owners at once could both
/// spend a one-use token.
async fn holding_lease<T>(app: &App, key: &str, mut until: i64, work: impl std::future::Future<Output = T>) -> T {
    let lease = app.config.attempt_lease;
    let mut renew = tokio::time::interval_at(tokio::time::Instant::now() + lease / 3, lease / 3);
    tokio::pin!(work);
    loop {
        tokio::select! {
            out = &mut work => return out,
            _ = renew.tick() => {
                let next = now_ms() + lease.as_millis() as i64;
                match store::take_over(&app.db, key, until, next).await {
                    Ok(true) => until = next,
                    Ok(false) => tracing::warn!("attempt lease lost to another request"),
                    Err(e) => tracing::warn!(error = %e, "attempt lease not renewed"),
                }
            }
        }
    }
}

/// Session, order and source checks: nothing is stored for a request that fails them.
async fn check(app: &App, req: &PayRequest) -> Result<Checked, ApiError> {
    let session = sessions::open(app, req.client_secret.as_deref()).await?;
    app.require(session.provider)?;
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
    if req.installments == 0 || req.installments > 48 {
        return Err(ApiError::invalid("installments", "installments must be 1 to 48"));
    }
    let mut out = Checked { session, pay_with: None, kr_outcome: None };
    match &req.source {
        Source::Token { token, .. } => {
            let ok = match req.provider.0 {
                ProviderId::Bamboo => token.starts_with("OT_") || token.starts_with("CT_"),
                ProviderId::Conekta => token.starts_with("tok_"),
                ProviderId::Kr => false,
            };
            if !ok {
                return Err(ApiError::invalid("source.token", format!("not a {} token", req.provider.as_str())));
            }
            out.pay_with = Some(PayWith::Token(crate::config::Secret::new(token.clone())));
        }
        Source::Profile { profile_id } => {
            let card = store::card(&app.db, profile_id).await?;
            // Another customer's card and an unknown id get the same answer: ids reveal nothing.
            let card = card
                .filter(|c| c.provider == req.provider && Some(&c.customer_ref) == out.session.customer_ref.as_ref())
                .ok_or_else(|| {
                    ApiError::new(StatusCode::FORBIDDEN, "this saved card is not the session customer's").field("source.profileId")
                })?;
            out.pay_with = Some(PayWith::Saved(Box::new(card)));
        }
        Source::KrAnswer { raw_client_answer, hash, hash_algorithm, hash_key } => {
            let kr = app.kr.as_ref().ok_or_else(|| ApiError::invalid("provider", "provider kr is not configured"))?;
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
            let d = &answer["orderDetails"];
            let s = &out.session;
            let same_order = d["orderId"].as_str().is_none_or(|o| o == s.order_id);
            let same_money = d["orderCurrency"].as_str() == Some(s.currency.as_str())
                && d["orderTotalAmount"].as_i64().is_some_and(|a| a == s.amount_due || a == s.amount);
            if !same_order || !same_money {
                return Err(ApiError::new(StatusCode::BAD_REQUEST, "kr-answer is for another order").field("source.rawClientAnswer"));
            }
            out.kr_outcome = Some(payment_outcome(&answer));
        }
    }
    Ok(out)
}

/// Charges (or, taking over an unfinished attempt, finds its charge first) and records the payment.
async fn run(app: &App, c: &Checked, req: &PayRequest, attempt_ref: &str, taken_over: Option<&store::Attempt>) -> Result<Payment, ApiError> {
    let s = &c.session;
    let outcome = match (&c.kr_outcome, &c.pay_with) {
        (Some(o), _) => o.clone(),
        (None, Some(pay_with)) => {
            let found = if taken_over.is_some() { find(app, s, attempt_ref).await? } else { None };
            match found {
                Some(o) => o,
                None => {
                    let kept_source = taken_over.and_then(|a| a.source_json.as_deref()).and_then(KeptSource::from_stored);
                    let charge = Charge { session: s, attempt_ref, installments: req.installments, pay_with: pay_with.clone(), kept_source };
                    charge_once(app, &charge).await?
                }
            }
        }
        (None, None) => unreachable!("check() resolves a source"),
    };
    record(app, s, attempt_ref, outcome).await
}

async fn charge_once(app: &App, c: &Charge<'_>) -> Result<Outcome, ProviderError> {
    let s = c.session;
    match s.provider.0 {
        ProviderId::Bamboo => app.bamboo.as_ref().expect("required").charge(c).await,
        ProviderId::Conekta => conekta_charge(app, c).await,
        ProviderId::Kr => app.kr.as_ref().expect("required").charge(c).await,
    }
}

/// Conekta charges in two steps, the page's one-use token made a payment source of a customer,
/// then an order on the source. Before the token is spent, the attempt keeps the customer and
/// the cards it had; once spent, the card it became. A retry after a lost answer so charges the
/// card the token made (found among the customer's cards if that answer was the one lost),
/// never the spent token again.
async fn conekta_charge(app: &App, c: &Charge<'_>) -> Result<Outcome, ProviderError> {
    let s = c.session;
    let conekta = app.conekta.as_ref().expect("required");
    let db = |e: sqlx::Error| ProviderError::Unavailable(format!("storage: {e}"));
    let token = match &c.pay_with {
        PayWith::Saved(saved) => return conekta.charge(c, &NewCard::from(&**saved), false).await,
        PayWith::Token(token) => token,
    };
    let save = s.customer_ref.is_some();
    let keep = |kept: KeptSource| async move { store::set_attempt_source(&app.db, c.attempt_ref, &kept.to_stored()).await.map_err(db) };
    let customer = match &c.kept_source {
        Some(KeptSource::Card(card)) => return conekta.charge(c, card, save).await,
        Some(KeptSource::Pending { customer, known }) => {
            let made = conekta.cards(customer).await?.into_iter().find(|card| !known.iter().any(|k| k == card.secret.expose()));
            if let Some(card) = made {
                keep(KeptSource::Card(card.clone())).await?;
                return conekta.charge(c, &card, save).await;
            }
            // The token never became a card: it is still unspent.
            customer.clone()
        }
        None => {
            // A storefront's customer may have cards already; one made for this attempt has none.
            let (customer, known) = match &s.customer_ref {
                Some(cref) => {
                    let id = conekta_customer(app, cref, &s.customer).await?;
                    let known = conekta.cards(&id).await?.into_iter().map(|card| card.secret.expose().to_owned()).collect();
                    (id, known)
                }
                None => (conekta.create_customer(&s.customer).await?, Vec::new()),
            };
            keep(KeptSource::Pending { customer: customer.clone(), known }).await?;
            customer
        }
    };
    let card = match conekta.add_source(token.expose(), &customer).await? {
        Ok(card) => card,
        Err(declined) => return Ok(declined),
    };
    keep(KeptSource::Card(card.clone())).await?;
    conekta.charge(c, &card, save).await
}

/// The Conekta customer of a storefront customer, created at its first card.
async fn conekta_customer(app: &App, cref: &str, who: &Value) -> Result<String, ProviderError> {
    let p = Provider(ProviderId::Conekta);
    let db = |e: sqlx::Error| ProviderError::Unavailable(format!("storage: {e}"));
    if let Some(id) = store::provider_customer(&app.db, cref, p).await.map_err(db)? {
        return Ok(id);
    }
    let id = app.conekta.as_ref().expect("required").create_customer(who).await?;
    store::set_provider_customer(&app.db, cref, p, &id).await.map_err(db)
}

async fn find(app: &App, s: &Session, attempt_ref: &str) -> Result<Option<Outcome>, ProviderError> {
    match s.provider.0 {
        ProviderId::Bamboo => app.bamboo.as_ref().expect("required").find(&s.order_id, attempt_ref).await,
        ProviderId::Conekta => app.conekta.as_ref().expect("required").find(attempt_ref).await,
        ProviderId::Kr => app.kr.as_ref().expect("required").find(&s.order_id, attempt_ref).await,
    }
}

/// Stores the payment (or finds the one already stored for the same provider charge) and the
/// card the provider saved.
async fn record(app: &App, s: &Session, attempt_ref: &str, o: Outcome) -> Result<Payment, ApiError> {
    let p = Payment {
        id: format!("pay_{}", random_text(24)),
        provider: s.provider,
        session_id: s.id.clone(),
        order_id: s.order_id.clone(),
        amount: s.amount_due,
        currency: s.currency.clone(),
        status: o.status,
        message: o.message,
        action: o.action,
        provider_ref: o.provider_ref,
        attempt_ref: attempt_ref.to_owned(),
    };
    let payment = store::insert_payment(&app.db, &p).await?;
    if let (Some(cref), ResultStatus::Approved | ResultStatus::Pending) = (&s.customer_ref, payment.status) {
        // Bamboo's enrolled cards are read from the customer's PaymentProfiles when the next
        // session opens (sessions::create), not here on the way to the page's answer.
        if let Some(card) = &o.new_card {
            sessions::save(app, cref, s.provider, card, None, None, None).await?;
        }
    }
    tracing::info!(payment = %payment.id, provider = s.provider.as_str(), order = %s.order_id, status = payment.status.as_str(), "payment recorded");
    Ok(payment)
}

/// `GET /pay/{id}`: the payment, read again from the provider while it is pending.
pub async fn status(app: &App, id: &str) -> Result<Answer, ApiError> {
    let p = store::payment(&app.db, id).await?.ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "unknown payment"))?;
    if p.status != ResultStatus::Pending {
        return Ok(p.answer());
    }
    let Some(provider_ref) = p.provider_ref.as_deref() else { return Ok(p.answer()) };
    let fresh = match (p.provider.0, &app.bamboo, &app.conekta) {
        (ProviderId::Bamboo, Some(b), _) => Some(b.get(provider_ref).await),
        (ProviderId::Conekta, _, Some(c)) => Some(c.order(provider_ref).await.map(|(o, _)| o)),
        _ => None,
    };
    match fresh {
        Some(Ok(o)) => {
            store::update_status(&app.db, &p.id, o.status, o.message.as_deref(), o.action.as_ref()).await?;
            Ok(store::payment(&app.db, id).await?.map(|p| p.answer()).unwrap_or_else(|| p.answer()))
        }
        // The provider is slow: the stored status is still true, and the page polls again.
        Some(Err(e)) => {
            tracing::warn!(error = %e, "status refresh failed");
            Ok(p.answer())
        }
        None => Ok(p.answer()),
    }
}

#[cfg(test)]
mod tests {
    use super::is_uuid_v4;

    #[test]
    fn idempotency_keys_are_uuid_v4() {
        assert!(is_uuid_v4("0f8fad5b-d9cb-469f-a165-70867728950e"));
        for bad in ["", "0f8fad5b-d9cb-169f-a165-70867728950e", "0F8FAD5B-D9CB-469F-A165-70867728950E", "x"] {
            assert!(!is_uuid_v4(bad), "{bad}");
        }
    }
}
