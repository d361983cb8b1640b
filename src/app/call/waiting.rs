//! Call waiting: a call that tried to reach me while I was on another one.
//!
//! Call control does not ring someone busy: a group call skips them, a call
//! that could ring nobody else ends at once as busy. It does tell them (the
//! call's live event names them as busy), and the tab holding their current
//! call offers "End and answer" (join the call, while it is live) or "End
//! and call back" (once it is over), next to Decline / Dismiss.

use std::time::Duration;

use leptos::prelude::*;

use super::center::{connected, CallCenter};
use super::format;
use crate::calls::ids::CallId;
use crate::calls::CallChange;
use crate::contract::call_types::CallView;
use crate::contract::types::ChannelKind;

/// How long a waiting call is offered, like a ring.
const WAITING_FOR: Duration = Duration::from_secs(30);

/// What the incoming dialog says of a call: its heading, the line under
/// it, and its two buttons (a ring's words are made in `incoming.rs`).
#[derive(Clone, PartialEq)]
pub struct OfferWords {
    pub title: String,
    pub detail: String,
    pub take: &'static str,
    pub dismiss: &'static str,
}

/// The words for a waiting call, live or over, with or without a call here.
pub fn waiting_words(call: &CallView, in_call: bool) -> OfferWords {
    let caller = &format::caller(call).display_name;
    if call.status.is_live() {
        OfferWords {
            title: format!("{caller} is calling"),
            detail: format!("{} · you are on another call", format::subtitle(call)),
            take: if in_call {
                "End and answer"
            } else {
                "Join call"
            },
            dismiss: "Decline",
        }
    } else {
        OfferWords {
            title: format!("{caller} called"),
            detail: "You were on another call".into(),
            take: if in_call {
                "End and call back"
            } else {
                "Call back"
            },
            dismiss: "Dismiss",
        }
    }
}

impl CallCenter {
    /// A call changed: offer it if it just found me busy here, and keep
    /// the offer up to date (gone once the call is over or I am in it).
    pub(super) fn follow_waiting(&self, call: &CallView, changes: &[CallChange]) {
        let me = self.me;
        let id = call.id;
        let offered = self
            .waiting
            .with_untracked(|l| l.iter().position(|c| c.id == id));
        let found_busy = changes
            .iter()
            .any(|c| matches!(c, CallChange::Busy { users } if users.contains(&me)));
        let in_other_call = self
            .current
            .with_untracked(|c| c.as_ref().is_some_and(|c| c.id != id));
        match offered {
            None if found_busy && in_other_call => {
                let words = waiting_words(call, true);
                self.announcement.set(if call.status.is_live() {
                    format!("{}. You are on another call.", words.title)
                } else {
                    format!("{} while you were on another call", words.title)
                });
                self.waiting.update(|l| l.push(call.clone()));
                let center = *self;
                set_timeout(move || center.dismiss_waiting(id), WAITING_FOR);
            }
            None => {}
            Some(i) => {
                let was_live = self.waiting.with_untracked(|l| l[i].status.is_live());
                if (was_live && !call.status.is_live()) || connected(call, me) {
                    self.dismiss_waiting(id);
                } else {
                    self.waiting.update(|l| l[i] = call.clone());
                }
            }
        }
    }

    /// The waiting call `id`, as last heard of.
    pub fn waiting_call(&self, id: CallId) -> Option<CallView> {
        self.waiting
            .with_untracked(|l| l.iter().find(|c| c.id == id).cloned())
    }

    /// Decline or dismiss: call control already counts me out of it.
    pub fn dismiss_waiting(&self, call: CallId) {
        if self
            .waiting
            .with_untracked(|l| l.iter().any(|c| c.id == call))
        {
            self.waiting.update(|l| l.retain(|c| c.id != call));
        }
    }

    /// "End and answer" / "End and call back": leave the call here, then
    /// join the waiting one if it is live, or ring its caller back.
    pub fn take_waiting(&self, call: CallView) {
        self.dismiss_waiting(call.id);
        let previous = self.current.with_untracked(|c| c.as_ref().map(|c| c.id));
        // A parish call rings only those chosen: the caller, here.
        let invitees = (!call.status.is_live() && call.channel_kind == ChannelKind::Parish)
            .then(|| vec![call.initiator.id]);
        let center = *self;
        self.act(async move {
            if let Some(previous) = previous {
                crate::api::calls::leave_call(previous).await?;
            }
            center.initiate(call.channel_id, invitees).await
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calls::CallStatus;

    fn call(status: CallStatus) -> CallView {
        crate::contract::call_fixture::hall_call(status)
    }

    #[test]
    fn a_live_waiting_call_offers_end_and_answer() {
        let w = waiting_words(&call(CallStatus::Ringing), true);
        assert_eq!(w.title, "Carol Nguyen is calling");
        assert_eq!(
            w.detail,
            "Group call in Parish hall · you are on another call"
        );
        assert_eq!((w.take, w.dismiss), ("End and answer", "Decline"));
        let w = waiting_words(&call(CallStatus::Active), false);
        assert_eq!((w.take, w.dismiss), ("Join call", "Decline"));
    }

    #[test]
    fn a_call_over_at_once_offers_a_call_back() {
        let w = waiting_words(&call(CallStatus::Declined), true);
        assert_eq!(w.title, "Carol Nguyen called");
        assert_eq!((w.take, w.dismiss), ("End and call back", "Dismiss"));
        let w = waiting_words(&call(CallStatus::Declined), false);
        assert_eq!(w.take, "Call back");
    }
}
