//! The contract between the browser and the server: every type that
//! crosses between them (views, call types, live-event frames, errors,
//! boot data, the pages by address) and the wire format they travel in.
//! A leaf: it uses only `calls` (the domain's ids and states) below it,
//! and every layer above may use it.

pub mod api_tokens;
pub mod base64;
pub mod boot;
#[cfg(test)]
pub mod call_fixture;
pub mod call_types;
pub mod error;
pub mod events;
mod events_wire;
#[cfg(test)]
mod golden;
pub mod groups;
pub mod invitations;
pub mod pages;
pub mod profile;
pub mod push;
pub mod types;
pub mod webhooks;
pub mod wire;

pub use crate::calls::ids;
pub use error::{ApiError, ErrorKind};
pub use wire::Wire;
