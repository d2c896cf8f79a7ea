//! What JavaScript sees: `WasmCheckout`, wrapped by the hand-written `pasarela.mjs` entry into the
//! public `Checkout` (listeners, `PasarelaError` instances). Only conversion happens here.

use crate::checkout::{to_js, Checkout};
use crate::domain::error::{ErrorCode, PasarelaError};
use crate::domain::i18n::Locale;
use crate::domain::options::{self, Container};
use crate::web::{self, js};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// The crate version, as `Pasarela.version`.
#[wasm_bindgen(js_name = wasmVersion)]
pub fn wasm_version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

#[wasm_bindgen]
pub struct WasmCheckout {
    inner: Checkout,
}

#[wasm_bindgen]
impl WasmCheckout {
    /// Validates `options`, renders into the container and starts loading the provider.
    /// Throws a plain `PasarelaError` object; nothing is loaded or rendered on bad options.
    pub fn create(options: JsValue, emit: js_sys::Function) -> Result<WasmCheckout, JsValue> {
        let raw_container = js::get(&options, "container");
        let element = raw_container.dyn_ref::<web_sys::Element>().cloned();
        // `serde_json::Value` cannot hold an element: read the rest without it.
        let plain = if options.is_object() && !options.is_function() && !js_sys::Array::is_array(&options) {
            let copy = js_sys::Object::assign(&js_sys::Object::new(), options.unchecked_ref());
            if element.is_some() {
                js::set(&copy, "container", &JsValue::NULL);
            }
            copy.into()
        } else {
            options.clone()
        };
        let value: serde_json::Value = serde_wasm_bindgen::from_value(plain).map_err(|_| {
            to_js(&PasarelaError::invalid("options", "must be a plain object of JSON values", Locale::default()))
        })?;
        let opts = options::parse(&value, element.is_some()).map_err(|e| to_js(&e))?;
        let container = match (&opts.container, element) {
            (Container::Element, Some(el)) => el,
            (Container::Selector(sel), _) => web::document()
                .query_selector(sel)
                .ok()
                .flatten()
                .ok_or_else(|| to_js(&PasarelaError::invalid("container", "matches no element", opts.locale)))?,
            _ => {
                return Err(to_js(&PasarelaError::invalid(
                    "container",
                    "must be a CSS selector or an HTMLElement",
                    opts.locale,
                )))
            }
        };
        let inner = Checkout::start(opts, container, emit).map_err(|e| to_js(&e))?;
        Ok(WasmCheckout { inner })
    }

    /// `pay({ profileId?, installments? })`.
    pub fn pay(&self, opts: JsValue) -> js_sys::Promise {
        let profile_id = js::get(&opts, "profileId");
        let installments = js::get(&opts, "installments");
        let bad = |field: &str, why: &str| {
            js_sys::Promise::reject(&to_js(&PasarelaError::invalid(field, why, Locale::default())))
        };
        if !(opts.is_undefined() || opts.is_null() || opts.is_object()) {
            return bad("pay", "takes an optional object");
        }
        if !(profile_id.is_undefined() || profile_id.as_string().is_some_and(|s| !s.is_empty())) {
            return bad("profileId", "must be a non-empty string");
        }
        let installments = if installments.is_undefined() {
            None
        } else {
            match installments.as_f64() {
                Some(n) if n.fract() == 0.0 && (1.0..=99.0).contains(&n) => Some(n as u32),
                _ => return bad("installments", "must be an integer from 1 to 99"),
            }
        };
        self.inner.pay(profile_id.as_string(), installments)
    }

    /// `checkout.setProfiles(list)` (extension): validated like the `profiles` option.
    #[wasm_bindgen(js_name = setProfiles)]
    pub fn set_profiles(&self, profiles: JsValue) -> Result<(), JsValue> {
        let locale = self.inner.locale();
        let value: serde_json::Value = serde_wasm_bindgen::from_value(profiles)
            .map_err(|_| to_js(&PasarelaError::invalid("profiles", "must be an array of objects", locale)))?;
        let items =
            value.as_array().ok_or_else(|| to_js(&PasarelaError::invalid("profiles", "must be an array", locale)))?;
        let list = crate::domain::profile::normalize_all(items, "profiles", locale).map_err(|e| to_js(&e))?;
        self.inner.set_profiles(list);
        Ok(())
    }

    /// `checkout.enroll({ captureUrl?, uniqueId? })` (extension, Bamboo).
    pub fn enroll(&self, opts: JsValue) -> js_sys::Promise {
        self.inner.enroll(js::get_string(&opts, "captureUrl"), js::get_string(&opts, "uniqueId"))
    }

    /// `checkout.state`.
    #[wasm_bindgen(getter)]
    pub fn state(&self) -> JsValue {
        to_js(&self.inner.state())
    }

    /// `checkout.destroy()`.
    pub fn destroy(&self) {
        self.inner.destroy();
    }
}

/// Turns a Rust panic into an `internal` error on the page's console-free channel: the JS entry
/// installs `onPanic`, which emits `error` on every live checkout.
#[wasm_bindgen(start)]
pub fn start() {
    std::panic::set_hook(Box::new(|_| {
        let e = PasarelaError::new(ErrorCode::Internal, Locale::default());
        let hook = js::global("__pasarelaPanic");
        if let Some(f) = hook.dyn_ref::<js_sys::Function>() {
            let _ = f.call1(&JsValue::NULL, &to_js(&e));
        }
    }));
}
