//! RFC 4122 version-4 UUIDs from caller-supplied random bytes (the browser's `crypto`), used as
//! `Idempotency-Key`s. Kept here so the formatting is tested natively; the rule a key must meet
//! ([`is_uuid_v4`]) is the merchant service's too (crates/protocol).

/// Whether `s` is a v4 UUID as [`v4_from_bytes`] writes them (lowercase): a key read back from
/// `sessionStorage` is reused only if it is one, and the service takes no other.
pub use pasarela_protocol::is_uuid_v4;

/// Formats 16 random bytes as a v4 UUID (version and variant bits set).
pub fn v4_from_bytes(mut b: [u8; 16]) -> String {
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(36);
    for (i, x) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push(HEX[usize::from(x >> 4)] as char);
        out.push(HEX[usize::from(x & 15)] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn sets_version_and_variant() {
        let id = super::v4_from_bytes([0xff; 16]);
        assert_eq!(id, "ffffffff-ffff-4fff-bfff-ffffffffffff");
        let id = super::v4_from_bytes([0; 16]);
        assert_eq!(id, "00000000-0000-4000-8000-000000000000");
    }

    #[test]
    fn only_v4_uuids_are_taken_back() {
        assert!(super::is_uuid_v4(&super::v4_from_bytes([0x5a; 16])));
        for bad in [
            "",
            "not-a-uuid",
            "00000000-0000-1000-8000-000000000000",
            "00000000-0000-4000-c000-000000000000",
            "FFFFFFFF-FFFF-4FFF-BFFF-FFFFFFFFFFFF",
            "00000000-0000-4000-8000-0000000000000",
            "00000000x0000-4000-8000-000000000000",
            "tok_0000-0000-4000-8000-000000000000",
        ] {
            assert!(!super::is_uuid_v4(bad), "{bad}");
        }
    }
}
