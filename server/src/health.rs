//! Whether the service is alive (`GET /health`): it answers, whatever its database does. A load
//! balancer or a supervisor restarts on this one.

use serde::Serialize;

/// `GET /health`'s answer: `{ "ok": true }`.
#[derive(Debug, Serialize)]
pub struct Health {
    /// Always `true`: an answer at all is the news.
    pub ok: bool,
}

/// `GET /health`.
pub async fn health() -> axum::Json<Health> {
    axum::Json(Health { ok: true })
}
