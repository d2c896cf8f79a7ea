//! The page's routes: `POST /pay`, `GET /pay/{id}`, `POST /kr/form-token`, `POST /kr/bin-update`,
//! and the shopper's saved cards (`DELETE /pay/payment-methods/{id}`, `PUT …/{id}/default`).
//! The session's client secret is the credential (in the body, or as a Bearer token for a read);
//! CORS and the per-client rate limit are the router's.

use super::{bearer, json_reply};
use crate::app::{ApiError, App};
use crate::extract;
use crate::openapi::responses::{BadGateway, BadRequest, Conflict, Forbidden, NotFound, PayloadTooLarge, TooManyRequests, Unauthorized, Unavailable, Unprocessable};
use crate::protocol::{Answer, PayRequest};
use crate::cards::{self, ProfileList};
use crate::sessions::{self, BinUpdate, FormToken};
use crate::pay;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Json;
use serde::Deserialize;
use utoipa::ToSchema;

/// Pays: one attempt, charged at most once per `Idempotency-Key` (Stripe's semantics).
#[utoipa::path(post, operation_id = "pay", path = "/pay", tag = "page", request_body = PayRequest,
    params(("Idempotency-Key" = String, Header, description = "A UUID v4 per attempt: the same key replays the stored answer and never charges twice.")),
    responses(
        (status = 200, description = "The attempt's answer; the same key and body replay it byte for byte.", body = Answer),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized), (status = 403, response = Forbidden),
        (status = 409, response = Conflict), (status = 413, response = PayloadTooLarge), (status = 422, response = Unprocessable),
        (status = 429, response = TooManyRequests), (status = 502, response = BadGateway), (status = 503, response = Unavailable),
    ))]
pub async fn pay_route(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Result<Response, ApiError> {
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok());
    let reply = pay::pay(&app, key, &body).await?;
    Ok(json_reply(reply.status, reply.body))
}

/// A payment of the session's order, read again from its provider while pending.
#[utoipa::path(get, operation_id = "getPayment", path = "/pay/{id}", tag = "page", security(("clientSecret" = [])),
    params(("id" = String, Path, description = "The `paymentId` of `POST /pay`'s answer.")),
    responses(
        (status = 200, description = "The payment's status now.", body = Answer),
        (status = 401, response = Unauthorized), (status = 404, response = NotFound),
        (status = 429, response = TooManyRequests), (status = 503, response = Unavailable),
    ))]
pub async fn status_route(State(app): State<App>, headers: HeaderMap, id: Result<Path<String>, PathRejection>) -> Result<Response, ApiError> {
    // The credential is checked before the id is even read: a read without it says nothing.
    let secret = bearer(&headers);
    let id = match id {
        Ok(Path(id)) => id,
        Err(_) => String::new(),
    };
    let answer = pay::status(&app, &id, secret).await?;
    Ok(json_reply(200, serde_json::to_string(&answer).expect("answers serialize")))
}

/// `POST /kr/form-token`'s body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FormTokenRequest {
    /// The KR session's client secret.
    #[serde(default)]
    pub client_secret: Option<String>,
}

/// The KR session's form token, for a page that lost it (a reload); `409` while its order is
/// paid or a payment of it is pending or in progress (Lyra's form charges without `POST /pay`).
#[utoipa::path(post, operation_id = "krFormToken", path = "/kr/form-token", tag = "page", request_body = FormTokenRequest,
    responses(
        (status = 200, description = "The session's form token.", body = FormToken),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized), (status = 409, response = Conflict), (status = 413, response = PayloadTooLarge),
        (status = 422, response = Unprocessable), (status = 429, response = TooManyRequests), (status = 503, response = Unavailable),
    ))]
pub async fn form_token_route(State(app): State<App>, extract::Json(b): extract::Json<FormTokenRequest>) -> Result<Json<FormToken>, ApiError> {
    Ok(Json(sessions::form_token_of(&app, b.client_secret.as_deref()).await?))
}

/// KR's BIN notification: the storefront's BIN rule (`LYRA_BIN_DISCOUNTS`) may lower the amount,
/// and the session charges the new one.
#[utoipa::path(post, operation_id = "krBinUpdate", path = "/kr/bin-update", tag = "page", request_body = BinUpdate,
    responses(
        (status = 200, description = "The form token to use from now on (the same one when no rule applies).", body = FormToken),
        (status = 400, response = BadRequest), (status = 413, response = PayloadTooLarge), (status = 422, response = Unprocessable),
        (status = 429, response = TooManyRequests), (status = 502, response = BadGateway), (status = 503, response = Unavailable),
    ))]
pub async fn bin_update_route(State(app): State<App>, extract::Json(b): extract::Json<BinUpdate>) -> Result<Json<FormToken>, ApiError> {
    Ok(Json(sessions::bin_update(&app, &b).await?))
}

/// The provider's way back (Conekta's 3-D Secure `return_url`, Bamboo's `Redirection`): the
/// payment is read again from its provider; framed, a page that tells the checkout the
/// challenge ended; as a page, `303` to the session's `returnUrl` with `?pasarela_payment=`.
#[utoipa::path(get, operation_id = "payReturn", path = "/pay/{id}/return", tag = "page",
    params(
        ("id" = String, Path, description = "The payment's id, as the provider was given it."),
        ("Sec-Fetch-Dest" = Option<String>, Header, description = "iframe: the challenge's frame; document: a full-page redirect's end."),
    ),
    responses(
        (status = 200, description = "A page whose one script (a CSP nonce) posts `{ source: 'pasarela', type: 'challenge_end', paymentId }` to its parent, \
            targeting each storefront origin; not framed, it goes to the session's returnUrl.", content_type = "text/html", body = String),
        (status = 303, description = "A full-page redirect ended: to the session's returnUrl with `?pasarela_payment=<paymentId>`.",
            headers(("Location" = String, description = "The storefront's returnUrl."))),
        (status = 404, response = NotFound), (status = 429, response = TooManyRequests), (status = 503, response = Unavailable),
    ))]
pub async fn return_route(State(app): State<App>, headers: HeaderMap, id: Result<Path<String>, PathRejection>) -> Result<Response, ApiError> {
    let id = id.map(|Path(id)| id).unwrap_or_default();
    crate::challenge::came_back(&app, &id, crate::challenge::Came::of(&headers)).await
}

/// The same way back, POSTed: Bamboo sends the shopper's browser back with a form (`PurchaseId`,
/// `Status`), which is not read (Bamboo: "we don't recommend taking the response as final").
#[utoipa::path(post, operation_id = "payReturnPost", path = "/pay/{id}/return", tag = "page",
    params(
        ("id" = String, Path, description = "The payment's id, as the provider was given it."),
        ("Sec-Fetch-Dest" = Option<String>, Header, description = "iframe: the challenge's frame; document: a full-page redirect's end."),
    ),
    responses(
        (status = 200, description = "As GET.", content_type = "text/html", body = String),
        (status = 303, description = "As GET.", headers(("Location" = String, description = "The storefront's returnUrl."))),
        (status = 404, response = NotFound), (status = 413, response = PayloadTooLarge), (status = 429, response = TooManyRequests),
        (status = 503, response = Unavailable),
    ))]
pub async fn return_post_route(State(app): State<App>, headers: HeaderMap, id: Result<Path<String>, PathRejection>) -> Result<Response, ApiError> {
    let id = id.map(|Path(id)| id).unwrap_or_default();
    crate::challenge::came_back(&app, &id, crate::challenge::Came::of(&headers)).await
}

/// Removes one of the session customer's saved cards: at its provider first, then here; `POST
/// /pay` refuses it from then on.
#[utoipa::path(delete, operation_id = "removePaymentMethod", path = "/pay/payment-methods/{id}", tag = "page", security(("clientSecret" = [])),
    params(("id" = String, Path, description = "A profile's `id` (the session's `profiles`).")),
    responses(
        (status = 204, description = "Removed at the provider and here."),
        (status = 401, response = Unauthorized), (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 429, response = TooManyRequests), (status = 502, response = BadGateway), (status = 503, response = Unavailable),
    ))]
pub async fn remove_card_route(State(app): State<App>, headers: HeaderMap, id: Result<Path<String>, PathRejection>) -> Result<StatusCode, ApiError> {
    // The credential first: without it, the same 401 whether or not the card exists.
    let session = cards::page_session(&app, bearer(&headers)).await?;
    let id = id.map(|Path(id)| id).unwrap_or_default();
    let card = cards::card_of(&app, session.customer_ref.as_deref(), Some(session.provider), &id).await?;
    cards::remove(&app, &card).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Makes one of the session customer's saved cards the default: listed first from now on.
#[utoipa::path(put, operation_id = "setDefaultPaymentMethod", path = "/pay/payment-methods/{id}/default", tag = "page", security(("clientSecret" = [])),
    params(("id" = String, Path, description = "A profile's `id` (the session's `profiles`).")),
    responses(
        (status = 200, description = "The customer's cards with the session's provider, the new default first.", body = ProfileList),
        (status = 401, response = Unauthorized), (status = 404, response = NotFound), (status = 429, response = TooManyRequests),
        (status = 503, response = Unavailable),
    ))]
pub async fn default_card_route(State(app): State<App>, headers: HeaderMap, id: Result<Path<String>, PathRejection>) -> Result<Json<ProfileList>, ApiError> {
    let session = cards::page_session(&app, bearer(&headers)).await?;
    let id = id.map(|Path(id)| id).unwrap_or_default();
    let card = cards::card_of(&app, session.customer_ref.as_deref(), Some(session.provider), &id).await?;
    Ok(Json(cards::make_default(&app, &card).await?))
}
