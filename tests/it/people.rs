//! The People page's directory: a community's members by name, each with
//! their role, whether Belfry is open for them, and whether they are in a
//! call; what it says changes as those do.

use std::time::Duration;

use belfry::contract::call_types::CallView;
use belfry::contract::types::{Member, MemberDirectory, Role};
use serde_json::{json, Value};

use crate::common::Parish;

fn find<'a>(page: &'a MemberDirectory, username: &str) -> &'a Member {
    (page.members.iter())
        .find(|m| m.user.username == username)
        .unwrap_or_else(|| panic!("{username} is listed"))
}

#[tokio::test]
async fn the_directory_lists_every_member_by_name_with_role_presence_and_calls() {
    let p = Parish::new().await;
    let page: MemberDirectory = p.carol.ok("people_page", json!({})).await;
    let names: Vec<&str> = (page.members.iter())
        .map(|m| m.user.display_name.as_str())
        .collect();
    assert_eq!(
        names,
        ["Alice Test", "Bob Test", "Carol Test", "Dave Test"],
        "everyone, by name"
    );
    assert_eq!(find(&page, "alice").role, Role::Admin);
    assert_eq!(find(&page, "bob").role, Role::Coordinator);
    assert_eq!(find(&page, "dave").role, Role::Member);
    assert!(page.members.iter().all(|m| !m.online && !m.in_call));

    // Bob opens Belfry; alice calls him and he answers.
    let tab = p.bob.listen().await;
    let call: CallView = p
        .alice
        .ok("initiate_call", json!({"channel_id": p.direct}))
        .await;
    let _: CallView = p.bob.ok("answer_call", json!({"call_id": call.id})).await;
    let page: MemberDirectory = p.carol.ok("people_page", json!({})).await;
    assert!(find(&page, "bob").online, "bob's tab is open");
    assert!(!find(&page, "dave").online, "dave has none");
    assert!(find(&page, "alice").in_call && find(&page, "bob").in_call);
    assert!(!find(&page, "carol").in_call && !find(&page, "dave").in_call);

    // The call ends and bob closes his tab: both show at once.
    let _: CallView = p.alice.ok("end_call", json!({"call_id": call.id})).await;
    drop(tab);
    let mut page: MemberDirectory = p.carol.ok("people_page", json!({})).await;
    for _ in 0..50 {
        if !find(&page, "bob").online {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        page = p.carol.ok("people_page", json!({})).await;
    }
    assert!(!find(&page, "bob").online, "bob's tab closed");
    assert!(
        page.members.iter().all(|m| !m.in_call),
        "nobody is in a call"
    );
}

#[tokio::test]
async fn the_directory_shows_only_the_viewers_own_community_and_nothing_to_someone_in_none() {
    let p = Parish::new().await;
    let db = &p.app.state.db;
    // Erin signs up (joining the parish), then is moved to another
    // community; frank's membership is taken away altogether.
    let erin = p.app.person("erin").await;
    let frank = p.app.person("frank").await;
    for who in [&erin, &frank] {
        belfry::on_db!(db => sqlx::query("DELETE FROM community_members WHERE user_id = $1")
            .bind(who.id())
            .execute(db)
            .await
            .map(|r| r.rows_affected()))
        .unwrap();
    }
    let other = belfry::server::db::communities::insert(db, "Another Parish")
        .await
        .unwrap();
    belfry::server::db::communities::add_member(db, other, erin.id(), Role::Member)
        .await
        .unwrap();

    let page: MemberDirectory = erin.ok("people_page", json!({})).await;
    assert_eq!(page.community.name, "Another Parish");
    let names: Vec<&str> = page
        .members
        .iter()
        .map(|m| m.user.username.as_str())
        .collect();
    assert_eq!(names, ["erin"], "none of the parish's members");
    // The parish no longer lists either of them.
    let parish: MemberDirectory = p.carol.ok("people_page", json!({})).await;
    assert!(parish
        .members
        .iter()
        .all(|m| m.user.username != "erin" && m.user.username != "frank"));
    // Frank, in no community, is told so, and learns no one's name.
    let (status, err) = frank
        .call::<Value>("people_page", json!({}))
        .await
        .expect_err("no community, no directory");
    assert_eq!(status, 404);
    assert!(
        err.message.contains("not in a community"),
        "{}",
        err.message
    );
}
