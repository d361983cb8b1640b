//! Server functions for Web Push, used by the page: the server's VAPID key,
//! and this device's subscription. (The service worker uses the matching
//! JSON endpoints under `/api/push/`.)

use super::Wire;
use leptos::prelude::*;

use super::ApiError;

/// What this browser can do about ringing while Belfry is closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushSupport {
    /// No service worker or push here (an insecure page, an old browser).
    Unsupported,
    /// The person refused notifications for this site.
    Blocked,
    Off,
    On,
}

/// A device's subscription as the server stores it.
pub struct PushKeys {
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
}

/// A device id as both sides accept it: 8 to 64 letters, digits, `-`, `_`.
pub fn is_device_id(id: &str) -> bool {
    (8..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The key a browser subscribes with (`applicationServerKey`), base64url.
#[server(prefix = "/api", endpoint = "push_key", input = Wire, output = Wire)]
pub async fn push_key() -> Result<String, ApiError> {
    use crate::server::request;
    let (state, _me) = request::viewer().await?;
    Ok(state.push.public_key().to_string())
}

/// Rings this device (by its push subscription) when Belfry is closed.
#[server(prefix = "/api", endpoint = "push_subscribe", input = Wire, output = Wire)]
pub async fn push_subscribe(
    endpoint: String,
    p256dh: String,
    auth: String,
    device: String,
) -> Result<(), ApiError> {
    use crate::server::push::devices::{self, DeviceSubscription};
    use crate::server::request;
    let (state, me) = request::viewer().await?;
    let s = DeviceSubscription {
        endpoint: &endpoint,
        p256dh: &p256dh,
        auth: &auth,
        device: &device,
    };
    Ok(devices::subscribe(&state, me.user.id, s).await?)
}

/// Stops ringing this device; true if it was registered to me.
#[server(prefix = "/api", endpoint = "push_unsubscribe", input = Wire, output = Wire)]
pub async fn push_unsubscribe(endpoint: String) -> Result<bool, ApiError> {
    use crate::server::{push::devices, request};
    let (state, me) = request::viewer().await?;
    Ok(devices::unsubscribe(&state, me.user.id, &endpoint).await?)
}
