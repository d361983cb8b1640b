//! Group channels after they are made: the Groups page shows each person
//! the groups they are in and who is in each; coordinators and admins in a
//! group rename it and add people of the community; everyone else is
//! refused, and a refused or malformed change changes nothing.

use belfry::contract::groups::GroupsOverview;
use belfry::contract::types::{ChannelSummary, Role, Spaces, UserView};
use belfry::server::db;
use serde_json::json;

use crate::common::Parish;

fn names(members: &[UserView]) -> Vec<&str> {
    members.iter().map(|m| m.username.as_str()).collect()
}

async fn group_names(who: &crate::common::Person) -> Vec<String> {
    let spaces: Spaces = who.ok("my_spaces", json!({})).await;
    spaces
        .channels
        .into_iter()
        .filter(|c| c.kind == belfry::contract::types::ChannelKind::Group)
        .map(|c| c.name)
        .collect()
}

#[tokio::test]
async fn each_person_sees_their_groups_and_who_is_in_them_and_managers_see_whom_to_add() {
    let p = Parish::new().await;
    let bob: GroupsOverview = p.bob.ok("my_groups", json!({})).await;
    assert!(bob.manages, "bob coordinates");
    assert_eq!(bob.groups.len(), 1);
    assert_eq!(bob.groups[0].channel.id, p.choir);
    assert_eq!(names(&bob.groups[0].members), ["alice", "bob", "carol"]);
    assert_eq!(bob.people.len(), 4, "the whole parish to choose from");

    let carol: GroupsOverview = p.carol.ok("my_groups", json!({})).await;
    assert!(!carol.manages);
    assert_eq!(carol.groups.len(), 1, "she is in the choir");
    assert!(
        carol.people.is_empty(),
        "a member is not handed the directory"
    );

    let dave: GroupsOverview = p.dave.ok("my_groups", json!({})).await;
    assert!(dave.groups.is_empty(), "dave is in no group");
}

#[tokio::test]
async fn a_coordinator_renames_a_group_and_its_members_see_the_new_name() {
    let p = Parish::new().await;
    let renamed: ChannelSummary = p
        .bob
        .ok(
            "rename_group",
            json!({"channel_id": p.choir, "name": "  Evening Choir "}),
        )
        .await;
    assert_eq!(renamed.name, "Evening Choir");
    assert_eq!(group_names(&p.carol).await, ["Evening Choir"]);

    for (name, why) in [("   ", "blank"), (&"x".repeat(65) as &str, "too long")] {
        let (status, e) = p
            .bob
            .fails("rename_group", json!({"channel_id": p.choir, "name": name}))
            .await;
        assert_eq!(status, 400, "{why}");
        assert!(e.message.contains("1 to 64"), "{why}: {}", e.message);
    }
    assert_eq!(group_names(&p.carol).await, ["Evening Choir"], "unchanged");
}

#[tokio::test]
async fn only_a_group_s_managers_change_it_and_only_group_channels_change() {
    let p = Parish::new().await;
    // carol is in the choir but only a member of the parish.
    let (status, _) = p
        .carol
        .fails(
            "rename_group",
            json!({"channel_id": p.choir, "name": "Mine"}),
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = p
        .carol
        .fails(
            "add_group_members",
            json!({"channel_id": p.choir, "user_ids": [p.dave.id()]}),
        )
        .await;
    assert_eq!(status, 403);
    // dave is not in the choir at all.
    let (status, _) = p
        .dave
        .fails(
            "add_group_members",
            json!({"channel_id": p.choir, "user_ids": [p.dave.id()]}),
        )
        .await;
    assert_eq!(status, 403, "nobody adds themself");
    // A direct conversation and the parish hall are not groups.
    for channel in [p.direct, p.hall] {
        let (status, e) = p
            .alice
            .fails("rename_group", json!({"channel_id": channel, "name": "X"}))
            .await;
        assert_eq!(status, 400, "{}", e.message);
    }
    let (status, _) = p
        .alice
        .fails("rename_group", json!({"channel_id": 999_999, "name": "X"}))
        .await;
    assert_eq!(status, 404);
    assert_eq!(group_names(&p.carol).await, ["Choir"]);
    assert!(group_names(&p.dave).await.is_empty());
}

#[tokio::test]
async fn people_added_see_the_group_at_once_and_strangers_cannot_be_added() {
    let p = Parish::new().await;
    let db = &p.app.state.db;
    // nora belongs to another community only.
    let nora = p.app.person("nora").await;
    let other = db::communities::insert(db, "Another Parish").await.unwrap();
    belfry::on_db!(db => sqlx::query("DELETE FROM community_members WHERE user_id = $1")
        .bind(nora.id())
        .execute(db)
        .await
        .map(|_| ()))
    .unwrap();
    db::communities::add_member(db, other, nora.id(), Role::Member)
        .await
        .unwrap();

    let (status, e) = p
        .bob
        .fails(
            "add_group_members",
            json!({"channel_id": p.choir, "user_ids": [p.dave.id(), nora.id()]}),
        )
        .await;
    assert_eq!(status, 400);
    assert!(e.message.contains("community"), "{}", e.message);
    assert!(group_names(&p.dave).await.is_empty(), "nobody was added");
    let (status, _) = p
        .bob
        .fails(
            "add_group_members",
            json!({"channel_id": p.choir, "user_ids": []}),
        )
        .await;
    assert_eq!(status, 400);

    let members: Vec<UserView> = p
        .bob
        .ok(
            "add_group_members",
            json!({"channel_id": p.choir, "user_ids": [p.dave.id(), p.carol.id()]}),
        )
        .await;
    assert_eq!(names(&members), ["alice", "bob", "carol", "dave"]);
    assert_eq!(group_names(&p.dave).await, ["Choir"]);
    // dave can now read the group and call it.
    let _: serde_json::Value = p
        .dave
        .ok("get_channel", json!({"channel_id": p.choir}))
        .await;
}

#[tokio::test]
async fn someone_removed_from_a_group_cannot_come_back_by_another_door() {
    let p = Parish::new().await;
    let _: () = p
        .bob
        .ok(
            "remove_channel_member",
            json!({"channel_id": p.choir, "user_id": p.carol.id()}),
        )
        .await;
    let overview: GroupsOverview = p.carol.ok("my_groups", json!({})).await;
    assert!(overview.groups.is_empty(), "gone from her groups");
    // Not by reading, renaming, adding herself back or calling.
    let (status, _) = p
        .carol
        .fails("get_channel", json!({"channel_id": p.choir}))
        .await;
    assert_eq!(status, 403);
    let (status, _) = p
        .carol
        .fails(
            "add_group_members",
            json!({"channel_id": p.choir, "user_ids": [p.carol.id()]}),
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = p
        .carol
        .fails("initiate_call", json!({"channel_id": p.choir}))
        .await;
    assert_eq!(status, 403);
    // A manager adding her back is the only way in.
    let _: Vec<UserView> = p
        .alice
        .ok(
            "add_group_members",
            json!({"channel_id": p.choir, "user_ids": [p.carol.id()]}),
        )
        .await;
    assert_eq!(group_names(&p.carol).await, ["Choir"]);
}
