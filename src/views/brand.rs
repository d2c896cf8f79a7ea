//! Card brands as their owners write them ("visa", "MASTERCARD" and "american_express" read
//! "Visa", "Mastercard", "American Express"), and the key the on-demand stylesheet draws each
//! one's mark by (`data-brand`, js/pasarela_extra.css): the name alone reads well before it loads.

/// Known brands, `key` or `key:Name`: a brand whose name as providers send it, in lower-case
/// letters and digits, starts with `key` is called `Name` (or `key` with a capital). One string,
/// read with the package's own splitter: a table of `&str` pairs or a `match` took several times
/// the bytes in the wasm.
const NAMES: &str = "visa|master:Mastercard|amex:American Express|american:American Express|oca:OCA|diners:Diners Club|\
maestro|cabal|naranja|elo|hipercard|discover|jcb:JCB|carnet|creditel|lider";

/// The name to show for the brand `raw`: a known brand's own (`american_express`, `AMEX` →
/// `American Express`), else `raw` with its first letter capitalised. It is also the row's
/// `data-brand`, which the on-demand stylesheet draws the mark by (a plain card for one it does
/// not know).
pub fn brand(raw: &str) -> String {
    let known = crate::text::split(NAMES, '|').find_map(|pair| {
        // Compared letter by letter, no key string built (`String::from_utf8` alone is 0.8 KB of wasm).
        let mut key = raw.bytes().filter(u8::is_ascii_alphanumeric).map(|b| b.to_ascii_lowercase());
        let (k, name) = crate::text::split_once(pair, ':').unwrap_or((pair, pair));
        k.bytes().all(|b| key.next() == Some(b)).then_some(name)
    });
    let mut name = known.unwrap_or(raw).to_owned();
    if let Some(first) = name.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    name
}

#[cfg(test)]
mod tests {
    use super::brand;

    #[test]
    fn brands_read_as_their_owners_write_them() {
        for (raw, name) in [
            ("visa", "Visa"),
            ("VISA", "Visa"),
            ("MasterCard", "Mastercard"),
            ("MASTER", "Mastercard"),
            ("VISA_ELECTRON", "Visa"),
            ("Naranja X", "Naranja"),
            ("american_express", "American Express"),
            ("AMEX", "American Express"),
            ("Oca", "OCA"),
            ("DINERS", "Diners Club"),
            ("Diners Club", "Diners Club"),
            ("jcb", "JCB"),
            ("carnet", "Carnet"),
            ("HIPERCARD", "Hipercard"),
            ("Lider", "Lider"),
            ("cencosud", "Cencosud"),
            ("PASSCARD", "PASSCARD"),
            ("tarjeta d", "Tarjeta d"),
            ("élan", "élan"),
            ("", ""),
        ] {
            assert_eq!(brand(raw), name, "{raw}");
        }
    }
}
