//! In-page authentication (docs/api.md §4, "Beyond the card form"): Conekta's 3-D Secure page
//! framed in the storefront's page, and the provider's way back to this service.
//!
//! - Before a pending answer says `challenge`, [`framable`] asks the page itself (`HEAD`, 2 s,
//!   no redirect followed) whether every storefront origin (PASARELA_ALLOWED_ORIGINS) may frame
//!   it: CSP `frame-ancestors` when the page sends one (browsers then ignore `X-Frame-Options`,
//!   CSP Level 3 §6.4.2), else `X-Frame-Options` (`DENY`; `SAMEORIGIN` unless the storefront is
//!   the page's origin). `HEAD`, not `GET`: it answers a `GET`'s headers without the page
//!   (RFC 9110 §9.3.2), and an authentication URL may be good for one visit (*inferred*: Conekta
//!   does not say), which must be the shopper's. A page that does not answer, answers a redirect
//!   or an error (a `405` to `HEAD` too), or refuses one origin gets `redirect` instead: a blank
//!   modal is worse than a full-page redirect. So does a service without storefront origins: its
//!   return page could tell no parent.
//! - The provider sends the shopper back to `GET /pay/{paymentId}/return` (Conekta's
//!   `return_url`, Bamboo's `Redirection.Url_*`, which Bamboo POSTs a form to): the service
//!   reads the payment again from the provider (whatever the page's reads did just before: the
//!   provider's webhook may still be on its way), then, framed (`Sec-Fetch-Dest: iframe`), answers
//!   a page whose one script (a CSP nonce) posts `{ source: 'pasarela', type: 'challenge_end',
//!   paymentId }` to its parent with each storefront origin as target; as a page
//!   (`Sec-Fetch-Dest: document`), `303` to the session's `returnUrl` with
//!   `?pasarela_payment=<paymentId>`; without the header (an older browser), the page decides in
//!   script (framed: the message; not: the `returnUrl`).
//!
//! The return URL carries the payment's id, chosen when the attempt began (pay.rs): the provider
//! must be given it before the payment is recorded. Its base is PASARELA_PUBLIC_URL, which must be
//! on the origin of the checkout's `paymentUrl`: the page takes `challenge_end` only from there
//! (a storefront that proxies `/pay` passes `/pay/{id}/return` on too, as the sandbox's does).

use crate::app::{random_text, ApiError, App};
use crate::store;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use reqwest::Url;
use std::sync::OnceLock;
use std::time::Duration;

/// The bound on the framing probe.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// Whether every storefront origin may frame `url`, as its page says (see the module).
pub async fn framable(app: &App, url: &str) -> bool {
    static PROBE: OnceLock<reqwest::Client> = OnceLock::new();
    let origins = &app.config.allowed_origins;
    if origins.is_empty() {
        return false;
    }
    let Ok(target) = Url::parse(url) else { return false };
    let client = PROBE.get_or_init(|| crate::providers::http_client(PROBE_TIMEOUT));
    let answer = match client.head(target.clone()).send().await {
        Ok(r) if r.status().is_success() => r,
        Ok(r) => {
            tracing::info!(status = r.status().as_u16(), "challenge page not framed: it answered no page");
            return false;
        }
        Err(e) => {
            tracing::info!(error = %crate::redact::redact(&e.without_url().to_string()), "challenge page not framed: it did not answer");
            return false;
        }
    };
    let all = |name: header::HeaderName| -> Vec<String> {
        answer.headers().get_all(name).iter().filter_map(|v| v.to_str().ok()).map(str::to_owned).collect()
    };
    let verdict = may_frame(&all(header::X_FRAME_OPTIONS), &all(header::CONTENT_SECURITY_POLICY), &target, origins);
    if !verdict {
        tracing::info!("challenge page refuses to be framed: answered as a redirect");
    }
    verdict
}

/// Whether a page at `target` answering these `X-Frame-Options` and `Content-Security-Policy`
/// headers lets each of `origins` frame it.
pub fn may_frame(xfo: &[String], csp: &[String], target: &Url, origins: &[String]) -> bool {
    // Every enforced policy's frame-ancestors must allow it; one header may hold several
    // policies (comma-separated).
    let ancestors: Vec<&str> = csp
        .iter()
        .flat_map(|h| h.split(','))
        .filter_map(|policy| {
            policy.split(';').map(str::trim).find_map(|d| {
                let (name, value) = d.split_once(char::is_whitespace).unwrap_or((d, ""));
                name.eq_ignore_ascii_case("frame-ancestors").then_some(value.trim())
            })
        })
        .collect();
    if !ancestors.is_empty() {
        return origins.iter().all(|o| ancestors.iter().all(|list| source_list_allows(list, o, target)));
    }
    let words: Vec<String> = xfo.iter().flat_map(|h| h.split(',')).map(|w| w.trim().to_ascii_uppercase()).filter(|w| !w.is_empty()).collect();
    if words.iter().any(|w| w == "DENY") {
        return false;
    }
    if words.iter().any(|w| w == "SAMEORIGIN") {
        let own = target.origin().ascii_serialization();
        return origins.iter().all(|o| *o == own);
    }
    // ALLOW-FROM and anything else: ignored by browsers.
    true
}

/// CSP's source-list matching for `frame-ancestors` (CSP Level 3 §6.7.2.x), reduced to what an
/// ancestor can be, an origin: `'none'`, `'self'`, `*`, scheme sources (`https:`) and host
/// sources (`[scheme://]host[:port][/path]`, `*.` wildcards, `:*` any port).
fn source_list_allows(list: &str, origin: &str, target: &Url) -> bool {
    let Ok(o) = Url::parse(origin) else { return false };
    let (scheme, host, port) = (o.scheme(), o.host_str().unwrap_or_default(), o.port_or_known_default());
    list.split_ascii_whitespace().any(|source| {
        let s = source.to_ascii_lowercase();
        match s.as_str() {
            "'none'" => false,
            "'self'" => target.origin() == o.origin(),
            "*" => matches!(scheme, "http" | "https"),
            // A scheme source; `http:` lets https through too (CSP's upgrade rule).
            _ if s.ends_with(':') && !s.contains('/') => {
                let sch = s.trim_end_matches(':');
                sch == scheme || (sch == "http" && scheme == "https")
            }
            _ if s.starts_with('\'') => false,
            _ => host_source_allows(&s, scheme, host, port),
        }
    })
}

fn host_source_allows(source: &str, scheme: &str, host: &str, port: Option<u16>) -> bool {
    let (src_scheme, rest) = match source.split_once("://") {
        Some((sch, rest)) => (Some(sch), rest),
        None => (None, source),
    };
    // A scheme-less source matches the page's own scheme, or https for http (an upgrade).
    let scheme_ok = match src_scheme {
        Some(sch) => sch == scheme || (sch == "http" && scheme == "https"),
        None => matches!(scheme, "http" | "https"),
    };
    let authority = rest.split('/').next().unwrap_or_default();
    let (src_host, src_port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.is_empty() => (h, Some(p)),
        _ => (authority, None),
    };
    let host_ok = match src_host.strip_prefix("*.") {
        Some(suffix) => host.ends_with(&format!(".{suffix}")),
        None => src_host == host,
    };
    let default_port = match src_scheme.unwrap_or(scheme) {
        "https" => Some(443),
        "http" => Some(80),
        _ => None,
    };
    let port_ok = match src_port {
        Some("*") => true,
        Some(p) => p.parse::<u16>().ok() == port,
        None => port == default_port || (src_scheme == Some("http") && scheme == "https" && port == Some(443)),
    };
    scheme_ok && host_ok && port_ok
}

/// How the shopper's browser came back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Came {
    /// In the page's modal frame (`Sec-Fetch-Dest: iframe`).
    Framed,
    /// As the page itself (`Sec-Fetch-Dest: document`): a full-page redirect ended.
    Page,
    /// A browser that does not say: the page decides in script.
    Unsaid,
}

impl Came {
    /// From the request's `Sec-Fetch-Dest` (Fetch Metadata).
    pub fn of(headers: &HeaderMap) -> Self {
        match headers.get("sec-fetch-dest").and_then(|v| v.to_str().ok()) {
            Some("iframe" | "frame") => Self::Framed,
            Some("document") => Self::Page,
            _ => Self::Unsaid,
        }
    }
}

/// `GET` and `POST /pay/{id}/return`: reads the payment again, then ends the challenge in the
/// frame or sends the page back to the storefront (see the module).
pub async fn came_back(app: &App, id: &str, came: Came) -> Result<Response, ApiError> {
    let unknown = || ApiError::new(StatusCode::NOT_FOUND, "unknown payment").field("paymentId");
    if !crate::pay::is_payment_id(id) {
        return Err(unknown());
    }
    let p = store::payment(&app.db, id).await?.ok_or_else(unknown)?;
    let p = crate::pay::refresh(app, p, true).await?;
    let session = store::session(&app.db, &p.session_id).await?;
    let back = session.and_then(|s| s.return_url).and_then(|u| Url::parse(&u).ok()).map(|mut u| {
        u.query_pairs_mut().append_pair("pasarela_payment", &p.id);
        u.to_string()
    });
    if let (Came::Page, Some(back)) = (came, &back) {
        let mut r = StatusCode::SEE_OTHER.into_response();
        if let Ok(v) = HeaderValue::from_str(back) {
            r.headers_mut().insert(header::LOCATION, v);
        }
        r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        r.headers_mut().insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
        return Ok(r);
    }
    Ok(page(&p.id, &app.config.allowed_origins, back.as_deref().filter(|_| came == Came::Unsaid)))
}

/// The return page: one inline script, allowed by a nonce, posts `challenge_end` to the parent
/// for each storefront origin (the browser delivers it only to the one the parent has), or, not
/// framed, goes to `back`. Nothing cached, no referrer, framed only by the storefront origins.
pub fn page(payment_id: &str, origins: &[String], back: Option<&str>) -> Response {
    let nonce = random_text(24);
    let data = serde_json::json!({ "paymentId": payment_id, "origins": origins, "back": back });
    // JSON in a script: `<` escaped so no text closes the element.
    let data = data.to_string().replace('<', "\\u003c");
    let html = format!(
        "<!doctype html><html lang=\"es\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>Pasarela</title></head><body><p>Volviendo a la tienda… / Returning to the store…</p>\
         <script nonce=\"{nonce}\">(function(){{var d={data};\
         if(window.parent!==window){{for(var i=0;i<d.origins.length;i++){{try{{window.parent.postMessage(\
         {{source:'pasarela',type:'challenge_end',paymentId:d.paymentId}},d.origins[i]);}}catch(e){{}}}}}}\
         else if(d.back){{location.replace(d.back);}}}})();</script></body></html>"
    );
    let ancestors = if origins.is_empty() { "'none'".to_owned() } else { origins.join(" ") };
    let csp = format!("default-src 'none'; script-src 'nonce-{nonce}'; base-uri 'none'; form-action 'none'; frame-ancestors {ancestors}");
    let mut r = (StatusCode::OK, html).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if let Ok(v) = HeaderValue::from_str(&csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(xfo: &[&str], csp: &[&str], target: &str, origins: &[&str]) -> bool {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        may_frame(&s(xfo), &s(csp), &Url::parse(target).unwrap(), &s(origins))
    }

    #[test]
    fn x_frame_options_and_frame_ancestors_decide() {
        let shop = ["https://shop.example"];
        let acs = "https://3ds.example/challenge/1";
        assert!(frames(&[], &[], acs, &shop), "nothing said: framable");
        assert!(!frames(&["DENY"], &[], acs, &shop));
        assert!(!frames(&["deny"], &[], acs, &shop));
        assert!(!frames(&["SAMEORIGIN"], &[], acs, &shop));
        assert!(frames(&["SAMEORIGIN"], &[], "https://shop.example/3ds", &shop), "the storefront's own origin");
        assert!(frames(&["ALLOW-FROM https://shop.example"], &[], acs, &shop), "ignored by browsers");
        // frame-ancestors wins over X-Frame-Options.
        assert!(frames(&["DENY"], &["frame-ancestors https://shop.example"], acs, &shop));
        assert!(!frames(&[], &["default-src 'self'; frame-ancestors 'none'"], acs, &shop));
        assert!(!frames(&[], &["frame-ancestors 'self'"], acs, &shop));
        assert!(frames(&[], &["frame-ancestors 'self'"], "https://shop.example/x", &shop));
        assert!(frames(&[], &["frame-ancestors *"], acs, &shop));
        assert!(frames(&[], &["frame-ancestors https:"], acs, &shop));
        assert!(!frames(&[], &["frame-ancestors https:"], acs, &["http://localhost:8080"]));
        assert!(frames(&[], &["frame-ancestors https://*.example"], acs, &shop));
        assert!(!frames(&[], &["frame-ancestors https://*.other.example"], acs, &shop));
        assert!(frames(&[], &["frame-ancestors shop.example"], acs, &shop));
        assert!(!frames(&[], &["frame-ancestors https://shop.example:8443"], acs, &shop));
        assert!(frames(&[], &["frame-ancestors http://127.0.0.1:*"], acs, &["http://127.0.0.1:41234"]));
        // Every storefront origin, under every policy.
        assert!(!frames(&[], &["frame-ancestors https://shop.example"], acs, &["https://shop.example", "https://other.example"]));
        assert!(!frames(&[], &["frame-ancestors *", "frame-ancestors 'none'"], acs, &shop));
        assert!(!frames(&[], &["frame-ancestors *, frame-ancestors 'none'"], acs, &shop));
        // Other directives only: X-Frame-Options decides.
        assert!(!frames(&["DENY"], &["default-src 'self'"], acs, &shop));
    }

    #[test]
    fn the_return_page_posts_to_each_storefront_origin_with_a_nonce_only() {
        let origins = vec!["https://shop.example".to_owned(), "http://127.0.0.1:8080".to_owned()];
        let r = page("pay_1", &origins, None);
        let csp = r.headers()[header::CONTENT_SECURITY_POLICY].to_str().unwrap().to_owned();
        let nonce = csp.split("'nonce-").nth(1).unwrap().split('\'').next().unwrap().to_owned();
        assert!(csp.starts_with("default-src 'none'; script-src 'nonce-") && csp.ends_with("frame-ancestors https://shop.example http://127.0.0.1:8080"), "{csp}");
        assert_eq!(r.headers()[header::CACHE_CONTROL], "no-store");
        let page_csp = page("pay_1", &[], Some("https://shop.example/back?pasarela_payment=pay_1"));
        assert!(page_csp.headers()[header::CONTENT_SECURITY_POLICY].to_str().unwrap().ends_with("frame-ancestors 'none'"));
        assert_ne!(nonce, "", "a nonce per page");
    }
}
