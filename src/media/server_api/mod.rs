//! The embedded SFU as a LiveKit server to LiveKit's tools: its
//! RoomService over Twirp (`service`), its rooms and revoked tokens
//! (`book`) and signed webhooks to configured URLs (`webhooks`). Call
//! control still decides who may be in Belfry's own rooms; this is how
//! anything else (LiveKit's server SDKs, another Belfry in LiveKit mode)
//! manages the same SFU.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use super::admission::{Admission, Asking, Gate};
use super::driver::{MediaServer, PresenceChange};
use super::token::MediaKeys;

pub mod book;
pub mod service;
pub mod webhooks;

pub use book::{RoomBook, RoomNews};
pub use webhooks::WebhookSender;

/// The embedded SFU with its server API.
#[derive(Clone)]
pub struct MediaHost {
    pub server: MediaServer,
    pub book: Arc<RoomBook>,
    pub keys: MediaKeys,
    pub hooks: WebhookSender,
}

impl MediaHost {
    pub fn new(server: MediaServer, keys: MediaKeys, hooks: WebhookSender) -> Self {
        Self {
            server,
            book: Arc::default(),
            keys,
            hooks,
        }
    }

    fn announce(&self, news: Option<RoomNews>) {
        match news {
            Some(RoomNews::Started(room)) => self.hooks.send("room_started", room, None),
            Some(RoomNews::Finished(room)) => self.hooks.send("room_finished", room, None),
            None => {}
        }
    }

    /// Follows the SFU's comings and goings: the book counts them, the
    /// webhooks tell them, and `downstream` (call control, when this
    /// server has one) gets each change as it was. Rooms left empty close
    /// after their timeout.
    pub fn follow(
        &self,
        mut changes: mpsc::UnboundedReceiver<PresenceChange>,
        downstream: Option<mpsc::UnboundedSender<PresenceChange>>,
    ) {
        let host = self.clone();
        tokio::spawn(async move {
            let mut sweep = tokio::time::interval(Duration::from_secs(1));
            loop {
                tokio::select! {
                    change = changes.recv() => {
                        let Some(change) = change else { break };
                        host.note(&change);
                        if let Some(down) = &downstream {
                            let _ = down.send(change);
                        }
                    }
                    _ = sweep.tick() => {
                        for news in host.book.sweep(Instant::now()) {
                            host.announce(Some(news));
                        }
                    }
                }
            }
        });
    }

    fn note(&self, change: &PresenceChange) {
        let p = &change.presence;
        let person = livekit_protocol::ParticipantInfo {
            sid: p.sid.clone(),
            identity: p.identity.clone(),
            name: p.name.clone(),
            state: if change.joined {
                livekit_protocol::participant_info::State::Active
            } else {
                livekit_protocol::participant_info::State::Disconnected
            } as i32,
            joined_at: super::unix_now(),
            ..Default::default()
        };
        if change.joined {
            let (room, news) = self.book.joined(&p.room, super::unix_now());
            self.announce(news);
            self.hooks.send("participant_joined", room, Some(person));
        } else if let Some(room) = self.book.left(&p.room) {
            self.hooks.send("participant_left", room, Some(person));
        }
    }
}

/// Admission by token alone, as LiveKit admits: a valid, unrevoked token
/// for the room (checked before the gate) is enough. The media role's gate.
pub struct TokenGate;

impl Gate for TokenGate {
    fn admit<'a>(&'a self, _room: &'a str, _identity: &'a str) -> Asking<'a> {
        Box::pin(async { Admission::Admitted { held: false } })
    }
}
