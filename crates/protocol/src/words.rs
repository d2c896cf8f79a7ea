//! The protocol's words: each an enum with its one spelling (`as_str`) and its reading back.

/// A payment provider: the browser's `provider` option, a request's `provider`, the service's
/// sessions and payments.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum ProviderId {
    /// Bamboo Payment (PWCheckout).
    Bamboo,
    /// Conekta.
    Conekta,
    /// Lyra's KR (Krypton) form.
    Kr,
}

impl ProviderId {
    /// Every provider.
    pub const ALL: [Self; 3] = [Self::Bamboo, Self::Conekta, Self::Kr];

    /// `"bamboo"`, `"conekta"`, `"kr"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Bamboo => "bamboo",
            Self::Conekta => "conekta",
            Self::Kr => "kr",
        }
    }

    /// Reads a provider's name (exactly as [`ProviderId::as_str`] spells it).
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// `status` of a merchant answer and of the page's `PaymentResult`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum ResultStatus {
    /// Money taken.
    Approved,
    /// No money taken, and none will be.
    Declined,
    /// Not decided yet: the page polls the payment's status.
    Pending,
    /// The page's own: the attempt ended without a merchant's answer. Never in an answer.
    Error,
}

impl ResultStatus {
    /// The statuses a merchant answer carries (and the service stores): never `error`.
    pub const ANSWERS: [Self; 3] = [Self::Approved, Self::Declined, Self::Pending];

    /// `"approved"`, `"declined"`, `"pending"`, `"error"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approved => "approved",
            Self::Declined => "declined",
            Self::Pending => "pending",
            Self::Error => "error",
        }
    }

    /// Reads an answer's status: one of [`ResultStatus::ANSWERS`] (`error` is not a merchant's
    /// word, so it reads as none).
    pub fn parse_answer(s: &str) -> Option<Self> {
        match s {
            "approved" => Some(Self::Approved),
            "declined" => Some(Self::Declined),
            "pending" => Some(Self::Pending),
            _ => None,
        }
    }
}

/// `action.type` of a pending answer: what the shopper must do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum ActionType {
    /// Type a code (Bamboo's CVV form, `PWCapture`) in the frame at `url`.
    VerificationCode,
    /// Go to `url` (3-D Secure and the like).
    Redirect,
}

impl ActionType {
    /// Every action type.
    pub const ALL: [Self; 2] = [Self::VerificationCode, Self::Redirect];

    /// `"verification_code"`, `"redirect"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::VerificationCode => "verification_code",
            Self::Redirect => "redirect",
        }
    }

    /// Reads an action type.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "verification_code" => Some(Self::VerificationCode),
            "redirect" => Some(Self::Redirect),
            _ => None,
        }
    }
}

/// The `kind` of the page's `token` event and of a request's `source.kind`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum TokenKind {
    /// Bamboo `OT_…` or Conekta `tok_…`: one use, minutes of life.
    OneTime,
    /// Bamboo `CT_…` (a Commerce token from card enrollment).
    Recurring,
    /// A KR `onSubmit` answer (already a processed payment, to be verified by the service).
    FormAnswer,
}

impl TokenKind {
    /// Every token kind.
    pub const ALL: [Self; 3] = [Self::OneTime, Self::Recurring, Self::FormAnswer];

    /// `"one_time"`, `"recurring"`, `"form_answer"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OneTime => "one_time",
            Self::Recurring => "recurring",
            Self::FormAnswer => "form_answer",
        }
    }

    /// Reads a token kind.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_reads_back() {
        for p in ProviderId::ALL {
            assert_eq!(ProviderId::parse(p.as_str()), Some(p));
        }
        for s in ResultStatus::ANSWERS {
            assert_eq!(ResultStatus::parse_answer(s.as_str()), Some(s));
        }
        for a in ActionType::ALL {
            assert_eq!(ActionType::parse(a.as_str()), Some(a));
        }
        for k in TokenKind::ALL {
            assert_eq!(TokenKind::parse(k.as_str()), Some(k));
        }
    }

    #[test]
    fn words_are_spelled_exactly() {
        assert_eq!(ProviderId::ALL.map(ProviderId::as_str), ["bamboo", "conekta", "kr"]);
        assert_eq!(ResultStatus::ANSWERS.map(ResultStatus::as_str), ["approved", "declined", "pending"]);
        assert_eq!(ActionType::ALL.map(ActionType::as_str), ["verification_code", "redirect"]);
        assert_eq!(TokenKind::ALL.map(TokenKind::as_str), ["one_time", "recurring", "form_answer"]);
        for bad in ["", "Bamboo", "KR", " kr", "lyra"] {
            assert_eq!(ProviderId::parse(bad), None, "{bad}");
        }
        // `error` is the page's own status: no answer carries it.
        assert_eq!(ResultStatus::parse_answer("error"), None);
        assert_eq!(ResultStatus::parse_answer("APPROVED"), None);
        assert_eq!(ActionType::parse("teleport"), None);
        assert_eq!(TokenKind::parse("oneTime"), None);
    }
}
