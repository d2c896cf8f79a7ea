//! Saved payment profiles (docs/api.md §5): one normalised shape out of three accepted inputs, and
//! the rule that secrets never come to the browser.

use super::error::{ErrorCode, PasarelaError};
use super::i18n::Locale;
use super::json::Obj;
use super::json::{integer_text, Json};

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

/// Normalises `profiles`; `path` is the option path of the array (for error fields).
pub fn normalize_all(items: &[Json], path: &str, locale: Locale) -> Result<Vec<SavedProfile>, PasarelaError> {
    let mut out: Vec<SavedProfile> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let item_path = crate::text::cat(&[path, "[", &crate::text::u32_text(i as u32), "]"]);
        let p = normalize(item, &item_path, locale)?;
        if out.iter().any(|q| q.id == p.id) {
            return Err(PasarelaError::invalid(
                &crate::text::cat(&[&item_path, ".id"]),
                "repeats another profile's id",
                locale,
            ));
        }
        out.push(p);
    }
    Ok(out)
}

/// Where each field of a saved card is in one of the accepted shapes (`""`: not in that shape).
struct Shape {
    id: &'static str,
    brand: &'static str,
    last4: &'static str,
    expiry: &'static str,
    holder: &'static str,
    issuer: &'static str,
}

// Statics, not consts: `normalize` tells the shapes apart by address (`ptr::eq`), which only a
// static guarantees (each use of a const may be a copy of its own).
static PASARELA: Shape =
    Shape { id: "id", brand: "brand", last4: "last4", expiry: "expiry", holder: "holder", issuer: "issuer" };
/// Bamboo `PaymentProfiles` (seed 001).
static BAMBOO: Shape = Shape {
    id: "PaymentProfileId",
    brand: "Brand",
    last4: "Last4",
    expiry: "Expiration",
    holder: "CardOwner",
    issuer: "IssuerBank",
};
/// Conekta `payment_sources` (its expiry is `exp_month` + `exp_year`).
static CONEKTA: Shape = Shape { id: "id", brand: "brand", last4: "last4", expiry: "", holder: "name", issuer: "" };

/// Normalises one profile given in the Pasarela, Bamboo `PaymentProfiles` or Conekta
/// `payment_sources` shape. Checks run on the borrowed JSON; the profile is built at the end.
pub fn normalize(item: &Json, path: &str, locale: Locale) -> Result<SavedProfile, PasarelaError> {
    let Some(map) = item.as_object() else {
        return Err(PasarelaError::invalid(path, "must be an object", locale));
    };
    if let Some(key) = secret_key(map) {
        return Err(
            PasarelaError::new(ErrorCode::SecretInProfile, locale).with_field(&crate::text::cat(&[path, ".", key]))
        );
    }
    let o = Obj::new(map, path.to_owned(), locale);
    let shape = if o.get("PaymentProfileId").is_some() {
        &BAMBOO
    } else if o.get("exp_month").is_some()
        || o.get("exp_year").is_some()
        || o.get("object").and_then(Json::as_str) == Some("payment_source")
    {
        &CONEKTA
    } else {
        o.known(&["id", "brand", "last4", "expiry", "holder", "issuer", "requiresCvv", "installments"])?;
        &PASARELA
    };

    let id = match o.get(shape.id) {
        Some(Json::Num(n)) if std::ptr::eq(shape, &BAMBOO) => {
            integer_text(*n).ok_or_else(|| o.err(shape.id, "must be a whole number or a string"))?
        }
        _ => o.req_str(shape.id)?.to_owned(),
    };
    let (brand, last4) = (o.req_str(shape.brand)?, o.req_str(shape.last4)?);
    let holder = o.opt_str(shape.holder)?;
    let issuer = if shape.issuer.is_empty() { None } else { o.opt_str(shape.issuer)? };
    let expiry =
        if shape.expiry.is_empty() { conekta_expiry(&o)? } else { o.opt_str(shape.expiry)?.map(str::to_owned) };
    if last4.len() != 4 || !last4.bytes().all(|b| b.is_ascii_digit()) {
        return Err(o.err("last4", "must be exactly 4 digits"));
    }
    if let Some(e) = &expiry {
        let month = e.get(4..6).and_then(crate::text::parse_u32);
        if !(e.len() == 6 && e.bytes().all(|b| b.is_ascii_digit()) && matches!(month, Some(1..=12))) {
            return Err(o.err("expiry", "must be YYYYMM"));
        }
    }
    let mut requires_cvv = false;
    let installments = if std::ptr::eq(shape, &BAMBOO) {
        match o.opt_str("Installments")? {
            None => Vec::new(),
            Some(s) => s
                .split(|c| c == ';') // a predicate, not a char: see `crate::text`
                .map(|x| crate::text::parse_u32(x.trim()).filter(|n| *n > 0))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| o.err("Installments", "must look like \"1;2;3\""))?,
        }
    } else if std::ptr::eq(shape, &PASARELA) {
        requires_cvv = match o.get("requiresCvv") {
            None => false,
            Some(Json::Bool(b)) => *b,
            Some(_) => return Err(o.err("requiresCvv", "must be a boolean")),
        };
        match o.get("installments") {
            None => Vec::new(),
            Some(Json::Arr(xs)) => xs
                .iter()
                .map(as_count)
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| o.err("installments", "must be positive integers"))?,
            Some(_) => return Err(o.err("installments", "must be an array of positive integers")),
        }
    } else {
        Vec::new()
    };
    let owned = |s: Option<&str>| s.map(str::to_owned);
    Ok(SavedProfile {
        id,
        brand: brand.to_owned(),
        last4: last4.to_owned(),
        expiry,
        holder: owned(holder),
        issuer: owned(issuer),
        requires_cvv,
        installments,
    })
}

/// A Conekta source's `exp_month` + `exp_year` (`"5"`, `"29"` or `2029`) as `YYYYMM`.
fn conekta_expiry(o: &Obj) -> Result<Option<String>, PasarelaError> {
    let month = o.get("exp_month").and_then(as_text);
    let year = o.get("exp_year").and_then(as_text);
    match (month, year) {
        (Some(m), Some(y)) => {
            let century = if y.len() == 2 { "20" } else { "" };
            let pad = if m.len() < 2 { "0" } else { "" };
            Ok(Some(crate::text::cat(&[century, &y, pad, &m])))
        }
        (None, None) => Ok(None),
        _ => Err(o.err("exp_year", "exp_month and exp_year go together")),
    }
}

fn secret_key(map: &[(String, Json)]) -> Option<&str> {
    map.iter().find_map(|(k, v)| {
        let by_name = SECRET_KEYS.contains(&k.as_str()) && !v.is_null();
        let by_value = v.as_str().is_some_and(|s| SECRET_PREFIXES.iter().any(|p| s.starts_with(p)));
        (by_name || by_value).then_some(k.as_str())
    })
}

fn as_text(v: &Json) -> Option<String> {
    match v {
        Json::Str(s) if !s.is_empty() => Some(s.clone()),
        Json::Num(n) => integer_text(*n),
        _ => None,
    }
}

fn as_count(v: &Json) -> Option<u32> {
    v.as_f64().filter(|n| n.fract() == 0.0 && *n >= 1.0 && *n <= 99.0).map(|n| n as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn j(v: Value) -> Json {
        Json::parse(&v.to_string()).unwrap()
    }

    fn one(v: Value) -> Result<SavedProfile, PasarelaError> {
        normalize(&j(v), "profiles[0]", Locale::En)
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
    fn duplicate_ids_are_refused() {
        let items = vec![
            j(json!({ "id": "p", "brand": "v", "last4": "1111" })),
            j(json!({ "id": "p", "brand": "v", "last4": "2222" })),
        ];
        let e = normalize_all(&items, "profiles", Locale::Es).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("profiles[1].id"));
    }
}
