//! The HTTP surface. Browser routes (`/pay`, `/kr/*`) answer CORS for the configured storefront
//! origins only; `/v1/*` is server to server with the secret key; `/webhooks/*` is for providers.

use crate::app::{ApiError, App};
use crate::sessions::{FormToken, LinkedCustomer, SessionAnswer};
use crate::webhooks::Receipt;
use crate::{health, pay, payments, sessions, webhooks};
use axum::body::Bytes;
use axum::extract::rejection::{FormRejection, PathRejection};
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use crate::extract;
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashMap;
use tower_http::catch_panic::CatchPanicLayer;
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
    let mut browser = Router::new()
        .route("/pay", post(pay_route))
        .route("/pay/{id}", get(status_route))
        .route("/kr/form-token", post(form_token_route))
        .route("/kr/bin-update", post(bin_update_route));
    if let Some(limit) = crate::limit::per_client(app.config.rate_limit) {
        browser = browser.layer(limit);
    }
    let browser = browser.layer(cors);
    let backend = Router::new()
        .route("/v1/sessions", post(create_session))
        .route("/v1/customers/{id}", post(link_customer))
        .route("/v1/payments", get(payments::list))
        .route_layer(middleware::from_fn_with_state(app.clone(), require_secret_key));
    Router::new()
        .route("/health", get(health::health))
        .route("/webhooks/conekta", post(conekta_hook))
        .route("/webhooks/bamboo", post(bamboo_hook))
        .route("/webhooks/lyra", post(lyra_hook))
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

async fn pay_route(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Result<Response, ApiError> {
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok());
    let reply = pay::pay(&app, key, &body).await?;
    Ok(json_reply(reply.status, reply.body))
}

async fn status_route(State(app): State<App>, headers: HeaderMap, id: Result<Path<String>, PathRejection>) -> Result<Response, ApiError> {
    // The credential is checked before the id is even read: a read without it says nothing.
    let secret = bearer(&headers);
    let id = match id {
        Ok(Path(id)) => id,
        Err(_) => String::new(),
    };
    let answer = pay::status(&app, &id, secret).await?;
    Ok(json_reply(200, serde_json::to_string(&answer).expect("answers serialize")))
}

/// `POST /kr/form-token`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FormTokenRequest {
    #[serde(default)]
    client_secret: Option<String>,
}

async fn form_token_route(State(app): State<App>, extract::Json(b): extract::Json<FormTokenRequest>) -> Result<Json<FormToken>, ApiError> {
    Ok(Json(sessions::form_token_of(&app, b.client_secret.as_deref()).await?))
}

async fn bin_update_route(State(app): State<App>, extract::Json(b): extract::Json<sessions::BinUpdate>) -> Result<Json<FormToken>, ApiError> {
    Ok(Json(sessions::bin_update(&app, &b).await?))
}

async fn create_session(State(app): State<App>, extract::Json(req): extract::Json<sessions::NewSession>) -> Result<Json<SessionAnswer>, ApiError> {
    Ok(Json(sessions::create(&app, req).await?))
}

async fn link_customer(
    State(app): State<App>,
    id: Result<Path<String>, PathRejection>,
    extract::Json(req): extract::Json<sessions::LinkCustomer>,
) -> Result<Json<LinkedCustomer>, ApiError> {
    let id = path_id(id, "customerId")?;
    if id.is_empty() || id.len() > 128 {
        return Err(ApiError::invalid("customerId", "the customer id must be 1 to 128 characters"));
    }
    Ok(Json(sessions::link(&app, &id, req).await?))
}

async fn conekta_hook(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Result<Json<Receipt>, ApiError> {
    let digest = headers.get("digest").and_then(|v| v.to_str().ok());
    Ok(Json(webhooks::conekta(&app, &body, digest).await?))
}

async fn bamboo_hook(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Result<Json<Receipt>, ApiError> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let signed = webhooks::BambooSignature { date_sent: header("dateSent"), signature: header("signature") };
    let n: Value = extract::read(&body)?;
    Ok(Json(webhooks::bamboo(&app, &n, signed).await?))
}

async fn lyra_hook(State(app): State<App>, form: Result<Form<HashMap<String, String>>, FormRejection>) -> Result<Json<Receipt>, ApiError> {
    let Form(form) = form.map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, "the body is not a form").field("body"))?;
    for (k, v) in &form {
        // A field is named only when it is one of Lyra's: an unknown key is the caller's text.
        let field = if k.starts_with("kr-") && k.len() < 32 && !k.contains('\0') { k.as_str() } else { "body" };
        extract::text_ok(field, k)?;
        extract::text_ok(field, v)?;
    }
    Ok(Json(webhooks::lyra(&app, &form).await?))
}
