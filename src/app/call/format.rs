//! Words and numbers the call UI shows: titles, timers, durations.

use crate::calls::ids::UserId;
use crate::calls::ParticipantStatus;
use crate::contract::call_types::CallView;
use crate::contract::types::{ChannelKind, UserView};

/// Who the call is with, as its title: the other person of a direct call,
/// else the channel's name.
pub fn title(call: &CallView, me: UserId) -> String {
    if call.channel_kind == ChannelKind::Direct || call.channel_name.is_empty() {
        let others: Vec<&str> = call
            .participants
            .iter()
            .filter(|p| p.user.id != me)
            .map(|p| p.user.display_name.as_str())
            .collect();
        if !others.is_empty() {
            return others.join(", ");
        }
    }
    call.channel_name.clone()
}

/// "Voice call" for two people, "Group call in Choir" for more.
pub fn subtitle(call: &CallView) -> String {
    match call.channel_kind {
        ChannelKind::Direct => "Voice call".into(),
        _ if call.channel_name.is_empty() => "Group call".into(),
        _ => format!("Group call in {}", call.channel_name),
    }
}

/// "3 participants": those connected now.
pub fn headcount(call: &CallView) -> String {
    let n = call
        .participants
        .iter()
        .filter(|p| p.status == ParticipantStatus::Connected)
        .count();
    if n == 1 {
        "1 participant".into()
    } else {
        format!("{n} participants")
    }
}

/// "Bob Okafor is" / "Bob Okafor and Carol Nguyen are": those who could
/// not be rung because they were on another call.
pub fn busy_names(call: &CallView) -> String {
    let names: Vec<&str> = (call.participants.iter())
        .filter(|p| p.decline_reason == Some(crate::calls::DeclineReason::Busy))
        .map(|p| p.user.display_name.as_str())
        .collect();
    match names.as_slice() {
        [] => "Everyone you called is".into(),
        [one] => format!("{one} is"),
        [rest @ .., last] => format!("{} and {last} are", rest.join(", ")),
    }
}

/// The person ringing us: whoever started the call.
pub fn caller(call: &CallView) -> &UserView {
    &call.initiator
}

/// "0:07", "12:34", "1:02:03".
pub fn clock(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    let (h, m, s) = (s / 3600, (s / 60) % 60, s % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// "2 minutes 34 seconds", for screen readers.
pub fn spoken(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    let (h, m, s) = (s / 3600, (s / 60) % 60, s % 60);
    let unit = |n: i64, word: &str| {
        let plural = if n == 1 { "" } else { "s" };
        format!("{n} {word}{plural}")
    };
    let mut parts = Vec::new();
    if h > 0 {
        parts.push(unit(h, "hour"));
    }
    if m > 0 {
        parts.push(unit(m, "minute"));
    }
    if s > 0 || parts.is_empty() {
        parts.push(unit(s, "second"));
    }
    parts.join(" ")
}

/// Where a connected participant's audio is: what their row can honestly
/// say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// Not in the media room (yet).
    Away,
    /// In the room, connections coming up.
    Joining,
    /// In the room for long enough that their connections should be up and
    /// are not: their network blocks them.
    Stuck,
    /// Their audio flows.
    Flowing,
}

impl Presence {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Away => "away",
            Self::Joining => "joining",
            Self::Stuck => "stuck",
            Self::Flowing => "flowing",
        }
    }
}

/// How long a participant may take to connect before their row says
/// audio cannot connect.
pub const CONNECT_GRACE_MS: i64 = 15_000;

/// What a participant's row says about them. "Connected" only once their
/// audio can flow.
pub fn status_label(status: ParticipantStatus, presence: Presence) -> &'static str {
    match status {
        ParticipantStatus::Invited | ParticipantStatus::Ringing => "Ringing…",
        ParticipantStatus::Connected => match presence {
            Presence::Flowing => "Connected",
            Presence::Stuck => "Can't connect audio",
            Presence::Away | Presence::Joining => "Connecting…",
        },
        ParticipantStatus::Disconnected => "Left",
        ParticipantStatus::Declined => "Declined",
        ParticipantStatus::Missed => "Missed",
    }
}

/// Why a stuck participant's audio cannot connect.
pub fn stuck_reason(me: bool) -> &'static str {
    if me {
        "Your network is blocking the audio connection. Try another network."
    } else {
        "Their network is blocking the audio connection."
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clocks_and_spoken_durations() {
        assert_eq!(clock(7_900), "0:07");
        assert_eq!(clock(754_000), "12:34");
        assert_eq!(clock(3_723_000), "1:02:03");
        assert_eq!(clock(-5), "0:00");
        assert_eq!(spoken(154_000), "2 minutes 34 seconds");
        assert_eq!(spoken(61_000), "1 minute 1 second");
        assert_eq!(spoken(3_600_000), "1 hour");
        assert_eq!(spoken(400), "0 seconds");
    }

    #[test]
    fn status_labels_say_connected_only_once_audio_flows() {
        use ParticipantStatus::{Connected, Ringing};
        assert_eq!(status_label(Ringing, Presence::Away), "Ringing…");
        assert_eq!(status_label(Connected, Presence::Away), "Connecting…");
        assert_eq!(status_label(Connected, Presence::Joining), "Connecting…");
        assert_eq!(
            status_label(Connected, Presence::Stuck),
            "Can't connect audio"
        );
        assert_eq!(status_label(Connected, Presence::Flowing), "Connected");
    }
}
