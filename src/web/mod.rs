//! Thin, well-named wrappers over web-sys and js-sys (in the spirit of `gloo`): the rest of the
//! crate says `web::sleep(250).await` rather than juggling `setTimeout` closures.

pub mod dom;
pub mod js;
pub mod json;
pub mod script;
pub mod session;
pub mod time;

/// Runs `future` on the page's microtask queue (`wasm_bindgen_futures::spawn_local`).
///
/// Every future goes through one boxed instantiation of the executor: spawned directly, each
/// future type would get its own copy of the task machinery (about 1 KB of wasm apiece).
pub fn spawn(future: impl std::future::Future<Output = ()> + 'static) {
    spawn_boxed(Box::pin(future));
}

fn spawn_boxed(future: std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>) {
    wasm_bindgen_futures::spawn_local(future);
}

/// A new promise and the functions that settle it (`resolve`, `reject`): one closure for every
/// promise Pasarela makes rather than one per place.
pub fn deferred() -> (js_sys::Promise, js_sys::Function, js_sys::Function) {
    use wasm_bindgen::{JsCast, JsValue};
    // The executor runs before `Promise::new` returns, so both slots hold functions by then.
    let mut fns = (JsValue::UNDEFINED, JsValue::UNDEFINED);
    let promise = js_sys::Promise::new(&mut |resolve, reject| fns = (resolve.into(), reject.into()));
    (promise, fns.0.unchecked_into(), fns.1.unchecked_into())
}

/// The page's `window`. Pasarela only runs in a window context (the entry, pasarela.mjs, uses
/// `document` before the wasm runs): `unwrap_throw`, whose release build carries no message or
/// location of ours.
pub fn window() -> web_sys::Window {
    use wasm_bindgen::UnwrapThrowExt;
    web_sys::window().unwrap_throw()
}

/// The page's `document`.
pub fn document() -> web_sys::Document {
    use wasm_bindgen::UnwrapThrowExt;
    window().document().unwrap_throw()
}

/// The `<html>` element, for searching the page: `Element::query_selector*` is what the list
/// uses, and `Document`'s own would be two more imports (README, "Size and speed").
pub fn root() -> Option<web_sys::Element> {
    document().document_element()
}

/// A fresh RFC 4122 v4 UUID from `crypto.getRandomValues` (an `Idempotency-Key`), or `None`
/// when the page has no working CSPRNG: no fallback to `Math.random`, whose keys can repeat.
pub fn uuid_v4() -> Option<String> {
    let mut bytes = [0u8; 16];
    let filled = window().crypto().is_ok_and(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok());
    filled.then(|| crate::domain::uuid::v4_from_bytes(bytes))
}

/// Whether `url`, resolved by the browser's URL parser against the page, stays on the page's
/// origin or is `https:`: asked of every `action.url` a merchant sends before the shopper is sent
/// there or PWCapture loads it. (`domain::url` has refused the spellings that parser sends
/// elsewhere; this is the final word.)
pub fn url_allowed(url: &str) -> bool {
    use wasm_bindgen::JsCast;
    // `new URL(url, location.origin)` through the generic JS helpers: typed `web_sys::Url` and
    // `Location` getters cost a string-conversion shim each. Resolved against the origin rather
    // than the page's full URL: a relative path can only change the path, and the origin is what
    // is compared.
    let origin = js::get(&js::get(&window(), "location"), "origin");
    let Some(page) = origin.as_string() else { return false };
    let url_class: js_sys::Function = js::global("URL").unchecked_into();
    let Ok(resolved) = js_sys::Reflect::construct(&url_class, &js_sys::Array::of2(&url.into(), &origin)) else {
        return false;
    };
    js::get_string(&resolved, "origin").is_some_and(|o| o == page || o.starts_with("https:"))
}

/// A number in [0, 1) for retry jitter (not security-relevant).
pub fn jitter() -> f64 {
    js_sys::Math::random()
}
