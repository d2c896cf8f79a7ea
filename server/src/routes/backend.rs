//! The storefront backend's routes (`/v1/*`), server to server with the secret key (the router's
//! `require_secret_key`): sessions, customers' existing cards, the payments list.

use super::path_id;
use crate::app::{ApiError, App};
use crate::extract;
use crate::openapi::responses::{BadGateway, BadRequest, Conflict, PayloadTooLarge, Unauthorized, Unavailable, Unprocessable};
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

/// Links the provider customers and cards a storefront already has to its customer id.
#[utoipa::path(post, operation_id = "linkCustomer", path = "/v1/customers/{id}", tag = "backend", security(("backendKey" = [])), request_body = LinkCustomer,
    params(("id" = String, Path, description = "The storefront's customer id, 1 to 128 characters.")),
    responses(
        (status = 200, description = "Linked.", body = LinkedCustomer),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized), (status = 413, response = PayloadTooLarge),
        (status = 422, response = Unprocessable), (status = 503, response = Unavailable),
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
