//! One protocol, two sides: what the browser package sends parses here, and what the service
//! answers parses with the browser package's own reader (`pasarela::domain::merchant`). Both take
//! the words and `Source` from `pasarela-protocol`, but each writes and reads the JSON its own way
//! (the page by hand, the service with serde): this is where the two are held to each other.

use pasarela::domain::i18n::Locale;
use pasarela::domain::json::Json;
use pasarela::domain::merchant::{parse_answer, payment_body, ActionType, ResultStatus, Source};
use pasarela::domain::token::TokenKind;
use pasarela_server::protocol::{Action, Answer, PayRequest};

fn options(provider: &str, client_secret: bool) -> pasarela::domain::options::CheckoutOptions {
    let key = if provider == "kr" { "69876357:testpublickey_DEMO" } else { "pk" };
    let mut text = format!(
        r##"{{"provider":"{provider}","container":"#c","publicKey":"{key}","order":{{"id":"A-1","amount":1500,"currency":"MXN"}},
        "customer":{{"email":"ana@example.com","firstName":"Ana"}},"merchant":{{"paymentUrl":"/pay""##
    );
    if client_secret {
        text.push_str(r#","clientSecret":"cs_1_secret_abc""#);
    }
    text.push('}');
    if provider == "bamboo" {
        text.push_str(r#","bamboo":{"countryCode":"UY"}"#);
    }
    if provider == "kr" {
        text.push_str(r#","kr":{"formToken":"ft"}"#);
    }
    text.push('}');
    pasarela::domain::options::parse(&Json::parse(&text).expect("json"), false, &|_| true).expect("valid options")
}

#[test]
fn the_browsers_bodies_parse_here() {
    let opts = options("bamboo", true);
    let body = payment_body(&opts, &Source::Token { token: "OT__abc_".into(), kind: Some(TokenKind::OneTime) }, 3, true);
    let req: PayRequest = serde_json::from_str(&body).unwrap();
    assert!(req.save_payment_method, "the shopper's tick travels");
    assert_eq!(req.provider.as_str(), "bamboo");
    assert_eq!((req.order.id.as_str(), req.order.amount, req.order.currency.as_str()), ("A-1", 1500, "MXN"));
    assert_eq!(req.installments, 3);
    assert_eq!(req.client_secret.as_deref(), Some("cs_1_secret_abc"));
    assert_eq!(req.source, Source::Token { token: "OT__abc_".into(), kind: Some(TokenKind::OneTime) });
    assert_eq!(req.customer.email.as_deref(), Some("ana@example.com"));

    let body = payment_body(&options("conekta", false), &Source::Profile { profile_id: "card_1".into() }, 1, false);
    let req: PayRequest = serde_json::from_str(&body).unwrap();
    assert!(req.client_secret.is_none());
    assert!(!req.save_payment_method);
    assert_eq!(req.source, Source::Profile { profile_id: "card_1".into() });

    let kr = Source::KrAnswer {
        client_answer: r#"{"orderStatus":"PAID"}"#.into(),
        raw_client_answer: r#"{"orderStatus":"PAID"}"#.into(),
        hash: "ab".into(),
        hash_algorithm: "sha256_hmac".into(),
        hash_key: "sha256_hmac".into(),
    };
    let req: PayRequest = serde_json::from_str(&payment_body(&options("kr", false), &kr, 1, false)).unwrap();
    // All of it but the unsigned clientAnswer, which the service never reads.
    let Source::KrAnswer { raw_client_answer, hash, hash_algorithm, hash_key, .. } = kr else { unreachable!() };
    let signed = Source::KrAnswer { client_answer: String::new(), raw_client_answer, hash, hash_algorithm, hash_key };
    assert_eq!(req.source, signed);
}

#[test]
fn both_sides_take_the_same_orders() {
    use pasarela_server::protocol::Order;
    use pasarela_server::sessions::check_order;
    let page_takes = |currency: &str, installments: u32| {
        let text = format!(
            r##"{{"provider":"conekta","container":"#c","publicKey":"pk","order":{{"id":"A-1","amount":1500,"currency":"{currency}"}},
            "merchant":{{"paymentUrl":"/pay"}}}}"##
        );
        let opts = pasarela::domain::options::parse(&Json::parse(&text).unwrap(), false, &|_| true);
        opts.is_ok() && pasarela::domain::profile::installment_count(f64::from(installments)).is_some()
    };
    let service_takes = |currency: &str, installments: u32| {
        let order = Order { id: "A-1".into(), amount: 1500, currency: currency.into() };
        check_order(&order).is_ok() && pasarela_protocol::is_installment_count(installments)
    };
    let codes = pasarela_protocol::CURRENCIES.iter().map(|c| c.code());
    for currency in codes.chain(["XAU", "mxn", "MX", "MXNN", ""]) {
        for n in [0, 1, 12, pasarela_protocol::MAX_INSTALLMENTS, pasarela_protocol::MAX_INSTALLMENTS + 1, 99] {
            assert_eq!(page_takes(currency, n), service_takes(currency, n), "{currency} in {n}");
        }
    }
    let refused = check_order(&Order { id: "A-1".into(), amount: 1500, currency: "XAU".into() }).unwrap_err();
    assert_eq!((refused.status.as_u16(), refused.body.field.as_deref()), (422, Some("order.currency")));
}

#[test]
fn the_services_answers_parse_in_the_browser() {
    let cases = [
        Answer { status: ResultStatus::Approved, payment_id: "pay_1".into(), message: None, action: None, voucher: None },
        Answer { status: ResultStatus::Declined, payment_id: "pay_2".into(), message: Some("TR026: Fondos insuficientes".into()), action: None, voucher: None },
        Answer {
            status: ResultStatus::Pending,
            payment_id: "pay_3".into(),
            message: None,
            action: Some(Action { kind: ActionType::VerificationCode, url: "https://api.example/v1/Capture/Action?session_id=CA_1".into() }),
            voucher: None,
        },
        // An action on a final status is never sent (the browser refuses it).
        Answer {
            status: ResultStatus::Approved,
            payment_id: "pay_4".into(),
            message: None,
            action: Some(Action { kind: ActionType::Redirect, url: "https://x".into() }),
            voucher: None,
        },
    ];
    for a in cases {
        let text = serde_json::to_string(&a).unwrap();
        let read = parse_answer(&text, Locale::En).unwrap_or_else(|e| panic!("{text}: {}", e.message));
        assert_eq!(read.status, a.status, "{text}");
        assert_eq!(read.payment_id.as_deref(), Some(a.payment_id.as_str()));
        assert_eq!(read.message, a.message);
        assert_eq!(read.action.map(|x| x.kind), a.action.filter(|_| a.status == ResultStatus::Pending).map(|x| x.kind));
    }
}

/// The answers of docs/api.md §4, "Beyond the card form", as the service writes them: a voucher
/// while pending (its action is the voucher, no url), an expired one with nothing beside.
#[test]
fn vouchers_and_challenges_are_written_as_the_contract_shows() {
    use pasarela_protocol::{Method, ProviderId, Voucher};
    use serde_json::json;
    let voucher = Voucher {
        kind: Method::Cash,
        provider: ProviderId::Conekta,
        amount: 20000,
        currency: "MXN".into(),
        expires_at: Some("2026-12-10T23:59:00Z".into()),
        reference: Some("93000262276908".into()),
        barcode_url: Some("https://barcodes.conekta.com/x.png".into()),
        clabe: None,
        bank: None,
        account_holder: None,
        instructions_url: None,
    };
    let pending = Answer { status: ResultStatus::Pending, payment_id: "pay_5".into(), message: None, action: None, voucher: Some(voucher.clone()) };
    assert_eq!(
        serde_json::to_value(&pending).unwrap(),
        json!({ "status": "pending", "paymentId": "pay_5", "action": { "type": "voucher", "voucher": { "kind": "cash", "provider": "conekta",
            "amount": 20000, "currency": "MXN", "expiresAt": "2026-12-10T23:59:00Z", "reference": "93000262276908",
            "barcodeUrl": "https://barcodes.conekta.com/x.png" } } })
    );
    let expired = Answer { status: ResultStatus::Expired, voucher: Some(voucher), ..pending };
    assert_eq!(serde_json::to_value(&expired).unwrap(), json!({ "status": "expired", "paymentId": "pay_5" }));
    let challenge = Answer {
        status: ResultStatus::Pending,
        payment_id: "pay_6".into(),
        message: None,
        action: Some(Action { kind: ActionType::Challenge, url: "https://pay.conekta.com/3ds/ord_1".into() }),
        voucher: None,
    };
    assert_eq!(
        serde_json::to_value(&challenge).unwrap(),
        json!({ "status": "pending", "paymentId": "pay_6", "action": { "type": "challenge", "url": "https://pay.conekta.com/3ds/ord_1" } })
    );
}
