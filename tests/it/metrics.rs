//! `/metrics` after a call through the embedded SFU: the call counted by
//! status, the ring and how long it took to reach the callee's tab, the
//! database's statement times, the open tab, the SFU's room, people and traffic, a
//! rate-limit refusal; and with BELFRY_METRICS_TOKEN set, nothing without
//! the token.

use belfry::contract::call_types::CallView;
use serde_json::json;

use crate::common::{Parish, TestApp};
use crate::signal_client::two_in_a_room;

/// The value of one sample (`name` with its labels, as written).
fn sample(text: &str, name: &str) -> f64 {
    let line = text
        .lines()
        .find(|l| l.starts_with(name) && l[name.len()..].starts_with(' '))
        .unwrap_or_else(|| panic!("no {name} in\n{text}"));
    line[name.len() + 1..].trim().parse().unwrap()
}

async fn scrape(p: &Parish, token: Option<&str>) -> (u16, String) {
    let mut req = reqwest::Client::new().get(p.app.url("/metrics"));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

#[tokio::test]
async fn metrics_after_a_call_count_it_its_ring_the_tab_the_room_and_a_refusal() {
    let app = TestApp::with_sfu(|c| c.limits.sign_in_per_user = 1).await;
    let p = Parish::in_app(app).await;
    let (_, before) = scrape(&p, None).await;
    assert_eq!(sample(&before, "belfry_calls{status=\"ended\"}"), 0.0);
    assert_eq!(sample(&before, "belfry_sfu_participants"), 0.0);
    let _tab = p.alice.listen().await;
    let _bobs_tab = p.bob.listen().await;

    let mut room = two_in_a_room(&p).await;
    // A datagram into the SFU's socket is counted, whatever it is.
    let udp = p.app.state.host.as_ref().unwrap().server.udp;
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.send_to(b"not a packet", udp).unwrap();
    room.alice.pings_back().await;
    let mut during = String::new();
    for _ in 0..50 {
        let (status, text) = scrape(&p, None).await;
        assert_eq!(status, 200);
        during = text;
        if sample(&during, "belfry_sfu_datagrams_total{direction=\"in\"}") >= 1.0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(sample(&during, "belfry_calls{status=\"active\"}"), 1.0);
    assert_eq!(sample(&during, "belfry_sfu_rooms"), 1.0);
    assert_eq!(sample(&during, "belfry_sfu_participants"), 2.0);
    assert!(sample(&during, "belfry_sfu_datagrams_total{direction=\"in\"}") >= 1.0);
    assert!(sample(&during, "belfry_sfu_bytes_total{direction=\"in\"}") >= 12.0);
    assert!(sample(&during, "belfry_live_sockets") >= 1.0);
    assert_eq!(sample(&during, "belfry_rtc_sessions"), 2.0);

    let _: CallView = p
        .alice
        .ok("end_call", json!({"call_id": room.call.id}))
        .await;
    // A wrong password twice for one name: the second is refused.
    let visitor = p.app.visitor();
    for _ in 0..2 {
        let _ = (visitor.http)
            .post(p.app.url("/api/sign_in"))
            .json(&json!({"username": "carol", "password": "wrong-password"}))
            .send()
            .await
            .unwrap();
    }
    let (_, after) = scrape(&p, None).await;
    assert_eq!(sample(&after, "belfry_calls{status=\"ended\"}"), 1.0);
    assert_eq!(sample(&after, "belfry_calls{status=\"active\"}"), 0.0);
    assert_eq!(
        sample(&after, "belfry_rings_total"),
        1.0,
        "bob was rung once"
    );
    assert_eq!(sample(&after, "belfry_rate_limited_total"), 1.0);
    assert_eq!(sample(&after, "belfry_database_up"), 1.0);
    assert!(after.contains("# TYPE belfry_rings_total counter"));
    // The histograms are the process's (other tests add to them too): at
    // least bob's ring reached his tab, and this test's statements counted.
    let count = |text: &str, name: &str| sample(text, &format!("belfry_{name}_count"));
    assert!(
        count(&after, "ring_delivery_seconds") >= count(&before, "ring_delivery_seconds") + 1.0,
        "bob's ring, delivered to his tab, is timed"
    );
    assert!(
        sample(&after, "belfry_ring_delivery_seconds_bucket{le=\"+Inf\"}")
            == count(&after, "ring_delivery_seconds")
    );
    assert!(count(&after, "database_query_seconds") > count(&before, "database_query_seconds"));
    assert!(after.contains("# TYPE belfry_database_query_seconds histogram"));
}

#[tokio::test]
async fn with_a_metrics_token_only_its_bearer_is_answered() {
    let app = TestApp::with_config(|c| c.metrics_token = Some("scrape-secret-1".into())).await;
    let p = Parish::in_app(app).await;
    for wrong in [None, Some("scrape-secret-2"), Some("")] {
        let (status, body) = scrape(&p, wrong).await;
        assert_eq!(status, 401, "{wrong:?}");
        assert!(body.contains("BELFRY_METRICS_TOKEN") && !body.contains("belfry_calls"));
    }
    let (status, body) = scrape(&p, Some("scrape-secret-1")).await;
    assert_eq!(status, 200);
    assert_eq!(sample(&body, "belfry_calls{status=\"ringing\"}"), 0.0);
}
