//! Where a payment's state is decided: the checkout's state machine (docs/api.md §3 `state`).
//!
//! [`Phase`] is everything the checkout knows about its payment: whether it can take one, the
//! attempt under way and which step it is at, the approved promise `pay()` hands out again, the
//! verification a shopper left unfinished. The controller reports what happened; the methods
//! here alone say which phase follows, and which happenings are ignored (a late answer after
//! `destroy()`, a second `ready`, a token while another attempt is in flight). Keeping it pure
//! lets every transition be tested natively. `H` is the controller's handle on one attempt (its
//! promise and the functions that settle it), opaque here.

use super::merchant::MerchantAnswer;

/// `checkout.state`. The JS entry (`js/pasarela.mjs`, `STATES`) names the states by their
/// position here: keep both in the same order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PaymentState {
    Loading,
    Ready,
    Processing,
    ActionRequired,
    Succeeded,
    Failed,
    Destroyed,
}

impl PaymentState {
    /// The `checkout.state` spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Loading => "loading",
            Self::Ready => "ready",
            Self::Processing => "processing",
            Self::ActionRequired => "action_required",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Destroyed => "destroyed",
        }
    }

    /// Whether an attempt is under way with something sent (the list shows it busy).
    pub fn in_flight(self) -> bool {
        matches!(self, PaymentState::Processing | PaymentState::ActionRequired)
    }
}

/// Why the checkout is idle: it can take a payment in each of these (saved cards can pay even
/// when the card form failed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Idle {
    Ready,
    /// The provider's script or form failed to set up, or the provider locked its form.
    SetupFailed,
    /// The last attempt was declined or failed: the shopper may try again.
    Declined,
}

/// Where an attempt is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// `pay()` asked the provider form for a token; nothing was sent yet. `submit_when_ready`:
    /// the form is not usable yet, submit it when it is.
    AwaitingToken { submit_when_ready: bool },
    /// Forwarded to the merchant; its answer (or the status polls) decide.
    Sent,
    /// The merchant answered `pending` with an action the shopper is doing now.
    AwaitingShopper,
}

/// One payment attempt, from `pay()` or a token to its single `result`.
#[derive(Debug, PartialEq)]
pub struct Attempt<H> {
    pub handle: H,
    pub step: Step,
    pub installments: u32,
    /// Whether `pay()` handed the promise to the page (an attempt the provider form's own button
    /// started has no one waiting on it: `destroy()` must not leave it rejected and unhandled).
    pub from_page: bool,
    /// The merchant's id for the payment once it answered `pending`: kept through `destroy()`,
    /// since a webhook may still approve it.
    pub payment_id: Option<String>,
    /// What the checkout was before the attempt: while it awaits a token nothing changed yet.
    pub since: Idle,
}

impl<H> Attempt<H> {
    /// An attempt waiting for the provider form's token.
    pub fn awaiting_token(handle: H, installments: u32, submit_when_ready: bool) -> Self {
        Self::new(handle, Step::AwaitingToken { submit_when_ready }, installments)
    }

    /// An attempt with something to send already (a saved card, a token from the form's own button).
    pub fn sent(handle: H, installments: u32) -> Self {
        Self::new(handle, Step::Sent, installments)
    }

    fn new(handle: H, step: Step, installments: u32) -> Self {
        Self { handle, step, installments, from_page: true, payment_id: None, since: Idle::Ready }
    }
}

/// How an attempt ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Approved,
    /// Declined or failed: the shopper may try again with another card.
    NotApproved,
    /// Still pending after polling: nothing more Pasarela can do on this page.
    StillPending,
}

/// The checkout's phase.
#[derive(Debug, PartialEq)]
pub enum Phase<H> {
    Loading,
    Idle(Idle),
    Paying(Attempt<H>),
    /// Approved: `pay()` returns this attempt's promise again (one payment, one charge).
    Succeeded(H),
    /// Still pending when the attempt ended; with the answer when a verification was left
    /// unfinished, which `pay()` then opens again for the same payment.
    Pending(Option<MerchantAnswer>),
    Destroyed,
}

impl<H: Clone> Phase<H> {
    /// `checkout.state`.
    pub fn public(&self) -> PaymentState {
        match self {
            Phase::Loading => PaymentState::Loading,
            Phase::Idle(i) => idle_state(*i),
            Phase::Paying(a) => match a.step {
                Step::AwaitingToken { .. } => idle_state(a.since),
                Step::Sent => PaymentState::Processing,
                Step::AwaitingShopper => PaymentState::ActionRequired,
            },
            Phase::Succeeded(_) => PaymentState::Succeeded,
            Phase::Pending(_) => PaymentState::ActionRequired,
            Phase::Destroyed => PaymentState::Destroyed,
        }
    }

    /// The attempt under way, if any.
    pub fn attempt(&mut self) -> Option<&mut Attempt<H>> {
        match self {
            Phase::Paying(a) => Some(a),
            _ => None,
        }
    }

    /// Whether an attempt waits for the provider form's token.
    pub fn awaits_token(&self) -> bool {
        matches!(self, Phase::Paying(Attempt { step: Step::AwaitingToken { .. }, .. }))
    }

    /// The provider form became usable (or the saved cards did): `Loading` becomes `Ready`.
    /// Says whether it changed anything (`ready` is emitted once).
    pub fn form_ready(&mut self) -> bool {
        let ready = matches!(self, Phase::Loading);
        if ready {
            *self = Phase::Idle(Idle::Ready);
        }
        ready
    }

    /// The provider's script or form failed (or was locked). An attempt waiting for its token
    /// is handed back to be ended (nothing was sent, nothing charged); one already sent goes on.
    pub fn setup_failed(&mut self) -> Option<Attempt<H>> {
        match self {
            Phase::Loading | Phase::Idle(Idle::Ready) => *self = Phase::Idle(Idle::SetupFailed),
            Phase::Paying(a) if a.since == Idle::Ready => a.since = Idle::SetupFailed,
            _ => {}
        }
        self.take_awaiting_token()
    }

    /// Starts `a` if the checkout can take a payment now; gives it back if not.
    pub fn start(&mut self, mut a: Attempt<H>) -> Result<(), Attempt<H>> {
        match self {
            Phase::Idle(i) => {
                a.since = *i;
                *self = Phase::Paying(a);
                Ok(())
            }
            _ => Err(a),
        }
    }

    /// A token arrived. It starts the attempt that waited for it, or (from the form's own
    /// button) a new one made by `new_attempt`; otherwise it is dropped unused (`false`):
    /// forwarding it could charge twice. The installments of the attempt are returned.
    pub fn token_arrived(&mut self, new_attempt: impl FnOnce() -> Attempt<H>) -> Option<u32> {
        if let Phase::Paying(a) = self {
            if !matches!(a.step, Step::AwaitingToken { .. }) {
                return None;
            }
            a.step = Step::Sent;
            return Some(a.installments);
        }
        let mut a = new_attempt();
        a.from_page = false;
        self.start(a).ok()?;
        self.attempt().map(|a| a.installments)
    }

    /// The attempt waiting for its token, taken out (the wait ended: timeout, form error).
    pub fn take_awaiting_token(&mut self) -> Option<Attempt<H>> {
        if !self.awaits_token() {
            return None;
        }
        self.end(Outcome::NotApproved)
    }

    /// The merchant answered `pending` with an action for the shopper.
    pub fn action_needed(&mut self) -> bool {
        match self.attempt() {
            Some(a) if a.step == Step::Sent => {
                a.step = Step::AwaitingShopper;
                true
            }
            _ => false,
        }
    }

    /// The shopper finished (or left) the action; the outcome is being read. `false` when the
    /// attempt is gone (destroyed meanwhile).
    pub fn action_done(&mut self) -> bool {
        match self.attempt() {
            Some(a) if a.step == Step::AwaitingShopper => {
                a.step = Step::Sent;
                true
            }
            _ => false,
        }
    }

    /// Ends the attempt under way with `outcome`, handing it back to be settled; `None` when
    /// there is none (it ended already: each attempt has exactly one end). An approved
    /// attempt's handle stays: `pay()` returns its promise again.
    pub fn end(&mut self, outcome: Outcome) -> Option<Attempt<H>> {
        let Phase::Paying(a) = self else { return None };
        let sent = !matches!(a.step, Step::AwaitingToken { .. });
        let next = match outcome {
            // Nothing was sent: the checkout is as it was.
            _ if !sent => Phase::Idle(a.since),
            Outcome::Approved => Phase::Succeeded(a.handle.clone()),
            Outcome::NotApproved => Phase::Idle(Idle::Declined),
            Outcome::StillPending => Phase::Pending(None),
        };
        match std::mem::replace(self, next) {
            Phase::Paying(a) => Some(a),
            _ => None,
        }
    }

    /// Ends the attempt as pending with a verification the shopper left unfinished: `pay()`
    /// opens it again (`answer`) for the same payment.
    pub fn end_unfinished(&mut self, answer: MerchantAnswer) -> Option<Attempt<H>> {
        let a = self.end(Outcome::StillPending)?;
        if let Phase::Pending(slot) = self {
            *slot = Some(answer);
        }
        Some(a)
    }

    /// The unfinished verification's answer, taken to be opened again by a new attempt (made by
    /// `new_attempt`, already sent: it is the same payment); `None` when there is none.
    pub fn reopen(&mut self, new_attempt: impl FnOnce() -> Attempt<H>) -> Option<MerchantAnswer> {
        let Phase::Pending(slot) = self else { return None };
        let answer = slot.take()?;
        *self = Phase::Paying(Attempt { since: Idle::Declined, ..new_attempt() });
        Some(answer)
    }

    /// `createCheckout({ resume })`: the payment a redirect left is taken up as an unfinished one
    /// (`reopen` then drives it), when the checkout is idle. `false` otherwise.
    pub fn resume(&mut self, answer: MerchantAnswer) -> bool {
        let idle = matches!(self, Phase::Idle(_));
        if idle {
            *self = Phase::Pending(Some(answer));
        }
        idle
    }

    /// `destroy()`: the attempt under way (if any) is handed back to be ended. Nothing leaves
    /// `Destroyed`; `None` the second time.
    pub fn destroy(&mut self) -> Option<Option<Attempt<H>>> {
        match std::mem::replace(self, Phase::Destroyed) {
            Phase::Destroyed => None,
            Phase::Paying(a) => Some(Some(a)),
            _ => Some(None),
        }
    }
}

fn idle_state(i: Idle) -> PaymentState {
    match i {
        Idle::Ready => PaymentState::Ready,
        Idle::SetupFailed | Idle::Declined => PaymentState::Failed,
    }
}

#[cfg(test)]
mod tests {
    use super::PaymentState as S;
    use super::*;
    use crate::domain::merchant::ResultStatus;

    type P = Phase<&'static str>;

    fn ready() -> P {
        let mut p = P::Loading;
        assert!(p.form_ready());
        p
    }

    #[test]
    fn spelling_matches_the_contract() {
        let all = [S::Loading, S::Ready, S::Processing, S::ActionRequired, S::Succeeded, S::Failed, S::Destroyed];
        let names: Vec<_> = all.iter().map(|s| s.as_str()).collect();
        assert_eq!(names, ["loading", "ready", "processing", "action_required", "succeeded", "failed", "destroyed"]);
    }

    #[test]
    fn the_happy_path_with_a_new_card() {
        let mut p = ready();
        assert_eq!(p.public(), S::Ready);
        assert!(p.start(Attempt::awaiting_token("a", 3, false)).is_ok());
        assert_eq!(p.public(), S::Ready, "nothing is sent before the token");
        assert_eq!(p.token_arrived(|| unreachable!()), Some(3));
        assert_eq!(p.public(), S::Processing);
        assert_eq!(p.end(Outcome::Approved).map(|a| a.handle), Some("a"));
        assert_eq!(p, Phase::Succeeded("a"));
        assert!(!p.form_ready());
    }

    #[test]
    fn a_decline_allows_another_attempt_but_success_does_not() {
        let mut p = ready();
        p.start(Attempt::sent("a", 1)).unwrap();
        p.end(Outcome::NotApproved).unwrap();
        assert_eq!(p, Phase::Idle(Idle::Declined));
        assert_eq!(p.public(), S::Failed);
        assert!(p.start(Attempt::sent("b", 1)).is_ok());
        p.end(Outcome::Approved).unwrap();
        assert!(p.start(Attempt::sent("c", 1)).is_err());
        assert_eq!(p.token_arrived(|| Attempt::sent("d", 1)), None, "a token after success is dropped");
    }

    #[test]
    fn setup_failure_and_decline_are_told_apart() {
        let mut p = P::Loading;
        assert!(p.setup_failed().is_none());
        assert_eq!(p, Phase::Idle(Idle::SetupFailed));
        assert_eq!(p.public(), S::Failed);
        // Saved cards still pay; a decline then is a decline.
        p.start(Attempt::sent("a", 1)).unwrap();
        p.end(Outcome::NotApproved).unwrap();
        assert_eq!(p, Phase::Idle(Idle::Declined));
    }

    #[test]
    fn a_form_that_fails_ends_the_attempt_waiting_for_its_token_but_not_one_sent() {
        let mut p = ready();
        p.start(Attempt::awaiting_token("a", 1, true)).unwrap();
        assert_eq!(p.setup_failed().map(|a| a.handle), Some("a"));
        assert_eq!(p, Phase::Idle(Idle::SetupFailed));
        let mut p = ready();
        p.start(Attempt::sent("b", 1)).unwrap();
        assert!(p.setup_failed().is_none());
        assert_eq!(p.public(), S::Processing);
        p.end(Outcome::Approved).unwrap();
        assert_eq!(p.public(), S::Succeeded);
    }

    #[test]
    fn a_token_from_the_forms_own_button_starts_an_attempt_nobody_awaits() {
        let mut p = ready();
        assert_eq!(p.token_arrived(|| Attempt::sent("a", 1)), Some(1));
        assert!(!p.attempt().unwrap().from_page);
        assert_eq!(p.token_arrived(|| Attempt::sent("b", 1)), None, "a second token while sent is dropped");
    }

    #[test]
    fn the_verification_action_loops_back_to_sent() {
        let mut p = ready();
        p.start(Attempt::sent("a", 1)).unwrap();
        p.attempt().unwrap().payment_id = Some("pay_1".into());
        assert!(p.action_needed());
        assert_eq!(p.public(), S::ActionRequired);
        assert!(p.action_done());
        assert_eq!(p.public(), S::Processing);
        assert!(!p.action_done());
        assert_eq!(p.end(Outcome::Approved).unwrap().payment_id.as_deref(), Some("pay_1"));
    }

    #[test]
    fn an_unfinished_verification_is_opened_again_for_the_same_payment() {
        let mut p = ready();
        p.start(Attempt::sent("a", 1)).unwrap();
        let answer = MerchantAnswer { status: ResultStatus::Pending, payment_id: None, message: None, action: None };
        assert!(p.end_unfinished(answer.clone()).is_some());
        assert_eq!(p.public(), S::ActionRequired);
        assert!(p.start(Attempt::sent("x", 1)).is_err(), "no second charge while pending");
        assert_eq!(p.reopen(|| Attempt::sent("b", 1)), Some(answer));
        assert_eq!(p.public(), S::Processing);
        p.end(Outcome::StillPending).unwrap();
        assert_eq!(p.reopen(|| unreachable!()), None, "pending without a verification to open");
    }

    #[test]
    fn an_attempt_ends_once() {
        let mut p = ready();
        p.start(Attempt::awaiting_token("a", 1, false)).unwrap();
        assert!(p.take_awaiting_token().is_some());
        assert_eq!(p, Phase::Idle(Idle::Ready), "nothing was sent: the checkout is as it was");
        assert!(p.end(Outcome::NotApproved).is_none());
    }

    #[test]
    fn nothing_leaves_destroyed() {
        let mut p = ready();
        p.start(Attempt::sent("a", 1)).unwrap();
        assert_eq!(p.destroy().map(|a| a.map(|a| a.handle)), Some(Some("a")));
        assert_eq!(p.destroy(), None);
        assert!(!p.form_ready());
        assert!(p.start(Attempt::sent("b", 1)).is_err());
        assert_eq!(p.token_arrived(|| Attempt::sent("c", 1)), None);
        assert!(p.setup_failed().is_none());
        assert_eq!(p.public(), S::Destroyed);
    }

    #[test]
    fn a_resumed_payment_is_driven_as_an_unfinished_one() {
        let answer = MerchantAnswer { status: ResultStatus::Pending, payment_id: Some("pay_9".into()), message: None, action: None };
        let mut p = P::Loading;
        assert!(!p.resume(answer.clone()), "not before the checkout is ready");
        let mut p = ready();
        assert!(p.resume(answer.clone()));
        assert_eq!(p.reopen(|| Attempt { from_page: false, ..Attempt::sent("r", 1) }), Some(answer.clone()));
        assert_eq!(p.public(), S::Processing);
        assert!(p.attempt().is_some_and(|a| !a.from_page), "nobody awaits it: destroy() rejects nothing");
        assert!(!p.resume(answer), "one attempt at a time");
        assert_eq!(p.end(Outcome::Approved).map(|a| a.handle), Some("r"));
    }

    #[test]
    fn no_attempt_while_loading() {
        let mut p = P::Loading;
        assert!(p.start(Attempt::sent("a", 1)).is_err());
        assert_eq!(p.token_arrived(|| Attempt::sent("b", 1)), None);
    }
}
