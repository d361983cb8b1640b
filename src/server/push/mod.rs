//! Web Push: rings the devices of people whose Belfry tab is closed, and
//! tidies up after the ring (closes the notification, or turns it into a
//! missed call).
//!
//! Call control hands `Push` the rings and stops it decides on; one worker
//! works out, in order, which devices each goes to, and hands each message
//! to its subscription's lane (`lanes`): a stop never overtakes its ring,
//! and a slow push service holds up only its own subscription. A device
//! with Belfry open on screen is skipped: the page rings there itself.

pub mod devices;
pub mod ece;
pub mod lanes;
pub mod payload;
pub mod routes;
pub mod settings;
pub mod tabs;
pub mod vapid;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use tokio::sync::mpsc;

use self::lanes::{Lanes, Outgoing};
use self::payload::{PushKind, PushPayload};
use self::settings::PushConfig;
use self::tabs::OpenTabs;
use self::vapid::Vapid;
use crate::calls::ids::{CallId, UserId};
use crate::calls::ParticipantStatus;
use crate::contract::call_types::CallView;
use crate::server::db::push_subscriptions::{self as subs, Subscription};
use crate::server::db::{self, missed, push_shared, settings as stored, Db};

/// A push service that has not answered by then has failed.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a missed-call notice may wait for an offline device.
const MISSED_TTL: u64 = 24 * 3600;

enum Job {
    Ring {
        call: Box<CallView>,
        /// Each person rung, and when their ring stops.
        users: Vec<(UserId, Option<i64>)>,
    },
    Stop {
        call: Box<CallView>,
        users: Vec<UserId>,
    },
}

pub struct Push {
    vapid: Vapid,
    config: PushConfig,
    http: reqwest::Client,
    /// How long a ring lasts: how long a stop may wait for its device.
    ring_secs: u64,
    pub tabs: Arc<OpenTabs>,
    pub lanes: Lanes,
    /// People rung, and pushes sent, refused and gone (`/metrics`).
    pub counters: PushCounters,
    jobs: mpsc::UnboundedSender<Job>,
    /// `/sw.js` as served, built on first request.
    service_worker: tokio::sync::OnceCell<Option<String>>,
}

#[derive(Debug, Default)]
pub struct PushCounters {
    pub rings: AtomicU64,
    pub sent: AtomicU64,
    pub failed: AtomicU64,
    pub gone: AtomicU64,
}

impl std::fmt::Debug for Push {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Push").field("vapid", &self.vapid).finish()
    }
}

/// What one send came to.
#[derive(Debug, PartialEq, Eq)]
enum Sent {
    Delivered,
    /// The push service says the subscription is gone.
    Gone,
    Failed,
}

impl Push {
    /// Loads or creates the VAPID key and starts the sending worker.
    pub async fn start(db: &Db, config: PushConfig, ring_secs: u64) -> Result<Arc<Self>, String> {
        let private = match &config.vapid_private_key {
            Some(key) => key.clone(),
            None => {
                let fresh = vapid::generate_private()?;
                stored::get_or_init(db, "vapid_private_key", || fresh)
                    .await
                    .map_err(|e| format!("storing the VAPID key: {e}"))?
            }
        };
        let vapid = Vapid::from_private(&private, &config.vapid_subject)
            .map_err(|e| format!("BELFRY_VAPID_PRIVATE_KEY: {e}"))?;
        // HTTPS on the aws-lc provider the rest of the server already uses.
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(SEND_TIMEOUT)
            .connect_timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("cannot build the push HTTP client: {e}"))?;
        let (jobs, rx) = mpsc::unbounded_channel();
        let push = Arc::new(Self {
            vapid,
            config,
            http,
            ring_secs,
            tabs: Arc::default(),
            lanes: Lanes::default(),
            counters: PushCounters::default(),
            jobs,
            service_worker: Default::default(),
        });
        tokio::spawn(work(push.clone(), db.clone(), rx));
        Ok(push)
    }

    pub fn public_key(&self) -> &str {
        self.vapid.public_key()
    }

    pub fn config(&self) -> &PushConfig {
        &self.config
    }

    /// These people are being rung by `call` (with their ring deadlines).
    pub fn ring(&self, call: &CallView, users: Vec<(UserId, Option<i64>)>) {
        (self.counters.rings).fetch_add(users.len() as u64, Ordering::Relaxed);
        let _ = self.jobs.send(Job::Ring {
            call: Box::new(call.clone()),
            users,
        });
    }

    /// `call` stopped ringing these people.
    pub fn stop(&self, call: &CallView, users: Vec<UserId>) {
        let _ = self.jobs.send(Job::Stop {
            call: Box::new(call.clone()),
            users,
        });
    }

    /// Encrypts and POSTs one message; forgets the subscription if the push
    /// service says it is gone.
    async fn send(&self, db: &Db, sub: &Subscription, message: &PushPayload, ttl: u64) -> Sent {
        match self.try_send(sub, message, ttl).await {
            Ok(status) if (200..300).contains(&status) => {
                let _ = subs::mark_sent(db, sub.id, db::now_ms()).await;
                self.counters.sent.fetch_add(1, Ordering::Relaxed);
                Sent::Delivered
            }
            Ok(404 | 410) => {
                tracing::info!(
                    subscription = sub.id,
                    "push subscription gone; forgetting it"
                );
                if let Err(e) = subs::forget(db, sub.id).await {
                    tracing::warn!("forgetting a push subscription: {e}");
                }
                self.counters.gone.fetch_add(1, Ordering::Relaxed);
                Sent::Gone
            }
            Ok(status) => {
                tracing::warn!(
                    subscription = sub.id,
                    status,
                    "push service refused a message"
                );
                self.counters.failed.fetch_add(1, Ordering::Relaxed);
                Sent::Failed
            }
            Err(e) => {
                tracing::warn!(subscription = sub.id, "push failed: {e}");
                self.counters.failed.fetch_add(1, Ordering::Relaxed);
                Sent::Failed
            }
        }
    }

    async fn try_send(
        &self,
        sub: &Subscription,
        message: &PushPayload,
        ttl: u64,
    ) -> Result<u16, String> {
        let uri = self.config.check_endpoint(&sub.endpoint)?;
        let key = B64.decode(&sub.p256dh).map_err(|_| "bad p256dh")?;
        let auth = B64.decode(&sub.auth).map_err(|_| "bad auth")?;
        let plaintext = serde_json::to_vec(message).map_err(|e| e.to_string())?;
        let body = ece::encrypt(&key, &auth, &plaintext).map_err(|e| e.to_string())?;
        let authorization = self
            .vapid
            .authorization(&settings::origin_of(&uri), db::now_ms() / 1000)?;
        let urgency = if message.kind == PushKind::Missed {
            "normal"
        } else {
            "high"
        };
        let res = self
            .http
            .post(&sub.endpoint)
            .header("authorization", authorization)
            .header("content-encoding", "aes128gcm")
            .header("content-type", "application/octet-stream")
            .header("ttl", ttl.to_string())
            .header("urgency", urgency)
            // A newer message for the call replaces one still queued.
            .header("topic", message.tag.replace('-', ""))
            .body(body)
            .send()
            .await
            .map_err(|e| e.without_url().to_string())?;
        Ok(res.status().as_u16())
    }
}

/// Jobs read in one go at most: under load, the devices and rings of all
/// the calls waiting are read in two statements, not two per call.
const BATCH: usize = 128;

async fn work(push: Arc<Push>, db: Db, mut rx: mpsc::UnboundedReceiver<Job>) {
    let mut jobs = Vec::with_capacity(BATCH);
    while rx.recv_many(&mut jobs, BATCH).await > 0 {
        let mut known = Known::read(&db, &jobs).await;
        for job in jobs.drain(..) {
            match job {
                Job::Ring { call, users } => ring(&push, &db, &call, users, &mut known).await,
                Job::Stop { call, users } => stop(&push, &db, &call, users, &mut known).await,
            }
        }
    }
}

/// What a batch of jobs needs from the database, read once for all of them.
struct Known {
    /// Each person's subscribed devices (of the people rung or stopped).
    devices: HashMap<UserId, Vec<Subscription>>,
    /// Who, of the calls stopped, was rung on a device (before this batch,
    /// on any instance, or by a ring earlier in it).
    rung: HashSet<(CallId, UserId)>,
}

impl Known {
    async fn read(db: &Db, jobs: &[Job]) -> Known {
        let mut people = Vec::new();
        let mut stopped = Vec::new();
        for job in jobs {
            match job {
                Job::Ring { users, .. } => people.extend(users.iter().map(|(u, _)| *u)),
                Job::Stop { call, users } => {
                    people.extend(users.iter().copied());
                    stopped.push(call.id);
                }
            }
        }
        people.sort_unstable();
        people.dedup();
        let mut devices: HashMap<UserId, Vec<Subscription>> = HashMap::new();
        match subs::for_users(db, &people).await {
            Ok(all) => all
                .into_iter()
                .for_each(|s| devices.entry(s.user_id).or_default().push(s)),
            Err(e) => tracing::warn!("reading push subscriptions: {e}"),
        }
        let rung = match push_shared::rung_in(db, &stopped).await {
            Ok(rung) => rung.into_iter().collect(),
            Err(e) => {
                tracing::warn!("reading where rings went: {e}");
                HashSet::new()
            }
        };
        Known { devices, rung }
    }

    fn devices_of(&self, user: UserId) -> Vec<Subscription> {
        self.devices.get(&user).cloned().unwrap_or_default()
    }
}

async fn badge(db: &Db, user: UserId) -> u32 {
    missed::unseen(db, user).await.map_or(0, |n| n as u32)
}

async fn ring(
    push: &Arc<Push>,
    db: &Db,
    call: &CallView,
    users: Vec<(UserId, Option<i64>)>,
    known: &mut Known,
) {
    let now = db::now_ms();
    for (user, until) in users {
        let devices = known.devices_of(user);
        if devices.is_empty() {
            continue; // Nothing to ring: no badge to count either.
        }
        let mut targets = Vec::new();
        for sub in devices {
            if !push.tabs.showing_anywhere(user, &sub.device).await {
                targets.push(sub);
            }
        }
        if targets.is_empty() {
            continue;
        }
        // Kept in the database before sending: the stop may be sent by
        // another instance, or after a restart, while a slow push service
        // still holds the ring.
        let ids: Vec<i64> = targets.iter().map(|s| s.id).collect();
        if let Err(e) = push_shared::rang(db, call.id, user, &ids).await {
            tracing::warn!("keeping where a ring went: {e}");
        }
        known.rung.insert((call.id, user));
        let message = payload::build(call, PushKind::Ring, badge(db, user).await, until);
        let ttl = until.map_or(push.ring_secs, |u| ((u - now).max(1000) / 1000) as u64);
        for sub in targets {
            let message = message.clone();
            push.lanes.queue(push, db, Outgoing { sub, message, ttl });
        }
    }
}

async fn stop(push: &Arc<Push>, db: &Db, call: &CallView, users: Vec<UserId>, known: &mut Known) {
    for user in users {
        // Most rings reach no push device: those take no statement here.
        let rung = if !known.rung.remove(&(call.id, user)) {
            Ok(Vec::new())
        } else {
            push_shared::take_rung(db, call.id, user).await
        };
        let rung = match rung {
            Ok(subs) if subs.is_empty() => None,
            Ok(subs) => Some(subs),
            Err(e) => {
                tracing::warn!("reading where a ring went: {e}");
                None
            }
        };
        let missed_it = call
            .participant(user)
            .is_some_and(|p| p.status == ParticipantStatus::Missed);
        let kind = if missed_it {
            PushKind::Missed
        } else {
            PushKind::Stop
        };
        if rung.is_none() && !missed_it {
            continue; // The ring went nowhere: nothing to stop.
        }
        let devices = known.devices_of(user);
        let targets: Vec<Subscription> = match rung {
            Some(ids) => devices
                .into_iter()
                .filter(|d| ids.contains(&d.id))
                .collect(),
            // Rung before a restart: a missed call still deserves its notice
            // on the devices not showing Belfry.
            None if missed_it => {
                let mut hidden = Vec::new();
                for d in devices {
                    if !push.tabs.showing_anywhere(user, &d.device).await {
                        hidden.push(d);
                    }
                }
                hidden
            }
            None => Vec::new(),
        };
        if targets.is_empty() {
            continue;
        }
        let message = payload::build(call, kind, badge(db, user).await, None);
        let ttl = if missed_it {
            MISSED_TTL
        } else {
            push.ring_secs
        };
        for sub in targets {
            let message = message.clone();
            push.lanes.queue(push, db, Outgoing { sub, message, ttl });
        }
    }
}
