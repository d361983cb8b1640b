//! Server functions and the types they carry: the contract between the
//! browser and the server. Each server function is a thin adapter over
//! `server::*` services; on the browser side only its client stub exists.

pub mod accounts;
pub mod chat;
pub mod error;
pub mod events;
pub mod ids;
pub mod types;

pub use error::{ApiError, ErrorKind};
