//! The one error shape every provider and every failure is reported in (docs/api.md §3).

use super::i18n::Locale;
use super::ProviderId;

/// Stable, machine-readable error codes. Storefronts switch on these, so never rename one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    /// `createCheckout` options are wrong; `field` names the path.
    InvalidOptions,
    /// The provider script did not load, or loaded without defining its global.
    ScriptLoadFailed,
    /// The provider refused the card data (bad number, CVV, expiry…).
    TokenizationFailed,
    /// The merchant server could not be reached (after retries).
    Network,
    /// The merchant server answered 4xx.
    MerchantRejected,
    /// The merchant server answered something that is not the protocol.
    MerchantBadResponse,
    /// A one-time token was too old (or already used) to forward.
    TokenExpired,
    /// A saved profile carried a secret (token) that must stay on the server.
    SecretInProfile,
    /// The checkout was destroyed.
    Destroyed,
    /// `pay()` was called before the form was usable.
    NotReady,
    /// `pay({ profileId })` named a profile that was not offered (or is expired).
    UnknownProfile,
    /// The provider asked for something this provider adapter cannot do.
    Unsupported,
    /// A bug inside Pasarela (a caught panic); the checkout can still be destroyed.
    Internal,
    /// The provider's form did not answer within its bound (a token wait, a form that timed out).
    Timeout,
    /// The shopper closed the provider's form before it produced a token.
    Cancelled,
    /// The provider locked its form after too many attempts (KR `PSP_099`): a new form is needed.
    AttemptsExceeded,
}

impl ErrorCode {
    /// The code as the page sees it (`invalid_options`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidOptions => "invalid_options",
            Self::ScriptLoadFailed => "script_load_failed",
            Self::TokenizationFailed => "tokenization_failed",
            Self::Network => "network",
            Self::MerchantRejected => "merchant_rejected",
            Self::MerchantBadResponse => "merchant_bad_response",
            Self::TokenExpired => "token_expired",
            Self::SecretInProfile => "secret_in_profile",
            Self::Destroyed => "destroyed",
            Self::NotReady => "not_ready",
            Self::UnknownProfile => "unknown_profile",
            Self::Unsupported => "unsupported",
            Self::Internal => "internal",
            Self::Timeout => "timeout",
            Self::Cancelled => "cancelled",
            Self::AttemptsExceeded => "attempts_exceeded",
        }
    }

    /// Whether trying the same thing again may succeed.
    pub fn retryable(self) -> bool {
        matches!(
            self,
            Self::ScriptLoadFailed
                | Self::Network
                | Self::NotReady
                | Self::TokenizationFailed
                | Self::Timeout
                | Self::Cancelled
        )
    }

    /// Whether a shopper can meet this error: its message is in the shopper's language, and the
    /// live region says it. The two others only a developer causes (bad options, a secret in a
    /// saved profile) are in English, left to the console and the storefront's code (`UNSAID` in
    /// js/pasarela.mjs).
    pub fn is_for_shopper(self) -> bool {
        !matches!(self, Self::InvalidOptions | Self::SecretInProfile)
    }

    /// The message of an error only a developer causes, in English (docs/api.md §3); a
    /// shopper's error has none here: its words are the on-demand part's (`ERRORS` in
    /// js/pasarela_extra.mjs), in the checkout's locale, put in front of what the wasm says (the
    /// provider's own words, if any) by the JS entry. Kept out of the wasm, the three languages'
    /// sixteen messages left 0.77 KB gzip of the up-front budget (README, "Size and speed").
    fn developer_message(self) -> &'static str {
        match self {
            Self::InvalidOptions => "Invalid options",
            Self::SecretInProfile => "A saved profile carries a secret",
            _ => "",
        }
    }
}

/// `PasarelaError` as the page sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct PasarelaError {
    pub code: ErrorCode,
    pub message: String,
    pub field: Option<String>,
    pub provider: Option<ProviderId>,
    pub retryable: bool,
    /// For the developer only (an HTTP status, why an answer is not the protocol): the `details`
    /// of the page's error, never in the `message` a shopper reads or hears.
    pub details: Option<String>,
}

impl PasarelaError {
    /// An error of `code`: a developer's with its English message, a shopper's with none yet (the
    /// JS entry puts its words, in the checkout's `locale`, in front: see
    /// [`ErrorCode::developer_message`]). (Out of line, like the builders below: errors are made
    /// at dozens of places, and inlined each copy weighed on the package.)
    #[inline(never)]
    pub fn new(code: ErrorCode, _locale: Locale) -> Self {
        Self {
            code,
            message: code.developer_message().to_owned(),
            field: None,
            provider: None,
            retryable: code.retryable(),
            details: None,
        }
    }

    /// `invalid_options` naming the offending option path, e.g. `order.amount`.
    #[inline(never)]
    pub fn invalid(field: &str, problem: &str, locale: Locale) -> Self {
        let mut e = Self::new(ErrorCode::InvalidOptions, locale);
        e.message = crate::text::cat(&[&e.message, ": ", field, " ", problem]);
        e.field = Some(field.to_owned());
        e
    }

    /// Appends a detail (a provider's own message or code) after the localized text.
    #[inline(never)]
    pub fn with_detail(mut self, detail: &str) -> Self {
        if !detail.is_empty() {
            self.message = crate::text::cat(&[&self.message, " (", detail, ")"]);
        }
        self
    }

    /// What the developer is told besides (`details`): the shopper's message says none of it.
    #[inline(never)]
    pub fn with_details(mut self, details: String) -> Self {
        self.details = Some(details);
        self
    }

    #[inline(never)]
    pub fn with_provider(mut self, provider: ProviderId) -> Self {
        self.provider = Some(provider);
        self
    }

    #[inline(never)]
    pub fn with_field(mut self, field: &str) -> Self {
        self.field = Some(field.to_owned());
        self
    }
}

impl std::fmt::Display for PasarelaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code.as_str())?;
        f.write_str(": ")?;
        f.write_str(&self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialize_as_the_contract_spells_them() {
        let e = PasarelaError::invalid("order.amount", "must be a positive integer", Locale::En);
        let json: serde_json::Value = serde_json::to_value(&e).unwrap();
        assert_eq!(json["code"], "invalid_options");
        assert_eq!(json["field"], "order.amount");
        assert_eq!(json["retryable"], false);
        assert!(json["message"].as_str().unwrap().contains("order.amount"));
        assert!(json.get("provider").is_none());
    }

    #[test]
    fn network_errors_are_retryable_and_rejections_are_not() {
        assert!(ErrorCode::Network.retryable());
        assert!(!ErrorCode::MerchantRejected.retryable());
        assert!(!ErrorCode::SecretInProfile.retryable());
        assert!(ErrorCode::Timeout.retryable());
        assert!(!ErrorCode::AttemptsExceeded.retryable(), "a locked form needs a new formToken");
    }

    /// Every code, for the tests below (a new one must be added here: `every_code` matches on it).
    fn every_code() -> Vec<ErrorCode> {
        use ErrorCode::*;
        let all = vec![
            InvalidOptions, ScriptLoadFailed, TokenizationFailed, Network, MerchantRejected, MerchantBadResponse,
            TokenExpired, SecretInProfile, Destroyed, NotReady, UnknownProfile, Unsupported, Internal, Timeout,
            Cancelled, AttemptsExceeded,
        ];
        for c in &all {
            // Exhaustive: a code added to the enum and not to the list above fails to compile here.
            match c {
                InvalidOptions | ScriptLoadFailed | TokenizationFailed | Network | MerchantRejected
                | MerchantBadResponse | TokenExpired | SecretInProfile | Destroyed | NotReady | UnknownProfile
                | Unsupported | Internal | Timeout | Cancelled | AttemptsExceeded => {}
            }
        }
        all
    }

    /// A shopper's error leaves the wasm without words (the on-demand part's `ERRORS` table has
    /// them, tests/node/extra.test.mjs holds it to every locale); a developer's has its English.
    #[test]
    fn a_shoppers_error_gets_its_words_from_the_on_demand_part() {
        let extra = include_str!("../../js/pasarela_extra.mjs");
        let table = extra.split("const ERRORS = {").nth(1).and_then(|r| r.split("\n};").next()).expect("ERRORS in pasarela_extra.mjs");
        for code in every_code() {
            let e = PasarelaError::new(code, Locale::Es);
            let listed = table.contains(&format!("\n  {}: [", code.as_str()));
            if code.is_for_shopper() {
                assert_eq!(e.message, "", "{code:?}");
                assert_eq!(e.with_detail("X").message, " (X)", "{code:?}: the provider's words follow the entry's");
                assert!(listed, "{code:?} has no words in ERRORS");
            } else {
                assert!(!e.message.is_empty() && !listed, "{code:?}: English, in the wasm");
            }
        }
    }

    #[test]
    fn the_live_region_leaves_unsaid_exactly_the_developer_only_errors() {
        let entry = include_str!("../../js/pasarela.mjs");
        let list = entry.split("const UNSAID = [").nth(1).and_then(|r| r.split(']').next()).expect("UNSAID in pasarela.mjs");
        let mut unsaid: Vec<&str> = list.split(',').map(|s| s.trim().trim_matches('\'')).filter(|s| !s.is_empty()).collect();
        unsaid.sort_unstable();
        let mut developer_only: Vec<&str> =
            every_code().into_iter().filter(|c| !c.is_for_shopper()).map(ErrorCode::as_str).collect();
        developer_only.sort_unstable();
        assert_eq!(unsaid, developer_only);
    }

}
