//! # pasarela-server
//!
//! The merchant side of Pasarela: a service a storefront runs beside its own backend. The
//! backend opens checkout sessions with its secret key; the page pays with the session's client
//! secret; the service charges Bamboo, Conekta or Lyra exactly once per attempt, keeps saved
//! cards' secrets, and follows the providers' webhooks.
//!
//! Where things live: `config` (environment), `store` (SQLite / Postgres), `protocol` (the wire
//! of docs/api.md §4), `extract` (typed bodies whose refusals name the field), `sessions` (the
//! price and the customer), `installments` (offers: French amortisation, TEA, CFT), `pay` (one attempt, exactly once), `reconcile` (attempts nobody came back for), `payments` (the backend's list),
//! `providers` (one `ProviderApi` per provider), `cards` (saved cards the shopper manages), `vouchers` (cash and transfers: lifetimes, dates,
//! lapses), `challenge` (3-D Secure framed in the page, the providers' way back), `webhooks`,
//! `health` (alive, ready), `metrics`
//! (Prometheus), `notify` (the storefront's notifications), `routes` (HTTP), `openapi` (the
//! document of `routes`), `redact` (logs).
#![deny(missing_docs)]

#[allow(missing_docs)]
pub mod app;
pub mod cards;
pub mod challenge;
pub mod config;
pub mod extract;
pub mod health;
pub mod installments;
pub mod limit;
pub mod metrics;
pub mod notify;
pub mod openapi;
pub mod pay;
pub mod payments;
#[allow(missing_docs)]
pub mod protocol;
#[allow(missing_docs)]
pub mod providers;
pub mod reconcile;
pub mod redact;
pub mod routes;
#[allow(missing_docs)]
pub mod sessions;
#[allow(missing_docs)]
pub mod store;
pub mod vouchers;
pub mod webhooks;

use config::{Config, Secret};

/// Opens the database, settles the secret key and builds the service.
pub async fn build(config: Config) -> Result<axum::Router, Box<dyn std::error::Error + Send + Sync>> {
    let db = store::connect_bounded(&config.database_url, config.db_timeout).await?;
    let secret_key = match &config.secret_key {
        Some(k) => k.clone(),
        None => {
            // No key configured: one is generated at the first start and kept in the database,
            // shared by every instance on it; it is written to a file beside the service (not
            // logged) for the backend to read.
            let k = store::init_setting(&db, "secret_key", &format!("sk_{}", app::random_text(32))).await?;
            let path = config.secret_key_file.clone();
            write_private(&path, &k)?;
            tracing::info!(file = %path, "no PASARELA_SECRET_KEY set: the generated secret key is in this file");
            Secret::new(k)
        }
    };
    let app = app::App::new(db, config, secret_key);
    tokio::spawn(metrics::upkeep(app.metrics.clone()));
    // Payment state changes to PASARELA_NOTIFY_URL; stopped by `notify::shutdown`.
    notify::start(&app);
    // Attempts whose request is gone, asked about at their provider every PASARELA_RECONCILE_MS.
    reconcile::start(&app);
    Ok(routes::router(app))
}

fn write_private(path: &str, value: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    o.open(path)?.write_all(value.as_bytes())
}
