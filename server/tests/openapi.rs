//! docs/openapi.json is the document the service serves (`GET /openapi.json`, `--openapi`): a
//! change to a route or a type shows in the shipped file, or this test says how to refresh it.

#[test]
fn the_shipped_document_is_the_one_the_service_makes() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/openapi.json");
    let shipped = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        shipped == pasarela_server::openapi::json(),
        "docs/openapi.json is not the service's document: run `bash scripts/build-server.sh && target/server/pasarela-server --openapi > docs/openapi.json`"
    );
}

#[test]
fn every_operation_documents_its_refusals_in_the_one_error_shape() {
    let doc: serde_json::Value = serde_json::from_str(pasarela_server::openapi::json()).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let schemes = &doc["components"]["securitySchemes"];
    assert!(schemes["backendKey"]["scheme"] == "bearer" && schemes["clientSecret"]["scheme"] == "bearer", "{schemes}");
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            // A success with an answer, or a removal's 204 without one.
            assert!(responses.contains_key("200") || (method == "delete" && responses.contains_key("204")), "{method} {path}");
            for (status, r) in responses.iter().filter(|(s, _)| s.as_str() >= "400") {
                let name = r["$ref"].as_str().unwrap_or_else(|| panic!("{method} {path} {status}: a shared response"));
                let shared = &doc["components"]["responses"][name.rsplit('/').next().unwrap()];
                assert_eq!(shared["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/ErrorBody", "{name}");
            }
            let secured = path.starts_with("/v1/") || path == "/pay/{id}" || path.starts_with("/pay/payment-methods/") || path == "/metrics";
            assert_eq!(op.get("security").is_some(), secured, "{method} {path}");
        }
    }
    for retry in ["Conflict", "TooManyRequests", "Unavailable"] {
        assert!(doc["components"]["responses"][retry]["headers"]["Retry-After"].is_object(), "{retry}");
    }
}

/// The `Source` schema is written by hand (the protocol crate knows nothing of OpenAPI): each
/// variant documents exactly what `pasarela_protocol::Source` writes and requires.
#[test]
fn the_source_schema_is_the_protocols_source() {
    use pasarela_protocol::{Source, TokenKind};
    use serde_json::Value;
    let doc: Value = serde_json::from_str(pasarela_server::openapi::json()).unwrap();
    let variants = doc["components"]["schemas"]["Source"]["oneOf"].as_array().unwrap();
    let samples = [
        Source::Token { token: "tok_1".into(), kind: Some(TokenKind::OneTime) },
        Source::Profile { profile_id: "card_1".into() },
        Source::KrAnswer {
            client_answer: String::new(),
            raw_client_answer: "{}".into(),
            hash: "ab".into(),
            hash_algorithm: "sha256_hmac".into(),
            hash_key: "password".into(),
        },
        Source::Cash { payment_media_id: Some(5) },
        Source::BankTransfer { payment_media_id: Some(532) },
    ];
    assert_eq!(variants.len(), samples.len());
    for (schema, sample) in variants.iter().zip(samples) {
        let wire = serde_json::to_value(&sample).unwrap();
        let wire = wire.as_object().unwrap();
        let keys: Vec<&String> = wire.keys().collect();
        let documented: Vec<&String> = schema["properties"].as_object().unwrap().keys().collect();
        let (mut keys_sorted, mut documented_sorted) = (keys.clone(), documented.clone());
        keys_sorted.sort();
        documented_sorted.sort();
        assert_eq!(keys_sorted, documented_sorted, "{schema}");
        assert_eq!(schema["properties"]["type"]["enum"][0], wire["type"]);
        // Required here is required by serde, and the rest may be left out.
        for key in wire.keys() {
            let mut without = wire.clone();
            without.remove(key);
            let refused = serde_json::from_value::<Source>(Value::Object(without)).is_err();
            let required = schema["required"].as_array().unwrap().iter().any(|r| r == key.as_str());
            assert_eq!(refused, required, "{key} of {}", wire["type"]);
        }
    }
    let kinds = &variants[0]["properties"]["kind"]["enum"];
    let words: Vec<Value> = TokenKind::ALL.iter().map(|k| Value::from(k.as_str())).chain([Value::Null]).collect();
    assert_eq!(kinds, &Value::from(words));
}

#[test]
fn the_documented_bounds_are_the_protocols() {
    let doc: serde_json::Value = serde_json::from_str(pasarela_server::openapi::json()).unwrap();
    let installments = &doc["components"]["schemas"]["PayRequest"]["properties"]["installments"];
    assert_eq!(installments["maximum"], pasarela_protocol::MAX_INSTALLMENTS);
    assert_eq!(installments["minimum"], 1);
    let currencies = doc["components"]["schemas"]["Order"]["properties"]["currency"]["enum"].as_array().unwrap().len();
    assert_eq!(currencies, pasarela_protocol::CURRENCIES.len());
}
