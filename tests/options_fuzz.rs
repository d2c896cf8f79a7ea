//! Property tests of option parsing: whatever a page passes, `parse` answers with valid options
//! or a typed `invalid_options` / `secret_in_profile` error naming a field; it never panics.
#![allow(clippy::disallowed_macros, clippy::disallowed_methods)] // tests may format; clippy.toml guards the wasm
#![cfg(not(target_arch = "wasm32"))]

use pasarela::domain::error::ErrorCode;
use pasarela::domain::options::parse;
use proptest::prelude::*;
use serde_json::{json, Map, Value};

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
        prop_oneof![
            Just("bamboo"),
            Just("kr"),
            Just("USD"),
            Just("#c"),
            Just("/pay"),
            Just("OT__x_"),
            Just("javascript:1")
        ]
        .prop_map(Value::from),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        Just("provider".to_owned()),
                        Just("order".to_owned()),
                        Just("amount".to_owned()),
                        Just("profiles".to_owned()),
                        Just("Token".to_owned()),
                        Just("last4".to_owned()),
                        "[a-zA-Z]{1,8}"
                    ],
                    inner
                ),
                0..6
            )
            .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Valid options with one field replaced by an arbitrary value.
fn mutated() -> impl Strategy<Value = Value> {
    let paths = prop_oneof![
        Just(vec!["provider"]),
        Just(vec!["container"]),
        Just(vec!["publicKey"]),
        Just(vec!["order"]),
        Just(vec!["order", "amount"]),
        Just(vec!["order", "currency"]),
        Just(vec!["merchant", "paymentUrl"]),
        Just(vec!["merchant", "retries"]),
        Just(vec!["merchant", "headers"]),
        Just(vec!["profiles"]),
        Just(vec!["customer"]),
        Just(vec!["locale"]),
        Just(vec!["kr"]),
        Just(vec!["bamboo", "bankId"]),
    ];
    (paths, value()).prop_map(|(path, v)| {
        let mut o = json!({
            "provider": "bamboo", "container": "#c", "publicKey": "pk",
            "order": { "id": "A-1", "amount": 1000, "currency": "USD" },
            "merchant": { "paymentUrl": "/pay" }, "bamboo": { "countryCode": "UY" }
        });
        let mut at = &mut o;
        for p in &path[..path.len() - 1] {
            at = &mut at[*p];
        }
        at[path[path.len() - 1]] = v;
        o
    })
}

fn check(v: &Value) {
    // The page hands options over as JSON text; the core parses it with `domain::json`.
    let text = v.to_string();
    let json = pasarela::domain::json::Json::parse(&text).expect("serde_json's output is JSON");
    match parse(&json, false, &|_| true) {
        Ok(o) => {
            assert!(o.order.amount > 0);
            assert!(pasarela::domain::money::minor_units(&o.order.currency).is_some());
        }
        Err(e) => {
            assert!(matches!(e.code, ErrorCode::InvalidOptions | ErrorCode::SecretInProfile), "{e:?}");
            assert!(e.field.as_deref().is_some_and(|f| !f.is_empty()), "an error names its field: {e:?}");
            assert!(!e.message.contains("OT__x_"), "a token value must not reach a message");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 600, ..ProptestConfig::default() })]

    #[test]
    fn any_json_value_gets_options_or_a_typed_error(v in value()) {
        check(&v);
    }

    #[test]
    fn any_single_bad_field_is_named(v in mutated()) {
        check(&v);
    }
}
