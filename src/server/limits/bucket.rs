//! Token buckets by key, and a growing back-off after failures.
//! Keys nobody has used for a while are forgotten, so a stranger cycling
//! through addresses cannot grow the map for ever.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Keys kept at most; past this the full buckets are swept at once.
const MAX_KEYS: usize = 100_000;

/// `n` per `window`, all of them at once if unused, then one back every
/// `window / n`.
pub struct Buckets {
    burst: f64,
    /// Tokens back per second.
    refill: f64,
    map: Mutex<HashMap<String, (f64, Instant)>>,
}

impl Buckets {
    pub fn new(n: u32, window: Duration) -> Self {
        let n = n.max(1);
        Self {
            burst: n as f64,
            refill: n as f64 / window.as_secs_f64().max(0.001),
            map: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one for `key`; `Err(seconds)` until one is back.
    pub fn take(&self, key: &str) -> Result<(), u32> {
        self.take_at(key, Instant::now())
    }

    pub fn take_at(&self, key: &str, now: Instant) -> Result<(), u32> {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_KEYS && !map.contains_key(key) {
            self.sweep_locked(&mut map, now);
        }
        let (tokens, at) = map.entry(key.to_string()).or_insert((self.burst, now));
        let elapsed = now.saturating_duration_since(*at).as_secs_f64();
        *tokens = (*tokens + elapsed * self.refill).min(self.burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            return Ok(());
        }
        let wait = ((1.0 - *tokens) / self.refill).ceil();
        Err((wait as u32).max(1))
    }

    /// Forgets the keys whose bucket is full again.
    pub fn sweep(&self) {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        self.sweep_locked(&mut map, Instant::now());
    }

    fn sweep_locked(&self, map: &mut HashMap<String, (f64, Instant)>, now: Instant) {
        let (burst, refill) = (self.burst, self.refill);
        map.retain(|_, (tokens, at)| {
            let since = now.saturating_duration_since(*at).as_secs_f64();
            *tokens + since * refill < burst
        });
    }
}

/// Growing back-off after failures (sign-in): `free` failures cost nothing;
/// each one after locks the key for twice as long as the last, up to `cap`.
/// Each try is counted as it starts (`attempt`), so a hundred tries sent at
/// once are counted before any is checked; a success clears the key (or,
/// `forgive`, takes back its own count).
pub struct Backoff {
    free: u32,
    cap: Duration,
    map: Mutex<HashMap<String, (u32, Instant)>>,
}

/// A key's failures are forgotten after a day without one.
const FORGET: Duration = Duration::from_secs(24 * 3600);

impl Backoff {
    pub fn new(free: u32, cap: Duration) -> Self {
        Self {
            free,
            cap,
            map: Mutex::new(HashMap::new()),
        }
    }

    /// `Err(seconds)` while `key` is locked.
    pub fn check(&self, key: &str) -> Result<(), u32> {
        self.check_at(key, Instant::now())
    }

    pub fn check_at(&self, key: &str, now: Instant) -> Result<(), u32> {
        let map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        let Some(&(fails, last)) = map.get(key) else {
            return Ok(());
        };
        let until = last + self.lock_for(fails);
        match until.checked_duration_since(now) {
            Some(left) if !left.is_zero() => Err(left.as_secs_f64().ceil().max(1.0) as u32),
            _ => Ok(()),
        }
    }

    fn lock_for(&self, fails: u32) -> Duration {
        if fails < self.free {
            return Duration::ZERO;
        }
        let doublings = (fails - self.free).min(20);
        Duration::from_secs(1u64 << doublings).min(self.cap)
    }

    /// Counts a try if the key is not locked; `Err(seconds)` if it is.
    pub fn attempt(&self, key: &str) -> Result<(), u32> {
        self.attempt_at(key, Instant::now())
    }

    pub fn attempt_at(&self, key: &str, now: Instant) -> Result<(), u32> {
        self.check_at(key, now)?;
        self.fail_at(key, now);
        Ok(())
    }

    /// Takes back one counted try (it succeeded).
    pub fn forgive(&self, key: &str) {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(entry) = map.get_mut(key) {
            entry.0 = entry.0.saturating_sub(1);
            if entry.0 == 0 {
                map.remove(key);
            }
        }
    }

    fn fail_at(&self, key: &str, now: Instant) {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_KEYS && !map.contains_key(key) {
            map.retain(|_, (_, last)| now.saturating_duration_since(*last) < FORGET);
        }
        let entry = map.entry(key.to_string()).or_insert((0, now));
        entry.0 = entry.0.saturating_add(1);
        entry.1 = now;
    }

    pub fn succeed(&self, key: &str) {
        self.map
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(key);
    }

    pub fn sweep(&self) {
        let now = Instant::now();
        self.map
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|_, (_, last)| now.saturating_duration_since(*last) < FORGET);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_lets_n_through_then_says_when_the_next_is_back() {
        let b = Buckets::new(3, Duration::from_secs(60));
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(b.take_at("alice", t0), Ok(()));
        }
        assert_eq!(b.take_at("alice", t0), Err(20), "one back every 20 s");
        assert_eq!(b.take_at("bob", t0), Ok(()), "keys are apart");
        assert_eq!(b.take_at("alice", t0 + Duration::from_secs(20)), Ok(()));
        assert!(b.take_at("alice", t0 + Duration::from_secs(21)).is_err());
    }

    #[test]
    fn backoff_is_free_at_first_then_doubles_and_a_success_clears_it() {
        let b = Backoff::new(3, Duration::from_secs(60));
        let t0 = Instant::now();
        for _ in 0..2 {
            b.fail_at("alice", t0);
        }
        assert_eq!(b.check_at("alice", t0), Ok(()));
        b.fail_at("alice", t0);
        assert_eq!(b.check_at("alice", t0), Err(1));
        b.fail_at("alice", t0);
        assert_eq!(b.check_at("alice", t0), Err(2));
        for _ in 0..10 {
            b.fail_at("alice", t0);
        }
        assert_eq!(b.check_at("alice", t0), Err(60), "capped");
        assert_eq!(b.check_at("alice", t0 + Duration::from_secs(60)), Ok(()));
        assert_eq!(b.check_at("bob", t0), Ok(()));
        b.succeed("alice");
        assert_eq!(b.check_at("alice", t0), Ok(()));
    }

    #[test]
    fn tries_sent_at_once_are_counted_before_any_is_answered() {
        let b = Backoff::new(3, Duration::from_secs(60));
        let t0 = Instant::now();
        let passed = (0..100)
            .filter(|_| b.attempt_at("addr", t0).is_ok())
            .count();
        assert_eq!(passed, 3, "only the free tries get through a burst");
        b.forgive("addr");
        b.forgive("addr");
        b.forgive("addr");
        assert_eq!(
            b.attempt_at("addr", t0),
            Ok(()),
            "forgiven tries free the key"
        );
    }
}
