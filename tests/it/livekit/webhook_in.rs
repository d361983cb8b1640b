//! Belfry's LiveKit webhook receiver, attacked: unsigned, wrongly signed,
//! altered, replayed and stale events are refused, each with its status.

use std::time::{SystemTime, UNIX_EPOCH};

use belfry::media::server_api::webhooks::sign;
use belfry::media::token::MediaKeys;
use livekit_protocol as lk;

use super::{keys, livekit_mode, MediaRole};
use crate::common::TestApp;

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn left(id: &str, created_at: i64) -> lk::WebhookEvent {
    lk::WebhookEvent {
        event: "participant_left".into(),
        room: Some(lk::Room {
            name: "call-nobody".into(),
            ..Default::default()
        }),
        participant: Some(lk::ParticipantInfo {
            identity: "1".into(),
            ..Default::default()
        }),
        id: id.into(),
        created_at,
        ..Default::default()
    }
}

/// A in LiveKit mode (against M), and a way to post to its webhook.
async fn receiver() -> (MediaRole, TestApp) {
    let m = MediaRole::start().await;
    let url = m.url();
    let app = TestApp::with_sfu(|c| livekit_mode(c, &url)).await;
    (m, app)
}

async fn post(app: &TestApp, body: &str, auth: Option<&str>) -> (u16, String) {
    let mut ask = reqwest::Client::new()
        .post(app.url("/api/livekit/webhook"))
        .header("content-type", "application/webhook+json")
        .body(body.to_string());
    if let Some(auth) = auth {
        ask = ask.header("authorization", auth);
    }
    let res = ask.send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

#[tokio::test]
async fn a_signed_fresh_event_is_taken_and_an_unsigned_one_refused() {
    let (_m, app) = receiver().await;
    let (body, auth) = sign(&keys(), &left("EV_fresh", now())).unwrap();
    let (status, text) = post(&app, &body, None).await;
    assert_eq!(status, 401, "no Authorization: {text}");
    assert!(text.contains("Authorization"), "{text}");
    assert_eq!(post(&app, &body, Some("")).await.0, 401);
    assert_eq!(post(&app, &body, Some(&auth)).await.0, 200);
}

#[tokio::test]
async fn an_event_signed_with_another_secret_or_key_is_refused() {
    let (_m, app) = receiver().await;
    for wrong in [
        MediaKeys::new(super::KEY.into(), "another-secret-another-secret-xx".into()),
        MediaKeys::new("APIother".into(), super::SECRET.into()),
    ] {
        let (body, auth) = sign(&wrong, &left("EV_forged", now())).unwrap();
        let (status, text) = post(&app, &body, Some(&auth)).await;
        assert_eq!(status, 401, "{text}");
    }
}

#[tokio::test]
async fn an_event_whose_body_was_altered_is_refused() {
    let (_m, app) = receiver().await;
    let (body, auth) = sign(&keys(), &left("EV_altered", now())).unwrap();
    let altered = body.replace("participant_left", "participant_joined");
    assert_ne!(altered, body);
    let (status, text) = post(&app, &altered, Some(&auth)).await;
    assert_eq!(status, 401, "{text}");
    // The untouched one still goes through: the refusal was the change.
    assert_eq!(post(&app, &body, Some(&auth)).await.0, 200);
}

#[tokio::test]
async fn a_replayed_event_is_refused() {
    let (_m, app) = receiver().await;
    let (body, auth) = sign(&keys(), &left("EV_once", now())).unwrap();
    assert_eq!(post(&app, &body, Some(&auth)).await.0, 200);
    let (status, text) = post(&app, &body, Some(&auth)).await;
    assert_eq!(status, 409, "{text}");
    // Re-signed, the same id is still a replay.
    let (body, auth) = sign(&keys(), &left("EV_once", now())).unwrap();
    assert_eq!(post(&app, &body, Some(&auth)).await.0, 409);
}

#[tokio::test]
async fn a_stale_or_future_event_is_refused() {
    let (_m, app) = receiver().await;
    for (id, at) in [("EV_old", now() - 600), ("EV_future", now() + 3600)] {
        let (body, auth) = sign(&keys(), &left(id, at)).unwrap();
        let (status, text) = post(&app, &body, Some(&auth)).await;
        assert_eq!(status, 400, "{id}: {text}");
        assert!(text.contains("too old"), "{text}");
    }
}

#[tokio::test]
async fn a_signed_body_that_is_not_an_event_is_refused_and_an_embedded_server_has_no_receiver() {
    let (_m, app) = receiver().await;
    let body = "{\"event\": 7}";
    let hash = {
        use base64::Engine;
        use sha2::Digest;
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(body))
    };
    let auth = keys().sign_webhook(&hash).unwrap();
    assert_eq!(post(&app, body, Some(&auth)).await.0, 400);

    let embedded = TestApp::new().await;
    let (body, auth) = sign(&keys(), &left("EV_x", now())).unwrap();
    let (status, text) = post(&embedded, &body, Some(&auth)).await;
    assert_eq!(status, 404, "{text}");
}

#[tokio::test]
async fn badly_signed_webhooks_from_one_address_are_limited_with_a_429() {
    let (_m, app) = receiver().await;
    let wrong = MediaKeys::new(super::KEY.into(), "another-secret-another-secret-xx".into());
    let mut statuses = Vec::new();
    for i in 0..25 {
        let (body, auth) = sign(&wrong, &left(&format!("EV_bad{i}"), now())).unwrap();
        statuses.push(post(&app, &body, Some(&auth)).await.0);
    }
    assert_eq!(statuses[0], 401);
    assert_eq!(*statuses.last().unwrap(), 429, "{statuses:?}");
}
