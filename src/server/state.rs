//! `AppState`: what every handler and server function shares.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use super::config::Config;
use super::live::LiveHub;
use crate::media::control::MediaControl;
use crate::media::token::MediaKeys;

#[derive(Clone)]
pub struct AppState {
    pub db: super::db::Db,
    pub live: Arc<LiveHub>,
    pub config: Arc<Config>,
    pub leptos: LeptosOptions,
    /// Commands to the media server (evict, mute, close a room).
    pub media: Arc<dyn MediaControl>,
    /// Signs room tokens.
    pub keys: MediaKeys,
    /// People's public views, cached.
    pub people: Arc<super::people::People>,
    /// The embedded SFU and its LiveKit server API, when this server
    /// carries the audio itself.
    pub host: Option<crate::media::server_api::MediaHost>,
    /// The LiveKit server, in LiveKit mode.
    pub livekit: Option<Arc<super::media_link::LiveKitLink>>,
    /// Who comes and goes in media rooms, to call control (from the SFU, or
    /// from LiveKit's webhooks and the reconcile pass).
    pub presence: tokio::sync::mpsc::UnboundedSender<crate::media::driver::PresenceChange>,
    /// Sessions checked in the last few seconds.
    pub sessions: Arc<super::session_cache::SessionCache>,
    /// Web Push: rings devices whose Belfry is closed.
    pub push: Arc<super::push::Push>,
    /// What a stranger may repeat, and how often.
    pub limits: Arc<super::limits::Limits>,
    /// The sign-in pages' chunks, by this build's names.
    pub sign_in_code: Arc<super::sign_in_code::SignInCode>,
    /// Call-event webhooks: the delivery worker's wake-up.
    pub webhooks: Arc<super::webhooks::Hooks>,
    /// Set once the server is stopping (`stopping.rs`).
    pub stopping: super::stopping::Stopping,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}
