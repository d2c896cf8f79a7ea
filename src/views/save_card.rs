//! "Save this card for my next purchases" (`merchant.savePaymentMethod: 'ask'`): a native
//! checkbox in its label, unticked, after the provider's card form and before the list's pay
//! button. Shown with the new-card form only: the stylesheet hides it while a saved card is
//! chosen (`data-mode="profiles"`), as it hides the form. What the box says goes with the attempt
//! (`domain::merchant::saves_card`); the decision to show it is `domain::merchant::asks_to_save`.
//! Plain elements, through bindings the package has already (no view type, no new import).

use crate::domain::i18n::{Locale, Msg};
use crate::web::js;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

pub struct SaveBox {
    label: HtmlElement,
    input: Element,
}

impl SaveBox {
    /// Appends the checkbox to `host`, hidden until the card form is made ([`SaveBox::show`]).
    pub fn mount(host: &Element, locale: Locale) -> Option<SaveBox> {
        let doc = crate::web::document();
        let label: HtmlElement = doc.create_element("label").ok()?.unchecked_into();
        label.set_class_name("pasarela-save");
        label.set_hidden(true);
        label.set_text_content(Some(locale.text(Msg::SaveCard)));
        let input = doc.create_element("input").ok()?;
        let _ = input.set_attribute("type", "checkbox");
        label.insert_before(&input, label.first_child().as_ref()).ok()?;
        host.append_child(&label).ok()?;
        Some(SaveBox { label, input })
    }

    /// Shows the checkbox: the card form it is about exists now.
    pub fn show(&self) {
        self.label.set_hidden(false);
    }

    /// Whether the shopper ticked it.
    pub fn ticked(&self) -> bool {
        js::get(&self.input, "checked").is_truthy()
    }
}
