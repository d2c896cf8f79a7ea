//! Differential fuzz of `domain::json` against serde_json (with exact float parsing, as
//! `JSON.parse` has): for every input, both accept or both refuse, and what they accept is the
//! same value. A disagreement is a parser differential: the page, the merchant's JavaScript and
//! Pasarela must never read one text two ways (a duplicate `status` key once did just that).
//! 60,000 generated JSON texts and 60,000 mutations of them, plus a corpus of the known traps.
#![allow(clippy::disallowed_macros, clippy::disallowed_methods)] // tests may format; clippy.toml guards the wasm
#![cfg(not(target_arch = "wasm32"))]

use pasarela::domain::json::Json;
use proptest::prelude::*;
use serde_json::Value;

/// serde_json's default recursion limit is 128, Pasarela's 64: generated texts stay below both,
/// and the corpus checks Pasarela's own cap.
const DEPTH: u32 = 20;

/// Same value: objects as maps (serde_json keeps the last of repeated keys too), numbers as f64.
fn same(ours: &Json, theirs: &Value) -> bool {
    match (ours, theirs) {
        (Json::Null, Value::Null) => true,
        (Json::Bool(a), Value::Bool(b)) => a == b,
        (Json::Num(a), Value::Number(b)) => b.as_f64() == Some(*a),
        (Json::Str(a), Value::String(b)) => a == b,
        (Json::Arr(a), Value::Array(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y)),
        (Json::Obj(a), Value::Object(b)) => {
            a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| same(v, w)))
        }
        _ => false,
    }
}

fn check(text: &str) {
    let ours = Json::parse(text);
    let theirs = serde_json::from_str::<Value>(text);
    match (&ours, &theirs) {
        (Some(a), Ok(b)) => assert!(same(a, b), "different values for {text:?}: {a:?} vs {b:?}"),
        (None, Err(_)) => {}
        _ => panic!("different verdicts for {text:?}: ours {:?}, serde_json {:?}", ours.is_some(), theirs.is_ok()),
    }
}

fn number_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| format!("{f:e}")),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| f.to_string()),
        "-?(0|[1-9][0-9]{0,24})(\\.[0-9]{1,20})?([eE][+-]?[0-9]{1,4})?",
    ]
}

fn string_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>().prop_map(|s| serde_json::to_string(&s).unwrap()),
        // Escapes written by hand: surrogate pairs, lone surrogates, odd hex.
        "\"([a-z]|\\\\u[0-9a-fA-F+ -]{4}|\\\\[nrtbf/\"\\\\q])*\"",
    ]
}

fn text(depth: u32) -> BoxedStrategy<String> {
    let leaf = prop_oneof![
        Just("null".to_owned()),
        Just("true".to_owned()),
        Just("false".to_owned()),
        number_text(),
        string_text(),
    ];
    leaf.prop_recursive(depth, 200, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(|v| format!("[{}]", v.join(","))),
            // Keys from a small set, so repeated keys are common.
            prop::collection::vec(
                (prop_oneof![Just("\"a\""), Just("\"status\""), Just("\"st\\u0061tus\"")], inner.clone()),
                0..6
            )
            .prop_map(|kv| format!("{{{}}}", kv.iter().map(|(k, v)| format!("{k}:{v}")).collect::<Vec<_>>().join(","))),
            inner.prop_map(|t| format!(" \t\n{t}\r ")),
        ]
    })
    .boxed()
}

/// A JSON text with a few bytes changed, dropped or added.
fn mutated() -> impl Strategy<Value = String> {
    (text(DEPTH), prop::collection::vec((any::<prop::sample::Index>(), 0u8..3, any::<u8>()), 1..4)).prop_map(
        |(t, edits)| {
            let mut b = t.into_bytes();
            for (at, op, byte) in edits {
                let i = if b.is_empty() { 0 } else { at.index(b.len()) };
                match op {
                    0 if !b.is_empty() => {
                        b.remove(i);
                    }
                    1 => b.insert(i, byte),
                    _ if !b.is_empty() => {
                        const SPICE: &[u8] = b"[]{},:\"\\-+.eE0123456789 tfnu";
                        b[i] = SPICE[byte as usize % SPICE.len()];
                    }
                    _ => b.push(byte),
                }
            }
            String::from_utf8_lossy(&b).into_owned()
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(60_000))]

    #[test]
    fn generated_texts_read_the_same(t in text(DEPTH)) {
        check(&t);
    }

    #[test]
    fn mutated_texts_read_the_same(t in mutated()) {
        check(&t);
    }
}

#[test]
fn the_known_traps_read_the_same() {
    let long = format!("\"{}\"", "x".repeat(1 << 20));
    let corpus = [
        r#"{"status":"declined","status":"approved"}"#,
        r#"{"status":"declined","st\u0061tus":"approved"}"#,
        r#""\u+041""#,
        r#""\ud800""#,
        r#""\udc00""#,
        r#""\ud83d\ude00""#,
        r#""\ud83d\u0041""#,
        "\u{feff}{}",
        "\"a\u{0}b\"",
        "\"\\u0000\"",
        "1e400",
        "-1e400",
        "0e400",
        "1.7976931348623157e308",
        "1.7976931348623159e308",
        "5e-324",
        "2e-324",
        "-0",
        "-0.0",
        "109.00000000000001",
        "9007199254740993",
        "123456789012345678901234567890",
        "0.1e1",
        "01",
        "1.",
        ".5",
        "+1",
        "1e",
        "1e+",
        "[1,]",
        "{\"a\":1,}",
        "[\"\t\"]",
        &long,
    ];
    for t in corpus {
        check(t);
    }
}

#[test]
fn deep_nesting_is_refused_without_overflowing_the_stack() {
    for n in [64usize, 65, 1000, 100_000] {
        let arrays = "[".repeat(n) + &"]".repeat(n);
        let objects = "{\"a\":".repeat(n) + "1" + &"}".repeat(n);
        assert_eq!(Json::parse(&arrays).is_some(), n <= 64, "{n} arrays");
        assert_eq!(Json::parse(&objects).is_some(), n <= 64, "{n} objects");
    }
}
