//! `createCheckout(options)`: parsing and validation (docs/api.md §2).
//!
//! Everything is checked before any script is loaded or anything rendered, and every error names
//! the option path (`order.amount`, `merchant.headers.X-Csrf`, `profiles[2].last4`), so a storefront
//! engineer fixes the right field at once. Unknown keys are refused too: a typo such as
//! `profile:` instead of `profiles:` would otherwise silently drop the saved cards.

use super::error::PasarelaError;
use super::i18n::Locale;
use super::json::Json;
use super::money;
use super::profile::{self, SavedProfile};
use super::ProviderId;

/// Where Pasarela renders. The element itself stays on the JS side; the core only knows which kind.
#[derive(Clone, Debug, PartialEq)]
pub enum Container {
    Selector(String),
    Element,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Order {
    pub id: String,
    /// Minor units, > 0.
    pub amount: u64,
    /// A supported ISO-4217 code.
    pub currency: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MerchantConfig {
    pub payment_url: String,
    /// Defaults to `payment_url`.
    pub status_url: String,
    pub headers: Vec<(String, String)>,
    pub timeout_ms: u32,
    pub retries: u32,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Customer {
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct BambooOptions {
    /// PWCheckout's mandatory `country_code`: ISO 3166-1 alpha-2 in capitals (`UY`).
    pub country_code: String,
    pub capture_url: Option<String>,
    pub unique_id: Option<String>,
    pub payment_media_id: Option<i64>,
    pub bank_id: Option<i64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct KrOptions {
    pub form_token: String,
    pub bin_update_url: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ConektaOptions {
    pub locale: Option<String>,
}

/// Validated options; every field is known good.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckoutOptions {
    pub provider: ProviderId,
    pub container: Container,
    pub public_key: String,
    pub order: Order,
    pub merchant: MerchantConfig,
    pub profiles: Vec<SavedProfile>,
    pub customer: Customer,
    pub locale: Locale,
    pub script_url: Option<String>,
    pub bamboo: BambooOptions,
    pub kr: Option<KrOptions>,
    pub conekta: ConektaOptions,
}

/// Default merchant request timeout (docs/api.md §2).
pub const DEFAULT_TIMEOUT_MS: u32 = 15_000;
/// Default merchant retries (docs/api.md §2).
pub const DEFAULT_RETRIES: u32 = 2;
const MAX_TIMEOUT_MS: i64 = 120_000;
const MAX_RETRIES: i64 = 10;
/// JavaScript's `Number.MAX_SAFE_INTEGER`: larger amounts cannot round-trip through the page.
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// What one option must be.
#[derive(Clone, Copy, PartialEq)]
enum Check {
    Object,
    Text,
    Url,
    Email,
    /// `merchant.timeoutMs`: 1 to 120000.
    Timeout,
    /// `merchant.retries`: 0 to 10.
    Retries,
    /// Bamboo's numeric ids: 0 to 2^31 - 1.
    Id,
    Amount,
    Currency,
    Headers,
    Locale,
    Provider,
    /// ISO 3166-1 alpha-2 in capitals.
    Country,
}

/// Every option but `container` and `profiles` (checked on their own), in the order they are
/// checked; a nested option is skipped when its (optional) object is absent. The path is the
/// option's name in errors. One table and one loop: per-option code was the largest function of
/// the package before the size work (README, "Size and speed").
const RULES: &[(&str, Check, bool)] = &[
    ("locale", Check::Locale, false),
    ("provider", Check::Provider, true),
    ("publicKey", Check::Text, true),
    ("order", Check::Object, true),
    ("order.id", Check::Text, true),
    ("order.amount", Check::Amount, true),
    ("order.currency", Check::Currency, true),
    ("merchant", Check::Object, true),
    ("merchant.paymentUrl", Check::Url, true),
    ("merchant.statusUrl", Check::Url, false),
    ("merchant.headers", Check::Headers, false),
    ("merchant.timeoutMs", Check::Timeout, false),
    ("merchant.retries", Check::Retries, false),
    ("customer", Check::Object, false),
    ("customer.email", Check::Email, false),
    ("customer.firstName", Check::Text, false),
    ("customer.lastName", Check::Text, false),
    ("scriptUrl", Check::Url, false),
    ("bamboo", Check::Object, false),
    ("bamboo.countryCode", Check::Country, true),
    ("bamboo.captureUrl", Check::Url, false),
    ("bamboo.uniqueId", Check::Text, false),
    ("bamboo.paymentMediaId", Check::Id, false),
    ("bamboo.bankId", Check::Id, false),
    ("kr", Check::Object, false),
    ("kr.formToken", Check::Text, true),
    ("kr.binUpdateUrl", Check::Url, false),
    ("conekta", Check::Object, false),
    ("conekta.locale", Check::Text, false),
];

/// `path`'s value in `root` (`null` counts as absent), following dots.
fn at<'a>(root: &'a Json, path: &str) -> Option<&'a Json> {
    crate::text::split(path, '.').try_fold(root, |v, key| v.get(key)).filter(|v| !v.is_null())
}

fn text_at<'a>(root: &'a Json, path: &str) -> Option<&'a str> {
    at(root, path).and_then(Json::as_str)
}

fn owned_at(root: &Json, path: &str) -> Option<String> {
    text_at(root, path).map(str::to_owned)
}

fn int_at(root: &Json, path: &str) -> Option<i64> {
    at(root, path).and_then(Json::as_f64).map(|n| n as i64)
}

/// Whether `key` is an option of the object at `parent` (`""`: the top level).
fn is_known(parent: &str, key: &str) -> bool {
    if parent.is_empty() {
        return matches!(key, "container" | "profiles")
            || (!crate::text::has(key, '.') && RULES.iter().any(|(p, _, _)| *p == key));
    }
    RULES.iter().any(|(p, _, _)| p.strip_prefix(parent).and_then(|rest| rest.strip_prefix('.')) == Some(key))
}

/// Checks one option's value against its rule; `Err((field, problem))` names what is wrong.
fn check_value(path: &str, check: Check, v: &Json) -> Result<(), (String, &'static str)> {
    let bad = |problem: &'static str| Err((path.to_owned(), problem));
    let text = match v {
        Json::Str(s) if !s.trim().is_empty() => Some(s.as_str()),
        _ => None,
    };
    let number = v.as_f64().filter(|n| n.fract() == 0.0);
    match check {
        Check::Object | Check::Headers => {
            let Some(map) = v.as_object() else { return bad("must be an object") };
            for (key, value) in map {
                let field = || crate::text::cat(&[path, ".", key]);
                if check == Check::Object && !is_known(path, key) {
                    return Err((field(), "is not a known option"));
                }
                if check == Check::Headers && !is_header_name(key) {
                    return Err((field(), "is not a valid HTTP header name"));
                }
                if check == Check::Headers && !matches!(value, Json::Str(v) if !v.contains(['\r', '\n'])) {
                    return Err((field(), "must be a single-line string"));
                }
            }
            Ok(())
        }
        Check::Amount => match number {
            Some(a) if a > 0.0 && a <= MAX_SAFE_INTEGER => Ok(()),
            _ => bad(AMOUNT_PROBLEM),
        },
        Check::Timeout | Check::Retries | Check::Id => {
            let (min, max, problem) = match check {
                Check::Timeout => (1, MAX_TIMEOUT_MS, "must be an integer from 1 to 120000"),
                Check::Retries => (0, MAX_RETRIES, "must be an integer from 0 to 10"),
                _ => (0, i64::from(i32::MAX), "must be an integer from 0 to 2147483647"),
            };
            match number {
                Some(n) if n >= min as f64 && n <= max as f64 => Ok(()),
                _ => bad(problem),
            }
        }
        _ => {
            let Some(t) = text else { return bad("must be a non-empty string") };
            match check {
                Check::Url if !super::url::is_http_or_path(t) => bad("must be an http(s) URL or a path on this site"),
                Check::Email if !looks_like_email(t) => bad("is not an e-mail address"),
                Check::Currency if money::minor_units(t).is_none() => {
                    bad("must be a supported ISO-4217 code in capitals, e.g. 'MXN'")
                }
                Check::Locale if Locale::parse(t).is_none() => bad("must be 'es', 'en' or 'pt'"),
                Check::Provider if provider_of(t).is_none() => bad("must be 'bamboo', 'conekta' or 'kr'"),
                Check::Country if !(t.len() == 2 && t.bytes().all(|b| b.is_ascii_uppercase())) => {
                    bad("must be an ISO 3166-1 alpha-2 country code in capitals, e.g. 'UY'")
                }
                _ => Ok(()),
            }
        }
    }
}

const AMOUNT_PROBLEM: &str = "must be a positive integer in minor units (e.g. 1050 for 10.50)";

fn provider_of(name: &str) -> Option<ProviderId> {
    match name {
        "bamboo" => Some(ProviderId::Bamboo),
        "conekta" => Some(ProviderId::Conekta),
        "kr" => Some(ProviderId::Kr),
        _ => None,
    }
}

/// Checks every option (the first problem found is the error).
fn validate(options: &Json, container_is_element: bool) -> Result<(), (String, &'static str)> {
    let Some(map) = options.as_object() else { return Err(("options".to_owned(), "must be an object")) };
    if let Some((key, _)) = map.iter().find(|(k, _)| !is_known("", k)) {
        return Err((key.clone(), "is not a known option"));
    }
    for &(path, check, required) in RULES {
        let parent = crate::text::rsplit_once(path, '.').map_or("", |(p, _)| p);
        if !parent.is_empty() && at(options, parent).is_none() {
            continue; // an optional object that is not there
        }
        match at(options, path) {
            Some(v) => check_value(path, check, v)?,
            None if required => {
                let problem = match check {
                    Check::Object => "is required (an object)",
                    Check::Amount => AMOUNT_PROBLEM,
                    _ => "is required (a non-empty string)",
                };
                return Err((path.to_owned(), problem));
            }
            None => {}
        }
    }
    if !container_is_element && text_at(options, "container").is_none_or(|s| s.trim().is_empty()) {
        return Err(("container".to_owned(), "must be a CSS selector or an HTMLElement"));
    }
    // PWCheckout's `country_code` is mandatory (Bamboo, Versions/Forms/Checkout-Form.md).
    if text_at(options, "provider") == Some("bamboo") && at(options, "bamboo").is_none() {
        return Err(("bamboo.countryCode".to_owned(), "is required when provider is 'bamboo'"));
    }
    if text_at(options, "provider") == Some("kr") {
        if !text_at(options, "publicKey").is_some_and(is_kr_public_key) {
            return Err(("publicKey".to_owned(), "must look like '12345678:testpublickey_…' for KR"));
        }
        if at(options, "kr").is_none() {
            return Err(("kr.formToken".to_owned(), "is required when provider is 'kr'"));
        }
    }
    if at(options, "profiles").is_some_and(|p| p.as_array().is_none()) {
        return Err(("profiles".to_owned(), "must be an array"));
    }
    Ok(())
}

/// Parses `options`. `container_is_element` tells whether the page passed an `HTMLElement` as
/// `container` (the boundary checks that; the core never touches the DOM).
pub fn parse(options: &Json, container_is_element: bool) -> Result<CheckoutOptions, PasarelaError> {
    // The locale comes first so that every error is already in the shopper's language.
    let locale = text_at(options, "locale").and_then(Locale::parse).unwrap_or_default();
    validate(options, container_is_element)
        .map_err(|(field, problem)| PasarelaError::invalid(&field, problem, locale))?;
    // Last, because it is the one part that allocates while it checks.
    let profiles = match at(options, "profiles").and_then(Json::as_array) {
        Some(items) => profile::normalize_all(items, "profiles", locale)?,
        None => Vec::new(),
    };
    // Everything below is known good.
    let payment_url = owned_at(options, "merchant.paymentUrl").unwrap_or_default();
    Ok(CheckoutOptions {
        provider: text_at(options, "provider").and_then(provider_of).unwrap_or(ProviderId::Bamboo),
        container: match text_at(options, "container") {
            Some(s) if !container_is_element => Container::Selector(s.to_owned()),
            _ => Container::Element,
        },
        public_key: owned_at(options, "publicKey").unwrap_or_default(),
        order: Order {
            id: owned_at(options, "order.id").unwrap_or_default(),
            amount: at(options, "order.amount").and_then(Json::as_f64).map_or(0, |a| a as u64),
            currency: owned_at(options, "order.currency").unwrap_or_default(),
        },
        merchant: MerchantConfig {
            status_url: owned_at(options, "merchant.statusUrl").unwrap_or_else(|| payment_url.clone()),
            payment_url,
            headers: at(options, "merchant.headers")
                .and_then(Json::as_object)
                .map(|h| h.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned())).collect())
                .unwrap_or_default(),
            timeout_ms: int_at(options, "merchant.timeoutMs").map_or(DEFAULT_TIMEOUT_MS, |t| t as u32),
            retries: int_at(options, "merchant.retries").map_or(DEFAULT_RETRIES, |r| r as u32),
        },
        profiles,
        customer: Customer {
            email: owned_at(options, "customer.email"),
            first_name: owned_at(options, "customer.firstName"),
            last_name: owned_at(options, "customer.lastName"),
        },
        locale,
        script_url: owned_at(options, "scriptUrl"),
        bamboo: BambooOptions {
            country_code: owned_at(options, "bamboo.countryCode").unwrap_or_default(),
            capture_url: owned_at(options, "bamboo.captureUrl"),
            unique_id: owned_at(options, "bamboo.uniqueId"),
            payment_media_id: int_at(options, "bamboo.paymentMediaId"),
            bank_id: int_at(options, "bamboo.bankId"),
        },
        kr: owned_at(options, "kr.formToken")
            .map(|form_token| KrOptions { form_token, bin_update_url: owned_at(options, "kr.binUpdateUrl") }),
        conekta: ConektaOptions { locale: owned_at(options, "conekta.locale") },
    })
}

fn is_header_name(n: &str) -> bool {
    // RFC 9110 `token` characters.
    !n.is_empty()
        && n.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'!' | b'#'
                        | b'$'
                        | b'%'
                        | b'&'
                        | b'\''
                        | b'*'
                        | b'+'
                        | b'-'
                        | b'.'
                        | b'^'
                        | b'_'
                        | b'`'
                        | b'|'
                        | b'~'
                )
        })
}

fn looks_like_email(e: &str) -> bool {
    matches!(crate::text::split_once(e, '@'), Some((user, host)) if !user.is_empty() && crate::text::has(host, '.') && !e.contains(char::is_whitespace))
}

/// KR public keys are `shopId:testpublickey_…` (test) or `shopId:publickey_…` (production).
fn is_kr_public_key(k: &str) -> bool {
    let key = |rest: &str| rest.strip_prefix("test").unwrap_or(rest).starts_with("publickey_");
    matches!(crate::text::split_once(k, ':'), Some((shop, rest)) if !shop.is_empty() && shop.bytes().all(|b| b.is_ascii_digit()) && key(rest))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::error::ErrorCode;
    use serde_json::{json, Value};

    /// Test values are written with serde_json's `json!` and handed over as JSON text, as a page does.
    fn parse(v: &Value, element: bool) -> Result<CheckoutOptions, PasarelaError> {
        super::parse(&Json::parse(&v.to_string()).unwrap(), element)
    }

    fn base() -> Value {
        json!({
            "provider": "bamboo",
            "container": "#pay",
            "publicKey": "pk_test",
            "order": { "id": "A-1", "amount": 123456, "currency": "USD" },
            "merchant": { "paymentUrl": "/merchant/pay" },
            "bamboo": { "countryCode": "MX" }
        })
    }

    #[test]
    fn an_amount_is_an_integer_in_javascripts_reading() {
        for (literal, ok) in
            [("109", true), ("109.0", true), ("1.09e2", true), ("109.00000000000001", false), ("1e400", false)]
        {
            let text = base().to_string().replace("123456", literal);
            let parsed = Json::parse(&text).map(|j| super::parse(&j, false).is_ok());
            assert_eq!(parsed == Some(true), ok, "{literal}");
        }
    }

    #[test]
    fn bamboo_needs_an_iso_country_code() {
        let mut v = base();
        v.as_object_mut().unwrap().remove("bamboo");
        assert_eq!(field_of(v), "bamboo.countryCode");
        for bad in [json!("uy"), json!("URY"), json!(""), json!(858)] {
            let mut v = base();
            v["bamboo"]["countryCode"] = bad;
            assert_eq!(field_of(v), "bamboo.countryCode");
        }
        assert_eq!(parse(&base(), false).unwrap().bamboo.country_code, "MX");
    }

    fn field_of(v: Value) -> String {
        let e = parse(&v, false).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidOptions);
        e.field.unwrap()
    }

    #[test]
    fn minimal_options_get_the_contract_defaults() {
        let o = parse(&base(), false).unwrap();
        assert_eq!(o.provider, ProviderId::Bamboo);
        assert_eq!(o.container, Container::Selector("#pay".into()));
        assert_eq!(o.order.amount, 123456);
        assert_eq!(o.merchant.status_url, "/merchant/pay");
        assert_eq!(o.merchant.timeout_ms, 15_000);
        assert_eq!(o.merchant.retries, 2);
        assert_eq!(o.locale, Locale::Es);
        assert!(o.profiles.is_empty());
    }

    #[test]
    fn each_required_field_is_named_when_missing() {
        for (path, field) in [
            ("/provider", "provider"),
            ("/container", "container"),
            ("/publicKey", "publicKey"),
            ("/order", "order"),
            ("/merchant", "merchant"),
        ] {
            let mut v = base();
            v.as_object_mut().unwrap().remove(&path[1..]);
            assert_eq!(field_of(v), field);
        }
        let mut v = base();
        v["order"].as_object_mut().unwrap().remove("id");
        assert_eq!(field_of(v), "order.id");
        let mut v = base();
        v["merchant"] = json!({});
        assert_eq!(field_of(v), "merchant.paymentUrl");
    }

    #[test]
    fn amount_must_be_a_positive_safe_integer() {
        for bad in [json!(0), json!(-5), json!(10.5), json!("100"), json!(1e17), json!(null)] {
            let mut v = base();
            v["order"]["amount"] = bad.clone();
            assert_eq!(field_of(v), "order.amount", "{bad}");
        }
        let mut v = base();
        v["order"]["amount"] = json!(1050.0); // JS numbers arrive as floats
        assert_eq!(parse(&v, false).unwrap().order.amount, 1050);
    }

    #[test]
    fn currency_must_be_a_known_iso_code() {
        for bad in ["usd", "US", "XXX", ""] {
            let mut v = base();
            v["order"]["currency"] = json!(bad);
            assert_eq!(field_of(v), "order.currency");
        }
    }

    #[test]
    fn urls_with_foreign_schemes_are_refused() {
        for bad in ["javascript:alert(1)", "data:text/plain,x", "//evil.example/x", "ftp://x/y"] {
            let mut v = base();
            v["merchant"]["paymentUrl"] = json!(bad);
            assert_eq!(field_of(v), "merchant.paymentUrl", "{bad}");
        }
        let mut v = base();
        v["scriptUrl"] = json!("javascript:void 0");
        assert_eq!(field_of(v), "scriptUrl");
        let mut v = base();
        v["merchant"]["paymentUrl"] = json!("https://shop.example/pay");
        assert!(parse(&v, false).is_ok());
    }

    #[test]
    fn unknown_keys_are_typos_and_are_named() {
        let mut v = base();
        v["profile"] = json!([]);
        assert_eq!(field_of(v), "profile");
        let mut v = base();
        v["merchant"]["timeout"] = json!(10);
        assert_eq!(field_of(v), "merchant.timeout");
    }

    #[test]
    fn merchant_limits_and_headers_are_checked() {
        let mut v = base();
        v["merchant"]["retries"] = json!(11);
        assert_eq!(field_of(v), "merchant.retries");
        let mut v = base();
        v["merchant"]["timeoutMs"] = json!(0);
        assert_eq!(field_of(v), "merchant.timeoutMs");
        let mut v = base();
        v["merchant"]["headers"] = json!({ "X-Csrf": "a\r\nInjected: 1" });
        assert_eq!(field_of(v), "merchant.headers.X-Csrf");
        let mut v = base();
        v["merchant"]["headers"] = json!({ "X-Csrf": "abc" });
        v["merchant"]["statusUrl"] = json!("/merchant/status");
        let o = parse(&v, false).unwrap();
        assert_eq!(o.merchant.headers, vec![("X-Csrf".to_owned(), "abc".to_owned())]);
        assert_eq!(o.merchant.status_url, "/merchant/status");
    }

    #[test]
    fn kr_needs_a_form_token_and_a_kr_public_key() {
        let mut v = base();
        v["provider"] = json!("kr");
        v["publicKey"] = json!("69876357:testpublickey_DEMO");
        assert_eq!(field_of(v.clone()), "kr.formToken");
        v["kr"] = json!({ "formToken": "ft" });
        assert!(parse(&v, false).is_ok());
        v["publicKey"] = json!("69876357:publickey_PROD");
        assert!(parse(&v, false).is_ok());
        for wrong in ["pk_test", "69876357:key_publickey_x", "shop:testpublickey_x"] {
            v["publicKey"] = json!(wrong);
            assert_eq!(field_of(v.clone()), "publicKey", "{wrong}");
        }
    }

    #[test]
    fn errors_follow_the_requested_locale() {
        let mut v = base();
        v["locale"] = json!("en");
        v["order"]["amount"] = json!(-1);
        let e = parse(&v, false).unwrap_err();
        assert!(e.message.starts_with("Invalid options"), "{}", e.message);
        let mut v = base();
        v["locale"] = json!("fr");
        assert_eq!(field_of(v), "locale");
    }

    #[test]
    fn an_element_container_is_accepted_as_is() {
        let mut v = base();
        v["container"] = json!({});
        assert_eq!(parse(&v, true).unwrap().container, Container::Element);
        assert_eq!(field_of(v), "container");
    }

    #[test]
    fn non_objects_are_refused_at_the_root() {
        for bad in [json!(null), json!(3), json!("bamboo"), json!([])] {
            assert_eq!(field_of(bad), "options");
        }
    }
}
