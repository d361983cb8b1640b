//! The delivery worker: takes due deliveries from the queue (claiming each,
//! so instances sharing a database never send one twice at once), posts
//! them signed, and records how it went; a failure is retried after 10 s,
//! 50 s, about 4 min, 21 min, 1¾ h and 9 h, then given up.

use std::time::Duration;

use super::signature;
use crate::server::db::{now_ms, webhooks};
use crate::server::state::AppState;

/// How long a claimed delivery is this instance's before another may try.
const LEASE_MS: i64 = 60_000;
/// How long a receiver has to answer.
const TIMEOUT: Duration = Duration::from_secs(10);
/// Deliveries taken per pass.
const BATCH: i64 = 32;

pub fn start(state: AppState) {
    let http = match reqwest::Client::builder()
        .timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("Belfry-Webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
    {
        Ok(http) => http,
        Err(e) => return tracing::error!("webhooks: no HTTP client: {e}"),
    };
    tokio::spawn(async move {
        loop {
            let sent = pass(&state, &http).await;
            if sent < BATCH as usize {
                // Woken by a new event, or looking again for retries due.
                let _ =
                    tokio::time::timeout(Duration::from_secs(1), state.webhooks.wake.notified())
                        .await;
            }
            if state.stopping.is_stopping() {
                return;
            }
        }
    });
}

/// One pass over what is due; how many were tried.
async fn pass(state: &AppState, http: &reqwest::Client) -> usize {
    let now = now_ms();
    let due = match webhooks::due(&state.db, now, BATCH).await {
        Ok(due) => due,
        Err(e) => {
            tracing::warn!("webhooks: reading the queue: {e}");
            return 0;
        }
    };
    // One hook's deliveries go one after another, oldest first, so a
    // receiver that answers hears its events in the order they happened;
    // different hooks are posted to side by side.
    let mut by_hook: std::collections::BTreeMap<i64, Vec<webhooks::Due>> = Default::default();
    let mut n = 0;
    for d in due {
        match webhooks::claim(&state.db, d.id, now, now + LEASE_MS).await {
            Ok(true) => {
                n += 1;
                by_hook.entry(d.webhook_id).or_default().push(d);
            }
            Ok(false) => {}
            Err(e) => tracing::warn!("webhooks: claiming a delivery: {e}"),
        }
    }
    let hooks = by_hook.into_values().map(|deliveries| async move {
        for d in deliveries {
            send(state, http, d).await;
        }
    });
    futures::future::join_all(hooks).await;
    n
}

async fn send(state: &AppState, http: &reqwest::Client, d: webhooks::Due) {
    let at = now_ms();
    let signed = signature(&d.secret, at / 1000, &d.body);
    let res = http
        .post(&d.url)
        .header("content-type", "application/json")
        .header("belfry-event", &d.event)
        .header("belfry-delivery", d.id.to_string())
        .header("belfry-signature", signed)
        .body(d.body.clone())
        .send()
        .await;
    let (status, error) = match res {
        Ok(res) => (Some(i64::from(res.status().as_u16())), None),
        Err(e) => (
            None,
            Some(if e.is_timeout() {
                "no answer within 10 s".to_string()
            } else if e.is_connect() {
                "could not connect".to_string()
            } else {
                "the request failed".to_string()
            }),
        ),
    };
    let delivered = status.is_some_and(|s| (200..300).contains(&s));
    let config = &state.config.webhooks;
    let tried = d.attempts.unsigned_abs() as u32 + 1;
    let retry_at = (!delivered && tried < config.tries).then(|| {
        let wait = config.retry_base.as_millis() as i64 * 5i64.pow(tried - 1);
        now_ms() + wait
    });
    let error =
        error.or_else(|| (!delivered).then(|| format!("answered {}", status.unwrap_or_default())));
    if !delivered {
        tracing::info!(
            webhook = d.webhook_id,
            delivery = d.id,
            event = d.event,
            ?status,
            tried,
            "webhook not delivered"
        );
    }
    let record = webhooks::record(
        &state.db,
        webhooks::Tried {
            delivery: d.id,
            webhook: d.webhook_id,
            event: &d.event,
            at,
            status,
            error: error.as_deref(),
            delivered,
            retry_at,
        },
    )
    .await;
    if let Err(e) = record {
        tracing::warn!("webhooks: recording a delivery: {e}");
    }
}
