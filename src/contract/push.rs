//! What the page and the server say about this device's Web Push.

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
