//! Prometheus metrics: the `metrics` facade records where things happen (one function each
//! below, so a name or a label is spelt once), and `GET /metrics` renders them from the
//! recorder's [`PrometheusHandle`], behind the backend's secret key: volumes and outcomes are the
//! merchant's business. No listener of its own: the service's port serves them.
//!
//! | metric | labels |
//! |---|---|
//! | `pasarela_attempts_total` | `provider` |
//! | `pasarela_charges_total` | `provider`, `status` (approved, declined, pending) |
//! | `pasarela_provider_errors_total` | `provider`, `kind` (unavailable, refused) |
//! | `pasarela_provider_latency_seconds` (histogram) | `provider`, `call` |
//! | `pasarela_attempt_retries_total` | `kind` (takeover, reconciliation) |
//! | `pasarela_webhooks_total` | `provider`, `verdict` (applied, duplicate, refused, ignored) |
//! | `pasarela_idempotency_total` | `outcome` (replay, conflict, key_reused) |
//! | `pasarela_order_conflicts_total` | `code` (order_already_paid, attempt_in_progress) |
//! | `pasarela_notifications_total` | `outcome` (delivered, failed, given_up) |
//! | `pasarela_notification_seconds` (histogram) | `outcome` |
//! | `pasarela_notifications_pending` (gauge) | |

use crate::app::App;
use crate::openapi::responses::Unauthorized;
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use metrics::{counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram, Unit};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use pasarela_protocol::ResultStatus;
use pasarela_protocol::ProviderId;
use std::sync::OnceLock;
use std::time::Duration;

const LATENCY: &str = "pasarela_provider_latency_seconds";
const NOTIFICATION: &str = "pasarela_notification_seconds";
/// Up to the default provider timeout (20 s).
const LATENCY_BUCKETS: [f64; 10] = [0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0];

/// The process's recorder, installed at the first call. The `metrics` facade has one global
/// recorder: a second service in the same process (tests) shares it.
pub fn handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Full(LATENCY.into()), &LATENCY_BUCKETS)
                .expect("buckets are given")
                .set_buckets_for_metric(Matcher::Full(NOTIFICATION.into()), &LATENCY_BUCKETS)
                .expect("buckets are given")
                .build_recorder();
            let handle = recorder.handle();
            if metrics::set_global_recorder(recorder).is_err() {
                tracing::warn!("another metrics recorder is installed: /metrics stays empty");
            }
            describe();
            handle
        })
        .clone()
}

fn describe() {
    describe_counter!("pasarela_attempts_total", "Payment attempts begun (one per Idempotency-Key that charged or tried to).");
    describe_counter!("pasarela_charges_total", "Attempt outcomes recorded, by status.");
    describe_counter!("pasarela_provider_errors_total", "Provider calls without an answer (unavailable) or refused by the provider.");
    describe_histogram!(LATENCY, Unit::Seconds, "Time of each provider API call.");
    describe_counter!("pasarela_attempt_retries_total", "Unfinished attempts taken over, and abandoned ones reconciled with their provider.");
    describe_counter!("pasarela_webhooks_total", "Provider notifications, by what became of them.");
    describe_counter!("pasarela_idempotency_total", "Idempotency-Key outcomes other than a first run: replays, in-progress conflicts, reused keys.");
    describe_counter!("pasarela_order_conflicts_total", "Payments and sessions refused because the order is paid or being paid.");
    describe_counter!("pasarela_notifications_total", "Tries to POST an event to PASARELA_NOTIFY_URL, by outcome (given_up: the last try, three days on).");
    describe_histogram!(NOTIFICATION, Unit::Seconds, "Time of each POST to PASARELA_NOTIFY_URL, by outcome.");
    describe_gauge!("pasarela_notifications_pending", "Events not yet delivered to PASARELA_NOTIFY_URL (and not given up).");
}

/// Keeps the recorder's histograms drained while nobody scrapes (every 5 s), so they never grow.
pub async fn upkeep(handle: PrometheusHandle) {
    let mut every = tokio::time::interval(Duration::from_secs(5));
    loop {
        every.tick().await;
        handle.run_upkeep();
    }
}

/// The Prometheus text of everything recorded.
#[utoipa::path(get, operation_id = "metrics", path = "/metrics", tag = "operations", security(("backendKey" = [])),
    responses(
        (status = 200, description = "Prometheus text exposition format 0.0.4.", content_type = "text/plain", body = String),
        (status = 401, response = Unauthorized),
    ))]
pub async fn serve(State(app): State<App>) -> Response {
    app.metrics.run_upkeep();
    let mut r = app.metrics.render().into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"));
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// An attempt claimed its key and begins.
pub fn attempt(provider: ProviderId) {
    counter!("pasarela_attempts_total", "provider" => provider.as_str()).increment(1);
}

/// An attempt's outcome was recorded.
pub fn charge(provider: ProviderId, status: ResultStatus) {
    counter!("pasarela_charges_total", "provider" => provider.as_str(), "status" => status.as_str()).increment(1);
}

/// One provider API call took `elapsed`; `failed`: it got no usable answer.
pub fn provider_call(provider: ProviderId, call: &'static str, elapsed: Duration, failed: bool) {
    histogram!(LATENCY, "provider" => provider.as_str(), "call" => call).record(elapsed.as_secs_f64());
    if failed {
        counter!("pasarela_provider_errors_total", "provider" => provider.as_str(), "kind" => "unavailable").increment(1);
    }
}

/// A provider answered and refused the call itself.
pub fn provider_refused(provider: ProviderId) {
    counter!("pasarela_provider_errors_total", "provider" => provider.as_str(), "kind" => "refused").increment(1);
}

/// Why an attempt ran again.
#[derive(Clone, Copy, Debug)]
pub enum Retry {
    /// A request took over an attempt whose lease ran out (its owner died or lost an answer).
    Takeover,
    /// An abandoned attempt holding an order was asked about at its provider.
    Reconciliation,
}

/// An attempt ran again.
pub fn retry(kind: Retry) {
    let kind = match kind {
        Retry::Takeover => "takeover",
        Retry::Reconciliation => "reconciliation",
    };
    counter!("pasarela_attempt_retries_total", "kind" => kind).increment(1);
}

/// What became of a provider notification.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Verified and applied.
    Applied,
    /// Applied before: nothing changed.
    Duplicate,
    /// Not verified, malformed, or for a provider without keys here (a `4xx`).
    Refused,
    /// Verified, or harmless, but about nothing this service has.
    Ignored,
}

/// A provider notification was settled (Lyra's IPN counts under `kr`).
pub fn webhook(provider: ProviderId, verdict: Verdict) {
    let verdict = match verdict {
        Verdict::Applied => "applied",
        Verdict::Duplicate => "duplicate",
        Verdict::Refused => "refused",
        Verdict::Ignored => "ignored",
    };
    counter!("pasarela_webhooks_total", "provider" => provider.as_str(), "verdict" => verdict).increment(1);
}

/// An `Idempotency-Key` that did not start a new run.
#[derive(Clone, Copy, Debug)]
pub enum Idempotency {
    /// The stored answer was replayed.
    Replay,
    /// The key's attempt was still running after the wait (`409`).
    Conflict,
    /// The key came with another body (`422 idempotency_key_reused`).
    KeyReused,
}

/// An `Idempotency-Key` did not start a new run.
pub fn idempotency(outcome: Idempotency) {
    let outcome = match outcome {
        Idempotency::Replay => "replay",
        Idempotency::Conflict => "conflict",
        Idempotency::KeyReused => "key_reused",
    };
    counter!("pasarela_idempotency_total", "outcome" => outcome).increment(1);
}

/// A payment or a session was refused by one order paid once (`code` of the `409`).
pub fn order_conflict(code: &'static str) {
    counter!("pasarela_order_conflicts_total", "code" => code).increment(1);
}

/// What became of one try to notify the storefront.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notified {
    /// `2xx`.
    Delivered,
    /// Anything else; tried again later.
    Failed,
    /// Failed, and three days have passed: no more tries.
    GivenUp,
}

/// One POST to `PASARELA_NOTIFY_URL` took `elapsed`.
pub fn notification(outcome: Notified, elapsed: Duration) {
    let outcome = match outcome {
        Notified::Delivered => "delivered",
        Notified::Failed => "failed",
        Notified::GivenUp => "given_up",
    };
    counter!("pasarela_notifications_total", "outcome" => outcome).increment(1);
    histogram!(NOTIFICATION, "outcome" => outcome).record(elapsed.as_secs_f64());
}

/// Events still to deliver, as the delivery loop last counted them.
pub fn notifications_pending(n: i64) {
    gauge!("pasarela_notifications_pending").set(n as f64);
}
