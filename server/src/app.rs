//! The service's shared state and its one error type.

use crate::config::{Config, Secret};
use crate::protocol::{ErrorBody, Provider};
use crate::providers::{bamboo::Bamboo, conekta::Conekta, http_client, kr::Kr, ProviderError};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use pasarela::domain::ProviderId;
use sqlx::AnyPool;

/// What every request handler shares.
#[derive(Clone, Debug)]
pub struct App {
    pub db: AnyPool,
    pub config: Config,
    /// The storefront backend's key for `/v1/*`.
    pub secret_key: Secret,
    pub bamboo: Option<Bamboo>,
    pub conekta: Option<Conekta>,
    pub kr: Option<Kr>,
}

impl App {
    /// Builds the provider clients the configuration enables.
    pub fn new(db: AnyPool, config: Config, secret_key: Secret) -> Self {
        let http = http_client(config.provider_timeout);
        Self {
            bamboo: config.bamboo.clone().map(|config| Bamboo { config, http: http.clone() }),
            conekta: config.conekta.clone().map(|config| Conekta { config, http: http.clone() }),
            kr: config.lyra.clone().map(|config| Kr { config, http: http.clone() }),
            db,
            config,
            secret_key,
        }
    }

    /// Refuses a provider this service has no keys for.
    pub fn require(&self, p: Provider) -> Result<(), ApiError> {
        let on = match p.0 {
            ProviderId::Bamboo => self.bamboo.is_some(),
            ProviderId::Conekta => self.conekta.is_some(),
            ProviderId::Kr => self.kr.is_some(),
        };
        if on {
            Ok(())
        } else {
            Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, format!("provider {} is not configured", p.as_str())).field("provider"))
        }
    }
}

/// An HTTP error answer: `{ error, field? }`, with `Retry-After` when retrying may help.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ErrorBody,
    pub retry_after: Option<u32>,
}

impl ApiError {
    /// An error with a message.
    pub fn new(status: StatusCode, error: impl Into<String>) -> Self {
        Self { status, body: ErrorBody { error: error.into(), field: None }, retry_after: None }
    }
    /// 422 naming the field.
    pub fn invalid(field: &str, why: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, why).field(field)
    }
    /// Names the field at fault.
    pub fn field(mut self, f: &str) -> Self {
        self.body.field = Some(f.to_owned());
        self
    }
    /// Asks the caller to retry after `s` seconds.
    pub fn retry_after(mut self, s: u32) -> Self {
        self.retry_after = Some(s);
        self
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        tracing::error!(error = %e, "database error");
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "storage unavailable").retry_after(1)
    }
}

impl From<ProviderError> for ApiError {
    fn from(e: ProviderError) -> Self {
        tracing::warn!(error = %e, "provider call failed");
        match e {
            ProviderError::Unavailable(_) => ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "provider unavailable").retry_after(1),
            ProviderError::Refused(_) => ApiError::new(StatusCode::BAD_GATEWAY, "provider refused the request"),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut r = (self.status, axum::Json(self.body)).into_response();
        if let Some(s) = self.retry_after {
            r.headers_mut().insert("Retry-After", HeaderValue::from(s));
        }
        r.headers_mut().insert("Cache-Control", HeaderValue::from_static("no-store"));
        r
    }
}

/// Random URL-safe text of `n` characters (ids, client secrets).
pub fn random_text(n: usize) -> String {
    use rand::distributions::{Alphanumeric, DistString};
    Alphanumeric.sample_string(&mut rand::rngs::OsRng, n)
}

/// Hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(bytes))
}
