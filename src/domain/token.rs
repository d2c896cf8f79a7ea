//! What kind of token a provider handed over, and the one-time-token rules (single use, short life).

use serde::Serialize;

/// The `kind` of the `token` event and of `source.kind` in the merchant request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// Bamboo `OT_…` or Conekta `tok_…`: one use, minutes of life.
    OneTime,
    /// Bamboo `CT_…` (Commerce token from card enrollment).
    Recurring,
    /// A KR `onSubmit` answer (already a processed payment, to be verified by the server).
    FormAnswer,
}

/// Bamboo documents 10 minutes for a one-time token; Conekta's `tok_` lives about as long
/// (*inferred*: Conekta states single use, not a lifetime). A token older than this is not
/// forwarded: the provider would refuse it, and the shopper is better asked again at once.
pub const ONE_TIME_TOKEN_TTL_MS: f64 = 10.0 * 60.0 * 1000.0;

/// Classifies a token value by its documented prefix.
pub fn kind_of(token: &str) -> Option<TokenKind> {
    if token.starts_with("OT_") || token.starts_with("tok_") {
        Some(TokenKind::OneTime)
    } else if token.starts_with("CT_") {
        Some(TokenKind::Recurring)
    } else {
        None
    }
}

/// A token held in memory between the provider's callback and the merchant request.
/// `Debug` is hand-written so the value never lands in a log line.
#[derive(Clone, PartialEq)]
pub struct HeldToken {
    value: String,
    pub kind: TokenKind,
    pub received_at_ms: f64,
    forwarded: bool,
}

impl std::fmt::Debug for HeldToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HeldToken")
            .field("kind", &self.kind)
            .field("forwarded", &self.forwarded)
            .finish_non_exhaustive()
    }
}

/// Why a held token may not be forwarded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenRefusal {
    AlreadyForwarded,
    Expired,
}

impl HeldToken {
    pub fn new(value: String, kind: TokenKind, received_at_ms: f64) -> Self {
        Self { value, kind, received_at_ms, forwarded: false }
    }

    /// Takes the value for one forward. One-time tokens give it once and only while fresh;
    /// a recurring token is the merchant's to reuse, but Pasarela still sends it once per attempt.
    pub fn take_for_forward(&mut self, now_ms: f64) -> Result<String, TokenRefusal> {
        if self.forwarded {
            return Err(TokenRefusal::AlreadyForwarded);
        }
        if self.kind == TokenKind::OneTime && now_ms - self.received_at_ms >= ONE_TIME_TOKEN_TTL_MS {
            return Err(TokenRefusal::Expired);
        }
        self.forwarded = true;
        Ok(std::mem::take(&mut self.value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_map_to_kinds() {
        assert_eq!(kind_of("OT__abc_"), Some(TokenKind::OneTime));
        assert_eq!(kind_of("tok_2abc"), Some(TokenKind::OneTime));
        assert_eq!(kind_of("CT__abc_"), Some(TokenKind::Recurring));
        assert_eq!(kind_of("src_1"), None);
    }

    #[test]
    fn a_one_time_token_goes_out_once() {
        let mut t = HeldToken::new("OT__x_".into(), TokenKind::OneTime, 0.0);
        assert_eq!(t.take_for_forward(1.0).unwrap(), "OT__x_");
        assert_eq!(t.take_for_forward(2.0), Err(TokenRefusal::AlreadyForwarded));
    }

    #[test]
    fn a_one_time_token_expires_after_ten_minutes() {
        let mut t = HeldToken::new("OT__x_".into(), TokenKind::OneTime, 1000.0);
        assert_eq!(t.take_for_forward(1000.0 + ONE_TIME_TOKEN_TTL_MS), Err(TokenRefusal::Expired));
        let mut t = HeldToken::new("OT__x_".into(), TokenKind::OneTime, 1000.0);
        assert!(t.take_for_forward(1000.0 + ONE_TIME_TOKEN_TTL_MS - 1.0).is_ok());
    }

    #[test]
    fn debug_output_hides_the_value() {
        let t = HeldToken::new("OT__secret_".into(), TokenKind::OneTime, 0.0);
        assert!(!format!("{t:?}").contains("secret"));
    }
}
