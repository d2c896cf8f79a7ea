//! Installment offers on the page: which counts the chosen card may be paid in (the host's
//! `data-offers`, which the on-demand part's choice follows) and the count the shopper chose in
//! that choice (its checked radio), which an attempt sends unless `pay({ installments })` names one.

use super::Checkout;
use crate::cell::Borrows;
use crate::domain::installments;
use crate::domain::profile::{installment_count, SavedProfile};
use crate::web::js;

impl Checkout {
    /// Runs `f` with the saved card chosen in the list (`None`: a new card).
    fn with_chosen_card<R>(&self, f: impl FnOnce(Option<&SavedProfile>) -> R) -> R {
        let id = self.selected_profile().map(|(id, _)| id);
        let profiles = std::rc::Rc::clone(&self.0.read().profiles);
        f(id.and_then(|id| profiles.iter().find(|p| p.id == id)))
    }

    /// Writes the counts offered with the chosen card on the host (`data-offers="1 3 6"`): the
    /// on-demand part draws its choice from them. Nothing without offers.
    pub(super) fn show_offers(&self) {
        let opts = self.opts();
        if opts.installments.is_empty() {
            return;
        }
        let counts = self.with_chosen_card(|card| installments::offered(&opts.installments, card));
        let _ = self.host().set_attribute("data-offers", &counts);
    }

    /// The count the shopper chose for `card` (`None`: a new card), or 1: what the on-demand
    /// part's choice keeps on the host (its `pasarelaInstallments` property, a number: nothing to
    /// decode), when the card may be paid in it.
    pub(super) fn chosen_installments(&self, card: Option<&SavedProfile>) -> u32 {
        let plans = &self.opts().installments;
        let n = js::get(&self.host(), "pasarelaInstallments").as_f64().and_then(installment_count).unwrap_or(1);
        if installments::allows(plans, n, card) {
            n
        } else {
            1
        }
    }
}
