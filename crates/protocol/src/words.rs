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
    /// A voucher or transfer the shopper did not pay before it lapsed: no money taken, and none
    /// will be. Final, like `approved` and `declined` (docs/api.md §4, "Beyond the card form").
    Expired,
}

impl ResultStatus {
    /// The statuses a merchant answer carries (and the service stores): never `error`.
    pub const ANSWERS: [Self; 4] = [Self::Approved, Self::Declined, Self::Pending, Self::Expired];

    /// `"approved"`, `"declined"`, `"pending"`, `"error"`, `"expired"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approved => "approved",
            Self::Declined => "declined",
            Self::Pending => "pending",
            Self::Error => "error",
            Self::Expired => "expired",
        }
    }

    /// Whether a payment with this status is decided for good: `approved`, `declined` and
    /// `expired` are never left; `pending` may still move; `error` is the page's own.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Approved | Self::Declined | Self::Expired)
    }

    /// Reads an answer's status: one of [`ResultStatus::ANSWERS`] (`error` is not a merchant's
    /// word, so it reads as none).
    pub fn parse_answer(s: &str) -> Option<Self> {
        match s {
            "approved" => Some(Self::Approved),
            "declined" => Some(Self::Declined),
            "pending" => Some(Self::Pending),
            "expired" => Some(Self::Expired),
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
    /// Go to `url` (a full-page redirect: a page that refuses to be framed, a bank's site).
    Redirect,
    /// Pay the voucher or transfer the answer's `voucher` describes (no `url`).
    Voucher,
    /// Authenticate (3-D Secure) in a framed `url`, inside the page.
    Challenge,
}

impl ActionType {
    /// Every action type.
    pub const ALL: [Self; 4] = [Self::VerificationCode, Self::Redirect, Self::Voucher, Self::Challenge];

    /// `"verification_code"`, `"redirect"`, `"voucher"`, `"challenge"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::VerificationCode => "verification_code",
            Self::Redirect => "redirect",
            Self::Voucher => "voucher",
            Self::Challenge => "challenge",
        }
    }

    /// Reads an action type.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// How the shopper pays: the checkout's and the session's `methods`, a voucher's `kind`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Method {
    /// A card: typed in the provider's form, or saved.
    Card,
    /// Cash at a store or payment network, with a voucher (OXXO, Abitab, RedPagos).
    Cash,
    /// A bank transfer (SPEI's CLABE, a bank's site).
    BankTransfer,
}

impl Method {
    /// Every method, the card first.
    pub const ALL: [Self; 3] = [Self::Card, Self::Cash, Self::BankTransfer];

    /// `"card"`, `"cash"`, `"bank_transfer"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Card => "card",
            Self::Cash => "cash",
            Self::BankTransfer => "bank_transfer",
        }
    }

    /// Reads a method.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
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
        for m in Method::ALL {
            assert_eq!(Method::parse(m.as_str()), Some(m));
        }
    }

    #[test]
    fn words_are_spelled_exactly() {
        assert_eq!(ProviderId::ALL.map(ProviderId::as_str), ["bamboo", "conekta", "kr"]);
        assert_eq!(ResultStatus::ANSWERS.map(ResultStatus::as_str), ["approved", "declined", "pending", "expired"]);
        assert_eq!(ActionType::ALL.map(ActionType::as_str), ["verification_code", "redirect", "voucher", "challenge"]);
        assert_eq!(Method::ALL.map(Method::as_str), ["card", "cash", "bank_transfer"]);
        assert_eq!(ResultStatus::ANSWERS.map(ResultStatus::is_final), [true, true, false, true]);
        assert!(!ResultStatus::Error.is_final());
        assert_eq!(Method::parse("bank-transfer"), None);
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
