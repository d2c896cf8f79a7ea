//! What kind of token a provider handed over, and the one-time-token rules (single use, short life).

/// The `kind` of the `token` event and of `source.kind` in the merchant request: the protocol's
/// word (crates/protocol).
pub use pasarela_protocol::TokenKind;

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

/// Until when (`Date.now()` clock) a token received at `received_ms` may still be sent, retries
/// included; `None` when it does not expire on the way (recurring tokens, KR answers).
pub fn fresh_until(kind: TokenKind, received_ms: f64) -> Option<f64> {
    (kind == TokenKind::OneTime).then_some(received_ms + ONE_TIME_TOKEN_TTL_MS)
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
    fn only_one_time_tokens_have_a_deadline() {
        assert_eq!(fresh_until(TokenKind::OneTime, 1000.0), Some(1000.0 + 600_000.0));
        assert_eq!(fresh_until(TokenKind::Recurring, 1000.0), None);
        assert_eq!(fresh_until(TokenKind::FormAnswer, 1000.0), None);
    }
}
