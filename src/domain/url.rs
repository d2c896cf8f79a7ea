//! Which URLs Pasarela will fetch, load or open: `http(s)://…` or a path on the page's own site.
//!
//! Decided on the spelling the browser's URL parser will see, and strict where that parser is
//! lenient: it strips control characters and spaces, and reads `\` as `/` in http(s) URLs, so
//! `/\evil.example/x` or `/\t/evil.example` would leave the site although they start with one
//! slash. In the browser, `crate::web::url_allowed` then resolves what passed here against the
//! page's own URL, which is the final word.

/// Whether `u` is an absolute `http(s)://` URL with a host, or a same-site path (`/…`, `./…`).
/// Anything with another scheme (`javascript:`, `data:`), a protocol-relative `//host`, a
/// backslash, whitespace or a control character is refused.
pub fn is_http_or_path(u: &str) -> bool {
    if u.bytes().any(|b| b <= b' ' || b == 0x7f || b == b'\\') {
        return false;
    }
    let lower = u.to_ascii_lowercase();
    for scheme in ["https://", "http://"] {
        if let Some(rest) = lower.strip_prefix(scheme) {
            return !rest.is_empty() && !rest.starts_with('/');
        }
    }
    (u.starts_with('/') && !u.starts_with("//")) || u.starts_with("./")
}

#[cfg(test)]
mod tests {
    use super::is_http_or_path;

    #[test]
    fn http_urls_and_site_paths_pass() {
        for ok in ["https://pay.example/x", "HTTP://localhost:8080/p", "/merchant/pay", "/", "./pay?x=1"] {
            assert!(is_http_or_path(ok), "{ok}");
        }
    }

    #[test]
    fn spellings_the_url_parser_sends_elsewhere_are_refused() {
        for bad in [
            "//evil.example/pay",
            "/\\evil.example/pay",
            "\\\\evil.example",
            "/\t/evil.example",
            "\u{1}//evil.example",
            " https://evil.example",
            "https:///evil.example",
            "https://",
            "javascript:alert(1)",
            "data:text/javascript,1",
            "pay",
            "",
        ] {
            assert!(!is_http_or_path(bad), "{bad:?}");
        }
    }
}
