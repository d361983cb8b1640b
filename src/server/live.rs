//! The live event hub: fans events out to every open tab of every user they
//! concern, and keeps a short per-user backlog so a tab that drops for a few
//! seconds gets what it missed when it reconnects.
//!
//! One lock guards the backlog and the broadcast senders together, so a
//! subscriber's replay and its live feed meet with no gap and no duplicate.
//! Each event is serialised once, whatever the number of recipients.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::broadcast;

use crate::contract::events::{LiveEvent, LiveFrame};
use crate::contract::ids::UserId;

/// How long and how many events a user's backlog keeps.
const BACKLOG_AGE: Duration = Duration::from_secs(120);
const BACKLOG_LEN: usize = 256;
/// Queue per subscriber before it is cut off as too slow (it then resumes).
const SUBSCRIBER_QUEUE: usize = 256;

/// A serialised event frame, shared by all its recipients: as JSON, and as
/// postcard for the tabs that ask for it (`api::wire`).
#[derive(Debug, Clone)]
pub struct Item {
    pub seq: u64,
    pub text: Arc<str>,
    pub bin: axum::body::Bytes,
    /// When the call this event rings its recipient about started (ms
    /// since the epoch): the ring's delivery delay is timed from it.
    pub rung: Option<i64>,
}

pub struct Subscription {
    pub hello: LiveFrame,
    /// Missed events to send first, oldest first.
    pub replay: Vec<Item>,
    pub live: broadcast::Receiver<Item>,
}

pub struct LiveHub {
    epoch: u64,
    inner: Mutex<Inner>,
    /// Where events also go for the other instances (PostgreSQL's
    /// `NOTIFY`, `live_relay.rs`), when there may be any.
    relay: std::sync::OnceLock<tokio::sync::mpsc::UnboundedSender<Relayed>>,
}

/// An event published here, on its way to the other instances.
pub struct Relayed {
    pub users: Vec<UserId>,
    pub event: LiveEvent,
}

#[derive(Default)]
struct Inner {
    seq: u64,
    feeds: HashMap<UserId, Feed>,
    /// The newest sequence number held by a feed that was swept away.
    swept_upto: u64,
}

struct Feed {
    backlog: VecDeque<(Instant, Item)>,
    /// The newest sequence number dropped from the backlog.
    dropped_upto: u64,
    tx: broadcast::Sender<Item>,
}

impl Feed {
    fn new() -> Self {
        Self {
            backlog: VecDeque::new(),
            dropped_upto: 0,
            tx: broadcast::channel(SUBSCRIBER_QUEUE).0,
        }
    }

    fn trim(&mut self, now: Instant) {
        while let Some((at, item)) = self.backlog.front() {
            if self.backlog.len() <= BACKLOG_LEN && now.duration_since(*at) < BACKLOG_AGE {
                break;
            }
            self.dropped_upto = item.seq;
            self.backlog.pop_front();
        }
    }
}

impl LiveHub {
    /// `epoch` tells this process's sequence numbers from another's; it must
    /// differ across restarts and stay below 2^53 for JavaScript.
    pub fn new(epoch: u64) -> Self {
        Self {
            epoch: epoch & ((1 << 53) - 1),
            inner: Mutex::default(),
            relay: std::sync::OnceLock::new(),
        }
    }

    /// From now on every event published here is also handed to `relay`.
    pub fn relay_to(&self, relay: tokio::sync::mpsc::UnboundedSender<Relayed>) {
        let _ = self.relay.set(relay);
    }

    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // The data stays consistent even if a holder panicked: every update
        // is a push or a pop.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sends `event` to `users`. Users with no feed (no tab opened since the
    /// process started, or idle long enough to be swept) get nothing to
    /// replay; their next page load fetches fresh state anyway.
    pub fn publish(&self, users: impl IntoIterator<Item = UserId>, event: LiveEvent) -> u64 {
        let Some(relay) = self.relay.get() else {
            return self.publish_here(users, event);
        };
        let users: Vec<UserId> = users.into_iter().collect();
        let seq = self.publish_here(users.iter().copied(), event.clone());
        let _ = relay.send(Relayed { users, event });
        seq
    }

    /// Sends `event` to `users`' tabs on this instance only (an event
    /// another instance published arrives here).
    pub fn publish_here(&self, users: impl IntoIterator<Item = UserId>, event: LiveEvent) -> u64 {
        let mut inner = self.lock();
        inner.seq += 1;
        let seq = inner.seq;
        let rings = match &event {
            LiveEvent::Call { call, changes } => changes.iter().find_map(|c| match c {
                crate::calls::CallChange::Incoming { users } => {
                    Some((users.clone(), call.created_at))
                }
                _ => None,
            }),
            _ => None,
        };
        let frame = LiveFrame::Event { seq, event };
        let text: Arc<str> = serde_json::to_string(&frame).unwrap_or_default().into();
        let bin = axum::body::Bytes::from(frame.to_postcard());
        let now = Instant::now();
        for user in users {
            if let Some(feed) = inner.feeds.get_mut(&user) {
                let rung = (rings.as_ref())
                    .filter(|(rung, _)| rung.contains(&user))
                    .map(|(_, at)| *at);
                let item = Item {
                    seq,
                    text: text.clone(),
                    bin: bin.clone(),
                    rung,
                };
                feed.backlog.push_back((now, item.clone()));
                feed.trim(now);
                // No receiver right now is fine: the backlog keeps it.
                let _ = feed.tx.send(item);
            }
        }
        seq
    }

    /// Opens a feed for one tab. `resume` is the `(epoch, seq)` of the last
    /// event the tab saw, if it saw any.
    pub fn subscribe(&self, user: UserId, resume: Option<(u64, u64)>) -> Subscription {
        let mut inner = self.lock();
        let head = inner.seq;
        let swept_upto = inner.swept_upto;
        let known = inner.feeds.get(&user).map(|f| f.dropped_upto);
        let resync = match resume {
            None => true,
            Some((epoch, _)) if epoch != self.epoch => true,
            Some((_, after)) if after > head => true,
            Some((_, after)) => after < known.unwrap_or(swept_upto),
        };
        let feed = inner.feeds.entry(user).or_insert_with(Feed::new);
        feed.trim(Instant::now());
        let replay = match resume {
            Some((_, after)) if !resync => feed
                .backlog
                .iter()
                .filter(|(_, item)| item.seq > after)
                .map(|(_, item)| item.clone())
                .collect(),
            _ => Vec::new(),
        };
        Subscription {
            hello: LiveFrame::Hello {
                epoch: self.epoch,
                head,
                resync,
            },
            replay,
            live: feed.tx.subscribe(),
        }
    }

    /// Forgets the feeds nobody listens to whose backlog has aged out.
    pub fn sweep(&self) {
        let now = Instant::now();
        let mut inner = self.lock();
        let mut swept = inner.swept_upto;
        inner.feeds.retain(|_, feed| {
            feed.trim(now);
            let idle = feed.tx.receiver_count() == 0 && feed.backlog.is_empty();
            if idle {
                swept = swept.max(feed.dropped_upto);
            }
            !idle
        });
        inner.swept_upto = swept;
    }

    /// Open subscriptions, over all users (for metrics and tests).
    pub fn subscriber_count(&self) -> usize {
        self.lock()
            .feeds
            .values()
            .map(|f| f.tx.receiver_count())
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::events::LiveEvent;

    const ALICE: UserId = UserId(1);
    const BOB: UserId = UserId(2);

    fn seq_of(item: &Item) -> u64 {
        match serde_json::from_str::<LiveFrame>(&item.text).unwrap() {
            LiveFrame::Event { seq, .. } => seq,
            other => panic!("not an event: {other:?}"),
        }
    }

    #[test]
    fn events_reach_only_their_users() {
        let hub = LiveHub::new(7);
        let mut alice = hub.subscribe(ALICE, None).live;
        let mut bob = hub.subscribe(BOB, None).live;
        let seq = hub.publish([ALICE], LiveEvent::SpacesChanged);
        assert_eq!(seq_of(&alice.try_recv().unwrap()), seq);
        assert!(bob.try_recv().is_err(), "bob was not a recipient");
    }

    #[test]
    fn every_tab_of_a_user_gets_the_event() {
        let hub = LiveHub::new(7);
        let mut tab1 = hub.subscribe(ALICE, None).live;
        let mut tab2 = hub.subscribe(ALICE, None).live;
        hub.publish([ALICE], LiveEvent::SpacesChanged);
        assert!(tab1.try_recv().is_ok() && tab2.try_recv().is_ok());
    }

    #[test]
    fn a_reconnecting_tab_gets_what_it_missed_in_order() {
        let hub = LiveHub::new(7);
        let first = hub.subscribe(ALICE, None);
        let seen = hub.publish([ALICE], LiveEvent::SpacesChanged);
        drop(first); // the tab's link drops
        let a = hub.publish([ALICE], LiveEvent::SpacesChanged);
        let b = hub.publish([ALICE, BOB], LiveEvent::SpacesChanged);
        let again = hub.subscribe(ALICE, Some((7, seen)));
        assert_eq!(
            again.hello,
            LiveFrame::Hello {
                epoch: 7,
                head: b,
                resync: false
            }
        );
        let replayed: Vec<u64> = again.replay.iter().map(seq_of).collect();
        assert_eq!(replayed, vec![a, b]);
    }

    #[test]
    fn resuming_from_another_epoch_or_the_future_reports_a_gap() {
        let hub = LiveHub::new(7);
        drop(hub.subscribe(ALICE, None));
        hub.publish([ALICE], LiveEvent::SpacesChanged);
        let other_epoch = hub.subscribe(ALICE, Some((6, 0)));
        assert!(matches!(
            other_epoch.hello,
            LiveFrame::Hello { resync: true, .. }
        ));
        assert!(other_epoch.replay.is_empty());
        let future = hub.subscribe(ALICE, Some((7, 99)));
        assert!(matches!(
            future.hello,
            LiveFrame::Hello { resync: true, .. }
        ));
    }

    #[test]
    fn a_backlog_overflow_reports_a_gap() {
        let hub = LiveHub::new(7);
        drop(hub.subscribe(ALICE, None));
        for _ in 0..BACKLOG_LEN + 10 {
            hub.publish([ALICE], LiveEvent::SpacesChanged);
        }
        let resumed = hub.subscribe(ALICE, Some((7, 1)));
        assert!(matches!(
            resumed.hello,
            LiveFrame::Hello { resync: true, .. }
        ));
        let recent = hub.subscribe(ALICE, Some((7, (BACKLOG_LEN + 5) as u64)));
        assert!(matches!(
            recent.hello,
            LiveFrame::Hello { resync: false, .. }
        ));
        assert_eq!(recent.replay.len(), 5);
    }

    #[test]
    fn sweeping_keeps_listened_feeds_and_remembers_dropped_ones() {
        let hub = LiveHub::new(7);
        let _kept = hub.subscribe(ALICE, None);
        drop(hub.subscribe(BOB, None));
        hub.sweep();
        assert_eq!(hub.subscriber_count(), 1);
        // Bob's feed is gone but held nothing, so resuming from 0 loses nothing.
        let bob = hub.subscribe(BOB, Some((7, 0)));
        assert!(matches!(bob.hello, LiveFrame::Hello { resync: false, .. }));
    }

    #[test]
    fn epochs_fit_in_a_javascript_number() {
        assert!(LiveHub::new(u64::MAX).epoch() < (1 << 53));
    }
}
