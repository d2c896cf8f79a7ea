//! The provider APIs the service calls, one module each, behind one small interface
//! ([`ProviderApi`]): charge, find a charge again by the attempt's reference (reconciliation after
//! a lost answer), read a charge's current status.

pub mod api;
pub mod bamboo;
pub mod conekta;
pub mod ids;
pub mod kr;

use crate::protocol::Action;
use crate::store::{SavedCard, Session};
use pasarela_protocol::{Method, ProviderId, ResultStatus, Voucher};
use std::time::Duration;

pub use api::{ProviderApi, Providers};

/// What pays, resolved by the service: the page's token, or a saved card's secret.
#[derive(Clone, Debug)]
pub enum PayWith {
    /// `OT_`, `CT_` or `tok_`, as the page forwarded it.
    Token(crate::config::Secret),
    /// A saved card of the session's customer.
    Saved(Box<SavedCard>),
    /// A card the page's one-use token became at the provider for this attempt (Conekta's
    /// payment source): kept for the customer when the session allows it.
    Source(NewCard),
    /// Cash against a voucher or a bank transfer: nothing to tokenize, the provider issues what
    /// the shopper pays (a reference, a CLABE) or sends the shopper to a bank's site.
    Offline {
        /// `cash` or `bank_transfer`.
        method: Method,
        /// Bamboo's network (`PaymentMediaId`), resolved from the request or the session.
        payment_media_id: Option<u32>,
    },
}

/// One charge to make.
#[derive(Debug)]
pub struct Charge<'a> {
    pub session: &'a Session,
    /// Unique per attempt; sent to the provider so a lost answer can be found again.
    pub attempt_ref: &'a str,
    /// The count of the session's offer the shopper chose (1: in full).
    pub installments: u32,
    /// What to charge, minor units: the session's amount, or the offer's total when it bears
    /// interest. A card charge sends this; vouchers and transfers charge the session's amount.
    pub amount: i64,
    pub pay_with: PayWith,
    /// What an earlier try of this attempt made at the provider before it lost an answer
    /// (Conekta's payment source from the spent token), read from the attempt row.
    pub kept_source: Option<KeptSource>,
    /// Whether the card may be kept for the customer (the session's `savePaymentMethod`).
    pub keep_card: bool,
    /// Where the provider sends the shopper back after 3-D Secure or a bank's site: this
    /// service's `/pay/{paymentId}/return` (`PASARELA_PUBLIC_URL`), the payment id chosen when the
    /// attempt began.
    pub return_url: String,
    /// When a voucher or transfer lapses (unix seconds): the session's `voucherExpiresIn` from now.
    pub voucher_expires_at: i64,
}

/// What an attempt keeps of a token it spent, so that its retries never spend it again.
#[derive(Clone, Debug)]
pub enum KeptSource {
    /// The card the token became.
    Card(NewCard),
    /// The token was being made a card of `customer`, which had the cards `known` before: if the
    /// answer was lost, the card is the customer's one not among them.
    Pending { customer: String, known: Vec<String> },
}

impl KeptSource {
    /// The JSON an attempt keeps (`store::set_attempt_source`, read back as `Attempt::source_json`);
    /// server-side only.
    pub fn to_stored(&self) -> String {
        match self {
            Self::Card(c) => serde_json::json!({ "secret": c.secret.expose(), "customer": c.provider_customer, "brand": c.brand,
                "last4": c.last4, "expiry": c.expiry, "holder": c.holder })
            .to_string(),
            Self::Pending { customer, known } => serde_json::json!({ "pending": { "customer": customer, "known": known } }).to_string(),
        }
    }

    /// Reads [`KeptSource::to_stored`]'s JSON back.
    pub fn from_stored(text: &str) -> Option<Self> {
        let v: serde_json::Value = serde_json::from_str(text).ok()?;
        if let Some(p) = v.get("pending") {
            let known = p["known"].as_array()?.iter().filter_map(|k| k.as_str().map(str::to_owned)).collect();
            return Some(Self::Pending { customer: p["customer"].as_str()?.to_owned(), known });
        }
        let opt = |k: &str| v[k].as_str().map(str::to_owned);
        Some(Self::Card(NewCard {
            secret: crate::config::Secret::new(v["secret"].as_str()?),
            provider_customer: opt("customer"),
            brand: opt("brand")?,
            last4: opt("last4")?,
            expiry: opt("expiry"),
            holder: opt("holder"),
        }))
    }
}

/// A card the provider stored for the customer (to save).
#[derive(Clone, Debug)]
pub struct NewCard {
    pub secret: crate::config::Secret,
    pub provider_customer: Option<String>,
    pub brand: String,
    pub last4: String,
    pub expiry: Option<String>,
    pub holder: Option<String>,
}

impl From<&SavedCard> for NewCard {
    fn from(c: &SavedCard) -> Self {
        Self {
            secret: c.secret.clone(),
            provider_customer: c.provider_customer.clone(),
            brand: c.brand.clone(),
            last4: c.last4.clone(),
            expiry: c.expiry.clone(),
            holder: c.holder.clone(),
        }
    }
}

/// What the provider said of a charge.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub status: ResultStatus,
    pub message: Option<String>,
    pub action: Option<Action>,
    /// The provider's id of the charge (purchase, order, transaction).
    pub provider_ref: Option<String>,
    pub new_card: Option<NewCard>,
    /// The voucher or transfer the provider issued (display fields only).
    pub voucher: Option<Voucher>,
}

impl Outcome {
    /// An outcome with nothing but its status and the provider's id.
    pub fn of(status: ResultStatus, provider_ref: Option<String>) -> Self {
        Self { status, message: None, action: None, provider_ref, new_card: None, voucher: None }
    }

    /// A decline with the provider's words.
    pub fn declined(message: impl Into<String>, provider_ref: Option<String>) -> Self {
        Self { message: Some(message.into()), ..Self::of(ResultStatus::Declined, provider_ref) }
    }
}

/// What a provider said to removing a saved card (`crate::cards`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Removal {
    /// Removed: the card no longer pays.
    Removed,
    /// The provider does not know the card (removed before): it cannot pay either.
    Gone,
    /// The provider refused to remove it, in its own words (shown to the shopper).
    Refused(String),
}

/// A provider call that did not give an answer.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// No answer (network, timeout, 5xx): the charge may or may not have happened.
    #[error("provider unavailable: {0}")]
    Unavailable(String),
    /// No answer within the bound: the provider may still be working on the charge, so nothing
    /// may look for it or charge again until as long again has passed (`pay::pay`).
    #[error("provider timed out: {0}")]
    TimedOut(String),
    /// The provider refused the call itself (credentials, malformed request): nothing charged.
    #[error("provider refused the request: {0}")]
    Refused(String),
}

impl From<reqwest::Error> for ProviderError {
    fn from(e: reqwest::Error) -> Self {
        // reqwest's message can carry the URL; provider URLs hold no secret (keys go in headers).
        let timed_out = e.is_timeout();
        let why = crate::redact::redact(&e.without_url().to_string());
        if timed_out {
            ProviderError::TimedOut(why)
        } else {
            ProviderError::Unavailable(why)
        }
    }
}

/// `base` (a provider's configured API URL, which may carry a path) and `segments`, each placed
/// as one percent-escaped path segment: an id never adds a segment, a query or a fragment.
pub fn endpoint(base: &str, segments: &[&str]) -> Result<reqwest::Url, ProviderError> {
    // `url` escapes `/`, `?`, `#` and `%` in a segment but resolves a `.` or `..` segment.
    if segments.iter().any(|s| s.is_empty() || s.bytes().all(|b| b == b'.')) {
        return Err(ProviderError::Refused("an empty, . or .. path segment".into()));
    }
    let mut url = reqwest::Url::parse(base).map_err(|_| ProviderError::Refused("the provider API URL is not a URL".into()))?;
    url.path_segments_mut().map_err(|_| ProviderError::Refused("the provider API URL cannot take a path".into()))?.pop_if_empty().extend(segments);
    Ok(url)
}

/// The HTTP client every provider shares: bounded by `timeout`, rustls, no redirects followed.
pub fn http_client(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(5)))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("pasarela-server/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("the TLS backend initialises")
}

/// One call to a provider's API: sends it and reads its JSON answer, timed
/// (`pasarela_provider_latency_seconds{provider,call}`); a call without a usable answer is counted
/// (`pasarela_provider_errors_total{kind="unavailable"}`). Every provider request goes through here.
pub async fn exchange(provider: ProviderId, call: &'static str, req: reqwest::RequestBuilder) -> Result<(u16, serde_json::Value), ProviderError> {
    let started = std::time::Instant::now();
    let out = match req.send().await {
        Ok(r) => json_of(r).await,
        Err(e) => Err(e.into()),
    };
    crate::metrics::provider_call(provider, call, started.elapsed(), out.is_err());
    out
}

/// The provider answered and refused the call itself (credentials, an id it does not know):
/// counted (`pasarela_provider_errors_total{kind="refused"}`). A call never sent (an id of the
/// wrong shape) is `ProviderError::Refused` uncounted: no provider refused anything.
pub fn refused(provider: ProviderId, why: impl Into<String>) -> ProviderError {
    crate::metrics::provider_refused(provider);
    ProviderError::Refused(why.into())
}

/// Reads a provider's JSON answer: 5xx is `Unavailable`, anything else is read (4xx bodies carry
/// the provider's error shape).
async fn json_of(r: reqwest::Response) -> Result<(u16, serde_json::Value), ProviderError> {
    let status = r.status().as_u16();
    if status >= 500 || status == 429 || status == 408 {
        return Err(ProviderError::Unavailable(format!("HTTP {status}")));
    }
    let body = r.bytes().await?;
    let v = serde_json::from_slice(&body).map_err(|_| ProviderError::Unavailable(format!("HTTP {status}, body not JSON")))?;
    Ok((status, v))
}

/// A string field, or a number written as text.
pub fn text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_are_one_escaped_segment_each() {
        let u = super::endpoint("http://127.0.0.1:9/conekta/", &["orders", "../customers/cus_x?search=1#f"]).unwrap();
        assert_eq!(u.as_str(), "http://127.0.0.1:9/conekta/orders/..%2Fcustomers%2Fcus_x%3Fsearch=1%23f");
        for bad in ["..", ".", ""] {
            assert!(super::endpoint("https://api.conekta.io", &["orders", bad]).is_err(), "{bad:?}");
        }
    }
}
