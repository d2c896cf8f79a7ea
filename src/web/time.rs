//! Timers as futures, and the clock.

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// Resolves after `ms` milliseconds (`setTimeout`).
pub async fn sleep(ms: u32) {
    let (p, resolve, _) = super::deferred();
    // The one-argument setTimeout, as `with_timeout` uses: one binding for both.
    let _ =
        super::window().set_timeout_with_callback_and_timeout_and_arguments_1(&resolve, ms as i32, &JsValue::UNDEFINED);
    let _ = JsFuture::from(p).await;
}

/// Awaits `p`, or gives `None` after `ms` milliseconds. The timer is cleared either way, so a
/// settled race leaves nothing scheduled behind it.
pub async fn with_timeout(p: js_sys::Promise, ms: u32) -> Option<Result<JsValue, JsValue>> {
    let timed_out = JsValue::from_str("__pasarela_timeout");
    let (timer, resolve, _) = super::deferred();
    let handle = super::window()
        .set_timeout_with_callback_and_timeout_and_arguments_1(&resolve, ms as i32, &timed_out)
        .unwrap_or(0);
    let raced = JsFuture::from(js_sys::Promise::race(&js_sys::Array::of2(&p, &timer))).await;
    super::window().clear_timeout_with_handle(handle);
    match raced {
        Ok(v) if v == timed_out => None,
        other => Some(other),
    }
}

/// Wall-clock milliseconds (`Date.now()`), for token lifetimes.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// This month as `YYYYMM`, for deciding which saved cards have expired.
pub fn this_month() -> u32 {
    let d = js_sys::Date::new_0();
    d.get_full_year() * 100 + d.get_month() + 1
}
