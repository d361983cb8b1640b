//! Server functions for Web Push, used by the page: the server's VAPID key,
//! and this device's subscription. (The service worker uses the matching
//! JSON endpoints under `/api/push/`.)

use crate::contract::Wire;
use leptos::prelude::*;

use crate::contract::ApiError;

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
