//! The service's OpenAPI 3.1 document, made by `utoipa` from the handlers' `#[utoipa::path]` and
//! the request and answer types themselves, so it cannot drift from them: served at
//! `GET /openapi.json`, printed by `pasarela-server --openapi`, and shipped as docs/openapi.json
//! (scripts/check-openapi.mjs holds the three equal, and the live service to the document).

pub mod responses;
pub mod schema;

use crate::routes::{backend, hooks, page};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use responses::{BadGateway, BadRequest, Conflict, Forbidden, NotFound, PayloadTooLarge, TooManyRequests, Unauthorized, Unavailable, Unprocessable};
use std::sync::OnceLock;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::OpenApi;

/// The document: every route, its bodies, every answer it may give.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "pasarela-server",
        description = "The merchant side of Pasarela: the storefront's backend opens checkout sessions with its secret key; \
            the page pays with the session's client secret; the service charges Bamboo, Conekta or Lyra KR exactly once per \
            attempt and follows the providers' webhooks. Every refusal is JSON `{ error, field?, code?, paymentId? }`.",
        license(name = "MIT", identifier = "MIT"),
    ),
    paths(
        page::pay_route, page::status_route, page::return_route, page::return_post_route, page::form_token_route, page::bin_update_route,
        page::remove_card_route, page::default_card_route,
        backend::create_session, backend::link_customer, backend::list_cards, backend::remove_card, backend::list_payments, backend::get_payment, backend::list_events,
        hooks::conekta_hook, hooks::bamboo_hook, hooks::lyra_hook,
        crate::health::health, crate::health::ready, crate::metrics::serve, serve,
    ),
    components(schemas(crate::protocol::ErrorBody, schema::Voucher), responses(BadRequest, Unauthorized, Forbidden, NotFound, Conflict, PayloadTooLarge, Unprocessable, TooManyRequests, BadGateway, Unavailable)),
    modifiers(&Credentials),
    tags(
        (name = "page", description = "The checkout page's calls (CORS for PASARELA_ALLOWED_ORIGINS, rate-limited per client)."),
        (name = "backend", description = "The storefront backend's calls, with the secret key."),
        (name = "webhooks", description = "The providers' notifications, each verified as its provider documents."),
        (name = "operations", description = "For supervisors and operators."),
    ),
)]
pub struct ApiDoc;

/// The two credentials: the backend's secret key and a session's client secret, both Bearer.
struct Credentials;

impl utoipa::Modify for Credentials {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let bearer = |about: &str| {
            let mut http = Http::new(HttpAuthScheme::Bearer);
            http.description = Some(about.to_owned());
            SecurityScheme::Http(http)
        };
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme("backendKey", bearer("The storefront backend's secret key (PASARELA_SECRET_KEY, or the generated one)."));
        components.add_security_scheme("clientSecret", bearer("A session's client secret (POST /v1/sessions's clientSecret)."));
    }
}

/// The document as pretty JSON, built once.
pub fn json() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| {
        let mut doc = ApiDoc::openapi();
        doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
        doc.to_pretty_json().expect("the document serializes") + "\n"
    })
}

/// This document.
#[utoipa::path(get, operation_id = "openapi", path = "/openapi.json", tag = "operations",
    responses((status = 200, description = "The OpenAPI 3.1 document of this service.", content_type = "application/json", body = Object)))]
pub async fn serve() -> Response {
    let mut r = json().into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}
