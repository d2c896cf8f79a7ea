//! Whether the service is up. `GET /health`: alive, it answers, whatever its database does (a
//! supervisor restarts on this one). `GET /ready`: it can serve, its database answers and holds
//! this binary's migrations (a load balancer sends traffic on this one).

use crate::app::{ApiError, App};
use crate::openapi::responses::Unavailable;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use std::time::Duration;
use utoipa::ToSchema;

/// `GET /health` and `GET /ready`'s answer: `{ "ok": true }`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// Always `true`: an answer at all is the news.
    pub ok: bool,
}

/// Whether the process answers: nothing else is checked.
#[utoipa::path(get, operation_id = "health", path = "/health", tag = "operations", responses((status = 200, description = "Alive.", body = Health)))]
pub async fn health() -> axum::Json<Health> {
    axum::Json(Health { ok: true })
}

/// How long `/ready` waits for the database: a probe wants an answer, not a hang on the pool.
const READY_WAIT: Duration = Duration::from_secs(3);

/// Whether the service can serve: the database answers a `SELECT 1` within 3 s and holds this
/// binary's newest migration.
#[utoipa::path(get, operation_id = "ready", path = "/ready", tag = "operations",
    responses((status = 200, description = "Ready.", body = Health), (status = 503, response = Unavailable)))]
pub async fn ready(State(app): State<App>) -> Result<axum::Json<Health>, ApiError> {
    let unavailable = |why: &str| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, why).retry_after(1);
    match tokio::time::timeout(READY_WAIT, crate::store::ready(&app.db)).await {
        Ok(Ok(true)) => Ok(axum::Json(Health { ok: true })),
        Ok(Ok(false)) => Err(unavailable("the database lacks this version's migrations")),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness: the database did not answer");
            Err(unavailable("the database does not answer"))
        }
        Err(_) => Err(unavailable("the database does not answer")),
    }
}
