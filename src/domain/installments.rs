//! The `installments` option: the installment offers a checkout shows (docs/api.md §2, the shape
//! of the merchant service's session answer), and the one rule of which counts a card may be paid
//! in, for `pay()` and for the choice the on-demand part draws (js/pasarela_extra.mjs).
//!
//! The core keeps each offer's count and brands only: the amounts and rates are checked here and
//! shown by the on-demand part from the options' own copy (the wording is not the wasm's, so it
//! costs nothing before the provider's form is usable).

use super::json::Json;
use super::options::{AMOUNT_PROBLEM, MAX_SAFE_INTEGER};
use super::profile::{SavedProfile, INSTALLMENTS_PROBLEM, MAX_INSTALLMENTS};
use super::read::Object;

/// One offer, as far as the rule needs it.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// 1 (pay in full) to [`MAX_INSTALLMENTS`].
    pub count: u32,
    /// The card brands it is limited to, each as [`brand_key`] reads it and after a space
    /// (`" visa mastercard"`); empty: any card. One string, not a list of them: the list's
    /// allocations, copies and drops were 0.2 KB gzip of the up-front budget.
    pub brands: String,
}

/// The keys of an offer (the service's `InstallmentOffer`).
const KEYS: &[&str] = &["count", "amount", "total", "rate", "tea", "cft", "free", "brands"];

/// `installments`: an array of offers, each checked and named by its index
/// (`installments[2].amount`). Absent: no offers (and no choice shown).
pub fn parse(top: Object) -> Vec<Plan> {
    let mut plans: Vec<Plan> = Vec::new();
    let Some(v) = top.get("installments") else { return plans };
    let Some(items) = v.as_array() else { return top.refuse("installments", "must be an array").unwrap_or_default() };
    for (i, item) in items.iter().enumerate() {
        let path = super::read::indexed("installments", i);
        let o = Object::of(item, &path, top.reading);
        o.only(KEYS);
        let count = o.whole("count", 1.0, f64::from(MAX_INSTALLMENTS), true, INSTALLMENTS_PROBLEM).unwrap_or(1.0) as u32;
        if plans.iter().any(|p| p.count == count) {
            o.refuse::<()>("count", "repeats another offer's count");
        }
        let amount = o.whole("amount", 1.0, MAX_SAFE_INTEGER, true, AMOUNT_PROBLEM);
        let total = o.whole("total", 1.0, MAX_SAFE_INTEGER, true, AMOUNT_PROBLEM);
        if total < amount {
            o.refuse::<()>("total", "must be at least amount");
        }
        rate(o, "rate", true);
        rate(o, "tea", true);
        rate(o, "cft", false);
        o.boolean("free", true);
        let mut brands = String::new();
        if let Some(b) = o.get("brands") {
            let items = b.as_array().unwrap_or(&[]);
            for x in items {
                match x.as_str() {
                    Some(s) if super::read::has_text(s) => {
                        brands.push(' ');
                        brands.push_str(&brand_key(s));
                    }
                    _ => o.refuse("brands", "must be a non-empty array of brand names").unwrap_or(()),
                }
            }
            if items.is_empty() {
                o.refuse::<()>("brands", "must be a non-empty array of brand names");
            }
        }
        plans.push(Plan { count, brands });
    }
    plans
}

/// Checks an offer's rate at `key`: a number, 0 or more (a JSON number is finite: the parser
/// refuses what overflows). Out of line: three calls, one copy.
#[inline(never)]
fn rate(o: Object, key: &str, required: bool) {
    match o.get(key) {
        None if !required => {}
        Some(Json::Num(n)) if *n >= 0.0 => {}
        _ => o.refuse(key, "must be a number, 0 or more").unwrap_or(()),
    }
}

/// A brand as offers and saved cards are compared: its letters and digits, whatever their case
/// (`Visa`, `VISA`, `visa`; `Master Card`, `MASTERCARD`; `american_express`), `amex` read as
/// `americanexpress`.
fn brand_key(brand: &str) -> String {
    let key: String = brand.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect();
    if key == "amex" {
        "americanexpress".to_owned()
    } else {
        key
    }
}

/// Whether a payment may be split into `n` installments, with the saved `card` or (`None`) a new
/// one. One payment always may. With offers: one of `n` that is not limited to other brands (a
/// new card's brand is the service's to check), and, for a saved card that lists its own counts
/// (Bamboo's per-profile `Installments`), one of those. Without offers, as before they existed: a
/// saved card's own list, and any count for a new card (a storefront's own server decides).
#[inline(never)]
pub fn allows(plans: &[Plan], n: u32, card: Option<&SavedProfile>) -> bool {
    if plans.is_empty() {
        return card.is_none_or(|c| c.offers(n));
    }
    let listed = card.is_none_or(|c| c.installments.is_empty() || c.installments.contains(&n));
    let key = card.map(|c| brand_key(&c.brand));
    let brand_ok =
        |p: &Plan| p.brands.is_empty() || key.as_ref().is_none_or(|k| crate::text::split(&p.brands, ' ').skip(1).any(|b| b == k));
    n == 1 || (listed && plans.iter().any(|p| p.count == n && brand_ok(p)))
}

/// The counts offered with `card` (`None`: a new card), in the offers' order, space-separated:
/// what the on-demand part's choice shows (the host's `data-offers`).
pub fn offered(plans: &[Plan], card: Option<&SavedProfile>) -> String {
    let mut out = String::new();
    for p in plans.iter().filter(|p| allows(plans, p.count, card)) {
        // At most two digits (48): written here, not through the page's number formatting.
        if !out.is_empty() {
            out.push(' ');
        }
        if p.count > 9 {
            out.push(char::from(b'0' + (p.count / 10) as u8));
        }
        out.push(char::from(b'0' + (p.count % 10) as u8));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::error::ErrorCode;
    use crate::domain::options::CheckoutOptions;
    use serde_json::{json, Value};

    fn parse(offers: Value) -> Result<CheckoutOptions, crate::domain::error::PasarelaError> {
        let v = json!({
            "provider": "conekta", "container": "#pay", "publicKey": "key_x",
            "order": { "id": "A-1", "amount": 10000, "currency": "MXN" },
            "merchant": { "paymentUrl": "/pay" },
            "installments": offers,
        });
        crate::domain::options::parse(&Json::parse(&v.to_string()).unwrap(), false, &|_| true)
    }

    fn offer(count: u32) -> Value {
        json!({ "count": count, "amount": 10000 / count, "total": 10000, "rate": 0, "tea": 0, "free": true })
    }

    fn field(offers: Value) -> String {
        let e = parse(offers).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidOptions);
        e.field.unwrap()
    }

    fn card(brand: &str, installments: &[u32]) -> SavedProfile {
        SavedProfile {
            id: "p".into(),
            brand: brand.into(),
            last4: "4242".into(),
            expiry: None,
            holder: None,
            issuer: None,
            requires_cvv: false,
            installments: installments.to_vec(),
        }
    }

    #[test]
    fn offers_as_the_service_sends_them_are_kept_with_their_brands() {
        let with_interest = json!({ "count": 6, "amount": 1950, "total": 11700, "rate": 60, "tea": 79.59, "cft": 98.84,
            "free": false, "brands": ["visa", "mastercard"] });
        let o = parse(json!([offer(1), offer(3), with_interest])).unwrap();
        assert_eq!(o.installments.iter().map(|p| p.count).collect::<Vec<_>>(), [1, 3, 6]);
        assert_eq!(o.installments[2].brands, " visa mastercard");
        assert!(parse(json!(null)).unwrap().installments.is_empty(), "null is absent");
        assert!(parse(json!([])).unwrap().installments.is_empty());
    }

    #[test]
    fn each_bad_offer_field_is_named_by_its_index() {
        let with = |key: &str, v: Value| {
            let mut o = offer(3);
            o[key] = v;
            json!([offer(1), o])
        };
        let without = |key: &str| {
            let mut o = offer(3);
            o.as_object_mut().unwrap().remove(key);
            json!([offer(1), o])
        };
        for (offers, expected) in [
            (json!({}), "installments"),
            (json!("3"), "installments"),
            (json!([offer(1), 3]), "installments[1]"),
            (with("count", json!(0)), "installments[1].count"),
            (with("count", json!(49)), "installments[1].count"),
            (with("count", json!(2.5)), "installments[1].count"),
            (with("count", json!(1)), "installments[1].count"),
            (without("count"), "installments[1].count"),
            (with("amount", json!(0)), "installments[1].amount"),
            (with("amount", json!(33.5)), "installments[1].amount"),
            (with("amount", json!("3333")), "installments[1].amount"),
            (without("amount"), "installments[1].amount"),
            (with("total", json!(-1)), "installments[1].total"),
            (with("total", json!(3000)), "installments[1].total"),
            (with("rate", json!(-0.5)), "installments[1].rate"),
            (with("rate", json!("60")), "installments[1].rate"),
            (without("tea"), "installments[1].tea"),
            (with("cft", json!(-2)), "installments[1].cft"),
            (with("cft", json!(true)), "installments[1].cft"),
            (with("free", json!("yes")), "installments[1].free"),
            (without("free"), "installments[1].free"),
            (with("brands", json!([])), "installments[1].brands"),
            (with("brands", json!("visa")), "installments[1].brands"),
            (with("brands", json!(["visa", 3])), "installments[1].brands"),
            (with("brands", json!([""])), "installments[1].brands"),
            (with("months", json!(3)), "installments[1].months"),
        ] {
            assert_eq!(field(offers.clone()), expected, "{offers}");
        }
        let e = parse(with("amount", json!(0))).unwrap_err();
        assert!(e.message.contains("positive integer"), "{}", e.message);
        assert!(!e.message.contains("3333"), "the value is not echoed");
    }

    #[test]
    fn one_payment_is_always_allowed_and_offers_bound_the_rest() {
        let plans = parse(json!([offer(1), offer(3), offer(6)])).unwrap().installments;
        assert!(allows(&plans, 1, None));
        assert!(allows(&plans, 3, None));
        assert!(!allows(&plans, 2, None), "a count not offered");
        assert!(!allows(&plans, 12, Some(&card("Visa", &[]))));
        assert_eq!(offered(&plans, None), "1 3 6");
    }

    #[test]
    fn brands_limit_offers_to_saved_cards_of_that_brand_and_not_new_cards() {
        let mut six = offer(6);
        six["brands"] = json!(["visa", "amex"]);
        let plans = parse(json!([offer(1), offer(3), six])).unwrap().installments;
        assert!(allows(&plans, 6, None), "a new card: the service checks its brand");
        for brand in ["Visa", "VISA", "visa", "American Express", "american_express", "AMEX", "Amex"] {
            assert!(allows(&plans, 6, Some(&card(brand, &[]))), "{brand}");
        }
        assert!(!allows(&plans, 6, Some(&card("Mastercard", &[]))));
        assert!(allows(&plans, 3, Some(&card("Mastercard", &[]))));
        assert_eq!(offered(&plans, Some(&card("Master Card", &[]))), "1 3");
        assert_eq!(offered(&plans, Some(&card("Visa", &[]))), "1 3 6");
        let mut amex = offer(6);
        amex["brands"] = json!(["American-Express"]);
        let plans = parse(json!([offer(1), amex])).unwrap().installments;
        assert!(allows(&plans, 6, Some(&card("AMEX", &[]))), "either spelling on either side");
        assert!(!allows(&plans, 6, Some(&card("Visa", &[]))));
    }

    #[test]
    fn a_saved_cards_own_list_narrows_the_offers() {
        let plans = parse(json!([offer(1), offer(3), offer(6), offer(12)])).unwrap().installments;
        let bamboo = card("Visa", &[1, 3, 12, 18]);
        assert_eq!(offered(&plans, Some(&bamboo)), "1 3 12");
        assert!(!allows(&plans, 6, Some(&bamboo)));
        assert!(!allows(&plans, 18, Some(&bamboo)), "listed by the card, not offered");
    }

    #[test]
    fn without_offers_the_rule_is_as_before() {
        assert!(allows(&[], 7, None), "a storefront's own server decides for a new card");
        assert!(allows(&[], 3, Some(&card("Visa", &[1, 3]))));
        assert!(!allows(&[], 6, Some(&card("Visa", &[1, 3]))));
        assert!(!allows(&[], 3, Some(&card("Visa", &[]))), "a card without a list: one payment");
        assert_eq!(offered(&[], None), "");
    }
}
