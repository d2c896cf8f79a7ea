//! The providers' routes (`/webhooks/*`): each reads its provider's wire and signature and hands
//! over to `webhooks`, which verifies and applies the event once.

use crate::app::{ApiError, App};
use crate::extract;
use crate::metrics::{self, Verdict};
use crate::openapi::responses::{BadGateway, BadRequest, NotFound, PayloadTooLarge, Unauthorized, Unavailable, Unprocessable};
use crate::webhooks::{self, BambooNotification, ConektaEvent, LyraIpn, Receipt};
use axum::body::Bytes;
use axum::extract::rejection::FormRejection;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::{Form, Json};
use pasarela_protocol::ProviderId;
use serde_json::Value;
use std::collections::HashMap;

/// Conekta's events (`order.paid`, …): with `CONEKTA_WEBHOOK_KEY`, the `digest` header must sign
/// the raw body; a known order is then read back from Conekta.
#[utoipa::path(post, operation_id = "conektaWebhook", path = "/webhooks/conekta", tag = "webhooks", request_body = ConektaEvent,
    params(("digest" = Option<String>, Header, description = "Conekta's RSA-SHA256 signature of the raw body, base64.")),
    responses(
        (status = 200, description = "Received.", body = Receipt),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized), (status = 404, response = NotFound),
        (status = 413, response = PayloadTooLarge), (status = 422, response = Unprocessable), (status = 502, response = BadGateway),
        (status = 503, response = Unavailable),
    ))]
pub async fn conekta_hook(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Result<Json<Receipt>, ApiError> {
    let digest = headers.get("digest").and_then(|v| v.to_str().ok());
    counted(ProviderId::Conekta, webhooks::conekta(&app, &body, digest).await)
}

/// Bamboo's purchase notifications, signed by HMAC-SHA-256 in the `signature` header; the
/// purchase is then read back from Bamboo.
#[utoipa::path(post, operation_id = "bambooWebhook", path = "/webhooks/bamboo", tag = "webhooks", request_body = BambooNotification,
    params(
        ("dateSent" = String, Header, description = "Part of the signed text."),
        ("signature" = String, Header, description = "Hex HMAC-SHA-256 of PurchaseId + Amount + Currency + dateSent."),
    ),
    responses(
        (status = 200, description = "Received (`duplicate` for an event applied before).", body = Receipt),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized), (status = 404, response = NotFound),
        (status = 413, response = PayloadTooLarge), (status = 422, response = Unprocessable), (status = 502, response = BadGateway),
        (status = 503, response = Unavailable),
    ))]
pub async fn bamboo_hook(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Result<Json<Receipt>, ApiError> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let signed = webhooks::BambooSignature { date_sent: header("dateSent"), signature: header("signature") };
    let received = match extract::read::<Value>(&body) {
        Ok(n) => webhooks::bamboo(&app, &n, signed).await,
        Err(e) => Err(e),
    };
    counted(ProviderId::Bamboo, received)
}

/// Lyra's IPN, form-encoded and signed by `kr-hash`; a payment the page never forwarded is
/// recorded from it.
#[utoipa::path(post, operation_id = "lyraWebhook", path = "/webhooks/lyra", tag = "webhooks", request_body(content = LyraIpn, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Received (`duplicate`, or `ignored` when it names no transaction).", body = Receipt),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized), (status = 404, response = NotFound),
        (status = 422, response = Unprocessable), (status = 503, response = Unavailable),
    ))]
pub async fn lyra_hook(State(app): State<App>, form: Result<Form<HashMap<String, String>>, FormRejection>) -> Result<Json<Receipt>, ApiError> {
    let received = async {
        let Form(form) = form.map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, "the body is not a form").field("body"))?;
        for (k, v) in &form {
            // A field is named only when it is one of Lyra's: an unknown key is the caller's text.
            let field = if k.starts_with("kr-") && k.len() < 32 && !k.contains('\0') { k.as_str() } else { "body" };
            extract::text_ok(field, k)?;
            extract::text_ok(field, v)?;
        }
        webhooks::lyra(&app, &form).await
    };
    counted(ProviderId::Kr, received.await)
}

/// A delivery refused with a `4xx` (unsigned, malformed, no keys here) is counted as such; a
/// `5xx` has no verdict yet: the provider delivers it again.
fn counted(provider: ProviderId, received: Result<Receipt, ApiError>) -> Result<Json<Receipt>, ApiError> {
    if received.as_ref().is_err_and(|e| e.status.is_client_error()) {
        metrics::webhook(provider, Verdict::Refused);
    }
    received.map(Json)
}
