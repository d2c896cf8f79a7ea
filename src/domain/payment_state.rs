//! Where a payment's state is decided: the checkout's state machine (docs/api.md §3 `state`).
//!
//! The controller reports what happened; this module alone says which state follows, and which
//! happenings are ignored (a late answer after `destroy()`, a second `ready`). Keeping it pure
//! lets every transition be tested natively.

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

/// What the controller reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Happening {
    /// The provider form (or the profile list) became usable.
    FormReady,
    /// The provider script or form could not be set up, or the provider made its form unusable
    /// (KR locks it after too many attempts). Saved cards may still pay.
    SetupFailed,
    /// An attempt started (a token arrived, or a one-click `pay`).
    AttemptStarted,
    /// The merchant answered `pending` with an action for the shopper.
    ActionNeeded,
    /// The shopper finished the action; the outcome is being read.
    ActionDone,
    /// The attempt ended.
    AttemptEnded(Outcome),
    Destroy,
}

/// How an attempt ended, as far as the state machine cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Approved,
    /// Declined or failed: the shopper may try again with another card.
    NotApproved,
    /// Still pending after polling: nothing more Pasarela can do on this page.
    StillPending,
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

    /// The state after `h`, or `None` when `h` does not apply in this state (it is then ignored).
    pub fn next(self, h: Happening) -> Option<PaymentState> {
        use Happening as H;
        use PaymentState as S;
        match (self, h) {
            (S::Destroyed, _) => None,
            (_, H::Destroy) => Some(S::Destroyed),
            (S::Loading, H::FormReady) => Some(S::Ready),
            (S::Loading | S::Ready, H::SetupFailed) => Some(S::Failed),
            (S::Ready | S::Failed, H::AttemptStarted) => Some(S::Processing),
            (S::Processing, H::ActionNeeded) => Some(S::ActionRequired),
            (S::ActionRequired, H::ActionDone) => Some(S::Processing),
            (S::Processing | S::ActionRequired, H::AttemptEnded(o)) => Some(match o {
                Outcome::Approved => S::Succeeded,
                Outcome::NotApproved => S::Failed,
                Outcome::StillPending => S::ActionRequired,
            }),
            _ => None,
        }
    }

    /// Whether `pay()` may start a new attempt now.
    pub fn accepts_new_attempt(self) -> bool {
        matches!(self, PaymentState::Ready | PaymentState::Failed)
    }

    /// Whether an attempt is under way (new `pay()` calls join it).
    pub fn in_flight(self) -> bool {
        matches!(self, PaymentState::Processing | PaymentState::ActionRequired)
    }
}

#[cfg(test)]
mod tests {
    use super::Happening as H;
    use super::PaymentState as S;
    use super::*;

    #[test]
    fn spelling_matches_the_contract() {
        let all = [S::Loading, S::Ready, S::Processing, S::ActionRequired, S::Succeeded, S::Failed, S::Destroyed];
        let names: Vec<_> = all.iter().map(|s| s.as_str()).collect();
        assert_eq!(names, ["loading", "ready", "processing", "action_required", "succeeded", "failed", "destroyed"]);
    }

    #[test]
    fn the_happy_path() {
        let s = S::Loading.next(H::FormReady).unwrap();
        assert_eq!(s, S::Ready);
        let s = s.next(H::AttemptStarted).unwrap();
        assert_eq!(s, S::Processing);
        assert_eq!(s.next(H::AttemptEnded(Outcome::Approved)), Some(S::Succeeded));
    }

    #[test]
    fn a_decline_allows_another_attempt_but_success_does_not() {
        let failed = S::Processing.next(H::AttemptEnded(Outcome::NotApproved)).unwrap();
        assert!(failed.accepts_new_attempt());
        assert!(!S::Succeeded.accepts_new_attempt());
        assert_eq!(S::Succeeded.next(H::AttemptStarted), None);
    }

    #[test]
    fn the_verification_action_loops_back_to_processing() {
        let s = S::Processing.next(H::ActionNeeded).unwrap();
        assert_eq!(s, S::ActionRequired);
        assert_eq!(s.next(H::ActionDone), Some(S::Processing));
    }

    #[test]
    fn nothing_leaves_destroyed() {
        for h in [H::FormReady, H::AttemptStarted, H::AttemptEnded(Outcome::Approved), H::Destroy] {
            assert_eq!(S::Destroyed.next(h), None);
        }
        assert_eq!(S::Processing.next(H::Destroy), Some(S::Destroyed));
    }

    #[test]
    fn a_form_that_fails_after_ready_fails_the_checkout_but_not_an_attempt_in_flight() {
        assert_eq!(S::Ready.next(H::SetupFailed), Some(S::Failed));
        assert_eq!(S::Processing.next(H::SetupFailed), None);
    }

    #[test]
    fn no_attempt_while_loading_or_in_flight() {
        assert_eq!(S::Loading.next(H::AttemptStarted), None);
        assert_eq!(S::Processing.next(H::AttemptStarted), None);
        assert!(S::ActionRequired.in_flight());
    }
}
