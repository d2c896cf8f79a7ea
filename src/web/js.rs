//! Reading and calling into untyped provider globals (`window.PWCheckout`, `window.KR`, …).
//! Provider libraries have no typings worth binding statically, so these few helpers keep the
//! `Reflect` noise out of the adapters.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// `obj[key]`, or `undefined`.
pub fn get(obj: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// `obj[key]` as a string, when it is a non-empty string or a number.
pub fn get_string(obj: &JsValue, key: &str) -> Option<String> {
    let v = get(obj, key);
    // Numbers are printed by JS (`String(n)`): Rust's float printing would add kilobytes of wasm.
    v.as_string()
        .filter(|s| !s.is_empty())
        .or_else(|| v.as_f64().and_then(|_| js_sys::JSON::stringify(&v).ok()?.as_string()))
}

/// `obj[key] = value`.
pub fn set(obj: &JsValue, key: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(obj, &JsValue::from_str(key), value);
}

/// A plain object from string pairs.
pub fn object(pairs: &[(&str, JsValue)]) -> js_sys::Object {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        set(&o, k, v);
    }
    o
}

/// Whether `obj[name]` is a function.
pub fn has_method(obj: &JsValue, name: &str) -> bool {
    get(obj, name).is_function()
}

/// `obj[name](...args)`; an error if it is not a function or it throws.
pub fn call(obj: &JsValue, name: &str, args: &[&JsValue]) -> Result<JsValue, JsValue> {
    let f: js_sys::Function = get(obj, name).dyn_into().map_err(|_| JsValue::from_str(name))?;
    let arr = js_sys::Array::new();
    for a in args {
        arr.push(a);
    }
    f.apply(obj, &arr)
}

/// `window[name]`.
pub fn global(name: &str) -> JsValue {
    get(&super::window(), name)
}
