//! The HTTP surface: the router, its layers, and the handlers by audience. Browser routes
//! ([`page`]: `/pay`, `/kr/*`) answer CORS for the configured storefront origins only; `/v1/*`
//! ([`backend`]) and `/metrics` are server to server with the secret key; `/webhooks/*`
//! ([`hooks`]) is for providers; `/health`, `/ready` and `/openapi.json` are open. Every route is
//! in the OpenAPI document (`openapi`), and scripts/check-openapi.mjs reads this file's
//! `.route(…)` calls to hold the two equal.

pub mod backend;
pub mod hooks;
pub mod page;

use crate::app::{ApiError, App};
use crate::{extract, health, openapi};
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowHeaders, AllowOrigin, CorsLayer};

/// The whole service.
pub fn router(app: App) -> Router {
    let origins: Vec<HeaderValue> = app.config.allowed_origins.iter().filter_map(|o| o.parse().ok()).collect();
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
        .allow_headers(AllowHeaders::mirror_request())
        .expose_headers([header::RETRY_AFTER])
        .max_age(std::time::Duration::from_secs(600));
    let mut browser = Router::new()
        .route("/pay", post(page::pay_route))
        .route("/pay/{id}", get(page::status_route))
        // The providers' way back (3-D Secure, a bank's site): crate::challenge.
        .route("/pay/{id}/return", get(page::return_route))
        .route("/pay/{id}/return", post(page::return_post_route))
        .route("/kr/form-token", post(page::form_token_route))
        .route("/kr/bin-update", post(page::bin_update_route))
        // The shopper's saved cards (crate::cards), with the session's client secret.
        .route("/pay/payment-methods/{id}", delete(page::remove_card_route))
        .route("/pay/payment-methods/{id}/default", put(page::default_card_route));
    if let Some(limit) = crate::limit::per_client(app.config.rate_limit) {
        browser = browser.layer(limit);
    }
    let browser = browser.layer(cors);
    let backend = Router::new()
        .route("/v1/sessions", post(backend::create_session))
        .route("/v1/customers/{id}", post(backend::link_customer))
        .route("/v1/customers/{id}/payment-methods", get(backend::list_cards))
        .route("/v1/customers/{id}/payment-methods/{profileId}", delete(backend::remove_card))
        .route("/v1/payments", get(backend::list_payments))
        .route("/v1/payments/{id}", get(backend::get_payment))
        .route("/v1/events", get(backend::list_events))
        // Volumes and outcomes are the merchant's business: the backend's key reads them.
        .route("/metrics", get(crate::metrics::serve))
        .route_layer(middleware::from_fn_with_state(app.clone(), require_secret_key));
    Router::new()
        .route("/health", get(health::health))
        .route("/ready", get(health::ready))
        .route("/openapi.json", get(openapi::serve))
        .route("/webhooks/conekta", post(hooks::conekta_hook))
        .route("/webhooks/bamboo", post(hooks::bamboo_hook))
        .route("/webhooks/lyra", post(hooks::lyra_hook))
        .merge(browser)
        .merge(backend)
        .fallback(|| async { ApiError::new(StatusCode::NOT_FOUND, "no such route") })
        .layer(middleware::from_fn(json_errors))
        .layer(CatchPanicLayer::custom(crate::app::panic_answer))
        .layer(middleware::from_fn(log_request))
        .with_state(app)
}

/// Every refusal is the service's JSON `{ error }`, also those axum and its layers answer
/// themselves with plain text or nothing (405, 413, a body that never arrived).
async fn json_errors(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    let status = res.status();
    let is_json = res.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return res;
    }
    let why = status.canonical_reason().unwrap_or("refused").to_ascii_lowercase();
    let mut answer = ApiError::new(status, why).into_response();
    for name in [header::RETRY_AFTER, header::ALLOW] {
        if let Some(v) = res.headers().get(&name) {
            answer.headers_mut().insert(name, v.clone());
        }
    }
    answer
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

/// A path segment that axum could not read (bad percent-encoding) or that holds NUL.
fn path_id(id: Result<Path<String>, PathRejection>, field: &str) -> Result<String, ApiError> {
    let Path(id) = id.map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, format!("{field} is not valid text")).field(field))?;
    extract::text_ok(field, &id)?;
    Ok(id)
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer ")).map(str::trim)
}
