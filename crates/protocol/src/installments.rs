//! How many instalments a payment may be split into.

/// The most instalments a payment may be split into: `pay({ installments })`, a saved card's
/// list, Bamboo's `Installments: "1;2;3"`, and a request's `installments`, on both sides.
///
/// None of the providers' pages states a maximum: Bamboo's purchase takes `Installments`
/// (docs/providers/bamboo.md, "Server side": `POST /v1/api/purchase`) without a bound, and
/// docs/providers/conekta.md and kr.md name no instalments at all. 48 is what the merchant
/// service enforced (`POST /pay`); the page's 99 had no stated reason (a round two-digit bound
/// from its first `pay()` check), and a count the page accepts but the service refuses fails
/// only once the shopper pays. So the smaller wins, for both.
pub const MAX_INSTALLMENTS: u32 = 48;

/// Whether `n` is a count of instalments: 1 to [`MAX_INSTALLMENTS`].
pub fn is_installment_count(n: u32) -> bool {
    (1..=MAX_INSTALLMENTS).contains(&n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_to_the_maximum() {
        assert!(is_installment_count(1) && is_installment_count(MAX_INSTALLMENTS));
        assert!(!is_installment_count(0) && !is_installment_count(MAX_INSTALLMENTS + 1) && !is_installment_count(99));
    }
}
