//! The wire of docs/api.md §4 as the service reads and writes it. The words (provider names,
//! statuses, action types, token kinds), what pays (`Source`), the currencies, the installments
//! bound and the `Idempotency-Key` rule are the protocol crate's (crates/protocol,
//! `pasarela-protocol`, with its `serde` feature), which the browser package builds on too, so
//! both sides spell them from one definition; `tests/protocol.rs` holds the service's answers to
//! the browser's parser and the browser's request bodies to this reader.

use crate::openapi::schema;
use pasarela_protocol::{ActionType, ProviderId, ResultStatus, Voucher};
use serde::{Deserialize, Serialize, Serializer};
use utoipa::ToSchema;

/// What pays (`source`): a token, a saved card or KR's signed answer. Its `Debug` never shows
/// a token, a card id or an answer.
pub use pasarela_protocol::Source;

/// `order` of a request: what the page believes it is paying (checked against the session).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, ToSchema)]
pub struct Order {
    /// The storefront's order id, 1 to 64 characters.
    pub id: String,
    /// Minor units (cents), a positive integer, at most 2^53 − 1 (the most the page reads exactly).
    #[schema(minimum = 1, maximum = 9_007_199_254_740_991_i64)]
    pub amount: i64,
    /// ISO 4217, upper case (`MXN`), one of the currencies Pasarela takes.
    #[schema(schema_with = schema::currency)]
    pub currency: String,
}

/// `customer` of a request (display data only; the session's customer is the one that counts).
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
}

/// Whether a session lets the shopper's card be kept for next time (Stripe's
/// `setup_future_usage`): never, when the shopper ticks the page's box, or always (the storefront
/// told the shopper). Default `off`.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SaveMode {
    #[default]
    Off,
    Ask,
    Always,
}

impl SaveMode {
    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Off => "off",
            Self::Ask => "ask",
            Self::Always => "always",
        }
    }
    /// Reads a stored word (unknown → `off`: never keep a card nobody agreed to).
    pub fn parse(s: &str) -> Self {
        match s {
            "ask" => Self::Ask,
            "always" => Self::Always,
            _ => Self::Off,
        }
    }
    /// Whether an attempt may keep its card: `always`, or `ask` with the shopper's yes.
    pub fn keeps(self, shopper_said_yes: bool) -> bool {
        matches!((self, shopper_said_yes), (Self::Always, _) | (Self::Ask, true))
    }
}

/// The body of `POST /pay`.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PayRequest {
    /// The session's provider.
    #[schema(value_type = schema::Provider)]
    pub provider: ProviderId,
    /// The session's order, as the page shows it.
    pub order: Order,
    #[schema(value_type = schema::Source)]
    pub source: Source,
    /// 1 to 48; default 1.
    #[serde(default = "one")]
    #[schema(default = 1, minimum = 1, maximum = 48)]
    pub installments: u32,
    #[serde(default)]
    pub customer: Customer,
    /// The session's client secret (`createCheckout({ merchant: { clientSecret } })`).
    #[serde(default)]
    pub client_secret: Option<String>,
    /// The shopper ticked "save this card" (sessions with `savePaymentMethod: 'ask'`).
    #[serde(default)]
    pub save_payment_method: bool,
}

fn one() -> u32 {
    1
}

/// A pending payment's next step at a URL: a verification code typed in a frame, a full-page
/// redirect, or an in-page (framed) authentication. A voucher is the payment's own
/// ([`Answer::voucher`]), not a URL.
#[derive(Clone, Debug, PartialEq)]
pub struct Action {
    /// `verification_code`, `redirect` or `challenge`.
    pub kind: ActionType,
    /// Where the shopper goes (`redirect`), the frame the code is typed in (`verification_code`)
    /// or the page framed in a modal (`challenge`).
    pub url: String,
}

/// The `200` answer of `POST /pay` and `GET /pay/{id}`.
#[derive(Clone, Debug, PartialEq, ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct Answer {
    #[schema(schema_with = schema::payment_status)]
    pub status: ResultStatus,
    /// `pay_…`: `GET /pay/{id}` reads it again.
    pub payment_id: String,
    /// The provider's words for a decline.
    pub message: Option<String>,
    /// Only while `pending`: what the shopper must do.
    #[schema(schema_with = schema::answer_action)]
    pub action: Option<Action>,
    /// A pending cash voucher or bank transfer: written as `action: { type: 'voucher', voucher }`.
    #[schema(ignore)]
    pub voucher: Option<Voucher>,
}

impl Serialize for Answer {
    /// `action` only while pending: the voucher when there is one (`{ type: 'voucher', voucher }`,
    /// docs/api.md §4, "Beyond the card form"), else `{ type, url }`.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut v = serde_json::json!({ "status": self.status.as_str(), "paymentId": self.payment_id });
        if let Some(m) = &self.message {
            v["message"] = m.as_str().into();
        }
        if self.status == ResultStatus::Pending {
            if let Some(voucher) = &self.voucher {
                v["action"] = serde_json::json!({ "type": ActionType::Voucher.as_str(), "voucher": voucher });
            } else if let Some(a) = &self.action {
                v["action"] = serde_json::json!({ "type": a.kind.as_str(), "url": a.url });
            }
        }
        v.serialize(s)
    }
}

/// A saved card as the page lists it (Pasarela's `profiles` option, docs/api.md §5): display
/// fields only, never the provider's secret.
#[derive(Clone, Debug, Serialize, PartialEq, ToSchema)]
pub struct Profile {
    /// The id `source.profileId` pays with.
    pub id: String,
    pub brand: String,
    pub last4: String,
    /// `YYYYMM`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiry: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holder: Option<String>,
    /// The issuing bank (Bamboo).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// The installment counts the card allows (Bamboo).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub installments: Option<Vec<u32>>,
    /// `true` on the customer's default card (at most one), which is listed first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<bool>,
}

/// An error body: `{ "error": "...", "field": "...", "code": "...", "paymentId": "..." }`:
/// `field` is the dotted path of what was refused, `code` a stable word to branch on (the 409s of
/// one order paid once), `paymentId` the payment that decided it. None repeats a value sent.
#[derive(Clone, Debug, Default, Serialize, PartialEq, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    /// What went wrong, for a person.
    pub error: String,
    /// The dotted path of the refused field (`order.amount`, `Idempotency-Key`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = schema::error_code)]
    pub code: Option<&'static str>,
    /// The payment that decided a `409` of one order paid once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_id: Option<String>,
}
