//! The merchant-server transport (gloo-net): one payment POST with retries under a single
//! `Idempotency-Key`, and status reads (with the session's client secret as `Authorization:
//! Bearer`). What to send and how to read answers and refusals is `crate::domain::merchant`; this
//! module only moves bytes and waits.

use crate::domain::error::{ErrorCode, PasarelaError};
use crate::domain::i18n::Locale;
use crate::domain::merchant::{self, Failure, HttpVerdict, MerchantAnswer};
use crate::domain::options::MerchantConfig;
use crate::domain::ProviderId;
use crate::web::{self, js, time::sleep};
use gloo_net::http::Request;
use wasm_bindgen::JsValue;

/// Who is asking, for error messages.
#[derive(Clone, Copy)]
pub struct Caller {
    pub locale: Locale,
    pub provider: ProviderId,
}

/// POSTs one payment attempt. Network failures, 408, 429 and 5xx are retried up to
/// `cfg.retries` times with the same `idempotency_key`, so the merchant charges at most once.
/// `fresh_until_ms` (a one-time token's end of life, `Date.now()` clock) stops retries that would
/// send a dead token: the attempt then ends with `token_expired`.
/// `live()` is asked before every retry: once the checkout is destroyed, nothing more leaves (a
/// retry after `destroy()` would charge after the page was told the attempt ended). The caller
/// checks it before the first request. A refusal pasarela-server means as an answer (`409
/// order_already_paid`, `409 attempt_in_progress` with its payment) comes back as that answer
/// (`merchant::read_refusal`).
pub async fn post_payment(
    cfg: &MerchantConfig,
    body: &str,
    idempotency_key: &str,
    who: Caller,
    fresh_until_ms: Option<f64>,
    live: &dyn Fn() -> bool,
) -> Result<MerchantAnswer, Failure> {
    send(cfg, who, fresh_until_ms, &cfg.payment_url, Some((body, idempotency_key)), live).await
}

/// GETs `{statusUrl}/{paymentId}` (same retry rules; a read never charges), with the client
/// secret, when the checkout has one, as `Authorization: Bearer` (never in the URL).
pub async fn get_status(
    cfg: &MerchantConfig,
    payment_id: &str,
    who: Caller,
    live: &dyn Fn() -> bool,
) -> Result<MerchantAnswer, PasarelaError> {
    let id = String::from(js_sys::encode_uri_component(payment_id));
    // A predicate, not a char pattern: see `crate::text`.
    let url = crate::text::cat(&[cfg.status_url.trim_end_matches(|c| c == '/'), "/", &id]);
    send(cfg, who, None, &url, None, live).await.map_err(|f| f.error)
}

/// One request to `url` with retries: a POST of `payment` (body, `Idempotency-Key`), or a GET.
/// Not generic over the request, so both kinds share one copy of the retry loop.
async fn send(
    cfg: &MerchantConfig,
    who: Caller,
    fresh_until_ms: Option<f64>,
    url: &str,
    payment: Option<(&str, &str)>,
    live: &dyn Fn() -> bool,
) -> Result<MerchantAnswer, Failure> {
    let mut retry = 0;
    loop {
        let (status, retry_after, body) = match try_once(cfg, url, payment).await.unwrap_or(Reply::Unreachable) {
            Reply::Body(text) => {
                return merchant::read_answer(web::json::parse(&text), text, who.locale)
                    .map_err(|e| e.with_provider(who.provider).into())
            }
            Reply::Refused { status, retry_after_ms, body } => (Some(status), retry_after_ms, body),
            Reply::Unreachable => (None, None, None),
        };
        let transient = status.is_none_or(|s| merchant::http_verdict(s) == HttpVerdict::Retry);
        if transient && retry < cfg.retries {
            sleep(merchant::retry_delay_ms(retry, retry_after, web::jitter())).await;
            if fresh_until_ms.is_some_and(|until| web::time::now_ms() >= until) {
                return Err(PasarelaError::new(ErrorCode::TokenExpired, who.locale).with_provider(who.provider).into());
            }
            // Destroyed during the back-off: the retry is not sent (the caller drops the error).
            if live() {
                retry += 1;
                continue;
            }
        }
        let body = body.as_deref().and_then(web::json::parse);
        return merchant::read_refusal(status, body.as_ref(), who.locale, who.provider);
    }
}

/// What one request came back with.
enum Reply {
    /// A 2xx, and its body text.
    Body(String),
    /// Any other status, its `Retry-After` in ms, and the body of a refusal that is not retried
    /// (pasarela-server's `{ error, field?, code?, paymentId? }`).
    Refused { status: u16, retry_after_ms: Option<u32>, body: Option<String> },
    /// A network failure or the timeout.
    Unreachable,
}

/// One request under `timeoutMs` (`None`: it could not even be made, which counts as
/// [`Reply::Unreachable`]).
async fn try_once(cfg: &MerchantConfig, url: &str, payment: Option<(&str, &str)>) -> Option<Reply> {
    // The request is made here and handed to gloo-net to send: gloo-net's own builder parses and
    // rebuilds the URL for query parameters Pasarela never adds, with string formatting that
    // weighed about 4 KB of the package (README, "Size and speed").
    // `timeoutMs` through an AbortController and a timer, not `AbortSignal.timeout` (Chrome 103,
    // Firefox 100, Safari 16: newer than the browsers Pasarela supports). The timer also bounds
    // reading the body, and is cleared when this request is done (its handle drops on return).
    let controller = web_sys::AbortController::new().ok()?;
    let abort = js_sys::Function::from(js::get(&controller, "abort")).bind0(&controller);
    let _abort_timer = web::time::Timeout::start(cfg.timeout_ms, &abort);
    let init = web_sys::RequestInit::new();
    init.set_signal(Some(&controller.signal()));
    let headers = web_sys::Headers::new().ok()?;
    for (k, v) in &cfg.headers {
        headers.set(k, v).ok()?;
    }
    headers.set("Accept", "application/json").ok()?;
    match payment {
        Some((body, key)) => {
            init.set_method("POST");
            headers.set("Content-Type", "application/json").ok()?;
            headers.set("Idempotency-Key", key).ok()?;
            init.set_body(&JsValue::from_str(body));
        }
        // A status read proves the session with its client secret (the POST carries it in its
        // body): a header, never the URL, which ends up in logs and the page's history.
        None => {
            if let Some(secret) = &cfg.client_secret {
                headers.set("Authorization", &crate::text::cat(&["Bearer ", secret])).ok()?;
            }
        }
    }
    init.set_headers(&headers);
    let request = web_sys::Request::new_with_str_and_init(url, &init).map(Request::from);
    let resp = request.ok()?.send().await.ok()?;
    let status = resp.status();
    let verdict = merchant::http_verdict(status);
    if verdict == HttpVerdict::Read {
        return resp.text().await.ok().map(Reply::Body);
    }
    let retry_after = resp
        .headers()
        .get("Retry-After")
        .and_then(|v| crate::text::parse_u32(v.trim_ascii()))
        .map(|s| s.saturating_mul(1000));
    // A refusal's body says what it means (an order already paid, a key used with another body);
    // a status that is retried needs none.
    let body = if verdict == HttpVerdict::Reject { resp.text().await.ok() } else { None };
    Some(Reply::Refused { status, retry_after_ms: retry_after, body })
}
