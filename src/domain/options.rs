//! `createCheckout(options)`: parsing and validation (docs/api.md §2).
//!
//! Everything is checked before any script is loaded or anything rendered, and every error names
//! the option path (`order.amount`, `merchant.headers.X-Csrf`, `profiles[2].last4`), so a storefront
//! engineer fixes the right field at once. Unknown keys are refused too: a typo such as
//! `profile:` instead of `profiles:` would otherwise silently drop the saved cards.

use super::error::PasarelaError;
use super::i18n::Locale;
use super::json::Json;
use super::profile::{self, SavedProfile};
use super::read::{Kind, Object, Reading};
use super::ProviderId;
use pasarela_protocol::Method;

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
    /// The checkout session's client secret (pasarela-server): sent in every payment body, and
    /// as `Authorization: Bearer` on every status read.
    pub client_secret: Option<String>,
    /// Whether the shopper is asked to save a new card (the session's `savePaymentMethod`).
    pub save_payment_method: SavePaymentMethod,
    /// `merchant.paymentMethodsUrl`: where the on-demand part removes a saved card or makes it the
    /// default (`manageProfiles`; its default, `${paymentUrl}/payment-methods` with a client
    /// secret, is the on-demand part's).
    pub payment_methods_url: Option<String>,
    pub timeout_ms: u32,
    pub retries: u32,
}

/// `merchant.savePaymentMethod`: the session's rule for saving a new card (pasarela-server).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SavePaymentMethod {
    /// Never saved (the default).
    #[default]
    Off,
    /// The shopper decides: an unticked checkbox under the new-card form (Bamboo, Conekta; KR's
    /// form asks itself, `ASK_REGISTER_PAY`).
    Ask,
    /// Always saved: the service decides, the page shows nothing.
    Always,
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

/// The provider and its own block of options: one type per provider, so a `kr` block on a
/// Conekta checkout cannot even be represented (the parser refuses it, naming the field).
#[derive(Clone, Debug, PartialEq)]
pub enum ProviderOptions {
    Bamboo(BambooOptions),
    Conekta(ConektaOptions),
    Kr(KrOptions),
}

impl ProviderOptions {
    pub fn id(&self) -> ProviderId {
        match self {
            Self::Bamboo(_) => ProviderId::Bamboo,
            Self::Conekta(_) => ProviderId::Conekta,
            Self::Kr(_) => ProviderId::Kr,
        }
    }
}

/// Validated options; every field is known good.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckoutOptions {
    pub provider: ProviderOptions,
    pub container: Container,
    pub public_key: String,
    pub order: Order,
    pub merchant: MerchantConfig,
    pub profiles: Vec<SavedProfile>,
    pub customer: Customer,
    pub locale: Locale,
    /// The `locale` option's region when it names one (`es-AR`): see [`CheckoutOptions::lang`].
    pub region: Option<&'static str>,
    pub script_url: Option<String>,
    /// `payButton` (default `true`): Pasarela draws its own pay button under the saved cards and
    /// the card form; `false` leaves paying to the storefront's own button (`pay()`).
    pub pay_button: bool,
    /// How the shopper may pay (`methods`, default `['card']`; docs/api.md §4, "Beyond the card
    /// form").
    pub methods: Methods,
    /// `resume`: the payment a redirect left, to read and report once the checkout is ready.
    pub resume: Option<String>,
    /// `installments`: the offers the shopper may choose from (none: one payment).
    pub installments: Vec<super::installments::Plan>,
    /// `expiredProfiles: 'hide'`: expired saved cards are left out of the list (default
    /// `'disable'`: shown, disabled, "Vencida").
    pub hide_expired: bool,
}

impl CheckoutOptions {
    /// Which provider this checkout uses.
    pub fn provider(&self) -> ProviderId {
        self.provider.id()
    }

    /// The checkout's language tag (Pasarela's element's `lang`, what `Intl` formats amounts
    /// with, and what the on-demand part words its messages by): the `locale` option's region
    /// (`es-AR`), else the language with the currency's country (`es` and MXN: `es-MX`).
    pub fn lang(&self) -> &'static str {
        self.region.unwrap_or_else(|| super::money::display_tag(self.locale, &self.order.currency))
    }
}

/// Default merchant request timeout (docs/api.md §2).
pub const DEFAULT_TIMEOUT_MS: u32 = 15_000;
/// Default merchant retries (docs/api.md §2).
pub const DEFAULT_RETRIES: u32 = 2;
/// JavaScript's `Number.MAX_SAFE_INTEGER`: larger amounts cannot round-trip through the page.
pub(crate) const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

pub(crate) const AMOUNT_PROBLEM: &str = "must be a positive integer in minor units";
const ID_PROBLEM: &str = "must be an integer from 0 to 2147483647";
const TOP_KEYS: &[&str] = &[
    "locale",
    "payButton",
    "provider",
    "container",
    "publicKey",
    "order",
    "merchant",
    "profiles",
    "customer",
    "scriptUrl",
    "bamboo",
    "kr",
    "conekta",
    "methods",
    "resume",
    "installments",
    "manageProfiles",
    "expiredProfiles",
];

const METHOD_PROBLEM: &str = "must be 'card', 'cash' or 'bank_transfer'";

/// A set of methods, kept in the protocol's order (`Method::ALL`: the card first, then cash, then
/// the bank transfer), which the choice shows. A bit per method: no list to allocate or free.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Methods(u8);

impl Methods {
    const fn bit(m: Method) -> u8 {
        1 << (m as u8)
    }

    /// Just the card (the default).
    pub const CARD: Methods = Methods(Self::bit(Method::Card));

    pub fn contains(self, m: Method) -> bool {
        self.0 & Self::bit(m) != 0
    }

    /// The ones in the set, in order.
    pub fn iter(self) -> impl Iterator<Item = Method> {
        Method::ALL.into_iter().filter(move |m| self.contains(*m))
    }

    /// The first in order (the card, when offered): what is chosen until the shopper chooses.
    pub fn first(self) -> Method {
        Method::ALL.get(self.0.trailing_zeros() as usize).copied().unwrap_or(Method::Card)
    }

    /// Whether there is a choice to make.
    pub fn several(self) -> bool {
        self.0.count_ones() > 1
    }
}

/// `methods`: a non-empty array of the three words.
fn methods(top: Object) -> Methods {
    let Some(v) = top.get("methods") else { return Methods::CARD };
    let items = v.as_array().unwrap_or(&[]);
    if items.is_empty() {
        top.refuse::<()>("methods", "must be a non-empty array");
    }
    // A set: a method named twice is offered once.
    let mut set = Methods(0);
    for (i, item) in items.iter().enumerate() {
        match item.as_str().and_then(Method::parse) {
            Some(m) => set.0 |= Methods::bit(m),
            None => top.refuse(&super::read::indexed("methods", i), METHOD_PROBLEM).unwrap_or(()),
        }
    }
    set
}

fn order(top: Object) -> Order {
    let o = top.block("order", &["id", "amount", "currency"], true).unwrap_or(top.empty());
    Order {
        id: o.text("id", Kind::Text, true).unwrap_or_default(),
        amount: o.whole("amount", 1.0, MAX_SAFE_INTEGER, true, AMOUNT_PROBLEM).unwrap_or_default() as u64,
        currency: o.text("currency", Kind::Currency, true).unwrap_or_default(),
    }
}

fn merchant(top: Object) -> MerchantConfig {
    let known =
        ["paymentUrl", "statusUrl", "headers", "clientSecret", "savePaymentMethod", "timeoutMs", "retries", "paymentMethodsUrl"];
    let m = top.block("merchant", &known, true).unwrap_or(top.empty());
    let payment_url = m.text("paymentUrl", Kind::Url, true).unwrap_or_default();
    let status_url = m.text("statusUrl", Kind::Url, false);
    let mut headers = Vec::new();
    if let Some(v) = m.get("headers") {
        let h = Object::of(v, "merchant.headers", m.reading);
        for (name, value) in h.map {
            match value {
                _ if !is_header_name(name) => h.refuse::<()>(name, "is not a valid HTTP header name"),
                Json::Str(v) if !v.contains(['\r', '\n']) => {
                    headers.push((name.clone(), v.clone()));
                    None
                }
                _ => h.refuse(name, "must be a single-line string"),
            };
        }
    }
    MerchantConfig {
        status_url: status_url.unwrap_or_else(|| payment_url.clone()),
        payment_url,
        headers,
        client_secret: m.text("clientSecret", Kind::Text, false),
        payment_methods_url: m.text("paymentMethodsUrl", Kind::Url, false),
        save_payment_method: match m.one_of(
            "savePaymentMethod",
            &["off", "ask", "always"],
            "must be 'off', 'ask' or 'always'",
        ) {
            Some(1) => SavePaymentMethod::Ask,
            Some(2) => SavePaymentMethod::Always,
            _ => SavePaymentMethod::Off,
        },
        timeout_ms: m
            .whole("timeoutMs", 1.0, 120_000.0, false, "must be an integer from 1 to 120000")
            .map_or(DEFAULT_TIMEOUT_MS, |t| t as u32),
        retries: m
            .whole("retries", 0.0, 10.0, false, "must be an integer from 0 to 10")
            .map_or(DEFAULT_RETRIES, |r| r as u32),
    }
}

/// The provider and its block. A block for another provider is refused: it would be silently
/// ignored, and it usually means the checkout was configured for the wrong provider.
fn provider(top: Object, public_key: &str) -> ProviderOptions {
    let name = top.text("provider", Kind::Text, true).unwrap_or_default();
    let known_provider = matches!(name.as_str(), "bamboo" | "conekta" | "kr");
    for other in ["bamboo", "conekta", "kr"] {
        if known_provider && other != name && top.get(other).is_some() {
            top.refuse::<()>(other, "is for another provider");
        }
    }
    // A provider block the provider needs, refused under the name of its required field.
    let needed = |key, known: &[&str], field, problem| {
        top.block(key, known, false).unwrap_or_else(|| top.refuse(field, problem).unwrap_or(top.empty()))
    };
    match name.as_str() {
        "bamboo" => {
            // PWCheckout's `country_code` is mandatory (Bamboo, Versions/Forms/Checkout-Form.md).
            let known = ["countryCode", "captureUrl", "uniqueId", "paymentMediaId", "bankId"];
            let b = needed("bamboo", &known, "bamboo.countryCode", "is required for 'bamboo'");
            let id = |key| b.whole(key, 0.0, 2_147_483_647.0, false, ID_PROBLEM).map(|n| n as i64);
            ProviderOptions::Bamboo(BambooOptions {
                country_code: b.text("countryCode", Kind::Country, true).unwrap_or_default(),
                capture_url: b.text("captureUrl", Kind::Url, false),
                unique_id: b.text("uniqueId", Kind::Text, false),
                payment_media_id: id("paymentMediaId"),
                bank_id: id("bankId"),
            })
        }
        "kr" => {
            if !is_kr_public_key(public_key) {
                top.refuse::<()>("publicKey", "must look like '12345678:testpublickey_…' for KR");
            }
            let k = needed("kr", &["formToken", "binUpdateUrl"], "kr.formToken", "is required for 'kr'");
            ProviderOptions::Kr(KrOptions {
                form_token: k.text("formToken", Kind::Text, true).unwrap_or_default(),
                bin_update_url: k.text("binUpdateUrl", Kind::Url, false),
            })
        }
        other => {
            if other != "conekta" && !other.is_empty() {
                top.refuse::<()>("provider", "must be 'bamboo', 'conekta' or 'kr'");
            }
            let c = top.block("conekta", &["locale"], false);
            ProviderOptions::Conekta(ConektaOptions { locale: c.and_then(|c| c.text("locale", Kind::Text, false)) })
        }
    }
}

/// Parses `options` into [`CheckoutOptions`] in one pass: each value is read once, checked and
/// kept, and the first problem found is the error, naming the option path. `container_is_element`
/// tells whether the page passed an `HTMLElement` as `container` (the boundary checks that; the
/// core never touches the DOM). `url_resolves` is the page's last word on each URL option that
/// passed the textual rule (the browser's URL parser; natively, tests pass their own).
pub fn parse(
    options: &Json,
    container_is_element: bool,
    url_resolves: &dyn Fn(&str) -> bool,
) -> Result<CheckoutOptions, PasarelaError> {
    // The locale comes first so that every error is already in the shopper's language.
    let requested = options.get("locale").filter(|v| !v.is_null());
    let tag = requested.and_then(Json::as_str).and_then(Locale::parse);
    let locale = tag.map(|(language, _)| language);
    let reading = Reading::new(url_resolves);
    let top = Object::of(options, "options", &reading);
    let top = Object { path: "", ..top };
    top.only(TOP_KEYS);
    if requested.is_some() && locale.is_none() {
        top.refuse::<()>("locale", "must be 'es', 'en', 'pt', 'es-MX', 'es-AR', 'es-UY', 'es-PE' or 'pt-BR'");
    }
    let locale = locale.unwrap_or_default();
    let public_key = top.text("publicKey", Kind::Text, true).unwrap_or_default();
    let mut o = CheckoutOptions {
        provider: provider(top, &public_key),
        public_key,
        order: order(top),
        merchant: merchant(top),
        customer: match top.block("customer", &["email", "firstName", "lastName"], false) {
            Some(c) => Customer {
                email: c.text("email", Kind::Email, false),
                first_name: c.text("firstName", Kind::Text, false),
                last_name: c.text("lastName", Kind::Text, false),
            },
            None => Customer::default(),
        },
        script_url: top.text("scriptUrl", Kind::Url, false),
        region: tag.and_then(|(_, region)| region),
        pay_button: top.boolean("payButton", false).unwrap_or(true),
        container: match top.get("container") {
            _ if container_is_element => Container::Element,
            Some(Json::Str(s)) if super::read::has_text(s) => Container::Selector(s.clone()),
            _ => top.refuse("container", "must be a CSS selector or an HTMLElement").unwrap_or(Container::Element),
        },
        profiles: Vec::new(),
        locale,
        methods: methods(top),
        resume: top.text("resume", Kind::Text, false),
        installments: super::installments::parse(top),
        hide_expired: top.one_of("expiredProfiles", &["disable", "hide"], "must be 'disable' or 'hide'") == Some(1),
    };
    // Card management (drawn by the on-demand part) needs somewhere to send its requests.
    if top.boolean("manageProfiles", false) == Some(true)
        && o.merchant.payment_methods_url.is_none()
        && o.merchant.client_secret.is_none()
    {
        top.refuse::<()>("manageProfiles", "needs merchant.paymentMethodsUrl or merchant.clientSecret");
    }
    let profiles = top.get("profiles");
    if profiles.is_some_and(|p| p.as_array().is_none()) {
        top.refuse::<()>("profiles", "must be an array");
    }
    if let Some((field, problem)) = reading.first_problem() {
        return Err(PasarelaError::invalid(&field, problem, locale));
    }
    // Last, and only for good options: the one part that allocates while it checks.
    if let Some(items) = profiles.and_then(Json::as_array) {
        o.profiles = profile::normalize_all(items, "profiles", locale)?;
    }
    Ok(o)
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
        super::parse(&Json::parse(&v.to_string()).unwrap(), element, &|_| true)
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
            let parsed = Json::parse(&text).map(|j| super::parse(&j, false, &|_| true).is_ok());
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
        let ProviderOptions::Bamboo(b) = parse(&base(), false).unwrap().provider else { panic!("not bamboo") };
        assert_eq!(b.country_code, "MX");
    }

    fn field_of(v: Value) -> String {
        let e = parse(&v, false).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidOptions);
        e.field.unwrap()
    }

    #[test]
    fn minimal_options_get_the_contract_defaults() {
        let o = parse(&base(), false).unwrap();
        assert_eq!(o.provider(), ProviderId::Bamboo);
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
    fn the_page_has_the_last_word_on_each_url() {
        let mut v = base();
        v["scriptUrl"] = json!("https://cdn.example/pw.js");
        let json = Json::parse(&v.to_string()).unwrap();
        let e = super::parse(&json, false, &|u: &str| u.starts_with('/')).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("scriptUrl"));
        assert!(e.message.contains("https://"), "{}", e.message);
        assert!(super::parse(&json, false, &|_| true).is_ok());
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
    fn save_payment_method_is_off_ask_or_always() {
        assert_eq!(parse(&base(), false).unwrap().merchant.save_payment_method, SavePaymentMethod::Off);
        for (value, expected) in
            [("off", SavePaymentMethod::Off), ("ask", SavePaymentMethod::Ask), ("always", SavePaymentMethod::Always)]
        {
            let mut v = base();
            v["merchant"]["savePaymentMethod"] = json!(value);
            assert_eq!(parse(&v, false).unwrap().merchant.save_payment_method, expected, "{value}");
        }
        let mut v = base();
        v["merchant"]["savePaymentMethod"] = json!(null);
        assert_eq!(parse(&v, false).unwrap().merchant.save_payment_method, SavePaymentMethod::Off, "null is absent");
        for bad in [json!("Ask"), json!("yes"), json!(""), json!(true), json!(1), json!({})] {
            let mut v = base();
            v["merchant"]["savePaymentMethod"] = bad.clone();
            let e = parse(&v, false).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidOptions);
            assert_eq!(e.field.as_deref(), Some("merchant.savePaymentMethod"), "{bad}");
            assert!(e.message.contains("'off', 'ask' or 'always'"), "{}", e.message);
        }
    }

    #[test]
    fn kr_needs_a_form_token_and_a_kr_public_key() {
        let mut v = base();
        v.as_object_mut().unwrap().remove("bamboo");
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
    fn a_block_for_another_provider_is_refused() {
        let mut v = base();
        v["provider"] = json!("conekta");
        v.as_object_mut().unwrap().remove("bamboo");
        v["kr"] = json!({ "formToken": "ft" });
        assert_eq!(field_of(v.clone()), "kr");
        v.as_object_mut().unwrap().remove("kr");
        v["conekta"] = json!({ "locale": "es" });
        assert!(matches!(
            parse(&v, false).unwrap().provider,
            ProviderOptions::Conekta(ConektaOptions { locale: Some(_) })
        ));
        let mut v = base();
        v["conekta"] = json!({});
        assert_eq!(field_of(v), "conekta");
    }

    #[test]
    fn kr_block_without_a_form_token_is_named() {
        let mut v = base();
        v.as_object_mut().unwrap().remove("bamboo");
        v["provider"] = json!("kr");
        v["publicKey"] = json!("69876357:testpublickey_DEMO");
        v["kr"] = json!({ "binUpdateUrl": "/bin" });
        assert_eq!(field_of(v.clone()), "kr.formToken");
        v["kr"] = json!({ "formToken": "ft", "binUpdateUrl": "/bin" });
        let ProviderOptions::Kr(k) = parse(&v, false).unwrap().provider else { panic!("not kr") };
        assert_eq!((k.form_token.as_str(), k.bin_update_url.as_deref()), ("ft", Some("/bin")));
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
    fn methods_default_to_the_card_and_keep_the_protocols_order() {
        let listed = |v: &Value| parse(v, false).unwrap().methods.iter().collect::<Vec<_>>();
        assert_eq!(listed(&base()), [Method::Card]);
        assert!(!parse(&base(), false).unwrap().methods.several());
        let mut v = base();
        v["methods"] = json!(["cash", "bank_transfer", "card"]);
        assert_eq!(listed(&v), [Method::Card, Method::Cash, Method::BankTransfer], "the card first");
        assert!(parse(&v, false).unwrap().methods.several());
        v["methods"] = json!(["bank_transfer", "cash"]);
        assert_eq!(listed(&v), [Method::Cash, Method::BankTransfer], "in the protocol's order");
        assert_eq!(parse(&v, false).unwrap().methods.first(), Method::Cash);
        assert!(!parse(&v, false).unwrap().methods.contains(Method::Card));
        v["methods"] = json!(null);
        assert_eq!(listed(&v), [Method::Card], "null is absent");
    }

    #[test]
    fn a_bad_method_is_named_by_its_index() {
        for (methods, field) in [
            (json!(["card", "crypto"]), "methods[1]"),
            (json!(["card", 3]), "methods[1]"),
            (json!(["Card"]), "methods[0]"),
            (json!([]), "methods"),
            (json!("card"), "methods"),
            (json!({ "card": true }), "methods"),
        ] {
            let mut v = base();
            v["methods"] = methods.clone();
            let e = parse(&v, false).unwrap_err();
            assert_eq!(e.field.as_deref(), Some(field), "{methods}");
        }
        let mut v = base();
        v["methods"] = json!(["card", "crypto"]);
        assert!(parse(&v, false).unwrap_err().message.contains("'card', 'cash' or 'bank_transfer'"));
        v["methods"] = json!(["cash", "cash", "card"]);
        assert_eq!(parse(&v, false).unwrap().methods.iter().collect::<Vec<_>>(), [Method::Card, Method::Cash], "a set");
    }

    #[test]
    fn resume_names_a_payment() {
        assert_eq!(parse(&base(), false).unwrap().resume, None);
        let mut v = base();
        v["resume"] = json!("pay_123");
        assert_eq!(parse(&v, false).unwrap().resume.as_deref(), Some("pay_123"));
        for bad in [json!(""), json!("  "), json!(12), json!({})] {
            v["resume"] = bad.clone();
            assert_eq!(field_of(v.clone()), "resume", "{bad}");
        }
    }

    #[test]
    fn card_management_options_are_checked() {
        let o = parse(&base(), false).unwrap();
        assert!(!o.hide_expired, "expired cards are shown disabled by default");
        assert_eq!(o.merchant.payment_methods_url, None);
        let mut v = base();
        v["expiredProfiles"] = json!("hide");
        assert!(parse(&v, false).unwrap().hide_expired);
        v["expiredProfiles"] = json!("disable");
        assert!(!parse(&v, false).unwrap().hide_expired);
        for bad in [json!("Hide"), json!(true), json!("")] {
            v["expiredProfiles"] = bad.clone();
            assert_eq!(field_of(v.clone()), "expiredProfiles", "{bad}");
        }
        let mut v = base();
        v["manageProfiles"] = json!(false);
        assert!(parse(&v, false).is_ok());
        v["manageProfiles"] = json!("yes");
        assert_eq!(field_of(v.clone()), "manageProfiles");
        v["manageProfiles"] = json!(true);
        let e = parse(&v, false).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("manageProfiles"), "nowhere to send a removal");
        assert!(e.message.contains("paymentMethodsUrl or merchant.clientSecret"), "{}", e.message);
        v["merchant"]["clientSecret"] = json!("cs_test_1");
        assert!(parse(&v, false).is_ok(), "the default URL is the service's");
        v["merchant"]["paymentMethodsUrl"] = json!("javascript:alert(1)");
        assert_eq!(field_of(v.clone()), "merchant.paymentMethodsUrl");
        v["merchant"]["paymentMethodsUrl"] = json!("/merchant/payment-methods");
        v["merchant"].as_object_mut().unwrap().remove("clientSecret");
        let o = parse(&v, false).unwrap();
        assert_eq!(o.merchant.payment_methods_url.as_deref(), Some("/merchant/payment-methods"));
        let json = Json::parse(&v.to_string()).unwrap();
        let e = super::parse(&json, false, &|u: &str| u != "/merchant/payment-methods").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("merchant.paymentMethodsUrl"), "checked where it resolves");
    }

    #[test]
    fn installments_are_offers_named_by_index() {
        let mut v = base();
        v["installments"] = json!([
            { "count": 1, "amount": 123456, "total": 123456, "rate": 0, "tea": 0, "free": true },
            { "count": 3, "amount": 41152, "total": 123456, "rate": 0, "tea": 0, "cft": 0, "free": true, "brands": ["visa"] }
        ]);
        let o = parse(&v, false).unwrap();
        assert_eq!(o.installments.len(), 2);
        assert_eq!((o.installments[1].count, o.installments[1].brands.as_str()), (3, " visa"));
        v["installments"][1]["amount"] = json!(-3);
        assert_eq!(field_of(v.clone()), "installments[1].amount");
        v["installments"] = json!(3);
        assert_eq!(field_of(v), "installments");
    }

    #[test]
    fn non_objects_are_refused_at_the_root() {
        for bad in [json!(null), json!(3), json!("bamboo"), json!([])] {
            assert_eq!(field_of(bad), "options");
        }
    }

    #[test]
    fn pay_button_is_a_boolean_true_by_default() {
        assert!(parse(&base(), false).unwrap().pay_button);
        let mut v = base();
        v["payButton"] = json!(false);
        assert!(!parse(&v, false).unwrap().pay_button);
        v["payButton"] = json!(true);
        assert!(parse(&v, false).unwrap().pay_button);
        v["payButton"] = json!(null);
        assert!(parse(&v, false).unwrap().pay_button, "null is absent");
        for bad in [json!("false"), json!(0), json!({})] {
            v["payButton"] = bad.clone();
            assert_eq!(field_of(v.clone()), "payButton", "{bad}");
        }
    }

    #[test]
    fn regional_locales_speak_their_language_with_their_region() {
        let mut v = base();
        for (tag, locale, lang) in [("es-AR", Locale::Es, "es-AR"), ("pt-BR", Locale::Pt, "pt-BR"), ("es-MX", Locale::Es, "es-MX")] {
            v["locale"] = json!(tag);
            let o = parse(&v, false).unwrap();
            assert_eq!((o.locale, o.lang()), (locale, lang), "{tag}");
        }
        // Without a region, the currency's country (USD: Latin-American Spanish).
        v["locale"] = json!("es");
        assert_eq!(parse(&v, false).unwrap().lang(), "es-419");
        v["order"]["currency"] = json!("UYU");
        assert_eq!(parse(&v, false).unwrap().lang(), "es-UY");
        v["locale"] = json!("es-PE");
        assert_eq!(parse(&v, false).unwrap().lang(), "es-PE", "the option's region wins over the currency's");
        for bad in ["es-ES", "es-mx", "pt-PT", "fr"] {
            v["locale"] = json!(bad);
            let e = parse(&v, false).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("locale"), "{bad}");
            assert!(e.message.contains("'es-UY'"), "{}", e.message);
        }
    }
}
