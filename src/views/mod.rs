//! Leptos views Pasarela renders inside the container, kept apart from the flow logic: a view
//! renders what the controller hands it and reports the shopper's intent through [`ViewActions`].
//! (The "save this card" checkbox is two plain elements: no view type of its own.)

pub mod format;
pub mod profiles;
pub mod save_card;

pub use profiles::{Mounted, ViewAction, ViewActions};
