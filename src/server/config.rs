//! Configuration from the environment. Every setting has a default that works
//! on a laptop; `.env.example` documents them all.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Config {
    /// `BELFRY_ADDR`: where to listen.
    pub addr: SocketAddr,
    /// `BELFRY_DATABASE_URL`: `sqlite://path` (the file and its folder are created).
    pub database_url: String,
    /// `BELFRY_LOG`: log filter, e.g. `info` or `belfry=debug,info`.
    pub log_filter: String,
    /// `BELFRY_METRICS_TOKEN`: when set, `/metrics` asks for it as a
    /// bearer token.
    pub metrics_token: Option<String>,
    /// `BELFRY_LOG_FORMAT`: `text` (the default) or `json`.
    pub log_format: super::telemetry::LogFormat,
    /// `BELFRY_SITE_ROOT`: the folder with `pkg/` (WASM, JS, CSS) and public files.
    pub site_root: PathBuf,
    /// `BELFRY_DEMO`: seed demo people and channels into an empty database.
    pub demo: bool,
    /// `BELFRY_DEMO_PASSWORD`: the demo accounts' password; random if unset.
    pub demo_password: Option<String>,
    /// `BELFRY_COMMUNITY_NAME`: the community created on first start.
    pub community_name: String,
    /// `BELFRY_SIGNUP_CODE`: if set, signing up requires this code.
    pub signup_code: Option<String>,
    /// `BELFRY_SECURE_COOKIES`: mark the session cookie Secure (behind HTTPS).
    pub secure_cookies: bool,
    /// `BELFRY_SESSION_DAYS`: how long a sign-in lasts.
    pub session_ttl: Duration,
    /// `BELFRY_RING_SECONDS`: how long a call rings before it is missed.
    pub ring_timeout: Duration,
    /// How long after a restart the people of a live call have to come
    /// back to the embedded SFU before they count as gone (15 s).
    pub rejoin_grace: Duration,
    /// `BELFRY_MEDIA_URL` (or `LIVEKIT_URL`): where clients connect for
    /// audio (a LiveKit URL); unset means this server (its embedded SFU).
    pub media_url: Option<String>,
    /// `BELFRY_LIVEKIT_API_KEY` / `BELFRY_LIVEKIT_API_SECRET` (or
    /// `LIVEKIT_API_KEY` / `LIVEKIT_API_SECRET`): the token signing pair;
    /// generated and stored on first start when unset (embedded mode only).
    pub livekit_api_key: Option<String>,
    pub livekit_api_secret: Option<String>,
    /// `BELFRY_MEDIA`, `BELFRY_MEDIA_UDP`, `BELFRY_MEDIA_ADVERTISE`.
    pub media: super::media_config::MediaConfig,
    /// `BELFRY_VAPID_PRIVATE_KEY`, `BELFRY_VAPID_SUBJECT`, `BELFRY_PUSH_HOSTS`.
    pub push: super::push::settings::PushConfig,
    /// Rate limits and the trusted proxies (`server::limits`).
    pub limits: super::limits::LimitsConfig,
    /// `BELFRY_WEBHOOK_HOSTS`, and the retries (`server::webhooks`).
    pub webhooks: super::webhooks::settings::WebhookConfig,
}

impl Config {
    pub fn from_env() -> Result<Self, String> {
        Self::from_lookup(|key| std::env::var(key).ok())
    }

    /// Reads settings through `get`, so tests can configure without touching
    /// the process environment.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let get = |key: &str| get(key).filter(|v| !v.trim().is_empty());
        let addr = get("BELFRY_ADDR").unwrap_or_else(|| "127.0.0.1:3000".into());
        let addr = addr
            .parse()
            .map_err(|_| format!("BELFRY_ADDR={addr:?} is not an address like 127.0.0.1:3000"))?;
        let session_days = match get("BELFRY_SESSION_DAYS") {
            None => 30,
            Some(v) => v
                .parse::<u64>()
                .ok()
                .filter(|d| (1..=365).contains(d))
                .ok_or_else(|| {
                    format!("BELFRY_SESSION_DAYS={v:?} must be a number of days from 1 to 365")
                })?,
        };
        let ring_secs = match get("BELFRY_RING_SECONDS") {
            None => 30,
            Some(v) => v
                .parse::<u64>()
                .ok()
                .filter(|s| (5..=300).contains(s))
                .ok_or_else(|| {
                    format!("BELFRY_RING_SECONDS={v:?} must be a number of seconds from 5 to 300")
                })?,
        };
        // The roadmap's own names (`LIVEKIT_URL`, `LIVEKIT_API_KEY`,
        // `LIVEKIT_API_SECRET`) are read too; Belfry's win when both are set.
        let either = |ours: &str, theirs: &str| get(ours).or_else(|| get(theirs));
        let (livekit_api_key, livekit_api_secret) = (
            either("BELFRY_LIVEKIT_API_KEY", "LIVEKIT_API_KEY"),
            either("BELFRY_LIVEKIT_API_SECRET", "LIVEKIT_API_SECRET"),
        );
        if livekit_api_key.is_some() != livekit_api_secret.is_some() {
            return Err(
                "set both BELFRY_LIVEKIT_API_KEY and BELFRY_LIVEKIT_API_SECRET, or neither".into(),
            );
        }
        let media_url = either("BELFRY_MEDIA_URL", "LIVEKIT_URL");
        let media =
            super::media_config::MediaConfig::from_lookup(&get, addr, media_url.as_deref())?;
        Ok(Self {
            addr,
            database_url: get("BELFRY_DATABASE_URL")
                .unwrap_or_else(|| "sqlite://data/belfry.db".into()),
            log_filter: get("BELFRY_LOG").unwrap_or_else(|| "info".into()),
            log_format: super::telemetry::LogFormat::parse(get("BELFRY_LOG_FORMAT").as_deref())?,
            metrics_token: get("BELFRY_METRICS_TOKEN").filter(|t| !t.trim().is_empty()),
            site_root: get("BELFRY_SITE_ROOT")
                .unwrap_or_else(|| "target/site".into())
                .into(),
            demo: flag(get("BELFRY_DEMO"), "BELFRY_DEMO")?,
            demo_password: get("BELFRY_DEMO_PASSWORD"),
            community_name: get("BELFRY_COMMUNITY_NAME").unwrap_or_else(|| "Our Parish".into()),
            signup_code: get("BELFRY_SIGNUP_CODE"),
            secure_cookies: flag(get("BELFRY_SECURE_COOKIES"), "BELFRY_SECURE_COOKIES")?,
            session_ttl: Duration::from_secs(session_days * 24 * 3600),
            ring_timeout: Duration::from_secs(ring_secs),
            rejoin_grace: Duration::from_secs(15),
            media_url,
            media,
            push: super::push::settings::PushConfig::from_lookup(&get)?,
            limits: super::limits::LimitsConfig::from_lookup(&get)?,
            webhooks: super::webhooks::settings::WebhookConfig::from_lookup(&get)?,
            livekit_api_key,
            livekit_api_secret,
        })
    }
}

fn flag(value: Option<String>, name: &str) -> Result<bool, String> {
    match value.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None | Some("0" | "false" | "no" | "off") => Ok(false),
        Some("1" | "true" | "yes" | "on") => Ok(true),
        Some(other) => Err(format!("{name}={other:?} must be true or false")),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The configuration these environment variables (and no others) give.
    pub(crate) fn with(pairs: &[(&str, &str)]) -> Result<Config, String> {
        Config::from_lookup(|k| {
            pairs
                .iter()
                .find(|(key, _)| *key == k)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn defaults_are_local_and_safe() {
        let c = with(&[]).unwrap();
        assert_eq!(c.addr.to_string(), "127.0.0.1:3000");
        assert_eq!(c.database_url, "sqlite://data/belfry.db");
        assert!(!c.demo, "the demo must be opt-in");
        assert!(c.signup_code.is_none());
    }

    #[test]
    fn bad_values_are_named_in_the_error() {
        assert!(with(&[("BELFRY_ADDR", "nowhere")])
            .unwrap_err()
            .contains("BELFRY_ADDR"));
        assert!(with(&[("BELFRY_DEMO", "maybe")])
            .unwrap_err()
            .contains("BELFRY_DEMO"));
        assert!(with(&[("BELFRY_SESSION_DAYS", "0")])
            .unwrap_err()
            .contains("BELFRY_SESSION_DAYS"));
        assert!(with(&[("BELFRY_DEMO", "yes")]).unwrap().demo);
        assert!(with(&[("BELFRY_RING_SECONDS", "1")])
            .unwrap_err()
            .contains("BELFRY_RING_SECONDS"));
        assert_eq!(with(&[]).unwrap().ring_timeout, Duration::from_secs(30));
        assert!(with(&[("BELFRY_LIVEKIT_API_KEY", "k")])
            .unwrap_err()
            .contains("neither"));
    }
}
