//! JSON read by the browser's own `JSON.parse` into the core's [`Json`] tree (merchant answers
//! as text; options and profiles as the JS entry's plain-data copy, already parsed there, so
//! they cross into the wasm once). The wasm then carries no JSON parser of its own (`domain::json`'s parser stays for native code and tests;
//! README, "Size and speed"); `tests/web.rs` holds the two to the same answers: the same values,
//! the same refusals (non-finite numbers, nesting deeper than the core's limit).

use crate::domain::json::{Json, MAX_DEPTH};
use wasm_bindgen::{JsCast, JsValue};

/// Parses strict JSON text; `None` for anything else.
pub fn parse(text: &str) -> Option<Json> {
    read(&js_sys::JSON::parse(text).ok()?)
}

/// A value `JSON.parse` made (plain data) as a [`Json`] tree; `None` for anything else
/// (`undefined`, nesting deeper than the core's limit, a non-finite number).
pub fn read(value: &JsValue) -> Option<Json> {
    tree(value, 0)
}

/// `value` as a [`Json`] tree, `depth` containers down.
fn tree(value: &JsValue, depth: usize) -> Option<Json> {
    if let Some(s) = value.as_string() {
        return Some(Json::Str(s));
    }
    if let Some(n) = value.as_f64() {
        // `JSON.parse("1e400")` is Infinity: the core refuses such numbers.
        return n.is_finite().then_some(Json::Num(n));
    }
    if let Some(b) = value.as_bool() {
        return Some(Json::Bool(b));
    }
    if value.is_null() {
        return Some(Json::Null);
    }
    // `undefined` (no copy could be made) is no JSON value.
    if depth >= MAX_DEPTH || !value.is_object() {
        return None;
    }
    // One loop for arrays and objects (`Object.entries` gives `[key, value]` pairs): two
    // `collect`s into `Option<Vec<_>>` weighed a kilobyte of wasm.
    let array = js_sys::Array::is_array(value);
    let items: js_sys::Array =
        if array { value.clone().unchecked_into() } else { js_sys::Object::entries(value.unchecked_ref()) };
    let (mut values, mut fields) = (Vec::new(), Vec::new());
    for item in items.iter() {
        if array {
            values.push(tree(&item, depth + 1)?);
        } else {
            // `JSON.parse` keeps the last of repeated keys, as the core does.
            let pair: &js_sys::Array = item.unchecked_ref();
            fields.push((pair.get(0).as_string()?, tree(&pair.get(1), depth + 1)?));
        }
    }
    Some(if array { Json::Arr(values) } else { Json::Obj(fields) })
}
