//! LiveKit's signalling protocol, as the embedded SFU speaks it.

pub mod candidate;
pub mod proto;
pub mod session;

pub use session::{Session, MAX_FRAME};
