//! Provider adapters: one module per provider behind the small [`Provider`] trait.
//!
//! An adapter only translates: it sets the provider's library up inside the host element Pasarela
//! gives it, and turns the library's callbacks into [`ProviderEvent`]s. It decides nothing about
//! the payment; that is `crate::checkout` (flow) and `crate::domain::payment_state` (state).

#[cfg(feature = "bamboo")]
pub mod bamboo;
#[cfg(feature = "conekta")]
pub mod conekta;
#[cfg(feature = "kr")]
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

/// PWCheckout `notificationReceived` `ProcessStatus`, normalised (docs/api.md §3 `notification`).
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

/// Why a provider form closed, as PWCheckout's `CloseInfo.Reason` says (Bamboo,
/// Versions/Forms/_index.md); `TOKEN_RECEIVED` and `NOTIFICATION_RECEIVED` are not closings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CloseReason {
    /// `ESCAPE`, `CLOSE_BUTTON`, `PAGE_CLICK`: the shopper left the form.
    Shopper,
    /// `TIMEOUT`: the shopper took longer than the form allows.
    Timeout,
    /// `ERROR`: the form failed.
    Error,
    /// `COMMERCE_ACTION`: the merchant has to act; the payment's state is the merchant's to read.
    CommerceAction,
}

impl CloseReason {
    /// The reason for a `CloseInfo.Reason`, or `None` for the two that end a form normally.
    pub fn of(reason: &str) -> Option<Self> {
        match reason {
            "TOKEN_RECEIVED" | "NOTIFICATION_RECEIVED" => None,
            "TIMEOUT" => Some(Self::Timeout),
            "ERROR" => Some(Self::Error),
            "COMMERCE_ACTION" => Some(Self::CommerceAction),
            // ESCAPE, CLOSE_BUTTON, PAGE_CLICK, and any reason a later library adds.
            _ => Some(Self::Shopper),
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
    /// The provider closed one of its forms (verification, enrollment or the modal card form)
    /// without a token or a notification.
    Closed(CloseReason),
    /// Setting the form up failed after `mount` returned (KR's promise chain).
    SetupFailed(PasarelaError),
    /// The provider locked its form for good (KR `PSP_099`, too many attempts).
    FormLocked(PasarelaError),
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
    /// Sets the library up once its script is loaded: what every flow needs (Bamboo binds its
    /// events here, for the verification of a saved card), but not the card form itself.
    fn mount(&mut self, _host: &Element, _sink: Sink) -> Result<(), PasarelaError> {
        Ok(())
    }
    /// Creates the card form inside `host`, once the shopper needs it: at once without saved
    /// cards, else when "use another card" is picked. Sends `Ready` when the form is usable.
    fn mount_form(&mut self, host: &Element, sink: Sink) -> Result<(), PasarelaError>;
    /// Asks the library to tokenise what the shopper typed (`pay()` without a profile).
    fn submit(&mut self) -> Result<(), PasarelaError>;
    /// How long a `pay()` waits for the form's token (or answer) before it ends as `timeout`.
    /// The default, five minutes, is a shopper typing a card and passing 3-D Secure (*inferred*).
    fn token_timeout_ms(&self) -> u32 {
        5 * 60 * 1000
    }
    /// The wait for a token ended: a token from that submission, if it still comes, must not be
    /// charged (the page was told the attempt ended).
    fn abandon_submit(&mut self) {}
    /// Runs a pending payment's verification step (Bamboo `PWCapture`); `None` when the provider
    /// has no such step (the controller then reports `unsupported`).
    fn verify(&mut self, _action_url: &str) -> Option<Result<(), PasarelaError>> {
        None
    }
    /// Unbinds every callback and removes every node the adapter made. Idempotent.
    fn unmount(&mut self);
}

/// The adapter for `opts.provider`, given its own block of options; `None` when this build has
/// no adapter for it (each provider's wasm has its own only: the JS entry loads the right one).
pub fn for_options(opts: Rc<CheckoutOptions>) -> Option<Box<dyn Provider>> {
    use crate::domain::options::ProviderOptions as P;
    Some(match &opts.provider {
        #[cfg(feature = "bamboo")]
        P::Bamboo(b) => Box::new(bamboo::Bamboo::new(b.clone(), opts)),
        #[cfg(feature = "conekta")]
        P::Conekta(c) => Box::new(conekta::Conekta::new(c.clone(), opts)),
        #[cfg(feature = "kr")]
        P::Kr(k) => Box::new(kr::Kr::new(k.clone(), opts)),
        #[allow(unreachable_patterns)]
        _ => return None,
    })
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

/// A provider whose library keeps page-global state (PWCheckout: one `SetProperties` and one
/// handler per event; KR: `removeForms`/`removeEventCallbacks` act on the whole page and each
/// event has one callback). While a checkout holds the claim, a second one is refused.
pub struct PageClaim(u8);

/// One bit per page-global provider (Bamboo 1, KR 2) while a live checkout holds it.
static CLAIMED: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(0);

impl PageClaim {
    /// The claim for `provider` (always granted for providers without page-global state), or the
    /// error that names the provider holding the page.
    pub fn take(provider: ProviderId, locale: crate::domain::i18n::Locale) -> Result<Option<Self>, PasarelaError> {
        use std::sync::atomic::Ordering::Relaxed;
        let bit = match provider {
            ProviderId::Bamboo => 1,
            ProviderId::Kr => 2,
            ProviderId::Conekta => return Ok(None),
        };
        if CLAIMED.fetch_or(bit, Relaxed) & bit != 0 {
            return Err(PasarelaError::new(crate::domain::error::ErrorCode::Unsupported, locale)
                .with_provider(provider)
                .with_field("provider")
                .with_detail(if bit == 2 {
                    "one live KR checkout per page"
                } else {
                    "one live Bamboo checkout per page"
                }));
        }
        Ok(Some(Self(bit)))
    }
}

impl Drop for PageClaim {
    fn drop(&mut self) {
        CLAIMED.fetch_and(!self.0, std::sync::atomic::Ordering::Relaxed);
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
