//! Lyra's REST API V4 (docs/providers/kr.md, seed 004): `Charge/CreatePayment` (the form token, or
//! a `SILENT` one-click payment with a stored `paymentMethodToken`), `Charge/UpdatePaymentAmount`;
//! `Authorization: Basic base64(shopId:password)`. `kr-hash` is hex HMAC-SHA-256 of
//! `kr-answer`, keyed by the HMAC key (browser, `hashKey: sha256_hmac`) or the REST password
//! (IPN, `hashKey: password`); the vector is in tests/fixtures/lyra-vectors.json.

use super::{exchange, refused, text, Charge, NewCard, Outcome, PayWith, ProviderApi, ProviderError, Removal};
use crate::config::LyraConfig;
use base64::Engine;
use hmac::{Hmac, Mac};
use pasarela_protocol::ResultStatus;
use pasarela_protocol::ProviderId;
use serde_json::{json, Value};
use sha2::Sha256;

const KR: ProviderId = ProviderId::Kr;

/// Lyra's API for one shop.
#[derive(Clone, Debug)]
pub struct Kr {
    pub config: LyraConfig,
    pub http: reqwest::Client,
}

/// Which key signed an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HashKey {
    /// The browser's answer (`sha256_hmac`).
    Hmac,
    /// The IPN (`password`).
    Password,
}

impl Kr {
    /// One REST call; `label` names it in the metrics (`form_token` and `charge` are both
    /// `Charge/CreatePayment`).
    async fn call(&self, label: &'static str, service: (&str, &str), body: &Value) -> Result<Value, ProviderError> {
        let auth = base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", self.config.shop_id, self.config.password.expose()));
        let r = self
            .http
            .post(super::endpoint(&self.config.api_url, &["api-payment", "V4", service.0, service.1])?)
            .header("Authorization", format!("Basic {auth}"))
            .json(body);
        let (_, v) = exchange(KR, label, r).await?;
        if v["answer"]["errorCode"].as_str() == Some("INT_905") {
            return Err(refused(KR, "INT_905 invalid authentication"));
        }
        Ok(v)
    }

    /// Whether `hash` is `raw`'s signature, compared in constant time.
    pub fn verify(&self, raw: &str, hash: &str, key: HashKey) -> bool {
        let secret = match key {
            HashKey::Hmac => &self.config.hmac_key,
            HashKey::Password => &self.config.password,
        };
        let Ok(given) = hex::decode(hash) else { return false };
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes()).expect("HMAC takes any key length");
        mac.update(raw.as_bytes());
        mac.verify_slice(&given).is_ok()
    }

    /// `Charge/CreatePayment` for the embedded form: the form token of a session.
    pub async fn form_token(&self, body: &Value) -> Result<Result<String, String>, ProviderError> {
        let v = self.call("form_token", ("Charge", "CreatePayment"), body).await?;
        Ok(match (v["status"].as_str(), v["answer"]["formToken"].as_str()) {
            (Some("SUCCESS"), Some(t)) => Ok(t.to_owned()),
            _ => Err(v["answer"]["errorCode"].as_str().unwrap_or("ERROR").to_owned()),
        })
    }

    /// `Token/Cancel { paymentMethodToken }` (docs.lyra.com, REST API V4: "It will no longer be
    /// possible to create new transactions with this token"): `SUCCESS` removed; `PSP_030`, the
    /// token not found, gone (*inferred*: the emulator's code, as for `SILENT`); another `ERROR`
    /// refused with its `errorMessage`.
    pub async fn cancel_token(&self, token: &str) -> Result<Removal, ProviderError> {
        let v = self.call("token_cancel", ("Token", "Cancel"), &json!({ "paymentMethodToken": token })).await?;
        Ok(match (v["status"].as_str(), v["answer"]["errorCode"].as_str()) {
            (Some("SUCCESS"), _) => Removal::Removed,
            (_, Some("PSP_030")) => Removal::Gone,
            _ => Removal::Refused(v["answer"]["errorMessage"].as_str().unwrap_or("ERROR").to_owned()),
        })
    }

    /// `Charge/UpdatePaymentAmount`: a new form token for a lower amount.
    pub async fn update_amount(&self, form_token: &str, amount: i64, bin: &str) -> Result<Result<String, String>, ProviderError> {
        let v = self.call("amount_update", ("Charge", "UpdatePaymentAmount"), &json!({ "formToken": form_token, "updatedAmount": amount, "cardBin": bin })).await?;
        Ok(match (v["status"].as_str(), v["answer"]["formToken"].as_str()) {
            (Some("SUCCESS"), Some(t)) => Ok(t.to_owned()),
            _ => Err(v["answer"]["errorCode"].as_str().unwrap_or("ERROR").to_owned()),
        })
    }
}

#[async_trait::async_trait]
impl ProviderApi for Kr {
    fn id(&self) -> ProviderId {
        KR
    }

    /// One-click: `CreatePayment` with `formAction: SILENT` and the stored `paymentMethodToken`.
    async fn charge(&self, c: &Charge<'_>) -> Result<Outcome, ProviderError> {
        let PayWith::Saved(card) = &c.pay_with else {
            return Ok(Outcome::declined("KR pays by its form: forward the kr_answer", None));
        };
        let s = c.session;
        let mut body = json!({
            "amount": c.amount, "currency": s.currency, "orderId": s.order_id, "formAction": "SILENT",
            "paymentMethodToken": card.secret.expose(),
            "customer": { "email": s.customer.get("email"), "reference": s.customer_ref },
            "metadata": { "pasarelaAttempt": c.attempt_ref },
        });
        if c.installments > 1 {
            // Lyra's own one-click example (lyra/rest-php-examples `www/createSilentPay.php`)
            // sends the count as `transactionOptions.cardOptions.installmentNumber`.
            body["transactionOptions"] = json!({ "cardOptions": { "installmentNumber": c.installments } });
        }
        let v = self.call("charge", ("Charge", "CreatePayment"), &body).await?;
        if v["status"].as_str() != Some("SUCCESS") {
            return Ok(Outcome::declined(v["answer"]["errorCode"].as_str().unwrap_or("ERROR"), None));
        }
        Ok(payment_outcome(&v["answer"]))
    }

    /// The one-click payment made for an attempt: `Order/Get` by `orderId`, matched on the
    /// transaction's `metadata` (*inferred*: the shape of `Order/Get`'s answer).
    async fn find(&self, order_id: &str, attempt_ref: &str) -> Result<Option<Outcome>, ProviderError> {
        let v = self.call("find", ("Order", "Get"), &json!({ "orderId": order_id })).await?;
        // An ERROR answer is not "no payment": reading it so would charge again. Only "no such
        // order" is (`PSP_010`, *inferred*: the code is the emulator's; another code waits).
        if v["answer"]["errorCode"].as_str() == Some("PSP_010") {
            return Ok(None);
        }
        if v["status"].as_str() != Some("SUCCESS") {
            return Err(ProviderError::Unavailable(format!("Order/Get: {}", v["answer"]["errorCode"].as_str().unwrap_or("ERROR"))));
        }
        let found = v["answer"]["transactions"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|t| t["metadata"]["pasarelaAttempt"].as_str() == Some(attempt_ref));
        Ok(found.map(|tx| payment_outcome(&json!({ "transactions": [tx] }))))
    }

    /// Lyra's payments move by the IPN (`webhooks::lyra`), not by reading them back.
    async fn refresh(&self, _transaction: &str) -> Result<Option<Outcome>, ProviderError> {
        Ok(None)
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// A transaction's `detailedStatus` → outcome (docs/providers/statuses.md, "Lyra", with the
/// source of each row): money taken or reserved is approved, a transaction still on its way or a
/// status this table does not know is pending, and only a status that ends the transaction with
/// no money taken is declined. `ERROR` counts as declined only beside `status: UNPAID`.
pub fn detailed_status(detailed: &str, status: Option<&str>) -> ResultStatus {
    use ResultStatus::{Approved, Declined, Pending};
    match detailed {
        "AUTHORISED" | "CAPTURED" | "PARTIALLY_AUTHORISED" | "ACCEPTED" | "AUTHORISED_TO_VALIDATE" => Approved,
        "WAITING_AUTHORISATION" | "WAITING_AUTHORISATION_TO_VALIDATE" | "UNDER_VERIFICATION" | "INITIAL" | "WAITING_FOR_PAYMENT"
        | "PRE_AUTHORISED" | "PENDING" | "SUSPENDED" | "CAPTURE_FAILED" => Pending,
        "REFUSED" | "CANCELLED" | "EXPIRED" | "ABANDONED" | "NOT_CREATED" => Declined,
        "ERROR" if status == Some("UNPAID") => Declined,
        _ => Pending,
    }
}

/// The coarse `status` / `orderStatus` → outcome, for answers without `detailedStatus`.
pub fn coarse_status(status: &str) -> ResultStatus {
    match status {
        "PAID" => ResultStatus::Approved,
        "UNPAID" | "ABANDONED" => ResultStatus::Declined,
        // RUNNING, PARTIALLY_PAID (some money taken) and anything new.
        _ => ResultStatus::Pending,
    }
}

/// A `V4/Payment` → outcome. The payment's own (DEBIT) transactions decide, refunds (CREDIT)
/// never do; one that took or reserved money wins over refused tries beside it; `orderStatus`
/// decides only when no transaction is listed. A registered card (`paymentMethodToken`) comes
/// back to be saved.
pub fn payment_outcome(answer: &Value) -> Outcome {
    let debits: Vec<&Value> = answer["transactions"].as_array().into_iter().flatten().filter(|t| t["operationType"] != "CREDIT").collect();
    let of = |t: &Value| match t["detailedStatus"].as_str() {
        Some(d) => detailed_status(d, t["status"].as_str()),
        None => t["status"].as_str().map(coarse_status).unwrap_or(ResultStatus::Pending),
    };
    let rank = |s: ResultStatus| match s {
        ResultStatus::Approved => 0,
        ResultStatus::Pending => 1,
        _ => 2,
    };
    let decided = debits.iter().copied().min_by_key(|t| rank(of(t)));
    let status = match (decided, answer["orderStatus"].as_str()) {
        (_, Some("PAID")) => ResultStatus::Approved,
        (Some(t), _) => of(t),
        (None, Some(o)) => coarse_status(o),
        (None, None) => ResultStatus::Pending,
    };
    let none = Value::Null;
    let tx = decided.unwrap_or(&none);
    let provider_ref = tx["uuid"].as_str().map(str::to_owned);
    let new_card = tx["paymentMethodToken"].as_str().map(|token| {
        let card = &tx["transactionDetails"]["cardDetails"];
        let pan = card["pan"].as_str().unwrap_or_default();
        NewCard {
            secret: crate::config::Secret::new(token),
            provider_customer: None,
            brand: card["effectiveBrand"].as_str().unwrap_or("CARD").to_owned(),
            last4: pan.get(pan.len().saturating_sub(4)..).unwrap_or_default().to_owned(),
            expiry: match (text(&card["expiryYear"]), text(&card["expiryMonth"])) {
                (Some(y), Some(m)) => Some(format!("{y}{m:0>2}")),
                _ => None,
            },
            holder: None,
        }
    });
    if status != ResultStatus::Declined {
        return Outcome { new_card, ..Outcome::of(status, provider_ref) };
    }
    let why: Vec<&str> = [tx["errorCode"].as_str(), tx["detailedStatus"].as_str()].into_iter().flatten().collect();
    Outcome::declined(if why.is_empty() { "UNPAID".to_owned() } else { why.join(": ") }, provider_ref)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vectors() -> Value {
        let v = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/lyra-vectors.json")).unwrap();
        serde_json::from_str(&v).unwrap()
    }

    fn kr(v: &Value) -> Kr {
        Kr {
            config: LyraConfig {
                api_url: String::new(),
                shop_id: v["shopId"].as_str().unwrap().into(),
                password: crate::config::Secret::new(v["password"].as_str().unwrap()),
                hmac_key: crate::config::Secret::new(v["hmacKey"].as_str().unwrap()),
                bin_discounts: Default::default(),
            },
            http: reqwest::Client::new(),
        }
    }

    #[test]
    fn lyras_own_signed_answer_verifies_with_the_hmac_key_only() {
        let v = vectors();
        let k = kr(&v);
        let a = &v["browserAnswer"];
        let (raw, hash) = (a["rawClientAnswer"].as_str().unwrap(), a["hash"].as_str().unwrap());
        assert!(k.verify(raw, hash, HashKey::Hmac));
        assert!(!k.verify(raw, hash, HashKey::Password));
        assert!(!k.verify(&raw.replacen("PAID", "PAYD", 1), hash, HashKey::Hmac));
        assert!(!k.verify(raw, "zz", HashKey::Hmac));
    }

    #[test]
    fn payments_map_to_the_protocol() {
        let paid = payment_outcome(&json!({ "orderStatus": "PAID", "transactions": [{ "uuid": "u1", "paymentMethodToken": "pmt",
            "transactionDetails": { "cardDetails": { "effectiveBrand": "VISA", "pan": "497010XXXXXX0055" } } }] }));
        assert_eq!(paid.status, ResultStatus::Approved);
        assert_eq!(paid.new_card.unwrap().last4, "0055");
        let no = payment_outcome(&json!({ "orderStatus": "UNPAID", "transactions": [{ "uuid": "u2", "errorCode": "ACQ_001", "detailedStatus": "REFUSED" }] }));
        assert_eq!(no.message.as_deref(), Some("ACQ_001: REFUSED"));
    }

    /// docs/providers/statuses.md, "Lyra": one row each.
    #[test]
    fn every_documented_detailed_status_has_its_outcome_and_unknown_ones_are_pending() {
        use ResultStatus::{Approved as A, Declined as D, Pending as P};
        let table = [
            ("AUTHORISED", A), ("CAPTURED", A), ("PARTIALLY_AUTHORISED", A), ("ACCEPTED", A), ("AUTHORISED_TO_VALIDATE", A),
            ("WAITING_AUTHORISATION", P), ("WAITING_AUTHORISATION_TO_VALIDATE", P), ("UNDER_VERIFICATION", P), ("INITIAL", P),
            ("WAITING_FOR_PAYMENT", P), ("PRE_AUTHORISED", P), ("PENDING", P), ("SUSPENDED", P), ("CAPTURE_FAILED", P),
            ("REFUSED", D), ("CANCELLED", D), ("EXPIRED", D), ("ABANDONED", D), ("NOT_CREATED", D), ("SOMETHING_NEW", P),
        ];
        for (detailed, want) in table {
            assert_eq!(detailed_status(detailed, Some("RUNNING")), want, "{detailed}");
        }
        assert_eq!(detailed_status("ERROR", Some("UNPAID")), D);
        assert_eq!(detailed_status("ERROR", Some("RUNNING")), P);
        for (status, want) in [("PAID", A), ("RUNNING", P), ("UNPAID", D), ("ABANDONED", D), ("PARTIALLY_PAID", P), ("NEW", P)] {
            assert_eq!(coarse_status(status), want, "{status}");
        }
    }

    #[test]
    fn money_reserved_is_never_declined() {
        // An authorisation waiting for capture: orderStatus RUNNING.
        let held = payment_outcome(&json!({ "orderStatus": "RUNNING", "transactions": [{ "uuid": "u3", "status": "RUNNING", "detailedStatus": "AUTHORISED_TO_VALIDATE" }] }));
        assert_eq!(held.status, ResultStatus::Approved);
        let waiting = payment_outcome(&json!({ "orderStatus": "RUNNING", "transactions": [{ "uuid": "u4", "status": "RUNNING", "detailedStatus": "WAITING_AUTHORISATION" }] }));
        assert_eq!(waiting.status, ResultStatus::Pending);
        // A refused try then a paid one on the same order; a refund beside a capture.
        let retried = payment_outcome(&json!({ "orderStatus": "UNPAID", "transactions": [
            { "uuid": "r", "status": "UNPAID", "detailedStatus": "REFUSED" }, { "uuid": "p", "status": "PAID", "detailedStatus": "CAPTURED" }] }));
        assert_eq!((retried.status, retried.provider_ref.as_deref()), (ResultStatus::Approved, Some("p")));
        let refunded = payment_outcome(&json!({ "orderStatus": "PAID", "transactions": [
            { "uuid": "c", "operationType": "CREDIT", "detailedStatus": "REFUSED" }, { "uuid": "d", "operationType": "DEBIT", "detailedStatus": "CAPTURED" }] }));
        assert_eq!((refunded.status, refunded.provider_ref.as_deref()), (ResultStatus::Approved, Some("d")));
        assert_eq!(payment_outcome(&json!({ "orderStatus": "SOMETHING_NEW" })).status, ResultStatus::Pending);
    }
}
