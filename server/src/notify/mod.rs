//! The storefront learns the outcome (docs/api.md §4): every payment state change — a payment
//! recorded, a pending one settled by a webhook, a refresh or a reconciliation — is an event
//! `{ id, type: "payment.updated", created, data: { paymentId, orderId, status, voucher? } }`,
//! stored in the change's own transaction (store.rs calls [`outbox::record`]), then POSTed to
//! `PASARELA_NOTIFY_URL` signed `Pasarela-Signature: t=<unix s>,v1=<hex HMAC-SHA256 of
//! "<t>.<body>">` ([`sign`]) until a `2xx` ([`deliver`]). A backend that polls reads the same
//! events from `GET /v1/events?after=`.
//!
//! - [`outbox`]: the `events` table (migrations/0005): creation order, claims with a lease,
//!   outcomes, the pages of `GET /v1/events`.
//! - [`deliver`]: the background loop `build()` starts when a URL is set: woken by a new event
//!   and at the next due time; retries from `PASARELA_NOTIFY_RETRY_MS` doubling up to an hour,
//!   for three days; stopped by [`shutdown`].
//! - [`sign`]: the signature, as the README's snippet checks it.

pub mod deliver;
pub mod outbox;
pub mod sign;

use crate::openapi::schema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

pub use deliver::{shutdown, start};

/// The one event type.
pub const PAYMENT_UPDATED: &str = "payment.updated";

/// An event, as POSTed to the storefront and listed by `GET /v1/events`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Event {
    /// `evt_…`: the same at every delivery of this event (drop duplicates by it); the cursor of
    /// `GET /v1/events?after=`.
    pub id: String,
    /// `payment.updated`.
    #[serde(rename = "type")]
    #[schema(schema_with = event_type)]
    pub kind: String,
    /// When the change happened, Unix seconds.
    pub created: i64,
    /// The payment as it became.
    pub data: EventData,
}

/// `data` of a `payment.updated` event.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventData {
    /// `pay_…` (`GET /v1/payments/{id}` reads it).
    pub payment_id: String,
    /// The storefront's order id.
    pub order_id: String,
    /// The payment's status after the change.
    #[schema(schema_with = schema::payment_status)]
    pub status: String,
    /// While the payment is pending on a voucher: what the shopper was given to pay (the
    /// `action.voucher` of `POST /pay`'s answer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<schema::Voucher>)]
    pub voucher: Option<Value>,
}

fn event_type() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    schema::words("What happened: a payment's status changed (or a payment was recorded).", &[PAYMENT_UPDATED])
}

/// `GET /v1/events`'s query.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    /// The id of the last event the backend has: the page starts after it. Unset: from the first.
    #[serde(default)]
    pub after: Option<String>,
    /// At most this many events (1 to 100, default 100).
    #[serde(default)]
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
}

/// `GET /v1/events`'s answer.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventList {
    /// In creation order, oldest first.
    #[schema(value_type = Vec<Event>)]
    pub data: Vec<Value>,
    /// More events follow the last one: ask again `after` it.
    pub has_more: bool,
}

/// Wakes every delivery loop of this process: an event was committed (store.rs calls it after
/// the transaction).
pub fn wake() {
    deliver::WAKE.notify_waiters();
}
