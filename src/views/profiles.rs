//! The saved-profile list: stub until the Leptos view lands.

/// A mounted view; dropping it removes it from the page.
pub struct Mounted;

impl Mounted {
    /// Marks `id` as the selected profile.
    pub fn select(&self, _id: &str) {}
}
