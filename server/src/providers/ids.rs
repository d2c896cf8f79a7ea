//! The shapes of the provider ids that reach a provider URL, checked before any call: an id from
//! outside (a webhook body, a stored value) that does not have its provider's shape is never
//! sent, and one that has it is still placed as one escaped path segment ([`super::endpoint`]).
//! Shapes from the providers' docs and examples (docs/providers/*.md, "Ids"); the bounds are a
//! little looser than what was observed (*inferred*), and only letters, digits and `_` pass, so
//! no `/`, `.`, `%`, `?` or `#` can.

fn prefixed(id: &str, prefix: &str, len: std::ops::RangeInclusive<usize>, underscore: bool) -> bool {
    id.strip_prefix(prefix).is_some_and(|rest| {
        len.contains(&rest.len()) && rest.bytes().all(|b| b.is_ascii_alphanumeric() || (underscore && b == b'_'))
    })
}

/// Conekta order: `ord_` + 10–32 letters or digits (e.g. `ord_2tUigJ8DgBhbp6w5D`).
pub fn conekta_order(id: &str) -> bool {
    prefixed(id, "ord_", 10..=32, false)
}

/// Conekta customer: `cus_` + 10–32 letters or digits.
pub fn conekta_customer(id: &str) -> bool {
    prefixed(id, "cus_", 10..=32, false)
}

/// Conekta payment source: `src_` + 10–32 letters or digits (e.g. `src_2tQ974hSHcsdeSZHG`,
/// conekta-python `docs/PaymentMethodsApi.md`).
pub fn conekta_source(id: &str) -> bool {
    prefixed(id, "src_", 10..=32, false)
}

/// Conekta token from the page: `tok_` + 4–40 letters, digits or `_` (`tok_test_visa_4242`).
pub fn conekta_token(id: &str) -> bool {
    prefixed(id, "tok_", 4..=40, true)
}

/// Bamboo `PurchaseId` / `CustomerId`: a positive integer that fits an int64 (e.g. `481561`).
pub fn bamboo_number(id: &str) -> bool {
    (1..=18).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_digit()) && !id.starts_with('0')
}

/// Bamboo token from the page: `OT_` or `CT_` + up to 100 letters, digits, `_` or `-`.
pub fn bamboo_token(id: &str) -> bool {
    ["OT_", "CT_"].iter().any(|p| {
        id.strip_prefix(p).is_some_and(|r| (1..=100).contains(&r.len()) && r.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_ids_of_the_providers_shape_pass() {
        assert!(conekta_order("ord_2tUigJ8DgBhbp6w5D") && conekta_customer("cus_2tUigJ8DgBhbp6w5D"));
        for bad in ["../customers/cus_x", "%2e%2e/ord_x", "ord_x?search=a", "ord_2tUigJ8DgBhbp6w5D/", "ord_", "cus_2tUigJ8DgBhbp6w5D"] {
            assert!(!conekta_order(bad), "{bad}");
        }
        assert!(conekta_token("tok_test_visa_4242") && !conekta_token("tok_a/b"));
        assert!(conekta_source("src_2tQ974hSHcsdeSZHG") && !conekta_source("src_../cus_x") && !conekta_source("cus_2tQ974hSHcsdeSZHG"));
        assert!(bamboo_number("481561") && !bamboo_number("0") && !bamboo_number("12a") && !bamboo_number("1/2"));
        assert!(bamboo_token("OT__abc-1") && !bamboo_token("XT_1") && !bamboo_token("OT_a b"));
    }
}
