//! Amounts travel in minor units (integers); this module knows each currency's exponent.

/// Minor-unit digits of a currency, or `None` when the code is not supported: the table
/// (`pasarela_protocol::CURRENCIES`) is the merchant service's too, so an order the page takes is
/// one a session can be opened for.
pub use pasarela_protocol::minor_units;

/// `amount` (minor units) as a plain decimal string in major units: `123456` USD → `"1234.56"`,
/// `5000` CLP → `"5000"`. Providers whose scripts want major units (PWCheckout's `amount`) get
/// this; it never goes through floating point.
pub fn to_major_string(amount: u64, currency: &str) -> String {
    let digits = minor_units(currency).unwrap_or(2);
    if digits == 0 {
        return crate::text::u64_text(amount);
    }
    // Non-zero: `/` and `%` then carry no division-by-zero panic.
    let scale = std::num::NonZeroU64::new(10u64.pow(digits)).unwrap_or(std::num::NonZeroU64::MIN);
    let (major, minor) = (crate::text::u64_text(amount / scale), crate::text::padded(amount % scale, digits as usize));
    crate::text::cat(&[&major, ".", &minor])
}

/// `amount` as a float in major units, only for display through `Intl.NumberFormat`.
pub fn to_major_f64(amount: u64, currency: &str) -> f64 {
    amount as f64 / 10f64.powi(minor_units(currency).unwrap_or(2) as i32)
}

/// The `Intl` tag to format `currency` for a shopper reading `locale`: Spanish follows the
/// currency's country (a Mexican shopper reads `$1,234.56`, an Argentine `$ 1.234,56`), falling
/// back to Latin-American Spanish; Portuguese is Brazil's.
pub fn display_tag(locale: super::i18n::Locale, currency: &str) -> &'static str {
    use super::i18n::Locale;
    match locale {
        Locale::En => "en-US",
        Locale::Pt => "pt-BR",
        Locale::Es => match currency {
            "ARS" => "es-AR",
            "BOB" => "es-BO",
            "CLP" => "es-CL",
            "COP" => "es-CO",
            "CRC" => "es-CR",
            "DOP" => "es-DO",
            "EUR" => "es-ES",
            "GTQ" => "es-GT",
            "HNL" => "es-HN",
            "MXN" => "es-MX",
            "NIO" => "es-NI",
            "PAB" => "es-PA",
            "PEN" => "es-PE",
            "PYG" => "es-PY",
            "UYU" => "es-UY",
            _ => "es-419",
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spanish_formatting_follows_the_currency_country() {
        use crate::domain::i18n::Locale;
        assert_eq!(display_tag(Locale::Es, "MXN"), "es-MX");
        assert_eq!(display_tag(Locale::Es, "USD"), "es-419");
        assert_eq!(display_tag(Locale::Pt, "BRL"), "pt-BR");
        assert_eq!(display_tag(Locale::En, "CLP"), "en-US");
    }

    #[test]
    fn major_string_is_exact() {
        assert_eq!(to_major_string(123456, "USD"), "1234.56");
        assert_eq!(to_major_string(5, "MXN"), "0.05");
        assert_eq!(to_major_string(5000, "CLP"), "5000");
        assert_eq!(to_major_string(1001, "KWD"), "1.001");
        assert_eq!(to_major_f64(105100, "UYU"), 1051.0);
    }
}
