//! Call-event webhooks for host apps. A community's admins register URLs
//! (`BELFRY_WEBHOOK_HOSTS` and `settings` say which may be used); every
//! call and studio event of the community is queued in the database once
//! per hook (`emit`), and `deliver` posts it, signed, retrying with backoff
//! until a 2xx or the last try. The admin screen shows each hook's last
//! delivery.
//!
//! The signature, in `Belfry-Signature: t=<unix seconds>,v1=<hex>`, is
//! HMAC-SHA256 with the hook's secret over `<t>.<the raw body>`: a receiver
//! recomputes it, compares in constant time and refuses a `t` more than
//! five minutes off (a replay).

pub mod deliver;
mod payload;
pub mod settings;

use std::sync::atomic::{AtomicI64, Ordering};

use serde_json::Value;
use tokio::sync::Notify;

use super::auth;
use super::db::{communities, now_ms, webhooks};
use super::error::{AppError, AppResult};
use super::state::AppState;
use crate::contract::ids::CommunityId;
use crate::contract::types::{Role, UserView};
use crate::contract::webhooks::{NewWebhook, WebhookView, Webhooks, MAX_HOOKS};

pub use payload::{call_event, studio_event};

/// The queue's shared parts: the worker's wake-up, and whether any hook
/// exists (asked of the database at most every few seconds, so calls in a
/// deployment without hooks write nothing for them).
#[derive(Default)]
pub struct Hooks {
    pub wake: Notify,
    /// When the database last said some hook exists (ms; 0: never), and
    /// when it was last asked.
    seen_at: AtomicI64,
    asked_at: AtomicI64,
}

/// How long "no hooks" is believed before asking again.
const NONE_FOR_MS: i64 = 5_000;

impl Hooks {
    /// Whether any hook exists (see the type's notes).
    pub async fn any(&self, state: &AppState) -> bool {
        let now = now_ms();
        if now - self.asked_at.load(Ordering::Relaxed) < NONE_FOR_MS {
            return self.seen_at.load(Ordering::Relaxed) != 0;
        }
        let found = webhooks::any(&state.db).await.unwrap_or(true);
        self.asked_at.store(now, Ordering::Relaxed);
        self.seen_at
            .store(if found { now } else { 0 }, Ordering::Relaxed);
        found
    }

    fn added(&self) {
        self.seen_at.store(now_ms(), Ordering::Relaxed);
        self.asked_at.store(now_ms(), Ordering::Relaxed);
    }
}

/// Signs `body` sent at `t` (Unix seconds) with `secret`: the header's value.
pub fn signature(secret: &str, t: i64, body: &str) -> String {
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, secret.as_bytes());
    let tag = aws_lc_rs::hmac::sign(&key, format!("{t}.{body}").as_bytes());
    let hex: String = tag.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    format!("t={t},v1={hex}")
}

/// Queues `event` with `data` for every hook of these communities, and
/// wakes the worker. A failure is logged: the call it reports stands.
pub async fn emit(state: &AppState, communities: &[CommunityId], event: &str, data: Value) {
    if communities.is_empty() || !state.webhooks.any(state).await {
        return;
    }
    let now = now_ms();
    let body = serde_json::json!({
        "type": event,
        "createdAt": now,
        "data": data,
    })
    .to_string();
    match webhooks::enqueue(&state.db, communities, event, &body, now).await {
        Ok(0) => {}
        Ok(_) => state.webhooks.wake.notify_one(),
        Err(e) => tracing::warn!(event, "queueing a webhook: {e}"),
    }
}

async fn as_admin(state: &AppState, viewer: &UserView, community: CommunityId) -> AppResult<()> {
    match communities::role_of(&state.db, community, viewer.id).await? {
        Some(Role::Admin) => Ok(()),
        Some(_) => Err(AppError::forbidden(
            "Only the community's admins manage its webhooks.",
        )),
        None => Err(AppError::forbidden(
            "You are not a member of this community.",
        )),
    }
}

fn view(r: webhooks::Row) -> WebhookView {
    WebhookView {
        id: r.id,
        url: r.url,
        created_at: r.created_at,
        last_event: r.last_event,
        last_attempt_at: r.last_attempt_at,
        last_status: r.last_status,
        last_error: r.last_error,
        last_delivered_at: r.last_delivered_at,
        pending: r.pending,
        failed: r.failed,
    }
}

pub async fn list(
    state: &AppState,
    viewer: &UserView,
    community: CommunityId,
) -> AppResult<Webhooks> {
    as_admin(state, viewer, community).await?;
    let rows = webhooks::for_community(&state.db, community).await?;
    Ok(Webhooks {
        community_id: community,
        webhooks: rows.into_iter().map(view).collect(),
    })
}

pub async fn create(
    state: &AppState,
    viewer: &UserView,
    community: CommunityId,
    url: &str,
) -> AppResult<NewWebhook> {
    as_admin(state, viewer, community).await?;
    let url = state
        .config
        .webhooks
        .check(url)
        .map_err(AppError::bad_request)?;
    let existing = webhooks::for_community(&state.db, community).await?;
    if existing.len() >= MAX_HOOKS {
        return Err(AppError::conflict(format!(
            "This community has {MAX_HOOKS} webhooks. Remove one before adding another."
        )));
    }
    if existing.iter().any(|w| w.url == url) {
        return Err(AppError::conflict("That address is registered already."));
    }
    let secret = format!("whsec_{}", auth::new_token());
    let id = webhooks::insert(&state.db, community, &url, &secret, viewer.id, now_ms()).await?;
    state.webhooks.added();
    tracing::info!(%community, webhook = id, by = %viewer.id, "webhook added");
    let row = webhooks::get(&state.db, id)
        .await?
        .ok_or_else(|| AppError::internal("new webhook vanished"))?;
    Ok(NewWebhook {
        webhook: view(row),
        secret,
    })
}

pub async fn remove(state: &AppState, viewer: &UserView, id: i64) -> AppResult<()> {
    let row = webhooks::get(&state.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("No such webhook."))?;
    as_admin(state, viewer, CommunityId(row.community_id)).await?;
    webhooks::delete(&state.db, id).await?;
    tracing::info!(webhook = id, by = %viewer.id, "webhook removed");
    Ok(())
}
