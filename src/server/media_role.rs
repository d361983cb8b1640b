//! The media role (`belfry media`): just the embedded SFU, with LiveKit's
//! signalling (`/rtc`), its server API (`/twirp/livekit.RoomService/…`)
//! and signed webhooks, admitting by token as LiveKit does. For a
//! deployment that wants its audio on another host: the Belfry that runs
//! the app points at it in LiveKit mode, as it would at LiveKit.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::routing::get;
use axum::Router;

use super::config::Config;
use super::limits::Limits;
use super::rtc_routes::RtcState;
use super::stopping::Stopping;
use crate::media::server_api::{MediaHost, TokenGate};
use crate::media::token::MediaKeys;

/// What stopping the role needs: its SFU, to tell everyone to reconnect.
#[derive(Clone)]
pub struct Draining {
    host: MediaHost,
    stopping: Stopping,
}

impl Draining {
    /// Refuses new joins, tells everyone in a room to reconnect, waits a
    /// moment for that to be sent (`stopping.rs`).
    pub async fn drain(&self) {
        super::stopping::drain(&self.stopping, Some(&self.host)).await;
    }
}

/// The role's state and routes; `run` serves them.
pub async fn prepare(config: &Config) -> Result<(Router, Draining), String> {
    let (Some(key), Some(secret)) = (&config.livekit_api_key, &config.livekit_api_secret) else {
        return Err("the media role needs the key pair its clients sign with: set BELFRY_LIVEKIT_API_KEY and BELFRY_LIVEKIT_API_SECRET (or LIVEKIT_API_KEY and LIVEKIT_API_SECRET)".into());
    };
    if config.media_url.is_some() || config.media.mode != super::media_config::MediaMode::Embedded {
        return Err(
            "the media role is the media server: unset BELFRY_MEDIA and BELFRY_MEDIA_URL".into(),
        );
    }
    let keys = MediaKeys::new(key.clone(), secret.clone());
    let (host, changes) = super::media_link::embedded(config, &keys).await?;
    host.follow(changes, None);
    let limits = Arc::new(Limits::new(config.limits.clone()));
    let sweeping = limits.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            tick.tick().await;
            sweeping.sweep();
        }
    });
    let stopping = Stopping::default();
    let draining = Draining {
        host: host.clone(),
        stopping: stopping.clone(),
    };
    let state = RtcState {
        host: Some(host),
        keys,
        gate: Arc::new(TokenGate),
        limits,
        refresh: config.media.token_refresh,
        stopping,
    };
    let router = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .merge(super::rtc_routes::routes())
        .merge(super::room_service_routes::routes())
        .with_state(state)
        .layer(tower_http::limit::RequestBodyLimitLayer::new(64 * 1024));
    Ok((router, draining))
}

/// Serves the media role until a shutdown signal.
pub async fn run(config: Config) -> Result<(), String> {
    let (router, draining) = prepare(&config).await?;
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.addr))?;
    let local: SocketAddr = listener.local_addr().map_err(|e| e.to_string())?;
    tracing::info!("Belfry's media role is listening on http://{local}");
    let app = router.into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            super::app::shutdown_signal().await;
            draining.drain().await;
        })
        .await
        .map_err(|e| format!("server error: {e}"))
}
