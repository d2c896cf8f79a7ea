//! `GET /v1/payments?orderId=`'s query and answer: the backend's view of what was paid, newest
//! first (the storefront reconciles its orders with it).

use crate::openapi::schema;
use pasarela_protocol::ProviderId;
use crate::store::Payment;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The query: one order's payments, or all of them.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct PaymentsQuery {
    /// The storefront's order id.
    #[serde(default)]
    pub order_id: Option<String>,
}

/// One payment as the backend reads it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PaymentRecord {
    /// `pay_…`, as `POST /pay` answered it.
    pub id: String,
    /// The provider that charged.
    #[schema(value_type = schema::Provider)]
    pub provider: ProviderId,
    /// The storefront's order id.
    pub order_id: String,
    /// What was charged, in minor units.
    pub amount: i64,
    /// ISO 4217.
    pub currency: String,
    /// `approved`, `declined` or `pending`.
    #[schema(schema_with = schema::payment_status)]
    pub status: &'static str,
    /// The provider's words for a decline; `null` otherwise.
    pub message: Option<String>,
    /// The provider's id of the charge (purchase, order, transaction); `null` when it made none.
    pub provider_ref: Option<String>,
    /// The session the payment was made in.
    pub session_id: String,
}

impl From<Payment> for PaymentRecord {
    fn from(p: Payment) -> Self {
        Self {
            id: p.id,
            provider: p.provider,
            order_id: p.order_id,
            amount: p.amount,
            currency: p.currency,
            status: p.status.as_str(),
            message: p.message,
            provider_ref: p.provider_ref,
            session_id: p.session_id,
        }
    }
}

/// The answer: `{ "data": [...] }`, a list that may later carry paging beside it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentList {
    /// Newest first.
    pub data: Vec<PaymentRecord>,
}
