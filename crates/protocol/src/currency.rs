//! The currencies Pasarela takes, with their minor units: amounts travel as integers of minor
//! units, so a code's exponent must be known before anything is charged or shown.

/// An ISO 4217 currency Pasarela accepts. (Four bytes: the table is in the wasm.)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Currency {
    code: [u8; 3],
    minor_units: u8,
}

const fn c(code: &[u8; 3], minor_units: u8) -> Currency {
    Currency { code: *code, minor_units }
}

/// The ISO 4217 codes Pasarela accepts, with their minor-unit digits: the providers' countries
/// plus the usual settlement currencies. A code not here is refused up front (the page's
/// `order.currency`, the service's `POST /v1/sessions`) rather than charged with a guessed
/// exponent.
pub const CURRENCIES: &[Currency] = &[
    c(b"ARS", 2),
    c(b"BOB", 2),
    c(b"BRL", 2),
    c(b"CAD", 2),
    c(b"CLP", 0),
    c(b"COP", 2),
    c(b"CRC", 2),
    c(b"DOP", 2),
    c(b"EUR", 2),
    c(b"GBP", 2),
    c(b"GTQ", 2),
    c(b"HNL", 2),
    c(b"JPY", 0),
    c(b"KWD", 3),
    c(b"MXN", 2),
    c(b"NIO", 2),
    c(b"PAB", 2),
    c(b"PEN", 2),
    c(b"PYG", 0),
    c(b"USD", 2),
    c(b"UYU", 2),
];

impl Currency {
    /// The code, in capitals (`MXN`).
    pub fn code(&'static self) -> &'static str {
        // Always ASCII capitals (the table's test), so never the empty fallback.
        core::str::from_utf8(&self.code).unwrap_or_default()
    }

    /// Digits of its minor unit: `2` (cents) for most, `0` for CLP, JPY, PYG, `3` for KWD.
    pub fn minor_units(self) -> u32 {
        u32::from(self.minor_units)
    }
}

/// The accepted currency of `code` (exactly, in capitals), or `None`.
pub fn currency(code: &str) -> Option<&'static Currency> {
    let code: [u8; 3] = code.as_bytes().try_into().ok()?;
    CURRENCIES.iter().find(|c| c.code == code)
}

/// Minor-unit digits of `code`, or `None` when the code is not accepted.
pub fn minor_units(code: &str) -> Option<u32> {
    currency(code).map(|c| c.minor_units())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponents_follow_iso_4217() {
        assert_eq!(minor_units("USD"), Some(2));
        assert_eq!(minor_units("CLP"), Some(0));
        assert_eq!(minor_units("KWD"), Some(3));
        assert_eq!(minor_units("usd"), None);
        assert_eq!(minor_units("XXX"), None);
        assert_eq!(minor_units("MXNX"), None);
        assert_eq!(minor_units(""), None);
        assert_eq!(currency("MXN").map(|c| c.code()), Some("MXN"));
    }

    #[test]
    fn the_table_is_sorted_capitals_without_repeats() {
        assert_eq!(CURRENCIES.len(), 21);
        for c in CURRENCIES {
            assert!(c.code().len() == 3 && c.code().bytes().all(|b| b.is_ascii_uppercase()), "{}", c.code());
            assert!(c.minor_units() <= 3, "{}", c.code());
        }
        assert!(CURRENCIES.windows(2).all(|w| w[0].code < w[1].code));
    }
}
