//! Timers as futures, and the clock.
//!
//! Every timer belongs to the wait that started it ([`Timeout`], the shape of gloo-timers'
//! `Timeout`): it is cleared when that wait ends, however it ends, so a page that creates and
//! destroys checkouts for hours keeps no timers of theirs running.

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// A `setTimeout` owned by its handle: dropping the handle clears it.
#[derive(Debug)]
#[must_use = "the timer is cleared when the handle drops"]
pub struct Timeout(i32);

impl Timeout {
    /// Calls `callback` after `ms` milliseconds, unless the handle is dropped first.
    pub fn start(ms: u32, callback: &js_sys::Function) -> Self {
        // The one-argument setTimeout: one binding for every timer of the package.
        let id = super::window()
            .set_timeout_with_callback_and_timeout_and_arguments_1(callback, ms as i32, &JsValue::UNDEFINED)
            .unwrap_or(0);
        Self(id)
    }
}

impl Drop for Timeout {
    fn drop(&mut self) {
        // Clearing a timer that already fired is a no-op.
        super::window().clear_timeout_with_handle(self.0);
    }
}

/// Resolves after `ms` milliseconds (`setTimeout`); the timer is cleared if the future is dropped
/// before then.
pub async fn sleep(ms: u32) {
    let (p, resolve, _) = super::deferred();
    let _timer = Timeout::start(ms, &resolve);
    let _ = JsFuture::from(p).await;
}

/// Awaits `p`, or gives `None` after `ms` milliseconds. Which of the two came first is told by
/// which future finished, never by the value; the timer is cleared either way.
pub async fn with_timeout(p: js_sys::Promise, ms: u32) -> Option<Result<JsValue, JsValue>> {
    let (timer, resolve, _) = super::deferred();
    let _timer = Timeout::start(ms, &resolve);
    let (mut p, mut timer) = (JsFuture::from(p), JsFuture::from(timer));
    std::future::poll_fn(move |cx| {
        if let Poll::Ready(r) = Pin::new(&mut p).poll(cx) {
            return Poll::Ready(Some(r));
        }
        Pin::new(&mut timer).poll(cx).map(|_| None)
    })
    .await
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
