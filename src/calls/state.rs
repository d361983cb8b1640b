//! What a call is at one moment.

use serde::{Deserialize, Serialize};

use super::ids::{CallId, ChannelId, UserId};
use super::Millis;

macro_rules! str_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $text:literal),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),*
        }

        impl $name {
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),* }
            }

            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some(Self::$variant),)* _ => None }
            }
        }
    };
}

str_enum!(
    /// A call: `RINGING -> ACTIVE -> ENDED`, or `RINGING -> MISSED | DECLINED`.
    CallStatus { Ringing = "RINGING", Active = "ACTIVE", Ended = "ENDED", Missed = "MISSED", Declined = "DECLINED" }
);
str_enum!(
    /// One person in a call.
    ParticipantStatus {
        Invited = "INVITED",
        Ringing = "RINGING",
        Connected = "CONNECTED",
        Disconnected = "DISCONNECTED",
        Declined = "DECLINED",
        Missed = "MISSED",
    }
);
str_enum!(
    /// Why a call is over.
    EndReason {
        Hangup = "hangup",
        Cancelled = "cancelled",
        Timeout = "timeout",
        Declined = "declined",
        Busy = "busy",
        Empty = "empty",
        Restart = "restart",
    }
);
str_enum!(
    /// Why someone did not join.
    DeclineReason { Declined = "declined", Busy = "busy", Removed = "removed" }
);
str_enum!(
    /// One-to-one calls end when either side leaves; group calls when the last does.
    CallKind { OneToOne = "one_to_one", Group = "group" }
);

impl CallStatus {
    /// Ringing or active: the channel's one live call.
    pub fn is_live(self) -> bool {
        matches!(self, Self::Ringing | Self::Active)
    }
}

impl ParticipantStatus {
    /// Still being rung.
    pub fn is_ringing(self) -> bool {
        matches!(self, Self::Invited | Self::Ringing)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct Participant {
    pub user: UserId,
    pub status: ParticipantStatus,
    pub invited_at: Millis,
    /// While ringing: when it stops and becomes missed.
    pub ring_deadline: Option<Millis>,
    pub joined_at: Option<Millis>,
    pub left_at: Option<Millis>,
    pub decline_reason: Option<DeclineReason>,
}

impl Participant {
    pub fn connected(user: UserId, now: Millis) -> Self {
        Self {
            user,
            status: ParticipantStatus::Connected,
            invited_at: now,
            ring_deadline: None,
            joined_at: Some(now),
            left_at: None,
            decline_reason: None,
        }
    }

    pub fn ringing(user: UserId, now: Millis, deadline: Millis) -> Self {
        Self {
            user,
            status: ParticipantStatus::Ringing,
            invited_at: now,
            ring_deadline: Some(deadline),
            joined_at: None,
            left_at: None,
            decline_reason: None,
        }
    }

    pub fn busy(user: UserId, now: Millis) -> Self {
        Self {
            user,
            status: ParticipantStatus::Declined,
            invited_at: now,
            ring_deadline: None,
            joined_at: None,
            left_at: Some(now),
            decline_reason: Some(DeclineReason::Busy),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct CallState {
    pub id: CallId,
    pub channel: ChannelId,
    pub kind: CallKind,
    pub initiator: UserId,
    pub status: CallStatus,
    pub created_at: Millis,
    /// When the first invitee answered.
    pub started_at: Option<Millis>,
    pub ended_at: Option<Millis>,
    pub end_reason: Option<EndReason>,
    pub participants: Vec<Participant>,
}

impl CallState {
    pub fn participant(&self, user: UserId) -> Option<&Participant> {
        self.participants.iter().find(|p| p.user == user)
    }

    pub(crate) fn participant_mut(&mut self, user: UserId) -> Option<&mut Participant> {
        self.participants.iter_mut().find(|p| p.user == user)
    }

    pub fn count(&self, status: ParticipantStatus) -> usize {
        self.participants
            .iter()
            .filter(|p| p.status == status)
            .count()
    }

    pub fn ringing_count(&self) -> usize {
        self.participants
            .iter()
            .filter(|p| p.status.is_ringing())
            .count()
    }

    /// Talk time: from the first answer to the end (zero if never answered).
    pub fn duration_ms(&self) -> Millis {
        match (self.started_at, self.ended_at) {
            (Some(start), Some(end)) => (end - start).max(0),
            _ => 0,
        }
    }

    /// People who were ever connected.
    pub fn joined_count(&self) -> usize {
        self.participants
            .iter()
            .filter(|p| p.joined_at.is_some())
            .count()
    }

    /// The earliest ring deadline still pending, for the server's timer.
    pub fn next_deadline(&self) -> Option<Millis> {
        if !self.status.is_live() {
            return None;
        }
        self.participants
            .iter()
            .filter(|p| p.status.is_ringing())
            .filter_map(|p| p.ring_deadline)
            .min()
    }

    /// Everyone who hears about this call's changes.
    pub fn involved(&self) -> Vec<UserId> {
        let mut users: Vec<UserId> = self.participants.iter().map(|p| p.user).collect();
        users.push(self.initiator);
        users.sort();
        users.dedup();
        users
    }
}
