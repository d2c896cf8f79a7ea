//! Strings built without `core::fmt`: `format!` and `to_string()` pull formatting machinery
//! (padding, `Display` impls, argument tables) into the wasm at every call site (issue #6).

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

/// `n` in decimal.
pub fn u64_text(mut n: u64) -> String {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    digits[at..].iter().map(|&d| d as char).collect()
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
