//! Registering and forgetting a device's push subscription: shared by the
//! JSON endpoints (the service worker's) and the server functions (the
//! page's).

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;

use super::tabs::clean_device;
use crate::calls::ids::UserId;
use crate::server::db::{self, push_subscriptions as subs};
use crate::server::error::{AppError, AppResult};
use crate::server::state::AppState;

pub struct DeviceSubscription<'a> {
    pub endpoint: &'a str,
    pub p256dh: &'a str,
    pub auth: &'a str,
    pub device: &'a str,
}

fn key_bytes(value: &str, len: usize, what: &str) -> AppResult<()> {
    match B64.decode(value.trim_end_matches('=')) {
        Ok(bytes) if bytes.len() == len && (len != 65 || bytes[0] == 4) => Ok(()),
        _ => Err(AppError::bad_request(format!(
            "keys.{what} must be {len} bytes of base64url, as the browser gives it."
        ))),
    }
}

/// Checks what the browser sent and stores it for `user`.
pub async fn subscribe(state: &AppState, user: UserId, s: DeviceSubscription<'_>) -> AppResult<()> {
    state
        .push
        .config()
        .check_endpoint(s.endpoint)
        .map_err(AppError::bad_request)?;
    key_bytes(s.p256dh, 65, "p256dh")?;
    key_bytes(s.auth, 16, "auth")?;
    let device = clean_device(s.device).ok_or_else(|| {
        AppError::bad_request("device must be 8 to 64 letters, digits, '-' or '_'.")
    })?;
    // A device saying again what it has (each page load does) is free; a
    // new endpoint counts against the limit.
    let known = subs::for_user(&state.db, user)
        .await?
        .iter()
        .any(|k| k.endpoint == s.endpoint);
    if !known {
        state.limits.push_subscribe(user)?;
    }
    subs::upsert(
        &state.db,
        subs::NewSubscription {
            user,
            endpoint: s.endpoint,
            p256dh: s.p256dh.trim_end_matches('='),
            auth: s.auth.trim_end_matches('='),
            device: &device,
            now: db::now_ms(),
        },
    )
    .await?;
    Ok(())
}

/// Removes one of `user`'s subscriptions. Someone else's endpoint is left
/// alone (and reported as not there), so nobody can silence another's phone.
pub async fn unsubscribe(state: &AppState, user: UserId, endpoint: &str) -> AppResult<bool> {
    Ok(subs::remove(&state.db, user, endpoint).await?)
}
