//! The live event stream: delivery to members' open tabs, nothing to
//! outsiders, resuming after a drop, and its access checks.

use crate::common;

use std::time::Duration;

use belfry::contract::events::{LiveEvent, LiveFrame};
use belfry::contract::types::MessageView;
use common::Parish;
use serde_json::json;

fn posted(frame: LiveFrame) -> (u64, MessageView) {
    match frame {
        LiveFrame::Event {
            seq,
            event: LiveEvent::MessagePosted { message },
        } => (seq, message),
        other => panic!("expected a posted message, got {other:?}"),
    }
}

#[tokio::test]
async fn a_message_reaches_every_open_tab_of_every_member_and_no_one_else() {
    let p = Parish::new().await;
    let mut bob_tab1 = p.bob.live("").await.unwrap();
    let mut bob_tab2 = p.bob.live("").await.unwrap();
    let mut carol = p.carol.live("").await.unwrap();
    for tab in [&mut bob_tab1, &mut bob_tab2, &mut carol] {
        assert!(matches!(
            tab.next().await,
            LiveFrame::Hello { resync: true, .. }
        ));
    }
    let sent: MessageView = p
        .alice
        .ok(
            "send_message",
            json!({"channel_id": p.direct, "body": "Hi Bob"}),
        )
        .await;
    let (_, got1) = posted(bob_tab1.next().await);
    let (_, got2) = posted(bob_tab2.next().await);
    assert_eq!(got1, sent);
    assert_eq!(got2, sent);
    assert_eq!(
        carol.next_within(Duration::from_millis(300)).await,
        None,
        "carol is not in alice-bob"
    );
    // A choir message reaches carol.
    let _: MessageView = p
        .alice
        .ok(
            "send_message",
            json!({"channel_id": p.choir, "body": "Choir!"}),
        )
        .await;
    assert_eq!(posted(carol.next().await).1.body, "Choir!");
}

#[tokio::test]
async fn a_tab_that_drops_gets_what_it_missed_when_it_resumes() {
    let p = Parish::new().await;
    let mut tab = p.bob.live("").await.unwrap();
    let LiveFrame::Hello { epoch, .. } = tab.next().await else {
        panic!("hello first")
    };
    let _: MessageView = p
        .alice
        .ok(
            "send_message",
            json!({"channel_id": p.direct, "body": "one"}),
        )
        .await;
    let (seen, _) = posted(tab.next().await);
    tab.close().await;
    for body in ["two", "three"] {
        let _: MessageView = p
            .alice
            .ok(
                "send_message",
                json!({"channel_id": p.direct, "body": body}),
            )
            .await;
    }
    let mut again = p
        .bob
        .live(&format!("?epoch={epoch}&after={seen}"))
        .await
        .unwrap();
    assert!(
        matches!(again.next().await, LiveFrame::Hello { resync: false, .. }),
        "nothing was lost"
    );
    assert_eq!(posted(again.next().await).1.body, "two");
    assert_eq!(posted(again.next().await).1.body, "three");
    let _: MessageView = p
        .alice
        .ok(
            "send_message",
            json!({"channel_id": p.direct, "body": "four"}),
        )
        .await;
    assert_eq!(posted(again.next().await).1.body, "four", "then live again");
}

#[tokio::test]
async fn resuming_across_a_restart_asks_the_tab_to_refetch() {
    let p = Parish::new().await;
    let mut tab = p.bob.live("?epoch=12345&after=3").await.unwrap();
    assert!(matches!(
        tab.next().await,
        LiveFrame::Hello { resync: true, .. }
    ));
}

#[tokio::test]
async fn the_stream_needs_a_session_and_our_own_origin() {
    let p = Parish::new().await;
    let anonymous = p.app.visitor().live("").await;
    assert!(
        matches!(anonymous, Err(tokio_tungstenite::tungstenite::Error::Http(ref r)) if r.status() == 401),
        "{anonymous:?}"
    );
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut req = format!("ws://{}/api/events", p.app.addr)
        .into_client_request()
        .unwrap();
    req.headers_mut()
        .insert("cookie", p.bob.cookie_header().unwrap().parse().unwrap());
    req.headers_mut()
        .insert("origin", "https://evil.example".parse().unwrap());
    let cross = tokio_tungstenite::connect_async(req).await;
    assert!(
        matches!(cross, Err(tokio_tungstenite::tungstenite::Error::Http(ref r)) if r.status() == 403),
        "a page elsewhere must not ride bob's cookie"
    );
    let bad_query = p.bob.live("?after=notanumber").await;
    assert!(
        matches!(bad_query, Err(tokio_tungstenite::tungstenite::Error::Http(ref r)) if r.status() == 400)
    );
}

#[tokio::test]
async fn new_channels_are_announced_to_their_members() {
    let p = Parish::new().await;
    let mut dave = p.dave.live("").await.unwrap();
    dave.next().await; // hello
    let _: serde_json::Value = p
        .alice
        .ok(
            "create_group_channel",
            json!({"community_id": 1, "name": "Ushers", "member_ids": [p.dave.id()]}),
        )
        .await;
    assert!(matches!(
        dave.next().await,
        LiveFrame::Event {
            event: LiveEvent::SpacesChanged,
            ..
        }
    ));
}
