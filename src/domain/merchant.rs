//! The merchant-server protocol (docs/api.md §4): the request body, the answer, and the retry rules.
//! Transport lives in `crate::merchant_client`; everything decidable without a network is here.

use super::error::{ErrorCode, PasarelaError};
use super::i18n::Locale;
use super::json::{integer_text, Json, ObjectText};
use super::options::CheckoutOptions;
use super::token::TokenKind;
use super::ProviderId;

/// What pays: the `source` of a payment request.
#[derive(Clone, PartialEq)]
pub enum Source {
    Token {
        token: String,
        kind: TokenKind,
    },
    Profile {
        profile_id: String,
    },
    /// A KR `onSubmit` answer, forwarded verbatim for the server to verify `hash`.
    KrAnswer {
        /// KR's `clientAnswer` as JSON text from the page's `JSON.stringify` (so valid JSON, or
        /// empty when there was none), forwarded as is: not parsed again on the hot path.
        client_answer: String,
        raw_client_answer: String,
        hash: String,
        hash_algorithm: String,
        hash_key: String,
    },
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Token { kind, .. } => f.write_str(kind.as_str()),
            Source::Profile { profile_id } => f.write_str(profile_id),
            Source::KrAnswer { .. } => f.write_str("KrAnswer"),
        }
    }
}

/// The JSON body of one payment attempt.
pub fn payment_body(opts: &CheckoutOptions, source: &Source, installments: u32) -> String {
    let source = match source {
        Source::Token { token, kind } => {
            ObjectText::new().str("type", "token").str("token", token).str("kind", kind.as_str())
        }
        Source::Profile { profile_id } => ObjectText::new().str("type", "profile").str("profileId", profile_id),
        Source::KrAnswer { client_answer, raw_client_answer, hash, hash_algorithm, hash_key } => ObjectText::new()
            .str("type", "kr_answer")
            .raw("clientAnswer", client_answer)
            .str("rawClientAnswer", raw_client_answer)
            .str("hash", hash)
            .str("hashAlgorithm", hash_algorithm)
            .str("hashKey", hash_key),
    };
    let c = &opts.customer;
    let customer = ObjectText::new()
        .opt_str("email", c.email.as_deref())
        .opt_str("firstName", c.first_name.as_deref())
        .opt_str("lastName", c.last_name.as_deref());
    let order = ObjectText::new()
        .str("id", &opts.order.id)
        .num("amount", opts.order.amount)
        .str("currency", &opts.order.currency);
    ObjectText::new()
        .str("provider", opts.provider().as_str())
        .raw("order", &order.end())
        .raw("source", &source.end())
        .num("installments", u64::from(installments))
        .raw("customer", &customer.end())
        .opt_str("clientSecret", opts.merchant.client_secret.as_deref())
        .end()
}

/// `status` of a merchant answer and of `PaymentResult`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResultStatus {
    Approved,
    Declined,
    Pending,
    Error,
}

impl ResultStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approved => "approved",
            Self::Declined => "declined",
            Self::Pending => "pending",
            Self::Error => "error",
        }
    }
}

/// What the shopper must do for a pending payment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActionType {
    VerificationCode,
    Redirect,
}

impl ActionType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::VerificationCode => "verification_code",
            Self::Redirect => "redirect",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Action {
    pub kind: ActionType,
    pub url: String,
}

/// A well-formed `200` answer.
#[derive(Clone, Debug, PartialEq)]
pub struct MerchantAnswer {
    pub status: ResultStatus,
    pub payment_id: Option<String>,
    pub message: Option<String>,
    pub action: Option<Action>,
}

/// `PaymentResult` (docs/api.md §3).
#[derive(Clone, Debug, PartialEq)]
pub struct PaymentResult {
    pub status: ResultStatus,
    pub payment_id: Option<String>,
    pub message: Option<String>,
}

impl PaymentResult {
    pub fn from_answer(a: &MerchantAnswer) -> Self {
        Self { status: a.status, payment_id: a.payment_id.clone(), message: a.message.clone() }
    }

    pub fn from_error(e: &PasarelaError, payment_id: Option<String>) -> Self {
        Self { status: ResultStatus::Error, payment_id, message: Some(e.message.clone()) }
    }
}

/// What to do with an HTTP status from the merchant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HttpVerdict {
    /// 2xx: read the body.
    Read,
    /// 408, 429, 5xx: the same request again (same `Idempotency-Key`), if retries are left.
    Retry,
    /// Any other 4xx/3xx/1xx: the merchant refused; never retried.
    Reject,
}

pub fn http_verdict(status: u16) -> HttpVerdict {
    match status {
        200..=299 => HttpVerdict::Read,
        408 | 429 | 500..=599 => HttpVerdict::Retry,
        _ => HttpVerdict::Reject,
    }
}

/// Parses a `200` body with the core's parser (native code and tests; the wasm parses with the
/// browser's `JSON.parse`, `web::json`, and calls [`read_answer`]).
pub fn parse_answer(body: &str, locale: Locale) -> Result<MerchantAnswer, PasarelaError> {
    read_answer(Json::parse(body), locale)
}

/// Reads a `200` body already parsed (`None`: it was not JSON).
pub fn read_answer(body: Option<Json>, locale: Locale) -> Result<MerchantAnswer, PasarelaError> {
    let bad = |why: &str| PasarelaError::new(ErrorCode::MerchantBadResponse, locale).with_detail(why);
    let o = body.ok_or_else(|| bad("not JSON"))?;
    o.as_object().ok_or_else(|| bad("not an object"))?;
    let status = match o.get("status").and_then(Json::as_str) {
        Some("approved") => ResultStatus::Approved,
        Some("declined") => ResultStatus::Declined,
        Some("pending") => ResultStatus::Pending,
        _ => return Err(bad("unknown status")),
    };
    let text = |k: &str| -> Result<Option<String>, PasarelaError> {
        match o.get(k) {
            None | Some(Json::Null) => Ok(None),
            Some(Json::Str(s)) => Ok(Some(s.clone())),
            Some(Json::Num(n)) if k == "paymentId" => integer_text(*n).map(Some).ok_or_else(|| bad("paymentId")),
            Some(_) => Err(bad(&crate::text::cat(&[k, " is not a string"]))),
        }
    };
    let payment_id = text("paymentId")?;
    let message = text("message")?;
    let action = match o.get("action") {
        None | Some(Json::Null) => None,
        Some(a) => {
            let kind = match a.get("type").and_then(Json::as_str) {
                Some("verification_code") => ActionType::VerificationCode,
                Some("redirect") => ActionType::Redirect,
                _ => return Err(bad("unknown action type")),
            };
            let url = a.get("url").and_then(Json::as_str).filter(|u| super::url::is_http_or_path(u));
            let url = url.ok_or_else(|| bad("action without an http(s) url"))?.to_owned();
            Some(Action { kind, url })
        }
    };
    if status == ResultStatus::Pending && payment_id.is_none() {
        return Err(bad("pending without paymentId"));
    }
    if action.is_some() && status != ResultStatus::Pending {
        return Err(bad("action on a final status"));
    }
    Ok(MerchantAnswer { status, payment_id, message, action })
}

/// Delay before retry number `retry` (0-based): exponential from 250 ms with full jitter
/// (`jitter` in [0, 1)), at least what `Retry-After` asked, and never above 10 s.
pub fn retry_delay_ms(retry: u32, retry_after_ms: Option<u32>, jitter: f64) -> u32 {
    let cap = 250u32.saturating_mul(1 << retry.min(6));
    let jittered = cap / 2 + (f64::from(cap / 2) * jitter.clamp(0.0, 1.0)) as u32;
    jittered.max(retry_after_ms.unwrap_or(0)).min(10_000)
}

/// Status polling for a `pending` answer: 1 s, 2 s, 4 s, … capped at 8 s between reads, for at
/// most 60 s in all (docs/api.md §4). Returns the wait before read number `n` (0-based), or `None`
/// when `elapsed_ms` leaves no room for another.
pub fn poll_delay_ms(n: u32, elapsed_ms: u32) -> Option<u32> {
    const BUDGET_MS: u32 = 60_000;
    let d = (1000u32 << n.min(3)).min(8000);
    (elapsed_ms + d <= BUDGET_MS).then_some(d)
}

fn http_detail(status: u16) -> String {
    crate::text::cat(&["HTTP ", &crate::text::u32_text(u32::from(status))])
}

/// A `status` HTTP code (or none, for a network failure) as the error the page sees.
pub fn http_error(status: Option<u16>, locale: Locale, provider: ProviderId) -> PasarelaError {
    let e = match status {
        None => PasarelaError::new(ErrorCode::Network, locale),
        Some(s @ 400..=499) if !matches!(s, 408 | 429) => {
            PasarelaError::new(ErrorCode::MerchantRejected, locale).with_detail(&http_detail(s))
        }
        Some(s) => PasarelaError::new(ErrorCode::Network, locale).with_detail(&http_detail(s)),
    };
    e.with_provider(provider)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn parse(v: &Value, element: bool) -> Result<CheckoutOptions, PasarelaError> {
        crate::domain::options::parse(&Json::parse(&v.to_string()).unwrap(), element, &|_| true)
    }

    fn opts() -> CheckoutOptions {
        parse(
            &json!({
                "provider": "bamboo", "container": "#c", "publicKey": "pk",
                "order": { "id": "A-1", "amount": 123456, "currency": "USD" },
                "merchant": { "paymentUrl": "/pay" }, "customer": { "email": "ana@example.com" },
                "bamboo": { "countryCode": "MX" }
            }),
            false,
        )
        .unwrap()
    }

    #[test]
    fn token_body_matches_the_contract() {
        let body = payment_body(&opts(), &Source::Token { token: "OT__x_".into(), kind: TokenKind::OneTime }, 1);
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            v,
            json!({
                "provider": "bamboo", "order": { "id": "A-1", "amount": 123456, "currency": "USD" },
                "source": { "type": "token", "token": "OT__x_", "kind": "one_time" },
                "installments": 1, "customer": { "email": "ana@example.com" }
            })
        );
    }

    #[test]
    fn a_client_secret_goes_in_the_body() {
        let mut o = opts();
        assert!(!payment_body(&o, &Source::Profile { profile_id: "1".into() }, 1).contains("clientSecret"));
        o.merchant.client_secret = Some("cs_1_secret_x".into());
        let v: Value = serde_json::from_str(&payment_body(&o, &Source::Profile { profile_id: "1".into() }, 1)).unwrap();
        assert_eq!(v["clientSecret"], "cs_1_secret_x");
    }

    #[test]
    fn profile_and_kr_sources() {
        let v: Value =
            serde_json::from_str(&payment_body(&opts(), &Source::Profile { profile_id: "55591".into() }, 3)).unwrap();
        assert_eq!(v["source"], json!({ "type": "profile", "profileId": "55591" }));
        assert_eq!(v["installments"], 3);
        let kr = Source::KrAnswer {
            client_answer: r#"{"orderStatus":"PAID"}"#.into(),
            raw_client_answer: "{\"orderStatus\":\"PAID\"}".into(),
            hash: "ab".into(),
            hash_algorithm: "sha256_hmac".into(),
            hash_key: "sha256_hmac".into(),
        };
        let v: Value = serde_json::from_str(&payment_body(&opts(), &kr, 1)).unwrap();
        assert_eq!(v["source"]["type"], "kr_answer");
        assert_eq!(v["source"]["rawClientAnswer"], "{\"orderStatus\":\"PAID\"}");
        assert_eq!(v["source"]["hashKey"], "sha256_hmac");
    }

    #[test]
    fn debug_of_a_source_hides_the_token() {
        assert!(!format!("{:?}", Source::Token { token: "OT__secret_".into(), kind: TokenKind::OneTime })
            .contains("secret"));
    }

    #[test]
    fn answers_parse_and_malformed_ones_are_refused() {
        let a = parse_answer(
            r#"{"status":"pending","paymentId":"p1","action":{"type":"verification_code","url":"https://x/Capture"}}"#,
            Locale::En,
        )
        .unwrap();
        assert_eq!(a.action.unwrap().kind, ActionType::VerificationCode);
        for bad in [
            "<html>",
            "[]",
            r#"{"status":"ok"}"#,
            r#"{"status":"pending"}"#,
            r#"{"status":"approved","action":{"type":"verification_code","url":"https://x"}}"#,
            r#"{"status":"pending","paymentId":"p","action":{"type":"teleport","url":"https://x"}}"#,
            r#"{"status":"pending","paymentId":"p","action":{"type":"redirect","url":"javascript:alert(1)"}}"#,
            r#"{"status":"approved","message":7}"#,
        ] {
            assert_eq!(parse_answer(bad, Locale::En).unwrap_err().code, ErrorCode::MerchantBadResponse, "{bad}");
        }
    }

    #[test]
    fn only_transient_statuses_are_retried() {
        assert_eq!(http_verdict(200), HttpVerdict::Read);
        for s in [408, 429, 500, 502, 503] {
            assert_eq!(http_verdict(s), HttpVerdict::Retry);
        }
        for s in [400, 401, 402, 404, 409, 422, 301] {
            assert_eq!(http_verdict(s), HttpVerdict::Reject);
        }
        assert_eq!(http_error(Some(422), Locale::En, ProviderId::Bamboo).code, ErrorCode::MerchantRejected);
        assert_eq!(http_error(Some(503), Locale::En, ProviderId::Bamboo).code, ErrorCode::Network);
        assert_eq!(http_error(None, Locale::En, ProviderId::Bamboo).code, ErrorCode::Network);
    }

    #[test]
    fn retry_delays_grow_honour_retry_after_and_stay_bounded() {
        assert!(retry_delay_ms(0, None, 0.0) >= 125 && retry_delay_ms(0, None, 0.99) <= 250);
        assert!(retry_delay_ms(3, None, 0.5) > retry_delay_ms(0, None, 0.5));
        assert_eq!(retry_delay_ms(0, Some(2000), 0.0), 2000);
        assert_eq!(retry_delay_ms(20, Some(60_000), 1.0), 10_000);
    }

    #[test]
    fn polling_stops_within_a_minute() {
        let mut elapsed = 0;
        let mut n = 0;
        while let Some(d) = poll_delay_ms(n, elapsed) {
            elapsed += d;
            n += 1;
        }
        assert!(elapsed <= 60_000 && elapsed > 50_000, "{elapsed}");
        assert_eq!(poll_delay_ms(0, 0), Some(1000));
    }
}
