//! Sending pushes so that one slow or dead push service holds up only its
//! own subscription: each subscription has a lane whose messages go in
//! order (a stop never overtakes its ring), lanes send side by side, at
//! most [`AT_ONCE`] at a time, and a lane idle for [`IDLE`] goes away.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::{mpsc, Semaphore};

use super::payload::PushPayload;
use super::Push;
use crate::server::db::push_subscriptions::Subscription;
use crate::server::db::Db;

/// Sends in flight at most, over all lanes.
const AT_ONCE: usize = 32;
/// A lane with nothing to send for this long closes.
const IDLE: Duration = Duration::from_secs(60);

/// One message for one subscription.
pub struct Outgoing {
    pub sub: Subscription,
    pub message: PushPayload,
    pub ttl: u64,
}

pub struct Lanes {
    open: Mutex<HashMap<i64, Lane>>,
    permits: Arc<Semaphore>,
    made: AtomicU64,
}

struct Lane {
    id: u64,
    tx: mpsc::UnboundedSender<Outgoing>,
}

impl Default for Lanes {
    fn default() -> Self {
        Self {
            open: Mutex::default(),
            permits: Arc::new(Semaphore::new(AT_ONCE)),
            made: AtomicU64::new(0),
        }
    }
}

impl Lanes {
    fn lock(&self) -> MutexGuard<'_, HashMap<i64, Lane>> {
        self.open.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues `out` behind whatever its subscription still has to send.
    pub fn queue(&self, push: &Arc<Push>, db: &Db, out: Outgoing) {
        let sub = out.sub.id;
        let mut open = self.lock();
        let out = match open.get(&sub) {
            Some(lane) => match lane.tx.send(out) {
                Ok(()) => return,
                Err(closed) => closed.0,
            },
            None => out,
        };
        let (tx, rx) = mpsc::unbounded_channel();
        let id = self.made.fetch_add(1, Ordering::Relaxed);
        let _ = tx.send(out);
        open.insert(sub, Lane { id, tx });
        tokio::spawn(run(push.clone(), db.clone(), sub, id, rx));
    }

    /// Lanes open now (for tests and metrics).
    pub fn open(&self) -> usize {
        self.lock().len()
    }
}

async fn run(
    push: Arc<Push>,
    db: Db,
    sub: i64,
    id: u64,
    mut rx: mpsc::UnboundedReceiver<Outgoing>,
) {
    loop {
        let out = match tokio::time::timeout(IDLE, rx.recv()).await {
            Ok(Some(out)) => out,
            Ok(None) => return,
            Err(_) => {
                // Closed under the lock `queue` sends under: nothing can
                // arrive between the look and the removal.
                let mut open = push.lanes.lock();
                if rx.is_empty() {
                    if open.get(&sub).is_some_and(|lane| lane.id == id) {
                        open.remove(&sub);
                    }
                    return;
                }
                continue;
            }
        };
        let Ok(_permit) = push.lanes.permits.clone().acquire_owned().await else {
            return;
        };
        push.send(&db, &out.sub, &out.message, out.ttl).await;
    }
}
