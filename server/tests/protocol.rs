//! One protocol, two sides: what the browser package sends parses here, and what the service
//! answers parses with the browser package's own reader (`pasarela::domain::merchant`).

use pasarela::domain::i18n::Locale;
use pasarela::domain::json::Json;
use pasarela::domain::merchant::{parse_answer, payment_body, ActionType, ResultStatus, Source};
use pasarela::domain::token::TokenKind;
use pasarela_server::protocol::{Action, Answer, PayRequest, Source as ServerSource};

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
    assert!(matches!(req.source, ServerSource::Token { ref token, .. } if token == "OT__abc_"));
    assert_eq!(req.customer.email.as_deref(), Some("ana@example.com"));

    let body = payment_body(&options("conekta", false), &Source::Profile { profile_id: "card_1".into() }, 1, false);
    let req: PayRequest = serde_json::from_str(&body).unwrap();
    assert!(req.client_secret.is_none());
    assert!(!req.save_payment_method);
    assert!(matches!(req.source, ServerSource::Profile { ref profile_id } if profile_id == "card_1"));

    let kr = Source::KrAnswer {
        client_answer: r#"{"orderStatus":"PAID"}"#.into(),
        raw_client_answer: r#"{"orderStatus":"PAID"}"#.into(),
        hash: "ab".into(),
        hash_algorithm: "sha256_hmac".into(),
        hash_key: "sha256_hmac".into(),
    };
    let req: PayRequest = serde_json::from_str(&payment_body(&options("kr", false), &kr, 1, false)).unwrap();
    assert!(matches!(req.source, ServerSource::KrAnswer { ref hash_key, .. } if hash_key == "sha256_hmac"));
}

#[test]
fn the_services_answers_parse_in_the_browser() {
    let cases = [
        Answer { status: ResultStatus::Approved, payment_id: "pay_1".into(), message: None, action: None },
        Answer { status: ResultStatus::Declined, payment_id: "pay_2".into(), message: Some("TR026: Fondos insuficientes".into()), action: None },
        Answer {
            status: ResultStatus::Pending,
            payment_id: "pay_3".into(),
            message: None,
            action: Some(Action { kind: ActionType::VerificationCode, url: "https://api.example/v1/Capture/Action?session_id=CA_1".into() }),
        },
        // An action on a final status is never sent (the browser refuses it).
        Answer {
            status: ResultStatus::Approved,
            payment_id: "pay_4".into(),
            message: None,
            action: Some(Action { kind: ActionType::Redirect, url: "https://x".into() }),
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
