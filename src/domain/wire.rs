//! What the page receives (docs/api.md §3): every value Pasarela hands to JavaScript — a
//! `PasarelaError`, a `PaymentResult`, each event's payload — is `serde::Serialize`, and the
//! boundary sends it with `serde_wasm_bindgen::to_value`.
//!
//! The impls are written by hand, each one a list of fields for one shared writer: derived, each
//! type was its own 0.5–0.9 KB of wasm, and the six of them did not fit the package budget
//! (README, "Size and speed"). The tests below hold every impl to the output of a derived twin.

use super::error::PasarelaError;
use super::merchant::{ActionType, PaymentResult};
use super::token::TokenKind;
use super::ProviderId;
use serde::ser::{Serialize, SerializeStruct, Serializer};

/// One field's value: every outgoing field is a string or a boolean.
pub enum Value<'a> {
    Str(&'a str),
    Bool(bool),
}

/// Writes an object of `fields`; a `None` field is left out (not `undefined`, not `null`). The
/// struct name serde passes along is left empty: neither serde-wasm-bindgen nor serde_json
/// reads it, and each name was bytes in the package.
pub fn write_object<S: Serializer>(s: S, fields: &[(&'static str, Option<Value>)]) -> Result<S::Ok, S::Error> {
    let mut o = s.serialize_struct("", fields.len())?;
    for (key, value) in fields {
        match value {
            Some(Value::Str(v)) => o.serialize_field(key, v)?,
            Some(Value::Bool(b)) => o.serialize_field(key, b)?,
            None => o.skip_field(key)?,
        }
    }
    o.end()
}

fn text(s: &str) -> Option<Value<'_>> {
    Some(Value::Str(s))
}

/// `{ code, message, field?, provider?, retryable, details? }`; the JS entry makes it a
/// `PasarelaError` (a shopper's `message` then gets its words in front).
impl Serialize for PasarelaError {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        write_object(
            s,
            &[
                ("code", text(self.code.as_str())),
                ("message", text(&self.message)),
                ("field", self.field.as_deref().and_then(text)),
                ("provider", self.provider.and_then(|p| text(p.as_str()))),
                ("retryable", Some(Value::Bool(self.retryable))),
                ("details", self.details.as_deref().and_then(text)),
            ],
        )
    }
}

/// `{ status, paymentId?, message? }`.
impl Serialize for PaymentResult {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        write_object(
            s,
            &[
                ("status", text(self.status.as_str())),
                ("paymentId", self.payment_id.as_deref().and_then(text)),
                ("message", self.message.as_deref().and_then(text)),
            ],
        )
    }
}

/// The `token` event: never the token value.
pub struct TokenEvent {
    pub provider: ProviderId,
    pub kind: TokenKind,
    pub brand: Option<String>,
    pub last4: Option<String>,
}

impl Serialize for TokenEvent {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        write_object(
            s,
            &[
                ("provider", text(self.provider.as_str())),
                ("kind", text(self.kind.as_str())),
                ("brand", self.brand.as_deref().and_then(text)),
                ("last4", self.last4.as_deref().and_then(text)),
            ],
        )
    }
}

/// The `ready` event, and the `notification` event of Bamboo's verification form: one field.
pub struct OneField {
    pub key: &'static str,
    pub value: &'static str,
}

impl Serialize for OneField {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        write_object(s, &[(self.key, text(self.value))])
    }
}

/// The `action` event: what the shopper must do, and for a redirect where (extension: `url`).
pub struct ActionEvent<'a> {
    pub kind: ActionType,
    pub payment_id: &'a str,
    pub url: Option<&'a str>,
}

impl Serialize for ActionEvent<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        write_object(
            s,
            &[
                ("type", text(self.kind.as_str())),
                ("paymentId", text(self.payment_id)),
                ("url", self.url.and_then(text)),
            ],
        )
    }
}

#[cfg(test)]
mod tests {
    //! Each hand-written impl against a derived twin: the same keys, values and omissions.
    use super::*;
    use crate::domain::error::ErrorCode;
    use crate::domain::i18n::Locale;
    use crate::domain::merchant::ResultStatus;
    use serde_json::{json, to_value};

    #[derive(serde::Serialize)]
    struct ErrorTwin<'a> {
        code: &'a str,
        message: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        field: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        provider: Option<&'a str>,
        retryable: bool,
    }

    #[test]
    fn an_error_is_its_derived_twin() {
        for e in [
            PasarelaError::new(ErrorCode::Network, Locale::En),
            PasarelaError::invalid("order.amount", "must be", Locale::Es).with_provider(ProviderId::Kr),
        ] {
            let twin = ErrorTwin {
                code: e.code.as_str(),
                message: &e.message,
                field: e.field.as_deref(),
                provider: e.provider.map(ProviderId::as_str),
                retryable: e.retryable,
            };
            assert_eq!(to_value(&e).unwrap(), to_value(&twin).unwrap());
        }
        let v = to_value(PasarelaError::new(ErrorCode::Network, Locale::En)).unwrap();
        assert_eq!(v.as_object().unwrap().keys().collect::<Vec<_>>(), ["code", "message", "retryable"]);
    }

    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct ResultTwin<'a> {
        status: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        payment_id: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        message: Option<&'a str>,
    }

    #[test]
    fn a_result_is_its_derived_twin() {
        for r in [
            PaymentResult { status: ResultStatus::Approved, payment_id: Some("pay_1".into()), message: None },
            PaymentResult { status: ResultStatus::Error, payment_id: None, message: Some("x \"y\"".into()) },
            PaymentResult { status: ResultStatus::Expired, payment_id: Some("pay_2".into()), message: None },
        ] {
            let twin = ResultTwin {
                status: r.status.as_str(),
                payment_id: r.payment_id.as_deref(),
                message: r.message.as_deref(),
            };
            assert_eq!(to_value(&r).unwrap(), to_value(&twin).unwrap());
        }
    }

    #[test]
    fn the_event_payloads_have_the_contract_shapes() {
        let t = TokenEvent {
            provider: ProviderId::Kr,
            kind: TokenKind::FormAnswer,
            brand: None,
            last4: Some("0055".into()),
        };
        assert_eq!(to_value(&t).unwrap(), json!({ "provider": "kr", "kind": "form_answer", "last4": "0055" }));
        let r = OneField { key: "provider", value: "bamboo" };
        assert_eq!(to_value(&r).unwrap(), json!({ "provider": "bamboo" }));
        let a = ActionEvent { kind: ActionType::Redirect, payment_id: "p", url: Some("https://x/3ds") };
        assert_eq!(to_value(&a).unwrap(), json!({ "type": "redirect", "paymentId": "p", "url": "https://x/3ds" }));
        let a = ActionEvent { kind: ActionType::VerificationCode, payment_id: "p", url: None };
        assert_eq!(to_value(&a).unwrap(), json!({ "type": "verification_code", "paymentId": "p" }));
    }
}
