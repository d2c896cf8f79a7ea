//! Loading a provider's script once per page, with a bounded wait.

use super::js;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlScriptElement;

/// How long a provider script may take before `script_load_failed`.
pub const SCRIPT_TIMEOUT_MS: u32 = 15_000;

/// What to load and what proves it loaded.
#[derive(Clone, Debug, PartialEq)]
pub struct ScriptSpec {
    pub url: String,
    /// Extra attributes, e.g. KR's `kr-public-key`.
    pub attributes: Vec<(&'static str, String)>,
    /// The global the script must define (`PWCheckout`, `ConektaCheckoutComponents`, `KR`).
    pub global: &'static str,
}

/// Why a script could not be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScriptFailure {
    /// `error` event: 404, network, CSP.
    Failed,
    /// No `load` within the time limit.
    TimedOut,
    /// Loaded, but the global never appeared.
    NoGlobal,
}

impl ScriptFailure {
    /// The name the `script_load_failed` message carries, e.g. `(TimedOut)`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Failed => "Failed",
            Self::TimedOut => "TimedOut",
            Self::NoGlobal => "NoGlobal",
        }
    }
}

/// Loads `spec.url` unless a script of that URL is already on the page, then checks the global.
/// A script that is still loading (a second checkout mounted at once) is awaited, not duplicated.
pub async fn load(spec: &ScriptSpec, timeout_ms: u32) -> Result<(), ScriptFailure> {
    if !js::global(spec.global).is_undefined() {
        return Ok(());
    }
    let doc = super::document();
    let found = super::root().and_then(|r| r.query_selector_all("script[data-pasarela-src]").ok());
    let existing = found.and_then(|list| {
        (0..list.length())
            .filter_map(|i| Some(list.item(i)?.unchecked_into::<HtmlScriptElement>()))
            .find(|s| super::js::get_string(&super::js::get(s, "dataset"), "pasarelaSrc").as_deref() == Some(&spec.url))
    });
    let created = existing.is_none();
    let script = match existing {
        Some(s) => s,
        None => {
            let s: HtmlScriptElement =
                doc.create_element("script").map_err(|_| ScriptFailure::Failed)?.unchecked_into();
            // A script added from code is async by default.
            s.set_src(&spec.url);
            let _ = s.set_attribute("data-pasarela-src", &spec.url);
            for (k, v) in &spec.attributes {
                let _ = s.set_attribute(k, v);
            }
            s
        }
    };
    let (loaded, resolve, reject) = super::deferred();
    let _ = script.add_event_listener_with_callback("load", &resolve);
    let _ = script.add_event_listener_with_callback("error", &reject);
    if created {
        let head = doc.head().map(JsValue::from).unwrap_or_else(|| doc.document_element().into());
        let _ = head.unchecked_ref::<web_sys::Node>().append_child(&script);
    }
    let failure = match super::time::with_timeout(loaded, timeout_ms).await {
        None => ScriptFailure::TimedOut,
        Some(Err(_)) => ScriptFailure::Failed,
        Some(Ok(_)) if js::global(spec.global).is_undefined() => ScriptFailure::NoGlobal,
        Some(Ok(_)) => return Ok(()),
    };
    // A failed tag goes: a later checkout finding it would wait for events that have fired (or
    // for a script that may never come) the whole timeout again. Without it, that checkout loads
    // the script anew. (A removed script that was still loading may yet run: harmless.)
    script.remove();
    Err(failure)
}
