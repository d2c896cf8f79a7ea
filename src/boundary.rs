//! What JavaScript sees: `WasmCheckout`, wrapped by the hand-written `pasarela.mjs` entry into the
//! public `Checkout` (listeners, `PasarelaError` instances). Only conversion happens here.

use crate::checkout::{to_js, Checkout};
use crate::domain::error::{ErrorCode, PasarelaError};
use crate::domain::i18n::Locale;
use crate::domain::options::{self, Container};
use crate::web::{self, js};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
pub struct WasmCheckout {
    inner: Checkout,
}

#[wasm_bindgen]
impl WasmCheckout {
    /// Validates `options` (the JS entry's plain-data copy of the page's options, `undefined`
    /// when none could be made: cycles, BigInt, throwing getters), renders into the container
    /// and starts loading the provider. Throws a plain `PasarelaError` object; nothing is loaded
    /// or rendered on bad options.
    pub fn create(
        options: JsValue,
        container: JsValue,
        emit: js_sys::Function,
    ) -> Result<WasmCheckout, JsValue> {
        let not_plain = || {
            to_js(&PasarelaError::invalid(
                "options",
                "must be plain JSON data (no cycles or BigInt)",
                Locale::default(),
            ))
        };
        let value = web::json::read(&options).ok_or_else(not_plain)?;
        let element = container.dyn_ref::<web_sys::Element>().cloned();
        let opts = options::parse(&value, element.is_some(), &web::url_allowed).map_err(|e| to_js(&e))?;
        let container = match (&opts.container, element) {
            (Container::Element, Some(el)) => el,
            (Container::Selector(sel), _) => web::root()
                .and_then(|r| r.query_selector(sel).ok().flatten())
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

    /// The element Pasarela rendered into the container (the JS entry removes it if the module
    /// is poisoned by a panic and can no longer run `destroy`).
    #[wasm_bindgen(getter)]
    pub fn host(&self) -> web_sys::Element {
        self.inner.host()
    }

    /// `pay({ profileId?, installments?, method?, paymentMediaId? })`; the JS entry's own
    /// `pay({ resume })` takes up the payment `createCheckout({ resume })` names, once ready.
    pub fn pay(&self, opts: JsValue) -> js_sys::Promise {
        let profile_id = js::get(&opts, "profileId");
        let installments = js::get(&opts, "installments");
        let media = js::get(&opts, "paymentMediaId");
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
            match installments.as_f64().and_then(crate::domain::profile::installment_count) {
                Some(n) => Some(n),
                None => return bad("installments", crate::domain::profile::INSTALLMENTS_PROBLEM),
            }
        };
        let method = js::get(&opts, "method");
        let method = (!method.is_undefined()).then(|| method.as_string().as_deref().and_then(crate::domain::merchant::Method::parse));
        let media = match media.as_f64() {
            None if media.is_undefined() => None,
            Some(n) if n.fract() == 0.0 && (0.0..=2_147_483_647.0).contains(&n) => Some(n as u32),
            _ => return bad("paymentMediaId", "must be an integer from 0 to 2147483647"),
        };
        self.inner.pay(profile_id.as_string(), installments, method, media, js::get_string(&opts, "resume"))
    }

    /// `checkout.setProfiles(list)` (extension): validated like the `profiles` option.
    #[wasm_bindgen(js_name = setProfiles)]
    pub fn set_profiles(&self, profiles: JsValue) -> Result<(), JsValue> {
        let locale = self.inner.locale();
        let value = web::json::read(&profiles)
            .ok_or_else(|| to_js(&PasarelaError::invalid("profiles", "must be an array of plain objects", locale)))?;
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

    /// `checkout.state`, spelled by `PaymentState::as_str` (the one list of the names; the same
    /// text the host's `data-state` shows).
    #[wasm_bindgen(getter)]
    pub fn state(&self) -> JsValue {
        JsValue::from_str(self.inner.state().as_str())
    }

    /// `checkout.destroy()`.
    pub fn destroy(&self) {
        self.inner.destroy();
    }
}

/// Turns a Rust panic into an `internal` error: the hook calls `__pasarelaPanic`, which the JS entry
/// (`pasarela.mjs`) defines to emit `error` on every live checkout and settle their promises.
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
