//! # pasarela-protocol
//!
//! The words of the merchant protocol (docs/api.md §4), defined once for both of its sides: the
//! browser package (`pasarela`, compiled to wasm), which writes the payment request and reads the
//! answer, and the merchant service (`pasarela-server`), which reads the request and writes the
//! answer. What both must agree on lives here: the providers' names ([`ProviderId`]), an
//! answer's statuses ([`ResultStatus`]) and action types ([`ActionType`]), the token kinds
//! ([`TokenKind`]), what pays ([`Source`]) and by which [`Method`], a voucher's display fields
//! ([`Voucher`]), the currencies and their minor units
//! ([`CURRENCIES`]), the installments bound ([`MAX_INSTALLMENTS`]) and the `Idempotency-Key` rule
//! ([`is_uuid_v4`]).
//!
//! No dependencies, no `std`: the browser takes it as is. With the `serde` feature (the service
//! enables it; the browser must not, its JSON is hand-written) the types derive `Serialize` and
//! `Deserialize` with the protocol's spelling.
#![no_std]
#![deny(missing_docs)]
// The root clippy.toml's wasm-size rules (no `core::fmt`) hold for this crate; tests may format.
#![cfg_attr(test, allow(clippy::disallowed_macros, clippy::disallowed_methods))]

extern crate alloc;
#[cfg(test)]
extern crate std;

mod currency;
mod idempotency;
mod installments;
mod source;
mod voucher;
mod words;

pub use currency::{currency, minor_units, Currency, CURRENCIES};
pub use idempotency::is_uuid_v4;
pub use installments::{is_installment_count, MAX_INSTALLMENTS};
pub use source::Source;
pub use voucher::Voucher;
pub use words::{ActionType, Method, ProviderId, ResultStatus, TokenKind};
