//! Who may see what: every channel, studio and community rule, over HTTP.

use crate::common;

use belfry::contract::ids::CommunityId;
use belfry::contract::types::{
    ChannelDetail, ChannelKind, ChannelSummary, Spaces, StudioDetail, UserView,
};
use belfry::contract::ErrorKind;
use belfry::server::db;
use common::Parish;
use serde_json::{json, Value};

#[tokio::test]
async fn each_person_sees_only_the_spaces_they_belong_to() {
    let p = Parish::new().await;
    let names = |s: &Spaces| {
        s.channels
            .iter()
            .map(|c| (c.kind, c.name.clone()))
            .collect::<Vec<_>>()
    };
    let alice: Spaces = p.alice.ok("my_spaces", json!({})).await;
    let dave: Spaces = p.dave.ok("my_spaces", json!({})).await;
    let carol: Spaces = p.carol.ok("my_spaces", json!({})).await;
    assert_eq!(
        names(&alice),
        vec![
            (ChannelKind::Parish, "Parish hall".into()),
            (ChannelKind::Group, "Choir".into()),
            (ChannelKind::Direct, "Bob Test".into()),
        ]
    );
    assert_eq!(
        names(&dave),
        vec![(ChannelKind::Parish, "Parish hall".into())]
    );
    assert_eq!(
        names(&carol).len(),
        2,
        "carol: hall and choir, not alice-bob"
    );
    assert_eq!(alice.studios.len(), 1);
    assert!(dave.studios.is_empty());
    assert_eq!(alice.channels[0].member_count, 4);
}

#[tokio::test]
async fn anonymous_callers_get_401_everywhere() {
    let p = Parish::new().await;
    let v = p.app.visitor();
    let calls: [(&str, Value); 8] = [
        ("my_spaces", json!({})),
        ("get_channel", json!({"channel_id": p.hall})),
        ("list_messages", json!({"channel_id": p.hall})),
        ("send_message", json!({"channel_id": p.hall, "body": "hi"})),
        ("open_direct_channel", json!({"user_id": p.bob.id()})),
        (
            "create_group_channel",
            json!({"community_id": 1, "name": "x", "member_ids": []}),
        ),
        ("community_members", json!({"community_id": 1})),
        ("get_studio", json!({"studio_id": p.studio})),
    ];
    for (name, args) in calls {
        let (status, err) = v.fails(name, args).await;
        assert_eq!((status, err.kind), (401, ErrorKind::Unauthorized), "{name}");
    }
    let me: Option<UserView> = v.ok("current_user", json!({})).await;
    assert_eq!(me, None, "current_user answers visitors with None");
}

#[tokio::test]
async fn non_members_get_403_and_unknown_ids_404() {
    let p = Parish::new().await;
    for (name, args) in [
        ("get_channel", json!({"channel_id": p.choir})),
        ("list_messages", json!({"channel_id": p.choir})),
        (
            "send_message",
            json!({"channel_id": p.choir, "body": "let me in"}),
        ),
        ("get_channel", json!({"channel_id": p.direct})),
    ] {
        let (status, err) = p.dave.fails(name, args).await;
        assert_eq!(
            (status, err.kind),
            (403, ErrorKind::Forbidden),
            "dave {name}"
        );
    }
    let (status, _) = p
        .carol
        .fails("list_messages", json!({"channel_id": p.direct}))
        .await;
    assert_eq!(status, 403, "carol is not in alice-bob");
    for (name, args) in [
        ("get_channel", json!({"channel_id": 9999})),
        ("send_message", json!({"channel_id": 9999, "body": "x"})),
        ("get_studio", json!({"studio_id": 9999})),
        ("community_members", json!({"community_id": 9999})),
    ] {
        let (status, err) = p.alice.fails(name, args).await;
        assert_eq!((status, err.kind), (404, ErrorKind::NotFound), "{name}");
    }
    let messages: Value = p.dave.ok("list_messages", json!({"channel_id": 1})).await;
    assert!(
        messages["messages"].is_array(),
        "dave may read the parish hall"
    );
}

#[tokio::test]
async fn studios_are_for_their_members() {
    let p = Parish::new().await;
    let studio: StudioDetail = p
        .carol
        .ok("get_studio", json!({"studio_id": p.studio}))
        .await;
    let members: Vec<&str> = studio.members.iter().map(|m| m.username.as_str()).collect();
    assert_eq!(members, vec!["alice", "carol"]);
    let (status, _) = p
        .bob
        .fails("get_studio", json!({"studio_id": p.studio}))
        .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn channel_detail_lists_members_by_kind() {
    let p = Parish::new().await;
    let choir: ChannelDetail = p
        .bob
        .ok("get_channel", json!({"channel_id": p.choir}))
        .await;
    let names: Vec<&str> = choir.members.iter().map(|m| m.username.as_str()).collect();
    assert_eq!(names, vec!["alice", "bob", "carol"]);
    let hall: ChannelDetail = p
        .dave
        .ok("get_channel", json!({"channel_id": p.hall}))
        .await;
    assert_eq!(
        hall.members.len(),
        4,
        "a parish channel has every community member"
    );
    let direct: ChannelDetail = p
        .bob
        .ok("get_channel", json!({"channel_id": p.direct}))
        .await;
    assert_eq!(
        direct.channel.name, "Alice Test",
        "named for the other person"
    );
}

#[tokio::test]
async fn direct_channels_are_one_per_pair_and_need_a_shared_community() {
    let p = Parish::new().await;
    let from_bob: ChannelSummary = p
        .bob
        .ok("open_direct_channel", json!({"user_id": p.alice.id()}))
        .await;
    assert_eq!(from_bob.id, p.direct, "the same channel from either side");
    let (status, _) = p
        .alice
        .fails("open_direct_channel", json!({"user_id": p.alice.id()}))
        .await;
    assert_eq!(status, 400, "not with oneself");
    let (status, _) = p
        .alice
        .fails("open_direct_channel", json!({"user_id": 9999}))
        .await;
    assert_eq!(status, 404);
    // An outsider in another community only.
    let eve = p.app.person("eve").await;
    let db = &p.app.state.db;
    belfry::on_db!(db => sqlx::query("DELETE FROM community_members WHERE user_id = $1")
        .bind(eve.id())
        .execute(db)
        .await.map(|r| r.rows_affected()))
    .unwrap();
    let elsewhere = db::communities::insert(db, "Elsewhere").await.unwrap();
    db::communities::add_member(
        db,
        elsewhere,
        eve.id(),
        belfry::contract::types::Role::Member,
    )
    .await
    .unwrap();
    let (status, _) = p
        .alice
        .fails("open_direct_channel", json!({"user_id": eve.id()}))
        .await;
    assert_eq!(status, 404, "people outside your communities are not found");
    let (status, _) = p
        .alice
        .fails("community_members", json!({"community_id": elsewhere}))
        .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn group_channels_are_made_by_moderators_from_community_members() {
    let p = Parish::new().await;
    let community = CommunityId(1);
    let (status, err) = p
        .carol
        .fails(
            "create_group_channel",
            json!({"community_id": community, "name": "Flowers", "member_ids": []}),
        )
        .await;
    assert_eq!(status, 403, "{}", err.message);
    let (status, _) = p
        .alice
        .fails(
            "create_group_channel",
            json!({"community_id": community, "name": "X", "member_ids": [9999]}),
        )
        .await;
    assert_eq!(status, 400, "members must belong to the community");
    let (status, _) = p
        .alice
        .fails(
            "create_group_channel",
            json!({"community_id": community, "name": "  ", "member_ids": []}),
        )
        .await;
    assert_eq!(status, 400);
    let flowers: ChannelSummary = p
        .alice
        .ok(
            "create_group_channel",
            json!({"community_id": community, "name": "Flowers", "member_ids": [p.dave.id()]}),
        )
        .await;
    assert_eq!(flowers.member_count, 2, "the creator is a member too");
    let dave: Spaces = p.dave.ok("my_spaces", json!({})).await;
    assert!(dave.channels.iter().any(|c| c.id == flowers.id));
}
