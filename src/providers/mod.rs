//! Provider adapters: one module per provider behind the small [`Provider`] trait.
//!
//! An adapter only translates: it sets the provider's library up inside the host element Pasarela
//! gives it, and turns the library's callbacks into [`ProviderEvent`]s. It decides nothing about
//! the payment; that is `crate::checkout` (flow) and `crate::domain::payment_state` (state).

pub mod bamboo;
pub mod conekta;
pub mod kr;

use crate::domain::error::PasarelaError;
use crate::domain::merchant::Source;
use crate::domain::options::CheckoutOptions;
use crate::domain::token::TokenKind;
use crate::domain::ProviderId;
use crate::web::script::ScriptSpec;
use std::rc::Rc;
use wasm_bindgen::JsValue;
use web_sys::Element;

/// PWCheckout `notificationReceived` `ProcessStatus`, normalised (API.md §3 `notification`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotificationStatus {
    Ok,
    Pending,
    Error,
}

impl NotificationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Pending => "pending",
            Self::Error => "error",
        }
    }
}

/// What a provider library told the adapter.
#[derive(Debug)]
pub enum ProviderEvent {
    /// The card form is usable.
    Ready,
    /// The shopper's card was tokenised (or, for KR, the form answered).
    Token { source: Source, kind: TokenKind, brand: Option<String>, last4: Option<String> },
    /// The provider refused the card data; the shopper can correct it in the same form.
    TokenError(PasarelaError),
    /// Bamboo's verification form reported back.
    Notification(NotificationStatus),
    /// The shopper closed the provider's verification iframe without finishing.
    ActionClosed,
    /// Setting the form up failed after `mount` returned (KR's promise chain).
    SetupFailed(PasarelaError),
    /// Something the merchant should know that does not stop the checkout.
    Warning(PasarelaError),
}

/// Where adapters send events. Handlers run later, on the microtask queue, never inside the
/// provider's own callback: a provider may call back while Pasarela is still calling into it.
pub type Sink = Rc<dyn Fn(ProviderEvent)>;

/// One provider's browser library, seen from Pasarela.
pub trait Provider {
    /// The script to load, built from the options (`scriptUrl` wins over the production CDN).
    fn script(&self) -> ScriptSpec;
    /// Sets the library up inside `host` (the script is loaded). Sends `Ready` when usable.
    fn mount(&mut self, host: &Element, sink: Sink) -> Result<(), PasarelaError>;
    /// Asks the library to tokenise what the shopper typed (`pay()` without a profile).
    fn submit(&mut self) -> Result<(), PasarelaError>;
    /// Runs a pending payment's verification step (Bamboo `PWCapture`); `None` when the provider
    /// has no such step (the controller then reports `unsupported`).
    fn verify(&mut self, _action_url: &str) -> Option<Result<(), PasarelaError>> {
        None
    }
    /// Opens the provider's card-enrollment form for a registered customer (Bamboo
    /// `OpenIframeCustom`); `None` when the provider has none.
    fn enroll(&mut self, _capture_url: &str, _session_id: &str) -> Option<Result<(), PasarelaError>> {
        None
    }
    /// Unbinds every callback and removes every node the adapter made. Idempotent.
    fn unmount(&mut self);
}

/// The adapter for `opts.provider`.
pub fn for_options(opts: Rc<CheckoutOptions>) -> Box<dyn Provider> {
    match opts.provider {
        ProviderId::Bamboo => Box::new(bamboo::Bamboo::new(opts)),
        ProviderId::Conekta => Box::new(conekta::Conekta::new(opts)),
        ProviderId::Kr => Box::new(kr::Kr::new(opts)),
    }
}

/// The callbacks handed to a provider's library, kept alive until `unmount` drops them. One
/// closure shape for every adapter (a value in, a value out) keeps the wasm-bindgen glue small.
#[derive(Default)]
pub struct Handlers(Vec<wasm_bindgen::closure::Closure<dyn FnMut(JsValue) -> JsValue>>);

impl Handlers {
    /// Wraps `f` as a JS function, keeps it alive, and returns it to pass to the library.
    pub fn keep(&mut self, f: impl FnMut(JsValue) -> JsValue + 'static) -> JsValue {
        let c = wasm_bindgen::closure::Closure::<dyn FnMut(JsValue) -> JsValue>::new(f);
        let js = c.as_ref().clone();
        self.0.push(c);
        js
    }

    /// Like [`Handlers::keep`] for callbacks whose return value the library ignores.
    pub fn keep_unit(&mut self, mut f: impl FnMut(JsValue) + 'static) -> JsValue {
        self.keep(move |v| {
            f(v);
            JsValue::UNDEFINED
        })
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Drops every closure (after the library was told to forget them).
    pub fn clear(&mut self) {
        self.0.clear();
    }
}

/// The `div` a provider's form renders into, appended to Pasarela's host, with a fresh id
/// (returned with it, so no one reads it back from the DOM).
pub fn form_slot(host: &Element, id_prefix: &str, class: &str) -> Result<(Element, String), JsValue> {
    let slot = crate::web::document().create_element("div")?;
    let id = next_dom_id(id_prefix);
    slot.set_id(&id);
    slot.set_class_name(class);
    host.append_child(&slot)?;
    Ok((slot, id))
}

/// The error for a provider library that could not be set up (`detail` names the step).
pub fn setup_error(locale: crate::domain::i18n::Locale, provider: ProviderId, detail: &str) -> PasarelaError {
    PasarelaError::new(crate::domain::error::ErrorCode::ScriptLoadFailed, locale)
        .with_provider(provider)
        .with_detail(detail)
}

/// A process-wide counter for element ids (`pasarela-3-form`): several checkouts may share a page.
pub fn next_dom_id(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    crate::text::cat(&["pasarela-", &crate::text::u32_text(N.fetch_add(1, Ordering::Relaxed)), "-", prefix])
}

/// Appends `?key=value` (or `&key=value`) unless the URL's query already has `key`.
pub fn with_query(url: &str, key: &str, value: &str) -> String {
    use crate::text::{split, split_once};
    let (sep, query) = split_once(url, '?').map_or(("?", ""), |(_, q)| ("&", q));
    if split(query, '&').any(|param| split(param, '=').next() == Some(key)) {
        return url.to_owned();
    }
    let value = String::from(js_sys::encode_uri_component(value));
    crate::text::cat(&[url, sep, key, "=", &value])
}
