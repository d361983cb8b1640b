//! Admins change roles and take people out of the community: a demoted
//! coordinator is refused moderator work from that moment (and every tab of
//! theirs hears of it), someone removed leaves every channel and live call
//! of the community at once and gets back in by no other door, and a
//! community always keeps an admin.

use belfry::contract::call_types::{CallView, RoomAccess};
use belfry::contract::events::{LiveEvent, LiveFrame};
use belfry::contract::types::{Member, MemberDirectory, Role, Spaces};
use serde_json::json;

use crate::common::{Parish, Person, TestApp};
use crate::signal_client::{connect, refused_at_the_door};

fn role(community: i64, who: &Person, role: &str) -> serde_json::Value {
    json!({"community_id": community, "user_id": who.id(), "role": role})
}

async fn community(p: &Parish) -> i64 {
    let spaces: Spaces = p.alice.ok("my_spaces", json!({})).await;
    spaces.communities[0].id.0
}

async fn role_of(p: &Parish, who: &Person) -> Option<Role> {
    let page: MemberDirectory = p.alice.ok("people_page", json!({})).await;
    page.members
        .iter()
        .find(|m: &&Member| m.user.id == who.id())
        .map(|m| m.role)
}

#[tokio::test]
async fn an_admin_promotes_and_demotes_and_the_demoted_lose_moderation_at_once() {
    let p = Parish::new().await;
    let c = community(&p).await;
    let mut dave_tab = p.dave.listen().await;
    let _: () = p
        .alice
        .ok("set_member_role", role(c, &p.dave, "coordinator"))
        .await;
    assert_eq!(role_of(&p, &p.dave).await, Some(Role::Coordinator));
    let heard = dave_tab.next().await;
    assert!(
        matches!(
            heard,
            LiveFrame::Event {
                event: LiveEvent::SpacesChanged,
                ..
            }
        ),
        "{heard:?}"
    );
    // As a coordinator dave makes a group.
    let _: serde_json::Value = p
        .dave
        .ok(
            "create_group_channel",
            json!({"community_id": c, "name": "Ushers", "member_ids": [p.carol.id()]}),
        )
        .await;

    // bob, demoted, is refused moderator work from now on, and his tab hears.
    // (alice starts the choir's call: its starter may end it whatever her role.)
    let call = p.choir_call_all_in().await;
    let mut bob_tab = p.bob.listen().await;
    let _: () = p
        .alice
        .ok("set_member_role", role(c, &p.bob, "member"))
        .await;
    let heard = bob_tab.next().await;
    assert!(
        matches!(
            heard,
            LiveFrame::Event {
                event: LiveEvent::SpacesChanged,
                ..
            }
        ),
        "{heard:?}"
    );
    let spaces: Spaces = p.bob.ok("my_spaces", json!({})).await;
    assert_eq!(spaces.communities[0].role, Role::Member);
    for (name, args) in [
        (
            "create_group_channel",
            json!({"community_id": c, "name": "Mine", "member_ids": []}),
        ),
        (
            "rename_group",
            json!({"channel_id": p.choir, "name": "Bob's"}),
        ),
        ("end_call", json!({"call_id": call.id})),
        (
            "remove_participant",
            json!({"call_id": call.id, "user_id": p.carol.id()}),
        ),
        (
            "create_invitation",
            json!({"community_id": c, "hours": 24, "max_uses": 1}),
        ),
    ] {
        let (status, e) = p.bob.fails(name, args).await;
        assert_eq!(status, 403, "{name}: {}", e.message);
    }
    // Nor does he hand the role back to himself.
    let (status, _) = p
        .bob
        .fails("set_member_role", role(c, &p.bob, "admin"))
        .await;
    assert_eq!(status, 403);
    assert_eq!(role_of(&p, &p.bob).await, Some(Role::Member));
}

#[tokio::test]
async fn only_admins_change_roles_and_bad_requests_change_nothing() {
    let p = Parish::new().await;
    let c = community(&p).await;
    for who in [&p.bob, &p.carol] {
        let (status, _) = who
            .fails("set_member_role", role(c, &p.dave, "admin"))
            .await;
        assert_eq!(status, 403);
        let (status, _) = who
            .fails(
                "remove_community_member",
                json!({"community_id": c, "user_id": p.dave.id()}),
            )
            .await;
        assert_eq!(status, 403);
    }
    let (status, _) = p
        .alice
        .fails("set_member_role", role(999, &p.dave, "admin"))
        .await;
    assert_eq!(status, 404, "no such community");
    let (status, e) = p
        .alice
        .fails("set_member_role", role(c, &p.dave, "bishop"))
        .await;
    assert_eq!(status, 400, "{}", e.message);
    let (status, _) = p
        .alice
        .fails(
            "set_member_role",
            json!({"community_id": c, "user_id": 999_999, "role": "admin"}),
        )
        .await;
    assert_eq!(status, 404, "not a member");
    let (status, _) = p
        .alice
        .fails(
            "remove_community_member",
            json!({"community_id": c, "user_id": 999_999}),
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = p
        .app
        .visitor()
        .fails("set_member_role", role(c, &p.dave, "admin"))
        .await;
    assert_eq!(status, 401);
    assert_eq!(role_of(&p, &p.dave).await, Some(Role::Member), "unchanged");
}

#[tokio::test]
async fn the_last_admin_cannot_demote_or_remove_themself() {
    let p = Parish::new().await;
    let c = community(&p).await;
    for who in ["member", "coordinator"] {
        let (status, e) = p
            .alice
            .fails("set_member_role", role(c, &p.alice, who))
            .await;
        assert_eq!(status, 409);
        assert!(e.message.contains("needs an admin"), "{}", e.message);
    }
    let (status, _) = p
        .alice
        .fails(
            "remove_community_member",
            json!({"community_id": c, "user_id": p.alice.id()}),
        )
        .await;
    assert_eq!(status, 409);
    assert_eq!(role_of(&p, &p.alice).await, Some(Role::Admin));

    // With a second admin, she may step down; then bob is the last.
    let _: () = p
        .alice
        .ok("set_member_role", role(c, &p.bob, "admin"))
        .await;
    let _: () = p
        .alice
        .ok("set_member_role", role(c, &p.alice, "coordinator"))
        .await;
    let (status, _) = p
        .bob
        .fails("set_member_role", role(c, &p.bob, "member"))
        .await;
    assert_eq!(status, 409);
    let (status, _) = p
        .alice
        .fails("set_member_role", role(c, &p.alice, "admin"))
        .await;
    assert_eq!(
        status, 403,
        "no longer an admin, she cannot make herself one"
    );
}

#[tokio::test]
async fn two_admins_demoting_each_other_at_once_leave_one_admin() {
    let p = Parish::new().await;
    let c = community(&p).await;
    let _: () = p
        .alice
        .ok("set_member_role", role(c, &p.bob, "admin"))
        .await;
    let (a, b) = tokio::join!(
        p.alice
            .call::<()>("set_member_role", role(c, &p.bob, "member")),
        p.bob
            .call::<()>("set_member_role", role(c, &p.alice, "member")),
    );
    let done = [a.is_ok(), b.is_ok()].iter().filter(|ok| **ok).count();
    assert_eq!(done, 1, "exactly one demotion lands: {a:?} {b:?}");
    let admins = [role_of(&p, &p.alice).await, role_of(&p, &p.bob).await]
        .iter()
        .filter(|r| **r == Some(Role::Admin))
        .count();
    assert_eq!(admins, 1);
}

#[tokio::test]
async fn someone_removed_from_the_community_leaves_its_call_and_comes_back_by_no_other_door() {
    let p = Parish::in_app(TestApp::with_sfu(|_| {}).await).await;
    let c = community(&p).await;
    let call = p.choir_call_all_in().await;
    let access: RoomAccess = p.carol.ok("call_token", json!({"call_id": call.id})).await;
    let mut carol_media = connect(&access).await;
    let dm: belfry::contract::types::ChannelSummary = p
        .bob
        .ok("open_direct_channel", json!({"user_id": p.carol.id()}))
        .await;

    p.remove_from_parish(c, &p.carol).await;
    carol_media.dropped().await;
    let now: CallView = p.alice.ok("get_call", json!({"call_id": call.id})).await;
    let carol = now
        .participants
        .iter()
        .find(|x| x.user.id == p.carol.id())
        .expect("still listed");
    assert_ne!(
        carol.status,
        belfry::calls::ParticipantStatus::Connected,
        "out of the call"
    );
    assert!(
        role_of(&p, &p.carol).await.is_none(),
        "out of the directory"
    );

    // No door back: her old token, a new one, answering again, any channel
    // of the community, a new direct conversation, the hall's call.
    refused_at_the_door(&access, 403).await;
    for (name, args) in [
        ("call_token", json!({"call_id": call.id})),
        ("answer_call", json!({"call_id": call.id})),
        ("answer_and_join", json!({"call_id": call.id})),
        ("initiate_call", json!({"channel_id": p.choir})),
        ("get_channel", json!({"channel_id": p.choir})),
        ("get_channel", json!({"channel_id": p.hall})),
        ("get_channel", json!({"channel_id": p.direct})),
        (
            "send_message",
            json!({"channel_id": p.hall, "body": "still here?"}),
        ),
        ("open_direct_channel", json!({"user_id": p.bob.id()})),
        ("community_members", json!({"community_id": c})),
    ] {
        let (status, e) = p.carol.fails(name, args.clone()).await;
        assert!(
            matches!(status, 403 | 404 | 409),
            "{name} {args}: {status} {}",
            e.message
        );
    }
    let spaces: Spaces = p.carol.ok("my_spaces", json!({})).await;
    assert!(spaces.communities.is_empty() && spaces.channels.is_empty());
    // Signing in again changes nothing.
    let again = p.app.visitor();
    let _: serde_json::Value = again
        .ok(
            "sign_in",
            json!({"username": "carol", "password": crate::common::PASSWORD}),
        )
        .await;
    let spaces: Spaces = again.ok("my_spaces", json!({})).await;
    assert!(spaces.channels.is_empty(), "{:?}", spaces.channels);
    // bob's conversation with her stays, named for what happened.
    let bobs: Spaces = p.bob.ok("my_spaces", json!({})).await;
    let kept = bobs.channels.iter().find(|c| c.id == dm.id).expect("kept");
    assert_eq!(kept.name, belfry::server::db::channels::FORMER_MEMBER);
    let (status, _) = p
        .bob
        .fails("initiate_call", json!({"channel_id": dm.id}))
        .await;
    assert!(
        matches!(status, 400 | 403 | 409),
        "nobody to ring: {status}"
    );
    // The others' calls go on.
    let now: CallView = p.alice.ok("get_call", json!({"call_id": call.id})).await;
    assert!(now.status.is_live(), "{:?}", now.status);
}
