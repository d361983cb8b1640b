//! LiveKit's signalling protocol, as the embedded SFU speaks it.

mod answers;
pub mod candidate;
mod end;
pub mod proto;
mod resume;
pub mod session;

pub use resume::Resume;
pub use session::{Session, MAX_FRAME, REFRESH_EVERY};
