//! Vouchers and transfers (docs/api.md §4, "Beyond the card form"), and the in-page
//! authentication: what the wasm decides about them. A voucher's payment is read with back-off
//! until final or until the voucher lapses (`merchant::Reads::voucher`, [`budget_ms`]); an in-page
//! authentication is bounded ([`CHALLENGE_TIMEOUT_MS`]). The answer's voucher itself is handed
//! to the on-demand part of the package as the merchant sent it (`js/pasarela_extra.mjs`), which
//! checks its links, groups its reference and chooses its fields (README, "Size and speed": in
//! the wasm that was 2 KB gzip up front).

/// How long the shopper has for an in-page authentication (`action.type: 'challenge'`) before
/// the attempt reads the payment as it is (docs/api.md §4: 10 minutes).
pub const CHALLENGE_TIMEOUT_MS: u32 = 10 * 60 * 1000;

/// The wait before the first read of a voucher's payment, doubled after each read.
pub const FIRST_READ_MS: u32 = 3_000;
/// The longest wait between two reads.
pub const LONGEST_WAIT_MS: u32 = 60_000;
/// How long after its `expiresAt` a voucher's payment is read a last time: the provider's own
/// clock and its notification may lag the page's.
pub const EXPIRY_GRACE_MS: f64 = 60_000.0;

/// How long the payment of a voucher that did not say when it lapses is read (an hour), after
/// which the attempt reports it `pending`: the merchant's notification still settles it.
pub const UNDATED_READS_MS: u32 = 60 * 60 * 1000;

/// How long a voucher's payment is read, from `now_ms`, for a voucher that lapses at
/// `expires_ms` (`None`: it did not say, or not legibly: [`UNDATED_READS_MS`]): until the lapse
/// and its grace.
pub fn budget_ms(expires_ms: Option<f64>, now_ms: f64) -> Option<u32> {
    expires_ms.map(|e| (e + EXPIRY_GRACE_MS - now_ms).clamp(0.0, f64::from(u32::MAX)) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_voucher_is_read_until_its_lapse_and_its_grace() {
        let expires = 1_000_000.0;
        assert_eq!(budget_ms(None, 0.0), None, "no lapse said");
        assert_eq!(budget_ms(Some(expires), 0.0), Some(1_060_000), "the lapse and its grace");
        assert_eq!(budget_ms(Some(expires), 2e6), Some(0), "lapsed already");
        assert_eq!(budget_ms(Some(1e300), 0.0), Some(u32::MAX));
    }

    #[test]
    fn the_challenge_is_bounded_by_ten_minutes() {
        assert_eq!(CHALLENGE_TIMEOUT_MS, 600_000);
    }
}
