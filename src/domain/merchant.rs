//! The merchant-server protocol (docs/api.md §4): the request body, the answer, the retry rules,
//! what pasarela-server's refusals mean (an order already paid, an attempt in progress, a key used
//! with another body) and the life of an attempt's `Idempotency-Key` across reloads. Transport
//! lives in `crate::merchant_client`; everything decidable without a network is here.

use super::error::{ErrorCode, PasarelaError};
use super::i18n::Locale;
use super::json::{integer_text, Json, ObjectText};
use super::options::{CheckoutOptions, SavePaymentMethod};
use super::ProviderId;

/// What pays (the request's `source`), an answer's `status` and a pending answer's
/// `action.type`: the protocol's words, defined once for the page and the merchant service
/// (crates/protocol). The page writes and reads them by hand (`payment_body`, `read_answer`).
pub use pasarela_protocol::{ActionType, Method, ResultStatus, Source};

/// The JSON body of one payment attempt. `save_card`: the shopper ticked "save this card"
/// (`savePaymentMethod: 'ask'`), sent as `savePaymentMethod: true`; left out otherwise.
pub fn payment_body(opts: &CheckoutOptions, source: &Source, installments: u32, save_card: bool) -> String {
    let source = match source {
        Source::Token { token, kind } => ObjectText::new()
            .str("type", "token")
            .str("token", token)
            .opt_str("kind", kind.map(super::token::TokenKind::as_str)),
        Source::Profile { profile_id } => ObjectText::new().str("type", "profile").str("profileId", profile_id),
        Source::KrAnswer { client_answer, raw_client_answer, hash, hash_algorithm, hash_key } => ObjectText::new()
            .str("type", "kr_answer")
            .raw("clientAnswer", client_answer)
            .str("rawClientAnswer", raw_client_answer)
            .str("hash", hash)
            .str("hashAlgorithm", hash_algorithm)
            .str("hashKey", hash_key),
        // Vouchers and transfers (docs/api.md §4, "Beyond the card form"): the network, if named.
        Source::Cash { payment_media_id } | Source::BankTransfer { payment_media_id } => {
            let o = ObjectText::new().str("type", source.method().as_str());
            match payment_media_id {
                Some(id) => o.num("paymentMediaId", u64::from(*id)),
                None => o,
            }
        }
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
    let body = ObjectText::new()
        .str("provider", opts.provider().as_str())
        .raw("order", &order.end())
        .raw("source", &source.end())
        .num("installments", u64::from(installments))
        .raw("customer", &customer.end())
        .opt_str("clientSecret", opts.merchant.client_secret.as_deref());
    if save_card { body.bool("savePaymentMethod", true) } else { body }.end()
}

/// Whether the shopper's "save this card" choice goes with an attempt paying `source`: only with
/// `savePaymentMethod: 'ask'`, only for a new card's token (a saved card is saved already; KR's
/// own form asks, and its answer says), and only when the box is ticked.
pub fn saves_card(opts: &CheckoutOptions, source: &Source, ticked: bool) -> bool {
    ticked && opts.merchant.save_payment_method == SavePaymentMethod::Ask && matches!(source, Source::Token { .. })
}

/// Whether the page shows the "save this card" checkbox under the new-card form: with
/// `savePaymentMethod: 'ask'`, for Bamboo and Conekta (Lyra's form asks itself, with
/// `formAction: 'ASK_REGISTER_PAY'`).
pub fn asks_to_save(opts: &CheckoutOptions) -> bool {
    opts.merchant.save_payment_method == SavePaymentMethod::Ask && opts.provider() != ProviderId::Kr
}

/// A pending answer's `action`: `url` for a verification code, a redirect and a challenge; for a
/// voucher, the answer's text (`url`), which the page reads `action.voucher` from as the merchant
/// sent it (display fields, `crates/protocol`'s `Voucher`: the on-demand view checks and shows
/// them), and the voucher's `expiresAt`, which bounds the reading of its payment.
#[derive(Clone, Debug, PartialEq)]
pub struct Action {
    pub kind: ActionType,
    pub url: String,
    pub expires_at: Option<String>,
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
    pub fn new(status: ResultStatus, payment_id: Option<String>) -> Self {
        Self { status, payment_id, message: None }
    }

    pub fn from_answer(a: &MerchantAnswer) -> Self {
        Self { status: a.status, payment_id: a.payment_id.clone(), message: a.message.clone() }
    }

    pub fn from_error(e: &PasarelaError, payment_id: Option<String>) -> Self {
        Self { status: ResultStatus::Error, payment_id, message: Some(e.message.clone()) }
    }
}

/// What an attempt paying with `method` sends, when it is not the card's (whose source comes
/// from the provider's form or a saved card): cash and bank transfers need no tokenizer, and may
/// name Bamboo's network (`paymentMediaId`).
pub fn method_source(method: Method, payment_media_id: Option<u32>) -> Option<Source> {
    match method {
        Method::Card => None,
        Method::Cash => Some(Source::Cash { payment_media_id }),
        Method::BankTransfer => Some(Source::BankTransfer { payment_media_id }),
    }
}

/// The method `pay({ method?, paymentMediaId? })` pays with: the one named, else the shopper's
/// choice (`chosen`). `Err(field)` names what is refused: a method the checkout does not offer
/// (`method`, reported `unsupported`), or a network for the card (`paymentMediaId`).
pub fn method_for(
    methods: super::options::Methods,
    asked: Option<Method>,
    chosen: Method,
    payment_media_id: Option<u32>,
) -> Result<Method, &'static str> {
    let m = asked.unwrap_or(chosen);
    if !methods.contains(m) {
        return Err("method");
    }
    if m == Method::Card && payment_media_id.is_some() {
        return Err("paymentMediaId");
    }
    Ok(m)
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
    read_answer(Json::parse(body), body.to_owned(), locale)
}

/// Reads a `200` body already parsed (`None`: it was not JSON) from its text, `raw`.
pub fn read_answer(body: Option<Json>, raw: String, locale: Locale) -> Result<MerchantAnswer, PasarelaError> {
    // Why the answer is not the protocol is the developer's to read (`details`), not the shopper's.
    let bad = |why: &str| PasarelaError::new(ErrorCode::MerchantBadResponse, locale).with_details(why.to_owned());
    let o = body.ok_or_else(|| bad("not JSON"))?;
    o.as_object().ok_or_else(|| bad("not an object"))?;
    let text = |k: &str| -> Result<Option<String>, PasarelaError> {
        match o.get(k) {
            None | Some(Json::Null) => Ok(None),
            Some(Json::Str(s)) => Ok(Some(s.clone())),
            Some(Json::Num(n)) if k == "paymentId" => integer_text(*n).map(Some).ok_or_else(|| bad("paymentId")),
            Some(_) => Err(bad(&crate::text::cat(&[k, " is not a string"]))),
        }
    };
    let payment_id = text("paymentId")?;
    // Spelled here rather than read with `ResultStatus::parse_answer`: the words are in the wasm
    // once either way, and a match is smaller (the tests hold them to the protocol's). A word
    // the protocol does not have, for a payment that exists, is `pending`: whether money moved
    // is unknown, and never a decline.
    let status = match o.get("status").and_then(Json::as_str) {
        Some("approved") => ResultStatus::Approved,
        Some("declined") => ResultStatus::Declined,
        Some("pending") => ResultStatus::Pending,
        Some("expired") => ResultStatus::Expired,
        _ if payment_id.is_some() => ResultStatus::Pending,
        _ => return Err(bad("unknown status")),
    };
    let message = text("message")?;
    let action = match o.get("action") {
        None | Some(Json::Null) => None,
        Some(a) => {
            let kind = match a.get("type").and_then(Json::as_str) {
                Some("verification_code") => ActionType::VerificationCode,
                Some("redirect") => ActionType::Redirect,
                Some("voucher") => ActionType::Voucher,
                Some("challenge") => ActionType::Challenge,
                _ => return Err(bad("unknown action type")),
            };
            if kind == ActionType::Voucher {
                // Handed on as it came, the answer's text: the on-demand view checks what it shows.
                let expires_at = a.get("voucher").and_then(|v| v.get("expiresAt")).and_then(Json::as_str).map(str::to_owned);
                Some(Action { kind, url: raw, expires_at })
            } else {
                let url = a.get("url").and_then(Json::as_str).filter(|u| super::url::is_http_or_path(u));
                let url = url.ok_or_else(|| bad("action without an http(s) url"))?.to_owned();
                Some(Action { kind, url, expires_at: None })
            }
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

/// How a pending payment's status is read (docs/api.md §4): a first wait, doubled after each read
/// up to a cap, within a budget (the last wait shortened to land at its end, never below a
/// second); still pending then, the payment is reported `pending`: only the merchant says a
/// payment is declined or expired (a voucher paid at the last minute is notified late, by the
/// provider's clock, not the page's). A final status ends the reading before that.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Reads {
    /// A pending answer: 1 s, 2 s, 4 s, then every 8 s, for a minute; `pending` then (a webhook
    /// may still settle it).
    Pending,
    /// Once, at once: the shopper left a verification (or an in-page authentication) unfinished.
    Once,
    /// A voucher the shopper pays away from the page: 3 s, doubling to a minute, for as long as
    /// the page stays and the voucher has not lapsed, and a minute more (`budget_ms`,
    /// [`super::voucher::budget_ms`]).
    Voucher { budget_ms: u32 },
}

impl Reads {
    /// A voucher's reads, `budget_ms` from [`super::voucher::budget_ms`] (`None`: its lapse
    /// unknown, [`super::voucher::UNDATED_READS_MS`]).
    pub fn voucher(budget_ms: Option<u32>) -> Reads {
        Reads::Voucher { budget_ms: budget_ms.unwrap_or(super::voucher::UNDATED_READS_MS) }
    }

    /// The wait before read number `n` (0-based), `elapsed_ms` after the first wait began;
    /// `None`: no more reads.
    pub fn next(self, n: u32, elapsed_ms: u32) -> Option<u32> {
        let (first, cap, budget) = match self {
            Reads::Pending => (1_000, 8_000, 60_000),
            Reads::Once => (0, 0, 0),
            Reads::Voucher { budget_ms } => (super::voucher::FIRST_READ_MS, super::voucher::LONGEST_WAIT_MS, budget_ms),
        };
        let left = budget.saturating_sub(elapsed_ms);
        if n > 0 && left == 0 {
            return None;
        }
        let backoff = first.saturating_mul(1u32 << n.min(5)).min(cap);
        Some(backoff.min(left.max(1_000)))
    }
}

fn http_detail(status: u16) -> String {
    crate::text::cat(&["HTTP ", &crate::text::u32_text(u32::from(status))])
}

/// A `status` HTTP code (or none, for a network failure) as the error the page sees: the status
/// is the developer's (`details: 'HTTP 401'`); the shopper's message says what happened in their
/// words, never a status code.
pub fn http_error(status: Option<u16>, locale: Locale, provider: ProviderId) -> PasarelaError {
    let e = match status {
        None => PasarelaError::new(ErrorCode::Network, locale),
        Some(s @ 400..=499) if !matches!(s, 408 | 429) => {
            PasarelaError::new(ErrorCode::MerchantRejected, locale).with_details(http_detail(s))
        }
        Some(s) => PasarelaError::new(ErrorCode::Network, locale).with_details(http_detail(s)),
    };
    e.with_provider(provider)
}

/// A payment request that ended without an answer to drive: the error the attempt ends with,
/// and whether it was pasarela-server's `422` naming `Idempotency-Key` (the key was used with
/// another body: see [`read_refusal`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    pub error: PasarelaError,
    pub key_reused: bool,
}

impl From<PasarelaError> for Failure {
    fn from(error: PasarelaError) -> Self {
        Self { error, key_reused: false }
    }
}

/// What the merchant's last word on a request means, when it was not a `2xx` (`status`: `None`
/// for a network failure or the timeout; `body`: the refusal's JSON, when it had one).
/// pasarela-server (docs/api.md §4, "Sessions") answers a second attempt on an order with
/// `409 { error, code, paymentId? }`:
/// - `order_already_paid`: the order is paid, and this attempt charged nothing. It ends as the
///   order's approval, with the payment that paid it: the storefront must see the order as paid,
///   and the shopper is not charged again.
/// - `attempt_in_progress` naming its `paymentId`: that payment is under way; the attempt goes on
///   as it, pending, and its status is read until final.
/// - `attempt_in_progress` without one, or any other `409`: as every `409` before, the service
///   waited (bounded) for the other request, and the attempt ends `merchant_rejected`.
///
/// A `422` naming `Idempotency-Key` says the key was used with another body: the caller decides
/// whether a fresh key may be tried ([`Failure::key_reused`]).
pub fn read_refusal(
    status: Option<u16>,
    body: Option<&Json>,
    locale: Locale,
    provider: ProviderId,
) -> Result<MerchantAnswer, Failure> {
    let text = |k: &str| body.and_then(|b| b.get(k)).and_then(Json::as_str).filter(|s| !s.is_empty());
    let payment_id = text("paymentId").map(str::to_owned);
    let status = match (status, text("code")) {
        (Some(409), Some("order_already_paid")) => ResultStatus::Approved,
        (Some(409), Some("attempt_in_progress")) if payment_id.is_some() => ResultStatus::Pending,
        _ => {
            return Err(Failure {
                error: http_error(status, locale, provider),
                key_reused: status == Some(422) && text("field") == Some("Idempotency-Key"),
            })
        }
    };
    Ok(MerchantAnswer { status, payment_id, message: None, action: None })
}

/// Where an order's unfinished attempt keeps its `Idempotency-Key` in `sessionStorage`, so that
/// the attempt after a reload reuses it: one slot per provider and order.
pub fn attempt_key_slot(provider: ProviderId, order_id: &str) -> String {
    crate::text::cat(&["pasarela:attempt:", provider.as_str(), ":", order_id])
}

/// Whether an attempt that ended as `status` is done with its `Idempotency-Key` (its slot is
/// emptied, and the next attempt on the order gets a new key): a final answer, approved (an order
/// already paid reads as approved), declined, or a voucher expired. A pending payment, a network failure, a `5xx`,
/// an attempt still in progress, or any other error leave the key for the next attempt on the
/// order: what it sent may have charged, and the same key makes the service replay that answer
/// rather than charge again.
pub fn ends_attempt_key(status: ResultStatus) -> bool {
    status.is_final()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::token::TokenKind;
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
        let body = payment_body(&opts(), &Source::Token { token: "OT__x_".into(), kind: Some(TokenKind::OneTime) }, 1, false);
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
        assert!(!payment_body(&o, &Source::Profile { profile_id: "1".into() }, 1, false).contains("clientSecret"));
        o.merchant.client_secret = Some("cs_1_secret_x".into());
        let v: Value =
            serde_json::from_str(&payment_body(&o, &Source::Profile { profile_id: "1".into() }, 1, false)).unwrap();
        assert_eq!(v["clientSecret"], "cs_1_secret_x");
    }

    #[test]
    fn a_ticked_save_box_is_sent_with_a_new_cards_token_only() {
        let token = Source::Token { token: "tok_1".into(), kind: Some(TokenKind::OneTime) };
        let profile = Source::Profile { profile_id: "p".into() };
        let v: Value = serde_json::from_str(&payment_body(&opts(), &token, 1, true)).unwrap();
        assert_eq!(v["savePaymentMethod"], json!(true));
        assert!(!payment_body(&opts(), &token, 1, false).contains("savePaymentMethod"), "unticked: left out");
        let mut o = opts();
        assert!(!saves_card(&o, &token, true), "'off' (the default) never sends it");
        assert!(!asks_to_save(&o));
        o.merchant.save_payment_method = SavePaymentMethod::Always;
        assert!(!saves_card(&o, &token, true), "'always': the service decides");
        assert!(!asks_to_save(&o));
        o.merchant.save_payment_method = SavePaymentMethod::Ask;
        assert!(asks_to_save(&o));
        assert!(saves_card(&o, &token, true));
        assert!(!saves_card(&o, &token, false));
        assert!(!saves_card(&o, &profile, true), "a saved card is saved already");
        let kr = parse(
            &json!({
                "provider": "kr", "container": "#c", "publicKey": "69876357:testpublickey_DEMO",
                "order": { "id": "A-1", "amount": 100, "currency": "PEN" },
                "merchant": { "paymentUrl": "/pay", "savePaymentMethod": "ask" }, "kr": { "formToken": "ft" }
            }),
            false,
        )
        .unwrap();
        assert!(!asks_to_save(&kr), "KR's own form asks (ASK_REGISTER_PAY)");
    }

    fn refusal(status: Option<u16>, body: &str) -> Result<MerchantAnswer, Failure> {
        read_refusal(status, Json::parse(body).as_ref(), Locale::En, ProviderId::Conekta)
    }

    #[test]
    fn an_order_already_paid_is_its_approval() {
        let a = refusal(Some(409), r#"{"error":"paid","code":"order_already_paid","paymentId":"pay_9"}"#).unwrap();
        assert_eq!(
            a,
            MerchantAnswer {
                status: ResultStatus::Approved,
                payment_id: Some("pay_9".into()),
                message: None,
                action: None
            }
        );
        assert_eq!(PaymentResult::from_answer(&a).status, ResultStatus::Approved);
        assert!(ends_attempt_key(a.status), "a final answer: the key goes");
        let a = refusal(Some(409), r#"{"error":"paid","code":"order_already_paid"}"#).unwrap();
        assert_eq!((a.status, a.payment_id), (ResultStatus::Approved, None));
    }

    #[test]
    fn an_attempt_in_progress_with_its_payment_is_that_payment_pending() {
        let a = refusal(Some(409), r#"{"error":"busy","code":"attempt_in_progress","paymentId":"pay_7"}"#).unwrap();
        assert_eq!((a.status, a.payment_id.as_deref(), a.action), (ResultStatus::Pending, Some("pay_7"), None));
        assert!(!ends_attempt_key(a.status), "pending: the key stays");
    }

    #[test]
    fn other_409s_stay_merchant_rejected_and_keep_the_key() {
        for body in [
            r#"{"error":"busy","code":"attempt_in_progress"}"#,
            r#"{"error":"busy","code":"attempt_in_progress","paymentId":""}"#,
            r#"{"error":"a request with this Idempotency-Key is in progress"}"#,
            r#"{"error":"x","code":"something_new","paymentId":"p"}"#,
            "<html>",
            "",
        ] {
            let f = refusal(Some(409), body).unwrap_err();
            assert_eq!(f.error.code, ErrorCode::MerchantRejected, "{body}");
            assert_eq!(f.error.details.as_deref(), Some("HTTP 409"), "the status is the developer's");
            assert!(!f.error.message.contains("409"), "never in the shopper's words: {}", f.error.message);
            assert_eq!(f.error.provider, Some(ProviderId::Conekta));
            assert!(!f.key_reused);
            assert!(!ends_attempt_key(PaymentResult::from_error(&f.error, None).status), "an error keeps the key");
        }
        // The 409 codes mean nothing on another status.
        let f = refusal(Some(422), r#"{"error":"x","code":"order_already_paid","paymentId":"p"}"#).unwrap_err();
        assert_eq!(f.error.code, ErrorCode::MerchantRejected);
        let f = refusal(Some(503), r#"{"error":"x","code":"order_already_paid","paymentId":"p"}"#).unwrap_err();
        assert_eq!(f.error.code, ErrorCode::Network);
    }

    #[test]
    fn a_422_naming_the_idempotency_key_is_told_apart() {
        let f =
            refusal(Some(422), r#"{"error":"used with a different request","field":"Idempotency-Key"}"#).unwrap_err();
        assert!(f.key_reused);
        assert_eq!(f.error.code, ErrorCode::MerchantRejected);
        for (status, body) in [
            (Some(422), r#"{"error":"x","field":"order.amount"}"#),
            (Some(400), r#"{"error":"x","field":"Idempotency-Key"}"#),
            (Some(422), "not json"),
            (None, ""),
        ] {
            assert!(!refusal(status, body).unwrap_err().key_reused, "{status:?} {body}");
        }
        assert_eq!(refusal(None, "").unwrap_err().error.code, ErrorCode::Network);
    }

    #[test]
    fn an_attempts_key_lives_until_a_final_answer() {
        assert_eq!(attempt_key_slot(ProviderId::Bamboo, "A-1"), "pasarela:attempt:bamboo:A-1");
        assert_ne!(attempt_key_slot(ProviderId::Kr, "A-1"), attempt_key_slot(ProviderId::Conekta, "A-1"));
        assert!(ends_attempt_key(ResultStatus::Approved));
        assert!(ends_attempt_key(ResultStatus::Declined));
        assert!(!ends_attempt_key(ResultStatus::Pending));
        assert!(!ends_attempt_key(ResultStatus::Error));
    }

    #[test]
    fn profile_and_kr_sources() {
        let v: Value =
            serde_json::from_str(&payment_body(&opts(), &Source::Profile { profile_id: "55591".into() }, 3, false))
                .unwrap();
        assert_eq!(v["source"], json!({ "type": "profile", "profileId": "55591" }));
        assert_eq!(v["installments"], 3);
        let kr = Source::KrAnswer {
            client_answer: r#"{"orderStatus":"PAID"}"#.into(),
            raw_client_answer: "{\"orderStatus\":\"PAID\"}".into(),
            hash: "ab".into(),
            hash_algorithm: "sha256_hmac".into(),
            hash_key: "sha256_hmac".into(),
        };
        let v: Value = serde_json::from_str(&payment_body(&opts(), &kr, 1, false)).unwrap();
        assert_eq!(v["source"]["type"], "kr_answer");
        assert_eq!(v["source"]["rawClientAnswer"], "{\"orderStatus\":\"PAID\"}");
        assert_eq!(v["source"]["hashKey"], "sha256_hmac");
    }

    #[test]
    fn debug_of_a_source_hides_the_token() {
        assert!(!format!("{:?}", Source::Token { token: "OT__secret_".into(), kind: Some(TokenKind::OneTime) })
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
    fn the_reader_takes_exactly_the_protocols_words() {
        for status in ResultStatus::ANSWERS {
            let body = format!(r#"{{"status":"{}","paymentId":"p"}}"#, status.as_str());
            assert_eq!(parse_answer(&body, Locale::En).unwrap().status, status);
        }
        let voucher = r#""voucher":{"kind":"cash","provider":"conekta","amount":100,"currency":"MXN","reference":"1"}"#;
        for kind in ActionType::ALL {
            let body = format!(r#"{{"status":"pending","paymentId":"p","action":{{"type":"{}","url":"/x",{voucher}}}}}"#, kind.as_str());
            assert_eq!(parse_answer(&body, Locale::En).unwrap().action.map(|a| a.kind), Some(kind));
        }
        // `error` is the page's own status, never a merchant's; any word the protocol lacks, for
        // a payment that exists, is `pending` (unknown, so never declined); without one, an error.
        for word in [r#""error""#, r#""ok""#, r#""CAPTURED""#, "7", "null"] {
            let a = parse_answer(&format!(r#"{{"status":{word},"paymentId":"p"}}"#), Locale::En).unwrap();
            assert_eq!((a.status, a.payment_id.as_deref()), (ResultStatus::Pending, Some("p")), "{word}");
            assert!(parse_answer(&format!(r#"{{"status":{word}}}"#), Locale::En).is_err(), "{word}");
        }
    }

    #[test]
    fn a_voucher_answer_carries_its_voucher_and_an_expired_one_is_final() {
        let a = parse_answer(
            r#"{"status":"pending","paymentId":"pay_1","action":{"type":"voucher","voucher":{"kind":"cash",
              "provider":"conekta","amount":20000,"currency":"MXN","reference":"93000262276908"}}}"#,
            Locale::En,
        )
        .unwrap();
        let action = a.action.unwrap();
        assert_eq!(action.kind, ActionType::Voucher);
        let text = Json::parse(&action.url).unwrap();
        let v = text.get("action").and_then(|a| a.get("voucher")).unwrap();
        assert_eq!(v.get("reference").and_then(Json::as_str), Some("93000262276908"), "as the merchant sent it");
        assert_eq!(action.expires_at, None);
        let a = parse_answer(r#"{"status":"pending","paymentId":"p","action":{"type":"voucher","voucher":{"expiresAt":"2026-12-10T23:59:00Z"}}}"#, Locale::En);
        assert_eq!(a.unwrap().action.unwrap().expires_at.as_deref(), Some("2026-12-10T23:59:00Z"));
        // A voucher action on a final status is not an answer.
        for bad in [
            r#"{"status":"approved","paymentId":"p","action":{"type":"voucher","voucher":{"kind":"cash","provider":"conekta","amount":1,"currency":"MXN","reference":"1"}}}"#,
            r#"{"status":"pending","paymentId":"p","action":{"type":"challenge"}}"#,
            r#"{"status":"pending","paymentId":"p","action":{"type":"challenge","url":"javascript:alert(1)"}}"#,
        ] {
            assert_eq!(parse_answer(bad, Locale::En).unwrap_err().code, ErrorCode::MerchantBadResponse, "{bad}");
        }
        let e = parse_answer(r#"{"status":"expired","paymentId":"pay_1"}"#, Locale::En).unwrap();
        assert_eq!(e.status, ResultStatus::Expired);
        assert!(ends_attempt_key(e.status), "an expired voucher is final: the next attempt gets a new key");
    }

    #[test]
    fn cash_and_transfers_need_no_tokenizer() {
        assert_eq!(method_source(Method::Card, None), None);
        assert_eq!(method_source(Method::Cash, None), Some(Source::Cash { payment_media_id: None }));
        assert_eq!(method_source(Method::BankTransfer, Some(32)), Some(Source::BankTransfer { payment_media_id: Some(32) }));
        let v: Value = serde_json::from_str(&payment_body(&opts(), &method_source(Method::Cash, None).unwrap(), 1, false)).unwrap();
        assert_eq!(v["source"], json!({ "type": "cash" }));
        let mut o = opts();
        o.merchant.save_payment_method = SavePaymentMethod::Ask;
        let spei = method_source(Method::BankTransfer, Some(32)).unwrap();
        assert!(!saves_card(&o, &spei, true), "nothing to save, box ticked or not");
        let v: Value = serde_json::from_str(&payment_body(&o, &spei, 1, saves_card(&o, &spei, true))).unwrap();
        assert_eq!(v["source"], json!({ "type": "bank_transfer", "paymentMediaId": 32 }));
        assert!(v.get("savePaymentMethod").is_none());
    }

    #[test]
    fn pay_names_a_method_the_checkout_offers() {
        let with = |methods: &[&str]| {
            let mut v: Value = serde_json::from_str(r##"{"provider":"conekta","container":"#c","publicKey":"pk","order":{"id":"A","amount":1,"currency":"MXN"},"merchant":{"paymentUrl":"/pay"}}"##).unwrap();
            v["methods"] = json!(methods);
            parse(&v, false).unwrap().methods
        };
        let all = with(&["card", "cash", "bank_transfer"]);
        assert_eq!(method_for(all, None, Method::Cash, None), Ok(Method::Cash), "the shopper's choice");
        assert_eq!(method_for(all, Some(Method::BankTransfer), Method::Card, Some(7)), Ok(Method::BankTransfer));
        assert_eq!(method_for(with(&["card"]), Some(Method::Cash), Method::Card, None), Err("method"));
        assert_eq!(method_for(with(&["cash"]), None, Method::Card, None), Err("method"));
        assert_eq!(method_for(all, Some(Method::Card), Method::Cash, Some(7)), Err("paymentMediaId"));
        assert_eq!(method_for(with(&["card"]), None, Method::Card, None), Ok(Method::Card));
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
    fn each_kind_of_reading_has_its_schedule_and_its_end() {
        let waits = |r: Reads| {
            let (mut n, mut elapsed, mut out) = (0, 0, vec![]);
            while let Some(d) = r.next(n, elapsed) {
                out.push(d);
                elapsed += d;
                n += 1;
                if n > 100 {
                    break;
                }
            }
            out
        };
        assert_eq!(waits(Reads::Pending), [1000, 2000, 4000, 8000, 8000, 8000, 8000, 8000, 8000, 5000], "a minute");
        assert_eq!(waits(Reads::Once), [0], "once, at once");
        assert_eq!(waits(Reads::voucher(None))[..7], [3000, 6000, 12000, 24000, 48000, 60000, 60000]);
        let undated = waits(Reads::voucher(None));
        assert_eq!(undated.iter().sum::<u32>(), 3_600_000, "an undated voucher: an hour of reads");
        assert_eq!(undated.len(), 64);
        assert_eq!(waits(Reads::voucher(Some(20_000))), [3000, 6000, 11000], "the last read at the lapse");
        assert_eq!(waits(Reads::voucher(Some(9_500))), [3000, 6000, 1000], "never a busy loop");
        assert_eq!(waits(Reads::voucher(Some(0))), [1000], "a voucher is read once however late it came");
    }

    #[test]
    fn polling_stops_within_a_minute() {
        let (mut elapsed, mut n) = (0, 0);
        while let Some(d) = Reads::Pending.next(n, elapsed) {
            elapsed += d;
            n += 1;
        }
        assert_eq!(elapsed, 60_000);
        assert_eq!(Reads::Pending.next(0, 0), Some(1000));
    }
}
