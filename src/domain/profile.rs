//! Saved payment profiles (docs/api.md §5): one normalised shape out of three accepted inputs, and
//! the rule that secrets never come to the browser.

use super::error::{ErrorCode, PasarelaError};
use super::i18n::Locale;
use super::json::{integer_text, Json};
use super::read::{Kind, Object, Reading};

/// A saved card as Pasarela renders it. Holds nothing that can charge: the merchant server maps
/// `id` to the secret (CommerceToken, payment source, paymentMethodToken).
#[derive(Clone, Debug, PartialEq)]
pub struct SavedProfile {
    pub id: String,
    pub brand: String,
    pub last4: String,
    /// `YYYYMM`.
    pub expiry: Option<String>,
    pub holder: Option<String>,
    pub issuer: Option<String>,
    pub requires_cvv: bool,
    pub installments: Vec<u32>,
}

impl SavedProfile {
    /// Whether the card expired before `today_yyyymm` (a card is good through its expiry month).
    pub fn is_expired(&self, today_yyyymm: u32) -> bool {
        self.expiry.as_deref().and_then(crate::text::parse_u32).is_some_and(|e| e < today_yyyymm)
    }

    /// `MM/YY` for display.
    pub fn expiry_label(&self) -> Option<String> {
        let e = self.expiry.as_deref()?;
        Some(crate::text::cat(&[e.get(4..6)?, "/", e.get(2..4)?]))
    }
}

/// The saved cards offered now, shared by the controller and the list (never copied).
pub type Profiles = std::rc::Rc<Vec<SavedProfile>>;

/// Keys that carry a chargeable secret in the providers' own shapes.
const SECRET_KEYS: &[&str] = &["Token", "CommerceToken", "token", "paymentMethodToken", "TrxToken", "token_id"];
/// Prefixes of token values (Bamboo one-time / commerce, Conekta): caught under any key.
const SECRET_PREFIXES: &[&str] = &["OT_", "CT_", "tok_"];

/// The most instalments a payment may be split into (`pay({ installments })`, a profile's list):
/// the merchant service's bound too (crates/protocol says why 48).
pub use pasarela_protocol::MAX_INSTALLMENTS;

/// The problem of a `pay({ installments })` out of range (`src/boundary.rs`).
pub const INSTALLMENTS_PROBLEM: &str = "must be an integer from 1 to 48";
/// The problem of a profile's `installments` list with a count out of range.
const INSTALLMENT_LIST_PROBLEM: &str = "must be an array of integers from 1 to 48";

/// `n` as a count of instalments: a whole number from 1 to [`MAX_INSTALLMENTS`]. The one rule,
/// for `pay()`, the profiles' lists and Bamboo's `"1;2;3"`.
pub fn installment_count(n: f64) -> Option<u32> {
    (n.fract() == 0.0 && n >= 1.0 && n <= f64::from(MAX_INSTALLMENTS)).then_some(n as u32)
}

impl SavedProfile {
    /// Whether this card may be paid in `n` instalments (an empty list offers only one).
    pub fn offers(&self, n: u32) -> bool {
        if self.installments.is_empty() {
            n == 1
        } else {
            self.installments.contains(&n)
        }
    }
}

/// The problem text of a secret found in a profile (reported as `secret_in_profile`, not
/// `invalid_options`).
const SECRET: &str = "carries a secret";

/// Normalises `profiles`; `path` is the option path of the array (for error fields).
pub fn normalize_all(items: &[Json], path: &str, locale: Locale) -> Result<Vec<SavedProfile>, PasarelaError> {
    // Profiles carry no URLs.
    let reading = Reading::new(&|_| true);
    let mut out: Vec<SavedProfile> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let item_path = super::read::indexed(path, i);
        let o = Object::of(item, &item_path, &reading);
        let p = normalize(o);
        if out.iter().any(|q| q.id == p.id) {
            o.refuse::<()>("id", "repeats another profile's id");
        }
        out.push(p);
    }
    match reading.first_problem() {
        None => Ok(out),
        Some((field, SECRET)) => Err(PasarelaError::new(ErrorCode::SecretInProfile, locale).with_field(&field)),
        Some((field, problem)) => Err(PasarelaError::invalid(&field, problem, locale)),
    }
}

/// The three shapes a saved card may come in.
#[derive(Clone, Copy, PartialEq)]
enum Shape {
    /// Pasarela's own (docs/api.md §5).
    Pasarela,
    /// Bamboo `PaymentProfiles` (seed 001).
    Bamboo,
    /// Conekta `payment_sources` (its expiry is `exp_month` + `exp_year`).
    Conekta,
}

/// Where each field of a saved card is in one shape (`""`: not in that shape).
struct Keys {
    id: &'static str,
    brand: &'static str,
    last4: &'static str,
    expiry: &'static str,
    holder: &'static str,
    issuer: &'static str,
}

impl Shape {
    fn of(o: Object) -> Shape {
        if o.get("PaymentProfileId").is_some() {
            Shape::Bamboo
        } else if o.get("exp_month").is_some()
            || o.get("exp_year").is_some()
            || o.get("object").and_then(Json::as_str) == Some("payment_source")
        {
            Shape::Conekta
        } else {
            Shape::Pasarela
        }
    }

    fn keys(self) -> &'static Keys {
        match self {
            Shape::Pasarela => {
                &Keys { id: "id", brand: "brand", last4: "last4", expiry: "expiry", holder: "holder", issuer: "issuer" }
            }
            Shape::Bamboo => &Keys {
                id: "PaymentProfileId",
                brand: "Brand",
                last4: "Last4",
                expiry: "Expiration",
                holder: "CardOwner",
                issuer: "IssuerBank",
            },
            Shape::Conekta => {
                &Keys { id: "id", brand: "brand", last4: "last4", expiry: "", holder: "name", issuer: "" }
            }
        }
    }
}

/// Normalises one profile given in the Pasarela, Bamboo `PaymentProfiles` or Conekta
/// `payment_sources` shape (a refused field is recorded in `o`'s first problem).
fn normalize(o: Object) -> SavedProfile {
    if let Some((key, _)) = o.map.iter().find(|(k, v)| is_secret(k, v)) {
        o.refuse::<()>(key, SECRET);
    }
    let shape = Shape::of(o);
    let keys = shape.keys();
    if shape == Shape::Pasarela {
        // `default`: the service's mark of the customer's default card (its session answer), which
        // the on-demand part shows when the shopper manages the cards.
        o.only(&["id", "brand", "last4", "expiry", "holder", "issuer", "requiresCvv", "installments", "default"]);
        o.boolean("default", false);
    }
    let optional = |key: &str, kind| if key.is_empty() { None } else { o.text(key, kind, false) };
    let id = match o.get(keys.id) {
        // Bamboo's `PaymentProfileId` is a number.
        Some(Json::Num(n)) if shape == Shape::Bamboo => {
            integer_text(*n).or_else(|| o.refuse(keys.id, "must be a whole number or a string"))
        }
        _ => o.text(keys.id, Kind::Text, true),
    };
    let mut p = SavedProfile {
        id: id.unwrap_or_default(),
        brand: o.text(keys.brand, Kind::Text, true).unwrap_or_default(),
        last4: o.text(keys.last4, Kind::Last4, true).unwrap_or_default(),
        expiry: if shape == Shape::Conekta { conekta_expiry(o) } else { optional(keys.expiry, Kind::Expiry) },
        holder: optional(keys.holder, Kind::Text),
        issuer: optional(keys.issuer, Kind::Text),
        requires_cvv: false,
        installments: Vec::new(),
    };
    match shape {
        Shape::Bamboo => {
            if let Some(list) = o.text("Installments", Kind::Text, false) {
                p.installments = list
                    .split(|c| c == ';') // a predicate, not a char: see `crate::text`
                    .map(|x| crate::text::parse_u32(x.trim_ascii()).and_then(|n| installment_count(f64::from(n))))
                    .collect::<Option<Vec<_>>>()
                    .or_else(|| o.refuse("Installments", "must look like \"1;2;3\""))
                    .unwrap_or_default();
            }
        }
        Shape::Pasarela => {
            p.requires_cvv = o.boolean("requiresCvv", false).unwrap_or_default();
            if let Some(v) = o.get("installments") {
                p.installments = v
                    .as_array()
                    .and_then(|xs| xs.iter().map(|x| x.as_f64().and_then(installment_count)).collect())
                    .or_else(|| o.refuse("installments", INSTALLMENT_LIST_PROBLEM))
                    .unwrap_or_default();
            }
        }
        Shape::Conekta => {}
    }
    p
}

/// A Conekta source's `exp_month` + `exp_year` (`"5"`, `"29"` or `2029`) as `YYYYMM`.
fn conekta_expiry(o: Object) -> Option<String> {
    let month = o.get("exp_month").and_then(as_text);
    let year = o.get("exp_year").and_then(as_text);
    match (month, year) {
        (Some(m), Some(y)) => {
            let century = if y.len() == 2 { "20" } else { "" };
            let pad = if m.len() < 2 { "0" } else { "" };
            Some(crate::text::cat(&[century, &y, pad, &m]))
        }
        (None, None) => None,
        _ => o.refuse("exp_year", "exp_month and exp_year go together"),
    }
}

/// Whether `key: v` carries a chargeable secret (by its name, or by a token's prefix).
fn is_secret(key: &str, v: &Json) -> bool {
    (SECRET_KEYS.contains(&key) && !v.is_null())
        || v.as_str().is_some_and(|s| SECRET_PREFIXES.iter().any(|p| s.starts_with(p)))
}

fn as_text(v: &Json) -> Option<String> {
    match v {
        Json::Str(s) if !s.is_empty() => Some(s.clone()),
        Json::Num(n) => integer_text(*n),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn j(v: Value) -> Json {
        Json::parse(&v.to_string()).unwrap()
    }

    fn one(v: Value) -> Result<SavedProfile, PasarelaError> {
        normalize_all(&[j(v)], "profiles", Locale::En).map(|mut ps| ps.remove(0))
    }

    #[test]
    fn normalised_shape_round_trips() {
        let p =
            one(json!({ "id": "p1", "brand": "Visa", "last4": "4242", "expiry": "203012", "installments": [1, 3, 6] }))
                .unwrap();
        assert_eq!(p.expiry_label().as_deref(), Some("12/30"));
        assert_eq!(p.installments, vec![1, 3, 6]);
    }

    #[test]
    fn bamboo_payment_profiles_are_accepted() {
        let p = one(json!({
            "PaymentProfileId": 55591, "PaymentMediaId": 2, "Brand": "MasterCard", "CardOwner": "John Simpson",
            "IssuerBank": "Santander", "Installments": "1;2;3", "Type": "CreditCard", "Expiration": "202211",
            "Last4": "0001", "Enabled": true
        }))
        .unwrap();
        assert_eq!(p.id, "55591");
        assert_eq!(p.holder.as_deref(), Some("John Simpson"));
        assert_eq!(p.installments, vec![1, 2, 3]);
        assert!(p.is_expired(202611));
        assert!(!p.is_expired(202211));
    }

    #[test]
    fn conekta_payment_sources_are_accepted() {
        let p = one(json!({ "id": "src_2xyz", "object": "payment_source", "type": "card", "brand": "visa",
            "last4": "4242", "exp_month": "5", "exp_year": "29", "name": "Ana" }))
        .unwrap();
        assert_eq!(p.expiry.as_deref(), Some("202905"));
        assert_eq!(p.holder.as_deref(), Some("Ana"));
    }

    #[test]
    fn secrets_are_refused_whatever_the_shape() {
        for (v, key) in [
            (json!({ "PaymentProfileId": 1, "Brand": "Visa", "Last4": "0001", "Token": "OT__abc_" }), "Token"),
            (
                json!({ "PaymentProfileId": 1, "Brand": "Visa", "Last4": "0001", "CommerceToken": "CT__abc_" }),
                "CommerceToken",
            ),
            (json!({ "id": "p", "brand": "visa", "last4": "4242", "token": "x" }), "token"),
            (json!({ "id": "p", "brand": "visa", "last4": "4242", "paymentMethodToken": "abc" }), "paymentMethodToken"),
            (json!({ "id": "p", "brand": "visa", "last4": "4242", "note": "tok_live_123" }), "note"),
        ] {
            let e = one(v).unwrap_err();
            assert_eq!(e.code, ErrorCode::SecretInProfile);
            assert_eq!(e.field.as_deref(), Some(format!("profiles[0].{key}").as_str()));
        }
    }

    #[test]
    fn bad_fields_are_named() {
        let e = one(json!({ "id": "p", "brand": "visa", "last4": "42" })).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("profiles[0].last4"));
        let e = one(json!({ "id": "p", "brand": "visa", "last4": "4242", "expiry": "202313" })).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("profiles[0].expiry"));
        let e =
            one(json!({ "PaymentProfileId": 1, "Brand": "Visa", "Last4": "0001", "Installments": "1;x" })).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("profiles[0].Installments"));
    }

    #[test]
    fn the_services_default_mark_is_accepted() {
        assert!(one(json!({ "id": "p", "brand": "Visa", "last4": "4242", "default": true })).is_ok());
        let e = one(json!({ "id": "p", "brand": "Visa", "last4": "4242", "default": "yes" })).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("profiles[0].default"));
    }

    #[test]
    fn installments_stop_at_the_services_bound() {
        assert_eq!(installment_count(f64::from(MAX_INSTALLMENTS)), Some(MAX_INSTALLMENTS));
        for bad in [0.0, -1.0, 1.5, f64::from(MAX_INSTALLMENTS + 1), 99.0, f64::NAN] {
            assert_eq!(installment_count(bad), None, "{bad}");
        }
        let bound = format!("from 1 to {MAX_INSTALLMENTS}");
        assert!(INSTALLMENTS_PROBLEM.ends_with(&bound) && INSTALLMENT_LIST_PROBLEM.ends_with(&bound));
        let e = one(json!({ "id": "p", "brand": "v", "last4": "1111", "installments": [1, 49] })).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("profiles[0].installments"));
        let e = one(json!({ "PaymentProfileId": 1, "Brand": "Visa", "Last4": "0001", "Installments": "1;60" })).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("profiles[0].Installments"));
    }

    #[test]
    fn duplicate_ids_are_refused() {
        let items = vec![
            j(json!({ "id": "p", "brand": "v", "last4": "1111" })),
            j(json!({ "id": "p", "brand": "v", "last4": "2222" })),
        ];
        let e = normalize_all(&items, "profiles", Locale::Es).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("profiles[1].id"));
    }
}
