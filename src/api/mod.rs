//! Server functions and the types they carry: the contract between the
//! browser and the server. Each server function is a thin adapter over
//! `server::*` services; on the browser side only its client stub exists.

pub mod accounts;
pub mod base64;
#[cfg(test)]
pub mod call_fixture;
pub mod call_types;
pub mod calls;
pub mod chat;
pub mod error;
pub mod events;
mod events_wire;
pub mod push;
pub mod types;
pub mod wire;

pub use crate::calls::ids;
pub use error::{ApiError, ErrorKind};
pub use wire::Wire;
