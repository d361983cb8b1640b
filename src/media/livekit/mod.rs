//! LiveKit mode: Belfry drives a LiveKit server (Cloud or self-hosted, or
//! another Belfry's media role) through its RoomService and learns who is
//! in each room from its webhooks.

pub mod client;
pub mod control;
pub mod webhook;

pub use client::{RoomService, RoomShape};
pub use control::LiveKitMedia;
pub use webhook::{Heard, Refused, WebhookInbox};
