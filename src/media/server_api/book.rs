//! The embedded SFU's rooms as LiveKit's server API sees them: made by
//! CreateRoom or by the first join, with their settings, how many are in
//! them, and the tokens revoked by RemoveParticipant.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use livekit_protocol as proto;

use super::super::token::RoomGrant;

/// LiveKit's defaults: a room with nobody in it closes after 5 minutes
/// (20 seconds once someone has been and gone).
pub const EMPTY_TIMEOUT: Duration = Duration::from_secs(300);
pub const DEPARTURE_TIMEOUT: Duration = Duration::from_secs(20);
/// Revocations are kept this long (longer than any token Belfry mints,
/// and than the 6 hours LiveKit's SDKs default to).
const REVOKED_FOR: i64 = 24 * 3600;

#[derive(Debug, Clone)]
struct Record {
    sid: String,
    created_at: i64,
    empty_timeout: Duration,
    departure_timeout: Duration,
    max_participants: u32,
    metadata: String,
    present: u32,
    /// When it was last left empty (after someone had been in it), or made.
    idle_since: Option<Instant>,
    was_used: bool,
}

#[derive(Default)]
pub struct RoomBook {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    rooms: HashMap<String, Record>,
    /// (room, identity) → tokens not valid before this Unix second are
    /// refused.
    revoked: HashMap<(String, String), i64>,
}

/// What a change to the book means for webhooks.
#[derive(Debug, Clone, PartialEq)]
pub enum RoomNews {
    Started(proto::Room),
    Finished(proto::Room),
}

impl RoomBook {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// CreateRoom: the room (made now, or as it already was).
    pub fn create(
        &self,
        req: &proto::CreateRoomRequest,
        now: i64,
    ) -> (proto::Room, Option<RoomNews>) {
        let mut inner = self.lock();
        let fresh = !inner.rooms.contains_key(&req.name);
        let record = inner
            .rooms
            .entry(req.name.clone())
            .or_insert_with(|| Record {
                sid: new_sid("RM_"),
                created_at: now,
                empty_timeout: EMPTY_TIMEOUT,
                departure_timeout: DEPARTURE_TIMEOUT,
                max_participants: 0,
                metadata: String::new(),
                present: 0,
                idle_since: Some(Instant::now()),
                was_used: false,
            });
        if fresh {
            if req.empty_timeout > 0 {
                record.empty_timeout = Duration::from_secs(req.empty_timeout.into());
            }
            if req.departure_timeout > 0 {
                record.departure_timeout = Duration::from_secs(req.departure_timeout.into());
            }
            record.max_participants = req.max_participants;
            record.metadata = req.metadata.clone();
        }
        let room = view(&req.name, record);
        let news = fresh.then(|| RoomNews::Started(room.clone()));
        (room, news)
    }

    /// Someone joined `room` (made on the way if it did not exist).
    pub fn joined(&self, room: &str, now: i64) -> (proto::Room, Option<RoomNews>) {
        let (_, mut news) = self.create(
            &proto::CreateRoomRequest {
                name: room.into(),
                ..Default::default()
            },
            now,
        );
        let mut inner = self.lock();
        let record = inner.rooms.get_mut(room).expect("just made");
        record.present += 1;
        record.idle_since = None;
        record.was_used = true;
        let view = view(room, record);
        if let Some(RoomNews::Started(started)) = &mut news {
            *started = view.clone();
        }
        (view, news)
    }

    /// Someone left `room`.
    pub fn left(&self, room: &str) -> Option<proto::Room> {
        let mut inner = self.lock();
        let record = inner.rooms.get_mut(room)?;
        record.present = record.present.saturating_sub(1);
        if record.present == 0 {
            record.idle_since = Some(Instant::now());
        }
        Some(view(room, record))
    }

    /// DeleteRoom: the room as it was, or None when there was none.
    pub fn delete(&self, room: &str) -> Option<proto::Room> {
        let record = self.lock().rooms.remove(room)?;
        Some(view(room, &record))
    }

    /// Closes rooms left empty past their timeout.
    pub fn sweep(&self, now: Instant) -> Vec<RoomNews> {
        let mut inner = self.lock();
        let expired: Vec<String> = (inner.rooms.iter())
            .filter(|(_, r)| {
                let timeout = if r.was_used {
                    r.departure_timeout
                } else {
                    r.empty_timeout
                };
                r.present == 0
                    && r.idle_since
                        .is_some_and(|t| now.duration_since(t) >= timeout)
            })
            .map(|(name, _)| name.clone())
            .collect();
        (expired.into_iter())
            .filter_map(|name| {
                let record = inner.rooms.remove(&name)?;
                Some(RoomNews::Finished(view(&name, &record)))
            })
            .collect()
    }

    pub fn get(&self, room: &str) -> Option<proto::Room> {
        self.lock().rooms.get(room).map(|r| view(room, r))
    }

    /// Every room, or those named.
    pub fn list(&self, names: &[String]) -> Vec<proto::Room> {
        let inner = self.lock();
        let mut rooms: Vec<proto::Room> = (inner.rooms.iter())
            .filter(|(name, _)| names.is_empty() || names.contains(name))
            .map(|(name, r)| view(name, r))
            .collect();
        rooms.sort_by(|a, b| a.name.cmp(&b.name));
        rooms
    }

    /// Whether one more may join `room` (its cap, if it has one).
    pub fn has_space(&self, room: &str) -> bool {
        self.lock()
            .rooms
            .get(room)
            .is_none_or(|r| r.max_participants == 0 || r.present < r.max_participants)
    }

    /// RemoveParticipant's revocation: `identity`'s tokens for `room` that
    /// became valid before `before` (Unix seconds) are refused from now on.
    pub fn revoke(&self, room: &str, identity: &str, before: i64) {
        let mut inner = self.lock();
        inner.revoked.retain(|_, at| *at > before - REVOKED_FOR);
        let entry = inner
            .revoked
            .entry((room.to_string(), identity.to_string()))
            .or_default();
        *entry = (*entry).max(before);
    }

    pub fn is_revoked(&self, grant: &RoomGrant) -> bool {
        self.lock()
            .revoked
            .get(&(grant.room.clone(), grant.identity.clone()))
            .is_some_and(|before| grant.not_before < *before)
    }
}

fn view(name: &str, r: &Record) -> proto::Room {
    proto::Room {
        sid: r.sid.clone(),
        name: name.to_string(),
        empty_timeout: r.empty_timeout.as_secs() as u32,
        departure_timeout: r.departure_timeout.as_secs() as u32,
        max_participants: r.max_participants,
        creation_time: r.created_at,
        creation_time_ms: r.created_at * 1000,
        metadata: r.metadata.clone(),
        num_participants: r.present,
        num_publishers: r.present,
        active_recording: false,
        ..Default::default()
    }
}

/// A LiveKit-style id: the prefix and 12 random characters.
pub fn new_sid(prefix: &str) -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    let tail: String = (0..12)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    format!("{prefix}{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(not_before: i64) -> RoomGrant {
        RoomGrant {
            identity: "carol".into(),
            name: "Carol".into(),
            room: "r".into(),
            not_before,
        }
    }

    #[test]
    fn a_removal_revokes_older_tokens_only() {
        let book = RoomBook::default();
        assert!(!book.is_revoked(&grant(100)));
        book.revoke("r", "carol", 200);
        assert!(book.is_revoked(&grant(100)), "minted before the removal");
        assert!(book.is_revoked(&grant(199)));
        assert!(
            !book.is_revoked(&grant(200)),
            "minted after it: a re-invitation"
        );
        let elsewhere = RoomGrant {
            room: "other".into(),
            ..grant(100)
        };
        assert!(!book.is_revoked(&elsewhere), "another room is untouched");
    }

    #[test]
    fn rooms_start_count_cap_and_finish() {
        let book = RoomBook::default();
        let ask = proto::CreateRoomRequest {
            name: "r".into(),
            max_participants: 2,
            departure_timeout: 1,
            ..Default::default()
        };
        let (room, news) = book.create(&ask, 1000);
        assert!(matches!(news, Some(RoomNews::Started(_))));
        assert!(room.sid.starts_with("RM_"));
        assert_eq!(
            book.create(&ask, 1001).0.sid,
            room.sid,
            "CreateRoom again keeps it"
        );
        assert!(book.joined("r", 1002).1.is_none(), "already started");
        book.joined("r", 1002);
        assert!(!book.has_space("r"), "capped at 2");
        assert_eq!(book.get("r").unwrap().num_participants, 2);
        book.left("r");
        book.left("r");
        assert!(
            book.sweep(Instant::now()).is_empty(),
            "not yet past the timeout"
        );
        let later = Instant::now() + Duration::from_secs(2);
        assert!(matches!(&book.sweep(later)[..], [RoomNews::Finished(r)] if r.name == "r"));
        assert!(book.get("r").is_none());
        assert!(book.delete("r").is_none());
    }
}
