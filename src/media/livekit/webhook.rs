//! Webhooks from a LiveKit server, as Belfry receives them: the
//! `Authorization` JWT must be signed with the API secret and carry the
//! body's SHA-256 (`livekit-api`'s receiver checks both), an event id is
//! taken once, an event older than `MAX_AGE` is refused, and an event about
//! a person that is older than one already applied for them is dropped
//! (webhooks arrive late and out of order; the reconcile pass corrects
//! whatever is lost).

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

use livekit_api::webhooks::{WebhookError, WebhookReceiver};
use livekit_protocol::WebhookEvent;

use super::super::token::MediaKeys;

/// Events older than this are refused (a replay of a captured one).
pub const MAX_AGE: Duration = Duration::from_secs(300);
/// Ids remembered for deduplication (more than `MAX_AGE` of any real
/// deployment's events; older ones are refused as stale anyway).
const REMEMBERED: usize = 50_000;

/// What an accepted webhook tells call control.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Heard {
    Joined {
        room: String,
        identity: String,
    },
    Left {
        room: String,
        identity: String,
    },
    RoomFinished {
        room: String,
    },
    /// Anything else (track events, egress): accepted, nothing to do.
    Nothing,
}

/// Why a webhook was refused; each maps to an HTTP status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// No `Authorization`, or a signature, key or body hash that does not
    /// match (401).
    Unsigned(String),
    /// The body is not a webhook event (400).
    Malformed(String),
    /// An id already taken (409).
    Replayed,
    /// Older than `MAX_AGE`, or from the future (400).
    Stale,
}

pub struct WebhookInbox {
    receiver: WebhookReceiver,
    seen: Mutex<Seen>,
}

#[derive(Default)]
struct Seen {
    ids: HashSet<String>,
    order: VecDeque<String>,
    /// The newest event time applied per (room, identity).
    latest: HashMap<(String, String), i64>,
}

impl WebhookInbox {
    pub fn new(keys: &MediaKeys) -> Self {
        Self {
            receiver: WebhookReceiver::new(keys.verifier()),
            seen: Mutex::default(),
        }
    }

    /// Checks one delivery; `now` in Unix seconds.
    pub fn accept(
        &self,
        body: &str,
        authorization: Option<&str>,
        now: i64,
    ) -> Result<Heard, Refused> {
        let auth = authorization
            .map(|a| a.trim().strip_prefix("Bearer ").unwrap_or(a.trim()))
            .filter(|a| !a.is_empty())
            .ok_or_else(|| Refused::Unsigned("the webhook carries no Authorization".into()))?;
        let event = self.receiver.receive(body, auth).map_err(|e| match e {
            WebhookError::InvalidData(e) => Refused::Malformed(format!("not a webhook event: {e}")),
            other => Refused::Unsigned(format!("the webhook's signature does not hold: {other}")),
        })?;
        if event.id.is_empty() {
            return Err(Refused::Malformed("the event has no id".into()));
        }
        let age = now - event.created_at;
        if age > MAX_AGE.as_secs() as i64 || age < -60 {
            return Err(Refused::Stale);
        }
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if !seen.ids.insert(event.id.clone()) {
            return Err(Refused::Replayed);
        }
        seen.order.push_back(event.id.clone());
        if seen.order.len() > REMEMBERED {
            if let Some(old) = seen.order.pop_front() {
                seen.ids.remove(&old);
            }
            let cutoff = now - MAX_AGE.as_secs() as i64;
            seen.latest.retain(|_, at| *at >= cutoff);
        }
        Ok(seen.heard(event))
    }
}

impl Seen {
    fn heard(&mut self, event: WebhookEvent) -> Heard {
        let room = event
            .room
            .as_ref()
            .map(|r| r.name.clone())
            .unwrap_or_default();
        let identity = (event.participant.as_ref())
            .map(|p| p.identity.clone())
            .unwrap_or_default();
        let joined = match event.event.as_str() {
            "participant_joined" => true,
            "participant_left" | "participant_connection_aborted" => false,
            "room_finished" if !room.is_empty() => return Heard::RoomFinished { room },
            _ => return Heard::Nothing,
        };
        if room.is_empty() || identity.is_empty() {
            return Heard::Nothing;
        }
        // Out of order: an event older than the last one applied for this
        // person in this room says nothing new.
        let latest = self
            .latest
            .entry((room.clone(), identity.clone()))
            .or_default();
        if event.created_at < *latest {
            return Heard::Nothing;
        }
        *latest = event.created_at;
        if joined {
            Heard::Joined { room, identity }
        } else {
            Heard::Left { room, identity }
        }
    }
}

impl Refused {
    pub fn status(&self) -> u16 {
        match self {
            Refused::Unsigned(_) => 401,
            Refused::Malformed(_) | Refused::Stale => 400,
            Refused::Replayed => 409,
        }
    }

    pub fn message(&self) -> String {
        match self {
            Refused::Unsigned(why) | Refused::Malformed(why) => why.clone(),
            Refused::Replayed => "This webhook event was already received.".into(),
            Refused::Stale => "This webhook event is too old (or from the future).".into(),
        }
    }
}
