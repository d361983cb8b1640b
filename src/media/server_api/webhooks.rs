//! Webhooks from the embedded SFU, as LiveKit sends them: a JSON
//! `WebhookEvent` posted to each configured URL with `Content-Type:
//! application/webhook+json` and an `Authorization` JWT signed with the API
//! secret that carries the body's SHA-256. One queue per URL keeps each
//! room's events in order; a failed delivery is retried with backoff, then
//! dropped (the receiver's reconcile pass catches up).

use std::time::Duration;

use base64::Engine;
use livekit_protocol as proto;
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;

use super::super::token::MediaKeys;
use super::book::new_sid;
use crate::media::unix_now;

/// Deliveries tried per event, and the wait before the first retry (each
/// later one doubles it).
const ATTEMPTS: u32 = 5;
const FIRST_RETRY: Duration = Duration::from_millis(200);
/// Events waiting per URL; beyond this a dead receiver loses the oldest
/// news rather than the server's memory.
const QUEUE: usize = 4096;
pub const CONTENT_TYPE: &str = "application/webhook+json";

#[derive(Clone)]
pub struct WebhookSender {
    queues: Vec<mpsc::Sender<proto::WebhookEvent>>,
}

impl WebhookSender {
    /// A sender to `urls` (none: events go nowhere).
    pub fn start(urls: Vec<String>, keys: MediaKeys) -> Result<Self, String> {
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .connect_timeout(Duration::from_secs(3))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("cannot build the webhook HTTP client: {e}"))?;
        let queues = (urls.into_iter())
            .map(|url| {
                let (tx, rx) = mpsc::channel(QUEUE);
                tokio::spawn(deliver(http.clone(), url, keys.clone(), rx));
                tx
            })
            .collect();
        Ok(Self { queues })
    }

    pub fn is_empty(&self) -> bool {
        self.queues.is_empty()
    }

    /// Queues `event` (named, with a room and perhaps a participant) for
    /// every URL.
    pub fn send(
        &self,
        event: &str,
        room: proto::Room,
        participant: Option<proto::ParticipantInfo>,
    ) {
        if self.queues.is_empty() {
            return;
        }
        let event = proto::WebhookEvent {
            event: event.into(),
            room: Some(room),
            participant,
            id: new_sid("EV_"),
            created_at: unix_now(),
            ..Default::default()
        };
        for queue in &self.queues {
            if queue.try_send(event.clone()).is_err() {
                tracing::warn!(
                    event = event.event,
                    "a webhook queue is full: event dropped"
                );
            }
        }
    }
}

/// The body and `Authorization` of one event.
pub fn sign(keys: &MediaKeys, event: &proto::WebhookEvent) -> Result<(String, String), String> {
    let body = serde_json::to_string(event).map_err(|e| e.to_string())?;
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(body.as_bytes()));
    Ok((body, keys.sign_webhook(&hash)?))
}

async fn deliver(
    http: reqwest::Client,
    url: String,
    keys: MediaKeys,
    mut events: mpsc::Receiver<proto::WebhookEvent>,
) {
    while let Some(event) = events.recv().await {
        let Ok((body, auth)) = sign(&keys, &event) else {
            continue;
        };
        let mut wait = FIRST_RETRY;
        for attempt in 1..=ATTEMPTS {
            let sent = http
                .post(&url)
                .header(reqwest::header::CONTENT_TYPE, CONTENT_TYPE)
                .header(reqwest::header::AUTHORIZATION, &auth)
                .body(body.clone())
                .send()
                .await;
            match sent {
                Ok(res) if res.status().is_success() => break,
                // The receiver has it already, or refuses it for good.
                Ok(res) if res.status().is_client_error() && res.status().as_u16() != 429 => {
                    tracing::debug!(event = event.event, status = %res.status(), "webhook refused");
                    break;
                }
                outcome => {
                    let why = match outcome {
                        Ok(res) => format!("HTTP {}", res.status().as_u16()),
                        Err(e) if e.is_timeout() => "timed out".into(),
                        Err(_) => "cannot connect".into(),
                    };
                    if attempt == ATTEMPTS {
                        tracing::warn!(event = event.event, "webhook not delivered: {why}");
                    } else {
                        tokio::time::sleep(wait).await;
                        wait *= 2;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::livekit::{Heard, WebhookInbox};

    #[test]
    fn what_the_sender_signs_the_receiver_accepts_and_a_changed_body_it_refuses() {
        let keys = MediaKeys::new("APIk".into(), "s".repeat(32));
        let event = proto::WebhookEvent {
            event: "participant_joined".into(),
            room: Some(proto::Room {
                name: "call-1".into(),
                ..Default::default()
            }),
            participant: Some(proto::ParticipantInfo {
                identity: "7".into(),
                ..Default::default()
            }),
            id: "EV_1".into(),
            created_at: unix_now(),
            ..Default::default()
        };
        let (body, auth) = sign(&keys, &event).unwrap();
        let inbox = WebhookInbox::new(&keys);
        let altered = body.replace("call-1", "call-2");
        assert!(inbox.accept(&altered, Some(&auth), unix_now()).is_err());
        assert_eq!(
            inbox.accept(&body, Some(&auth), unix_now()).unwrap(),
            Heard::Joined {
                room: "call-1".into(),
                identity: "7".into()
            }
        );
    }
}
