//! Whether the service is alive (`GET /health`): it answers, whatever its database does. A load
//! balancer or a supervisor restarts on this one.

use serde::Serialize;
use utoipa::ToSchema;

/// `GET /health`'s answer: `{ "ok": true }`.
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
