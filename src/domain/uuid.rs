//! RFC 4122 version-4 UUIDs from caller-supplied random bytes (the browser's `crypto`), used as
//! `Idempotency-Key`s. Kept here so the formatting is tested natively.

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
}
