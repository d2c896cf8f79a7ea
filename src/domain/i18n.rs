//! Every string Pasarela itself shows or reports, in `es` (default), `en` and `pt`, but the three
//! result words its live region says ("Pago aprobado", …), which the JS entry keeps beside the
//! code that says them (`SAID` in js/pasarela.mjs: the package's budget, README "Accessibility").
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
    ErrInvalidOptions,
    ErrScriptLoad,
    ErrTokenization,
    ErrNetwork,
    ErrMerchantRejected,
    ErrMerchantBadResponse,
    ErrTokenExpired,
    ErrSecretInProfile,
    ErrDestroyed,
    ErrNotReady,
    ErrUnknownProfile,
    ErrUnsupported,
    ErrInternal,
    ErrTimeout,
    ErrCancelled,
    ErrAttemptsExceeded,
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

    /// The localized text of `msg`. The two errors only a developer can cause and act on (bad
    /// options, a secret in a profile) are in English whatever the locale: the console and the
    /// storefront's code read them, never the shopper (the live region does not say them:
    /// [`crate::domain::error::ErrorCode::is_for_shopper`]). Everything a shopper can meet is
    /// in all three languages.
    pub fn text(self, msg: Msg) -> &'static str {
        use Msg::*;
        let [es, en, pt] = match msg {
            ErrInvalidOptions => {
                let en = "Invalid options";
                [en, en, en]
            }
            ErrScriptLoad => [
                "No se pudo cargar el formulario de pago",
                "The payment form could not be loaded",
                "Não foi possível carregar o formulário de pagamento",
            ],
            ErrTokenization => {
                ["Revise los datos de la tarjeta", "Please check the card details", "Verifique os dados do cartão"]
            }
            ErrNetwork => [
                "No hay conexión con la tienda; intente de nuevo",
                "Could not reach the store; please try again",
                "Sem conexão com a loja; tente novamente",
            ],
            ErrMerchantRejected => {
                ["La tienda rechazó el pago", "The store refused the payment", "A loja recusou o pagamento"]
            }
            ErrMerchantBadResponse => {
                ["Respuesta inesperada de la tienda", "Unexpected answer from the store", "Resposta inesperada da loja"]
            }
            ErrTokenExpired => [
                "Los datos de la tarjeta vencieron; ingréselos de nuevo",
                "The card details expired; please enter them again",
                "Os dados do cartão expiraram; digite-os novamente",
            ],
            ErrSecretInProfile => {
                let en = "A saved profile carries a secret";
                [en, en, en]
            }
            ErrDestroyed => ["Se cerró el pago", "The checkout was closed", "O pagamento foi fechado"],
            ErrNotReady => [
                "El formulario de pago aún no está listo",
                "The payment form is not ready yet",
                "O formulário de pagamento ainda não está pronto",
            ],
            ErrUnknownProfile => [
                "Esa tarjeta guardada no está disponible",
                "That saved card is not available",
                "Esse cartão salvo não está disponível",
            ],
            ErrUnsupported => [
                "No disponible con este medio de pago",
                "Not available with this provider",
                "Indisponível com este meio de pagamento",
            ],
            ErrInternal => [
                "Error interno del pago; intente de nuevo",
                "Internal checkout error; please try again",
                "Erro interno do pagamento; tente novamente",
            ],
            ErrTimeout => [
                "El formulario de pago no respondió",
                "The payment form did not answer",
                "O formulário de pagamento não respondeu",
            ],
            ErrCancelled => [
                "Se cerró el formulario de pago",
                "The payment form was closed",
                "O formulário de pagamento foi fechado",
            ],
            ErrAttemptsExceeded => [
                "Demasiados intentos: formulario bloqueado",
                "Too many attempts: the form is locked",
                "Tentativas demais: formulário bloqueado",
            ],
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
        for m in [Msg::UseAnotherCard, Msg::SavedCards, Msg::ErrNetwork, Msg::Pay] {
            assert_ne!(Locale::Es.text(m), Locale::En.text(m), "{m:?}");
        }
    }
}
