//! Signing up, in and out, over HTTP against the real server.

use crate::common;

use belfry::contract::types::{Role, Spaces, UserView};
use belfry::contract::ErrorKind;
use belfry::server::{auth, db};
use common::{TestApp, PASSWORD};
use serde_json::json;

#[tokio::test]
async fn sign_up_signs_in_and_sign_out_signs_out() {
    let app = TestApp::new().await;
    let alice = app.person("alice").await;
    let me: Option<UserView> = alice.ok("current_user", json!({})).await;
    assert_eq!(me.as_ref().map(|u| u.username.as_str()), Some("alice"));
    assert_eq!(me.unwrap().display_name, "Alice Test");

    alice.ok::<()>("sign_out", json!({})).await;
    let me: Option<UserView> = alice.ok("current_user", json!({})).await;
    assert_eq!(me, None, "the session ended");
    let (status, err) = alice.fails("my_spaces", json!({})).await;
    assert_eq!((status, err.kind), (401, ErrorKind::Unauthorized));

    let back: UserView = alice
        .ok(
            "sign_in",
            json!({"username": "ALICE", "password": PASSWORD}),
        )
        .await;
    assert_eq!(back.username, "alice", "usernames are case-insensitive");
    assert!(alice
        .ok::<Option<UserView>>("current_user", json!({}))
        .await
        .is_some());
}

#[tokio::test]
async fn sign_out_ends_only_that_session_and_the_cookie_is_safe() {
    let app = TestApp::new().await;
    let laptop = app.person("alice").await;
    let phone = app.visitor();
    let res = phone
        .post_raw(
            "sign_in",
            json!({"username": "alice", "password": PASSWORD}).to_string(),
        )
        .await;
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(!cookie.contains(PASSWORD));
    laptop.ok::<()>("sign_out", json!({})).await;
    let (status, _) = laptop.fails("my_spaces", json!({})).await;
    assert_eq!(status, 401);
    let spaces: Spaces = phone.ok("my_spaces", json!({})).await;
    assert_eq!(spaces.communities.len(), 1, "the phone stays signed in");
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_the_same_answer() {
    let app = TestApp::new().await;
    app.person("alice").await;
    let v = app.visitor();
    let wrong = v
        .fails(
            "sign_in",
            json!({"username": "alice", "password": "not the password"}),
        )
        .await;
    let unknown = v
        .fails(
            "sign_in",
            json!({"username": "nobody", "password": PASSWORD}),
        )
        .await;
    assert_eq!(wrong.0, 401);
    assert_eq!(
        wrong, unknown,
        "the answer must not reveal which usernames exist"
    );
    assert_eq!(wrong.1.message, "Wrong username or password.");
    assert!(v.cookie_header().is_none(), "no session was started");
}

#[tokio::test]
async fn duplicate_usernames_are_refused_whatever_their_case() {
    let app = TestApp::new().await;
    app.person("alice").await;
    let (status, err) = app
        .visitor()
        .fails(
            "sign_up",
            json!({"username": "Alice", "display_name": "Other", "password": PASSWORD}),
        )
        .await;
    assert_eq!((status, err.kind), (409, ErrorKind::Conflict));
    assert!(err.message.contains("taken"), "{}", err.message);
}

#[tokio::test]
async fn sign_up_checks_its_fields() {
    let app = TestApp::new().await;
    let v = app.visitor();
    for (username, name, password, needle) in [
        ("al", "Al", PASSWORD, "username"),
        ("bad name", "Bad", PASSWORD, "username"),
        ("alice", "   ", PASSWORD, "display name"),
        ("alice", "Alice", "short", "8 characters"),
    ] {
        let (status, err) = v
            .fails(
                "sign_up",
                json!({"username": username, "display_name": name, "password": password}),
            )
            .await;
        assert_eq!(status, 400, "{username:?} {name:?}");
        assert!(
            err.message.contains(needle),
            "{:?} should mention {needle}",
            err.message
        );
    }
    assert_eq!(
        db::users::count(&app.state.db).await.unwrap(),
        0,
        "nothing was created"
    );
}

#[tokio::test]
async fn the_first_account_administers_the_community_and_later_ones_are_members() {
    let app = TestApp::new().await;
    let first = app.person("alice").await;
    let second = app.person("bob").await;
    let a: Spaces = first.ok("my_spaces", json!({})).await;
    let b: Spaces = second.ok("my_spaces", json!({})).await;
    assert_eq!(a.communities[0].role, Role::Admin);
    assert_eq!(b.communities[0].role, Role::Member);
    assert_eq!(a.communities[0].name, "Our Parish");
    assert_eq!(b.channels.len(), 1, "the parish hall");
}

#[tokio::test]
async fn a_signup_code_when_configured_is_required() {
    let app = TestApp::with_config(|c| c.signup_code = Some("bells-42".into())).await;
    let v = app.visitor();
    let form = json!({"username": "alice", "display_name": "Alice", "password": PASSWORD});
    let (status, _) = v.fails("sign_up", form.clone()).await;
    assert_eq!(status, 403);
    let mut wrong = form.clone();
    wrong["invite_code"] = json!("bells-41");
    assert_eq!(v.fails("sign_up", wrong).await.0, 403);
    let mut right = form;
    right["invite_code"] = json!("bells-42");
    let user: UserView = v.ok("sign_up", right).await;
    assert_eq!(user.username, "alice");
}

#[tokio::test]
async fn forged_and_expired_cookies_are_refused_with_a_reason() {
    let app = TestApp::new().await;
    let alice = app.person("alice").await;
    let forged = reqwest::Client::new()
        .post(app.url("/api/my_spaces"))
        .header("content-type", "application/json")
        .header(
            "cookie",
            "belfry_session=forged-token-that-was-never-issued",
        )
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);
    let err: belfry::contract::ApiError = forged.json().await.unwrap();
    assert!(err.message.contains("not valid"), "{}", err.message);

    // Age alice's session past its expiry.
    let cookie = alice.cookie_header().unwrap();
    let token = cookie.trim_start_matches("belfry_session=");
    db::sessions::set_expiry(&app.state.db, &auth::token_hash(token), db::now_ms() - 1)
        .await
        .unwrap();
    let (status, err) = alice.fails("my_spaces", json!({})).await;
    assert_eq!(status, 401);
    assert!(err.message.contains("expired"), "{}", err.message);
}

#[tokio::test]
async fn the_database_holds_no_usable_session_token() {
    let app = TestApp::new().await;
    let alice = app.person("alice").await;
    let cookie = alice.cookie_header().unwrap();
    let token = cookie.trim_start_matches("belfry_session=").to_string();
    let stored: Vec<String> = {
        let db = &app.state.db;
        belfry::on_db!(db => sqlx::query_scalar("SELECT token_hash FROM sessions")
        .fetch_all(db)
        .await)
    }
    .unwrap();
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0], token);
    assert_eq!(stored[0], auth::token_hash(&token));
    let hash: String = {
        let db = &app.state.db;
        belfry::on_db!(db => sqlx::query_scalar("SELECT password_hash FROM users")
        .fetch_one(db)
        .await)
    }
    .unwrap();
    assert!(hash.starts_with("$argon2"), "passwords are argon2 hashes");
}
