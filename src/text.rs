//! Strings built without `core::fmt`: `format!` and `to_string()` pull formatting machinery
//! (padding, `Display` impls, argument tables) into the wasm at every call site (README, "Size and speed").

/// The pieces, concatenated.
pub fn cat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        out.push_str(p);
    }
    out
}

/// The pieces that are there, with `sep` between them.
pub fn join(parts: &[Option<&str>], sep: &str) -> String {
    let mut out = String::new();
    for p in parts.iter().flatten() {
        if !out.is_empty() {
            out.push_str(sep);
        }
        out.push_str(p);
    }
    out
}

// Searching for a single `char` (`s.split('.')`) uses core's memchr-based searcher, whose
// slicing panics with formatted indices: with those two it was the last way into integer
// formatting in the package. A `char` predicate takes a plain scan instead (README, "Size and speed").

/// `s.split(sep)`.
pub fn split(s: &str, sep: char) -> impl Iterator<Item = &str> {
    s.split(move |c| c == sep)
}

/// `s.split_once(sep)`.
pub fn split_once(s: &str, sep: char) -> Option<(&str, &str)> {
    s.split_once(move |c| c == sep)
}

/// `s.rsplit_once(sep)`.
pub fn rsplit_once(s: &str, sep: char) -> Option<(&str, &str)> {
    s.rsplit_once(move |c| c == sep)
}

/// `s.contains(c)`.
pub fn has(s: &str, c: char) -> bool {
    s.chars().any(|x| x == c)
}

/// `n` in decimal. In the wasm the page's `Number.prototype.toString` prints it (exact for every
/// value Pasarela prints: amounts are at most `Number.MAX_SAFE_INTEGER`, the rest are `u32`s): the
/// digit loop below, with its `String` collection, was 0.45 KB of wasm.
#[cfg(target_arch = "wasm32")]
pub fn u64_text(n: u64) -> String {
    js_sys::Number::from(n as f64).to_string_with_radix(10).map(String::from).unwrap_or_default()
}

/// `n` in decimal.
#[cfg(not(target_arch = "wasm32"))]
pub fn u64_text(mut n: u64) -> String {
    // Least significant digit first, then reversed: no indexing, so no bounds check.
    let mut digits = Vec::with_capacity(20);
    loop {
        digits.push(b'0' + (n % 10) as u8);
        n /= 10;
        if n == 0 {
            break;
        }
    }
    digits.iter().rev().map(|&d| d as char).collect()
}

/// `n` in decimal.
pub fn u32_text(n: u32) -> String {
    u64_text(u64::from(n))
}

/// `n` in decimal, at least `width` digits (zero-padded on the left).
pub fn padded(n: u64, width: usize) -> String {
    let digits = u64_text(n);
    let mut out = String::with_capacity(width.max(digits.len()));
    while out.len() + digits.len() < width {
        out.push('0');
    }
    out.push_str(&digits);
    out
}

/// A decimal `u32` made of ASCII digits only (no sign, no spaces); `None` otherwise or on overflow.
pub fn parse_u32(s: &str) -> Option<u32> {
    if s.is_empty() {
        return None;
    }
    s.bytes().try_fold(0u32, |n, b| {
        let d = b.checked_sub(b'0').filter(|d| *d < 10)?;
        n.checked_mul(10)?.checked_add(u32::from(d))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_and_parse_like_std() {
        for n in [0u64, 7, 10, 99, 12345, u64::from(u32::MAX), u64::MAX] {
            assert_eq!(u64_text(n), n.to_string());
        }
        assert_eq!(padded(5, 2), "05");
        assert_eq!(padded(123, 2), "123");
        assert_eq!(parse_u32("202611"), Some(202611));
        assert_eq!(parse_u32("4294967295"), Some(u32::MAX));
        for bad in ["", "4294967296", "-1", " 1", "1a", "+3"] {
            assert_eq!(parse_u32(bad), None, "{bad:?}");
        }
        assert_eq!(cat(&["a", "", "bc"]), "abc");
        assert_eq!(join(&[Some("Ana"), None, Some("Banco")], " · "), "Ana · Banco");
        assert_eq!(join(&[None, None], " "), "");
    }
}
