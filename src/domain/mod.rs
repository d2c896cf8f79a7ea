//! The DOM-free core: options, the payment state machine, the merchant protocol, profiles,
//! tokens, money, errors and messages. Nothing here touches the browser, so all of it is tested
//! with a plain `cargo test`.

pub mod error;
pub mod i18n;
pub mod installments;
pub mod json;
pub mod merchant;
pub mod money;
pub mod options;
pub mod payment_state;
pub mod profile;
pub mod read;
pub mod token;
pub mod url;
pub mod uuid;
pub mod voucher;
pub mod wire;

/// The three supported providers (`provider` option): the merchant protocol's own word
/// (crates/protocol, shared with the merchant service).
pub use pasarela_protocol::ProviderId;
