//! Server-side timing: ring deadlines and restart reconciliation. No browser
//! decides when a call is missed.

use std::time::Duration;

use super::engine::transition;
use crate::calls::ids::CallId;
use crate::calls::CallEvent;
use crate::server::db::{self, calls as calls_db};
use crate::server::error::AppError;
use crate::server::state::AppState;

/// Expires the call's ring deadlines at `at` (Unix ms).
pub fn schedule(state: AppState, call: CallId, at: i64) {
    tokio::spawn(async move {
        let wait = (at - db::now_ms()).max(0) as u64;
        tokio::time::sleep(Duration::from_millis(wait)).await;
        expire_retrying(&state, call).await;
    });
}

/// The first wait before an expiry whose write failed is tried again, and
/// the longest (the wait doubles between).
const RETRY_FIRST: Duration = Duration::from_millis(250);
const RETRY_MOST: Duration = Duration::from_secs(30);

/// Expires a call's ring deadlines; a write that fails (the database busy,
/// unreachable, its disk full) is tried again with backoff until it lands
/// or the call no longer rings, never dropped. The failure is logged once
/// with its cause, and the recovery once.
async fn expire_retrying(state: &AppState, call: CallId) {
    let mut wait = RETRY_FIRST;
    let mut failures = 0u32;
    loop {
        match transition(state, call, CallEvent::Expire).await {
            // Answered, declined or ended meanwhile: nothing to expire.
            Ok(_) | Err(AppError::Rejected(_)) => {
                if failures > 0 {
                    tracing::info!(%call, failures, "ring deadlines expired after retrying");
                }
                return;
            }
            Err(e) => {
                if failures == 0 {
                    tracing::warn!(%call, "expiring ring deadlines failed; retrying with backoff: {e}");
                }
                failures += 1;
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(RETRY_MOST);
            }
        }
    }
}

/// Settles the calls a previous process left live: ringing past its time
/// becomes missed, active with nobody connected ends; the rest keep their
/// timers. Returns how many calls were looked at.
pub async fn reconcile(state: &AppState) -> Result<usize, String> {
    let ids = calls_db::live_ids(&state.db)
        .await
        .map_err(|e| e.to_string())?;
    for &id in &ids {
        match transition(state, id, CallEvent::Reconcile).await {
            Ok(outcome) => {
                if let Some(at) = outcome.call.state.next_deadline() {
                    schedule(state.clone(), id, at);
                }
            }
            Err(e) => tracing::warn!(call = %id, "reconciling: {e}"),
        }
    }
    if !ids.is_empty() {
        tracing::info!(
            calls = ids.len(),
            "reconciled calls left live by the previous run"
        );
    }
    Ok(ids.len())
}

/// How long past a ring deadline the sweep waits for the timer that was
/// set for it (on this instance or another) before expiring it itself.
const SWEEP_SLACK_MS: i64 = 500;

/// On PostgreSQL, where instances share calls: twice a second, expires the
/// ring deadlines that passed without their timer firing (the instance
/// that set it stopped). Versioned writes let exactly one expiry land,
/// whichever instance tries first.
pub fn sweep_overdue(state: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(500));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let due = db::now_ms() - SWEEP_SLACK_MS;
            let ids = match calls_db::overdue_rings(&state.db, due).await {
                Ok(ids) => ids,
                Err(e) => {
                    tracing::warn!("looking for overdue rings: {e}");
                    continue;
                }
            };
            for id in ids {
                match transition(&state, id, CallEvent::Expire).await {
                    Ok(_) | Err(AppError::Rejected(_)) => {}
                    Err(e) => tracing::warn!(call = %id, "expiring an overdue ring: {e}"),
                }
            }
        }
    });
}
