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
