//! What the call center tells screen readers (its aria-live announcement)
//! as a call changes: who joined, left, declined or did not answer, and how
//! a call ended.

use leptos::prelude::*;

use super::center::CallCenter;
use super::format;
use crate::calls::{CallStatus, ParticipantStatus};
use crate::contract::call_types::CallView;

impl CallCenter {
    pub(super) fn announce_changes(&self, call: &CallView) {
        let before = self.current.get_untracked();
        let Some(before) = before else { return };
        for p in &call.participants {
            let was = before.participant(p.user.id).map(|b| b.status);
            if p.user.id == self.me || was == Some(p.status) {
                continue;
            }
            let name = &p.user.display_name;
            let said = match p.status {
                ParticipantStatus::Connected => format!("{name} joined"),
                ParticipantStatus::Disconnected => format!("{name} left"),
                ParticipantStatus::Declined => format!("{name} declined"),
                ParticipantStatus::Missed => format!("{name} did not answer"),
                _ => continue,
            };
            self.announcement.set(said);
        }
    }

    pub(super) fn announce_end(&self, call: &CallView) {
        let said = match call.status {
            CallStatus::Ended if call.duration_ms > 0 => {
                format!("Call ended, {}", format::spoken(call.duration_ms))
            }
            CallStatus::Missed => "No answer".to_string(),
            CallStatus::Declined => "Call declined".to_string(),
            _ => "Call ended".to_string(),
        };
        self.announcement.set(said);
    }
}
