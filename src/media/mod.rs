//! Media: what call control asks of the media server, and the room tokens
//! both media servers (the embedded SFU, or a LiveKit cluster) accept.

pub mod admission;
pub mod control;
pub mod driver;
pub mod ice_tcp;
pub mod livekit;
pub mod server_api;
pub mod sfu;
pub mod signal;
pub mod token;
pub mod twirp;
mod udp_batch;

/// Now, in Unix seconds (tokens, webhooks and revocations count in them).
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
