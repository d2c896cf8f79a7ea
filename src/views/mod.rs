//! Leptos views Pasarela renders inside the container (kept apart from the flow logic).

pub mod profiles;

pub use profiles::Mounted;
