//! Conekta's REST API (seed 003, docs/providers/conekta.md, the public OpenAPI spec
//! conekta/openapi): `POST /customers` (with `payment_sources`), `POST /customers/{id}/payment_sources`,
//! `POST /orders` (`charges[].payment_method`), `GET /orders/{id}`, `Authorization: Bearer {key}`,
//! `Accept: application/vnd.conekta-v2.1.0+json`.

use super::{endpoint, exchange, ids, refused, Charge, NewCard, Outcome, PayWith, ProviderApi, ProviderError};
use crate::config::ConektaConfig;
use pasarela_protocol::ResultStatus;
use pasarela_protocol::ProviderId;
use serde_json::{json, Value};

const CONEKTA: ProviderId = ProviderId::Conekta;

/// Conekta's API for one merchant account.
#[derive(Clone, Debug)]
pub struct Conekta {
    pub config: ConektaConfig,
    pub http: reqwest::Client,
}

fn error_text(v: &Value) -> String {
    v["details"][0]["message"].as_str().unwrap_or("Rechazado").to_owned()
}

impl Conekta {
    fn post(&self, path: &[&str]) -> Result<reqwest::RequestBuilder, ProviderError> {
        Ok(self.with_headers(self.http.post(endpoint(&self.config.api_url, path)?)))
    }

    fn get(&self, path: &[&str]) -> Result<reqwest::RequestBuilder, ProviderError> {
        Ok(self.with_headers(self.http.get(endpoint(&self.config.api_url, path)?)))
    }

    fn with_headers(&self, r: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        r.header("Authorization", format!("Bearer {}", self.config.private_key.expose()))
            .header("Accept", "application/vnd.conekta-v2.1.0+json")
            .header("Accept-Language", "es")
    }

    /// `POST /customers` without sources: the Conekta customer of a storefront customer.
    pub async fn create_customer(&self, customer: &Value) -> Result<String, ProviderError> {
        let body = json!({ "name": customer_name(customer), "email": customer.get("email").and_then(Value::as_str).unwrap_or("cliente@example.com") });
        let (status, v) = exchange(CONEKTA, "customer_create", self.post(&["customers"])?.json(&body)).await?;
        match v["id"].as_str() {
            Some(id) if status == 200 => Ok(id.to_owned()),
            _ => Err(refused(CONEKTA, error_text(&v))),
        }
    }

    /// Turns a `tok_` into a payment source of `customer` (`POST /customers/{id}/payment_sources`).
    /// A refused token is a decline (`Ok(Err(outcome))`). The token is spent: the caller keeps
    /// the source for the attempt's retries, and, should this answer be lost, finds the source
    /// among the customer's cards ([`Conekta::cards`]) rather than spend the token again.
    pub async fn add_source(&self, token: &str, customer: &str) -> Result<Result<NewCard, Outcome>, ProviderError> {
        check_id(ids::conekta_customer(customer), "customer")?;
        let body = json!({ "type": "card", "token_id": token });
        let (status, v) = exchange(CONEKTA, "source", self.post(&["customers", customer, "payment_sources"])?.json(&body)).await?;
        if status == 401 {
            return Err(refused(CONEKTA, "HTTP 401"));
        }
        if status != 200 {
            return Ok(Err(Outcome::declined(error_text(&v), None)));
        }
        Ok(card_of(&v, customer).ok_or_else(|| Outcome::declined("Sin medio de pago", None)))
    }

    /// A customer's cards, by `GET /customers/{id}` (`payment_sources.data`). Any answer but
    /// 200 is an error: a lost source is looked for here, and "no answer" must not read as "none".
    pub async fn cards(&self, customer: &str) -> Result<Vec<NewCard>, ProviderError> {
        check_id(ids::conekta_customer(customer), "customer")?;
        let (status, v) = exchange(CONEKTA, "customer", self.get(&["customers", customer])?).await?;
        if status != 200 {
            return Err(refused(CONEKTA, format!("customer lookup HTTP {status}")));
        }
        Ok(v["payment_sources"]["data"].as_array().into_iter().flatten().filter_map(|s| card_of(s, customer)).collect())
    }

    /// `POST /orders` charging a payment source: one made from the page's token (`save`: kept
    /// as the customer's card once paid) or a saved one.
    async fn charge_card(&self, c: &Charge<'_>, card: &NewCard, save: bool) -> Result<Outcome, ProviderError> {
        let s = c.session;
        let body = json!({
            "currency": s.currency,
            "customer_info": { "customer_id": card.provider_customer },
            "line_items": [{ "name": format!("Pedido {}", s.order_id), "unit_price": s.amount_due, "quantity": 1 }],
            "charges": [{ "payment_method": { "type": "card", "payment_source_id": card.secret.expose() } }],
            "metadata": { "order_id": s.order_id, "pasarela_attempt": c.attempt_ref },
        });
        let (status, v) = exchange(CONEKTA, "charge", self.post(&["orders"])?.json(&body)).await?;
        if status == 401 {
            return Err(refused(CONEKTA, "HTTP 401"));
        }
        let mut out = if status == 200 {
            order_outcome(&v)
        } else {
            // A declined card: 402 `processing_error`, the order in `data` (Conekta's error shape).
            Outcome::declined(error_text(&v), v["data"]["id"].as_str().map(str::to_owned))
        };
        if save && out.status != ResultStatus::Declined {
            out.new_card = Some(card.clone());
        }
        Ok(out)
    }

    /// `GET /orders/{id}`: the order's current status (webhooks are checked against it).
    pub async fn order(&self, id: &str) -> Result<(Outcome, Value), ProviderError> {
        check_id(ids::conekta_order(id), "order")?;
        let (status, v) = exchange(CONEKTA, "refresh", self.get(&["orders", id])?).await?;
        if status != 200 {
            return Err(refused(CONEKTA, format!("order lookup HTTP {status}")));
        }
        Ok((order_outcome(&v), v))
    }
}

/// Conekta charges a payment source: the page's token is made one first (`pay`, which keeps what
/// the attempt spent), so a token reaching [`ProviderApi::charge`] is refused uncharged.
#[async_trait::async_trait]
impl ProviderApi for Conekta {
    fn id(&self) -> ProviderId {
        CONEKTA
    }

    async fn charge(&self, c: &Charge<'_>) -> Result<Outcome, ProviderError> {
        match &c.pay_with {
            PayWith::Saved(saved) => self.charge_card(c, &NewCard::from(&**saved), false).await,
            PayWith::Source(card) => self.charge_card(c, card, c.keep_card && c.session.customer_ref.is_some()).await,
            PayWith::Token(_) => Err(ProviderError::Refused("a Conekta token is charged once made a payment source".into())),
        }
    }

    /// The order made for an attempt: `GET /orders?search=` over its `metadata` (*inferred*:
    /// conekta/openapi documents `search` on the order list, not which fields it matches).
    async fn find(&self, _order_id: &str, attempt_ref: &str) -> Result<Option<Outcome>, ProviderError> {
        let (_, v) = exchange(CONEKTA, "find", self.get(&["orders"])?.query(&[("search", attempt_ref)])).await?;
        let found = v["data"].as_array().into_iter().flatten().find(|o| o["metadata"]["pasarela_attempt"].as_str() == Some(attempt_ref));
        Ok(found.map(order_outcome))
    }

    async fn refresh(&self, order_id: &str) -> Result<Option<Outcome>, ProviderError> {
        self.order(order_id).await.map(|(o, _)| Some(o))
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// An id without its provider's shape is never sent (`ids`).
fn check_id(ok: bool, what: &str) -> Result<(), ProviderError> {
    if ok {
        Ok(())
    } else {
        Err(ProviderError::Refused(format!("not a Conekta {what} id")))
    }
}

/// A payment source of Conekta's as the card the service keeps.
fn card_of(src: &Value, customer: &str) -> Option<NewCard> {
    Some(NewCard {
        secret: crate::config::Secret::new(src["id"].as_str()?),
        provider_customer: Some(customer.to_owned()),
        brand: src["brand"].as_str().unwrap_or("card").to_owned(),
        last4: src["last4"].as_str()?.to_owned(),
        expiry: expiry(src),
        holder: src["name"].as_str().map(str::to_owned),
    })
}

fn customer_name(c: &Value) -> String {
    let first = c.get("firstName").and_then(Value::as_str).unwrap_or("Cliente");
    match c.get("lastName").and_then(Value::as_str) {
        Some(last) => format!("{first} {last}"),
        None => first.to_owned(),
    }
}

fn expiry(src: &Value) -> Option<String> {
    let m = src["exp_month"].as_str()?;
    let y = src["exp_year"].as_str()?;
    let y = if y.len() == 2 { format!("20{y}") } else { y.to_owned() };
    Some(format!("{y}{m:0>2}"))
}

/// An order's `payment_status` → outcome (docs/providers/statuses.md, "Conekta", with the
/// source of each row): paid, pre-authorised (reserved) and refunded or charged back (money was
/// taken) are approved; declined, expired, canceled and voided end with no money taken; the
/// rest, and any value this table does not know, are pending.
pub fn payment_status(s: Option<&str>) -> ResultStatus {
    match s {
        Some("paid" | "pre_authorized" | "refunded" | "partially_refunded" | "charged_back") => ResultStatus::Approved,
        Some("declined" | "expired" | "canceled" | "voided") => ResultStatus::Declined,
        // pending_payment, under_fraud_review, fraudulent, anything new, or none at all.
        _ => ResultStatus::Pending,
    }
}

/// An order → outcome.
pub fn order_outcome(o: &Value) -> Outcome {
    let provider_ref = o["id"].as_str().map(str::to_owned);
    let status = payment_status(o["payment_status"].as_str());
    let message = (status == ResultStatus::Declined)
        .then(|| o["charges"]["data"][0]["failure_message"].as_str().unwrap_or("Rechazado").to_owned());
    Outcome { status, message, action: None, provider_ref, new_card: None }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// docs/providers/statuses.md, "Conekta": one row each.
    #[test]
    fn every_documented_payment_status_has_its_outcome_and_unknown_ones_are_pending() {
        use ResultStatus::{Approved as A, Declined as D, Pending as P};
        for (s, want) in [
            ("paid", A), ("pre_authorized", A), ("refunded", A), ("partially_refunded", A), ("charged_back", A),
            ("pending_payment", P), ("under_fraud_review", P), ("fraudulent", P), ("something_new", P),
            ("declined", D), ("expired", D), ("canceled", D), ("voided", D),
        ] {
            assert_eq!(payment_status(Some(s)), want, "{s}");
        }
        assert_eq!(payment_status(None), P);
    }
}
