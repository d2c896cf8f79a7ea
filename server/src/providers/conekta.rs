//! Conekta's REST API (seed 003, docs/providers/conekta.md, the public OpenAPI spec
//! conekta/openapi): `POST /customers` (with `payment_sources`), `POST /customers/{id}/payment_sources`,
//! `POST /orders` (`charges[].payment_method`: a card source, `cash` or `spei`), `GET /orders/{id}`,
//! `Authorization: Bearer {key}`, `Accept: application/vnd.conekta-v2.2.0+json`: the version whose
//! orders answer 3-D Secure's `next_action` (/tmp/research/conekta-apm.md §0, "Which header to
//! send", and §3e; *inferred*: no source maps the header to the field).

use super::{endpoint, exchange, ids, refused, Charge, NewCard, Outcome, PayWith, ProviderApi, ProviderError, Removal};
use crate::config::ConektaConfig;
use crate::protocol::Action;
use pasarela_protocol::{ActionType, Method, ProviderId, ResultStatus, Voucher};
use serde_json::{json, Value};

const CONEKTA: ProviderId = ProviderId::Conekta;

/// Conekta's interest-free monthly installments ("meses sin intereses"): the counts a card
/// charge's `payment_method.monthly_installments` takes ("How many months without interest to
/// apply, it can be 3, 6, 9, 12 or 18": conekta-node `model/payment-method-general-request.ts`,
/// conekta-python `docs/ChargeRequestPaymentMethod.md`) and the least amount of each, MXN cents
/// (Conekta's help center, "What are Interest-Free Monthly Installments?": 3 months $300.00,
/// 6 $600.00, 9 $800.00, 12 $1,200.00; 18 months $1,800.00 is *inferred*, no public source gives
/// it). Mexican credit cards only (the same article; `/monthly_installments/validate` in
/// conekta/openapi answers `country: mx`, `scheme: credit`), so pesos only (*inferred*).
pub const MONTHLY_INSTALLMENTS: &[(u32, i64)] = &[(3, 30_000), (6, 60_000), (9, 80_000), (12, 120_000), (18, 180_000)];

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
            .header("Accept", "application/vnd.conekta-v2.2.0+json")
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
    /// as the customer's card once paid) or a saved one. With 3-D Secure as Conekta decides
    /// (`three_ds_mode: smart`, at the order's root, "either smart or strict"), coming back to
    /// the payment's return route (`return_url`: "the redirection callback upon completion of
    /// the 3DS2 flow"; /tmp/research/conekta-apm.md §3a, conekta-node `order-request.ts`).
    async fn charge_card(&self, c: &Charge<'_>, card: &NewCard, save: bool) -> Result<Outcome, ProviderError> {
        let s = c.session;
        let mut payment_method = json!({ "type": "card", "payment_source_id": card.secret.expose() });
        if c.installments > 1 {
            // Months without interest, in the charge's payment method (`MONTHLY_INSTALLMENTS`).
            payment_method["monthly_installments"] = c.installments.into();
        }
        let body = json!({
            "currency": s.currency,
            "customer_info": { "customer_id": card.provider_customer },
            "line_items": [{ "name": format!("Pedido {}", s.order_id), "unit_price": c.amount, "quantity": 1 }],
            "charges": [{ "payment_method": payment_method }],
            "metadata": { "order_id": s.order_id, "pasarela_attempt": c.attempt_ref },
            "three_ds_mode": "smart",
            "return_url": c.return_url,
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

    /// `POST /orders` for cash (OXXO and Conekta's other cash networks: `type: cash`) or a SPEI
    /// transfer (`type: spei`), `expires_at` in unix seconds inside `payment_method`, as Conekta's
    /// own WooCommerce plugin sends them (/tmp/research/conekta-apm.md §1a, §2a). Such an order
    /// needs `customer_info` `name`, `email` and `phone` (`CustomerInfo.md`, `customer_info.yml`):
    /// the session's customer, with a placeholder phone when it has none (*inferred*: Conekta
    /// documents the field as required, not its format). The answer is pending with the voucher.
    async fn charge_offline(&self, c: &Charge<'_>, method: Method) -> Result<Outcome, ProviderError> {
        let s = c.session;
        let who = &s.customer;
        let text = |k: &str| who.get(k).and_then(serde_json::Value::as_str).filter(|v| !v.is_empty());
        let kind = match method {
            Method::Cash => "cash",
            _ => "spei",
        };
        let body = json!({
            "currency": s.currency,
            "customer_info": {
                "name": customer_name(who),
                "email": text("email").unwrap_or("cliente@example.com"),
                "phone": text("phone").unwrap_or(PLACEHOLDER_PHONE),
            },
            "line_items": [{ "name": format!("Pedido {}", s.order_id), "unit_price": s.amount_due, "quantity": 1 }],
            "charges": [{ "payment_method": { "type": kind, "expires_at": c.voucher_expires_at } }],
            "metadata": { "order_id": s.order_id, "pasarela_attempt": c.attempt_ref },
        });
        let (status, v) = exchange(CONEKTA, "charge", self.post(&["orders"])?.json(&body)).await?;
        match status {
            200 => Ok(order_outcome(&v)),
            401 => Err(refused(CONEKTA, "HTTP 401")),
            // A refused order (a currency or amount the network does not take): nothing issued.
            _ => Ok(Outcome::declined(error_text(&v), v["data"]["id"].as_str().map(str::to_owned))),
        }
    }

    /// `DELETE /customers/{id}/payment_sources/{payment_method_id}` (conekta-python
    /// `docs/PaymentMethodsApi.md`, `delete_customer_payment_methods`): `200` removed, `404` not
    /// found (gone), `422` and other refusals in Conekta's error shape (`details[0].message`).
    pub async fn remove_source(&self, customer: &str, source: &str) -> Result<Removal, ProviderError> {
        check_id(ids::conekta_customer(customer), "customer")?;
        check_id(ids::conekta_source(source), "payment source")?;
        let url = endpoint(&self.config.api_url, &["customers", customer, "payment_sources", source])?;
        let (status, v) = exchange(CONEKTA, "source_delete", self.with_headers(self.http.delete(url))).await?;
        Ok(match status {
            200 => Removal::Removed,
            404 => Removal::Gone,
            401 | 403 => return Err(refused(CONEKTA, format!("HTTP {status}"))),
            _ => Removal::Refused(error_text(&v)),
        })
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
            PayWith::Offline { method, .. } => self.charge_offline(c, *method).await,
        }
    }

    /// The order made for an attempt: `GET /orders?search=` over its `metadata` (*inferred*:
    /// conekta/openapi documents `search` on the order list, not which fields it matches).
    async fn find(&self, _order_id: &str, attempt_ref: &str) -> Result<Option<Outcome>, ProviderError> {
        let (status, v) = exchange(CONEKTA, "find", self.get(&["orders"])?.query(&[("search", attempt_ref)])).await?;
        // An error answer is not "no order": reading it so would charge again.
        if status != 200 || !v["data"].is_array() {
            return Err(ProviderError::Unavailable(format!("order search HTTP {status}")));
        }
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

/// The phone of a cash or SPEI order's `customer_info` when the session's customer has none
/// (*inferred*: ten digits, a Mexican number's length; Conekta requires the field).
pub const PLACEHOLDER_PHONE: &str = "5500000000";

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

/// An order → outcome. A cash or SPEI order carries its voucher (its first charge's
/// `payment_method`), and `expired` for it is the voucher's lapse (`order.expired`, "la fecha de
/// pago de una orden expira"); a card order waiting for 3-D Secure carries the challenge
/// (`next_action.redirect_to_url.url`, /tmp/research/conekta-apm.md §3b).
pub fn order_outcome(o: &Value) -> Outcome {
    let provider_ref = o["id"].as_str().map(str::to_owned);
    let mut status = payment_status(o["payment_status"].as_str());
    let voucher = voucher_of(o);
    if voucher.is_some() && o["payment_status"] == "expired" {
        status = ResultStatus::Expired;
    }
    let message = (status == ResultStatus::Declined)
        .then(|| o["charges"]["data"][0]["failure_message"].as_str().unwrap_or("Rechazado").to_owned());
    let action = match (status, o["next_action"]["redirect_to_url"]["url"].as_str()) {
        (ResultStatus::Pending, Some(url)) if url.starts_with("https://") || url.starts_with("http://") => {
            Some(Action { kind: ActionType::Challenge, url: url.to_owned() })
        }
        _ => None,
    };
    Outcome { message, action, voucher, ..Outcome::of(status, provider_ref) }
}

/// The voucher of a cash or SPEI order, from its first charge's `payment_method`
/// (/tmp/research/conekta-apm.md §1b, §2b): `object` `cash_payment` → `reference`,
/// `barcode_url`; `bank_transfer_payment` → `clabe`, `bank` (or `receiving_account_bank`);
/// `expires_at` in unix seconds for both. `None` for any other order.
pub fn voucher_of(o: &Value) -> Option<Voucher> {
    let pm = &o["charges"]["data"][0]["payment_method"];
    let kind = match (pm["object"].as_str(), pm["type"].as_str()) {
        (Some("cash_payment"), _) | (None, Some("cash" | "oxxo")) => Method::Cash,
        (Some("bank_transfer_payment"), _) | (None, Some("spei")) => Method::BankTransfer,
        _ => return None,
    };
    let text = |k: &str| pm[k].as_str().filter(|v| !v.is_empty()).map(str::to_owned);
    let cash = kind == Method::Cash;
    Some(Voucher {
        kind,
        provider: CONEKTA,
        amount: o["amount"].as_u64().unwrap_or_default(),
        currency: o["currency"].as_str().unwrap_or_default().to_owned(),
        expires_at: pm["expires_at"].as_i64().map(crate::vouchers::iso),
        reference: text("reference").filter(|_| cash),
        barcode_url: text("barcode_url").filter(|_| cash),
        clabe: text("clabe").or_else(|| text("receiving_account_number")).filter(|_| !cash),
        bank: text("bank").or_else(|| text("receiving_account_bank")).filter(|_| !cash),
        account_holder: text("receiving_account_holder_name").filter(|_| !cash),
        instructions_url: None,
    })
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

    /// /tmp/research/conekta-apm.md §1b, §2b and §3b: the answers' fields, as documented.
    #[test]
    fn vouchers_and_challenges_are_read_from_the_order() {
        let cash = order_outcome(&json!({ "id": "ord_1", "amount": 20000, "currency": "MXN", "payment_status": "pending_payment",
            "charges": { "data": [{ "status": "pending_payment", "payment_method": { "object": "cash_payment", "type": "cash",
                "reference": "93000262276908", "barcode_url": "https://barcodes.conekta.com/x.png", "expires_at": 1_743_724_800,
                "service_name": "Cash", "store": null } }] } }));
        let v = cash.voucher.unwrap();
        assert_eq!((cash.status, v.kind, v.amount, v.reference.as_deref()), (ResultStatus::Pending, Method::Cash, 20000, Some("93000262276908")));
        assert_eq!((v.expires_at.as_deref(), v.clabe), (Some("2025-04-04T00:00:00Z"), None));
        let spei = order_outcome(&json!({ "id": "ord_2", "amount": 100, "currency": "MXN", "payment_status": "pending_payment",
            "charges": { "data": [{ "payment_method": { "object": "bank_transfer_payment", "type": "spei", "clabe": "646180111805034237",
                "bank": "STP", "receiving_account_number": "646180111805034237", "receiving_account_bank": "STP", "expires_at": 1_683_053_729 } }] } }));
        let v = spei.voucher.unwrap();
        assert_eq!((v.kind, v.clabe.as_deref(), v.bank.as_deref(), v.reference), (Method::BankTransfer, Some("646180111805034237"), Some("STP"), None));
        let lapsed = order_outcome(&json!({ "id": "ord_3", "payment_status": "expired",
            "charges": { "data": [{ "status": "expired", "payment_method": { "object": "cash_payment", "reference": "1" } }] } }));
        assert_eq!((lapsed.status, lapsed.message), (ResultStatus::Expired, None));
        let card_lapsed = order_outcome(&json!({ "id": "ord_4", "payment_status": "expired",
            "charges": { "data": [{ "payment_method": { "object": "card_payment" } }] } }));
        assert_eq!(card_lapsed.status, ResultStatus::Declined, "a card order's expiry is a decline");
        let challenge = order_outcome(&json!({ "id": "ord_5", "payment_status": "pending_payment",
            "next_action": { "type": "redirect_to_url", "redirect_to_url": { "url": "https://pay.conekta.com/x", "return_url": "https://s/r" } } }));
        let a = challenge.action.unwrap();
        assert_eq!((a.kind, a.url.as_str()), (ActionType::Challenge, "https://pay.conekta.com/x"));
        let paid = order_outcome(&json!({ "id": "ord_6", "payment_status": "paid", "next_action": { "redirect_to_url": { "url": "https://x" } } }));
        assert!(paid.action.is_none(), "no action on a final status");
    }
}
