//! The HTTP surface. Browser routes (`/pay`, `/kr/*`) answer CORS for the configured storefront
//! origins only; `/v1/*` is server to server with the secret key; `/webhooks/*` is for providers.

use crate::app::{ApiError, App};
use crate::{pay, sessions, store, webhooks};
use axum::body::Bytes;
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde_json::{json, Value};
use std::collections::HashMap;
use tower_http::cors::{AllowHeaders, AllowOrigin, CorsLayer};

/// The whole service.
pub fn router(app: App) -> Router {
    let origins: Vec<HeaderValue> = app.config.allowed_origins.iter().filter_map(|o| o.parse().ok()).collect();
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers(AllowHeaders::mirror_request())
        .expose_headers([header::RETRY_AFTER])
        .max_age(std::time::Duration::from_secs(600));
    let browser = Router::new()
        .route("/pay", post(pay_route))
        .route("/pay/{id}", get(status_route))
        .route("/kr/form-token", post(form_token_route))
        .route("/kr/bin-update", post(bin_update_route))
        .layer(cors);
    let backend = Router::new()
        .route("/v1/sessions", post(create_session))
        .route("/v1/customers/{id}", post(link_customer))
        .route("/v1/payments", get(list_payments))
        .route_layer(middleware::from_fn_with_state(app.clone(), require_secret_key));
    Router::new()
        .route("/health", get(|| async { Json(json!({ "ok": true })) }))
        .route("/webhooks/conekta", post(conekta_hook))
        .route("/webhooks/bamboo", post(bamboo_hook))
        .route("/webhooks/lyra", post(lyra_hook))
        .merge(browser)
        .merge(backend)
        .layer(middleware::from_fn(log_request))
        .with_state(app)
}

/// One line per request: method, route, status, time. Never a body, a query or a header.
async fn log_request(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let started = std::time::Instant::now();
    let res = next.run(req).await;
    tracing::info!(%method, path = %path, status = res.status().as_u16(), ms = started.elapsed().as_millis() as u64, "request");
    res
}

async fn require_secret_key(State(app): State<App>, req: Request, next: Next) -> Response {
    let presented = req.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    match presented {
        Some(k) if app.secret_key.matches(k) => next.run(req).await,
        _ => ApiError::new(StatusCode::UNAUTHORIZED, "Authorization: Bearer <secret key> required").into_response(),
    }
}

fn json_reply(status: u16, body: String) -> Response {
    let mut r = (StatusCode::from_u16(status).unwrap_or(StatusCode::OK), body).into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn body_json(body: &Bytes) -> Result<Value, ApiError> {
    serde_json::from_slice(body).map_err(|_| ApiError::invalid("body", "the body is not JSON"))
}

async fn pay_route(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Result<Response, ApiError> {
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok());
    let reply = pay::pay(&app, key, &body).await?;
    Ok(json_reply(reply.status, reply.body))
}

async fn status_route(State(app): State<App>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let answer = pay::status(&app, &id).await?;
    Ok(json_reply(200, serde_json::to_string(&answer).expect("answers serialize")))
}

async fn form_token_route(State(app): State<App>, body: Bytes) -> Result<Json<Value>, ApiError> {
    let b = body_json(&body)?;
    Ok(Json(sessions::form_token_of(&app, b.get("clientSecret").and_then(Value::as_str)).await?))
}

async fn bin_update_route(State(app): State<App>, body: Bytes) -> Result<Json<Value>, ApiError> {
    Ok(Json(sessions::bin_update(&app, &body_json(&body)?).await?))
}

async fn create_session(State(app): State<App>, body: Bytes) -> Result<Json<Value>, ApiError> {
    let req: sessions::NewSession = serde_json::from_slice(&body).map_err(|e| {
        let field = e.to_string().split('`').nth(1).unwrap_or("body").to_owned();
        ApiError::invalid(&field, format!("invalid session: {e}"))
    })?;
    Ok(Json(sessions::create(&app, req).await?))
}

async fn link_customer(State(app): State<App>, Path(id): Path<String>, body: Bytes) -> Result<Json<Value>, ApiError> {
    let req: sessions::LinkCustomer = serde_json::from_slice(&body).map_err(|e| ApiError::invalid("body", format!("invalid link: {e}")))?;
    Ok(Json(sessions::link(&app, &id, req).await?))
}

async fn list_payments(State(app): State<App>, Query(q): Query<HashMap<String, String>>) -> Result<Json<Value>, ApiError> {
    let list = store::payments(&app.db, q.get("orderId").map(String::as_str)).await?;
    let data: Vec<Value> = list
        .iter()
        .map(|p| {
            json!({ "id": p.id, "provider": p.provider.as_str(), "orderId": p.order_id, "amount": p.amount, "currency": p.currency,
                "status": p.status.as_str(), "message": p.message, "providerRef": p.provider_ref, "sessionId": p.session_id })
        })
        .collect();
    Ok(Json(json!({ "data": data })))
}

async fn conekta_hook(State(app): State<App>, body: Bytes) -> Result<Json<Value>, ApiError> {
    Ok(Json(webhooks::conekta(&app, &body_json(&body)?).await?))
}

async fn bamboo_hook(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Result<Json<Value>, ApiError> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let signed = webhooks::BambooSignature { date_sent: header("dateSent"), signature: header("signature") };
    Ok(Json(webhooks::bamboo(&app, &body_json(&body)?, signed).await?))
}

async fn lyra_hook(State(app): State<App>, Form(form): Form<HashMap<String, String>>) -> Result<Json<Value>, ApiError> {
    Ok(Json(webhooks::lyra(&app, &form).await?))
}
