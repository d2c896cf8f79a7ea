//! Leptos views Pasarela renders inside the container, kept apart from the flow logic: a view
//! renders what the controller hands it and reports the shopper's intent through [`ViewActions`].
//! (The "save this card" checkbox and the voucher view are drawn by the part of the package
//! loaded on demand, js/pasarela_extra.mjs; the choice of method by the JS entry.)

pub mod brand;
pub mod format;
pub mod profiles;

pub use profiles::{Mounted, ViewAction, ViewActions};
