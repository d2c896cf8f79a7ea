//! Lyra — the KR (krypton) embedded form. Every behaviour relied on here is listed, with its
//! source, in `docs/providers/kr.md`.
//!
//! The script is loaded with `kr-public-key`, `kr-language` and `kr-spa-mode="true"` (as Lyra's own
//! glue does for single-page apps, `lyra/embedded-form-glue` `app/KryptonGlue.js`); once
//! `KR.ready` (the glue's wait), `KR.setFormConfig({ formToken })` and `KR.renderElements(…)` (or,
//! on V4.1 clients, `KR.attachForm(…)` + `KR.showForm(formId)`) draw the form inside Pasarela's
//! container. The form pays by itself: `KR.onSubmit` is called only for an accepted payment; a
//! refused one reaches `KR.onError` with the signed answer in `metadata.answer`, and the form stays
//! up for another card (Lyra's maintainer, `lyra/embedded-form-glue` issue #17). Either answer is
//! forwarded verbatim, because only the merchant server can check `hash`; Pasarela returns `false`
//! from `onSubmit` (no client redirect). `PSP_099` means too many attempts: the form is locked.

use super::{form_slot, setup_error, Handlers, Provider, ProviderEvent, Sink};
use crate::domain::error::{ErrorCode, PasarelaError};
use crate::domain::merchant::Source;
use crate::domain::options::{CheckoutOptions, KrOptions};
use crate::domain::token::TokenKind;
use crate::domain::ProviderId;
use crate::web::{js, script::ScriptSpec};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::Element;

/// How often `KR.ready` is looked at while the client boots (Lyra's loader: 150 ms).
const READY_POLL_MS: u32 = 50;

pub struct Kr {
    opts: Rc<CheckoutOptions>,
    own: KrOptions,
    nodes: Vec<Element>,
    handlers: Handlers,
    /// Cleared by `unmount`: the set-up steps still on their way stop there.
    live: Rc<std::cell::Cell<bool>>,
    /// Settles the wait for `onFormReady` (called by `unmount` too).
    settle_wait: Option<js_sys::Function>,
}

impl Kr {
    pub fn new(own: KrOptions, opts: Rc<CheckoutOptions>) -> Self {
        Self {
            opts,
            own,
            nodes: Vec::new(),
            handlers: Handlers::default(),
            live: Rc::new(std::cell::Cell::new(true)),
            settle_wait: None,
        }
    }

    fn language(&self) -> &'static str {
        match self.opts.locale {
            crate::domain::i18n::Locale::Es => "es-ES",
            crate::domain::i18n::Locale::En => "en-US",
            crate::domain::i18n::Locale::Pt => "pt-BR",
        }
    }
}

/// A KRError as a `PasarelaError`: the KR `errorCode` goes into the message, its `field` into `field`.
fn kr_error(err: &JsValue, locale: crate::domain::i18n::Locale) -> PasarelaError {
    let code = js::get_string(err, "errorCode").unwrap_or_default();
    let mut e =
        PasarelaError::new(ErrorCode::TokenizationFailed, locale).with_provider(ProviderId::Kr).with_detail(&code);
    if let Some(f) = js::get_string(err, "field") {
        e = e.with_field(&f);
    }
    e
}

/// Brand and last four digits from a V4/Payment `clientAnswer`, when present.
fn card_of(answer: &JsValue) -> (Option<String>, Option<String>) {
    let tx = js::get(&js::get(answer, "transactions"), "0");
    let card = js::get(&js::get(&tx, "transactionDetails"), "cardDetails");
    let brand = js::get_string(&card, "effectiveBrand");
    let last4 = js::get_string(&card, "pan").and_then(|p| Some(p.get(p.len().checked_sub(4)?..)?.to_owned()));
    (brand, last4)
}

/// A processed-payment answer (`onSubmit`'s argument, or `metadata.answer` of a refusal) as the
/// `token` the merchant verifies: `kr-answer` and `kr-hash` verbatim.
fn answer_token(event: &JsValue) -> ProviderEvent {
    let client_answer = js::get(event, "clientAnswer");
    let (brand, last4) = card_of(&client_answer);
    let text = |k: &str| js::get_string(event, k).unwrap_or_default();
    let source = Source::KrAnswer {
        client_answer: js_sys::JSON::stringify(&client_answer).ok().and_then(|j| j.as_string()).unwrap_or_default(),
        raw_client_answer: text("rawClientAnswer"),
        hash: text("hash"),
        hash_algorithm: text("hashAlgorithm"),
        hash_key: text("hashKey"),
    };
    ProviderEvent::Token { source, kind: TokenKind::FormAnswer, brand, last4 }
}

/// What a `KR.onError` means: the form locked (`PSP_099`), a refused payment whose signed answer
/// the merchant must record, or card data to correct.
fn on_kr_error(err: &JsValue, locale: crate::domain::i18n::Locale) -> ProviderEvent {
    if js::get_string(err, "errorCode").as_deref() == Some("PSP_099") {
        let e = PasarelaError::new(ErrorCode::AttemptsExceeded, locale)
            .with_provider(ProviderId::Kr)
            .with_field("kr.formToken")
            .with_detail("PSP_099");
        return ProviderEvent::FormLocked(e);
    }
    let answer = js::get(&js::get(err, "metadata"), "answer");
    if js::get_string(&answer, "rawClientAnswer").is_some() {
        return answer_token(&answer);
    }
    ProviderEvent::TokenError(kr_error(err, locale))
}

impl Provider for Kr {
    fn script(&self) -> ScriptSpec {
        // Always set: the page's, or the production script the JS entry fills in (one table there).
        let url = self.opts.script_url.clone().unwrap_or_default();
        ScriptSpec {
            url,
            attributes: vec![
                ("kr-public-key", self.opts.public_key.clone()),
                ("kr-language", self.language().to_owned()),
                ("kr-spa-mode", "true".to_owned()),
            ],
            global: "KR",
        }
    }

    fn mount_form(&mut self, host: &Element, sink: Sink) -> Result<(), PasarelaError> {
        let locale = self.opts.locale;
        let fail = move |detail: &str| setup_error(locale, ProviderId::Kr, detail);
        let kr = js::global("KR");
        // `renderElements` where the client has it; the V4.1 clients (Lyra's and its resellers'
        // copies) have only `attachForm` + `showForm` (docs/providers/kr.md, "Rendering").
        // `attachForm` makes its own `.kr-embedded` inside the slot and refuses a slot that is
        // one already, so the class goes on the slot only for `renderElements`.
        let render = js::has_method(&kr, "renderElements");
        let class = if render { "pasarela-provider-form kr-embedded" } else { "pasarela-provider-form" };
        let (form, form_id) = form_slot(host, "kr-form", class).map_err(|_| fail("container"))?;
        self.nodes.push(form);

        let s = sink.clone();
        let on_submit = self.handlers.keep(move |event: JsValue| {
            s(answer_token(&event));
            JsValue::FALSE // stop KR's own redirect: Pasarela forwards the answer itself
        });
        let s = sink.clone();
        let on_error = self.handlers.keep(move |err: JsValue| {
            s(on_kr_error(&err, locale));
            JsValue::UNDEFINED
        });
        // `onFormReady` settles the wait for it; `unmount` settles it too, so a checkout destroyed
        // while its form loads leaves no wait (and no timer) behind.
        let (form_ready, settle, _) = crate::web::deferred();
        self.settle_wait = Some(settle.clone());
        let on_ready = self.handlers.keep(move |_| {
            let _ = settle.call0(&JsValue::NULL);
            JsValue::UNDEFINED
        });
        let live = self.live.clone();

        let config = js::object(&[
            ("formToken", JsValue::from_str(&self.own.form_token)),
            ("kr-language", JsValue::from_str(self.language())),
        ]);
        // The calls, in order; each returns a promise (or not) that is awaited before the next.
        let mut steps: Vec<(&'static str, JsValue)> =
            vec![("setFormConfig", config.into()), ("onSubmit", on_submit), ("onError", on_error)];
        let has_ready_event = js::has_method(&kr, "onFormReady");
        if has_ready_event {
            steps.push(("onFormReady", on_ready));
        }
        if let Some(url) = self.own.bin_update_url.as_deref() {
            // Named by the seed but absent from Lyra's public typings: call it only if present,
            // and tell the merchant (an `error` event, not fatal) when it is not.
            if js::has_method(&kr, "setBinUpdateNotificationUrl") {
                steps.push(("setBinUpdateNotificationUrl", JsValue::from_str(url)));
            } else {
                let e = PasarelaError::new(ErrorCode::Unsupported, locale)
                    .with_provider(ProviderId::Kr)
                    .with_field("kr.binUpdateUrl")
                    .with_detail("KR.setBinUpdateNotificationUrl");
                sink(ProviderEvent::Warning(e));
            }
        }
        let selector = JsValue::from_str(&crate::text::cat(&["#", &form_id]));
        steps.push(if render { ("renderElements", selector) } else { ("attachForm", selector) });
        // Every step and the form's `onFormReady` are bounded like the script itself: a client
        // that never answers fails the setup instead of leaving `ready` pending for ever.
        let bound = crate::web::script::SCRIPT_TIMEOUT_MS;
        crate::web::spawn(async move {
            // Lyra's loader waits for `KR.ready` before its first call ([Glue] `KryptonGlue.js`,
            // 1.2.0 "Wait for KR ready"): until then the client queues every call and resolves it
            // at once, without its result (no `formId` from `attachForm`).
            let mut waited = 0;
            while !js::get(&kr, "ready").is_truthy() {
                if waited >= bound {
                    return sink(ProviderEvent::SetupFailed(fail("KR.ready")));
                }
                crate::web::time::sleep(READY_POLL_MS).await;
                waited += READY_POLL_MS;
                if !live.get() {
                    return;
                }
            }
            let mut answer = JsValue::UNDEFINED;
            for (name, arg) in steps {
                let done = match js::call(&kr, name, &[&arg]) {
                    Ok(r) => crate::web::time::with_timeout(js_sys::Promise::resolve(&r), bound).await,
                    Err(_) => None,
                };
                if !live.get() {
                    return;
                }
                match done {
                    Some(Ok(v)) => answer = v,
                    _ => return sink(ProviderEvent::SetupFailed(fail(name))),
                }
            }
            if !render {
                // `attachForm` answers `{ KR, result: { formId } }`; `showForm(formId)` shows it.
                let form_id = js::get(&js::get(&answer, "result"), "formId");
                let shown = match js::call(&kr, "showForm", &[&form_id]) {
                    Ok(r) if form_id.is_string() => crate::web::time::with_timeout(js_sys::Promise::resolve(&r), bound).await,
                    _ => None,
                };
                if !live.get() {
                    return;
                }
                if !matches!(shown, Some(Ok(_))) {
                    return sink(ProviderEvent::SetupFailed(fail("showForm")));
                }
            }
            if has_ready_event && crate::web::time::with_timeout(form_ready, bound).await.is_none() {
                return sink(ProviderEvent::SetupFailed(fail("onFormReady")));
            }
            if live.get() {
                sink(ProviderEvent::Ready);
            }
        });
        Ok(())
    }

    fn submit(&mut self) -> Result<(), PasarelaError> {
        let kr = js::global("KR");
        js::call(&kr, "submit", &[]).map(|_| ()).map_err(|e| kr_error(&e, self.opts.locale))
    }

    fn unmount(&mut self) {
        self.live.set(false);
        if let Some(settle) = self.settle_wait.take() {
            let _ = settle.call0(&JsValue::NULL);
        }
        let kr = js::global("KR");
        if !self.handlers.is_empty() {
            for m in ["removeEventCallbacks", "removeForms"] {
                if js::has_method(&kr, m) {
                    let _ = js::call(&kr, m, &[]);
                }
            }
        }
        for n in self.nodes.drain(..) {
            n.remove();
        }
        self.handlers.clear();
    }
}
