//! The embedded SFU's LiveKit server API over raw HTTP, attacked and
//! checked: Twirp's errors and statuses, LiveKit's grants, both body
//! codecs, the limit on badly signed calls, and webhooks that arrive in
//! order, once each, after the receiver failed a few times.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use belfry::contract::call_types::RoomAccess;
use belfry::contract::ids::UserId;
use belfry::contract::types::UserView;
use livekit_api::access_token::{AccessToken, VideoGrants};
use livekit_protocol as lk;
use lk::signal_request::Message as Req;
use serde_json::Value;

use super::{keys, within, MediaRole, Relay, KEY, SECRET};
use crate::signal_client::connect;

fn token(grants: VideoGrants) -> String {
    AccessToken::with_api_key(KEY, SECRET)
        .with_grants(grants)
        .to_jwt()
        .unwrap()
}

async fn twirp(
    m: &MediaRole,
    method: &str,
    auth: Option<&str>,
    kind: &str,
    body: &str,
) -> (u16, Value) {
    let mut ask = reqwest::Client::new()
        .post(format!(
            "http://{}/twirp/livekit.RoomService/{method}",
            m.addr
        ))
        .header("content-type", kind)
        .body(body.to_string());
    if let Some(auth) = auth {
        ask = ask.bearer_auth(auth);
    }
    let res = ask.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn twirp_errors_and_grants_are_livekits() {
    let m = MediaRole::start().await;
    let json_kind = "application/json";
    let (status, e) = twirp(&m, "ListRooms", None, json_kind, "{}").await;
    assert_eq!((status, e["code"].as_str()), (401, Some("unauthenticated")));

    let lister = token(VideoGrants {
        room_list: true,
        ..Default::default()
    });
    let (status, rooms) = twirp(&m, "ListRooms", Some(&lister), json_kind, "{}").await;
    assert_eq!(status, 200, "{rooms}");
    let (status, e) = twirp(
        &m,
        "CreateRoom",
        Some(&lister),
        json_kind,
        r#"{"name":"r1"}"#,
    )
    .await;
    assert_eq!(
        (status, e["code"].as_str()),
        (403, Some("permission_denied"))
    );

    let creator = token(VideoGrants {
        room_create: true,
        ..Default::default()
    });
    let (status, room) = twirp(
        &m,
        "CreateRoom",
        Some(&creator),
        "application/json; charset=utf-8",
        r#"{"name":"r1","maxParticipants":3,"emptyTimeout":30}"#,
    )
    .await;
    assert_eq!(status, 200, "{room}");
    assert_eq!(room["name"], "r1");
    assert_eq!(room["maxParticipants"], 3);

    // roomAdmin names its room: another room's admin is refused.
    let other_admin = token(VideoGrants {
        room_admin: true,
        room: "r2".into(),
        ..Default::default()
    });
    let ask = r#"{"room":"r1"}"#;
    let (status, e) = twirp(&m, "ListParticipants", Some(&other_admin), json_kind, ask).await;
    assert_eq!(
        (status, e["code"].as_str()),
        (403, Some("permission_denied"))
    );
    let admin = token(VideoGrants {
        room_admin: true,
        room: "r1".into(),
        ..Default::default()
    });
    let (status, people) = twirp(&m, "ListParticipants", Some(&admin), json_kind, ask).await;
    assert_eq!(status, 200, "{people}");
    let body = r#"{"room":"r1","identity":"nobody"}"#;
    let (status, e) = twirp(&m, "RemoveParticipant", Some(&admin), json_kind, body).await;
    assert_eq!((status, e["code"].as_str()), (404, Some("not_found")));

    // Malformed bodies, other media types and unknown methods.
    let (status, e) = twirp(&m, "ListRooms", Some(&lister), json_kind, "{nope").await;
    assert_eq!((status, e["code"].as_str()), (400, Some("malformed")));
    let (status, e) = twirp(&m, "ListRooms", Some(&lister), "text/plain", "{}").await;
    assert_eq!((status, e["code"].as_str()), (404, Some("bad_route")));
    let (status, e) = twirp(&m, "SendData", Some(&admin), json_kind, "{}").await;
    assert_eq!((status, e["code"].as_str()), (404, Some("bad_route")));
    let (status, e) = twirp(
        &m,
        "ListRooms",
        Some(&lister),
        "application/protobuf",
        "\u{7f}\u{7f}",
    )
    .await;
    assert_eq!((status, e["code"].as_str()), (400, Some("malformed")));
}

#[tokio::test]
async fn badly_signed_calls_from_one_address_are_limited_with_a_429() {
    let m = MediaRole::start().await;
    let forged = AccessToken::with_api_key(KEY, "not-the-secret-not-the-secret-000")
        .with_grants(VideoGrants {
            room_list: true,
            ..Default::default()
        })
        .to_jwt()
        .unwrap();
    let mut statuses = Vec::new();
    for _ in 0..25 {
        statuses.push(
            twirp(&m, "ListRooms", Some(&forged), "application/json", "{}")
                .await
                .0,
        );
    }
    assert_eq!(statuses[0], 401);
    assert_eq!(*statuses.last().unwrap(), 429, "{statuses:?}");
    // While locked out, even a good token from that address waits.
    let good = token(VideoGrants {
        room_list: true,
        ..Default::default()
    });
    let (status, e) = twirp(&m, "ListRooms", Some(&good), "application/json", "{}").await;
    assert_eq!(
        (status, e["code"].as_str()),
        (429, Some("resource_exhausted"))
    );
}

/// Records the events it takes; refuses the first `fail` deliveries.
#[derive(Clone, Default)]
struct Flaky {
    fail: Arc<Mutex<u32>>,
    got: Arc<Mutex<Vec<(String, String, String)>>>,
}

async fn flaky(State(f): State<Flaky>, body: String) -> StatusCode {
    {
        let mut fail = f.fail.lock().unwrap();
        if *fail > 0 {
            *fail -= 1;
            return StatusCode::SERVICE_UNAVAILABLE;
        }
    }
    let e: Value = serde_json::from_str(&body).unwrap();
    let name = e["event"].as_str().unwrap_or_default().to_string();
    let room = e["room"]["name"].as_str().unwrap_or_default().to_string();
    let id = e["id"].as_str().unwrap_or_default().to_string();
    f.got.lock().unwrap().push((name, room, id));
    StatusCode::OK
}

#[tokio::test]
async fn webhooks_arrive_in_order_once_each_after_the_receiver_failed() {
    let f = Flaky {
        fail: Arc::new(Mutex::new(2)),
        ..Default::default()
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let at = listener.local_addr().unwrap();
    let app = axum::Router::new()
        .route("/hook", post(flaky))
        .with_state(f.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let m = MediaRole::start_to(&format!("http://{at}/hook"), Relay::default()).await;

    let person = UserView {
        id: UserId(77),
        username: "x".into(),
        display_name: "X".into(),
        avatar_color: "#000".into(),
    };
    let access = RoomAccess {
        room_url: m.url(),
        token: keys()
            .mint("choir-room", &person, belfry::media::token::TOKEN_TTL)
            .unwrap(),
        room_name: "choir-room".into(),
        expires_at: 0,
    };
    let mut x = connect(&access).await;
    x.send(Req::Leave(lk::LeaveRequest::default())).await;
    m.service().delete_room("choir-room").await.unwrap();
    let names = || {
        (f.got.lock().unwrap().iter())
            .map(|(n, _, _)| n.clone())
            .collect::<Vec<_>>()
    };
    within(
        Duration::from_secs(10),
        "every webhook delivered",
        || async { names().len() >= 4 },
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        names(),
        [
            "room_started",
            "participant_joined",
            "participant_left",
            "room_finished"
        ]
    );
    let got = f.got.lock().unwrap().clone();
    assert!(got.iter().all(|(_, room, _)| room == "choir-room"));
    let ids: std::collections::HashSet<_> = got.iter().map(|(_, _, id)| id.clone()).collect();
    assert_eq!(ids.len(), 4, "each once: {got:?}");
}
