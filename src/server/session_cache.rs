//! A brief in-memory memory of sessions already checked, so that a burst of
//! requests from one tab costs one session read, not one per request.
//!
//! An entry lives for `FRESH` at most and never past its session's expiry.
//! Signing out drops the entry here at once; on a deployment with several
//! Belfry processes, a session signed out on another process is honoured here
//! within `FRESH`. Sessions ended from another device are announced to this
//! process's live streams, which close at once (on other processes, at
//! their next session check).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::contract::types::UserView;

/// How long a checked session is trusted without asking the database again.
pub const FRESH: Duration = Duration::from_secs(3);
/// Entries kept at most; past this, stale ones go, then all if need be.
const CAPACITY: usize = 20_000;

struct Entry {
    user: UserView,
    expires_at_ms: i64,
    checked: Instant,
}

pub struct SessionCache {
    entries: Mutex<HashMap<String, Entry>>,
    /// Sessions ended elsewhere (a password change, "sign out everywhere
    /// else"): their live streams on this process close at once.
    ended: tokio::sync::broadcast::Sender<Arc<[String]>>,
}

impl Default for SessionCache {
    fn default() -> Self {
        Self {
            entries: Mutex::default(),
            ended: tokio::sync::broadcast::channel(64).0,
        }
    }
}

impl SessionCache {
    /// The user of this session if it was checked within `FRESH` and has not
    /// expired by `now_ms`.
    pub fn get(&self, token_hash: &str, now_ms: i64) -> Option<UserView> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let entry = entries.get(token_hash)?;
        let fresh = entry.checked.elapsed() < FRESH && entry.expires_at_ms > now_ms;
        fresh.then(|| entry.user.clone())
    }

    pub fn put(&self, token_hash: &str, user: UserView, expires_at_ms: i64) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= CAPACITY && !entries.contains_key(token_hash) {
            entries.retain(|_, e| e.checked.elapsed() < FRESH);
            if entries.len() >= CAPACITY {
                entries.clear();
            }
        }
        entries.insert(
            token_hash.to_string(),
            Entry {
                user,
                expires_at_ms,
                checked: Instant::now(),
            },
        );
    }

    /// Forget a session (signed out, expired, or found invalid).
    pub fn forget(&self, token_hash: &str) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.remove(token_hash);
    }

    /// Forget these ended sessions, and tell their open streams here.
    pub fn ended(&self, token_hashes: Vec<String>) {
        {
            let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
            for hash in &token_hashes {
                entries.remove(hash);
            }
        }
        let _ = self.ended.send(token_hashes.into());
    }

    /// Ended sessions, as they end.
    pub fn watch_ended(&self) -> tokio::sync::broadcast::Receiver<Arc<[String]>> {
        self.ended.subscribe()
    }

    /// Forget every session of `user` (their profile changed, or their
    /// other sessions were ended).
    pub fn forget_user(&self, user: crate::calls::ids::UserId) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.retain(|_, e| e.user.id != user);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> UserView {
        UserView {
            id: crate::calls::ids::UserId(7),
            username: "ada".into(),
            display_name: "Ada".into(),
            avatar_color: "#123456".into(),
        }
    }

    #[test]
    fn a_fresh_entry_is_found_and_a_forgotten_one_is_not() {
        let cache = SessionCache::default();
        cache.put("h", user(), 10_000);
        assert_eq!(cache.get("h", 5_000).map(|u| u.id.0), Some(7));
        assert!(cache.get("other", 5_000).is_none());
        cache.forget("h");
        assert!(cache.get("h", 5_000).is_none());
    }

    #[test]
    fn an_entry_is_never_trusted_past_its_sessions_expiry() {
        let cache = SessionCache::default();
        cache.put("h", user(), 10_000);
        assert!(cache.get("h", 10_000).is_none());
    }
}
