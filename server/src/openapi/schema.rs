//! Schemas of what the service takes from the protocol crate (`pasarela_protocol`: providers,
//! statuses, action types, token kinds, `source`, currencies): that crate knows nothing of
//! OpenAPI, so their schemas are written here, from the crate's own words.

use pasarela_protocol::{ActionType, Method, ProviderId, ResultStatus, TokenKind, CURRENCIES};
use serde_json::Value;
use std::borrow::Cow;
use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Schema, SchemaType, Type};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

/// A string that is one of `words`.
pub fn words(description: &str, words: &[&str]) -> RefOr<Schema> {
    ObjectBuilder::new().schema_type(Type::String).enum_values(Some(words.iter().copied())).description(Some(description)).into()
}

/// A payment's `status` as the service answers it (never `error`: that is the browser's own).
pub fn payment_status() -> RefOr<Schema> {
    words(
        "approved: money taken; declined: none, and none will be; pending: not decided yet (poll GET /pay/{id}); \
         expired: a voucher or transfer not paid in time, none taken and none will be.",
        &ResultStatus::ANSWERS.map(ResultStatus::as_str),
    )
}

/// `action.type` of a pending payment.
pub fn action_type() -> RefOr<Schema> {
    words("What the shopper must do.", &ActionType::ALL.map(ActionType::as_str))
}

/// `action` of a pending answer: `{ type, url }`, or `{ type: 'voucher', voucher }`.
pub fn answer_action() -> RefOr<Schema> {
    let text = |d: &str| ObjectBuilder::new().schema_type(Type::String).description(Some(d));
    ObjectBuilder::new()
        .schema_type([Type::Object, Type::Null].into_iter().collect::<SchemaType>())
        .description(Some(
            "Only while pending: what the shopper must do. verification_code: type a code in the frame at url; redirect: go to url \
             (the provider comes back to the session's returnUrl with ?pasarela_payment=); challenge: authenticate in url framed in \
             the page (it ends with a challenge_end message from this service's origin); voucher: pay the voucher.",
        ))
        .property("type", action_type())
        .required("type")
        .property("url", text("With verification_code, redirect and challenge."))
        .property("voucher", utoipa::openapi::Ref::from_schema_name("Voucher"))
        .into()
}

/// A session's `methods` entry and a voucher's `kind`.
pub fn method() -> RefOr<Schema> {
    words("card, cash (a voucher paid at a store) or bank_transfer.", &Method::ALL.map(Method::as_str))
}

/// The schema component `Voucher`: `pasarela_protocol::Voucher`'s wire (display fields only).
pub struct Voucher;

impl PartialSchema for Voucher {
    fn schema() -> RefOr<Schema> {
        let text = |d: &str| ObjectBuilder::new().schema_type(Type::String).description(Some(d));
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some("What the shopper needs to pay a cash voucher or a bank transfer: display fields only."))
            .property("kind", words("cash or bank_transfer.", &[Method::Cash.as_str(), Method::BankTransfer.as_str()]))
            .required("kind")
            .property("provider", Provider::schema())
            .required("provider")
            .property("amount", ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(1)).description(Some("Minor units of currency.")))
            .required("amount")
            .property("currency", text("ISO 4217."))
            .required("currency")
            .property("expiresAt", text("When it lapses, ISO 8601 UTC.").format(Some(utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::DateTime))))
            .property("reference", text("The payment reference, raw (the page groups it for reading)."))
            .property("barcodeUrl", text("An image (or printable coupon) of the reference's barcode."))
            .property("clabe", text("The 18-digit CLABE to transfer to (SPEI)."))
            .property("bank", text("The receiving bank."))
            .property("accountHolder", text("The receiving account's holder."))
            .property("instructionsUrl", text("The provider's printable voucher or instructions."))
            .into()
    }
}

impl ToSchema for Voucher {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Voucher")
    }
}

/// `order.currency`: the codes of the protocol's table.
pub fn currency() -> RefOr<Schema> {
    let codes: Vec<&str> = CURRENCIES.iter().map(|c| c.code()).collect();
    words("ISO 4217, upper case (`MXN`): one of the currencies Pasarela takes.", &codes)
}

/// The schema component `Provider`: a `ProviderId` (`#[schema(value_type = schema::Provider)]`).
pub struct Provider;

impl PartialSchema for Provider {
    fn schema() -> RefOr<Schema> {
        words("A payment provider, by the browser's `provider` option.", &ProviderId::ALL.map(ProviderId::as_str))
    }
}

impl ToSchema for Provider {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Provider")
    }
}

/// The schema component `Source`: what pays (`pasarela_protocol::Source`, tagged by `type`;
/// `#[schema(value_type = schema::Source)]`). tests/openapi.rs holds it to the type's serde.
pub struct Source;

impl PartialSchema for Source {
    fn schema() -> RefOr<Schema> {
        let text = || ObjectBuilder::new().schema_type(Type::String);
        let kind = || {
            let kinds = TokenKind::ALL.map(|k| Value::from(k.as_str())).into_iter().chain([Value::Null]);
            ObjectBuilder::new()
                .schema_type([Type::String, Type::Null].into_iter().collect::<SchemaType>())
                .description(Some("What kind of token (the page always says)."))
                .enum_values(Some(kinds))
        };
        let media = || {
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(1))
                .description(Some("Bamboo's PaymentMediaId (the network); left out, the session's bamboo.paymentMediaId for the method."))
        };
        // Its required text fields, then the optional `kind` of a token (or `paymentMediaId` of a
        // voucher or transfer), then the tag.
        let variant = |tag: &str, about: &str, fields: &[&str]| {
            let object = ObjectBuilder::new().schema_type(Type::Object).description(Some(about));
            let object = fields.iter().fold(object, |o, f| o.property(*f, text()).required(*f));
            let object = match tag {
                "token" => object.property("kind", kind()),
                "cash" | "bank_transfer" => object.property("paymentMediaId", media()),
                _ => object,
            };
            object.property("type", text().enum_values(Some([tag]))).required("type")
        };
        OneOfBuilder::new()
            .item(variant("token", "A one-time (`OT_`), Commerce (`CT_`) or Conekta (`tok_`) token.", &["token"]))
            .item(variant("profile", "A saved card, by the id the session listed.", &["profileId"]))
            .item(variant(
                "kr_answer",
                "KR's `onSubmit` answer, verified here by its `hash` (the unsigned `clientAnswer` beside it is not read).",
                &["rawClientAnswer", "hash", "hashAlgorithm", "hashKey"],
            ))
            .item(variant("cash", "Cash against a voucher (Conekta OXXO; Bamboo Abitab, RedPagos, OXXO): answered pending with the voucher.", &[]))
            .item(variant("bank_transfer", "A bank transfer (Conekta and Bamboo SPEI: a CLABE voucher; Bamboo Uruguay: a bank's site, a redirect).", &[]))
            .description(Some("What pays (`source`)."))
            .into()
    }
}

impl ToSchema for Source {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Source")
    }
}

/// `code` of a `409` or `422` worth branching on.
pub fn error_code() -> RefOr<Schema> {
    words(
        "order_already_paid: a payment of this order took money (paymentId). attempt_in_progress: another attempt holds the order. \
         idempotency_key_reused: this Idempotency-Key went with another body. provider_refused: the provider refused to remove a \
         saved card (its reason in error). customer_already_linked: the customer is linked to another provider customer already.",
        &["order_already_paid", "attempt_in_progress", "idempotency_key_reused", "provider_refused", "customer_already_linked"],
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
