//! Live events across instances on one PostgreSQL: every event published
//! on one instance is sent with `NOTIFY belfry_live`, and every instance
//! `LISTEN`s and hands the others' events to its own tabs. A payload over
//! NOTIFY's 8,000 bytes goes through the `live_relay` table and the
//! notification carries its row id. Sequence numbers stay per instance: a
//! tab that reconnects to another instance is told to resync.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sqlx::postgres::PgListener;
use sqlx::PgPool;
use tokio::sync::mpsc;

use super::db::live_relay as db;
use super::live::{LiveHub, Relayed};
use crate::contract::events::LiveEvent;
use crate::contract::ids::UserId;

pub const CHANNEL: &str = "belfry_live";
/// NOTIFY's payload limit is 8,000 bytes; past this the body goes by table.
const INLINE_MAX: usize = 7_500;
/// Rows of `live_relay` older than this are deleted (every instance has
/// read them long before).
const KEEP_ROWS: Duration = Duration::from_secs(300);
/// Events sent in one statement at most.
const BATCH: usize = 64;

#[derive(Serialize, Deserialize)]
struct Note {
    /// The instance that published it.
    o: u64,
    /// Its number there: PostgreSQL folds identical payloads sent in one
    /// transaction into one, and two events may well be identical.
    #[serde(default)]
    n: u64,
    /// The event and its recipients, inline, or the `live_relay` row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    b: Option<Body>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    r: Option<i64>,
}

#[derive(Serialize, Deserialize)]
struct Body {
    u: Vec<UserId>,
    e: LiveEvent,
}

/// Starts relaying `hub`'s events to the other instances and theirs to it.
pub async fn start(pool: PgPool, hub: Arc<LiveHub>, instance: u64) -> Result<(), String> {
    let mut listener = PgListener::connect_with(&pool)
        .await
        .map_err(|e| format!("listening for live events on PostgreSQL: {e}"))?;
    listener
        .listen(CHANNEL)
        .await
        .map_err(|e| format!("listening for live events on PostgreSQL: {e}"))?;
    let (tx, rx) = mpsc::unbounded_channel();
    hub.relay_to(tx);
    tokio::spawn(send(pool.clone(), rx, instance));
    tokio::spawn(receive(pool, listener, hub, instance));
    Ok(())
}

async fn send(pool: PgPool, mut events: mpsc::UnboundedReceiver<Relayed>, instance: u64) {
    let mut last_trim = std::time::Instant::now();
    let mut sequence = 0u64;
    let mut batch = Vec::with_capacity(BATCH);
    // Whatever queued while the last batch was being sent goes in one
    // statement: under load, one round trip carries many events.
    while events.recv_many(&mut batch, BATCH).await > 0 {
        let mut payloads = Vec::with_capacity(batch.len());
        for Relayed { users, event } in batch.drain(..) {
            sequence += 1;
            if let Some(payload) = encode(&pool, instance, sequence, users, event).await {
                payloads.push(payload);
            }
        }
        if let Err(e) = db::notify_all(&pool, CHANNEL, &payloads).await {
            tracing::warn!(
                "{} live events did not reach the other instances: {e}",
                payloads.len()
            );
        }
        if last_trim.elapsed() > Duration::from_secs(60) {
            last_trim = std::time::Instant::now();
            let cutoff = super::db::now_ms() - KEEP_ROWS.as_millis() as i64;
            let _ = db::trim(&pool, cutoff).await;
        }
    }
}

/// One event's notification: inline, or naming its `live_relay` row.
async fn encode(
    pool: &PgPool,
    instance: u64,
    sequence: u64,
    users: Vec<UserId>,
    event: LiveEvent,
) -> Option<String> {
    let inline = serde_json::to_string(&Note {
        o: instance,
        n: sequence,
        b: Some(Body { u: users, e: event }),
        r: None,
    })
    .ok()?;
    if inline.len() <= INLINE_MAX {
        return Some(inline);
    }
    match by_table(pool, &inline, instance, sequence).await {
        Ok(note) => Some(note),
        Err(e) => {
            tracing::warn!("a live event too large to notify was lost: {e}");
            None
        }
    }
}

/// Stores the note's body and returns the note that names its row.
async fn by_table(
    pool: &PgPool,
    inline: &str,
    instance: u64,
    sequence: u64,
) -> Result<String, String> {
    let id = db::store(pool, inline).await.map_err(|e| e.to_string())?;
    serde_json::to_string(&Note {
        o: instance,
        n: sequence,
        b: None,
        r: Some(id),
    })
    .map_err(|e| e.to_string())
}

async fn receive(pool: PgPool, mut listener: PgListener, hub: Arc<LiveHub>, instance: u64) {
    loop {
        // On a lost connection `recv` reconnects; what was sent meanwhile
        // is lost, and tabs catch up when they next resync.
        let note = match listener.recv().await {
            Ok(note) => note,
            Err(e) => {
                tracing::warn!("live events from other instances: {e}");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        let Ok(note) = serde_json::from_str::<Note>(note.payload()) else {
            continue;
        };
        if note.o == instance {
            continue;
        }
        let body = match (note.b, note.r) {
            (Some(body), _) => body,
            (None, Some(row)) => {
                let stored = db::fetch(&pool, row).await.ok().flatten();
                match stored.and_then(|s| serde_json::from_str::<Note>(&s).ok()) {
                    Some(Note { b: Some(body), .. }) => body,
                    _ => continue,
                }
            }
            (None, None) => continue,
        };
        hub.publish_here(body.u, body.e);
    }
}
