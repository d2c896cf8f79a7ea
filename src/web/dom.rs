//! Hot-path DOM writes. The attribute names and values are JS strings made once, so moving the
//! check mark among 1,000 saved cards decodes no UTF-8 per click (the selection budget, README "Size and speed":
//! each `&str` handed to JS is a `TextDecoder` call).

use crate::cell::PageGlobal;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::Element;

#[wasm_bindgen]
extern "C" {
    /// An `Element`, seen through a `setAttribute` that takes JS strings.
    type Attributes;
    #[wasm_bindgen(method, js_name = setAttribute)]
    fn set(this: &Attributes, name: &JsValue, value: &JsValue);
    #[wasm_bindgen(method, js_name = getAttribute)]
    fn get(this: &Attributes, name: &JsValue) -> JsValue;
    #[wasm_bindgen(method)]
    fn closest(this: &Attributes, selector: &JsValue) -> Option<Element>;
    /// The row index the list sets on each radio after rendering ([`number_rows`]).
    #[wasm_bindgen(method, getter = pasarelaRow)]
    fn pasarela_row(this: &Attributes) -> Option<u32>;
    #[wasm_bindgen(method, setter = pasarelaRow)]
    fn set_pasarela_row(this: &Attributes, index: u32);
}

struct RadioStrings {
    radio: JsValue,
    profile_id: JsValue,
    aria_checked: JsValue,
    tabindex: JsValue,
    on: [JsValue; 2],
    off: [JsValue; 2],
}

static RADIO: PageGlobal<RadioStrings> = PageGlobal::new(|| RadioStrings {
    radio: "[role=radio]".into(),
    profile_id: "data-profile-id".into(),
    aria_checked: "aria-checked".into(),
    tabindex: "tabindex".into(),
    on: ["true".into(), "0".into()],
    off: ["false".into(), "-1".into()],
});

/// A row's `data-profile-id`, as the JS string the DOM holds (no UTF-8 round trip).
pub fn profile_id_of(row: &Element) -> JsValue {
    row.unchecked_ref::<Attributes>().get(&RADIO.get().profile_id)
}

/// The `role=radio` row `target` is in (the target of a click), if any. (Whether the row is
/// enabled is the caller's business: a plain selector matches faster.)
pub fn radio_of(target: &web_sys::EventTarget) -> Option<Element> {
    target.unchecked_ref::<Attributes>().closest(&RADIO.get().radio)
}

/// Numbers the rows of `group` in order (a property on each, read back by [`row_index`]).
pub fn number_rows(group: &Element) {
    let Ok(rows) = group.query_selector_all("[role=radio]") else { return };
    for i in 0..rows.length() {
        if let Some(row) = rows.item(i) {
            row.unchecked_ref::<Attributes>().set_pasarela_row(i);
        }
    }
}

/// Whether `target` is (inside) the list's pay button.
pub fn is_pay_button(target: &web_sys::EventTarget) -> bool {
    target.unchecked_ref::<Attributes>().closest(&JsValue::from_str(".pasarela-pay")).is_some()
}

/// The index a row was rendered with.
pub fn row_index(row: &Element) -> Option<usize> {
    row.unchecked_ref::<Attributes>().pasarela_row().map(|i| i as usize)
}

/// An event listener that is removed when dropped (as `gloo-events`' `EventListener`): a
/// detached node clicked later must not reach a dropped Rust closure.
pub struct EventListener {
    target: Element,
    event: &'static str,
    callback: Closure<dyn FnMut(web_sys::Event)>,
}

impl EventListener {
    pub fn new(target: &Element, event: &'static str, f: impl FnMut(web_sys::Event) + 'static) -> Self {
        let callback = Closure::<dyn FnMut(web_sys::Event)>::new(f);
        let _ = target.add_event_listener_with_callback(event, callback.as_ref().unchecked_ref());
        Self { target: target.clone(), event, callback }
    }
}

impl Drop for EventListener {
    fn drop(&mut self) {
        let _ = self.target.remove_event_listener_with_callback(self.event, self.callback.as_ref().unchecked_ref());
    }
}

/// Marks one `role=radio` row checked (and the group's tab stop), or not.
pub fn mark_radio(row: &Element, checked: bool) {
    let s = RADIO.get();
    let [aria, tab] = if checked { &s.on } else { &s.off };
    let row = row.unchecked_ref::<Attributes>();
    row.set(&s.aria_checked, aria);
    row.set(&s.tabindex, tab);
}
