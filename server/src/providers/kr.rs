//! Lyra's REST API V4 (docs/providers/kr.md, seed 004): `Charge/CreatePayment` (the form token, or
//! a `SILENT` one-click payment with a stored `paymentMethodToken`), `Charge/UpdatePaymentAmount`;
//! `Authorization: Basic base64(shopId:password)`. `kr-hash` is hex HMAC-SHA-256 of
//! `kr-answer`, keyed by the HMAC key (browser, `hashKey: sha256_hmac`) or the REST password
//! (IPN, `hashKey: password`); the vector is in tests/fixtures/lyra-vectors.json.

use super::{json_of, text, Charge, NewCard, Outcome, PayWith, ProviderError};
use crate::config::LyraConfig;
use base64::Engine;
use hmac::{Hmac, Mac};
use pasarela::domain::merchant::ResultStatus;
use serde_json::{json, Value};
use sha2::Sha256;

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
    async fn call(&self, service: &str, body: &Value) -> Result<Value, ProviderError> {
        let auth = base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", self.config.shop_id, self.config.password.expose()));
        let r = self
            .http
            .post(format!("{}/api-payment/V4/{service}", self.config.api_url))
            .header("Authorization", format!("Basic {auth}"))
            .json(body)
            .send()
            .await?;
        let (_, v) = json_of(r).await?;
        if v["answer"]["errorCode"].as_str() == Some("INT_905") {
            return Err(ProviderError::Refused("INT_905 invalid authentication".into()));
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
        let v = self.call("Charge/CreatePayment", body).await?;
        Ok(match (v["status"].as_str(), v["answer"]["formToken"].as_str()) {
            (Some("SUCCESS"), Some(t)) => Ok(t.to_owned()),
            _ => Err(v["answer"]["errorCode"].as_str().unwrap_or("ERROR").to_owned()),
        })
    }

    /// `Charge/UpdatePaymentAmount`: a new form token for a lower amount.
    pub async fn update_amount(&self, form_token: &str, amount: i64, bin: &str) -> Result<Result<String, String>, ProviderError> {
        let v = self.call("Charge/UpdatePaymentAmount", &json!({ "formToken": form_token, "updatedAmount": amount, "cardBin": bin })).await?;
        Ok(match (v["status"].as_str(), v["answer"]["formToken"].as_str()) {
            (Some("SUCCESS"), Some(t)) => Ok(t.to_owned()),
            _ => Err(v["answer"]["errorCode"].as_str().unwrap_or("ERROR").to_owned()),
        })
    }

    /// One-click: `CreatePayment` with `formAction: SILENT` and the stored `paymentMethodToken`.
    pub async fn charge(&self, c: &Charge<'_>) -> Result<Outcome, ProviderError> {
        let PayWith::Saved(card) = &c.pay_with else {
            return Ok(Outcome::declined("KR pays by its form: forward the kr_answer", None));
        };
        let s = c.session;
        let body = json!({
            "amount": s.amount_due, "currency": s.currency, "orderId": s.order_id, "formAction": "SILENT",
            "paymentMethodToken": card.secret.expose(),
            "customer": { "email": s.customer.get("email"), "reference": s.customer_ref },
            "metadata": { "pasarelaAttempt": c.attempt_ref },
        });
        let v = self.call("Charge/CreatePayment", &body).await?;
        if v["status"].as_str() != Some("SUCCESS") {
            return Ok(Outcome::declined(v["answer"]["errorCode"].as_str().unwrap_or("ERROR"), None));
        }
        Ok(payment_outcome(&v["answer"]))
    }

    /// The one-click payment made for an attempt: `Order/Get` by `orderId`, matched on the
    /// transaction's `metadata` (*inferred*: the shape of `Order/Get`'s answer).
    pub async fn find(&self, order_id: &str, attempt_ref: &str) -> Result<Option<Outcome>, ProviderError> {
        let v = self.call("Order/Get", &json!({ "orderId": order_id })).await?;
        let found = v["answer"]["transactions"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|t| t["metadata"]["pasarelaAttempt"].as_str() == Some(attempt_ref));
        Ok(found.map(|tx| payment_outcome(&json!({ "orderStatus": if tx["status"] == "PAID" { "PAID" } else { "UNPAID" }, "transactions": [tx] }))))
    }
}

/// A `V4/Payment` → outcome; a registered card (`paymentMethodToken`) comes back to be saved.
pub fn payment_outcome(answer: &Value) -> Outcome {
    let tx = &answer["transactions"][0];
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
    if answer["orderStatus"].as_str() == Some("PAID") {
        return Outcome { status: ResultStatus::Approved, message: None, action: None, provider_ref, new_card };
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
}
