//! The words a finished call leaves in its channel's timeline.

use super::state::{CallKind, CallState, CallStatus, EndReason};
use super::Millis;

/// "45s", "2m 34s", "12m", "1h 05m": seconds matter only for short calls.
pub fn format_duration(ms: Millis) -> String {
    let secs = (ms.max(0) + 500) / 1000;
    let (h, m, s) = (secs / 3600, (secs % 3600) / 60, secs % 60);
    match (h, m) {
        (0, 0) => format!("{s}s"),
        (0, m) if m < 10 => format!("{m}m {s}s"),
        (0, m) => format!("{m}m"),
        (h, m) => format!("{h}h {m:02}m"),
    }
}

/// "Voice call · 2m 34s", "Group call · 4 people · 12m", "Missed voice call"…
/// None while the call is still live.
pub fn timeline_text(call: &CallState) -> Option<String> {
    let noun = match call.kind {
        CallKind::OneToOne => "voice call",
        CallKind::Group => "group call",
    };
    let text = match call.status {
        CallStatus::Ringing | CallStatus::Active => return None,
        CallStatus::Ended => match call.kind {
            CallKind::OneToOne => format!("Voice call · {}", format_duration(call.duration_ms())),
            CallKind::Group => format!(
                "Group call · {} people · {}",
                call.joined_count(),
                format_duration(call.duration_ms())
            ),
        },
        CallStatus::Missed => format!("Missed {noun}"),
        CallStatus::Declined if call.end_reason == Some(EndReason::Busy) => {
            format!("{} · busy", capitalise(noun))
        }
        CallStatus::Declined => format!("Declined {noun}"),
    };
    Some(text)
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
