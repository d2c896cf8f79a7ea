//! Bamboo Payment's server API (FLOWS.md, docs/providers/bamboo.md): `POST /v1/api/purchase`
//! with `Authorization: Basic {privateKey}` as is; `GET /v1/api/purchase/{id}`; customers with
//! their `PaymentProfiles` (`GET /v1/api/customer/{id}`, a new `UniqueID` at every read).

use super::{endpoint, exchange, ids, refused, text, Charge, NewCard, Outcome, PayWith, ProviderApi, ProviderError, Removal};
use crate::config::BambooConfig;
use crate::protocol::Action;
use pasarela_protocol::{ActionType, Method, ProviderId, ResultStatus, Voucher};
use serde_json::{json, Value};

const BAMBOO: ProviderId = ProviderId::Bamboo;

/// What a Bamboo alternative medium needs of the session's customer, beyond the common fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// `Customer.Email` (`customer.email`).
    Email,
    /// `Customer.FirstName` (`customer.firstName`).
    FirstName,
    /// `Customer.LastName` (`customer.lastName`).
    LastName,
    /// `Customer.PhoneNumber` (`customer.phone`).
    Phone,
    /// `Customer.DocNumber` and `DocumentTypeId` (`customer.documentNumber`, `documentType`).
    Document,
}

impl Need {
    /// The session's `customer` key that holds it.
    pub fn field(self) -> &'static str {
        match self {
            Self::Email => "customer.email",
            Self::FirstName => "customer.firstName",
            Self::LastName => "customer.lastName",
            Self::Phone => "customer.phone",
            Self::Document => "customer.documentNumber",
        }
    }
}

/// A Bamboo alternative payment medium of the purchase API this service calls (`POST
/// /v1/api/purchase` with `PaymentMediaId`, no `TrxToken`: "sending one of them is mandatory";
/// /tmp/research/bamboo-apm.md §0).
#[derive(Clone, Copy, Debug)]
pub struct Medium {
    /// `PaymentMediaId`.
    pub id: u32,
    /// What the shopper does: cash at a network, or a bank transfer.
    pub method: Method,
    /// The purchase's `TargetCountryISO` (BAMBOO_COUNTRY).
    pub country: &'static str,
    /// The network's name.
    pub name: &'static str,
    /// The answer sends the shopper to a site (`CommerceAction` `ActionType` 1) instead of a
    /// voucher.
    pub redirect: bool,
    /// The customer fields the medium's request table marks mandatory.
    pub needs: &'static [Need],
}

/// The media this service offers, each from /tmp/research/bamboo-apm.md: Uruguay's Abitab (5)
/// and RedPagos (10), mandatory `Email`, `DocumentTypeId`, `DocNumber`, `PhoneNumber` (§3.1);
/// Uruguay's bank transfer (532, Infinia, a redirect to a bank coupon; `Email`, §3.2); Mexico's
/// OXXO (35, deprecated; `Email`, §3.3), OXXOPay (90: its legacy example is commented out, the
/// fields are V3's, *inferred* the same: `Email`, `FirstName`, `LastName`, `PhoneNumber`, §3.3)
/// and SPEI through OpenPay (32: `Email`, `FirstName`, a CLABE in `BankAccountLabel`, §3.5).
pub const MEDIA: &[Medium] = &[
    Medium { id: 5, method: Method::Cash, country: "UY", name: "Abitab", redirect: false, needs: &[Need::Email, Need::Phone, Need::Document] },
    Medium { id: 10, method: Method::Cash, country: "UY", name: "RedPagos", redirect: false, needs: &[Need::Email, Need::Phone, Need::Document] },
    Medium { id: 532, method: Method::BankTransfer, country: "UY", name: "Transferencia bancaria", redirect: true, needs: &[Need::Email] },
    Medium { id: 35, method: Method::Cash, country: "MX", name: "OXXO", redirect: false, needs: &[Need::Email] },
    Medium { id: 90, method: Method::Cash, country: "MX", name: "OXXOPay", redirect: false, needs: &[Need::Email, Need::FirstName, Need::LastName, Need::Phone] },
    Medium { id: 32, method: Method::BankTransfer, country: "MX", name: "SPEI", redirect: false, needs: &[Need::Email, Need::FirstName] },
];

/// A medium by its id.
pub fn medium(id: u32) -> Option<&'static Medium> {
    MEDIA.iter().find(|m| m.id == id)
}

/// The medium a method uses in a country unless the session or the page names one: Abitab,
/// Uruguay's bank transfer, OXXOPay (OXXO 35 is deprecated: "New Payment Method for Mexico:
/// OXXOPay", §3.3), SPEI.
pub fn default_medium(country: &str, method: Method) -> Option<u32> {
    match (country, method) {
        ("UY", Method::Cash) => Some(5),
        ("UY", Method::BankTransfer) => Some(532),
        ("MX", Method::Cash) => Some(90),
        ("MX", Method::BankTransfer) => Some(32),
        _ => None,
    }
}

/// The first of `m`'s mandatory customer fields the session's customer lacks.
pub fn missing(m: &Medium, customer: &Value) -> Option<Need> {
    let has = |k: &str| customer.get(k).and_then(Value::as_str).is_some_and(|v| !v.trim().is_empty());
    m.needs.iter().copied().find(|n| match n {
        Need::Email => !has("email"),
        Need::FirstName => !has("firstName"),
        Need::LastName => !has("lastName"),
        Need::Phone => !has("phone"),
        Need::Document => !has("documentNumber"),
    })
}

/// Uruguay's document types, V3 code → legacy `DocumentTypeId` (/tmp/research/bamboo-apm.md §3.1,
/// `Uruguay/_index.md` § Document types): RUT 1, CI 2, EXT 3.
pub fn document_type_id(code: &str) -> Option<u32> {
    match code {
        "RUT.UY" => Some(1),
        "CI.UY" => Some(2),
        "EXT.UY" => Some(3),
        _ => None,
    }
}

/// The offset of a country's local time from UTC, for dates Bamboo writes without one
/// (*inferred*: the docs name no time zone): Uruguay −3 h, Mexico (Mexico City, without daylight
/// saving since 2022) −6 h; UTC for any other.
fn utc_offset_s(country: &str) -> i64 {
    match country {
        "UY" => -3 * 3600,
        "MX" => -6 * 3600,
        _ => 0,
    }
}

/// Bamboo's API for one merchant account.
#[derive(Clone, Debug)]
pub struct Bamboo {
    pub config: BambooConfig,
    pub http: reqwest::Client,
}

/// What the page needs to enroll a card for a registered customer (`OpenIframeCustom`): a
/// session's `bamboo`.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Enrollment {
    pub capture_url: String,
    pub unique_id: String,
}

impl Bamboo {
    fn auth(&self) -> String {
        format!("Basic {}", self.config.private_key.expose())
    }

    /// The purchase's `UniqueID`: Bamboo answers a purchase repeated with the `UniqueID` of an
    /// approved one with that purchase instead of making another (BambooPaymentDoc
    /// `Getting-Started/Concepts.md`, "Unique Identifier"), and lists it in the purchase's
    /// answer. The value must be alphanumeric, so the attempt reference loses its `_`.
    fn unique_id(attempt_ref: &str) -> String {
        attempt_ref.chars().filter(char::is_ascii_alphanumeric).collect()
    }

    /// `POST /v1/api/purchase` with a `PaymentMediaId` and no `TrxToken`: the medium's customer
    /// fields, `Description` (required for the bank transfer in V3, §3.2), the voucher's life as
    /// `MetadataIn.PaymentExpirationInMinutes` (a number written as text, as every example has
    /// it), and for a redirect medium the `Redirection` URLs the shopper comes back to (§1,
    /// "Response URLS": all four to the payment's return route, which reads the purchase again
    /// rather than trust the posted `Status`). The answer is pending: a voucher from
    /// `MetadataOut`, or the redirect (`CommerceAction` `ActionType` 1).
    async fn charge_offline(&self, c: &Charge<'_>, m: &Medium) -> Result<Outcome, ProviderError> {
        let s = c.session;
        let who = &s.customer;
        let text = |k: &str| who.get(k).and_then(Value::as_str).map(str::trim).filter(|v| !v.is_empty());
        let mut customer = serde_json::Map::new();
        for (key, value) in [("Email", text("email")), ("FirstName", text("firstName")), ("LastName", text("lastName")), ("PhoneNumber", text("phone")), ("DocNumber", text("documentNumber"))] {
            if let Some(v) = value {
                customer.insert(key.into(), v.into());
            }
        }
        if m.needs.contains(&Need::Document) {
            // CI (the identity card) unless the session names another type (*inferred* default).
            let id = text("documentType").and_then(document_type_id).unwrap_or(2);
            customer.insert("DocumentTypeId".into(), id.into());
        }
        let minutes = ((c.voucher_expires_at * 1000 - crate::store::now_ms()) as f64 / 60_000.0).ceil().max(1.0) as i64;
        let mut body = json!({
            "PaymentMediaId": m.id, "Order": s.order_id, "Amount": s.amount_due, "Currency": s.currency, "Capture": true,
            "TargetCountryISO": self.config.country, "UniqueID": Self::unique_id(c.attempt_ref),
            "Description": format!("Pedido {}", s.order_id), "Customer": customer,
            "MetadataIn": { "PaymentExpirationInMinutes": minutes.to_string() },
        });
        if m.redirect {
            let back = &c.return_url;
            body["Redirection"] = json!({ "Url_Approved": back, "Url_Rejected": back, "Url_Canceled": back, "Url_Pending": back });
        }
        let r = self.http.post(endpoint(&self.config.api_url, &["v1", "api", "purchase"])?).header("Authorization", self.auth()).json(&body);
        let (status, v) = exchange(BAMBOO, "charge", r).await?;
        if status == 401 || status == 403 {
            return Err(refused(BAMBOO, format!("HTTP {status}")));
        }
        let mut out = outcome_in(&v, &self.config.country);
        if let Some(v) = out.voucher.as_mut().filter(|v| v.expires_at.is_none()) {
            // Most media answer no date (§5, "Expiry field"): the one asked for.
            v.expires_at = Some(crate::vouchers::iso(c.voucher_expires_at));
        }
        Ok(out)
    }

    /// `GET /v1/api/purchase/{id}`.
    pub async fn get(&self, purchase_id: &str) -> Result<Outcome, ProviderError> {
        if !ids::bamboo_number(purchase_id) {
            return Err(ProviderError::Refused("not a Bamboo PurchaseId".into()));
        }
        let r = self.http.get(endpoint(&self.config.api_url, &["v1", "api", "purchase", purchase_id])?).header("Authorization", self.auth());
        let (status, v) = exchange(BAMBOO, "refresh", r).await?;
        // Only a purchase read decides: an error answer (a 404, a rotated key's 401) with
        // `Response: null` would read as a decline, which is final.
        if status != 200 {
            return Err(ProviderError::Unavailable(format!("purchase read HTTP {status}")));
        }
        Ok(outcome_in(&v, &self.config.country))
    }

    /// `POST /v1/api/customer`: the Bamboo customer of a storefront customer.
    pub async fn create_customer(&self, customer_ref: &str, customer: &Value) -> Result<String, ProviderError> {
        let body = json!({
            "Email": customer.get("email"), "FirstName": customer.get("firstName"), "LastName": customer.get("lastName"),
            "CommerceCustomerId": customer_ref,
        });
        let r = self.http.post(endpoint(&self.config.api_url, &["v1", "api", "customer"])?).header("Authorization", self.auth()).json(&body);
        let (_, v) = exchange(BAMBOO, "customer_create", r).await?;
        text(&v["Response"]["CustomerId"]).ok_or_else(|| refused(BAMBOO, error_text(&v)))
    }

    /// `POST /v1/api/customer/{id}/PaymentProfileDelete { PaymentProfileId }`, as Bamboo's own
    /// PHP SDK removes a payment profile (BambooPayment/sdk_php `CustomerService::
    /// deletePaymentProfile`): `200` without errors removed, `404` gone, `400` refused with its
    /// `Errors[0].Message` (the SDK's `ErrorHandler` maps those statuses).
    pub async fn remove_profile(&self, customer: &str, profile: &str) -> Result<Removal, ProviderError> {
        if !ids::bamboo_number(customer) || !ids::bamboo_number(profile) {
            return Err(ProviderError::Refused("not a Bamboo CustomerId or PaymentProfileId".into()));
        }
        let number: i64 = profile.parse().map_err(|_| ProviderError::Refused("not a Bamboo PaymentProfileId".into()))?;
        let url = endpoint(&self.config.api_url, &["v1", "api", "customer", customer, "PaymentProfileDelete"])?;
        let r = self.http.post(url).header("Authorization", self.auth()).json(&json!({ "PaymentProfileId": number }));
        let (status, v) = exchange(BAMBOO, "profile_delete", r).await?;
        let errors = v["Errors"].as_array().is_some_and(|e| !e.is_empty());
        Ok(match status {
            200 if !errors => Removal::Removed,
            404 => Removal::Gone,
            401 | 403 => return Err(refused(BAMBOO, format!("HTTP {status}"))),
            _ => Removal::Refused(v["Errors"][0]["Message"].as_str().unwrap_or("Rechazado").to_owned()),
        })
    }

    /// `GET /v1/api/customer/{id}`: the customer's saved cards and a fresh enrollment session.
    pub async fn customer(&self, id: &str) -> Result<(Vec<(String, NewCard, Option<String>, Option<String>)>, Enrollment), ProviderError> {
        if !ids::bamboo_number(id) {
            return Err(ProviderError::Refused("not a Bamboo CustomerId".into()));
        }
        let r = self.http.get(endpoint(&self.config.api_url, &["v1", "api", "customer", id])?).header("Authorization", self.auth());
        let (_, v) = exchange(BAMBOO, "customer", r).await?;
        let c = &v["Response"];
        let enrollment = Enrollment {
            capture_url: c["CaptureURL"].as_str().unwrap_or_default().to_owned(),
            unique_id: c["UniqueID"].as_str().unwrap_or_default().to_owned(),
        };
        let cards = c["PaymentProfiles"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["Enabled"].as_bool() != Some(false))
            .filter_map(|p| {
                let secret = p["Token"].as_str().or(p["CommerceToken"].as_str())?;
                Some((
                    text(&p["PaymentProfileId"])?,
                    NewCard {
                        secret: crate::config::Secret::new(secret),
                        provider_customer: Some(id.to_owned()),
                        brand: p["Brand"].as_str().unwrap_or("Card").to_owned(),
                        last4: format!("{:0>4}", text(&p["Last4"]).unwrap_or_default()),
                        expiry: text(&p["Expiration"]),
                        holder: p["CardOwner"].as_str().map(str::to_owned),
                    },
                    p["IssuerBank"].as_str().map(str::to_owned),
                    p["Installments"].as_str().map(str::to_owned),
                ))
            })
            .collect();
        Ok((cards, enrollment))
    }
}

#[async_trait::async_trait]
impl ProviderApi for Bamboo {
    fn id(&self) -> ProviderId {
        BAMBOO
    }

    /// `POST /v1/api/purchase`.
    async fn charge(&self, c: &Charge<'_>) -> Result<Outcome, ProviderError> {
        let s = c.session;
        let token = match &c.pay_with {
            PayWith::Token(t) => t.expose().to_owned(),
            PayWith::Saved(card) => card.secret.expose().to_owned(),
            PayWith::Source(card) => card.secret.expose().to_owned(),
            PayWith::Offline { payment_media_id, .. } => {
                let m = payment_media_id.and_then(medium).ok_or_else(|| ProviderError::Refused("no Bamboo payment medium".into()))?;
                return self.charge_offline(c, m).await;
            }
        };
        // `Installments`: "the number of payments that a credit card purchase is divided into"
        // (Purchase-Operations.md, "Create a purchase"); `Amount` the offer's total when the
        // storefront finances it with interest (*inferred*: Bamboo documents no interest of its
        // own, the amount sent is the amount charged).
        let mut body = json!({
            "TrxToken": token, "Order": s.order_id, "Amount": c.amount, "Currency": s.currency, "Capture": true,
            "TargetCountryISO": self.config.country, "Installments": c.installments, "UniqueID": Self::unique_id(c.attempt_ref),
        });
        if let Some(email) = s.customer.get("email").and_then(Value::as_str) {
            body["Customer"] = json!({ "Email": email });
        }
        let r = self.http.post(endpoint(&self.config.api_url, &["v1", "api", "purchase"])?).header("Authorization", self.auth()).json(&body);
        let (status, v) = exchange(BAMBOO, "charge", r).await?;
        if status == 401 || status == 403 {
            return Err(refused(BAMBOO, format!("HTTP {status}")));
        }
        Ok(outcome_in(&v, &self.config.country))
    }

    /// The purchase made for an attempt, if Bamboo made one: the order's purchases
    /// (`GET /v1/api/purchase?OrderNumber=`, BambooPaymentDoc `Purchases/Purchase-Operations.md`,
    /// "Get Purchases"), the one with the attempt's `UniqueID`.
    async fn find(&self, order_id: &str, attempt_ref: &str) -> Result<Option<Outcome>, ProviderError> {
        let r = self.http.get(endpoint(&self.config.api_url, &["v1", "api", "purchase"])?).query(&[("OrderNumber", order_id)]).header("Authorization", self.auth());
        let (status, v) = exchange(BAMBOO, "find", r).await?;
        // Only a listing says "no such purchase"; an error answer says nothing, and reading it
        // as "none" would charge again.
        if status != 200 {
            return Err(ProviderError::Unavailable(format!("purchase search HTTP {status}")));
        }
        let unique_id = Self::unique_id(attempt_ref);
        // One purchase is answered as an object, several as an array (Purchase-Operations.md).
        let list: &[Value] = match &v["Response"] {
            Value::Array(all) => all,
            one @ Value::Object(_) => std::slice::from_ref(one),
            _ => &[],
        };
        let found = list.iter().find(|p| p["UniqueID"].as_str() == Some(unique_id.as_str()));
        Ok(found.map(|p| outcome_in(&json!({ "Response": p, "Errors": [] }), &self.config.country)))
    }

    async fn refresh(&self, purchase_id: &str) -> Result<Option<Outcome>, ProviderError> {
        self.get(purchase_id).await.map(Some)
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

fn error_text(v: &Value) -> String {
    let e = &v["Errors"][0];
    match (e["ErrorCode"].as_str(), e["Message"].as_str()) {
        (Some(code), Some(m)) => format!("{code}: {m}"),
        (Some(code), None) => code.to_owned(),
        _ => "Rechazado".to_owned(),
    }
}

/// A purchase's status → outcome (docs/providers/statuses.md, "Bamboo", with the source of each
/// row). The text `Status` decides (v3 answers carry only it; one of Bamboo's own examples pairs
/// id 3 with "Approved"), normalised (case, `-`, `_`, spaces; Canceled = Cancelled); the
/// `TransactionStatusId` (1 Approved, 2 Pending, 3 Pre-authorized, 4 Rejected, 5 Paid,
/// 6 Cancelled, `Data-Types.md`) when there is no text. Anything else is pending.
pub fn purchase_status(text: Option<&str>, id: Option<i64>) -> ResultStatus {
    use ResultStatus::{Approved, Declined, Pending};
    let word: Option<String> = text.map(|t| t.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase());
    match (word.as_deref(), id) {
        (Some("approved" | "paid" | "preauthorized"), _) => Approved,
        (Some("rejected" | "cancelled" | "canceled"), _) => Declined,
        (Some(w), _) if !w.is_empty() => Pending,
        (_, Some(1 | 3 | 5)) => Approved,
        (_, Some(4 | 6)) => Declined,
        _ => Pending,
    }
}

/// The voucher of a purchase, from `MetadataOut` as Bamboo's media write it (§4, "Normalise
/// shopper-visible data"), keys read case-insensitively (`PaymentBarcodeUrl` and Boleto's
/// `PaymentBarCodeUrl`): the reference is `PaymentCode` (OXXO's barcode number, SPEI's
/// reference or concept) or `PaymentReference` or Abitab's `TransactionIdFromPW`; the barcode
/// `PaymentBarcodeUrl` (Abitab's is a PDF coupon); the printable voucher `PaymentUrl` or
/// `PaymentCouponUrl`; a transfer's CLABE `Clabe` (STP) or `BankAccountLabel` (OpenPay), its
/// bank `BankName`, its holder `BankBeneficiaryName`; the expiry `PaymentExpirationDate`,
/// `Expiration` or `CouponValidity` in any of their four formats. A CLABE makes it a transfer.
/// `None` without `MetadataOut` (a redirect medium, a card).
/// `country`: the purchase's (BAMBOO_COUNTRY), for dates written without an offset.
pub fn voucher_of(res: &Value, country: &str) -> Option<Voucher> {
    let out = res.get("MetadataOut").or_else(|| res.get("MetaDataOut"))?.as_object()?;
    let get = |k: &str| {
        out.iter().find(|(key, _)| key.eq_ignore_ascii_case(k)).and_then(|(_, v)| text(v)).map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
    };
    let first = |keys: &[&str]| keys.iter().find_map(|k| get(k));
    let clabe = first(&["Clabe", "BankAccountLabel"]);
    let voucher = Voucher {
        kind: if clabe.is_some() { Method::BankTransfer } else { Method::Cash },
        provider: BAMBOO,
        amount: res["Amount"].as_u64().unwrap_or_default(),
        currency: res["Currency"].as_str().unwrap_or_default().to_owned(),
        expires_at: first(&["PaymentExpirationDate", "Expiration", "CouponValidity"])
            .and_then(|d| crate::vouchers::parse_bamboo_date(&d, utc_offset_s(country)))
            .map(crate::vouchers::iso),
        reference: first(&["PaymentCode", "PaymentReference", "TransactionIdFromPW"]),
        barcode_url: first(&["PaymentBarcodeUrl"]),
        clabe,
        bank: first(&["BankName"]),
        account_holder: first(&["BankBeneficiaryName"]),
        instructions_url: first(&["PaymentUrl", "PaymentCouponUrl"]),
    };
    let shown = voucher.reference.is_some() || voucher.barcode_url.is_some() || voucher.clabe.is_some() || voucher.instructions_url.is_some();
    shown.then_some(voucher)
}

/// A purchase answer → outcome. `CommerceAction` `ActionType` 2 with `VERIFICATION_CODE_NEED`
/// (the seed) or `VERIFICATION_CODE_NEEDED` (Bamboo's docs) → the verification-code action;
/// `ActionType` 1 (`REDIRECTION_NEEDED_EXTERNAL_SERVICE`, a redirect medium) → the redirect; a
/// pending purchase with `MetadataOut` → its voucher.
pub fn outcome(v: &Value) -> Outcome {
    outcome_in(v, "UY")
}

/// [`outcome`] of a purchase in `country` (BAMBOO_COUNTRY): the voucher's dates are its time's.
pub fn outcome_in(v: &Value, country: &str) -> Outcome {
    let res = &v["Response"];
    if res.is_null() {
        // No purchase was made (a spent token, a refused request): nothing was charged.
        return Outcome::declined(error_text(v), None);
    }
    let provider_ref = text(&res["PurchaseId"]);
    let tx = &res["Transaction"];
    let text_status = tx["Status"].as_str().or(res["Status"].as_str());
    match purchase_status(text_status, tx["TransactionStatusId"].as_i64()) {
        ResultStatus::Approved => Outcome::of(ResultStatus::Approved, provider_ref),
        ResultStatus::Pending => {
            let a = &res["CommerceAction"];
            let url = a["ActionURL"].as_str().map(str::to_owned);
            let reason = a["ActionReason"].as_str().unwrap_or_default();
            let action = match (a["ActionType"].as_i64(), url) {
                (Some(2), Some(url)) if matches!(reason, "VERIFICATION_CODE_NEED" | "VERIFICATION_CODE_NEEDED") => {
                    Some(Action { kind: ActionType::VerificationCode, url })
                }
                (Some(1), Some(url)) => Some(Action { kind: ActionType::Redirect, url }),
                _ => None,
            };
            let voucher = voucher_of(res, country).filter(|_| action.is_none());
            Outcome { action, voucher, ..Outcome::of(ResultStatus::Pending, provider_ref) }
        }
        ResultStatus::Declined | ResultStatus::Error | ResultStatus::Expired => {
            let message = if v["Errors"].as_array().is_some_and(|e| !e.is_empty()) {
                error_text(v)
            } else {
                tx["ErrorCode"].as_str().unwrap_or("Rechazado").to_owned()
            };
            Outcome::declined(message, provider_ref)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purchase_answers_map_to_the_protocol() {
        let ok = outcome(&json!({ "Response": { "PurchaseId": 7, "Transaction": { "TransactionStatusId": 1 } }, "Errors": [] }));
        assert_eq!((ok.status, ok.provider_ref.as_deref()), (ResultStatus::Approved, Some("7")));
        let cvv = outcome(&json!({ "Response": { "PurchaseId": 8, "Transaction": { "TransactionStatusId": 2 },
            "CommerceAction": { "ActionType": 2, "ActionReason": "VERIFICATION_CODE_NEEDED", "ActionURL": "https://x/Capture/Action" } } }));
        assert_eq!(cvv.action.unwrap().kind, ActionType::VerificationCode);
        let no = outcome(&json!({ "Response": { "PurchaseId": 9, "Transaction": { "TransactionStatusId": 4, "ErrorCode": "TR026" } },
            "Errors": [{ "ErrorCode": "TR026", "Message": "Fondos insuficientes" }] }));
        assert_eq!(no.message.as_deref(), Some("TR026: Fondos insuficientes"));
        let bad = outcome(&json!({ "Response": null, "Errors": [{ "ErrorCode": "TK006", "Message": "Token usado" }] }));
        assert_eq!((bad.status, bad.provider_ref), (ResultStatus::Declined, None));
    }

    /// docs/providers/statuses.md, "Bamboo": one row each.
    #[test]
    fn every_documented_purchase_status_has_its_outcome_and_unknown_ones_are_pending() {
        use ResultStatus::{Approved as A, Declined as D, Pending as P};
        for (id, want) in [(1, A), (2, P), (3, A), (4, D), (5, A), (6, D), (7, P), (0, P)] {
            assert_eq!(purchase_status(None, Some(id)), want, "{id}");
        }
        for (text, want) in [
            ("Approved", A), ("APPROVED", A), ("Paid", A), ("Pre-authorized", A), ("PREAUTHORIZED", A), ("Pending", P),
            ("PENDING", P), ("Pending for Redirection", P), ("Rejected", D), ("REJECTED", D), ("Cancelled", D), ("CANCELLED", D),
            ("Canceled", D), ("SomethingNew", P),
        ] {
            assert_eq!(purchase_status(Some(text), None), want, "{text}");
        }
        // The text decides where Bamboo's own example pairs id 3 with "Approved".
        assert_eq!(purchase_status(Some("Approved"), Some(3)), A);
        assert_eq!(purchase_status(None, None), P);
        // A v3 answer: text only.
        let v3 = outcome(&json!({ "Response": { "PurchaseId": 10, "Transaction": { "Status": "APPROVED" } } }));
        assert_eq!(v3.status, A);
    }

    /// /tmp/research/bamboo-apm.md §3.1, §3.3, §3.5, §3.6 and §3.2: each medium's answer.
    #[test]
    fn vouchers_come_from_metadata_out_and_redirect_media_redirect() {
        let pending = |mo: Value| outcome(&json!({ "Response": { "PurchaseId": 11, "Amount": 2000, "Currency": "UYU",
            "Transaction": { "TransactionStatusId": 2, "Status": "Pending" }, "MetadataOut": mo, "CommerceAction": null }, "Errors": [] }));
        let abitab = pending(json!({ "TransactionIdFromPW": "190511", "PaymentBarcodeUrl": "Https://gateway.stage.bamboopayment.com/purchase-coupons/PW_190511_20230817.pdf" }));
        let v = abitab.voucher.unwrap();
        assert_eq!((abitab.status, v.kind, v.reference.as_deref(), v.amount), (ResultStatus::Pending, Method::Cash, Some("190511"), 2000));
        assert!(v.barcode_url.unwrap().ends_with(".pdf") && v.expires_at.is_none());
        let oxxo = pending(json!({ "PaymentUrl": "https://s3/coupon.html", "PaymentCode": "810000011342193202310010005000",
            "PaymentBarcodeUrl": "https://gateway/OxxoBarcode/8100.jpeg", "PaymentReference": "1134219" }));
        let v = oxxo.voucher.unwrap();
        assert_eq!((v.reference.as_deref(), v.instructions_url.as_deref()), (Some("810000011342193202310010005000"), Some("https://s3/coupon.html")));
        let spei = pending(json!({ "PaymentUrl": "https://openpay/spei-pdf", "PaymentCode": "25966327953597018268", "BankName": "BBVA Bancomer",
            "BankAccount": "1411217", "BankAccountLabel": "000000000000000001", "BankReference": "tryyscihs1lifsi5ymw5" }));
        let v = spei.voucher.unwrap();
        assert_eq!((v.kind, v.clabe.as_deref(), v.bank.as_deref()), (Method::BankTransfer, Some("000000000000000001"), Some("BBVA Bancomer")));
        let stp = outcome_in(&json!({ "Response": { "PurchaseId": 12, "Transaction": { "Status": "PENDING" },
            "MetadataOut": { "Clabe": "646180366608261696", "Expiration": "25/12/2024 20:46:20", "Amount": "10.0",
                "BankBeneficiaryName": "Bamboo Payment Mexico SRL DE CV", "BankName": "STP" } } }), "MX");
        let v = stp.voucher.unwrap();
        assert_eq!((v.expires_at.as_deref(), v.account_holder.as_deref()), (Some("2024-12-26T02:46:20Z"), Some("Bamboo Payment Mexico SRL DE CV")));
        let bank = outcome(&json!({ "Response": { "PurchaseId": 13, "Transaction": { "TransactionStatusId": 2, "Status": "Pending",
            "Steps": [{ "Step": "Generic External", "Status": "Pending for Redirection" }] }, "MetadataOut": null,
            "CommerceAction": { "ActionType": 1, "ActionReason": "REDIRECTION_NEEDED_EXTERNAL_SERVICE",
                "ActionURL": "https://redirect.stage.bamboopayment.com/CA_0cf9", "ActionSessionId": "CA_0cf9" } } }));
        assert_eq!((bank.action.unwrap().kind, bank.voucher), (ActionType::Redirect, None));
        assert!(medium(5).is_some_and(|m| m.method == Method::Cash) && medium(532).is_some_and(|m| m.redirect) && medium(1).is_none());
        let who = json!({ "email": "a@b.uy", "phone": "099111222" });
        assert_eq!(missing(medium(5).unwrap(), &who), Some(Need::Document));
        assert_eq!(missing(medium(532).unwrap(), &who), None);
    }
}
