//! Everything that runs only on the server: configuration, state, accounts
//! and sessions, database queries, the live event hub, and the HTTP app.

pub mod accounts;
pub mod app;
pub mod auth;
pub mod backup;
pub mod boot;
pub mod calls;
pub mod chat;
pub mod compression;
pub mod config;
pub mod cross_site;
pub mod db;
pub mod directory;
pub mod error;
pub mod hashing;
pub mod limits;
pub mod live;
pub mod live_relay;
pub mod live_socket;
pub mod livekit_webhook;
pub mod media_config;
pub mod media_link;
pub mod media_role;
pub mod metrics;
pub mod people;
pub mod push;
pub mod request;
pub mod room_service_routes;
pub mod rtc_routes;
pub mod seed;
pub mod session_cache;
pub mod sign_in_code;
pub mod state;
pub mod stopping;
pub mod telemetry;
pub mod voice_routes;
