//! The words the wasm shows up front (the saved-card list, the providers' form labels), in `es`
//! (default), `en` and `pt`; the regional tags (`es-MX`, `es-AR`, `es-UY`, `es-PE`, `pt-BR`) speak
//! their language, with a word of their own only where a shopper there reads another up front. What is said after an attempt (results, errors, their next steps) is
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
    /// Parses the `locale` option: the language, and the regional tag when it names one (kept as
    /// Pasarela's element's `lang`, which the on-demand part words its messages by); `None` for
    /// anything but the supported tags.
    pub fn parse(tag: &str) -> Option<(Self, Option<&'static str>)> {
        Some(match tag {
            "es" => (Self::Es, None),
            "en" => (Self::En, None),
            "pt" => (Self::Pt, None),
            "pt-BR" => (Self::Pt, Some("pt-BR")),
            "es-MX" => (Self::Es, Some("es-MX")),
            "es-AR" => (Self::Es, Some("es-AR")),
            "es-UY" => (Self::Es, Some("es-UY")),
            "es-PE" => (Self::Es, Some("es-PE")),
            _ => return None,
        })
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

    /// [`Self::text`] as a shopper of the region tagged `lang` reads it: in Mexico installments
    /// are "meses" (as its banks' "meses sin intereses"); elsewhere the language's own word.
    pub fn text_in(self, msg: Msg, lang: &str) -> &'static str {
        match (msg, lang) {
            (Msg::Installments, "es-MX") => "Meses",
            _ => self.text(msg),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_only_supported_locales() {
        assert_eq!(Locale::parse("pt"), Some((Locale::Pt, None)));
        assert_eq!(Locale::parse("pt-BR"), Some((Locale::Pt, Some("pt-BR"))));
        assert_eq!(Locale::parse("es-AR"), Some((Locale::Es, Some("es-AR"))));
        for refused in ["fr", "es-mx", "es-ES", "pt-PT", "en-US", "ES", ""] {
            assert_eq!(Locale::parse(refused), None, "{refused}");
        }
        assert_eq!(Locale::default(), Locale::Es);
    }

    #[test]
    fn every_message_differs_between_english_and_spanish() {
        for m in [Msg::UseAnotherCard, Msg::SavedCards, Msg::Pay] {
            assert_ne!(Locale::Es.text(m), Locale::En.text(m), "{m:?}");
        }
    }

    #[test]
    fn a_region_keeps_its_language_but_for_its_own_words() {
        assert_eq!(Locale::Es.text_in(Msg::Installments, "es-MX"), "Meses");
        assert_eq!(Locale::Es.text_in(Msg::Installments, "es-AR"), "Cuotas");
        assert_eq!(Locale::Pt.text_in(Msg::Installments, "pt-BR"), "Parcelas");
        assert_eq!(Locale::Es.text_in(Msg::UseAnotherCard, "es-MX"), "Usar otra tarjeta");
    }
}
