//! The `Idempotency-Key` rule: the page makes one RFC 4122 version-4 UUID per payment attempt
//! (from `crypto` random bytes), and the service takes no other key.

/// Whether `s` is a version-4 UUID as the page writes them: 36 characters, lowercase hex, dashes
/// at 8, 13, 18 and 23, version `4`, variant `8`–`b`. The service refuses any other
/// `Idempotency-Key` (400); the page reuses a key read back from `sessionStorage` only if it is
/// one.
pub fn is_uuid_v4(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, &c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            14 => c == b'4',
            19 => matches!(c, b'8' | b'9' | b'a' | b'b'),
            _ => c.is_ascii_digit() || (b'a'..=b'f').contains(&c),
        })
}

#[cfg(test)]
mod tests {
    use super::is_uuid_v4;

    #[test]
    fn only_lowercase_v4_uuids() {
        assert!(is_uuid_v4("0f8fad5b-d9cb-469f-a165-70867728950e"));
        assert!(is_uuid_v4("00000000-0000-4000-8000-000000000000"));
        assert!(is_uuid_v4("ffffffff-ffff-4fff-bfff-ffffffffffff"));
        for bad in [
            "",
            "x",
            "not-a-uuid",
            "0f8fad5b-d9cb-169f-a165-70867728950e",
            "00000000-0000-4000-c000-000000000000",
            "0F8FAD5B-D9CB-469F-A165-70867728950E",
            "00000000-0000-4000-8000-0000000000000",
            "00000000x0000-4000-8000-000000000000",
            "tok_0000-0000-4000-8000-000000000000",
        ] {
            assert!(!is_uuid_v4(bad), "{bad}");
        }
    }
}
