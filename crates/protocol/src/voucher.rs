//! A voucher or transfer the shopper pays away from the page: `action.voucher` of a pending
//! answer (docs/api.md §4, "Beyond the card form").

use crate::{Method, ProviderId};
use alloc::string::String;

/// What the shopper needs to pay a cash voucher or a bank transfer: display fields only (nothing
/// here is a secret; the provider's order and charge ids stay on the service). On the wire,
/// camelCase, a field without a value left out:
///
/// ```json
/// { "kind": "cash", "provider": "conekta", "amount": 20000, "currency": "MXN",
///   "expiresAt": "2026-12-10T23:59:00Z", "reference": "93000262276908",
///   "barcodeUrl": "https://…" }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
pub struct Voucher {
    /// `cash` or `bank_transfer` (never `card`).
    pub kind: Method,
    /// Who issued it.
    pub provider: ProviderId,
    /// What to pay, in minor units of `currency`.
    pub amount: u64,
    /// ISO 4217 code, capitals.
    pub currency: String,
    /// When it lapses: ISO 8601 UTC (`2026-12-10T23:59:00Z`).
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub expires_at: Option<String>,
    /// The payment reference to give at the counter, raw (the page groups it for reading).
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub reference: Option<String>,
    /// An image of the reference's barcode.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub barcode_url: Option<String>,
    /// The 18-digit CLABE to transfer to (SPEI), raw.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub clabe: Option<String>,
    /// The receiving bank's name.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub bank: Option<String>,
    /// The receiving account's holder.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub account_holder: Option<String>,
    /// The provider's printable voucher or instructions page.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub instructions_url: Option<String>,
}

#[cfg(all(test, feature = "serde"))]
mod tests {
    use super::*;
    use serde_json::{from_value, json, to_value};

    #[test]
    fn the_wire_is_camel_case_without_empty_fields() {
        let v = Voucher {
            kind: Method::Cash,
            provider: ProviderId::Conekta,
            amount: 20000,
            currency: "MXN".into(),
            expires_at: Some("2026-12-10T23:59:00Z".into()),
            reference: Some("93000262276908".into()),
            barcode_url: Some("https://x/b.png".into()),
            clabe: None,
            bank: None,
            account_holder: None,
            instructions_url: None,
        };
        let wire = json!({ "kind": "cash", "provider": "conekta", "amount": 20000, "currency": "MXN",
            "expiresAt": "2026-12-10T23:59:00Z", "reference": "93000262276908", "barcodeUrl": "https://x/b.png" });
        assert_eq!(to_value(&v).unwrap(), wire);
        assert_eq!(from_value::<Voucher>(wire).unwrap(), v);
        let spei: Voucher = from_value(json!({ "kind": "bank_transfer", "provider": "bamboo", "amount": 1, "currency": "MXN",
            "clabe": "646180111812345678", "bank": "STP", "accountHolder": "Pasarela", "instructionsUrl": "https://x/i" }))
        .unwrap();
        assert_eq!((spei.kind, spei.clabe.as_deref(), spei.account_holder.as_deref()), (Method::BankTransfer, Some("646180111812345678"), Some("Pasarela")));
    }
}
