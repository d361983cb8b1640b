//! What a stranger can repeat is limited, each refusal a 429 with
//! `Retry-After` and a sentence: wrong passwords (per username and per
//! address, growing), sign-ups, rings (per caller and per callee),
//! messages, new push devices, and sockets (live events per person, media
//! signalling per identity, unproven ICE-TCP connections).

use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use belfry::contract::call_types::{CallView, RoomAccess};
use belfry::contract::types::ChannelSummary;
use belfry::media::ice_tcp;
use belfry::server::limits::LimitsConfig;
use serde_json::{json, Value};
use tokio::io::AsyncReadExt;

use crate::common::{Parish, Person, TestApp, PASSWORD};

/// The app with the shipped limits, adjusted by `f`.
async fn limited(f: impl FnOnce(&mut LimitsConfig)) -> TestApp {
    TestApp::with_config(|c| {
        let mut limits = LimitsConfig::default();
        f(&mut limits);
        c.limits = limits;
    })
    .await
}

/// The `Retry-After` of a 429, in seconds.
fn retry_after(res: &reqwest::Response) -> u32 {
    res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

/// A raw sign-in: the status, `Retry-After` (seconds) and the message.
async fn sign_in(who: &Person, username: &str, password: &str) -> (u16, Option<u32>, String) {
    let res = who
        .http
        .post(format!("{}/api/sign_in", who.base))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .expect("sent");
    let status = res.status().as_u16();
    let retry = res
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    let body: Value = res.json().await.unwrap_or(Value::Null);
    (
        status,
        retry,
        body["message"].as_str().unwrap_or("").to_string(),
    )
}

#[tokio::test]
async fn wrong_passwords_lock_a_username_for_longer_each_time_and_no_hash_is_spent() {
    let app = limited(|l| l.sign_in_per_user = 3).await;
    let _alice = app.person("alice").await;
    let guesser = app.visitor();
    for _ in 0..3 {
        let (status, _, _) = sign_in(&guesser, "alice", "wrong password").await;
        assert_eq!(status, 401);
    }
    // Locked: even the right password is refused, and told when to retry.
    let (status, retry, message) = sign_in(&guesser, "alice", PASSWORD).await;
    assert_eq!(status, 429);
    assert_eq!(
        retry,
        Some(1),
        "1 s after the first failure past the free ones"
    );
    assert!(
        message.starts_with("Too many wrong passwords. Try again"),
        "{message}"
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (status, _, _) = sign_in(&guesser, "alice", "wrong again").await;
    assert_eq!(status, 401);
    let (status, retry, _) = sign_in(&guesser, "alice", PASSWORD).await;
    assert_eq!((status, retry), (429, Some(2)), "twice as long");
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let (status, _, _) = sign_in(&guesser, "alice", PASSWORD).await;
    assert_eq!(
        status, 200,
        "the right password after the wait, which clears it"
    );
    let (status, _, _) = sign_in(&guesser, "alice", "wrong once").await;
    assert_eq!(status, 401, "a fresh start after a success");
}

#[tokio::test]
async fn one_address_guessing_at_many_usernames_is_locked_too() {
    let app = limited(|l| {
        l.sign_in_per_user = 100;
        l.sign_in_per_address = 4;
    })
    .await;
    let _bob = app.person("bob").await;
    let guesser = app.visitor();
    for name in ["anna", "ben", "cara", "dan"] {
        let (status, _, _) = sign_in(&guesser, name, "password1").await;
        assert_eq!(status, 401);
    }
    let (status, retry, _) = sign_in(&guesser, "bob", PASSWORD).await;
    assert_eq!((status, retry), (429, Some(1)));
}

#[tokio::test]
async fn sign_ups_from_one_address_are_limited() {
    let app = limited(|l| l.sign_ups_per_hour = 2).await;
    app.person("one").await;
    app.person("two").await;
    let res = app
        .visitor()
        .http
        .post(app.url("/api/sign_up"))
        .json(&json!({"username": "three", "display_name": "Three", "password": PASSWORD}))
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), 429);
    let retry = retry_after(&res);
    assert!(
        (1..=1800).contains(&retry),
        "one back within the hour: {retry}"
    );
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["kind"], "too_many_requests");
    assert!(body["message"]
        .as_str()
        .unwrap()
        .contains("Too many new accounts"));
}

#[tokio::test]
async fn ringing_again_and_again_is_limited_per_caller_and_per_callee() {
    let app = limited(|l| l.rings_per_minute = 3).await;
    let p = Parish::in_app(app).await;
    for _ in 0..3 {
        let call: CallView = p
            .alice
            .ok("initiate_call", json!({"channel_id": p.direct}))
            .await;
        let _: CallView = p.alice.ok("cancel_call", json!({"call_id": call.id})).await;
    }
    let (status, e) = p
        .alice
        .fails("initiate_call", json!({"channel_id": p.direct}))
        .await;
    assert_eq!(status, 429);
    assert!(e.message.starts_with("You are calling too often"), "{e:?}");
    let res = p
        .alice
        .post_raw("initiate_call", json!({"channel_id": p.direct}).to_string())
        .await;
    let retry = retry_after(&res);
    assert!(
        (1..=20).contains(&retry),
        "one ring back within 20 s: {retry}"
    );
    let page: belfry::contract::types::MessagePage = p
        .bob
        .ok("list_messages", json!({"channel_id": p.direct}))
        .await;
    assert_eq!(page.messages.len(), 3, "three missed-call cards, not more");

    // Bob has been rung three times this minute: carol cannot ring him now.
    let direct: ChannelSummary = p
        .carol
        .ok("open_direct_channel", json!({"user_id": p.bob.id()}))
        .await;
    let (status, e) = p
        .carol
        .fails("initiate_call", json!({"channel_id": direct.id}))
        .await;
    assert_eq!(status, 429);
    assert!(
        e.message.starts_with("They are being called too often"),
        "{e:?}"
    );
}

#[tokio::test]
async fn messages_and_new_push_devices_are_limited_per_person() {
    let app = limited(|l| {
        l.messages_per_minute = 3;
        l.push_subscribes_per_hour = 2;
    })
    .await;
    let p = Parish::in_app(app).await;
    for n in 0..3 {
        let _: Value = p
            .alice
            .ok(
                "send_message",
                json!({"channel_id": p.direct, "body": format!("hello {n}")}),
            )
            .await;
    }
    let (status, e) = p
        .alice
        .fails(
            "send_message",
            json!({"channel_id": p.direct, "body": "one more"}),
        )
        .await;
    assert_eq!(status, 429);
    assert!(e.message.contains("sending messages too fast"));
    let _: Value = p
        .bob
        .ok(
            "send_message",
            json!({"channel_id": p.direct, "body": "bob may"}),
        )
        .await;

    let subscribe = |n: u8| {
        json!({
            "endpoint": format!("https://fcm.googleapis.com/fcm/send/device-{n}"),
            "p256dh": B64.encode([4u8; 65]),
            "auth": B64.encode([n; 16]),
            "device": format!("device-{n:04}"),
        })
    };
    for n in 1..=2 {
        let _: Value = p.alice.ok("push_subscribe", subscribe(n)).await;
    }
    let _: Value = p.alice.ok("push_subscribe", subscribe(1)).await;
    let (status, e) = p.alice.fails("push_subscribe", subscribe(3)).await;
    assert_eq!(
        status, 429,
        "a known device says so again for free; a third new one waits"
    );
    assert!(e.message.contains("Too many devices"));
}

#[tokio::test]
async fn live_event_sockets_are_limited_per_person_and_freed_on_close() {
    let app = limited(|l| l.event_sockets_per_user = 3).await;
    let alice = app.person("alice").await;
    let mut open = Vec::new();
    for _ in 0..3 {
        open.push(alice.listen().await);
    }
    match alice.live("").await {
        Err(tokio_tungstenite::tungstenite::Error::Http(res)) => {
            assert_eq!(res.status(), 429);
            assert!(res.headers().contains_key("retry-after"));
        }
        other => panic!("a fourth socket must be refused: {:?}", other.map(|_| ())),
    }
    let bob = app.person("bob").await;
    bob.listen().await;
    drop(open.pop());
    // The closed socket's place comes back once the server sees it go.
    let mut again = None;
    for _ in 0..50 {
        if let Ok(s) = alice.live("").await {
            again = Some(s);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(again.is_some(), "a closed tab's place is given back");
}

#[tokio::test]
async fn media_sockets_are_limited_per_identity() {
    let app = limited(|l| l.rtc_sessions_per_identity = 2).await;
    let p = Parish::in_app(app).await;
    let (_, a, _) = crate::signal_client::answered(&p).await;
    let url = |a: &RoomAccess| format!("{}/rtc?access_token={}&protocol=16", a.room_url, a.token);
    let (_first, _) = tokio_tungstenite::connect_async(url(&a))
        .await
        .expect("one");
    let (_second, _) = tokio_tungstenite::connect_async(url(&a))
        .await
        .expect("two");
    match tokio_tungstenite::connect_async(url(&a)).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(res)) => assert_eq!(res.status(), 429),
        other => panic!("a third must be refused: {:?}", other.map(|_| ())),
    }
}

#[tokio::test]
async fn unproven_ice_tcp_connections_are_few_and_short_lived() {
    let app = TestApp::new().await;
    let tcp = app
        .state
        .host
        .as_ref()
        .and_then(|h| h.server.tcp)
        .expect("ICE-TCP");
    // A connection that never sends a STUN check is closed by the deadline.
    let mut idle = tokio::net::TcpStream::connect(tcp).await.expect("connect");
    let mut buf = [0u8; 8];
    let read = tokio::time::timeout(
        ice_tcp::PROVE_WITHIN + Duration::from_secs(3),
        idle.read(&mut buf),
    )
    .await
    .expect("closed by the server before the test's own timeout");
    assert!(matches!(read, Ok(0) | Err(_)), "closed: {read:?}");

    // Past the cap of unproven ones, new connections are closed at once.
    let mut held = Vec::new();
    for _ in 0..ice_tcp::MAX_UNPROVEN {
        held.push(tokio::net::TcpStream::connect(tcp).await.expect("connect"));
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut extra = tokio::net::TcpStream::connect(tcp)
        .await
        .expect("accepted by the kernel");
    let read = tokio::time::timeout(Duration::from_secs(2), extra.read(&mut buf))
        .await
        .expect("closed at once, long before the deadline");
    assert!(matches!(read, Ok(0) | Err(_)), "closed: {read:?}");
}
