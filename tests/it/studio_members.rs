//! A studio's owner manages its collaborators: they see whom they may add
//! (people who share a community with them), add one, who sees the studio
//! and may join its room at once, and remove one, who gets back in by no
//! other door. Nobody else changes who is in a studio.

use belfry::contract::call_types::RoomAccess;
use belfry::contract::types::{Role, Spaces, StudioDetail, UserView};
use belfry::server::db;
use serde_json::json;

use crate::common::{Parish, Person, TestApp};
use crate::signal_client::{connect, refused_at_the_door};

fn usernames(people: &[UserView]) -> Vec<&str> {
    people.iter().map(|p| p.username.as_str()).collect()
}

fn pair(p: &Parish, who: &Person) -> serde_json::Value {
    json!({"studio_id": p.studio, "user_id": who.id()})
}

async fn studios_of(who: &Person) -> Vec<belfry::contract::ids::StudioId> {
    let spaces: Spaces = who.ok("my_spaces", json!({})).await;
    spaces.studios.into_iter().map(|s| s.id).collect()
}

#[tokio::test]
async fn the_owner_adds_someone_of_their_communities_who_sees_the_studio_and_may_join_its_room() {
    let p = Parish::new().await;
    let candidates: Vec<UserView> = p
        .alice
        .ok("studio_candidates", json!({"studio_id": p.studio}))
        .await;
    assert_eq!(
        usernames(&candidates),
        ["bob", "dave"],
        "not alice or carol"
    );
    let before: StudioDetail = p
        .alice
        .ok("get_studio", json!({"studio_id": p.studio}))
        .await;
    assert!(before.manages, "alice owns it");

    let members: Vec<UserView> = p.alice.ok("add_studio_member", pair(&p, &p.bob)).await;
    assert_eq!(usernames(&members), ["alice", "bob", "carol"]);
    assert_eq!(studios_of(&p.bob).await, [p.studio]);
    let seen: StudioDetail = p.bob.ok("get_studio", json!({"studio_id": p.studio})).await;
    assert!(!seen.manages, "a collaborator does not manage it");
    let _: RoomAccess = p
        .bob
        .ok("join_studio_voice", json!({"studio_id": p.studio}))
        .await;

    let (status, e) = p.alice.fails("add_studio_member", pair(&p, &p.bob)).await;
    assert_eq!(status, 409, "{}", e.message);
    // nora belongs to another community only.
    let nora = p.app.person("nora").await;
    let dbh = &p.app.state.db;
    belfry::on_db!(dbh => sqlx::query("DELETE FROM community_members WHERE user_id = $1")
        .bind(nora.id())
        .execute(dbh)
        .await
        .map(|_| ()))
    .unwrap();
    let other = db::communities::insert(dbh, "Another Parish")
        .await
        .unwrap();
    db::communities::add_member(dbh, other, nora.id(), Role::Member)
        .await
        .unwrap();
    let (status, _) = p.alice.fails("add_studio_member", pair(&p, &nora)).await;
    assert_eq!(status, 404, "a stranger to alice is nobody she can add");
    assert!(studios_of(&nora).await.is_empty());
}

#[tokio::test]
async fn only_the_owner_changes_who_is_in_a_studio() {
    let p = Parish::new().await;
    // carol is a collaborator, dave is not in the studio.
    for who in [&p.carol, &p.dave] {
        let (status, _) = who
            .fails("studio_candidates", json!({"studio_id": p.studio}))
            .await;
        assert_eq!(status, 403);
        let (status, _) = who.fails("add_studio_member", pair(&p, &p.dave)).await;
        assert_eq!(status, 403, "nobody adds themself or a friend");
    }
    let (status, _) = p
        .carol
        .fails("remove_studio_member", pair(&p, &p.alice))
        .await;
    assert_eq!(status, 403);
    let (status, e) = p
        .alice
        .fails("remove_studio_member", pair(&p, &p.alice))
        .await;
    assert_eq!(status, 409, "the owner stays: {}", e.message);
    let (status, _) = p
        .alice
        .fails("studio_candidates", json!({"studio_id": 999_999}))
        .await;
    assert_eq!(status, 404);
    let (status, _) = p
        .alice
        .fails(
            "add_studio_member",
            json!({"studio_id": p.studio, "user_id": "bob"}),
        )
        .await;
    assert_eq!(status, 400, "a malformed request");
    let detail: StudioDetail = p
        .alice
        .ok("get_studio", json!({"studio_id": p.studio}))
        .await;
    assert_eq!(
        usernames(&detail.members),
        ["alice", "carol"],
        "nothing changed"
    );
    assert!(studios_of(&p.dave).await.is_empty());
}

#[tokio::test]
async fn a_collaborator_removed_from_a_studio_comes_back_by_no_other_door() {
    let p = Parish::in_app(TestApp::with_sfu(|_| {}).await).await;
    let access: RoomAccess = p
        .carol
        .ok("join_studio_voice", json!({"studio_id": p.studio}))
        .await;
    let mut carol_media = connect(&access).await;
    let () = p.alice.ok("remove_studio_member", pair(&p, &p.carol)).await;
    carol_media.dropped().await;
    assert!(studios_of(&p.carol).await.is_empty());

    refused_at_the_door(&access, 403).await;
    for (name, args) in [
        ("join_studio_voice", json!({"studio_id": p.studio})),
        ("get_studio", json!({"studio_id": p.studio})),
        ("add_studio_member", pair(&p, &p.carol)),
        ("studio_candidates", json!({"studio_id": p.studio})),
    ] {
        let (status, e) = p.carol.fails(name, args.clone()).await;
        assert_eq!(status, 403, "{name}: {}", e.message);
    }
    // The owner adding her back is the way in.
    let _: Vec<UserView> = p.alice.ok("add_studio_member", pair(&p, &p.carol)).await;
    let _: RoomAccess = p
        .carol
        .ok("join_studio_voice", json!({"studio_id": p.studio}))
        .await;
}

#[tokio::test]
async fn someone_removed_from_the_owner_s_community_leaves_the_studio_unless_they_share_another() {
    let p = Parish::in_app(TestApp::with_sfu(|_| {}).await).await;
    let spaces: Spaces = p.alice.ok("my_spaces", json!({})).await;
    let parish = spaces.communities[0].id;
    // dave shares another community with alice, carol only the parish.
    let dbh = &p.app.state.db;
    let other = db::communities::insert(dbh, "Choir School").await.unwrap();
    for who in [&p.alice, &p.dave] {
        db::communities::add_member(dbh, other, who.id(), Role::Member)
            .await
            .unwrap();
    }
    let _: Vec<UserView> = p.alice.ok("add_studio_member", pair(&p, &p.dave)).await;
    let access: RoomAccess = p
        .carol
        .ok("join_studio_voice", json!({"studio_id": p.studio}))
        .await;
    let mut carol_media = connect(&access).await;

    for who in [&p.carol, &p.dave] {
        p.remove_from_parish(parish, who).await;
    }
    carol_media.dropped().await;
    assert!(studios_of(&p.carol).await.is_empty(), "carol is out");
    refused_at_the_door(&access, 403).await;
    let (status, _) = p
        .carol
        .fails("join_studio_voice", json!({"studio_id": p.studio}))
        .await;
    assert_eq!(status, 403);
    assert_eq!(
        studios_of(&p.dave).await,
        [p.studio],
        "dave still shares one"
    );
    let detail: StudioDetail = p
        .alice
        .ok("get_studio", json!({"studio_id": p.studio}))
        .await;
    assert_eq!(usernames(&detail.members), ["alice", "dave"]);
}
