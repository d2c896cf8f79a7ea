//! `createCheckout(options)`: parsing and validation (API.md §2).
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

/// Default merchant request timeout (API.md §2).
pub const DEFAULT_TIMEOUT_MS: u32 = 15_000;
/// Default merchant retries (API.md §2).
pub const DEFAULT_RETRIES: u32 = 2;
const MAX_TIMEOUT_MS: i64 = 120_000;
const MAX_RETRIES: i64 = 10;
/// JavaScript's `Number.MAX_SAFE_INTEGER`: larger amounts cannot round-trip through the page.
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

const TOP_KEYS: &[&str] = &[
    "provider",
    "container",
    "publicKey",
    "order",
    "merchant",
    "profiles",
    "customer",
    "locale",
    "scriptUrl",
    "bamboo",
    "kr",
    "conekta",
];

/// Parses `options`. `container_is_element` tells whether the page passed an `HTMLElement` as
/// `container` (the boundary checks that; the core never touches the DOM).
///
/// Everything is checked on the borrowed JSON first and the owned options are built only at the
/// end: an early return then has nothing to free, which keeps this (the largest function of the
/// package before issue #6) small.
pub fn parse(options: &Json, container_is_element: bool) -> Result<CheckoutOptions, PasarelaError> {
    // The locale comes first so that every later error is already in the shopper's language.
    let locale = options.get("locale").and_then(Json::as_str).and_then(Locale::parse).unwrap_or_default();
    let Some(map) = options.as_object() else {
        return Err(PasarelaError::invalid("options", "must be an object", locale));
    };
    let root = Obj { map, path: String::new(), locale };
    root.known(TOP_KEYS)?;

    if root.opt_str("locale")?.is_some_and(|tag| Locale::parse(tag).is_none()) {
        return Err(root.err("locale", "must be 'es', 'en' or 'pt'"));
    }
    let provider = match root.req_str("provider")? {
        "bamboo" => ProviderId::Bamboo,
        "conekta" => ProviderId::Conekta,
        "kr" => ProviderId::Kr,
        _ => return Err(root.err("provider", "must be 'bamboo', 'conekta' or 'kr'")),
    };
    let selector = match root.get("container") {
        _ if container_is_element => None,
        Some(Json::Str(s)) if !s.trim().is_empty() => Some(s),
        _ => return Err(root.err("container", "must be a CSS selector or an HTMLElement")),
    };
    let public_key = root.req_str("publicKey")?;
    if provider == ProviderId::Kr && !is_kr_public_key(public_key) {
        return Err(root.err("publicKey", "must look like '12345678:testpublickey_…' for KR"));
    }

    let o = root.req_obj("order")?;
    o.known(&["id", "amount", "currency"])?;
    let order_id = o.req_str("id")?;
    let amount = match o.get("amount").and_then(Json::as_f64) {
        Some(a) if a.fract() == 0.0 && a > 0.0 && a <= MAX_SAFE_INTEGER => a as u64,
        _ => return Err(o.err("amount", "must be a positive integer in minor units (e.g. 1050 for 10.50)")),
    };
    let currency = o.req_str("currency")?;
    if money::minor_units(currency).is_none() {
        return Err(o.err("currency", "must be a supported ISO-4217 code in capitals, e.g. 'MXN'"));
    }

    let m = root.req_obj("merchant")?;
    m.known(&["paymentUrl", "statusUrl", "headers", "timeoutMs", "retries"])?;
    let payment_url = m.opt_url("paymentUrl")?.ok_or_else(|| m.err("paymentUrl", "is required"))?;
    let status_url = m.opt_url("statusUrl")?;
    let headers = m.opt_obj("headers")?;
    if let Some(h) = &headers {
        for (name, value) in h.map {
            if !is_header_name(name) {
                return Err(h.err(name, "is not a valid HTTP header name"));
            }
            if !matches!(value, Json::Str(v) if !v.contains(['\r', '\n'])) {
                return Err(h.err(name, "must be a single-line string"));
            }
        }
    }
    let timeout_ms = m.opt_int("timeoutMs", 1, MAX_TIMEOUT_MS)?;
    let retries = m.opt_int("retries", 0, MAX_RETRIES)?;

    let customer = root.opt_obj("customer")?;
    let (mut email, mut first_name, mut last_name) = (None, None, None);
    if let Some(c) = &customer {
        c.known(&["email", "firstName", "lastName"])?;
        email = c.opt_str("email")?;
        if email.is_some_and(|e| !looks_like_email(e)) {
            return Err(c.err("email", "is not an e-mail address"));
        }
        (first_name, last_name) = (c.opt_str("firstName")?, c.opt_str("lastName")?);
    }
    let script_url = root.opt_url("scriptUrl")?;

    let mut bamboo = BambooOptions::default();
    let (mut capture_url, mut unique_id) = (None, None);
    if let Some(b) = root.opt_obj("bamboo")? {
        b.known(&["captureUrl", "uniqueId", "paymentMediaId", "bankId"])?;
        (capture_url, unique_id) = (b.opt_url("captureUrl")?, b.opt_str("uniqueId")?);
        bamboo.payment_media_id = b.opt_int("paymentMediaId", 0, i64::from(i32::MAX))?;
        bamboo.bank_id = b.opt_int("bankId", 0, i64::from(i32::MAX))?;
    }
    let kr = match root.opt_obj("kr")? {
        None if provider == ProviderId::Kr => return Err(root.err("kr.formToken", "is required when provider is 'kr'")),
        None => None,
        Some(k) => {
            k.known(&["formToken", "binUpdateUrl"])?;
            Some((k.req_str("formToken")?, k.opt_url("binUpdateUrl")?))
        }
    };
    let conekta_locale = match root.opt_obj("conekta")? {
        None => None,
        Some(c) => {
            c.known(&["locale"])?;
            c.opt_str("locale")?
        }
    };
    // Last, because it is the one part that allocates while it checks.
    let profiles = match root.get("profiles") {
        None => Vec::new(),
        Some(Json::Arr(items)) => profile::normalize_all(items, "profiles", locale)?,
        Some(_) => return Err(root.err("profiles", "must be an array")),
    };

    let owned = |s: Option<&str>| s.map(str::to_owned);
    bamboo.capture_url = owned(capture_url);
    bamboo.unique_id = owned(unique_id);
    Ok(CheckoutOptions {
        provider,
        container: selector.map_or(Container::Element, |s| Container::Selector(s.clone())),
        public_key: public_key.to_owned(),
        order: Order { id: order_id.to_owned(), amount, currency: currency.to_owned() },
        merchant: MerchantConfig {
            payment_url: payment_url.to_owned(),
            status_url: status_url.unwrap_or(payment_url).to_owned(),
            headers: headers
                .map(|h| h.map.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned())).collect())
                .unwrap_or_default(),
            timeout_ms: timeout_ms.map_or(DEFAULT_TIMEOUT_MS, |t| t as u32),
            retries: retries.map_or(DEFAULT_RETRIES, |r| r as u32),
        },
        profiles,
        customer: Customer { email: owned(email), first_name: owned(first_name), last_name: owned(last_name) },
        locale,
        script_url: owned(script_url),
        bamboo,
        kr: kr.map(|(t, u)| KrOptions { form_token: t.to_owned(), bin_update_url: owned(u) }),
        conekta: ConektaOptions { locale: owned(conekta_locale) },
    })
}

/// A borrowed JSON object plus the option path that leads to it.
pub(crate) struct Obj<'a> {
    pub map: &'a [(String, Json)],
    pub path: String,
    pub locale: Locale,
}

impl<'a> Obj<'a> {
    pub fn new(map: &'a [(String, Json)], path: String, locale: Locale) -> Self {
        Self { map, path, locale }
    }

    pub fn field(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            crate::text::cat(&[&self.path, ".", key])
        }
    }

    /// `invalid_options` for `key` (out of line: every check of every option reports through here).
    #[inline(never)]
    pub fn err(&self, key: &str, problem: &str) -> PasarelaError {
        PasarelaError::invalid(&self.field(key), problem, self.locale)
    }

    /// The value at `key`; `null` and `undefined` count as absent.
    pub fn get(&self, key: &str) -> Option<&'a Json> {
        self.map.iter().find(|(k, _)| k == key).map(|(_, v)| v).filter(|v| !v.is_null())
    }

    pub fn known(&self, keys: &[&str]) -> Result<(), PasarelaError> {
        match self.map.iter().map(|(k, _)| k).find(|k| !keys.contains(&k.as_str())) {
            Some(k) => Err(self.err(k, "is not a known option")),
            None => Ok(()),
        }
    }

    pub fn opt_str(&self, key: &str) -> Result<Option<&'a str>, PasarelaError> {
        match self.get(key) {
            None => Ok(None),
            Some(Json::Str(s)) if !s.trim().is_empty() => Ok(Some(s)),
            Some(_) => Err(self.err(key, "must be a non-empty string")),
        }
    }

    pub fn req_str(&self, key: &str) -> Result<&'a str, PasarelaError> {
        self.opt_str(key)?.ok_or_else(|| self.err(key, "is required (a non-empty string)"))
    }

    pub fn opt_int(&self, key: &str, min: i64, max: i64) -> Result<Option<i64>, PasarelaError> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => match v.as_f64() {
                Some(n) if n.fract() == 0.0 && n >= min as f64 && n <= max as f64 => Ok(Some(n as i64)),
                _ => {
                    let (min, max) = (crate::text::u64_text(min as u64), crate::text::u64_text(max as u64));
                    Err(self.err(key, &crate::text::cat(&["must be an integer from ", &min, " to ", &max])))
                }
            },
        }
    }

    pub fn opt_url(&self, key: &str) -> Result<Option<&'a str>, PasarelaError> {
        match self.opt_str(key)? {
            Some(u) if !is_http_url(u) => Err(self.err(key, "must be an http(s) URL or a path on this site")),
            other => Ok(other),
        }
    }

    pub fn opt_obj(&self, key: &str) -> Result<Option<Obj<'a>>, PasarelaError> {
        match self.get(key) {
            None => Ok(None),
            Some(Json::Obj(map)) => Ok(Some(Obj { map, path: self.field(key), locale: self.locale })),
            Some(_) => Err(self.err(key, "must be an object")),
        }
    }

    pub fn req_obj(&self, key: &str) -> Result<Obj<'a>, PasarelaError> {
        self.opt_obj(key)?.ok_or_else(|| self.err(key, "is required (an object)"))
    }
}

/// `https://…`, `http://…` or a same-site path. Anything with another scheme (`javascript:`,
/// `data:`) is refused: these URLs are fetched or loaded as scripts.
fn is_http_url(u: &str) -> bool {
    let lower = u.to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        return u.len() > "https://".len() - 1 && !u.contains(char::is_whitespace);
    }
    (u.starts_with('/') && !u.starts_with("//") || u.starts_with("./")) && !u.contains(char::is_whitespace)
}

fn is_header_name(n: &str) -> bool {
    !n.is_empty() && n.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

fn looks_like_email(e: &str) -> bool {
    matches!(e.split_once('@'), Some((user, host)) if !user.is_empty() && host.contains('.') && !e.contains(char::is_whitespace))
}

/// KR public keys are `shopId:testpublickey_…` (test) or `shopId:publickey_…` (production).
fn is_kr_public_key(k: &str) -> bool {
    let key = |rest: &str| rest.strip_prefix("test").unwrap_or(rest).starts_with("publickey_");
    matches!(k.split_once(':'), Some((shop, rest)) if !shop.is_empty() && shop.bytes().all(|b| b.is_ascii_digit()) && key(rest))
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
            "merchant": { "paymentUrl": "/merchant/pay" }
        })
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
