//! Several Belfry instances on one PostgreSQL database: live events cross
//! instances (NOTIFY/LISTEN), and a ring set by an instance that stopped
//! still times out, once. These run in the PostgreSQL pass of the suite
//! (`BELFRY_TEST_POSTGRES`, set by `make test`); on SQLite, where one
//! process is the design, they have nothing to test and say so.

use std::time::{Duration, Instant};

use belfry::calls::{CallStatus, ParticipantStatus};
use belfry::contract::call_types::CallView;
use belfry::server::db;
use serde_json::json;

use crate::common::{pg, Parish, Person, TestApp};

fn on_postgres() -> bool {
    let yes = pg::admin_url().is_some();
    if !yes {
        eprintln!("several instances need PostgreSQL: this runs in make test's PostgreSQL pass");
    }
    yes
}

/// The same person, signed in, talking to another instance.
fn on(person: &Person, app: &TestApp) -> Person {
    Person {
        http: person.http.clone(),
        jar: person.jar.clone(),
        base: app.url(""),
        user: person.user.clone(),
    }
}

#[tokio::test]
async fn a_ring_started_on_one_instance_reaches_a_tab_on_another() {
    if !on_postgres() {
        return;
    }
    let p = Parish::new().await;
    let b = p.app.restart(|_| {}).await;
    let bob_on_b = on(&p.bob, &b);
    let mut bobs_tab = bob_on_b.listen().await;
    let mut delays = Vec::new();
    for _ in 0..5 {
        let sent = Instant::now();
        let call: CallView = p
            .alice
            .ok("initiate_call", json!({"channel_id": p.direct}))
            .await;
        // (The previous call's last news may come first.)
        let rung = tokio::time::timeout(Duration::from_secs(3), async {
            loop {
                let (rung, _) = bobs_tab.next_call().await;
                if rung.id == call.id {
                    return rung;
                }
            }
        })
        .await
        .expect("the ring crosses to instance B");
        delays.push(sent.elapsed());
        assert_eq!(rung.status, CallStatus::Ringing);
        // Bob declines on B; alice's call on A hears of it.
        let _: CallView = bob_on_b
            .ok("decline_call", json!({"call_id": call.id}))
            .await;
        let after: CallView = p.alice.ok("get_call", json!({"call_id": call.id})).await;
        assert_eq!(after.status, CallStatus::Declined);
    }
    eprintln!("measured: initiate on A -> event on B's tab: {delays:?}");
}

#[tokio::test]
async fn a_tab_that_moves_to_another_instance_is_told_to_resync() {
    if !on_postgres() {
        return;
    }
    let p = Parish::new().await;
    let b = p.app.restart(|_| {}).await;
    let mut on_a = p.bob.listen().await;
    let call: CallView = p
        .alice
        .ok("initiate_call", json!({"channel_id": p.direct}))
        .await;
    let (seq, epoch) = loop {
        if let belfry::contract::events::LiveFrame::Event { seq, .. } = on_a.next().await {
            break (seq, p.app.state.live.epoch());
        }
    };
    // The same tab comes back on B with what it saw on A.
    let mut moved = on(&p.bob, &b)
        .live(&format!("?epoch={epoch}&after={seq}"))
        .await
        .expect("B takes the tab");
    match moved.next().await {
        belfry::contract::events::LiveFrame::Hello { resync, .. } => {
            assert!(resync, "another instance's numbering means a resync")
        }
        other => panic!("expected hello, got {other:?}"),
    }
    // And from then on it gets the call's news from A.
    let _: CallView = p.alice.ok("cancel_call", json!({"call_id": call.id})).await;
    let (news, _) = tokio::time::timeout(Duration::from_secs(3), moved.next_call())
        .await
        .expect("A's cancel reaches the tab on B");
    assert_eq!(news.id, call.id);
}

#[test]
fn a_ring_set_by_an_instance_that_stopped_still_times_out_once() {
    if !on_postgres() {
        return;
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    // Instance A runs on a runtime of its own, so it can be stopped whole:
    // its server, its timers and its database connections.
    let (a_runtime, p) = {
        let a = tokio::runtime::Runtime::new().unwrap();
        let p = a.block_on(async {
            Parish::in_app(TestApp::with_config(|c| c.ring_timeout = Duration::from_secs(2)).await)
                .await
        });
        (a, p)
    };
    let url = p.app.database_url.clone();
    let call: CallView = a_runtime.block_on(async {
        p.alice
            .ok("initiate_call", json!({"channel_id": p.direct}))
            .await
    });
    let (db_url, alice, bob) = (url, p.alice.id(), p.bob.id());
    drop(p);
    a_runtime.shutdown_timeout(Duration::from_millis(100));

    runtime.block_on(async move {
        let b = TestApp::start_on(db_url, |_| {}).await;
        let started = Instant::now();
        let db = &b.state.db;
        let missed = loop {
            let stored = db::calls::load(db, call.id).await.unwrap().unwrap();
            if stored.state.status == CallStatus::Missed {
                break stored;
            }
            assert!(
                started.elapsed() < Duration::from_secs(8),
                "B expires the ring A set"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        let bob_status = missed.state.participant(bob).unwrap().status;
        assert_eq!(bob_status, ParticipantStatus::Missed);
        assert_eq!(missed.state.initiator, alice);
        // Once: one "missed call" summary in the channel.
        let summaries: i64 = belfry::on_db!(db => sqlx::query_scalar(
            "SELECT COUNT(*) FROM messages WHERE call_id = $1"
        )
        .bind(call.id)
        .fetch_one(db)
        .await)
        .unwrap();
        assert_eq!(summaries, 1);
    });
}

#[tokio::test]
async fn a_device_showing_belfry_on_another_instance_is_not_pushed_and_the_stop_follows_the_ring() {
    if !on_postgres() {
        return;
    }
    let service = crate::push_world::PushService::start().await;
    let host = service.host();
    let p = Parish::in_app(
        TestApp::with_config({
            let host = host.clone();
            move |c| c.push.extra_hosts = vec![host]
        })
        .await,
    )
    .await;
    let b = p
        .app
        .restart(move |c| c.push.extra_hosts = vec![host])
        .await;
    let bob_on_b = on(&p.bob, &b);
    let (phone, laptop) = (
        crate::push_world::Browser::new(7),
        crate::push_world::Browser::new(8),
    );
    for (name, browser, device) in [
        ("phone", &phone, "bob-phone-07"),
        ("laptop", &laptop, "bob-laptop-8"),
    ] {
        let res = p
            .bob
            .http
            .post(p.app.url("/api/push/subscribe"))
            .json(&json!({
                "endpoint": service.endpoint(name),
                "keys": {"p256dh": browser.p256dh(), "auth": browser.auth_b64()},
                "device": device,
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
    }
    // Bob's laptop shows Belfry, through instance B.
    let mut tab = bob_on_b
        .live("?device=bob-laptop-8&hidden=false")
        .await
        .unwrap();
    tab.next().await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Alice rings him through A: A pushes the phone only, once.
    let call: CallView = p
        .alice
        .ok("initiate_call", json!({"channel_id": p.direct}))
        .await;
    let ring = phone.decrypt(&service.nth("phone", 1).await.body);
    assert_eq!(ring["callId"], call.id.0);
    // He answers on B: B's stop goes where A's ring went.
    let _: CallView = bob_on_b
        .ok("answer_call", json!({"call_id": call.id}))
        .await;
    let stop = phone.decrypt(&service.nth("phone", 2).await.body);
    assert_eq!(stop["kind"], "stop");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        service.count("phone"),
        2,
        "one ring and one stop, not one per instance"
    );
    assert_eq!(
        service.count("laptop"),
        0,
        "the laptop rang in the page on B"
    );
    tab.close().await;
}

#[tokio::test]
async fn a_burst_of_events_crosses_instances_whole_and_in_order_identical_ones_included() {
    if !on_postgres() {
        return;
    }
    use belfry::contract::events::{LiveEvent, LiveFrame};
    use belfry::contract::ids::MessageId;
    use belfry::contract::types::{MessageKind, MessageView};
    let p = Parish::new().await;
    let b = p.app.restart(|_| {}).await;
    let mut bobs_tab = on(&p.bob, &b).listen().await;
    let message = |id: i64, body: String| LiveEvent::MessagePosted {
        message: MessageView {
            id: MessageId(id),
            channel_id: p.direct,
            author: None,
            body,
            created_at: 0,
            client_nonce: None,
            kind: MessageKind::Text,
            call_id: None,
        },
    };
    // Published faster than one NOTIFY a trip: they go in batches. Ten
    // identical ones (which PostgreSQL would fold into one if they went
    // bare in one transaction), and one too large for a notification.
    let mut sent = Vec::new();
    for i in 0..40 {
        let body = match i {
            10..=19 => "same".to_string(),
            25 => "x".repeat(20_000),
            _ => format!("message {i}"),
        };
        let id = if (10..=19).contains(&i) { 10 } else { i };
        sent.push(message(id, body));
    }
    for event in &sent {
        p.app.state.live.publish([p.bob.id()], event.clone());
    }
    let mut got = Vec::new();
    while got.len() < sent.len() {
        match bobs_tab.next_within(Duration::from_secs(5)).await {
            Some(LiveFrame::Event { event, .. }) => got.push(event),
            Some(_) => {}
            None => break,
        }
    }
    assert_eq!(got.len(), sent.len(), "every event reached instance B");
    assert!(got == sent, "in the order they were published");
}
