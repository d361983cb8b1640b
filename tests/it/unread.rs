//! Unread counts and the latest message's first words: kept per person and
//! channel on the server, shown in everyone's channel list, cleared by
//! reading (which every tab of the reader hears), and never counting one's
//! own messages.

use belfry::contract::events::{LiveEvent, LiveFrame};
use belfry::contract::ids::ChannelId;
use belfry::contract::types::{MessageView, Spaces};
use serde_json::json;

use crate::common::{Parish, Person};

async fn summary(who: &Person, channel: ChannelId) -> (u32, Option<String>) {
    let spaces: Spaces = who.ok("my_spaces", json!({})).await;
    let c = spaces
        .channels
        .into_iter()
        .find(|c| c.id == channel)
        .expect("in the list");
    (c.unread, c.latest)
}

async fn post(who: &Person, channel: ChannelId, body: &str) -> MessageView {
    who.ok("send_message", json!({"channel_id": channel, "body": body}))
        .await
}

#[tokio::test]
async fn messages_count_as_unread_until_read_and_the_reader_s_tabs_hear_it() {
    let p = Parish::new().await;
    let choir = p.choir;
    let (before, _) = summary(&p.carol, choir).await;
    post(&p.alice, choir, "Rehearsal moves to Thursday").await;
    let last = post(&p.bob, choir, "Bring   the\nnew scores, please").await;
    let (unread, latest) = summary(&p.carol, choir).await;
    assert_eq!(unread, before + 2);
    assert_eq!(
        latest.as_deref(),
        Some("Bob Test: Bring the new scores, please")
    );
    // The author's own messages are not unread to him.
    let (bobs, _) = summary(&p.bob, choir).await;
    assert_eq!(bobs, 1, "only alice's");

    let mut other_tab = p.carol.listen().await;
    let left: u32 = p
        .carol
        .ok(
            "mark_read",
            json!({"channel_id": choir, "message_id": last.id}),
        )
        .await;
    assert_eq!(left, 0);
    assert_eq!(summary(&p.carol, choir).await.0, 0);
    let heard = other_tab.next().await;
    assert!(
        matches!(heard, LiveFrame::Event { event: LiveEvent::ChannelRead { channel_id, unread: 0 }, .. } if channel_id == choir),
        "{heard:?}"
    );
    // A read mark never moves back, and a mark past the newest message
    // stops at it (the next message is unread).
    let _: u32 = p
        .carol
        .ok("mark_read", json!({"channel_id": choir, "message_id": 1}))
        .await;
    assert_eq!(summary(&p.carol, choir).await.0, 0);
    let _: u32 = p
        .carol
        .ok(
            "mark_read",
            json!({"channel_id": choir, "message_id": last.id.0 + 1000}),
        )
        .await;
    post(&p.alice, choir, "One more thing").await;
    assert_eq!(summary(&p.carol, choir).await.0, 1);
    // Others' counts are their own.
    assert_eq!(
        summary(&p.alice, choir).await.0,
        1,
        "bob's, alice's own not counted"
    );
}

#[tokio::test]
async fn reading_a_channel_needs_being_in_it_and_says_nothing_to_others() {
    let p = Parish::new().await;
    let m = post(&p.alice, p.choir, "Members only").await;
    // dave is not in the choir.
    let (status, _) = p
        .dave
        .fails(
            "mark_read",
            json!({"channel_id": p.choir, "message_id": m.id}),
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = p
        .dave
        .fails(
            "mark_read",
            json!({"channel_id": 999_999, "message_id": m.id}),
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = p
        .carol
        .fails(
            "mark_read",
            json!({"channel_id": p.choir, "message_id": "x"}),
        )
        .await;
    assert_eq!(status, 400);
    // A message of another channel moves nothing here.
    let hall = post(&p.alice, p.hall, "In the hall").await;
    let (choir_before, _) = summary(&p.carol, p.choir).await;
    let _: u32 = p
        .carol
        .ok(
            "mark_read",
            json!({"channel_id": p.choir, "message_id": hall.id.0 - 1}),
        )
        .await;
    assert!(summary(&p.carol, p.choir).await.0 <= choir_before);
    let (hall_unread, _) = summary(&p.carol, p.hall).await;
    assert!(hall_unread >= 1, "the hall is still unread");
}

#[tokio::test]
async fn a_busy_channel_counts_up_to_a_hundred() {
    let p = Parish::in_app(crate::common::TestApp::new().await).await;
    let db = &p.app.state.db;
    for i in 0..120 {
        belfry::server::db::messages::insert(db, p.hall, p.alice.id(), &format!("m{i}"), None)
            .await
            .unwrap();
    }
    let (unread, latest) = summary(&p.dave, p.hall).await;
    assert_eq!(unread, 100, "shown as 99+");
    assert_eq!(latest.as_deref(), Some("Alice Test: m119"));
}

#[tokio::test]
async fn a_tab_reads_over_its_live_link_and_the_other_tabs_hear_it() {
    let p = Parish::new().await;
    let m = post(&p.alice, p.choir, "Over the link").await;
    let mut reader = p.carol.listen().await;
    let mut other = p.carol.listen().await;
    // Junk and a channel she is not in change nothing and close nothing.
    reader.say("not json").await;
    reader
        .say(&format!("{{\"read\":[{},{}]}}", p.direct, m.id))
        .await;
    assert!(summary(&p.carol, p.choir).await.0 >= 1);
    reader
        .say(&format!("{{\"read\":[{},{}]}}", p.choir, m.id))
        .await;
    let heard = other.next().await;
    assert!(
        matches!(heard, LiveFrame::Event { event: LiveEvent::ChannelRead { channel_id, unread: 0 }, .. } if channel_id == p.choir),
        "{heard:?}"
    );
    assert_eq!(summary(&p.carol, p.choir).await.0, 0);
    // The link that said it is still open: it hears its own read too.
    let own = reader.next().await;
    assert!(
        matches!(
            own,
            LiveFrame::Event {
                event: LiveEvent::ChannelRead { .. },
                ..
            }
        ),
        "{own:?}"
    );
}
