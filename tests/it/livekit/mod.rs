//! LiveKit mode against a real server API: Belfry A runs in LiveKit mode
//! against Belfry M's media role (the embedded SFU with LiveKit's
//! RoomService and webhooks, on real loopback sockets). M stands in for a
//! LiveKit server, which cannot run here; LiveKit's own server SDK checks
//! M's API in `end2end/tests/livekit_server_api.spec.ts`.

mod mode;
mod server_api;
mod webhook_in;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use belfry::media::livekit::RoomService;
use belfry::media::token::MediaKeys;
use belfry::server::config::Config;
use belfry::server::media_config::MediaMode;

use crate::common::{Parish, TestApp};

pub const KEY: &str = "APIbelfryM";
pub const SECRET: &str = "a-media-host-secret-of-32-characters";

pub fn keys() -> MediaKeys {
    MediaKeys::new(KEY.into(), SECRET.into())
}

/// Webhooks from M to A pass through here, where a test can block them.
#[derive(Clone, Default)]
pub struct Relay {
    to: Arc<OnceLock<String>>,
    pub blocked: Arc<AtomicBool>,
    pub passed: Arc<std::sync::atomic::AtomicUsize>,
}

impl Relay {
    pub fn block(&self, blocked: bool) {
        self.blocked.store(blocked, Ordering::SeqCst);
    }
}

async fn forward(State(relay): State<Relay>, headers: HeaderMap, body: Bytes) -> StatusCode {
    if relay.blocked.load(Ordering::SeqCst) {
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    let Some(to) = relay.to.get() else {
        return StatusCode::SERVICE_UNAVAILABLE;
    };
    let mut ask = reqwest::Client::new().post(to).body(body.to_vec());
    for name in ["authorization", "content-type"] {
        if let Some(v) = headers.get(name) {
            ask = ask.header(name, v.to_str().unwrap_or_default());
        }
    }
    relay.passed.fetch_add(1, Ordering::SeqCst);
    match ask.send().await {
        Ok(res) => StatusCode::from_u16(res.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY),
        Err(_) => StatusCode::BAD_GATEWAY,
    }
}

/// Belfry M, the media role, on an ephemeral loopback port.
pub struct MediaRole {
    pub addr: SocketAddr,
    pub relay: Relay,
    /// What SIGTERM does to the role.
    pub draining: belfry::server::media_role::Draining,
}

impl MediaRole {
    /// M with its webhooks going to the relay (to A, once A is up).
    pub async fn start() -> Self {
        let relay = Relay::default();
        let hooks = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let hooks_at = hooks.local_addr().unwrap();
        let app = axum::Router::new()
            .route("/hook", post(forward))
            .with_state(relay.clone());
        tokio::spawn(async move { axum::serve(hooks, app).await });
        Self::start_to(&format!("http://{hooks_at}/hook"), relay).await
    }

    /// M with its webhooks going to `hook`.
    pub async fn start_to(hook: &str, relay: Relay) -> Self {
        let mut config = Config::from_lookup(|_| None).unwrap();
        config.livekit_api_key = Some(KEY.into());
        config.livekit_api_secret = Some(SECRET.into());
        config.media.udp_bind = "127.0.0.1:0".parse().unwrap();
        config.media.tcp_bind = None;
        config.media.webhook_urls = vec![hook.to_string()];
        let (router, draining) = belfry::server::media_role::prepare(&config)
            .await
            .expect("the media role starts");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
        });
        Self {
            addr,
            relay,
            draining,
        }
    }

    pub fn url(&self) -> String {
        format!("ws://{}", self.addr)
    }

    /// LiveKit's RoomService on M, as any server SDK would use it.
    pub fn service(&self) -> RoomService {
        RoomService::new(&self.url(), keys()).unwrap()
    }
}

/// Belfry A in LiveKit mode against M (its webhooks relayed to A), with
/// the test parish, reconciling every `reconcile` seconds.
pub async fn app_on(m: &MediaRole, reconcile: f64) -> Parish {
    let url = m.url();
    let app = TestApp::with_sfu(|c| {
        livekit_mode(c, &url);
        c.media.reconcile_every = Duration::from_secs_f64(reconcile);
    })
    .await;
    m.relay
        .to
        .set(app.url("/api/livekit/webhook"))
        .expect("one app per media role");
    Parish::in_app(app).await
}

pub fn livekit_mode(c: &mut Config, url: &str) {
    c.media.mode = MediaMode::LiveKit;
    c.media_url = Some(url.to_string());
    c.livekit_api_key = Some(KEY.into());
    c.livekit_api_secret = Some(SECRET.into());
}

/// Polls `check` every 25 ms until it holds or `within` passes; how long
/// it took.
pub async fn within<F, Fut>(within: Duration, what: &str, mut check: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = std::time::Instant::now();
    loop {
        if check().await {
            return start.elapsed();
        }
        assert!(start.elapsed() < within, "not within {within:?}: {what}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}
