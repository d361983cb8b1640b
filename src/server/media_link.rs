//! The media side, started for the configured mode: the embedded SFU with
//! its LiveKit server API, or a LiveKit server driven through its
//! RoomService and heard through its webhooks. Either way, who comes and
//! goes reaches call control on one channel (`calls::presence::follow`).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use super::config::Config;
use super::media_config::MediaMode;
use crate::media::admission::Refusal;
use crate::media::control::MediaControl;
use crate::media::driver::{MediaServer, PresenceChange};
use crate::media::livekit::{LiveKitMedia, RoomService, RoomShape, WebhookInbox};
use crate::media::server_api::{MediaHost, WebhookSender};
use crate::media::token::MediaKeys;

/// A LiveKit server, as Belfry drives and hears it.
pub struct LiveKitLink {
    pub service: RoomService,
    pub inbox: WebhookInbox,
}

impl LiveKitLink {
    /// Removes someone LiveKit let into `room` whom call control refused,
    /// their tokens for it revoked.
    pub async fn turn_away(&self, room: &str, identity: &str, why: Refusal) {
        tracing::info!(room, identity, ?why, "removing someone LiveKit let in");
        if let Err(e) = self.service.remove_participant(room, identity).await {
            tracing::warn!(room, identity, "removing from LiveKit: {e}");
        }
    }
}

pub struct Started {
    pub control: Arc<dyn MediaControl>,
    pub host: Option<MediaHost>,
    pub livekit: Option<Arc<LiveKitLink>>,
}

/// Starts the embedded SFU (and its server API), or reaches the LiveKit
/// server once to check the URL and keys.
pub async fn start(
    config: &Config,
    keys: &MediaKeys,
    presence: mpsc::UnboundedSender<PresenceChange>,
) -> Result<Started, String> {
    match config.media.mode {
        MediaMode::Embedded => {
            let host = embedded(config, keys).await?;
            let (server, changes) = host;
            server.follow(changes, Some(presence));
            Ok(Started {
                control: Arc::new(server.server.clone()),
                host: Some(server),
                livekit: None,
            })
        }
        MediaMode::LiveKit => {
            let url = config.media_url.as_deref().unwrap_or_default();
            let service = RoomService::new(url, keys.clone())
                .map_err(|e| format!("BELFRY_MEDIA_URL: {e}"))?;
            check(&service).await?;
            let shape = RoomShape {
                empty_timeout: Duration::from_secs(60),
                max_participants: config.media.max_participants,
            };
            tracing::info!(server = service.base(), "media on LiveKit");
            Ok(Started {
                control: Arc::new(LiveKitMedia::start(service.clone(), shape)),
                host: None,
                livekit: Some(Arc::new(LiveKitLink {
                    service,
                    inbox: WebhookInbox::new(keys),
                })),
            })
        }
    }
}

/// The embedded SFU with its server API and webhooks, and the SFU's own
/// report of comings and goings (for `MediaHost::follow`).
pub async fn embedded(
    config: &Config,
    keys: &MediaKeys,
) -> Result<(MediaHost, mpsc::UnboundedReceiver<PresenceChange>), String> {
    let media = &config.media;
    let (server, changes) =
        MediaServer::start(media.udp_bind, media.tcp_bind, media.advertise).await?;
    let hooks = WebhookSender::start(media.webhook_urls.clone(), keys.clone())?;
    if !hooks.is_empty() {
        tracing::info!(urls = media.webhook_urls.len(), "media webhooks on");
    }
    Ok((MediaHost::new(server, keys.clone(), hooks), changes))
}

/// One ListRooms, so a wrong URL or key pair stops start-up with a reason.
async fn check(service: &RoomService) -> Result<(), String> {
    match service.list_rooms(Vec::new()).await {
        Ok(_) => Ok(()),
        Err(e) if e.code == "unauthenticated" || e.code == "permission_denied" => Err(format!(
            "LiveKit at {} refused Belfry's key ({e}): check BELFRY_LIVEKIT_API_KEY and BELFRY_LIVEKIT_API_SECRET (or LIVEKIT_API_KEY and LIVEKIT_API_SECRET)",
            service.base()
        )),
        Err(e) => Err(format!(
            "cannot reach LiveKit's RoomService at {} ({e}): check BELFRY_MEDIA_URL (or LIVEKIT_URL) and that the server is up",
            service.base()
        )),
    }
}
