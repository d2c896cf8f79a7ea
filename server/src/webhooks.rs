//! Provider notifications, each verified as its provider documents, applied once per event, and
//! moving the payment `GET /pay/{id}` reports.
//! - Conekta (`order.paid`, `order.pending_payment`, `order.declined`, …): with
//!   `CONEKTA_WEBHOOK_KEY` set, the `digest` header must be Conekta's RSA-SHA256 (PKCS#1 v1.5)
//!   signature of the raw body, base64, under that public key (Conekta's "Verificar firmas";
//!   the scheme checked against its published example, docs/providers/conekta.md). Then, and
//!   without the key as the only check, the body is a hint: an order this service has no payment
//!   for gets the same answer as any other and costs no provider call; a known one is read back
//!   with the private key (`GET /orders/{id}`, its id of Conekta's shape, one escaped segment)
//!   and its `payment_status` applied.
//! - Bamboo purchase notifications (BambooPaymentDoc `Purchase-workflow/Notification-Webhooks.md`):
//!   the signature "in the header" is hex HMAC-SHA-256 of `PurchaseId + Amount + Currency +
//!   dateSent` with the merchant secret, `dateSent` being a header; the signature header's name
//!   (`signature`) is *inferred*. The purchase is then read back (`GET /v1/api/purchase/{id}`).
//! - Lyra's IPN: form fields `kr-answer`, `kr-hash`, `kr-hash-key` (`password`),
//!   `kr-hash-algorithm` (`sha256_hmac`); `kr-hash` is hex HMAC-SHA-256 of `kr-answer` with the
//!   key `kr-hash-key` names (lyra/rest-php-sdk `Client::checkHash`). A payment the browser never
//!   forwarded is recorded from it.

use crate::app::{random_text, ApiError, App};
use crate::metrics::{self, Verdict};
use crate::providers::kr::{payment_outcome, HashKey};
use crate::store::{self, Payment};
use axum::http::StatusCode;
use hmac::{Hmac, Mac};
use pasarela_protocol::ProviderId;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use sha2::Sha256;
use std::collections::HashMap;

/// A webhook's answer: `{ "received": true }`, with `duplicate` for an event applied before and
/// `ignored` for one that names nothing to apply. Providers read only the status; the body is for
/// whoever replays a delivery by hand.
#[derive(Debug, Serialize, ToSchema)]
pub struct Receipt {
    /// Always `true`: the delivery is settled, the provider need not retry.
    pub received: bool,
    /// `true`: this event was applied before; nothing changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicate: Option<bool>,
    /// Why nothing was applied (`no transaction`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ignored: Option<&'static str>,
}

impl Receipt {
    /// Taken in (applied, or nothing of this service's to apply).
    pub fn received() -> Self {
        Self { received: true, duplicate: None, ignored: None }
    }
    fn duplicate() -> Self {
        Self { duplicate: Some(true), ..Self::received() }
    }
    fn ignored(why: &'static str) -> Self {
        Self { ignored: Some(why), ..Self::received() }
    }
}

/// A webhook of a provider this service has no keys for: there is nothing here to notify (404).
fn not_here(name: &str) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, format!("{name} is not configured"))
}

/// Applies `apply` once per `(provider, event_id)`; a failure forgets the event so that the
/// provider's retry is applied.
async fn once<F, Fut>(app: &App, provider: ProviderId, event_id: &str, apply: F) -> Result<Receipt, ApiError>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<(), ApiError>>,
{
    // Recorded only once applied: a delivery marked first and then lost (a crash, a provider
    // that does not answer the read-back) would make the provider's retry a "duplicate" and the
    // change would never land. Applying twice is harmless: a payment only leaves `pending` once.
    if store::delivered(&app.db, provider, event_id).await? {
        metrics::webhook(provider, Verdict::Duplicate);
        return Ok(Receipt::duplicate());
    }
    apply().await?;
    store::first_delivery(&app.db, provider, event_id).await?;
    metrics::webhook(provider, Verdict::Applied);
    Ok(Receipt::received())
}

async fn move_payment(app: &App, provider: ProviderId, provider_ref: &str, o: &crate::providers::Outcome) -> Result<(), ApiError> {
    if let Some(p) = store::payment_by_ref(&app.db, provider, provider_ref).await? {
        let status = o.status;
        crate::pay::apply(app, &p, o.clone()).await?;
        tracing::info!(payment = %p.id, status = status.as_str(), "webhook applied");
    }
    Ok(())
}

/// What a Conekta event must carry; the rest of the body is not read.
#[derive(Debug, serde::Deserialize, ToSchema)]
pub struct ConektaEvent {
    /// The event's id: applied once.
    pub id: String,
    /// `order.paid`, `order.pending_payment`, …; only `order.*` events are read further.
    #[serde(rename = "type")]
    pub kind: String,
    /// The event's object.
    #[serde(default)]
    pub data: Option<ConektaEventData>,
}

/// `data` of a Conekta event.
#[derive(Debug, serde::Deserialize, ToSchema)]
pub struct ConektaEventData {
    /// The order the event is about.
    pub object: ConektaEventObject,
}

/// `data.object` of a Conekta event.
#[derive(Debug, serde::Deserialize, ToSchema)]
pub struct ConektaEventObject {
    /// The order's id (`ord_…`).
    pub id: String,
}

/// A Bamboo purchase notification: the signed fields (the rest is read back from Bamboo).
#[derive(Debug, ToSchema)]
#[schema(rename_all = "PascalCase")]
pub struct BambooNotification {
    /// Bamboo's purchase id, as text or a number.
    #[schema(schema_with = crate::openapi::schema::digits)]
    pub purchase_id: Value,
    /// As Bamboo sent it.
    #[schema(schema_with = crate::openapi::schema::text_or_number)]
    pub amount: Value,
    /// As Bamboo sent it.
    pub currency: String,
}

/// Lyra's IPN form fields.
#[derive(Debug, ToSchema)]
pub struct LyraIpn {
    /// The payment, as JSON text.
    #[schema(rename = "kr-answer")]
    pub answer: String,
    /// Hex HMAC-SHA-256 of `kr-answer`.
    #[schema(rename = "kr-hash")]
    pub hash: String,
    /// `sha256_hmac`.
    #[schema(rename = "kr-hash-algorithm")]
    pub hash_algorithm: String,
    /// `password` (the REST password signs the IPN) or `sha256_hmac`.
    #[schema(rename = "kr-hash-key")]
    pub hash_key: String,
}

/// Whether `digest` is Conekta's signature of `body` under `key_pem`.
pub fn conekta_signed(key_pem: &str, body: &[u8], digest: &str) -> bool {
    use base64::Engine;
    use rsa::pkcs8::DecodePublicKey;
    let Ok(key) = rsa::RsaPublicKey::from_public_key_pem(key_pem) else { return false };
    let Ok(signature) = base64::engine::general_purpose::STANDARD.decode(digest.trim()) else { return false };
    let hashed = <sha2::Sha256 as sha2::Digest>::digest(body);
    key.verify(rsa::Pkcs1v15Sign::new::<sha2::Sha256>(), &hashed, &signature).is_ok()
}

/// `POST /webhooks/conekta`.
pub async fn conekta(app: &App, body: &[u8], digest: Option<&str>) -> Result<Receipt, ApiError> {
    let conekta = app.providers.conekta().map_err(|_| not_here("conekta"))?;
    if let Some(key) = &conekta.config.webhook_key {
        if !digest.is_some_and(|d| conekta_signed(key, body, d)) {
            return Err(ApiError::new(StatusCode::UNAUTHORIZED, "digest does not match").field("digest"));
        }
    }
    let event: ConektaEvent = crate::extract::read(body)?;
    // Conekta's answer never says duplicate or ignored: any event is simply received.
    let provider = ProviderId::Conekta;
    let Some(order) = event.data.map(|d| d.object.id).filter(|_| event.kind.starts_with("order.")) else {
        metrics::webhook(provider, Verdict::Ignored);
        return Ok(Receipt::received());
    };
    // Only an order this service charged is read back: any other id, well formed or not, gets
    // the same answer and no provider call, so the answer tells a caller nothing.
    if !crate::providers::ids::conekta_order(&order) || store::payment_by_ref(&app.db, provider, &order).await?.is_none() {
        metrics::webhook(provider, Verdict::Ignored);
        return Ok(Receipt::received());
    }
    once(app, provider, &event.id, || async {
        let (outcome, _) = conekta.order(&order).await?;
        move_payment(app, provider, &order, &outcome).await
    })
    .await
    .map(|_| Receipt::received())
}

/// The headers a Bamboo notification is signed with.
pub struct BambooSignature<'a> {
    /// `dateSent`, part of the signed text.
    pub date_sent: Option<&'a str>,
    /// `signature`: hex HMAC-SHA-256.
    pub signature: Option<&'a str>,
}

/// `POST /webhooks/bamboo`.
pub async fn bamboo(app: &App, n: &Value, signed: BambooSignature<'_>) -> Result<Receipt, ApiError> {
    let bamboo = app.providers.bamboo().map_err(|_| not_here("bamboo"))?;
    let field = |k: &str| n.get(k).and_then(crate::providers::text).ok_or_else(|| ApiError::invalid(k, format!("{k} required")));
    let header = |v: Option<&str>, k: &str| v.map(str::to_owned).ok_or_else(|| ApiError::invalid(k, format!("header {k} required")));
    let (purchase, amount, currency) = (field("PurchaseId")?, field("Amount")?, field("Currency")?);
    if !crate::providers::ids::bamboo_number(&purchase) {
        return Err(ApiError::invalid("PurchaseId", "PurchaseId is not a Bamboo purchase id"));
    }
    let (sent, signature) = (header(signed.date_sent, "dateSent")?, header(signed.signature, "signature")?);
    let mut mac = Hmac::<Sha256>::new_from_slice(bamboo.config.webhook_secret.expose().as_bytes()).expect("any key length");
    mac.update(format!("{purchase}{amount}{currency}{sent}").as_bytes());
    let given = hex::decode(signature.trim()).unwrap_or_default();
    if mac.verify_slice(&given).is_err() {
        return Err(ApiError::new(StatusCode::UNAUTHORIZED, "signature does not match").field("signature"));
    }
    // Only a purchase this service recorded is read back; any other gets the same answer and
    // costs no provider call (a purchase Bamboo does not know answers 404, which says nothing).
    if store::payment_by_ref(&app.db, ProviderId::Bamboo, &purchase).await?.is_none() {
        return Ok(Receipt::received());
    }
    once(app, ProviderId::Bamboo, &format!("{purchase}:{sent}"), || async {
        let outcome = bamboo.get(&purchase).await?;
        move_payment(app, ProviderId::Bamboo, &purchase, &outcome).await
    })
    .await
}

/// `POST /webhooks/lyra` (the IPN, form-encoded).
pub async fn lyra(app: &App, form: &HashMap<String, String>) -> Result<Receipt, ApiError> {
    let kr = app.providers.kr().map_err(|_| not_here("lyra"))?;
    let get = |k: &str| form.get(k).map(String::as_str).ok_or_else(|| ApiError::invalid(k, format!("{k} required")));
    let (raw, hash) = (get("kr-answer")?, get("kr-hash")?);
    // As Lyra's own SDK checks it (lyra/rest-php-sdk `Client::checkHash`): the algorithm must be
    // `sha256_hmac`, and `kr-hash-key` names the key (the IPN's is the REST password).
    if get("kr-hash-algorithm")? != "sha256_hmac" {
        return Err(ApiError::invalid("kr-hash-algorithm", "only sha256_hmac is supported"));
    }
    let key = match get("kr-hash-key")? {
        "sha256_hmac" => HashKey::Hmac,
        "password" => HashKey::Password,
        _ => return Err(ApiError::invalid("kr-hash-key", "kr-hash-key must be sha256_hmac or password")),
    };
    if !kr.verify(raw, hash, key) {
        return Err(ApiError::new(StatusCode::UNAUTHORIZED, "kr-hash does not match kr-answer").field("kr-hash"));
    }
    let answer: Value = serde_json::from_str(raw).map_err(|_| ApiError::invalid("kr-answer", "kr-answer is not JSON"))?;
    if crate::extract::has_nul(&answer) {
        crate::extract::text_ok("kr-answer", "\0")?;
    }
    let outcome = payment_outcome(&answer);
    let Some(uuid) = outcome.provider_ref.clone() else {
        metrics::webhook(ProviderId::Kr, Verdict::Ignored);
        return Ok(Receipt::ignored("no transaction"));
    };
    let tx_status = answer["transactions"][0]["status"].as_str().unwrap_or_default().to_owned();
    let order_id = answer["orderDetails"]["orderId"].as_str().map(str::to_owned);
    once(app, ProviderId::Kr, &format!("{uuid}:{tx_status}"), || async {
        let provider = ProviderId::Kr;
        if store::payment_by_ref(&app.db, provider, &uuid).await?.is_some() {
            return move_payment(app, provider, &uuid, &outcome).await;
        }
        // The shopper paid but the page never forwarded the answer (closed tab): record it from
        // the IPN, against the newest session of its order.
        let Some(order_id) = order_id else { return Ok(()) };
        let Some(session) = store::sessions_of_order(&app.db, &order_id).await?.into_iter().next() else { return Ok(()) };
        let p = Payment {
            id: format!("pay_{}", random_text(24)),
            provider,
            session_id: session.id.clone(),
            order_id,
            amount: answer["orderDetails"]["orderTotalAmount"].as_i64().unwrap_or(session.amount_due),
            currency: session.currency.clone(),
            status: outcome.status,
            message: outcome.message.clone(),
            action: None,
            provider_ref: Some(uuid.clone()),
            attempt_ref: "ipn".into(),
            voucher: None,
        };
        store::insert_payment(&app.db, &p).await?;
        Ok(())
    })
    .await
}
