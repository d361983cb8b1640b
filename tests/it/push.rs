//! Web Push against a stand-in push service on loopback (a real one cannot
//! be reached from here): rings reach closed devices encrypted per RFC 8291
//! and signed per RFC 8292; stops and missed calls follow; devices showing
//! Belfry are skipped; dead subscriptions are forgotten; bad input is
//! refused with a reason.

use crate::common;
use crate::push_world;

use std::time::Duration;

use belfry::contract::call_types::CallView;
use belfry::server::db::push_subscriptions as subs;
use common::{Parish, Person};
use push_world::{check_vapid, Browser, PushService};
use serde_json::{json, Value};

async fn parish_with_push(ring: Duration) -> (Parish, PushService) {
    let service = PushService::start().await;
    let mut p = Parish::new().await;
    let host = service.host();
    p.app = p
        .app
        .restart(move |c| {
            c.ring_timeout = ring;
            c.push.extra_hosts = vec![host];
        })
        .await;
    for who in [&mut p.alice, &mut p.bob, &mut p.carol, &mut p.dave] {
        who.base = p.app.url("");
    }
    (p, service)
}

async fn post(who: &Person, path: &str, body: Value) -> (u16, Value) {
    let res = who
        .http
        .post(format!("{}{path}", who.base))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn subscribe(
    who: &Person,
    service: &PushService,
    name: &str,
    browser: &Browser,
    device: &str,
) {
    let (status, body) = post(
        who,
        "/api/push/subscribe",
        json!({
            "endpoint": service.endpoint(name),
            "keys": {"p256dh": browser.p256dh(), "auth": browser.auth_b64()},
            "device": device,
        }),
    )
    .await;
    assert_eq!((status, body), (200, json!({"subscribed": true})));
}

async fn public_key(who: &Person) -> String {
    let res = who
        .http
        .get(format!("{}/api/push/key", who.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let v: Value = res.json().await.unwrap();
    v["publicKey"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_ring_reaches_a_closed_device_encrypted_and_signed_and_a_decline_closes_it() {
    let (p, service) = parish_with_push(Duration::from_secs(30)).await;
    let phone = Browser::new(1);
    subscribe(&p.bob, &service, "bob-phone", &phone, "bob-phone-01").await;
    subscribe(
        &p.alice,
        &service,
        "alice-phone",
        &Browser::new(9),
        "alice-phone-1",
    )
    .await;
    let key = public_key(&p.bob).await;

    let call: CallView = p
        .alice
        .ok("initiate_call", json!({"channel_id": p.direct}))
        .await;
    let ring = service.nth("bob-phone", 1).await;
    assert_eq!(ring.headers["content-encoding"], "aes128gcm");
    assert_eq!(ring.headers["urgency"], "high");
    assert_eq!(ring.headers["topic"], format!("call{}", call.id));
    let ttl: u64 = ring.headers["ttl"].to_str().unwrap().parse().unwrap();
    assert!(
        (1..=30).contains(&ttl),
        "a ring lives no longer than it rings: {ttl}"
    );
    check_vapid(&ring.headers, &key, &format!("http://{}", service.host()));
    let message = phone.decrypt(&ring.body);
    assert_eq!(message["kind"], "ring");
    assert_eq!(message["callId"], call.id.0);
    assert_eq!(message["title"], "Incoming call from Alice Test");
    assert_eq!(message["body"], "Voice call");
    assert_eq!(message["tag"], format!("call-{}", call.id));
    assert_eq!(message["url"], format!("/?callId={}", call.id));
    assert!(message["ringUntil"].as_i64().unwrap() > call.created_at);

    let _: CallView = p.bob.ok("decline_call", json!({"call_id": call.id})).await;
    let stop = service.nth("bob-phone", 2).await;
    let message = phone.decrypt(&stop.body);
    assert_eq!(message["kind"], "stop");
    assert_eq!(message["tag"], format!("call-{}", call.id));
    assert_eq!(service.received().len(), 2, "nothing else was sent");
    assert_eq!(
        service.count("alice-phone"),
        0,
        "the caller's own phone stays quiet"
    );
}

/// The push worker reads the devices and rings of every job waiting in
/// one go: a ring and its stop queued together (no await between them, so
/// one batch) must still stop the device the ring reached, and a stop for
/// someone never rung sends nothing.
#[tokio::test]
async fn a_ring_and_its_stop_read_in_one_batch_still_stop_the_device() {
    let (p, service) = parish_with_push(Duration::from_secs(30)).await;
    let phone = Browser::new(5);
    subscribe(&p.bob, &service, "bob-phone", &phone, "bob-phone-05").await;
    let call: CallView = p
        .alice
        .ok("initiate_call", json!({"channel_id": p.direct}))
        .await;
    assert_eq!(
        phone.decrypt(&service.nth("bob-phone", 1).await.body)["kind"],
        "ring"
    );
    let push = &p.app.state.push;
    let until = Some(call.created_at + 30_000);
    push.ring(&call, vec![(p.bob.id(), until)]);
    push.stop(&call, vec![p.bob.id(), p.carol.id()]);
    let again = phone.decrypt(&service.nth("bob-phone", 2).await.body);
    assert_eq!(again["kind"], "ring");
    let stop = phone.decrypt(&service.nth("bob-phone", 3).await.body);
    assert_eq!(stop["kind"], "stop");
    assert_eq!(stop["callId"], call.id.0);
    // The first ring's stop was taken with the second's: a later stop finds
    // nothing left to stop.
    push.stop(&call, vec![p.bob.id()]);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        service.count("bob-phone"),
        3,
        "one ring, one more, one stop"
    );
    assert_eq!(service.received().len(), 3, "nobody else was pushed");
}

#[tokio::test]
async fn a_group_call_names_its_channel_and_a_missed_ring_leaves_a_missed_call() {
    let (p, service) = parish_with_push(Duration::from_secs(1)).await;
    let carol = Browser::new(2);
    subscribe(&p.carol, &service, "carol", &carol, "carol-tablet").await;
    let call: CallView = p
        .alice
        .ok("initiate_call", json!({"channel_id": p.choir}))
        .await;
    let ring = carol.decrypt(&service.nth("carol", 1).await.body);
    assert_eq!(ring["body"], "Group call in Choir");
    assert_eq!(ring["badge"], 0);
    // Nobody answers: after the ring timeout, carol's phone says so.
    let missed = service.nth("carol", 2).await;
    assert_eq!(missed.headers["urgency"], "normal");
    let missed = carol.decrypt(&missed.body);
    assert_eq!(missed["kind"], "missed");
    assert_eq!(missed["title"], "Missed call from Alice Test");
    assert_eq!(missed["callId"], call.id.0);
    assert_eq!(
        missed["badge"], 1,
        "the server counts the unseen missed call"
    );
}

#[tokio::test]
async fn a_device_showing_belfry_is_not_pushed_until_its_page_is_hidden() {
    let (p, service) = parish_with_push(Duration::from_secs(30)).await;
    let (phone, laptop) = (Browser::new(3), Browser::new(4));
    subscribe(&p.bob, &service, "phone", &phone, "bob-phone-01").await;
    subscribe(&p.bob, &service, "laptop", &laptop, "bob-laptop-1").await;
    // Bob has Belfry open on screen on his laptop.
    let mut tab = p
        .bob
        .live("?device=bob-laptop-1&hidden=false")
        .await
        .unwrap();
    tab.next().await;
    let first: CallView = p
        .alice
        .ok("initiate_call", json!({"channel_id": p.direct}))
        .await;
    service.nth("phone", 1).await;
    let _: CallView = p
        .alice
        .ok("cancel_call", json!({"call_id": first.id}))
        .await;
    service.nth("phone", 2).await;
    assert_eq!(service.count("laptop"), 0, "the laptop rang in the page");

    // Junk from a tab is ignored, and the stream goes on.
    tab.send_text("not json").await;
    tab.send_text(r#"{"visible":"maybe"}"#).await;
    // He switches away from the tab: now the laptop is pushed too.
    tab.send_text(r#"{"visible":false}"#).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let second: CallView = p
        .alice
        .ok("initiate_call", json!({"channel_id": p.direct}))
        .await;
    let ring = laptop.decrypt(&service.nth("laptop", 1).await.body);
    assert_eq!(ring["callId"], second.id.0);
    // Answered on the phone: the laptop's notification is closed.
    let _: CallView = p.bob.ok("answer_call", json!({"call_id": second.id})).await;
    let stop = laptop.decrypt(&service.nth("laptop", 2).await.body);
    assert_eq!(stop["kind"], "stop");
    // The tab's stream still carries events sent after the junk.
    while tab.next_call().await.0.id != second.id {}
    tab.close().await;
}

#[tokio::test]
async fn subscriptions_the_push_service_says_are_gone_are_forgotten() {
    let (p, service) = parish_with_push(Duration::from_secs(30)).await;
    service.answer("gone", 410);
    service.answer("unknown", 404);
    service.answer("busy", 503);
    for (name, device) in [
        ("gone", "device-gone"),
        ("unknown", "device-404"),
        ("busy", "device-503"),
        ("fine", "device-201"),
    ] {
        subscribe(&p.bob, &service, name, &Browser::new(5), device).await;
    }
    let _: CallView = p
        .alice
        .ok("initiate_call", json!({"channel_id": p.direct}))
        .await;
    for name in ["gone", "unknown", "busy", "fine"] {
        service.nth(name, 1).await;
    }
    let mut left = Vec::new();
    for _ in 0..100 {
        left = subs::for_user(&p.app.state.db, p.bob.id()).await.unwrap();
        if left.len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut names: Vec<String> = left.iter().map(|s| s.device.clone()).collect();
    names.sort();
    assert_eq!(
        names,
        ["device-201", "device-503"],
        "404 and 410 forgotten; a 503 is kept"
    );
}

#[tokio::test]
async fn bad_subscriptions_are_refused_with_a_reason_and_nobody_can_remove_anothers() {
    let (p, service) = parish_with_push(Duration::from_secs(30)).await;
    let b = Browser::new(6);
    let good = json!({
        "endpoint": service.endpoint("bob"),
        "keys": {"p256dh": b.p256dh(), "auth": b.auth_b64()},
        "device": "bob-device-1",
    });
    let with = |path: &str, value: Value| {
        let mut v = good.clone();
        let mut at = &mut v;
        let parts: Vec<&str> = path.split('.').collect();
        for part in &parts[..parts.len() - 1] {
            at = &mut at[*part];
        }
        at[parts[parts.len() - 1]] = value;
        v
    };
    for (body, says) in [
        (
            with("endpoint", json!("http://10.0.0.1/internal")),
            "not a push service",
        ),
        (
            with("endpoint", json!("https://example.com/push")),
            "not a push service",
        ),
        (with("keys.p256dh", json!("AAAA")), "p256dh"),
        (with("keys.auth", json!(B64ish::bytes(15))), "auth"),
        (with("device", json!("x")), "device"),
        (json!({"endpoint": 5}), "Expected JSON"),
    ] {
        let (status, err) = post(&p.bob, "/api/push/subscribe", body).await;
        assert_eq!(status, 400, "{err}");
        assert!(
            err["message"].as_str().unwrap().contains(says),
            "{err} should say {says}"
        );
    }
    let visitor = p.app.visitor();
    let (status, _) = post(&visitor, "/api/push/subscribe", good.clone()).await;
    assert_eq!(status, 401);
    let res = visitor
        .http
        .get(p.app.url("/api/push/key"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);

    subscribe(&p.bob, &service, "bob", &b, "bob-device-1").await;
    let (status, removed) = post(
        &p.carol,
        "/api/push/unsubscribe",
        json!({"endpoint": service.endpoint("bob")}),
    )
    .await;
    assert_eq!((status, removed), (200, json!({"removed": false})));
    assert_eq!(
        subs::for_user(&p.app.state.db, p.bob.id())
            .await
            .unwrap()
            .len(),
        1
    );
    let (status, removed) = post(
        &p.bob,
        "/api/push/unsubscribe",
        json!({"endpoint": service.endpoint("bob")}),
    )
    .await;
    assert_eq!((status, removed), (200, json!({"removed": true})));
    assert!(subs::for_user(&p.app.state.db, p.bob.id())
        .await
        .unwrap()
        .is_empty());
}

/// Base64url of `n` bytes.
struct B64ish;
impl B64ish {
    fn bytes(n: usize) -> String {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(vec![7u8; n])
    }
}

#[tokio::test]
async fn a_deep_link_shows_the_call_only_to_those_who_may_see_its_channel() {
    let (p, _service) = parish_with_push(Duration::from_secs(30)).await;
    let call: CallView = p
        .alice
        .ok("initiate_call", json!({"channel_id": p.choir}))
        .await;
    let seen: CallView = p.bob.ok("get_call", json!({"call_id": call.id})).await;
    assert_eq!(
        (seen.id, seen.status),
        (call.id, belfry::calls::CallStatus::Ringing)
    );
    assert!(seen.rings(p.bob.id()));
    let (status, err) = p.dave.fails("get_call", json!({"call_id": call.id})).await;
    assert_eq!(status, 403, "dave is not in the choir: {}", err.message);
    let (status, _) = p.bob.fails("get_call", json!({"call_id": 999_999})).await;
    assert_eq!(status, 404);
    let (status, _) = p
        .app
        .visitor()
        .fails("get_call", json!({"call_id": call.id}))
        .await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn a_push_service_that_hangs_holds_up_only_its_own_subscription() {
    let (p, service) = parish_with_push(Duration::from_secs(60)).await;
    let (phone, laptop, carols) = (Browser::new(21), Browser::new(22), Browser::new(23));
    subscribe(&p.bob, &service, "bob-phone", &phone, "bob-phone-021").await;
    subscribe(&p.bob, &service, "bob-laptop", &laptop, "bob-laptop-22").await;
    subscribe(&p.carol, &service, "carol-phone", &carols, "carol-phone-3").await;
    service.hang("bob-phone");

    // Alice rings bob, then gives up: his phone's push service holds the
    // ring (and the stop waits behind it, in order); his laptop gets both.
    let call: CallView = p
        .alice
        .ok("initiate_call", json!({"channel_id": p.direct}))
        .await;
    let ring = service.nth("bob-laptop", 1).await;
    assert_eq!(laptop.decrypt(&ring.body)["kind"], "ring");
    service.nth("bob-phone (held)", 1).await;
    let _: CallView = p.alice.ok("cancel_call", json!({"call_id": call.id})).await;
    // (A ring given up on is a missed call for him.)
    let after = service.nth("bob-laptop", 2).await;
    assert_eq!(laptop.decrypt(&after.body)["kind"], "missed");

    // A new ring for carol goes out at once, while bob's phone still hangs
    // (a single queue would hold it until that push timed out, 10 s).
    let sent = std::time::Instant::now();
    let _: CallView = p
        .alice
        .ok("initiate_call", json!({"channel_id": p.choir}))
        .await;
    let ring = service.nth("carol-phone", 1).await;
    let took = sent.elapsed();
    assert_eq!(carols.decrypt(&ring.body)["kind"], "ring");
    assert!(took < Duration::from_secs(5), "carol rung after {took:?}");
    assert_eq!(
        service.count("bob-phone"),
        0,
        "the phone's service still hangs"
    );
    eprintln!("measured: carol's ring {took:?} after the call, bob's phone hanging");
}
