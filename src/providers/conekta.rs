//! Conekta — the checkout component `ConektaCheckoutComponents.Card`. Every behaviour relied on
//! here is listed, with its source, in `docs/providers/conekta.md`.
//!
//! Two shapes of the `Card` argument are in use: the flat one the seed shows (`targetIFrame`,
//! `publicKey`, callbacks at the top level) and the current nested one (`config`, `callbacks`,
//! `options`). The adapter passes both in one object, so either library version reads what it
//! knows. With the nested shape it also asks for `useExternalSubmit` and keeps the submit function
//! `onUpdateSubmitTrigger` hands over, which is what `pay()` presses. A library without that
//! keeps its own button, and the attempt starts when the shopper presses it.
//!
//! With `useExternalSubmit`, a card the component's own checks refuse is reported on
//! `onFormError` only; Conekta's WooCommerce plugin registers it because without it the pay
//! button "can spin indefinitely", and bounds its wait for a token to 30 s
//! (`conekta/ct-woocommerce-plugin`, `resources/js/frontend/loadConektaScript.js`, `index.js`).

use super::{form_slot, setup_error, Handlers, Provider, ProviderEvent, Sink};
use crate::cell::Borrows;
use crate::domain::error::{ErrorCode, PasarelaError};
use crate::domain::merchant::Source;
use crate::domain::options::{CheckoutOptions, ConektaOptions};
use crate::domain::token::TokenKind;
use crate::domain::ProviderId;
use crate::web::{js, script::ScriptSpec};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::Element;


/// How long `pay()` waits for the component's token: the bound Conekta's own plugin uses.
pub const TOKEN_TIMEOUT_MS: u32 = 30_000;

pub struct Conekta {
    opts: Rc<CheckoutOptions>,
    own: ConektaOptions,
    nodes: Vec<Element>,
    handlers: Handlers,
    /// The iframe's submit function once the library hands it over, or whether `pay()` asked
    /// for a submission before it did (pressed as soon as it arrives).
    submit_fn: Rc<RefCell<SubmitTrigger>>,
    /// Whether a submission Pasarela pressed still waits for its token. With the external submit
    /// the component has no button of its own, so a token nobody waits for is one whose wait
    /// ended (`timeout`): forwarding it would charge after the page was told the attempt ended.
    awaiting_token: Rc<std::cell::Cell<bool>>,
}

/// Conekta hands the submit function over when its iframe has loaded, which can be after the
/// page's `pay()`: that `pay()` must not be lost (it would wait for a token forever).
#[derive(Default)]
enum SubmitTrigger {
    #[default]
    NotYet,
    Requested,
    Ready(js_sys::Function),
}

impl Conekta {
    pub fn new(own: ConektaOptions, opts: Rc<CheckoutOptions>) -> Self {
        Self {
            opts,
            own,
            nodes: Vec::new(),
            handlers: Handlers::default(),
            submit_fn: Rc::default(),
            awaiting_token: Rc::default(),
        }
    }
}

/// What the shopper reads of a Conekta error, and the field it names. The tokenizer's errors are
/// `{ object: 'error', type, log_id, details: [{ message, debug_message, param, code }] }`
/// (Conekta's tokenizer docs): `details[0].message` is for the shopper. The component's own
/// checks give `{ object: 'error', type, message, message_to_purchaser }` without `details`
/// (the component's 4.8 source, docs/providers/conekta.md): `message_to_purchaser` then. The
/// top-level `message` is an English text for developers and never shown; with neither, the
/// error keeps Pasarela's own message in the shopper's language. A tokenizer answer that is not a
/// success reaches the callback as the HTTP library's error, the API's body in `response.data`
/// (the 4.8 source's `customFetch`): that body is read.
fn error_detail(err: &JsValue) -> (Option<String>, Option<String>) {
    let body = js::get(&js::get(err, "response"), "data");
    let err = if body.is_object() { &body } else { err };
    let first = js::get(&js::get(err, "details"), "0");
    let message = js::get_string(&first, "message").or_else(|| js::get_string(err, "message_to_purchaser"));
    (message, js::get_string(&first, "param").or_else(|| js::get_string(err, "param")))
}

/// A Conekta error object as `tokenization_failed`, with the shopper's message and the field.
fn token_error(err: &JsValue, locale: crate::domain::i18n::Locale) -> PasarelaError {
    let (message, param) = error_detail(err);
    let e = PasarelaError::new(ErrorCode::TokenizationFailed, locale)
        .with_provider(ProviderId::Conekta)
        .with_detail(message.as_deref().unwrap_or_default());
    match param {
        Some(p) => e.with_field(&p),
        None => e,
    }
}

impl Provider for Conekta {
    fn script(&self) -> ScriptSpec {
        // Always set: the page's, or the production script the JS entry fills in (one table there).
        let url = self.opts.script_url.clone().unwrap_or_default();
        ScriptSpec { url, attributes: Vec::new(), global: "ConektaCheckoutComponents" }
    }

    fn mount_form(&mut self, host: &Element, sink: Sink) -> Result<(), PasarelaError> {
        let locale = self.opts.locale;
        let fail = |detail: &str| setup_error(locale, ProviderId::Conekta, detail);
        let (frame, frame_id) = form_slot(host, "conekta-frame", "pasarela-provider-form pasarela-conekta-frame")
            .map_err(|_| fail("container"))?;
        self.nodes.push(frame);

        let s = sink.clone();
        let (awaiting, trigger) = (self.awaiting_token.clone(), self.submit_fn.clone());
        let on_token = self.handlers.keep_unit(move |token: JsValue| {
            // A component with the external submit makes tokens only when Pasarela presses it:
            // one nobody waits for any more is dropped, never charged.
            let external = !matches!(*trigger.read(), SubmitTrigger::NotYet);
            if external && !awaiting.replace(false) {
                return;
            }
            // `{ id: 'tok_…', object: 'token', … }`, or the bare id (the tokenizer docs show a string).
            let id = token.as_string().or_else(|| js::get_string(&token, "id"));
            match id {
                Some(token) => s(ProviderEvent::Token {
                    source: Source::Token { token, kind: Some(TokenKind::OneTime) },
                    kind: TokenKind::OneTime,
                    brand: None,
                    last4: None,
                }),
                None => s(ProviderEvent::TokenError(
                    PasarelaError::new(ErrorCode::TokenizationFailed, locale).with_provider(ProviderId::Conekta),
                )),
            }
        });
        let s = sink.clone();
        let awaiting = self.awaiting_token.clone();
        let on_error = self.handlers.keep_unit(move |err: JsValue| {
            awaiting.set(false);
            s(ProviderEvent::TokenError(token_error(&err, locale)));
        });
        // `onCreateTokenError` and `onFormError` end a submission the same way.
        let on_form_error = on_error.clone();
        let slot = self.submit_fn.clone();
        let on_submit_trigger = self.handlers.keep_unit(move |f: JsValue| {
            let Ok(f) = f.dyn_into::<js_sys::Function>() else { return };
            let previous = std::mem::replace(&mut *slot.write(), SubmitTrigger::Ready(f.clone()));
            if matches!(previous, SubmitTrigger::Requested) {
                // Pressed on the microtask queue, not inside the library's own callback; a token
                // error reaches the page through `onCreateTokenError`.
                crate::web::window().queue_microtask(&f);
            }
        });

        let target = JsValue::from_str(&crate::text::cat(&["#", &frame_id]));
        let key = JsValue::from_str(&self.opts.public_key);
        let lang = JsValue::from_str(self.own.locale.as_deref().unwrap_or(locale.tag()));
        let config = js::object(&[
            ("targetIFrame", target.clone()),
            ("publicKey", key.clone()),
            ("locale", lang.clone()),
            ("useExternalSubmit", JsValue::TRUE),
        ]);
        let callbacks = js::object(&[
            ("onCreateTokenSucceeded", on_token.clone()),
            ("onCreateTokenError", on_error.clone()),
            ("onFormError", on_form_error),
            ("onUpdateSubmitTrigger", on_submit_trigger),
        ]);
        let options =
            js::object(&[("autoResize", JsValue::TRUE), ("amount", JsValue::from_f64(self.opts.order.amount as f64))]);
        let arg = js::object(&[
            // The seed's flat shape.
            ("targetIFrame", target),
            ("allowTokenization", JsValue::TRUE),
            ("publicKey", key),
            ("locale", lang),
            ("onCreateTokenSucceeded", on_token),
            ("onCreateTokenError", on_error),
            // The current nested shape.
            ("config", config.into()),
            ("callbacks", callbacks.into()),
            ("options", options.into()),
        ]);
        let lib = js::global("ConektaCheckoutComponents");
        js::call(&lib, "Card", &[&arg]).map_err(|e| fail(&e.as_string().unwrap_or_else(|| "Card".into())))?;
        // Usable once `Card` returns: a `pay()` before the iframe has loaded (before
        // `onGetInfoSuccess`, which Pasarela therefore does not need) is kept and pressed when the
        // iframe hands its submit trigger over.
        sink(ProviderEvent::Ready);
        Ok(())
    }

    fn submit(&mut self) -> Result<(), PasarelaError> {
        let f = match &*self.submit_fn.read() {
            SubmitTrigger::Ready(f) => Some(f.clone()),
            _ => None,
        };
        self.awaiting_token.set(true);
        match f {
            Some(f) => f.call0(&JsValue::NULL).map(|_| ()).map_err(|e| token_error(&e, self.opts.locale)),
            None => {
                *self.submit_fn.write() = SubmitTrigger::Requested;
                Ok(())
            }
        }
    }

    fn token_timeout_ms(&self) -> u32 {
        TOKEN_TIMEOUT_MS
    }

    fn abandon_submit(&mut self) {
        self.awaiting_token.set(false);
        if matches!(*self.submit_fn.read(), SubmitTrigger::Requested) {
            *self.submit_fn.write() = SubmitTrigger::NotYet;
        }
    }

    fn unmount(&mut self) {
        // The component has no documented teardown: removing its iframe host stops it, and
        // dropping the closures makes any late callback a no-op error inside the library.
        for n in self.nodes.drain(..) {
            n.remove();
        }
        *self.submit_fn.write() = SubmitTrigger::NotYet;
        self.awaiting_token.set(false);
        self.handlers.clear();
    }
}
