//! The storefront backend's routes (`/v1/*`), server to server with the secret key (the router's
//! `require_secret_key`): sessions, customers' existing cards, the payments list, one payment,
//! and the events of payment state changes (what `PASARELA_NOTIFY_URL` receives, for backends
//! that poll).

use super::path_id;
use crate::app::{ApiError, App};
use crate::cards::{self, CardList};
use crate::extract;
use crate::notify::{outbox, EventList, EventsQuery};
use crate::openapi::responses::{BadGateway, BadRequest, Conflict, NotFound, PayloadTooLarge, Unauthorized, Unavailable, Unprocessable};
use crate::payments::{PaymentList, PaymentRecord, PaymentsQuery};
use crate::sessions::{self, LinkCustomer, LinkedCustomer, NewSession, SessionAnswer};
use crate::store;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;

/// Opens a checkout session: the price, the customer, what may be kept; the page gets its client
/// secret.
#[utoipa::path(post, operation_id = "createSession", path = "/v1/sessions", tag = "backend", security(("backendKey" = [])), request_body = NewSession,
    responses(
        (status = 200, description = "The session: pass `clientSecret` (and `profiles`, `bamboo`, `kr`) to the page.", body = SessionAnswer),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized), (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge), (status = 422, response = Unprocessable), (status = 502, response = BadGateway),
        (status = 503, response = Unavailable),
    ))]
pub async fn create_session(State(app): State<App>, extract::Json(req): extract::Json<NewSession>) -> Result<Json<SessionAnswer>, ApiError> {
    Ok(Json(sessions::create(&app, req).await?))
}

/// Links the provider customers and cards a storefront already has to its customer id: a
/// provider customer id not of its provider's shape is `422` (`bamboo`, `conekta`); a customer
/// linked to another one already is `409 customer_already_linked` (the same id again is `200`).
#[utoipa::path(post, operation_id = "linkCustomer", path = "/v1/customers/{id}", tag = "backend", security(("backendKey" = [])), request_body = LinkCustomer,
    params(("id" = String, Path, description = "The storefront's customer id, 1 to 128 characters.")),
    responses(
        (status = 200, description = "Linked (or linked already to these ids).", body = LinkedCustomer),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized), (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge), (status = 422, response = Unprocessable), (status = 503, response = Unavailable),
    ))]
pub async fn link_customer(
    State(app): State<App>,
    id: Result<Path<String>, PathRejection>,
    extract::Json(req): extract::Json<LinkCustomer>,
) -> Result<Json<LinkedCustomer>, ApiError> {
    let id = path_id(id, "customerId")?;
    if id.is_empty() || id.len() > 128 {
        return Err(ApiError::invalid("customerId", "the customer id must be 1 to 128 characters"));
    }
    Ok(Json(sessions::link(&app, &id, req).await?))
}

/// A customer's saved cards, with every provider (each provider's default first).
#[utoipa::path(get, operation_id = "listCustomerPaymentMethods", path = "/v1/customers/{id}/payment-methods", tag = "backend", security(("backendKey" = [])),
    params(("id" = String, Path, description = "The storefront's customer id.")),
    responses(
        (status = 200, description = "The cards (display fields and provider only).", body = CardList),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized), (status = 503, response = Unavailable),
    ))]
pub async fn list_cards(State(app): State<App>, id: Result<Path<String>, PathRejection>) -> Result<Json<CardList>, ApiError> {
    let id = path_id(id, "customerId")?;
    Ok(Json(cards::list(&app, &id).await?))
}

/// Removes a customer's saved card: at its provider first, then here.
#[utoipa::path(delete, operation_id = "removeCustomerPaymentMethod", path = "/v1/customers/{id}/payment-methods/{profileId}", tag = "backend",
    security(("backendKey" = [])),
    params(("id" = String, Path, description = "The storefront's customer id."), ("profileId" = String, Path, description = "The card's `id`.")),
    responses(
        (status = 204, description = "Removed at the provider and here."),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized), (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 502, response = BadGateway), (status = 503, response = Unavailable),
    ))]
pub async fn remove_card(State(app): State<App>, ids: Result<Path<(String, String)>, PathRejection>) -> Result<StatusCode, ApiError> {
    let Path((customer, profile)) = ids.map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, "the path is not valid text").field("path"))?;
    extract::text_ok("customerId", &customer)?;
    let card = cards::card_of(&app, Some(&customer), None, &profile).await?;
    cards::remove(&app, &card).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The payments this service recorded, newest first: the storefront reconciles its orders.
#[utoipa::path(get, operation_id = "listPayments", path = "/v1/payments", tag = "backend", security(("backendKey" = [])), params(PaymentsQuery),
    responses(
        (status = 200, description = "The payments.", body = PaymentList),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized), (status = 503, response = Unavailable),
    ))]
pub async fn list_payments(State(app): State<App>, q: Result<Query<PaymentsQuery>, QueryRejection>) -> Result<Json<PaymentList>, ApiError> {
    let Query(q) = q.map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, "the query is not valid").field("query"))?;
    if let Some(o) = &q.order_id {
        extract::text_ok("orderId", o)?;
    }
    let list = store::payments(&app.db, q.order_id.as_deref()).await?;
    Ok(Json(PaymentList { data: list.into_iter().map(PaymentRecord::from).collect() }))
}

/// One payment, as stored now (no provider call: webhooks, the page's reads and reconciliations
/// move it); what a `payment.updated` event's `data` describes.
#[utoipa::path(get, operation_id = "getBackendPayment", path = "/v1/payments/{id}", tag = "backend", security(("backendKey" = [])),
    params(("id" = String, Path, description = "A `paymentId` (`pay_…`).")),
    responses(
        (status = 200, description = "The payment.", body = PaymentRecord),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized), (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    ))]
pub async fn get_payment(State(app): State<App>, id: Result<Path<String>, PathRejection>) -> Result<Json<PaymentRecord>, ApiError> {
    let id = path_id(id, "paymentId")?;
    let unknown = || ApiError::new(StatusCode::NOT_FOUND, "unknown payment").field("paymentId");
    if !crate::pay::is_payment_id(&id) {
        return Err(unknown());
    }
    let p = store::payment(&app.db, &id).await?.ok_or_else(unknown)?;
    Ok(Json(PaymentRecord::from(p)))
}

/// The events of payment state changes, oldest first: the ones `PASARELA_NOTIFY_URL` is sent
/// (each with its `id`), for a backend that polls or catches up after it was down.
#[utoipa::path(get, operation_id = "listEvents", path = "/v1/events", tag = "backend", security(("backendKey" = [])), params(EventsQuery),
    responses(
        (status = 200, description = "A page of events in creation order; with `hasMore`, ask again `after` the last.", body = EventList),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized), (status = 422, response = Unprocessable),
        (status = 503, response = Unavailable),
    ))]
pub async fn list_events(State(app): State<App>, q: Result<Query<EventsQuery>, QueryRejection>) -> Result<Json<EventList>, ApiError> {
    let Query(q) = q.map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, "the query is not valid").field("query"))?;
    let limit = q.limit.unwrap_or(100);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::invalid("limit", "limit must be 1 to 100"));
    }
    let after = match q.after.as_deref() {
        None | Some("") => 0,
        Some(id) => {
            extract::text_ok("after", id)?;
            let unknown = || ApiError::invalid("after", "no event has this id");
            if !is_event_id(id) {
                return Err(unknown());
            }
            outbox::seq_of(&app.db, id).await?.ok_or_else(unknown)?
        }
    };
    let (bodies, has_more) = outbox::page(&app.db, after, i64::from(limit)).await?;
    let data = bodies.iter().map(|b| serde_json::from_str(b)).collect::<Result<_, _>>().map_err(|e| {
        tracing::error!(error = %e, "a stored event is not JSON");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
    })?;
    Ok(Json(EventList { data, has_more }))
}

/// `evt_` and 24 letters or digits, the shape of the ids the service makes.
fn is_event_id(id: &str) -> bool {
    id.strip_prefix("evt_").is_some_and(|r| r.len() == 24 && r.bytes().all(|b| b.is_ascii_alphanumeric()))
}
