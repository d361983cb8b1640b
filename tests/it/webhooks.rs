//! Call-event webhooks, received by a real HTTP server on loopback that
//! checks each signature the way the README tells a host app to: every
//! event of a call's life and a studio room's arrives signed, an altered
//! body or an old timestamp fails the check, a failing receiver is retried
//! until it answers, and the admin's list shows how the last delivery went.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common::{Parish, TestApp};

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use belfry::contract::call_types::CallView;
use belfry::media::driver::PresenceChange;
use belfry::media::sfu::Presence;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};

/// What the receiver got: the event header, the signature header, the raw body.
type Got = Arc<Mutex<Vec<(String, String, String)>>>;

/// A receiver on loopback; it answers 500 to its first `fail_first` posts.
async fn receiver(fail_first: usize) -> (String, Got) {
    let got: Got = Arc::default();
    let seen = got.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let seen = seen.clone();
            async move {
                let header = |name: &str| {
                    headers
                        .get(name)
                        .map(|v| v.to_str().unwrap().to_string())
                        .unwrap_or_default()
                };
                let mut all = seen.lock().unwrap();
                all.push((
                    header("belfry-event"),
                    header("belfry-signature"),
                    String::from_utf8(body.to_vec()).unwrap(),
                ));
                if all.len() <= fail_first {
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    StatusCode::OK
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (addr.to_string(), got)
}

/// The README's check, as a receiver writes it: HMAC-SHA256 of
/// `<t>.<body>` with the secret, compared in constant time, `t` recent.
fn verify(secret: &str, header: &str, body: &str, now_secs: i64) -> bool {
    let mut parts = header.split(',').filter_map(|p| p.split_once('='));
    let (Some(("t", t)), Some(("v1", v1))) = (parts.next(), parts.next()) else {
        return false;
    };
    let Ok(t_secs) = t.parse::<i64>() else {
        return false;
    };
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{body}").as_bytes());
    let Ok(sent) = (0..v1.len() / 2)
        .map(|i| u8::from_str_radix(&v1[2 * i..2 * i + 2], 16))
        .collect::<Result<Vec<u8>, _>>()
    else {
        return false;
    };
    mac.verify_slice(&sent).is_ok() && (now_secs - t_secs).abs() <= 300
}

fn now_secs() -> i64 {
    belfry::server::db::now_ms() / 1000
}

/// Waits until the receiver has `n` posts; them.
async fn wait_for(got: &Got, n: usize) -> Vec<(String, String, String)> {
    for _ in 0..200 {
        let all = got.lock().unwrap().clone();
        if all.len() >= n {
            return all;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "only {:?} arrived",
        got.lock()
            .unwrap()
            .iter()
            .map(|g| g.0.clone())
            .collect::<Vec<_>>()
    );
}

async fn parish_with_hook(fail_first: usize, ring: Duration) -> (Parish, Got, String, i64) {
    let (addr, got) = receiver(fail_first).await;
    let trusted = addr.clone();
    let app = TestApp::with_config(move |c| {
        c.webhooks.trusted_hosts = vec![trusted];
        c.webhooks.retry_base = Duration::from_millis(200);
        c.webhooks.tries = 3;
        c.ring_timeout = ring;
    })
    .await;
    let p = Parish::in_app(app).await;
    let spaces: Value = p.alice.ok("my_spaces", json!({})).await;
    let community = spaces["communities"][0]["id"].as_i64().unwrap();
    let made: Value = p
        .alice
        .ok(
            "create_webhook",
            json!({"community_id": community, "url": format!("http://{addr}/hook")}),
        )
        .await;
    let secret = made["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_"));
    (p, got, secret, community)
}

#[tokio::test]
async fn every_event_of_a_call_arrives_signed_and_an_altered_one_fails_the_check() {
    let (p, got, secret, community) = parish_with_hook(0, Duration::from_secs(2)).await;
    // Answered, then ended by the caller.
    let call: CallView = p
        .alice
        .ok("initiate_call", json!({"channel_id": p.direct}))
        .await;
    let _: CallView = p.bob.ok("answer_call", json!({"call_id": call.id})).await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    let _: CallView = p.alice.ok("end_call", json!({"call_id": call.id})).await;
    // Declined.
    let declined: CallView = p
        .alice
        .ok("initiate_call", json!({"channel_id": p.direct}))
        .await;
    let _: CallView = p
        .bob
        .ok("decline_call", json!({"call_id": declined.id}))
        .await;
    // Unanswered: missed after the 2 s ring.
    let missed: CallView = p
        .alice
        .ok("initiate_call", json!({"channel_id": p.direct}))
        .await;
    let all = wait_for(&got, 9).await;

    let events: Vec<(&str, i64)> = all
        .iter()
        .map(|(event, _, body)| {
            let v: Value = serde_json::from_str(body).unwrap();
            assert_eq!(
                v["type"],
                event.as_str(),
                "the header names the body's event"
            );
            (event.as_str(), v["data"]["call"]["id"].as_i64().unwrap())
        })
        .collect();
    let of = |id: i64| -> Vec<&str> { events.iter().filter(|e| e.1 == id).map(|e| e.0).collect() };
    assert_eq!(
        of(call.id.0),
        ["call.ringing", "call.answered", "call.ended"]
    );
    assert_eq!(
        of(declined.id.0),
        ["call.ringing", "call.declined", "call.ended"]
    );
    assert_eq!(
        of(missed.id.0),
        ["call.ringing", "call.missed", "call.ended"]
    );

    for (event, signature, body) in &all {
        assert!(
            verify(&secret, signature, body, now_secs()),
            "{event} verifies"
        );
        let altered = body.replacen("\"call\"", "\"cal1\"", 1);
        assert!(
            !verify(&secret, signature, &altered, now_secs()),
            "{event}: an altered body fails"
        );
        assert!(
            !verify("whsec_another", signature, body, now_secs()),
            "another secret fails"
        );
        assert!(
            !verify(&secret, signature, body, now_secs() + 3600),
            "an hour-old one is a replay"
        );
    }

    // call.ended carries the participants and the duration.
    let ended: Value = all
        .iter()
        .map(|(_, _, body)| serde_json::from_str::<Value>(body).unwrap())
        .find(|v| v["type"] == "call.ended" && v["data"]["call"]["id"] == json!(call.id))
        .unwrap();
    let c = &ended["data"]["call"];
    assert_eq!(c["status"], "ENDED");
    assert!(c["durationMs"].as_i64().unwrap() >= 0);
    assert!(c["endedAt"].as_i64().unwrap() >= c["startedAt"].as_i64().unwrap());
    let mut who: Vec<&str> = c["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["user"]["username"].as_str().unwrap())
        .collect();
    who.sort_unstable();
    assert_eq!(who, ["alice", "bob"]);
    let answered: Value = serde_json::from_str(&all[1].2).unwrap();
    assert_eq!(
        answered["data"]["users"],
        json!([{"id": p.bob.id(), "username": "bob", "displayName": p.bob.user.as_ref().unwrap().display_name}])
    );

    // The admin's screen: the last delivery, nothing pending.
    let list: Value = p
        .alice
        .ok("list_webhooks", json!({"community_id": community}))
        .await;
    let hook = &list["webhooks"][0];
    assert_eq!(hook["last_status"], 200);
    assert_eq!(hook["pending"], 0);
    assert_eq!(hook["last_event"], "call.ended");
    // Others cannot see or remove it, nor read its secret anywhere.
    let (status, _) = p
        .bob
        .fails("list_webhooks", json!({"community_id": community}))
        .await;
    assert_eq!(status, 403);
    let (status, _) = p
        .carol
        .fails("delete_webhook", json!({"webhook_id": hook["id"]}))
        .await;
    assert_eq!(status, 403);
    assert!(!list.to_string().contains(&secret));
}

#[tokio::test]
async fn a_failing_receiver_is_retried_until_it_answers_and_given_up_after_the_last_try() {
    // The first two posts fail: the first event lands on its third try
    // (after 0.2 s, then 1 s), well within the ring.
    let (p, got, secret, community) = parish_with_hook(2, Duration::from_secs(20)).await;
    let call: CallView = p
        .alice
        .ok("initiate_call", json!({"channel_id": p.direct}))
        .await;
    let all = wait_for(&got, 3).await;
    assert!(
        all[..3].iter().all(|(event, _, _)| event == "call.ringing"),
        "{all:?}"
    );
    assert!(all[..3]
        .iter()
        .all(|(_, s, b)| verify(&secret, s, b, now_secs())));
    assert_eq!(all[0].2, all[2].2, "the same event, resent");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let list: Value = p
        .alice
        .ok("list_webhooks", json!({"community_id": community}))
        .await;
    assert_eq!(list["webhooks"][0]["last_status"], 200, "{list}");
    let _ = call;

    // A receiver that never answers well: three tries, then given up,
    // and the screen says why.
    let spaces: Value = p.alice.ok("my_spaces", json!({})).await;
    assert_eq!(spaces["communities"][0]["id"], json!(community));
    let db = &p.app.state.db;
    belfry::on_db!(db => sqlx::query("UPDATE webhooks SET url = 'http://127.0.0.1:9/closed'")
        .execute(db)
        .await.map(|r| r.rows_affected()))
    .unwrap();
    let _: CallView = p.bob.ok("decline_call", json!({"call_id": call.id})).await;
    let mut hook = Value::Null;
    for _ in 0..100 {
        let list: Value = p
            .alice
            .ok("list_webhooks", json!({"community_id": community}))
            .await;
        hook = list["webhooks"][0].clone();
        if hook["failed"].as_i64().unwrap_or(0) >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        hook["failed"], 2,
        "call.declined and call.ended given up: {hook}"
    );
    assert_eq!(hook["pending"], 0);
    assert_eq!(hook["last_status"], Value::Null);
    assert_eq!(hook["last_error"], "could not connect");
}

#[tokio::test]
async fn studio_rooms_comings_and_goings_as_the_media_server_reports_them_reach_the_hook() {
    let (p, got, secret, _) = parish_with_hook(0, Duration::from_secs(20)).await;
    let opened: Value = p
        .carol
        .http
        .post(format!("{}/api/studio/{}/voice", p.carol.base, p.studio))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let room = opened["roomName"].as_str().unwrap().to_string();
    let report = |joined| PresenceChange {
        presence: Presence {
            room: room.clone(),
            identity: p.carol.id().to_string(),
            sid: "PA_test".into(),
            name: "Carol".into(),
        },
        joined,
    };
    p.app.state.presence.send(report(true)).unwrap();
    let all = wait_for(&got, 1).await;
    assert_eq!(all[0].0, "studio.voice.joined");
    let body: Value = serde_json::from_str(&all[0].2).unwrap();
    assert_eq!(body["data"]["studioId"], json!(p.studio));
    assert_eq!(body["data"]["roomName"], room);
    assert_eq!(body["data"]["user"]["username"], "carol");
    p.app.state.presence.send(report(false)).unwrap();
    // A departure counts once its 5 s to come back have passed.
    let all = wait_for(&got, 2).await;
    assert_eq!(all[1].0, "studio.voice.left");
    assert!(all
        .iter()
        .all(|(_, s, b)| verify(&secret, s, b, now_secs())));
}

#[tokio::test]
async fn only_admins_add_hooks_and_only_to_addresses_belfry_may_post_to() {
    let app = TestApp::new().await;
    let p = Parish::in_app(app).await;
    let spaces: Value = p.alice.ok("my_spaces", json!({})).await;
    let community = spaces["communities"][0]["id"].as_i64().unwrap();
    for (url, words) in [
        ("http://hooks.example.org/x", "HTTPS"),
        ("https://127.0.0.1:8443/x", "private"),
        ("https://169.254.169.254/latest", "private"),
        ("not a url", "full address"),
    ] {
        let (status, err) = p
            .alice
            .fails(
                "create_webhook",
                json!({"community_id": community, "url": url}),
            )
            .await;
        assert_eq!(status, 400, "{url}");
        assert!(err.message.contains(words), "{url}: {}", err.message);
    }
    // bob coordinates: not enough.
    let (status, _) = p
        .bob
        .fails(
            "create_webhook",
            json!({"community_id": community, "url": "https://hooks.example.org/x"}),
        )
        .await;
    assert_eq!(status, 403);
    let made: Value = p
        .alice
        .ok(
            "create_webhook",
            json!({"community_id": community, "url": "https://hooks.example.org/x"}),
        )
        .await;
    let (status, _) = p
        .alice
        .fails(
            "create_webhook",
            json!({"community_id": community, "url": "https://hooks.example.org/x"}),
        )
        .await;
    assert_eq!(status, 409, "the same address twice");
    let () = p
        .alice
        .ok(
            "delete_webhook",
            json!({"webhook_id": made["webhook"]["id"]}),
        )
        .await;
    let list: Value = p
        .alice
        .ok("list_webhooks", json!({"community_id": community}))
        .await;
    assert_eq!(list["webhooks"], json!([]));
}
