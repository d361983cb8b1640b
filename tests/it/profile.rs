//! My own account: a new name and colour are what everyone sees at once;
//! bad ones are refused with a message and change nothing; a password
//! changes only with the current one, wrong tries are limited, and every
//! other session ends (its open live stream closes at once; its cookie is
//! refused by every door from then on); "sign out everywhere else" keeps
//! only this session.

use belfry::contract::types::{MemberDirectory, UserView};
use serde_json::{json, Value};

use crate::common::{Parish, Person, TestApp, PASSWORD};

/// Another browser where `username` signs in with `password`.
async fn signed_in(app: &TestApp, username: &str, password: &str) -> Person {
    let mut p = app.visitor();
    let user: UserView = p
        .ok(
            "sign_in",
            json!({"username": username, "password": password}),
        )
        .await;
    p.user = Some(user);
    p
}

async fn still_in(p: &Person) -> bool {
    p.call::<Value>("my_spaces", json!({})).await.is_ok()
}

#[tokio::test]
async fn a_new_name_and_colour_are_what_everyone_sees_at_once() {
    let p = Parish::new().await;
    // Seen once, so the session is in the server's short cache.
    let _: Value = p.dave.ok("my_spaces", json!({})).await;
    let me: UserView = p
        .dave
        .ok(
            "update_profile",
            json!({"display_name": "  Dave   Brown ", "avatar_color": "#B91C1C"}),
        )
        .await;
    assert_eq!(me.display_name, "Dave Brown");
    assert_eq!(me.avatar_color, "#b91c1c");
    let now: Option<UserView> = p.dave.ok("current_user", json!({})).await;
    assert_eq!(
        now.unwrap().display_name,
        "Dave Brown",
        "not the cached name"
    );
    let page: MemberDirectory = p.carol.ok("people_page", json!({})).await;
    let dave = page
        .members
        .iter()
        .find(|m| m.user.id == p.dave.id())
        .unwrap();
    assert_eq!(
        (
            dave.user.display_name.as_str(),
            dave.user.avatar_color.as_str()
        ),
        ("Dave Brown", "#b91c1c")
    );
}

#[tokio::test]
async fn a_bad_name_or_colour_is_refused_with_a_message_and_changes_nothing() {
    let p = Parish::new().await;
    let long = "x".repeat(65);
    for (name, color, says) in [
        ("   ", "#1d4ed8", "display name"),
        (long.as_str(), "#1d4ed8", "at most 64"),
        ("Dave", "#123456", "avatar colour"),
        ("Dave", "red", "avatar colour"),
        ("Dave", "", "avatar colour"),
    ] {
        let (status, error) = p
            .dave
            .fails(
                "update_profile",
                json!({"display_name": name, "avatar_color": color}),
            )
            .await;
        assert_eq!(status, 400, "{name:?} {color:?}");
        assert!(error.message.contains(says), "{:?}", error.message);
    }
    let (status, _) = p
        .dave
        .fails("update_profile", json!({"display_name": "D"}))
        .await;
    assert_eq!(status, 400, "a missing argument");
    let me: Option<UserView> = p.dave.ok("current_user", json!({})).await;
    assert_eq!(me.unwrap().display_name, "Dave Test", "unchanged");
}

#[tokio::test]
async fn a_password_changes_only_with_the_current_one_and_ends_every_other_session() {
    let p = Parish::new().await;
    let laptop = signed_in(&p.app, "dave", PASSWORD).await;
    let mut tab = laptop.listen().await;
    let new = "a-much-better-password";

    let (status, error) = p
        .dave
        .fails(
            "change_password",
            json!({"current": "not-it-at-all", "new": new}),
        )
        .await;
    assert_eq!(status, 403);
    assert!(error.message.contains("current password"));
    let (status, error) = p
        .dave
        .fails(
            "change_password",
            json!({"current": PASSWORD, "new": "short"}),
        )
        .await;
    assert_eq!(status, 400);
    assert!(error.message.contains("8 characters"));
    assert!(still_in(&laptop).await, "nothing changed yet");

    let ended: u64 = p
        .dave
        .ok("change_password", json!({"current": PASSWORD, "new": new}))
        .await;
    assert_eq!(ended, 1, "the laptop's session");
    assert!(still_in(&p.dave).await, "this session stays");
    // The laptop's open tab is told at once (4001: signed out), not at
    // its next session check 30 s on.
    let closed = tokio::time::timeout(std::time::Duration::from_secs(2), tab.close_code()).await;
    assert_eq!(
        closed.ok().flatten(),
        Some(4001),
        "the open stream closes now"
    );
    // The laptop's old cookie, by every door: a server function, the live
    // stream, a refresh of the page's data.
    let (status, _) = laptop.fails("my_spaces", json!({})).await;
    assert_eq!(status, 401);
    assert!(laptop.live("").await.is_err(), "the live stream refuses it");
    let none: Option<UserView> = laptop.ok("current_user", json!({})).await;
    assert!(none.is_none());
    // The old password is gone; the new one signs in.
    let (status, _) = p
        .app
        .visitor()
        .fails("sign_in", json!({"username": "dave", "password": PASSWORD}))
        .await;
    assert_eq!(status, 401);
    let again = signed_in(&p.app, "dave", new).await;
    assert!(still_in(&again).await);
}

#[tokio::test]
async fn wrong_current_passwords_are_limited_like_sign_ins() {
    let app = TestApp::with_config(|c| c.limits.sign_in_per_user = 2).await;
    let p = Parish::in_app(app).await;
    let wrong = json!({"current": "guess-number-x", "new": "whatever-else-1"});
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(p.dave.fails("change_password", wrong.clone()).await.0);
    }
    assert_eq!(statuses[..2], [403, 403]);
    assert!(statuses[2..].contains(&429), "{statuses:?}");
}

#[tokio::test]
async fn sign_out_everywhere_else_keeps_only_this_session() {
    let p = Parish::new().await;
    let phone = signed_in(&p.app, "dave", PASSWORD).await;
    let laptop = signed_in(&p.app, "dave", PASSWORD).await;
    assert!(still_in(&phone).await && still_in(&laptop).await);
    let ended: u64 = phone.ok("sign_out_elsewhere", json!({})).await;
    assert_eq!(ended, 2, "the first browser's and the laptop's");
    assert!(still_in(&phone).await);
    for gone in [&p.dave, &laptop] {
        let (status, _) = gone.fails("my_spaces", json!({})).await;
        assert_eq!(status, 401);
    }
    // Bob's sessions are his own.
    assert!(still_in(&p.bob).await);
    let again: u64 = phone.ok("sign_out_elsewhere", json!({})).await;
    assert_eq!(again, 0);
}
