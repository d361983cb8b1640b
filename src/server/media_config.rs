//! The media settings: which media server carries the audio, and where the
//! embedded one listens and says it can be reached.

use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::time::Duration;

/// `BELFRY_MEDIA`: `embedded` (default) or `livekit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaMode {
    /// The audio SFU inside this process.
    Embedded,
    /// A LiveKit deployment at `BELFRY_MEDIA_URL`.
    LiveKit,
}

#[derive(Debug, Clone)]
pub struct MediaConfig {
    pub mode: MediaMode,
    /// `BELFRY_MEDIA_UDP`: the embedded SFU's one UDP socket. Defaults to
    /// the web server's IP, port 7882.
    pub udp_bind: SocketAddr,
    /// `BELFRY_MEDIA_TCP`: the passive ICE-TCP listener, for browsers whose
    /// network blocks UDP. Defaults to the UDP socket's IP, port 7881;
    /// `off` offers none.
    pub tcp_bind: Option<SocketAddr>,
    /// `BELFRY_MEDIA_ADVERTISE`: the IP browsers are told to send audio to
    /// (a public IP behind NAT). Defaults to the bound IP, or the machine's
    /// main address when bound to all.
    pub advertise: IpAddr,
    /// How often a connected client is sent a fresh room token, each time
    /// only if call control still admits it (4 minutes; tests shorten it).
    pub token_refresh: std::time::Duration,
    /// `BELFRY_WEBHOOK_URLS`: where the embedded SFU sends LiveKit-style
    /// webhooks (comma-separated http(s) URLs; none by default).
    pub webhook_urls: Vec<String>,
    /// `BELFRY_LIVEKIT_RECONCILE_SECONDS`: how often, in LiveKit mode, each
    /// live call's room is listed to correct what webhooks missed (5).
    pub reconcile_every: Duration,
    /// `BELFRY_ROOM_MAX_PARTICIPANTS`: the cap LiveKit rooms are made with
    /// (50).
    pub max_participants: u32,
}

impl MediaConfig {
    pub fn from_lookup(
        get: &impl Fn(&str) -> Option<String>,
        web: SocketAddr,
        media_url: Option<&str>,
    ) -> Result<Self, String> {
        let get = |key: &str| get(key).filter(|v| !v.trim().is_empty());
        let mode = match get("BELFRY_MEDIA").as_deref().map(str::trim) {
            None | Some("embedded") => MediaMode::Embedded,
            Some("livekit") => MediaMode::LiveKit,
            Some(other) => {
                return Err(format!(
                    "BELFRY_MEDIA={other:?} must be \"embedded\" or \"livekit\""
                ))
            }
        };
        if mode == MediaMode::LiveKit && media_url.is_none() {
            return Err(
                "BELFRY_MEDIA=livekit needs BELFRY_MEDIA_URL (or LIVEKIT_URL), like wss://parish.livekit.cloud"
                    .into(),
            );
        }
        if let (MediaMode::LiveKit, Some(url)) = (mode, media_url) {
            crate::media::livekit::client::http_base(url)
                .map_err(|e| format!("BELFRY_MEDIA_URL: {e}"))?;
            if get("BELFRY_LIVEKIT_API_KEY").is_none() && get("LIVEKIT_API_KEY").is_none() {
                return Err("BELFRY_MEDIA=livekit needs the LiveKit server's key pair: set BELFRY_LIVEKIT_API_KEY and BELFRY_LIVEKIT_API_SECRET (or LIVEKIT_API_KEY and LIVEKIT_API_SECRET)".into());
            }
        }
        let webhook_urls: Vec<String> = (get("BELFRY_WEBHOOK_URLS").unwrap_or_default())
            .split(',')
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(str::to_string)
            .collect();
        for url in &webhook_urls {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(format!(
                    "BELFRY_WEBHOOK_URLS: {url:?} is not an http:// or https:// URL"
                ));
            }
        }
        let reconcile_every = match get("BELFRY_LIVEKIT_RECONCILE_SECONDS") {
            None => Duration::from_secs(5),
            Some(v) => v
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|s| (0.2..=300.0).contains(s))
                .map(Duration::from_secs_f64)
                .ok_or_else(|| {
                    format!("BELFRY_LIVEKIT_RECONCILE_SECONDS={v:?} must be a number of seconds from 0.2 to 300")
                })?,
        };
        let max_participants = match get("BELFRY_ROOM_MAX_PARTICIPANTS") {
            None => 50,
            Some(v) => v
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|n| (2..=10_000).contains(n))
                .ok_or_else(|| {
                    format!("BELFRY_ROOM_MAX_PARTICIPANTS={v:?} must be a number from 2 to 10000")
                })?,
        };
        let udp_bind = match get("BELFRY_MEDIA_UDP") {
            None => SocketAddr::new(web.ip(), 7882),
            Some(v) => v.parse().map_err(|_| {
                format!("BELFRY_MEDIA_UDP={v:?} is not an address like 0.0.0.0:7882")
            })?,
        };
        let tcp_bind = match get("BELFRY_MEDIA_TCP").as_deref().map(str::trim) {
            None => Some(SocketAddr::new(udp_bind.ip(), 7881)),
            Some("off") => None,
            Some(v) => Some(v.parse().map_err(|_| {
                format!("BELFRY_MEDIA_TCP={v:?} is not an address like 0.0.0.0:7881 (or off)")
            })?),
        };
        let advertise = match get("BELFRY_MEDIA_ADVERTISE") {
            Some(v) => v
                .parse()
                .map_err(|_| format!("BELFRY_MEDIA_ADVERTISE={v:?} is not an IP address"))?,
            None if udp_bind.ip().is_unspecified() => main_address(),
            None => udp_bind.ip(),
        };
        if advertise.is_unspecified() {
            return Err("BELFRY_MEDIA_ADVERTISE must name a reachable IP, not 0.0.0.0".into());
        }
        Ok(Self {
            mode,
            udp_bind,
            tcp_bind,
            advertise,
            token_refresh: crate::media::signal::REFRESH_EVERY,
            webhook_urls,
            reconcile_every,
            max_participants,
        })
    }
}

/// The address this machine's default route leaves from (no packet is
/// sent), or loopback when it has none.
fn main_address() -> IpAddr {
    UdpSocket::bind("0.0.0.0:0")
        .and_then(|s| s.connect("192.0.2.1:9").map(|_| s))
        .and_then(|s| s.local_addr())
        .map(|a| a.ip())
        .unwrap_or(IpAddr::from([127, 0, 0, 1]))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The media settings these variables give (the web address defaults
    /// to 127.0.0.1:3000).
    fn with(pairs: &[(&str, &str)]) -> Result<MediaConfig, String> {
        crate::server::config::tests::with(pairs).map(|c| c.media)
    }

    #[test]
    fn defaults_follow_the_web_address() {
        let c = with(&[]).unwrap();
        assert_eq!(c.mode, MediaMode::Embedded);
        assert_eq!(c.udp_bind.to_string(), "127.0.0.1:7882");
        assert_eq!(c.tcp_bind.unwrap().to_string(), "127.0.0.1:7881");
        assert_eq!(c.advertise.to_string(), "127.0.0.1");
        let off = with(&[("BELFRY_MEDIA_TCP", "off")]).unwrap();
        assert_eq!(off.tcp_bind, None);
        let moved = with(&[("BELFRY_MEDIA_TCP", "0.0.0.0:443")]).unwrap();
        assert_eq!(moved.tcp_bind.unwrap().port(), 443);
    }

    #[test]
    fn the_roadmaps_livekit_names_work_unchanged() {
        let c = crate::server::config::tests::with(&[
            ("BELFRY_MEDIA", "livekit"),
            ("LIVEKIT_URL", "wss://parish.livekit.cloud"),
            ("LIVEKIT_API_KEY", "APIroadmap"),
            ("LIVEKIT_API_SECRET", "roadmap-secret"),
            ("BELFRY_WEBHOOK_URLS", "http://a/hook, https://b/hook"),
        ])
        .unwrap();
        assert_eq!(c.media.mode, MediaMode::LiveKit);
        assert_eq!(c.media_url.as_deref(), Some("wss://parish.livekit.cloud"));
        assert_eq!(c.livekit_api_key.as_deref(), Some("APIroadmap"));
        assert_eq!(c.livekit_api_secret.as_deref(), Some("roadmap-secret"));
        assert_eq!(c.media.webhook_urls, ["http://a/hook", "https://b/hook"]);
        assert_eq!(c.media.reconcile_every, Duration::from_secs(5));
        assert_eq!(c.media.max_participants, 50);
        // Belfry's own names win over the roadmap's.
        let both = crate::server::config::tests::with(&[
            ("BELFRY_MEDIA_URL", "wss://ours"),
            ("LIVEKIT_URL", "wss://theirs"),
        ])
        .unwrap();
        assert_eq!(both.media_url.as_deref(), Some("wss://ours"));
    }

    #[test]
    fn bad_settings_are_named() {
        assert!(with(&[("BELFRY_MEDIA", "webrtc")])
            .unwrap_err()
            .contains("BELFRY_MEDIA"));
        assert!(with(&[("BELFRY_MEDIA", "livekit")])
            .unwrap_err()
            .contains("BELFRY_MEDIA_URL"));
        assert!(
            with(&[("BELFRY_MEDIA", "livekit"), ("LIVEKIT_URL", "wss://x")])
                .unwrap_err()
                .contains("BELFRY_LIVEKIT_API_KEY"),
            "LiveKit mode without keys is named"
        );
        assert!(
            with(&[("BELFRY_MEDIA", "livekit"), ("LIVEKIT_URL", "parish")])
                .unwrap_err()
                .contains("BELFRY_MEDIA_URL")
        );
        assert!(with(&[("BELFRY_WEBHOOK_URLS", "ftp://x")])
            .unwrap_err()
            .contains("BELFRY_WEBHOOK_URLS"));
        assert!(with(&[("BELFRY_LIVEKIT_RECONCILE_SECONDS", "0")])
            .unwrap_err()
            .contains("BELFRY_LIVEKIT_RECONCILE_SECONDS"));
        assert!(with(&[("BELFRY_MEDIA_UDP", "7882")])
            .unwrap_err()
            .contains("BELFRY_MEDIA_UDP"));
        assert!(with(&[("BELFRY_MEDIA_TCP", "7881")])
            .unwrap_err()
            .contains("BELFRY_MEDIA_TCP"));
        assert!(with(&[("BELFRY_MEDIA_ADVERTISE", "0.0.0.0")])
            .unwrap_err()
            .contains("reachable"));
        let public = with(&[
            ("BELFRY_MEDIA_UDP", "0.0.0.0:9000"),
            ("BELFRY_MEDIA_ADVERTISE", "203.0.113.7"),
        ])
        .unwrap();
        assert_eq!(public.udp_bind.port(), 9000);
        assert_eq!(public.advertise.to_string(), "203.0.113.7");
    }
}
