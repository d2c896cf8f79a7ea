//! Browser tests (wasm-bindgen-test in headless Chromium) for the code that touches the DOM and
//! provider callbacks: script loading, timers, randomness, and the Bamboo adapter driven through a
//! stand-in `PWCheckout` global.
#![allow(clippy::disallowed_macros, clippy::disallowed_methods)] // tests may format; clippy.toml guards the wasm
#![cfg(target_arch = "wasm32")]

use pasarela::boundary::WasmCheckout;
use pasarela::domain::payment_state::PaymentState;
use pasarela::web::{self, js, script, time};
use std::future::Future;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn eval(src: &str) -> JsValue {
    js_sys::Function::new_no_args(src).call0(&JsValue::NULL).unwrap()
}

fn blob_url(js_src: &str) -> String {
    let parts = js_sys::Array::of1(&JsValue::from_str(js_src));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type("text/javascript");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts).unwrap();
    web_sys::Url::create_object_url_with_blob(&blob).unwrap()
}

fn container(id: &str) -> web_sys::Element {
    let doc = web::document();
    let el = doc.create_element("div").unwrap();
    el.set_id(id);
    doc.body().unwrap().append_child(&el).unwrap();
    el
}

#[wasm_bindgen_test]
fn numbers_print_in_decimal_through_the_page() {
    // `text::u64_text` is JS's `Number#toString` in the wasm: exact up to MAX_SAFE_INTEGER.
    for (n, text) in
        [(0, "0"), (7, "7"), (1050, "1050"), (4_294_967_295, "4294967295"), (9_007_199_254_740_991, "9007199254740991")]
    {
        assert_eq!(pasarela::text::u64_text(n), text);
    }
    assert_eq!(pasarela::text::padded(5, 2), "05");
}

#[wasm_bindgen_test]
fn idempotency_keys_are_distinct_v4_uuids() {
    let a = web::uuid_v4().expect("crypto");
    let b = web::uuid_v4().expect("crypto");
    assert_ne!(a, b);
    assert_eq!(a.len(), 36);
    assert_eq!(&a[14..15], "4");
    assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"));
}

#[wasm_bindgen_test]
async fn with_timeout_gives_up_on_a_promise_that_never_settles() {
    let never = js_sys::Promise::new(&mut |_, _| {});
    assert!(time::with_timeout(never, 20).await.is_none());
    let soon = js_sys::Promise::resolve(&JsValue::from(7));
    assert_eq!(time::with_timeout(soon, 1000).await.unwrap().unwrap(), JsValue::from(7));
}

#[wasm_bindgen_test]
async fn a_missing_script_fails_and_leaves_no_tag() {
    let spec = script::ScriptSpec {
        url: "/definitely-missing-pasarela-test.js".into(),
        attributes: vec![],
        global: "NoSuchGlobal",
    };
    assert_eq!(script::load(&spec, 5000).await, Err(script::ScriptFailure::Failed));
    assert!(web::document()
        .query_selector("script[data-pasarela-src='/definitely-missing-pasarela-test.js']")
        .unwrap()
        .is_none());
}

#[wasm_bindgen_test]
async fn a_script_that_defines_no_global_is_refused() {
    let spec = script::ScriptSpec { url: blob_url("/* nothing */"), attributes: vec![], global: "PasarelaTestNothing" };
    assert_eq!(script::load(&spec, 5000).await, Err(script::ScriptFailure::NoGlobal));
}

#[wasm_bindgen_test]
async fn a_script_is_added_once_with_its_attributes() {
    let url = blob_url("window.PasarelaTestLib = { n: (window.PasarelaTestLib ? window.PasarelaTestLib.n : 0) + 1 };");
    let spec = script::ScriptSpec {
        url: url.clone(),
        attributes: vec![("kr-public-key", "123:testpublickey_x".into())],
        global: "PasarelaTestLib",
    };
    let (a, b) = futures_join(script::load(&spec, 5000), script::load(&spec, 5000)).await;
    assert_eq!((a, b), (Ok(()), Ok(())));
    let tags = web::document().query_selector_all("script[data-pasarela-src]").unwrap();
    let mine: Vec<_> = (0..tags.length())
        .filter_map(|i| tags.item(i)?.dyn_into::<web_sys::Element>().ok())
        .filter(|e| e.get_attribute("data-pasarela-src").as_deref() == Some(url.as_str()))
        .collect();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].get_attribute("kr-public-key").as_deref(), Some("123:testpublickey_x"));
    assert_eq!(js::get(&js::global("PasarelaTestLib"), "n"), JsValue::from(1));
}

async fn futures_join<A: std::future::Future, B: std::future::Future>(a: A, b: B) -> (A::Output, B::Output) {
    // Two loads started before either settles: both must see the one tag.
    let (ra, rb) = (std::cell::RefCell::new(None), std::cell::RefCell::new(None));
    let fa = async { *ra.borrow_mut() = Some(a.await) };
    let fb = async { *rb.borrow_mut() = Some(b.await) };
    let mut fa = std::pin::pin!(fa);
    let mut fb = std::pin::pin!(fb);
    std::future::poll_fn(|cx| {
        let da = ra.borrow().is_some() || fa.as_mut().poll(cx).is_ready();
        let db = rb.borrow().is_some() || fb.as_mut().poll(cx).is_ready();
        if da && db {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    let out = (ra.borrow_mut().take().unwrap(), rb.borrow_mut().take().unwrap());
    out
}

/// What the JS entry hands the wasm: the options as `JSON.parse` made them.
fn parsed(json: Option<String>) -> JsValue {
    json.map_or(JsValue::UNDEFINED, |t| js_sys::JSON::parse(&t).unwrap())
}

fn options(container_sel: &str) -> Option<String> {
    Some(format!(
        r#"{{ "provider": "bamboo", "container": "{container_sel}", "publicKey": "pk",
          "order": {{ "id": "W-1", "amount": 5000, "currency": "CLP" }},
          "merchant": {{ "paymentUrl": "/no-merchant-here", "retries": 0, "timeoutMs": 2000 }}, "locale": "en",
          "bamboo": {{ "countryCode": "CL" }} }}"#
    ))
}

fn recorder() -> (js_sys::Function, js_sys::Array) {
    let log = js_sys::Array::new();
    let l = log.clone();
    let f = Closure::<dyn FnMut(JsValue, JsValue)>::new(move |name: JsValue, payload: JsValue| {
        l.push(&js_sys::Array::of2(&name, &payload));
    });
    (f.into_js_value().unchecked_into(), log)
}

#[wasm_bindgen_test]
fn options_that_are_not_json_data_are_invalid_options() {
    let (emit, _) = recorder();
    let err = WasmCheckout::create(JsValue::UNDEFINED, JsValue::UNDEFINED, emit).err().expect("must throw");
    assert_eq!(js::get_string(&err, "code").as_deref(), Some("invalid_options"));
    assert_eq!(js::get_string(&err, "field").as_deref(), Some("options"));
}

#[wasm_bindgen_test]
fn invalid_options_throw_a_typed_error_and_render_nothing() {
    let host = container("bad-opts");
    let opts = options("#bad-opts").map(|o| o.replace("\"CLP\"", "\"usd\""));
    let (emit, log) = recorder();
    let err = WasmCheckout::create(parsed(opts), JsValue::UNDEFINED, emit).err().expect("must throw");
    assert_eq!(js::get_string(&err, "code").as_deref(), Some("invalid_options"));
    assert_eq!(js::get_string(&err, "field").as_deref(), Some("order.currency"));
    assert_eq!(host.child_element_count(), 0);
    assert_eq!(log.length(), 0);
}

/// A stand-in PWCheckout that records calls, so the adapter's use of the library is checked.
const FAKE_PWCHECKOUT: &str = r#"
  const calls = [];
  const handlers = {};
  window.PWCheckout = {
    calls, handlers,
    SetProperties(p) { calls.push(['SetProperties', p]); this.props = p; },
    Bind(e, f) { calls.push(['Bind', e]); handlers[e] = f; },
    Unbind(e) { calls.push(['Unbind', e]); delete handlers[e]; },
    LoadIframe() {
      calls.push(['LoadIframe', document.getElementById(this.props.iframeId).tagName]);
    },
    PWCapture(url) { calls.push(['PWCapture', url]); },
  };
"#;

#[wasm_bindgen_test]
async fn the_bamboo_adapter_drives_pwcheckout_and_keeps_the_token_out_of_the_page() {
    eval(FAKE_PWCHECKOUT);
    let host = container("bamboo-fake");
    let (emit, log) = recorder();
    let checkout = WasmCheckout::create(parsed(options("#bamboo-fake")), JsValue::UNDEFINED, emit).expect("valid options");
    time::sleep(50).await;
    let pw = js::global("PWCheckout");
    let props = js::get(&pw, "props");
    assert_eq!(js::get_string(&props, "autoSubmit").as_deref(), Some("false"));
    assert_eq!(js::get_string(&props, "amount").as_deref(), Some("5000"), "CLP has no minor units");
    assert_eq!(js::get_string(&props, "lang").as_deref(), Some("EN"), "ISO 639-1");
    assert_eq!(js::get_string(&props, "country_code").as_deref(), Some("CL"));
    let load =
        js_sys::Array::from(&js::get(&pw, "calls")).iter().find(|c| js_sys::Array::from(c).get(0) == "LoadIframe");
    assert_eq!(
        load.map(|c| js_sys::Array::from(&c).get(1)),
        Some(JsValue::from_str("IFRAME")),
        "iframeId names an <iframe>"
    );
    let bound: Vec<String> = js_sys::Array::from(&js::get(&pw, "calls"))
        .iter()
        .filter(|c| js_sys::Array::from(c).get(0) == "Bind")
        .map(|c| js_sys::Array::from(&c).get(1).as_string().unwrap())
        .collect();
    assert_eq!(bound, ["tokenCreated", "onTokenCreateError", "notificationReceived", "closed"]);
    assert_eq!(checkout.state(), PaymentState::Ready.as_str());

    // The library fills PWToken and calls back; Pasarela empties the input and emits no value.
    let on_token: js_sys::Function = js::get(&js::get(&pw, "handlers"), "tokenCreated").unchecked_into();
    let form = host.query_selector("form").unwrap().unwrap();
    let input: web_sys::HtmlInputElement =
        form.query_selector("input[name=PWToken]").unwrap().unwrap().unchecked_into();
    input.set_value("OT__secret-token_");
    on_token.call1(&JsValue::NULL, &eval("return { TokenId: 'OT__secret-token_', Brand: 'Visa', Last4: 42 }")).unwrap();
    assert_eq!(input.value(), "");
    time::sleep(3000).await; // the merchant URL does not exist: the attempt ends in an error result
    let names: Vec<String> = log.iter().map(|e| js_sys::Array::from(&e).get(0).as_string().unwrap()).collect();
    assert_eq!(names.first().map(String::as_str), Some("ready"));
    assert!(names.contains(&"token".to_owned()) && names.contains(&"result".to_owned()), "{names:?}");
    let token = log.iter().map(|e| js_sys::Array::from(&e)).find(|e| e.get(0) == "token").unwrap().get(1);
    assert_eq!(js::get_string(&token, "last4").as_deref(), Some("0042"), "numeric Last4, zero-padded");
    let dumped = js_sys::JSON::stringify(&log).unwrap().as_string().unwrap();
    assert!(!dumped.contains("secret-token"), "a token value leaked into an event: {dumped}");
    assert!(!host.outer_html().contains("secret-token"));

    checkout.destroy();
    assert_eq!(host.child_element_count(), 0);
    let unbound = js_sys::Array::from(&js::get(&pw, "calls"))
        .iter()
        .filter(|c| js_sys::Array::from(c).get(0) == "Unbind")
        .count();
    assert_eq!(unbound, 4, "every bound event is unbound");
    assert_eq!(checkout.state(), PaymentState::Destroyed.as_str());
}

/// In the wasm, JSON numbers are read by the page's own `parseFloat`: exactly as `JSON.parse`.
#[wasm_bindgen_test]
fn json_numbers_are_read_exactly_in_the_wasm() {
    use pasarela::domain::json::Json;
    assert_eq!(Json::parse("0.1").and_then(|j| j.as_f64()), Some(0.1));
    assert_eq!(Json::parse("5e-324").and_then(|j| j.as_f64()), Some(5e-324));
    assert!(Json::parse("109.00000000000001").and_then(|j| j.as_f64()).is_some_and(|n| n.fract() != 0.0));
    assert_eq!(Json::parse("1e400"), None);
}

/// `action.url` is resolved by the browser's URL parser: the page's origin, or https.
#[wasm_bindgen_test]
fn action_urls_resolve_to_the_page_or_https() {
    assert!(web::url_allowed("/bamboo/v1/Capture/Action?session_id=CA_1"));
    assert!(web::url_allowed("https://api.bamboopayment.com/v1/Capture/Action"));
    assert!(!web::url_allowed("http://evil.example/x"));
    assert!(!web::url_allowed("//evil.example/x"), "the test page is http: the protocol-relative URL resolves to http");
    assert!(!web::url_allowed("javascript:alert(1)"));
}

#[wasm_bindgen_test]
fn the_browsers_json_parse_reads_what_the_core_parser_reads() {
    use pasarela::domain::json::Json;
    let arrays = |n: usize| "[".repeat(n) + &"]".repeat(n);
    let objects = |n: usize| "{\"a\":".repeat(n) + "1" + &"}".repeat(n);
    let mixed = |n: usize| "[{\"a\":".repeat(n) + "1" + &"}]".repeat(n);
    let mut corpus: Vec<String> = [
        r#" {"a":[1,-2.5,3e2,true,false,null],"b":"x\"y\\z\n\u00e9\ud83d\ude00","c":{}} "#,
        r#"{"status":"declined","st\u0061tus":"approved","n":1}"#,
        r#"{"status":"pending","paymentId":"p_1","action":{"type":"verification_code","url":"/v"}}"#,
        r#""\u0041""#, "109.00000000000001", "5e-324", "1.7976931348623157e308", "0.1", "-0", "9007199254740991",
        "1050.0", "1e17", "1e400", "-1e400", "0e400000000000", "[]", "{}", "null", "true", "\"\"",
        "", "{", "[1,]", "{\"a\" 1}", "01", "1.", "-", "\"\u{1}\"", "nul", "{} x", "\"\\q\"", "[1e]",
        r#""\u+041""#, r#""\u-041""#, "[1,2", "{\"a\":1,}", "\"abc", " [ 1 , { \"k\" : [ ] } ] ",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    corpus.extend([arrays(64), arrays(65), objects(64), objects(65), mixed(31), mixed(32), mixed(40), arrays(5000)]);
    for text in &corpus {
        assert_eq!(web::json::parse(text), Json::parse(text), "{text:?}");
    }
}
