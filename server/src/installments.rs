//! Installment offers: what a session lets the shopper pay in parts, priced here and bound to the
//! session (docs/api.md §4, "Installments"). The storefront sends plans (`count`, a nominal annual
//! rate, a bank's CFT, the card brands they are for); the service turns each into an offer with
//! the amount of each installment and the total the shopper pays, and `POST /pay` charges only a
//! count it offered. Pure arithmetic: no I/O, no provider.
//!
//! Interest is French amortisation (equal installments) at the monthly rate `i = TNA / 1200`:
//! `total = round(count · P · i / (1 − (1 + i)^−count))`, each installment `total / count` rounded
//! half up (the total is exact, the last installment absorbs the rounding at the provider). TEA is
//! `((1 + i)^12 − 1) · 100`; for ARS the CFT, when the storefront has no bank figure, is the TEA
//! of the monthly rate with 21 % IVA on the interest (`i · 1.21`), as Argentine card plans show it
//! (*inferred*: BCRA's CFT also counts fees and insurance, which the service does not know).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The most nominal annual rate a plan may state, percent: well above any card plan's (Argentine
/// TNAs have passed 100 %), low enough that the arithmetic stays finite (*inferred* bound).
pub const MAX_RATE: f64 = 1000.0;

/// IVA charged on a financed purchase's interest in Argentina (21 %, the general rate).
const ARS_IVA: f64 = 0.21;

/// One plan of `POST /v1/sessions`'s `installments`: the storefront's configuration.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InstallmentPlan {
    /// How many installments, 2 to 48 (Conekta: 3, 6, 9, 12 or 18, above its minimum amounts).
    #[schema(minimum = 2, maximum = 48)]
    pub count: u32,
    /// Nominal annual interest rate (TNA), percent; 0 (default): interest-free.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 1000)]
    pub rate: Option<f64>,
    /// Total financed cost, annual percent, when the storefront has the bank's figure.
    #[serde(default)]
    #[schema(minimum = 0)]
    pub cft: Option<f64>,
    /// Only for cards of these brands, lower case (`visa`, `mastercard`, `amex`, `oca`, …).
    #[serde(default)]
    pub brands: Option<Vec<String>>,
}

/// One offer of a session's `installments`: what the shopper sees and what `POST /pay` charges.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InstallmentOffer {
    /// Number of installments; 1 (pay in full) is always the first offer.
    #[schema(minimum = 1, maximum = 48)]
    pub count: u32,
    /// Each installment, integer minor units (rounded half up).
    pub amount: i64,
    /// What the shopper pays in all, minor units (the order's amount when free).
    pub total: i64,
    /// Nominal annual rate (TNA), percent; 0 when free.
    pub rate: f64,
    /// Effective annual rate, percent, two decimals.
    pub tea: f64,
    /// Total financed cost, annual percent: the storefront's figure, or for ARS the TEA with 21 % IVA on the interest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cft: Option<f64>,
    /// Interest-free ("sin intereses", "sem juros").
    pub free: bool,
    /// Only for cards of these brands (lower case).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brands: Option<Vec<String>>,
}

impl InstallmentOffer {
    /// Whether a card of `brand` may take this offer: any card when it names no brands.
    pub fn allows(&self, brand: &str) -> bool {
        let brand = normal_brand(brand);
        self.brands.as_ref().is_none_or(|list| list.contains(&brand))
    }
}

/// A brand as plans name it: lower case, letters and digits only (`MasterCard` → `mastercard`,
/// `American Express` → `americanexpress`, which plans may also call `amex`).
pub fn normal_brand(brand: &str) -> String {
    let b: String = brand.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase();
    if b == "americanexpress" {
        "amex".to_owned()
    } else {
        b
    }
}

/// Why a plan is refused: the field (its path inside `installments[n]`) and the reason.
#[derive(Debug, PartialEq, Eq)]
pub struct Refusal {
    /// The dotted path, e.g. `installments[1].count`.
    pub field: String,
    /// For the caller (never repeats the value sent).
    pub why: String,
}

fn refuse(i: usize, key: &str, why: impl Into<String>) -> Refusal {
    let field = if key.is_empty() { format!("installments[{i}]") } else { format!("installments[{i}].{key}") };
    Refusal { field, why: why.into() }
}

/// Checks what every provider needs of the plans: a count of 2 to 48 each once, a finite rate of
/// 0 to [`MAX_RATE`], a finite non-negative CFT, and brands as lower-case words.
pub fn check(plans: &[InstallmentPlan]) -> Result<(), Refusal> {
    if plans.len() > pasarela_protocol::MAX_INSTALLMENTS as usize {
        return Err(Refusal { field: "installments".into(), why: "installments may list at most 48 plans".into() });
    }
    for (i, p) in plans.iter().enumerate() {
        if p.count < 2 || !pasarela_protocol::is_installment_count(p.count) {
            return Err(refuse(i, "count", "count must be 2 to 48 (1, paying in full, is always offered)"));
        }
        if plans[..i].iter().any(|q| q.count == p.count) {
            return Err(refuse(i, "count", "each count may be offered once"));
        }
        if p.rate.is_some_and(|r| !(r.is_finite() && (0.0..=MAX_RATE).contains(&r))) {
            return Err(refuse(i, "rate", "rate must be a nominal annual percentage from 0 to 1000"));
        }
        if p.cft.is_some_and(|c| !(c.is_finite() && (0.0..=100_000.0).contains(&c))) {
            return Err(refuse(i, "cft", "cft must be a non-negative annual percentage"));
        }
        if let Some(brands) = &p.brands {
            let word = |b: &String| (1..=32).contains(&b.len()) && b.bytes().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
            if brands.is_empty() || brands.len() > 16 || !brands.iter().all(word) {
                return Err(refuse(i, "brands", "brands must list 1 to 16 lower-case brand names (visa, mastercard, amex, …)"));
            }
        }
    }
    Ok(())
}

/// Checks that no plan's financed total for `principal` passes `most` minor units (the page reads
/// no larger amount exactly): a rate that would make it larger is refused, naming it.
pub fn check_totals(principal: i64, plans: &[InstallmentPlan], most: i64) -> Result<(), Refusal> {
    match plans.iter().position(|p| offer(principal, false, p).total > most) {
        Some(i) => Err(refuse(i, "rate", format!("at this rate the total paid would pass {most} minor units, the most an amount may be"))),
        None => Ok(()),
    }
}

/// The offers of `plans` for `principal` minor units of `currency`: paying in full first, then
/// each plan in ascending count.
pub fn offers(principal: i64, currency: &str, plans: &[InstallmentPlan]) -> Vec<InstallmentOffer> {
    let mut sorted: Vec<&InstallmentPlan> = plans.iter().collect();
    sorted.sort_by_key(|p| p.count);
    let ars = currency == "ARS";
    let mut out = vec![InstallmentOffer {
        count: 1,
        amount: principal,
        total: principal,
        rate: 0.0,
        tea: 0.0,
        cft: ars.then_some(0.0),
        free: true,
        brands: None,
    }];
    for p in sorted {
        out.push(offer(principal, ars, p));
    }
    out
}

/// The one offer of `plan` for `principal`.
pub fn offer(principal: i64, ars: bool, plan: &InstallmentPlan) -> InstallmentOffer {
    let rate = plan.rate.unwrap_or(0.0);
    let free = rate == 0.0;
    let total = if free { principal } else { french_total(principal, plan.count, rate / 1200.0) };
    let monthly = rate / 1200.0;
    let cft = plan.cft.map(two_decimals).or_else(|| ars.then(|| annual(monthly * (1.0 + ARS_IVA))));
    InstallmentOffer {
        count: plan.count,
        amount: div_half_up(total, i64::from(plan.count)),
        total,
        rate,
        tea: annual(monthly),
        cft,
        free,
        brands: plan.brands.clone(),
    }
}

/// French amortisation: what `count` equal monthly installments at rate `i` add up to.
pub fn french_total(principal: i64, count: u32, i: f64) -> i64 {
    if i <= 0.0 {
        return principal;
    }
    let n = f64::from(count);
    let installment = principal as f64 * i / (1.0 - (1.0 + i).powf(-n));
    (installment * n).round() as i64
}

/// The effective annual rate of a monthly rate, percent, rounded to two decimals.
pub fn annual(monthly: f64) -> f64 {
    two_decimals(((1.0 + monthly).powi(12) - 1.0) * 100.0)
}

fn two_decimals(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// `a / b` rounded half up, for non-negative `a` and positive `b`.
pub fn div_half_up(a: i64, b: i64) -> i64 {
    (2 * a + b) / (2 * b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(count: u32, rate: Option<f64>) -> InstallmentPlan {
        InstallmentPlan { count, rate, cft: None, brands: None }
    }

    #[test]
    fn paying_in_full_is_always_first_and_free_plans_cost_nothing() {
        let o = offers(100_000, "MXN", &[plan(6, None), plan(3, Some(0.0))]);
        assert_eq!(o.iter().map(|x| x.count).collect::<Vec<_>>(), [1, 3, 6], "in full first, then ascending");
        assert_eq!((o[0].amount, o[0].total, o[0].free, o[0].cft), (100_000, 100_000, true, None));
        assert_eq!((o[1].amount, o[1].total, o[1].free, o[1].tea), (33_333, 100_000, true, 0.0), "the total is exact");
        assert_eq!((o[2].amount, o[2].total), (16_667, 100_000), "16666.67 rounds half up");
    }

    #[test]
    fn interest_is_french_amortisation_with_its_effective_rate() {
        // 100 000 at 60 % TNA (5 % a month) in 12: 12 · 11 282.54 = 135 390.49 → 135 390.
        let o = offer(100_000, false, &plan(12, Some(60.0)));
        assert_eq!(o.total, 135_390);
        assert_eq!(o.amount, 11_283, "11 282.5 rounds half up");
        assert!(!o.free);
        assert_eq!(o.tea, 79.59, "(1.05^12 - 1) · 100");
        assert_eq!(o.cft, None, "no CFT outside ARS without the storefront's figure");
        // 3 at 24 % (2 % a month): 1 000.00 → 3 · 346.75 = 1 040.26.
        let small = offer(100_000, false, &plan(3, Some(24.0)));
        assert_eq!((small.total, small.amount, small.tea), (104_026, 34_675, 26.82));
    }

    #[test]
    fn ars_cft_adds_iva_on_the_interest_unless_the_storefront_gives_its_own() {
        let o = offers(50_000, "ARS", &[plan(6, Some(120.0))]);
        assert_eq!(o[0].cft, Some(0.0), "paying in full costs nothing");
        // 10 % a month; with IVA 12.1 % a month: (1.121^12 - 1) · 100 = 293.79.
        assert_eq!((o[1].tea, o[1].cft), (213.84, Some(293.79)));
        let own = offer(50_000, true, &InstallmentPlan { cft: Some(301.456), ..plan(6, Some(120.0)) });
        assert_eq!(own.cft, Some(301.46), "the bank's figure, to two decimals");
        let free = offer(50_000, true, &plan(3, None));
        assert_eq!((free.total, free.cft), (50_000, Some(0.0)));
    }

    #[test]
    fn rounding_is_half_up_and_never_loses_the_total() {
        assert_eq!(div_half_up(10, 4), 3, "2.5 → 3");
        assert_eq!(div_half_up(9, 4), 2, "2.25 → 2");
        assert_eq!(div_half_up(100_001, 2), 50_001);
        for (p, n) in [(1, 2), (99_999, 7), (123_457, 48)] {
            let o = offer(p, false, &plan(n, None));
            assert_eq!(o.total, p);
            assert!((o.amount * i64::from(n) - p).abs() < i64::from(n), "{p} in {n}");
        }
    }

    #[test]
    fn plans_are_checked_naming_the_field() {
        let bad = |plans: Vec<InstallmentPlan>| check(&plans).unwrap_err().field;
        assert_eq!(bad(vec![plan(3, None), plan(1, None)]), "installments[1].count");
        assert_eq!(bad(vec![plan(49, None)]), "installments[0].count");
        assert_eq!(bad(vec![plan(3, None), plan(3, Some(10.0))]), "installments[1].count");
        assert_eq!(bad(vec![plan(3, Some(-1.0))]), "installments[0].rate");
        assert_eq!(bad(vec![plan(3, Some(f64::NAN))]), "installments[0].rate");
        assert_eq!(bad(vec![InstallmentPlan { cft: Some(-2.0), ..plan(3, None) }]), "installments[0].cft");
        assert_eq!(bad(vec![InstallmentPlan { brands: Some(vec!["Visa".into()]), ..plan(3, None) }]), "installments[0].brands");
        assert_eq!(bad(vec![InstallmentPlan { brands: Some(vec![]), ..plan(3, None) }]), "installments[0].brands");
        assert!(check(&[plan(3, None), InstallmentPlan { brands: Some(vec!["visa".into(), "oca".into()]), ..plan(12, Some(40.0)) }]).is_ok());
    }

    #[test]
    fn a_total_the_page_cannot_read_exactly_is_refused_naming_the_rate() {
        const MOST: i64 = 9_007_199_254_740_991;
        // 2^53 - 1 in 48 at 1 000 % TNA would be about 40 times more.
        let e = check_totals(MOST, &[plan(3, None), plan(48, Some(1000.0))], MOST).unwrap_err();
        assert_eq!(e.field, "installments[1].rate");
        assert!(!e.why.contains("1000"), "never the value sent");
        assert!(check_totals(MOST, &[plan(48, None)], MOST).is_ok(), "interest-free: the order amount itself");
        assert!(check_totals(100_000, &[plan(48, Some(1000.0))], MOST).is_ok());
    }

    #[test]
    fn brands_match_whatever_the_provider_calls_them() {
        let o = offer(1_000, false, &InstallmentPlan { brands: Some(vec!["mastercard".into(), "amex".into()]), ..plan(3, None) });
        assert!(o.allows("MasterCard") && o.allows("American Express") && o.allows("AMEX"));
        assert!(!o.allows("Visa"));
        assert!(offer(1_000, false, &plan(3, None)).allows("anything"));
    }
}
