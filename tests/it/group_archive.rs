//! Archiving a group: its coordinators and admins archive it and restore
//! it; while archived its messages are read and nothing new is posted, it
//! takes no calls and is not changed, and a call live in it ends at once,
//! with no door back in (old token, answer, new call, new message).

use belfry::calls::CallStatus;
use belfry::contract::call_types::{CallView, RoomAccess};
use belfry::contract::groups::GroupsOverview;
use belfry::contract::types::{ChannelSummary, MessagePage, MessageView, Spaces};
use serde_json::json;

use crate::common::{Parish, TestApp};
use crate::signal_client::{connect, refused_at_the_door};

fn archive(channel: belfry::contract::ids::ChannelId, archived: bool) -> serde_json::Value {
    json!({"channel_id": channel, "archived": archived})
}

async fn choir_for(who: &crate::common::Person, p: &Parish) -> ChannelSummary {
    let spaces: Spaces = who.ok("my_spaces", json!({})).await;
    spaces
        .channels
        .into_iter()
        .find(|c| c.id == p.choir)
        .expect("the choir is still theirs")
}

#[tokio::test]
async fn an_archived_group_is_read_but_takes_no_message_call_or_change_until_restored() {
    let p = Parish::new().await;
    let said: MessageView = p
        .carol
        .ok(
            "send_message",
            json!({"channel_id": p.choir, "body": "Last practice notes"}),
        )
        .await;
    let archived: ChannelSummary = p.bob.ok("archive_group", archive(p.choir, true)).await;
    assert!(archived.archived);
    assert!(choir_for(&p.carol, &p).await.archived, "members see it");
    let groups: GroupsOverview = p.carol.ok("my_groups", json!({})).await;
    assert!(groups.groups[0].channel.archived);

    // Its history is still read.
    let page: MessagePage = p
        .carol
        .ok("list_messages", json!({"channel_id": p.choir}))
        .await;
    assert!(page.messages.iter().any(|m| m.id == said.id));
    // Nothing new: no message, no call, no new name or member.
    for (who, name, args) in [
        (
            &p.carol,
            "send_message",
            json!({"channel_id": p.choir, "body": "anyone?"}),
        ),
        (&p.carol, "initiate_call", json!({"channel_id": p.choir})),
        (&p.bob, "initiate_call", json!({"channel_id": p.choir})),
        (
            &p.bob,
            "rename_group",
            json!({"channel_id": p.choir, "name": "Sneaky"}),
        ),
        (
            &p.bob,
            "add_group_members",
            json!({"channel_id": p.choir, "user_ids": [p.dave.id()]}),
        ),
        (&p.bob, "archive_group", archive(p.choir, true)),
    ] {
        let (status, e) = who.fails(name, args).await;
        assert_eq!(status, 409, "{name}: {}", e.message);
        assert!(e.message.contains("archived"), "{name}: {}", e.message);
    }
    let page: MessagePage = p
        .alice
        .ok("list_messages", json!({"channel_id": p.choir}))
        .await;
    assert_eq!(page.messages.len(), 1, "nothing was posted");
    assert_eq!(choir_for(&p.carol, &p).await.name, "Choir");

    // Restored, it is a group again.
    let restored: ChannelSummary = p.alice.ok("archive_group", archive(p.choir, false)).await;
    assert!(!restored.archived);
    let (status, _) = p
        .alice
        .fails("archive_group", archive(p.choir, false))
        .await;
    assert_eq!(status, 409, "restoring what is in use");
    let _: MessageView = p
        .carol
        .ok(
            "send_message",
            json!({"channel_id": p.choir, "body": "We are back"}),
        )
        .await;
    let _: CallView = p
        .carol
        .ok("initiate_call", json!({"channel_id": p.choir}))
        .await;
}

#[tokio::test]
async fn only_the_group_s_managers_archive_it_and_only_groups_are_archived() {
    let p = Parish::new().await;
    // carol is in the choir, a member of the parish; dave is not in it.
    for (who, status) in [(&p.carol, 403), (&p.dave, 403)] {
        for archived in [true, false] {
            let (got, e) = who.fails("archive_group", archive(p.choir, archived)).await;
            assert_eq!(got, status, "{}", e.message);
        }
    }
    for channel in [p.hall, p.direct] {
        let (status, e) = p.alice.fails("archive_group", archive(channel, true)).await;
        assert_eq!(status, 400, "{}", e.message);
    }
    let unknown = belfry::contract::ids::ChannelId(999_999);
    let (status, _) = p.alice.fails("archive_group", archive(unknown, true)).await;
    assert_eq!(status, 404);
    let (status, _) = p
        .alice
        .fails(
            "archive_group",
            json!({"channel_id": p.choir, "archived": "yes"}),
        )
        .await;
    assert_eq!(status, 400, "a malformed request");
    assert!(!choir_for(&p.carol, &p).await.archived, "nothing changed");
}

#[tokio::test]
async fn archiving_ends_the_group_s_live_call_and_no_door_leads_back_in() {
    let p = Parish::in_app(TestApp::with_sfu(|_| {}).await).await;
    let call = p.choir_call_all_in().await;
    let access: RoomAccess = p.carol.ok("call_token", json!({"call_id": call.id})).await;
    let mut carol_media = connect(&access).await;

    let _: ChannelSummary = p.bob.ok("archive_group", archive(p.choir, true)).await;
    carol_media.dropped().await;
    let ended: CallView = p.alice.ok("get_call", json!({"call_id": call.id})).await;
    assert_eq!(ended.status, CallStatus::Ended);

    // Not her old token (its room is gone), nor a new one, nor answering,
    // nor a new call.
    refused_at_the_door(&access, 404).await;
    for (name, args) in [
        ("call_token", json!({"call_id": call.id})),
        ("answer_call", json!({"call_id": call.id})),
        ("answer_and_join", json!({"call_id": call.id})),
        ("initiate_call", json!({"channel_id": p.choir})),
    ] {
        let (status, e) = p.carol.fails(name, args.clone()).await;
        assert!(
            matches!(status, 403 | 409),
            "{name} {args}: {status} {}",
            e.message
        );
    }
}
