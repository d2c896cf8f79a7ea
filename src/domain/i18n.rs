//! The words the wasm shows up front (the saved-card list, the providers' form labels), in `es`
//! (default), `en` and `pt`. What is said after an attempt (results, errors, their next steps) is
//! worded by the part loaded on demand (js/pasarela_extra.mjs): the package's budget, README
//! "Size and speed".
//!
//! One `match` per message keeps the three translations side by side, so a missing one is a
//! compile error rather than a blank label.

/// The shopper's language (`locale` option).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Locale {
    #[default]
    Es,
    En,
    Pt,
}

/// A message key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Msg {
    CardForm,
    SavedCards,
    UseAnotherCard,
    Expires,
    Expired,
    Pay,
    Installments,
    Processing,
}

impl Locale {
    /// Parses the `locale` option; `None` for anything but the three supported tags.
    pub fn parse(tag: &str) -> Option<Self> {
        match tag {
            "es" => Some(Self::Es),
            "en" => Some(Self::En),
            "pt" => Some(Self::Pt),
            _ => None,
        }
    }

    /// The BCP-47 tag, for `Intl` and the providers' own `lang` options.
    pub fn tag(self) -> &'static str {
        match self {
            Self::Es => "es",
            Self::En => "en",
            Self::Pt => "pt",
        }
    }

    /// The localized text of `msg`: the words the list and the providers' forms show up front.
    /// (Errors are worded by the on-demand part, `ERRORS` in js/pasarela_extra.mjs.)
    pub fn text(self, msg: Msg) -> &'static str {
        use Msg::*;
        let [es, en, pt] = match msg {
            CardForm => ["Datos de la tarjeta", "Card details", "Dados do cartão"],
            SavedCards => ["Tarjetas guardadas", "Saved cards", "Cartões salvos"],
            UseAnotherCard => ["Usar otra tarjeta", "Use another card", "Usar outro cartão"],
            Expires => ["Vence", "Expires", "Vence"],
            Expired => ["Vencida", "Expired", "Vencido"],
            Pay => ["Pagar", "Pay", "Pagar"],
            Installments => ["Cuotas", "Installments", "Parcelas"],
            Processing => ["Procesando…", "Processing…", "Processando…"],
        };
        match self {
            Self::Es => es,
            Self::En => en,
            Self::Pt => pt,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_only_supported_locales() {
        assert_eq!(Locale::parse("pt"), Some(Locale::Pt));
        assert_eq!(Locale::parse("fr"), None);
        assert_eq!(Locale::default(), Locale::Es);
    }

    #[test]
    fn every_message_differs_between_english_and_spanish() {
        for m in [Msg::UseAnotherCard, Msg::SavedCards, Msg::Pay] {
            assert_ne!(Locale::Es.text(m), Locale::En.text(m), "{m:?}");
        }
    }
}
