//! The answers' JSON, field for field: the browser package and storefront backends read these
//! names (docs/api.md), so a typed answer must write what the `json!` it replaced wrote.

use pasarela_protocol::ProviderId;
use pasarela_server::health::Health;
use pasarela_server::installments::InstallmentPlan;
use pasarela_server::payments::{PaymentList, PaymentRecord};
use pasarela_server::protocol::{Profile, SaveMode};
use pasarela_server::providers::bamboo::Enrollment;
use pasarela_server::sessions::{FormToken, LinkedCustomer, SessionAnswer};
use pasarela_server::webhooks::Receipt;
use serde_json::{json, to_value};

fn form_token(t: &str) -> FormToken {
    FormToken { form_token: t.into() }
}

#[test]
fn a_session_answer_has_the_fields_the_page_reads() {
    let card = Profile {
        id: "card_1".into(),
        brand: "VISA".into(),
        last4: "4242".into(),
        expiry: Some("203012".into()),
        holder: None,
        issuer: Some("BROU".into()),
        installments: Some(vec![1, 3]),
        default: Some(true),
    };
    let bamboo = SessionAnswer {
        id: "cs_1".into(),
        client_secret: "cs_1_secret_x".into(),
        expires_at: 7,
        save_payment_method: SaveMode::Ask,
        methods: vec![pasarela_protocol::Method::Card, pasarela_protocol::Method::Cash],
        profiles: vec![card],
        installments: pasarela_server::installments::offers(
            120_000,
            "UYU",
            &[InstallmentPlan { count: 12, rate: Some(60.0), cft: None, brands: Some(vec!["oca".into()]) }],
        ),
        bamboo: Some(Enrollment { capture_url: "https://c".into(), unique_id: "U1".into() }),
        kr: None,
    };
    assert_eq!(
        to_value(&bamboo).unwrap(),
        json!({ "id": "cs_1", "clientSecret": "cs_1_secret_x", "expiresAt": 7, "savePaymentMethod": "ask", "methods": ["card", "cash"],
            "profiles": [{ "id": "card_1", "brand": "VISA", "last4": "4242", "expiry": "203012", "issuer": "BROU", "installments": [1, 3], "default": true }],
            "installments": [{ "count": 1, "amount": 120000, "total": 120000, "rate": 0.0, "tea": 0.0, "free": true },
                { "count": 12, "amount": 13539, "total": 162469, "rate": 60.0, "tea": 79.59, "free": false, "brands": ["oca"] }],
            "bamboo": { "captureUrl": "https://c", "uniqueId": "U1" } })
    );
    let kr = SessionAnswer { bamboo: None, kr: Some(form_token("ft")), profiles: vec![], installments: vec![], save_payment_method: SaveMode::Off, ..bamboo };
    assert_eq!(
        to_value(&kr).unwrap(),
        json!({ "id": "cs_1", "clientSecret": "cs_1_secret_x", "expiresAt": 7, "savePaymentMethod": "off", "methods": ["card", "cash"], "profiles": [], "installments": [], "kr": { "formToken": "ft" } })
    );
}

#[test]
fn the_other_answers_keep_their_names() {
    assert_eq!(to_value(form_token("ft")).unwrap(), json!({ "formToken": "ft" }));
    assert_eq!(to_value(LinkedCustomer { customer: "c1".into() }).unwrap(), json!({ "customer": "c1" }));
    assert_eq!(to_value(Health { ok: true }).unwrap(), json!({ "ok": true }));
    assert_eq!(to_value(Receipt::received()).unwrap(), json!({ "received": true }));
    let p = PaymentRecord {
        id: "pay_1".into(),
        provider: ProviderId::Conekta,
        order_id: "A-1".into(),
        amount: 5000,
        currency: "MXN".into(),
        status: "approved",
        message: None,
        provider_ref: Some("ord_1".into()),
        session_id: "cs_1".into(),
    };
    assert_eq!(
        to_value(PaymentList { data: vec![p] }).unwrap(),
        json!({ "data": [{ "id": "pay_1", "provider": "conekta", "orderId": "A-1", "amount": 5000, "currency": "MXN", "status": "approved",
            "message": null, "providerRef": "ord_1", "sessionId": "cs_1" }] })
    );
}
