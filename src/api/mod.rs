//! The server functions: thin adapters that read the request, call
//! `server::*` services and answer in the contract's types. In the browser
//! only their client stubs exist.

pub mod accounts;
pub mod calls;
pub mod chat;
pub mod community;
#[cfg(feature = "ssr")]
pub mod described;
pub mod groups;
pub mod profile;
pub mod push;
pub mod studios;
