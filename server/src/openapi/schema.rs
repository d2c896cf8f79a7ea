//! Schemas of the words the service spells from the browser package's types (`pasarela::domain`:
//! statuses, action types, providers): that crate knows nothing of OpenAPI, so their enums are
//! written here, from the same words the service writes.

use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::RefOr;

/// A string that is one of `words`.
pub fn words(description: &str, words: &[&str]) -> RefOr<Schema> {
    ObjectBuilder::new().schema_type(Type::String).enum_values(Some(words.iter().copied())).description(Some(description)).into()
}

/// A payment's `status` as the service answers it (never `error`: that is the browser's own).
pub fn payment_status() -> RefOr<Schema> {
    words("approved: money taken; declined: none, and none will be; pending: not decided yet (poll GET /pay/{id}).", &["approved", "declined", "pending"])
}

/// `action.type` of a pending payment.
pub fn action_type() -> RefOr<Schema> {
    words("What the shopper must do.", &["verification_code", "redirect"])
}

/// `code` of a `409` or `422` worth branching on.
pub fn error_code() -> RefOr<Schema> {
    words(
        "order_already_paid: a payment of this order took money (paymentId). attempt_in_progress: another attempt holds the order. \
         idempotency_key_reused: this Idempotency-Key went with another body.",
        &["order_already_paid", "attempt_in_progress", "idempotency_key_reused"],
    )
}

/// Digits a caller may send as text or as a number (KR's BIN).
pub fn digits() -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type([Type::String, Type::Integer].into_iter().collect::<SchemaType>())
        .description(Some("Digits, as text or a number."))
        .into()
}

/// Text or a number, signed as the provider wrote it (Bamboo's `Amount`).
pub fn text_or_number() -> RefOr<Schema> {
    ObjectBuilder::new().schema_type([Type::String, Type::Number].into_iter().collect::<SchemaType>()).into()
}

/// Any JSON object (provider data passed through as given).
pub fn object(description: &str) -> RefOr<Schema> {
    ObjectBuilder::new().schema_type(Type::Object).description(Some(description)).into()
}
