//! `sessionStorage`, through the generic JS helpers (web-sys' `Storage` binding would be more
//! glue): where an order's unfinished attempt keeps its `Idempotency-Key` across a reload. A page
//! without it (a privacy mode that throws on access, a full quota) works as before: each attempt's
//! key lives in memory only.

use super::js;
use wasm_bindgen::JsValue;

/// The page's `sessionStorage`, or `None` when it cannot be reached (`Reflect.get` of a getter
/// that throws reads as `undefined`).
fn storage() -> Option<JsValue> {
    let s = js::global("sessionStorage");
    s.is_object().then_some(s)
}

/// The value kept at `slot`, if any.
pub fn get(slot: &str) -> Option<String> {
    js::call(&storage()?, "getItem", &[&JsValue::from_str(slot)]).ok()?.as_string()
}

/// Keeps `value` at `slot` (`None`: removes it). Failures (a full quota, storage refused) are
/// ignored: the attempt goes on with its key in memory.
pub fn set(slot: &str, value: Option<&str>) {
    let Some(s) = storage() else { return };
    let slot = JsValue::from_str(slot);
    let _ = match value {
        Some(v) => js::call(&s, "setItem", &[&slot, &JsValue::from_str(v)]),
        None => js::call(&s, "removeItem", &[&slot]),
    };
}
