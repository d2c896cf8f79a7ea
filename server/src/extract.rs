//! Request bodies as typed structs, with refusals that name the field's full path and never its
//! value (the shape of axum's `error-handling` example: the extractor's rejection is the
//! service's own error).
//!
//! The path comes from the deserializer (`serde_path_to_error`), not from its message: serde's
//! messages quote the offending value (`invalid type: string "1000.5"`), which must not travel
//! back to a caller or into a log.

use crate::app::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// A JSON body read into `T`.
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|_| ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "the body is too large or was not received").field("body"))?;
        read(&bytes).map(Json)
    }
}

/// Reads a JSON body: not JSON → 400 `body`; text with NUL → 400 naming it; a field of the wrong
/// shape → 422 naming its path.
pub fn read<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let value: Value = serde_json::from_slice(bytes).map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, "the body is not JSON").field("body"))?;
    check_text(&value, &mut String::new())?;
    typed(value)
}

/// Deserializes an already-read value, naming the path of what does not fit.
pub fn typed<T: DeserializeOwned>(value: Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let (field, why) = describe(&path, &e.inner().to_string());
        ApiError::invalid(&field, why)
    })
}

/// The field's path and a message built from serde's, without the value it quotes: missing and
/// unknown fields name themselves (a field name is the caller's own key, not a value), a wrong
/// type or value says what was expected.
fn describe(path: &str, message: &str) -> (String, String) {
    // A body that is an array, or a path through one at the top, is the body's fault; an
    // element of the wrong type is its list's (or the object's, sent as a list).
    let mut path = if path == "." || path.is_empty() || path.starts_with('[') { "" } else { path };
    let wrong_type = !message.starts_with("missing field") && !message.starts_with("unknown field");
    while let Some(stripped) = path.strip_suffix(']').and_then(|p| p.rsplit_once('[')).map(|(p, _)| p).filter(|_| wrong_type) {
        path = stripped;
    }
    let here = if path.is_empty() { "body".to_owned() } else { path.to_owned() };
    if message.starts_with("missing field") {
        let name = message.split('`').nth(1).unwrap_or_default();
        let field = if path.is_empty() { name.to_owned() } else { format!("{path}.{name}") };
        return (field.clone(), format!("{field} is required"));
    }
    if message.starts_with("unknown field") {
        // The path ends at the unknown key, which is the caller's text: name its parent.
        let parent = path.rsplit_once('.').map_or("body", |(p, _)| p).to_owned();
        return (parent.clone(), format!("{parent} has a field this service does not know"));
    }
    let why = match message.rsplit_once(", expected ") {
        // serde's "expected …" names a type or the accepted words, never the value sent.
        Some((_, expected)) => format!("{here} has the wrong type or value: expected {expected}"),
        None if message.starts_with(PUBLIC) => format!("{here} {}", &message[PUBLIC.len()..]),
        None => format!("{here} has the wrong type or value"),
    };
    (here, why)
}

/// Prefix of a custom deserializer message that is safe to show (it names no value).
pub const PUBLIC: &str = "public: ";

/// The field names of the service's requests: a path names a key only if it is one of them, so
/// a key the caller made up is never repeated back.
const KNOWN_KEYS: &[&str] = &[
    "provider", "order", "id", "amount", "currency", "source", "type", "token", "kind", "profileId", "rawClientAnswer",
    "clientAnswer", "hash", "hashAlgorithm", "hashKey", "installments", "customer", "email", "firstName", "lastName",
    "clientSecret", "savePaymentMethod", "kr", "formAction", "strongAuthentication", "overridePaymentCinematic", "metadata",
    "ipnTargetUrl", "expiresIn", "formToken", "bin", "bamboo", "conekta", "paymentMethodToken", "brand", "last4", "expiry",
    "data", "object", "PurchaseId", "Amount", "Currency", "methods", "returnUrl", "paymentMediaId", "cash", "bank_transfer",
    "voucherExpiresIn", "phone", "documentNumber", "documentType", "count", "rate", "cft", "brands",
];

/// Refuses text the databases cannot hold (Postgres `TEXT` has no NUL), naming where it is.
pub fn check_text(v: &Value, path: &mut String) -> Result<(), ApiError> {
    match v {
        Value::String(s) => text_ok(path_or_body(path), s),
        Value::Array(items) => items.iter().enumerate().try_for_each(|(i, item)| within(path, &format!("[{i}]"), |p| check_text(item, p))),
        Value::Object(map) => map.iter().try_for_each(|(k, item)| {
            if KNOWN_KEYS.contains(&k.as_str()) {
                within(path, k, |p| check_text(item, p))
            } else if k.contains('\0') || has_nul(item) {
                text_ok(path_or_body(path), "\0")
            } else {
                Ok(())
            }
        }),
        _ => Ok(()),
    }
}

/// Whether any text in `v` (keys included) holds NUL.
pub fn has_nul(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().any(has_nul),
        Value::Object(map) => map.iter().any(|(k, item)| k.contains('\0') || has_nul(item)),
        _ => false,
    }
}

fn path_or_body(path: &str) -> &str {
    if path.is_empty() {
        "body"
    } else {
        path
    }
}

fn within<R>(path: &mut String, step: &str, f: impl FnOnce(&mut String) -> R) -> R {
    let len = path.len();
    if !path.is_empty() && !step.starts_with('[') {
        path.push('.');
    }
    path.push_str(step);
    let out = f(path);
    path.truncate(len);
    out
}

/// One piece of text from outside (a body field, a path segment, a query value): no NUL.
pub fn text_ok(field: &str, s: &str) -> Result<(), ApiError> {
    if s.contains('\0') {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, format!("{field} contains a NUL character")).field(field));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Order {
        id: String,
        amount: i64,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        order: Order,
        #[serde(default)]
        list: Vec<u32>,
    }

    fn refusal(text: &str) -> (u16, Option<String>, String) {
        let e = read::<Body>(text.as_bytes()).unwrap_err();
        (e.status.as_u16(), e.body.field.clone(), e.body.error.clone())
    }

    #[test]
    fn refusals_name_the_full_path_and_never_the_value() {
        let (status, field, error) = refusal(r#"{"order":{"id":"A","amount":"1000.5"}}"#);
        assert_eq!((status, field.as_deref()), (422, Some("order.amount")));
        assert!(!error.contains("1000.5"), "{error}");
        assert_eq!(refusal(r#"{"order":{"id":"A"}}"#).1.as_deref(), Some("order.amount"));
        let (_, field, error) = refusal(r#"{"order":{"id":"A","amount":1,"zz":1}}"#);
        assert_eq!(field.as_deref(), Some("order"), "an unknown key names its parent");
        assert!(!error.contains("zz"), "{error}");
        assert_eq!(refusal(r#"{"order":{"id":"A","amount":1},"list":[1,"x"]}"#).1.as_deref(), Some("list"), "an element of the wrong type is its list's");
        assert_eq!(refusal(r#"{}"#).1.as_deref(), Some("order"));
        assert_eq!(refusal("[1,").0, 400);
    }

    #[test]
    fn nul_is_refused_where_it_is() {
        let (status, field, _) = refusal(r#"{"order":{"id":"A\u0000","amount":1}}"#);
        assert_eq!((status, field.as_deref()), (400, Some("order.id")));
    }

    #[test]
    fn deep_nesting_is_a_400_not_a_crash() {
        let deep = "[".repeat(100_000);
        assert_eq!(refusal(&deep).0, 400);
    }
}
