//! Amounts travel in minor units (integers); this module knows each currency's exponent.

/// ISO-4217 codes Pasarela accepts, with their number of minor-unit digits.
///
/// The list covers the providers' countries plus the usual settlement currencies. A code not
/// here is refused up front rather than charged with a guessed exponent.
const CURRENCIES: &[(&str, u32)] = &[
    ("ARS", 2),
    ("BOB", 2),
    ("BRL", 2),
    ("CAD", 2),
    ("CLP", 0),
    ("COP", 2),
    ("CRC", 2),
    ("DOP", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("GTQ", 2),
    ("HNL", 2),
    ("JPY", 0),
    ("KWD", 3),
    ("MXN", 2),
    ("NIO", 2),
    ("PAB", 2),
    ("PEN", 2),
    ("PYG", 0),
    ("USD", 2),
    ("UYU", 2),
];

/// Minor-unit digits of `currency`, or `None` when the code is not supported.
pub fn minor_units(currency: &str) -> Option<u32> {
    CURRENCIES.iter().find(|(c, _)| *c == currency).map(|&(_, d)| d)
}

/// `amount` (minor units) as a plain decimal string in major units: `123456` USD → `"1234.56"`,
/// `5000` CLP → `"5000"`. Providers whose scripts want major units (PWCheckout's `amount`) get
/// this; it never goes through floating point.
pub fn to_major_string(amount: u64, currency: &str) -> String {
    let digits = minor_units(currency).unwrap_or(2);
    if digits == 0 {
        return crate::text::u64_text(amount);
    }
    let scale = 10u64.pow(digits);
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
    fn exponents_follow_iso_4217() {
        assert_eq!(minor_units("USD"), Some(2));
        assert_eq!(minor_units("CLP"), Some(0));
        assert_eq!(minor_units("KWD"), Some(3));
        assert_eq!(minor_units("usd"), None);
        assert_eq!(minor_units("XXX"), None);
    }

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
