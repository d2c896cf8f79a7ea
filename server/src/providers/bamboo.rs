//! Bamboo Payment's server API (FLOWS.md, docs/providers/bamboo.md): `POST /v1/api/purchase`
//! with `Authorization: Basic {privateKey}` as is; `GET /v1/api/purchase/{id}`; customers with
//! their `PaymentProfiles` (`GET /v1/api/customer/{id}`, a new `UniqueID` at every read).

use super::{endpoint, exchange, ids, refused, text, Charge, NewCard, Outcome, PayWith, ProviderApi, ProviderError};
use crate::config::BambooConfig;
use crate::protocol::Action;
use pasarela_protocol::{ActionType, ResultStatus};
use pasarela_protocol::ProviderId;
use serde_json::{json, Value};

const BAMBOO: ProviderId = ProviderId::Bamboo;

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

    /// `GET /v1/api/purchase/{id}`.
    pub async fn get(&self, purchase_id: &str) -> Result<Outcome, ProviderError> {
        if !ids::bamboo_number(purchase_id) {
            return Err(ProviderError::Refused("not a Bamboo PurchaseId".into()));
        }
        let r = self.http.get(endpoint(&self.config.api_url, &["v1", "api", "purchase", purchase_id])?).header("Authorization", self.auth());
        let (_, v) = exchange(BAMBOO, "refresh", r).await?;
        Ok(outcome(&v))
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
        };
        let mut body = json!({
            "TrxToken": token, "Order": s.order_id, "Amount": s.amount_due, "Currency": s.currency, "Capture": true,
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
        Ok(outcome(&v))
    }

    /// The purchase made for an attempt, if Bamboo made one: the order's purchases
    /// (`GET /v1/api/purchase?OrderNumber=`, BambooPaymentDoc `Purchases/Purchase-Operations.md`,
    /// "Get Purchases"), the one with the attempt's `UniqueID`.
    async fn find(&self, order_id: &str, attempt_ref: &str) -> Result<Option<Outcome>, ProviderError> {
        let r = self.http.get(endpoint(&self.config.api_url, &["v1", "api", "purchase"])?).query(&[("OrderNumber", order_id)]).header("Authorization", self.auth());
        let (_, v) = exchange(BAMBOO, "find", r).await?;
        let unique_id = Self::unique_id(attempt_ref);
        // One purchase is answered as an object, several as an array (Purchase-Operations.md).
        let list: &[Value] = match &v["Response"] {
            Value::Array(all) => all,
            one @ Value::Object(_) => std::slice::from_ref(one),
            _ => &[],
        };
        let found = list.iter().find(|p| p["UniqueID"].as_str() == Some(unique_id.as_str()));
        Ok(found.map(|p| outcome(&json!({ "Response": p, "Errors": [] }))))
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

/// A purchase answer → outcome. `CommerceAction` `ActionType` 2 with `VERIFICATION_CODE_NEED`
/// (the seed) or `VERIFICATION_CODE_NEEDED` (Bamboo's docs) → the verification-code action.
pub fn outcome(v: &Value) -> Outcome {
    let res = &v["Response"];
    if res.is_null() {
        // No purchase was made (a spent token, a refused request): nothing was charged.
        return Outcome::declined(error_text(v), None);
    }
    let provider_ref = text(&res["PurchaseId"]);
    let tx = &res["Transaction"];
    let text_status = tx["Status"].as_str().or(res["Status"].as_str());
    match purchase_status(text_status, tx["TransactionStatusId"].as_i64()) {
        ResultStatus::Approved => Outcome { status: ResultStatus::Approved, message: None, action: None, provider_ref, new_card: None },
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
            Outcome { status: ResultStatus::Pending, message: None, action, provider_ref, new_card: None }
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
}
