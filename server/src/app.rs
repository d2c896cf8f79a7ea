//! The service's shared state and its one error type.

use crate::config::{Config, Secret};
use crate::protocol::ErrorBody;
use crate::providers::{http_client, ProviderError, Providers};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sqlx::AnyPool;

/// What every request handler shares.
#[derive(Clone, Debug)]
pub struct App {
    pub db: AnyPool,
    pub config: Config,
    /// The storefront backend's key for `/v1/*`.
    pub secret_key: Secret,
    /// The providers the configuration enables, one API each.
    pub providers: Providers,
    /// What `GET /metrics` renders.
    pub metrics: metrics_exporter_prometheus::PrometheusHandle,
}

impl App {
    /// Builds the provider clients the configuration enables.
    pub fn new(db: AnyPool, config: Config, secret_key: Secret) -> Self {
        let providers = Providers::from_config(&config, &http_client(config.provider_timeout));
        Self { db, config, secret_key, providers, metrics: crate::metrics::handle() }
    }

    /// For unit tests: a service configured by `vars`, on a SQLite database of its own, or on the
    /// test Postgres when `PASARELA_TEST_DATABASE_URL` names one.
    #[cfg(test)]
    pub async fn for_test(vars: &[(&str, &str)]) -> Self {
        let dir = std::env::temp_dir().join(format!("pasarela-unit-{}-{}", std::process::id(), random_text(8)));
        std::fs::create_dir_all(&dir).unwrap();
        let url = match std::env::var("PASARELA_TEST_DATABASE_URL") {
            Ok(pg) => pg,
            Err(_) => format!("sqlite://{}?mode=rwc", dir.join("db.sqlite").display()),
        };
        let vars = vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        let config = Config::from_vars(&vars).unwrap();
        Self::new(crate::store::connect(&url).await.unwrap(), config, Secret::new("sk_test"))
    }

    /// This service's URL as the shopper's browser reaches it, without a trailing slash:
    /// `PASARELA_PUBLIC_URL`, or (a loopback listener, config.rs) `http://` and the address this
    /// process listens on (the bound port when `PASARELA_LISTEN` asked for any).
    pub fn public_url(&self) -> String {
        match &self.config.public_url {
            Some(u) => u.clone(),
            None => format!("http://{}", LISTENING.get().copied().unwrap_or(self.config.listen)),
        }
    }
}

/// The address this process listens on, once bound (`main`).
static LISTENING: std::sync::OnceLock<std::net::SocketAddr> = std::sync::OnceLock::new();

/// Records the address the listener was bound to (the default public URL's).
pub fn listening_on(addr: std::net::SocketAddr) {
    let _ = LISTENING.set(addr);
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
        Self { status, body: ErrorBody { error: error.into(), ..ErrorBody::default() }, retry_after: None }
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
    /// A stable word to branch on (`order_already_paid`, …).
    pub fn code(mut self, code: &'static str) -> Self {
        self.body.code = Some(code);
        self
    }
    /// The payment the answer is about.
    pub fn payment(mut self, id: impl Into<String>) -> Self {
        self.body.payment_id = Some(id.into());
        self
    }
    /// Asks the caller to retry after `s` seconds.
    pub fn retry_after(mut self, s: u32) -> Self {
        self.retry_after = Some(s);
        self
    }
}

impl From<sqlx::Error> for ApiError {
    /// Bad data or a broken constraint is the caller's (4xx); a database that cannot be reached
    /// is worth a retry (503); anything else is the service's own fault (500). Input is checked
    /// at the edge (`extract`), so the first kind is a last line of defence.
    fn from(e: sqlx::Error) -> Self {
        use sqlx::Error as E;
        let code = match &e {
            E::Database(d) => d.code().map(|c| c.into_owned()),
            _ => None,
        };
        match (&e, code.as_deref().map(|c| c.get(..2).unwrap_or(c))) {
            // SQLSTATE class 22: data exception (an invalid byte sequence, a value too long).
            (E::Database(_), Some("22")) => {
                tracing::warn!(error = %e, "database refused the data");
                ApiError::new(StatusCode::BAD_REQUEST, "the request holds data that cannot be stored")
            }
            // Class 23: integrity constraint (SQLite's codes are numbers: 19, 1555, 2067, …).
            (E::Database(d), class) if class == Some("23") || d.is_unique_violation() || d.is_foreign_key_violation() || d.is_check_violation() => {
                tracing::warn!(error = %e, "database constraint");
                ApiError::new(StatusCode::CONFLICT, "the request conflicts with stored data").retry_after(1)
            }
            (E::Io(_) | E::Tls(_) | E::PoolTimedOut | E::PoolClosed | E::WorkerCrashed | E::Protocol(_), _) => {
                tracing::error!(error = %e, "database unreachable");
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "storage unavailable").retry_after(1)
            }
            // Postgres 08 (connection), 53 (resources), 57 (shutdown, cancelled: statement_timeout
            // too), 40 (rollback: serialization, deadlock), 55P03 (lock_timeout); SQLite's busy
            // and locked (5, 6) after busy_timeout.
            (E::Database(_), Some("08" | "53" | "57" | "40" | "5" | "6")) => {
                tracing::error!(error = %e, "database busy or unreachable");
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "storage unavailable").retry_after(1)
            }
            (E::Database(_), _) if code.as_deref() == Some("55P03") => {
                tracing::error!(error = %e, "database lock wait timed out");
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "storage unavailable").retry_after(1)
            }
            _ => {
                tracing::error!(error = %e, "database error");
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
            }
        }
    }
}

/// A panic in a handler answers `500` JSON (tower-http's `CatchPanicLayer`) instead of dropping the
/// connection; what panicked is logged, never sent.
pub fn panic_answer(err: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let what = err.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| err.downcast_ref::<String>().cloned()).unwrap_or_default();
    tracing::error!(panic = %crate::redact::redact(&what), "handler panicked");
    ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
}

impl From<ProviderError> for ApiError {
    fn from(e: ProviderError) -> Self {
        tracing::warn!(error = %e, "provider call failed");
        match e {
            ProviderError::Unavailable(_) => ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "provider unavailable").retry_after(1),
            // `pay` holds the attempt for as long again and sets `Retry-After` to match.
            ProviderError::TimedOut(_) => {
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "provider did not answer in time").code("provider_timeout").retry_after(1)
            }
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
