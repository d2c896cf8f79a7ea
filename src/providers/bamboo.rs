//! Bamboo Payment — the PWCheckout library. Every behaviour relied on here is listed, with its
//! source, in `docs/providers/bamboo.md`.
//!
//! Default script: the embedded (`NoModal`) variant. The page creates an `<iframe>` and names it
//! in `SetProperties({ iframeId })`; `LoadIframe()` loads the card form into that iframe
//! (Bamboo, Versions/Forms/Embedded-Checkout-Form.md). When the page points `scriptUrl` at the
//! modal `PWCheckout.js`, there is no `LoadIframe` and `pay()` opens the modal with
//! `OpenIframeNormal()` instead.
//!
//! `autoSubmit: 'false'` is always set: Pasarela owns the submission, and the library must not
//! post the merchant's form with the token in it. The page must hold a hidden `PWToken` input,
//! which the library fills before `tokenCreated` (Versions/Forms/Checkout-Form.md, "Invoking the
//! form"); the adapter puts it inside its own `form_id` form and empties it as soon as the token
//! is read, because a token value must never stay in the DOM.

use super::{
    next_dom_id, setup_error, with_query, CloseReason, Handlers, NotificationStatus, Provider, ProviderEvent, Sink,
};
use crate::domain::error::{ErrorCode, PasarelaError};
use crate::domain::i18n::{Locale, Msg};
use crate::domain::merchant::Source;
use crate::domain::money;
use crate::domain::options::{BambooOptions, CheckoutOptions};
use crate::domain::token::{kind_of, TokenKind};
use crate::domain::ProviderId;
use crate::text::cat;
use crate::web::{self, js, script::ScriptSpec};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::Element;


/// Events bound on `PWCheckout`, in the order `mount` binds its handlers; all are unbound on unmount.
const EVENTS: &[&str] = &["tokenCreated", "onTokenCreateError", "notificationReceived", "closed"];

pub struct Bamboo {
    opts: Rc<CheckoutOptions>,
    own: BambooOptions,
    nodes: Vec<Element>,
    handlers: Handlers,
    modal: bool,
    /// The card form's iframe id, named in `SetProperties` before the iframe exists.
    frame_id: String,
}

impl Bamboo {
    pub fn new(own: BambooOptions, opts: Rc<CheckoutOptions>) -> Self {
        Self {
            opts,
            own,
            nodes: Vec::new(),
            handlers: Handlers::default(),
            modal: false,
            frame_id: next_dom_id("bamboo-frame"),
        }
    }

    /// `<body>`'s children (through the `querySelectorAll` the adapter already uses: no binding
    /// of its own).
    fn body_children() -> Option<web_sys::NodeList> {
        web::document().body()?.query_selector_all(":scope>*").ok()
    }

    /// How many children `<body>` has, before the library opens one of its forms.
    fn body_children_count(&self) -> u32 {
        Self::body_children().map_or(0, |l| l.length())
    }

    /// Keeps what the library appended to `<body>` since `before` (its verification overlay)
    /// among the adapter's nodes, so `unmount` removes it (the enrollment form is opened, and its
    /// overlay kept, by the part loaded on demand, js/pasarela_extra.mjs): PWCheckout
    /// documents no call that closes `PWCapture` or `OpenIframeCustom` (Bamboo, Versions/Forms/;
    /// that it appends to `<body>` is *inferred*), and a form left open after `destroy()` could
    /// still charge the card.
    fn keep_added_since(&mut self, before: u32) {
        let Some(children) = Self::body_children() else { return };
        for i in before..children.length() {
            // Every match is an element: `:scope>*`.
            if let Some(el) = children.item(i) {
                self.nodes.push(el.unchecked_into());
            }
        }
    }

    fn setup_failed(&self, e: JsValue) -> PasarelaError {
        setup_error(self.opts.locale, ProviderId::Bamboo, &e.as_string().unwrap_or_else(|| "PWCheckout".into()))
    }

    fn pw() -> JsValue {
        js::global("PWCheckout")
    }

    fn properties(&self, form_id: &str, iframe_id: &str) -> js_sys::Object {
        let o = &self.opts;
        let s = |v: &str| JsValue::from_str(v);
        // ISO 639-1, in capitals as Bamboo's own example writes it ("ES").
        let lang = match o.locale {
            Locale::Es => "ES",
            Locale::En => "EN",
            Locale::Pt => "PT",
        };
        let props = js::object(&[
            ("form_id", s(form_id)),
            ("iframeId", s(iframe_id)),
            ("autoSubmit", s("false")),
            ("checkout_card", s("1")),
            ("empty", s("true")),
            ("currency", s(&o.order.currency)),
            // PWCheckout takes major units as a string (public integrations pass e.g. '100').
            ("amount", s(&money::to_major_string(o.order.amount, &o.order.currency))),
            ("lang", s(lang)),
            ("country_code", s(&self.own.country_code)),
            ("button_label", s(&cat(&[o.locale.text(Msg::Pay), " #monto#"]))),
        ]);
        if let Some(email) = &o.customer.email {
            js::set(&props, "email", &s(email));
        }
        let name = crate::text::join(&[o.customer.first_name.as_deref(), o.customer.last_name.as_deref()], " ");
        if !name.is_empty() {
            js::set(&props, "name", &s(&name));
        }
        props
    }
}

/// Empties every input of `form` (the `PWToken` input the library wrote the token into).
fn scrub_token_inputs(form: &Element) {
    if let Ok(list) = form.query_selector_all("input") {
        for i in 0..list.length() {
            // Every match is an <input>: its `value` is set as a property, with no type check.
            if let Some(input) = list.item(i) {
                js::set(&input, "value", &JsValue::from_str(""));
            }
        }
    }
}

/// `TokenInfo.Last4` is `numeric[4]` (Versions/Forms/_index.md): a card ending in 0001 arrives
/// as the number 1. The digits the shopper sees are four, zero-padded.
fn last_four(info: &JsValue) -> Option<String> {
    let digits = js::get_string(info, "Last4")?;
    if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // No str slice: it would bring core's slice-error formatting into the wasm (see `text`).
    let mut four = String::with_capacity(4);
    for _ in digits.len()..4 {
        four.push('0');
    }
    four.push_str(&digits);
    Some(four)
}

impl Provider for Bamboo {
    fn script(&self) -> ScriptSpec {
        // Always set: the page's, or the production script the JS entry fills in (one table there).
        let url = self.opts.script_url.as_deref().unwrap_or_default();
        ScriptSpec { url: with_query(url, "key", &self.opts.public_key), attributes: Vec::new(), global: "PWCheckout" }
    }

    fn mount(&mut self, host: &Element, sink: Sink) -> Result<(), PasarelaError> {
        let locale = self.opts.locale;
        let setup_failed =
            |e: JsValue| setup_error(locale, ProviderId::Bamboo, &e.as_string().unwrap_or_else(|| "PWCheckout".into()));
        let doc = web::document();
        let pw = Self::pw();
        let form_id = next_dom_id("bamboo-form");
        let form = doc.create_element("form").map_err(setup_failed)?;
        form.set_id(&form_id);
        form.set_class_name("pasarela-bamboo-form");
        let _ = form.set_attribute("hidden", "");
        let _ = form.set_attribute("action", "about:blank"); // autoSubmit is off; never posts
                                                             // The documented hidden field, by name and id: there is one per page, as PWCheckout is.
        let token_input = doc.create_element("input").map_err(setup_failed)?;
        let _ = token_input.set_attribute("type", "hidden");
        let _ = token_input.set_attribute("name", "PWToken");
        token_input.set_id("PWToken");
        form.append_child(&token_input).map_err(setup_failed)?;
        host.append_child(&form).map_err(setup_failed)?;
        self.nodes = vec![form.clone()];

        js::call(&pw, "SetProperties", &[&self.properties(&form_id, &self.frame_id)]).map_err(setup_failed)?;

        let s = sink.clone();
        let on_token = self.handlers.keep_unit(move |info: JsValue| {
            scrub_token_inputs(&form);
            let Some(token) = js::get_string(&info, "TokenId") else {
                s(ProviderEvent::TokenError(
                    PasarelaError::new(ErrorCode::TokenizationFailed, locale).with_provider(ProviderId::Bamboo),
                ));
                return;
            };
            let kind = kind_of(&token).unwrap_or(TokenKind::OneTime);
            s(ProviderEvent::Token {
                source: Source::Token { token, kind: Some(kind) },
                kind,
                brand: js::get_string(&info, "Brand"),
                last4: last_four(&info),
            });
        });
        let s = sink.clone();
        let on_token_error = self.handlers.keep_unit(move |err: JsValue| {
            // Shape inferred: public pages read `ErrorCode`/`Message` from it, or get a string.
            let detail = err.as_string().or_else(|| js::get_string(&err, "ErrorCode")).unwrap_or_default();
            s(ProviderEvent::TokenError(
                PasarelaError::new(ErrorCode::TokenizationFailed, locale)
                    .with_provider(ProviderId::Bamboo)
                    .with_detail(&detail),
            ));
        });
        let s = sink.clone();
        let on_notification = self.handlers.keep_unit(move |n: JsValue| {
            let status = match js::get(&n, "ProcessStatus").as_f64() {
                Some(1.0) => NotificationStatus::Ok,
                Some(2.0) => NotificationStatus::Pending,
                _ => NotificationStatus::Error,
            };
            s(ProviderEvent::Notification(status));
        });
        let s = sink.clone();
        let on_closed = self.handlers.keep_unit(move |c: JsValue| {
            if let Some(reason) = CloseReason::of(&js::get_string(&c, "Reason").unwrap_or_default()) {
                s(ProviderEvent::Closed(reason));
            }
        });
        for (event, handler) in EVENTS.iter().zip([on_token, on_token_error, on_notification, on_closed]) {
            js::call(&pw, "Bind", &[&JsValue::from_str(event), &handler]).map_err(setup_failed)?;
        }

        self.modal = !js::has_method(&pw, "LoadIframe");
        Ok(())
    }

    fn mount_form(&mut self, host: &Element, sink: Sink) -> Result<(), PasarelaError> {
        if !self.modal {
            // The page's own <iframe>, which LoadIframe() loads the form into (a <div> stays blank).
            let frame = web::document().create_element("iframe").map_err(|e| self.setup_failed(e))?;
            frame.set_id(&self.frame_id);
            frame.set_class_name("pasarela-provider-form pasarela-bamboo-frame");
            let _ = frame.set_attribute("title", self.opts.locale.text(Msg::CardForm));
            host.append_child(&frame).map_err(|e| self.setup_failed(e))?;
            self.nodes.push(frame);
            js::call(&Self::pw(), "LoadIframe", &[]).map_err(|e| self.setup_failed(e))?;
        }
        sink(ProviderEvent::Ready);
        Ok(())
    }

    fn submit(&mut self) -> Result<(), PasarelaError> {
        // The embedded form has its own button and PWCheckout offers no call to press it: the
        // attempt starts when the shopper submits. The modal variant is opened here.
        if self.modal {
            js::call(&Self::pw(), "OpenIframeNormal", &[]).map_err(|_| {
                PasarelaError::new(ErrorCode::ScriptLoadFailed, self.opts.locale).with_provider(ProviderId::Bamboo)
            })?;
        }
        Ok(())
    }

    fn verify(&mut self, action_url: &str) -> Option<Result<(), PasarelaError>> {
        let before = self.body_children_count();
        let r = js::call(&Self::pw(), "PWCapture", &[&JsValue::from_str(action_url)]).map(|_| ()).map_err(|_| {
            PasarelaError::new(ErrorCode::Unsupported, self.opts.locale)
                .with_provider(ProviderId::Bamboo)
                .with_detail("PWCapture")
        });
        self.keep_added_since(before);
        Some(r)
    }

    fn unmount(&mut self) {
        let pw = Self::pw();
        if !self.handlers.is_empty() && js::has_method(&pw, "Unbind") {
            for e in EVENTS {
                let _ = js::call(&pw, "Unbind", &[&JsValue::from_str(e)]);
            }
        }
        self.handlers.clear();
        for n in self.nodes.drain(..) {
            n.remove();
        }
    }
}
