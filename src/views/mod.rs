//! Leptos views Pasarela renders inside the container, kept apart from the flow logic: a view
//! renders what the controller hands it and reports the shopper's intent through [`ViewActions`].

pub mod format;
pub mod profiles;

pub use profiles::{Mounted, ViewAction, ViewActions};
