//! What a push message says. The service worker (`public/sw.js`) reads the
//! same fields: it shows, replaces or closes the notification tagged for
//! the call.

use serde::Serialize;

use crate::calls::ids::CallId;
use crate::calls::CallKind;
use crate::contract::call_types::CallView;
use crate::contract::types::ChannelKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PushKind {
    /// The call rings this person: show it, with Answer and Decline.
    Ring,
    /// It stopped ringing them (answered elsewhere, declined, cancelled):
    /// close the notification.
    Stop,
    /// It rang out unanswered: replace it with "Missed call from …".
    Missed,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PushPayload {
    pub kind: PushKind,
    pub call_id: CallId,
    /// One notification per call: each message replaces the last.
    pub tag: String,
    pub title: String,
    pub body: String,
    /// Where a click leads: the call's deep link.
    pub url: String,
    /// Unseen missed calls, for the app badge.
    pub badge: u32,
    /// When the ring stops by itself (Unix ms), for a ring.
    pub ring_until: Option<i64>,
}

/// "Voice call", "Voice call in Choir" or "Group call in Choir".
pub fn describe(call: &CallView) -> String {
    let what = match call.kind {
        CallKind::OneToOne => "Voice call",
        CallKind::Group => "Group call",
    };
    if call.channel_kind == ChannelKind::Direct || call.channel_name.is_empty() {
        what.to_string()
    } else {
        format!("{what} in {}", call.channel_name)
    }
}

pub fn tag(call: CallId) -> String {
    format!("call-{call}")
}

pub fn build(call: &CallView, kind: PushKind, badge: u32, ring_until: Option<i64>) -> PushPayload {
    let caller = &call.initiator.display_name;
    let title = match kind {
        PushKind::Missed => format!("Missed call from {caller}"),
        PushKind::Ring | PushKind::Stop => format!("Incoming call from {caller}"),
    };
    PushPayload {
        kind,
        call_id: call.id,
        tag: tag(call.id),
        title,
        body: describe(call),
        url: format!("/?callId={}", call.id),
        badge,
        ring_until: ring_until.filter(|_| kind == PushKind::Ring),
    }
}
