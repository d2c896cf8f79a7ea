//! Attempts nobody came back for. An attempt whose request is gone (the provider's answer lost
//! to a timeout or a dropped connection, the process killed, the shopper's tab closed before the
//! page's retry) holds its order with a lapsed lease, and whatever it charged is known only once
//! the next request on that order reconciles it ([`crate::pay`]). Without a next request the
//! storefront would never hear of money the provider took. So every `PASARELA_RECONCILE_MS`
//! (60 s), each process asks the providers about such attempts as a request would
//! ([`crate::pay::free_order`]): a charge found is recorded and finishes the attempt (its key
//! replays that answer; the storefront is notified, `payment.updated`), and without one the order
//! is let go. Each is fenced on the attempt's lease, so one process at a time, never beside the
//! attempt's own retry; a provider that does not answer leaves the attempt to the next pass.

use crate::app::App;
use crate::store::{self, now_ms};

/// Attempts reconciled per pass, one after the other (each provider call bounded by
/// `PASARELA_PROVIDER_TIMEOUT_MS`): a backlog is worked through pass by pass.
const BATCH: i64 = 20;

/// Starts this process's passes, the first one interval after start; none when the interval is
/// zero.
pub fn start(app: &App) {
    let every = app.config.reconcile_every;
    if every.is_zero() {
        return;
    }
    let app = app.clone();
    tokio::spawn(async move {
        let mut passes = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        passes.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            passes.tick().await;
            pass(&app).await;
        }
    });
}

/// One pass: reconciles up to [`BATCH`] orders held by an abandoned attempt; how many it looked at.
pub async fn pass(app: &App) -> usize {
    let orders = match store::abandoned_orders(&app.db, now_ms(), BATCH).await {
        Ok(orders) => orders,
        Err(e) => {
            tracing::warn!(error = %e, "reconciling abandoned attempts: database unavailable");
            return 0;
        }
    };
    for order in &orders {
        // Refusals are the expected outcomes here: the charge found now decides the order (409
        // order_already_paid), or another request holds it (409 attempt_in_progress).
        let outcome = crate::pay::free_order(app, order).await;
        tracing::debug!(order = %order, freed = outcome.is_ok(), "abandoned attempt reconciled");
    }
    orders.len()
}
