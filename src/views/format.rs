//! Display formatting that needs the browser's `Intl`.

use crate::domain::money;
use wasm_bindgen::JsValue;

/// `amount` (minor units) formatted for the language tag `tag` (`CheckoutOptions::lang`), with the
/// currency's own digits: `123456 USD` → `USD 1,234.56` (es-419), `$1,234.56` (en-US),
/// `US$ 1.234,56` (pt-BR, es-AR); `5000 CLP` → `$5.000` (es-CL).
pub fn money(amount: u64, currency: &str, tag: &str) -> String {
    let digits = money::minor_units(currency).unwrap_or(2);
    let opts = crate::web::js::object(&[
        ("style", JsValue::from_str("currency")),
        ("currency", JsValue::from_str(currency)),
        ("minimumFractionDigits", JsValue::from(digits)),
        ("maximumFractionDigits", JsValue::from(digits)),
    ]);
    let nf = js_sys::Intl::NumberFormat::new(&js_sys::Array::of1(&JsValue::from_str(tag)), &opts);
    nf.format()
        .call1(&JsValue::NULL, &JsValue::from_f64(money::to_major_f64(amount, currency)))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| crate::text::cat(&[currency, " ", &money::to_major_string(amount, currency)]))
}
