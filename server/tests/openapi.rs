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
            assert!(responses.contains_key("200"), "{method} {path}");
            for (status, r) in responses.iter().filter(|(s, _)| s.as_str() >= "400") {
                let name = r["$ref"].as_str().unwrap_or_else(|| panic!("{method} {path} {status}: a shared response"));
                let shared = &doc["components"]["responses"][name.rsplit('/').next().unwrap()];
                assert_eq!(shared["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/ErrorBody", "{name}");
            }
            let secured = path.starts_with("/v1/") || path == "/pay/{id}" || path == "/metrics";
            assert_eq!(op.get("security").is_some(), secured, "{method} {path}");
        }
    }
    for retry in ["Conflict", "TooManyRequests", "Unavailable"] {
        assert!(doc["components"]["responses"][retry]["headers"]["Retry-After"].is_object(), "{retry}");
    }
}
