//! A media room as Belfry's browser client sees it: who is in it, who is
//! speaking, how each connection is doing, and what each signalling message
//! asks the client to do. Pure (no browser, no sockets), so it compiles on
//! both targets and is tested natively; `client::call` carries the steps out
//! with the browser's WebRTC, and the UI reads the types.

pub mod backoff;
pub mod model;
pub mod outputs;
pub mod prefs;
pub mod requests;
pub mod sdp;
pub mod signal;
pub mod types;
pub mod wire;

pub use model::{RoomModel, Step};
pub use types::{AudioDevice, CloseReason, LocalAudio, Quality, RoomPeer, RoomPhase};
