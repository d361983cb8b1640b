//! Belfry's integration tests, as one binary (it links once): the real
//! server on an ephemeral loopback port with a fresh SQLite file per test,
//! the embedded SFU over real sockets, and LiveKit's signalling over a real
//! WebSocket. `tests/page_render.rs` stays a binary of its own: it watches
//! the server's log through a thread's tracing subscriber, which other
//! tests' servers in the same process would disturb.

mod common;
mod push_world;
mod sfu_world;
mod signal_client;
mod voice_peer;
mod webhooks;

mod access;
mod accounts;
mod api_tokens;
mod backup;
mod calls_flow;
mod calls_rooms;
mod calls_rules;
mod calls_store;
mod calls_timing;
mod community_admin;
mod group_archive;
mod groups;
mod ice_tcp;
mod instances;
mod invitations;
mod live_events;
mod livekit;
mod messages;
mod metrics;
mod openapi;
mod page_routes;
mod people;
mod presence_retry;
mod profile;
mod push;
mod readiness;
mod restart;
mod rtc_resume;
mod rtc_signal;
mod security;
mod sfu_core;
mod sfu_fuzz;
mod sfu_ice_restart;
mod sfu_nomination;
mod sfu_quality;
mod sfu_red;
mod shutdown;
mod site_delivery;
mod studio_members;
mod unread;
mod wire;
