//! What pays: a request's `source`.

use crate::{Method, TokenKind};
use alloc::string::String;
use core::fmt;

/// What pays: the `source` of a payment request, tagged by `type` on the wire (`token`,
/// `profile`, `kr_answer`, `cash`, `bank_transfer`; docs/api.md §4).
#[derive(Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(tag = "type", rename_all = "snake_case"))]
pub enum Source {
    /// A one-time (Bamboo `OT_`, Conekta `tok_`) or Commerce (Bamboo `CT_`) token.
    Token {
        /// The token itself.
        token: String,
        /// What kind of token it is. The page always says; the service does not require it.
        #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
        kind: Option<TokenKind>,
    },
    /// A saved card, by the id the session listed.
    Profile {
        /// The card's id (`profiles[].id`).
        #[cfg_attr(feature = "serde", serde(rename = "profileId"))]
        profile_id: String,
    },
    /// KR's `onSubmit` answer, forwarded verbatim for the service to verify by its `hash`.
    KrAnswer {
        /// KR's `clientAnswer` as JSON text from the page's `JSON.stringify` (so valid JSON, or
        /// empty when there was none), written into the body as is (an object, not a string).
        /// The service never reads it: only the signed `rawClientAnswer` counts, so with serde it
        /// is skipped (read as empty, never written).
        #[cfg_attr(feature = "serde", serde(skip))]
        client_answer: String,
        /// The signed text of the answer (KR's `rawClientAnswer`).
        #[cfg_attr(feature = "serde", serde(rename = "rawClientAnswer"))]
        raw_client_answer: String,
        /// KR's `hash` of `raw_client_answer`.
        hash: String,
        /// KR's `hashAlgorithm` (`sha256_hmac`).
        #[cfg_attr(feature = "serde", serde(rename = "hashAlgorithm"))]
        hash_algorithm: String,
        /// Which key signed it: KR's `hashKey` (`sha256_hmac` or `password`).
        #[cfg_attr(feature = "serde", serde(rename = "hashKey"))]
        hash_key: String,
    },
    /// Cash at a store or network against a voucher (Conekta OXXO, Bamboo Abitab/RedPagos/OXXO).
    Cash {
        /// Bamboo's `PaymentMediaId`: which network; left out, the session's default for cash.
        #[cfg_attr(feature = "serde", serde(rename = "paymentMediaId", default, skip_serializing_if = "Option::is_none"))]
        payment_media_id: Option<u32>,
    },
    /// A bank transfer (Conekta SPEI, Bamboo SPEI or a bank's site).
    BankTransfer {
        /// Bamboo's `PaymentMediaId`; left out, the session's default for bank transfers.
        #[cfg_attr(feature = "serde", serde(rename = "paymentMediaId", default, skip_serializing_if = "Option::is_none"))]
        payment_media_id: Option<u32>,
    },
}

impl Source {
    /// The method this source pays with: a token, a saved card or KR's answer is a card.
    pub fn method(&self) -> Method {
        match self {
            Source::Token { .. } | Source::Profile { .. } | Source::KrAnswer { .. } => Method::Card,
            Source::Cash { .. } => Method::Cash,
            Source::BankTransfer { .. } => Method::BankTransfer,
        }
    }
}

impl fmt::Debug for Source {
    // A token, a saved card's id or a signed answer never reaches a log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Source::Token { .. } => "Token(<redacted>)",
            Source::Profile { .. } => "Profile(<redacted>)",
            Source::KrAnswer { .. } => "KrAnswer(<redacted>)",
            Source::Cash { .. } => "Cash",
            Source::BankTransfer { .. } => "BankTransfer",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    #[test]
    fn debug_hides_what_pays() {
        let token = Source::Token { token: "OT__secret_".into(), kind: Some(TokenKind::OneTime) };
        assert_eq!(format!("{token:?}"), "Token(<redacted>)");
        assert!(!format!("{:?}", Source::Profile { profile_id: "card_secret".into() }).contains("secret"));
    }

    #[cfg(feature = "serde")]
    #[test]
    fn the_wire_spells_the_protocol() {
        use serde_json::{from_value, json, to_value};
        let token = Source::Token { token: "OT__x_".into(), kind: Some(TokenKind::OneTime) };
        assert_eq!(to_value(&token).unwrap(), json!({ "type": "token", "token": "OT__x_", "kind": "one_time" }));
        let bare: Source = from_value(json!({ "type": "token", "token": "tok_1" })).unwrap();
        assert_eq!(bare, Source::Token { token: "tok_1".into(), kind: None }, "kind may be left out");
        let null: Source = from_value(json!({ "type": "token", "token": "tok_1", "kind": null })).unwrap();
        assert_eq!(null, bare);
        assert!(from_value::<Source>(json!({ "type": "token", "token": "tok_1", "kind": "forever" })).is_err());

        let profile = Source::Profile { profile_id: "card_1".into() };
        assert_eq!(to_value(&profile).unwrap(), json!({ "type": "profile", "profileId": "card_1" }));

        // What the page sends: clientAnswer is an object beside the signed text, and is not kept.
        let kr: Source = from_value(json!({ "type": "kr_answer", "clientAnswer": { "orderStatus": "PAID" },
            "rawClientAnswer": "{\"orderStatus\":\"PAID\"}", "hash": "ab", "hashAlgorithm": "sha256_hmac", "hashKey": "password" }))
        .unwrap();
        let expected = Source::KrAnswer {
            client_answer: String::new(),
            raw_client_answer: "{\"orderStatus\":\"PAID\"}".into(),
            hash: "ab".into(),
            hash_algorithm: "sha256_hmac".into(),
            hash_key: "password".into(),
        };
        assert_eq!(kr, expected);
        assert_eq!(
            to_value(&expected).unwrap(),
            json!({ "type": "kr_answer", "rawClientAnswer": "{\"orderStatus\":\"PAID\"}", "hash": "ab",
                "hashAlgorithm": "sha256_hmac", "hashKey": "password" })
        );
        assert!(from_value::<Source>(json!({ "type": "card", "token": "x" })).is_err());

        let cash: Source = from_value(json!({ "type": "cash" })).unwrap();
        assert_eq!(cash, Source::Cash { payment_media_id: None });
        assert_eq!(cash.method(), Method::Cash);
        let abitab = Source::Cash { payment_media_id: Some(5) };
        assert_eq!(to_value(&abitab).unwrap(), json!({ "type": "cash", "paymentMediaId": 5 }));
        let spei: Source = from_value(json!({ "type": "bank_transfer", "paymentMediaId": 32 })).unwrap();
        assert_eq!(spei, Source::BankTransfer { payment_media_id: Some(32) });
        assert_eq!(to_value(Source::BankTransfer { payment_media_id: None }).unwrap(), json!({ "type": "bank_transfer" }));
        assert!(from_value::<Source>(json!({ "type": "cash", "paymentMediaId": "5" })).is_err());
        assert!(from_value::<Source>(json!({ "type": "cash", "paymentMediaId": -1 })).is_err());
        assert_eq!(profile.method(), Method::Card);
    }

    #[cfg(feature = "serde")]
    #[test]
    fn the_words_serialize_as_spelled() {
        use crate::{ActionType, ProviderId, ResultStatus};
        use serde_json::{from_value, to_value, Value};
        for p in ProviderId::ALL {
            assert_eq!(to_value(p).unwrap(), Value::from(p.as_str()));
            assert_eq!(from_value::<ProviderId>(Value::from(p.as_str())).unwrap(), p);
        }
        for s in [ResultStatus::Approved, ResultStatus::Declined, ResultStatus::Pending, ResultStatus::Error, ResultStatus::Expired] {
            assert_eq!(to_value(s).unwrap(), Value::from(s.as_str()));
        }
        for a in ActionType::ALL {
            assert_eq!(to_value(a).unwrap(), Value::from(a.as_str()));
        }
        for k in TokenKind::ALL {
            assert_eq!(to_value(k).unwrap(), Value::from(k.as_str()));
        }
        for m in crate::Method::ALL {
            assert_eq!(to_value(m).unwrap(), Value::from(m.as_str()));
            assert_eq!(from_value::<crate::Method>(Value::from(m.as_str())).unwrap(), m);
        }
        assert!(from_value::<ProviderId>(Value::from("Bamboo")).is_err());
    }
}
