//! API tokens as another app uses them: made in the profile (shown once,
//! stored hashed), sent as `Authorization: Bearer`, held to their scope
//! and limit, refused at once when revoked or expired, and never a way
//! past the session's own doors. The matrix (`security::matrix`) runs every
//! endpoint with tokens; these follow one app through.

use crate::common::{self, Parish, TestApp};

use belfry::calls::{CallStatus, ParticipantStatus};
use belfry::contract::call_types::CallView;
use belfry::server::db;
use serde_json::{json, Value};

/// A client that has only a token: no cookie jar, JSON only.
struct App {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl App {
    fn new(base: &str, token: &str) -> Self {
        Self {
            http: reqwest::Client::new(),
            base: base.to_string(),
            token: token.to_string(),
        }
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> (u16, Value, reqwest::header::HeaderMap) {
        let res = req.bearer_auth(&self.token).send().await.unwrap();
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap();
        let body = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{status}: not JSON ({e}): {text:?}"));
        (status, body, headers)
    }

    /// A server function.
    async fn call(&self, name: &str, args: Value) -> (u16, Value) {
        let req = self
            .http
            .post(format!("{}/api/{name}", self.base))
            .json(&args);
        let (status, body, _) = self.send(req).await;
        (status, body)
    }

    async fn ok(&self, name: &str, args: Value) -> Value {
        let (status, body) = self.call(name, args.clone()).await;
        assert_eq!(status, 200, "{name}({args}): {body}");
        body
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        let req = self.http.get(format!("{}{path}", self.base));
        let (status, body, _) = self.send(req).await;
        (status, body)
    }
}

/// `who` makes a token in their profile.
async fn make(who: &common::Person, scope: &str, days: Option<u32>) -> (String, i64) {
    let made: Value = who
        .ok(
            "create_api_token",
            json!({"name": format!("{scope} app"), "scope": scope, "expires_in_days": days}),
        )
        .await;
    (
        made["token"].as_str().unwrap().to_string(),
        made["view"]["id"].as_i64().unwrap(),
    )
}

#[tokio::test]
async fn a_token_is_shown_once_kept_only_as_a_hash_and_listed_with_its_scope_and_state() {
    let p = Parish::new().await;
    let made: Value = p
        .alice
        .ok(
            "create_api_token",
            json!({"name": "  Parish site  ", "scope": "calls", "expires_in_days": 30}),
        )
        .await;
    let token = made["token"].as_str().unwrap();
    assert!(token.starts_with("blf_") && token.len() > 40, "{token}");
    assert_eq!(made["view"]["name"], "Parish site");
    assert_eq!(made["view"]["scope"], "calls");
    assert_eq!(made["view"]["state"], "active");
    assert_eq!(made["view"]["hint"], token[token.len() - 4..]);
    let month = 30 * 86_400_000;
    let expires = made["view"]["expires_at"].as_i64().unwrap();
    let created = made["view"]["created_at"].as_i64().unwrap();
    assert_eq!(expires - created, month);

    // The list never shows it again, and the database holds no copy.
    let list: Value = p.alice.ok("list_api_tokens", json!({})).await;
    assert!(!list.to_string().contains(token));
    assert_eq!(list["tokens"][0]["id"], made["view"]["id"]);
    assert_eq!(list["scopes"], json!(["read", "calls", "admin"]));
    let db = &p.app.state.db;
    let stored: Vec<(String, String)> = belfry::on_db!(db => sqlx::query_as(
        "SELECT token_hash, token_hint FROM api_tokens")
        .fetch_all(db)
        .await)
    .unwrap();
    assert_eq!(stored.len(), 1);
    assert!(!stored[0].0.contains(token) && stored[0].0 != token);
    // Others do not see it.
    let bobs: Value = p.bob.ok("list_api_tokens", json!({})).await;
    assert_eq!(bobs["tokens"], json!([]));

    // Bad requests are told why.
    for (args, words) in [
        (json!({"name": " ", "scope": "read"}), "name"),
        (json!({"name": "x".repeat(61), "scope": "read"}), "name"),
        (
            json!({"name": "a", "scope": "read", "expires_in_days": 12}),
            "365",
        ),
    ] {
        let (status, err) = p.alice.fails("create_api_token", args).await;
        assert_eq!(status, 400);
        assert!(err.message.contains(words), "{}", err.message);
    }
    let (status, _) = p
        .alice
        .fails("create_api_token", json!({"name": "a", "scope": "root"}))
        .await;
    assert_eq!(status, 400, "an unknown scope");
}

#[tokio::test]
async fn a_whole_call_runs_on_tokens_alone_and_a_revoked_or_expired_token_is_refused_at_once() {
    let p = Parish::new().await;
    let (alice_token, _) = make(&p.alice, "calls", None).await;
    let (bob_token, bob_token_id) = make(&p.bob, "calls", Some(7)).await;
    let alice = App::new(&p.alice.base, &alice_token);
    let bob = App::new(&p.bob.base, &bob_token);

    let me = alice.ok("current_user", json!({})).await;
    assert_eq!(me["username"], "alice");
    let call = alice
        .ok("initiate_call", json!({"channel_id": p.direct}))
        .await;
    let call_id = call["id"].as_i64().unwrap();
    // Bob's app polls, sees the ring, answers with his own token.
    let (status, active) = bob.get("/api/voice/active").await;
    assert_eq!(status, 200);
    assert_eq!(active["call"]["id"], json!(call_id));
    assert_eq!(active["call"]["initiator"]["username"], "alice");
    let answered = bob.ok("answer_call", json!({"call_id": call_id})).await;
    assert_eq!(answered["status"], json!(CallStatus::Active));
    // Both get room tokens for the call's room, each naming its holder.
    let mut rooms = Vec::new();
    for (app, who) in [(&alice, &p.alice), (&bob, &p.bob)] {
        let (status, body) = app.get(&format!("/api/voice/token?callId={call_id}")).await;
        assert_eq!(status, 200, "{body}");
        let grant = p
            .app
            .state
            .keys
            .verify(body["token"].as_str().unwrap())
            .unwrap();
        assert_eq!(grant.identity, who.id().to_string());
        rooms.push(grant.room);
    }
    assert_eq!(rooms[0], rooms[1], "the same room");
    // One ends it.
    let ended = alice.ok("end_call", json!({"call_id": call_id})).await;
    assert_eq!(ended["status"], json!(CallStatus::Ended));
    let seen: CallView = p.bob.ok("get_call", json!({"call_id": call_id})).await;
    assert_eq!(seen.status, CallStatus::Ended);
    assert!(seen
        .participants
        .iter()
        .all(|x| x.status != ParticipantStatus::Connected));

    // Bob revokes his token in the profile: the next request is refused.
    let revoked: Value = p
        .bob
        .ok("revoke_api_token", json!({"token_id": bob_token_id}))
        .await;
    assert_eq!(revoked["state"], "revoked");
    let (status, body) = bob.call("current_user", json!({})).await;
    assert_eq!((status, body["kind"].as_str()), (401, Some("unauthorized")));
    assert!(body["message"].as_str().unwrap().contains("revoked"));
    assert_eq!(bob.get("/api/voice/active").await.0, 401);
    // Not by another door: his live stream, a REST route, a call action.
    let (status, _) = bob.call("answer_call", json!({"call_id": call_id})).await;
    assert_eq!(status, 401);
    let url = format!("{}/api/events", p.bob.base).replacen("http", "ws", 1);
    let mut req =
        tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(url)
            .unwrap();
    req.headers_mut().insert(
        "authorization",
        format!("Bearer {bob_token}").parse().unwrap(),
    );
    match tokio_tungstenite::connect_async(req).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(res)) => assert_eq!(res.status(), 401),
        other => panic!(
            "the live stream took a revoked token: {:?}",
            other.map(|_| ())
        ),
    }
    // Revoking twice says so; someone else's token is not theirs to revoke.
    let (status, _) = p
        .bob
        .fails("revoke_api_token", json!({"token_id": bob_token_id}))
        .await;
    assert_eq!(status, 409);
    let (_, alice_token_id) = make(&p.alice, "read", None).await;
    let (status, _) = p
        .bob
        .fails("revoke_api_token", json!({"token_id": alice_token_id}))
        .await;
    assert_eq!(status, 404);

    // Alice's token expires (its time moved past): refused at once.
    let db = &p.app.state.db;
    belfry::on_db!(db => sqlx::query("UPDATE api_tokens SET expires_at = $1 WHERE user_id = $2")
        .bind(db::now_ms() - 1)
        .bind(p.alice.id())
        .execute(db)
        .await.map(|r| r.rows_affected()))
    .unwrap();
    let (status, body) = alice.call("current_user", json!({})).await;
    assert_eq!(status, 401);
    assert!(body["message"].as_str().unwrap().contains("expired"));
    let list: Value = p.alice.ok("list_api_tokens", json!({})).await;
    assert!(list["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["state"] == "expired"));
}

#[tokio::test]
async fn a_token_is_held_to_its_scope_and_a_cookie_beside_it_adds_nothing() {
    let p = Parish::new().await;
    let base = &p.alice.base;
    let (read, _) = make(&p.alice, "read", None).await;
    let (calls, _) = make(&p.alice, "calls", None).await;
    let (admin, _) = make(&p.alice, "admin", None).await;
    let read = App::new(base, &read);
    let calls = App::new(base, &calls);
    let admin = App::new(base, &admin);

    assert_eq!(read.call("my_spaces", json!({})).await.0, 200);
    let (status, body) = read
        .call("initiate_call", json!({"channel_id": p.direct}))
        .await;
    assert_eq!(status, 403);
    assert!(
        body["message"].as_str().unwrap().contains("\"read\""),
        "{body}"
    );
    assert_eq!(read.get("/api/voice/token?callId=1").await.0, 403);
    let send = json!({"channel_id": p.choir, "body": "from an app"});
    assert_eq!(read.call("send_message", send.clone()).await.0, 403);
    assert_eq!(calls.call("send_message", send.clone()).await.0, 403);
    assert_eq!(admin.call("send_message", send).await.0, 200);
    let call = calls
        .ok("initiate_call", json!({"channel_id": p.direct}))
        .await;
    assert_eq!(call["initiator"]["username"], "alice");

    // A read token beside alice's own session cookie is still a read token.
    let res = p
        .alice
        .http
        .post(format!("{base}/api/end_call"))
        .bearer_auth(&read.token)
        .json(&json!({"call_id": call["id"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // The session's own doors refuse every token, admin included: it
    // cannot make more tokens, change the password or sign anyone out.
    for (name, args) in [
        (
            "create_api_token",
            json!({"name": "more", "scope": "admin"}),
        ),
        ("list_api_tokens", json!({})),
        (
            "change_password",
            json!({"current": common::PASSWORD, "new": "x".repeat(12)}),
        ),
        ("sign_out_elsewhere", json!({})),
        ("sign_out", json!({})),
    ] {
        let (status, body) = admin.call(name, args).await;
        assert_eq!(status, 403, "{name}: {body}");
    }
    // Pages never take a token: with only a token, the app is signed out.
    let page = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{base}/calls"))
        .header("accept", "text/html")
        .bearer_auth(&admin.token)
        .send()
        .await
        .unwrap();
    let status = page.status().as_u16();
    let location = page
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string());
    assert_eq!((status, location.as_deref()), (302, Some("/signin")));
}

#[tokio::test]
async fn bad_tokens_get_401s_that_say_why_and_an_address_that_keeps_sending_them_gets_429s() {
    let app = TestApp::with_config(|c| c.limits.bad_api_tokens_per_address = 3).await;
    let alice = app.person("alice").await;
    let (good, _) = make(&alice, "read", None).await;
    let http = reqwest::Client::new();
    let knock = |auth: String| {
        let req = http
            .post(app.url("/api/current_user"))
            .header("authorization", auth)
            .json(&json!({}));
        async move {
            let res = req.send().await.unwrap();
            let status = res.status().as_u16();
            let retry = res.headers().get("retry-after").is_some();
            (status, res.json::<Value>().await.unwrap(), retry)
        }
    };
    let (status, body, _) = knock("Bearer not-ours".into()).await;
    assert_eq!(status, 401);
    assert!(body["message"].as_str().unwrap().contains("blf_"));
    let (status, body, _) = knock("Basic YWxpY2U6cHc=".into()).await;
    assert_eq!(status, 401);
    assert!(body["message"].as_str().unwrap().contains("Bearer"));
    let (status, _, _) = knock("Bearer blf_unknown".into()).await;
    assert_eq!(status, 401);
    let (status, body, retry) = knock("Bearer blf_unknown".into()).await;
    assert_eq!(status, 429, "{body}");
    assert!(retry, "429 carries Retry-After");
    // A good token from the same address is not held up.
    let (status, body, _) = knock(format!("Bearer {good}")).await;
    assert_eq!((status, body["username"].as_str()), (200, Some("alice")));
}

#[tokio::test]
async fn each_token_has_its_own_request_limit() {
    let app = TestApp::with_config(|c| c.limits.api_requests_per_minute = 3).await;
    let alice = app.person("alice").await;
    let (first, _) = make(&alice, "read", None).await;
    let (second, _) = make(&alice, "read", None).await;
    let first = App::new(&alice.base, &first);
    let second = App::new(&alice.base, &second);
    for _ in 0..3 {
        assert_eq!(first.call("current_user", json!({})).await.0, 200);
    }
    let req = first.http.get(format!("{}/api/voice/active", first.base));
    let (status, body, headers) = first.send(req).await;
    assert_eq!(status, 429, "{body}");
    assert!(headers.contains_key("retry-after"));
    assert!(body["message"].as_str().unwrap().contains("API token"));
    assert_eq!(second.call("current_user", json!({})).await.0, 200);
    // The session is not counted against the token.
    let me: Value = alice.ok("current_user", json!({})).await;
    assert_eq!(me["username"], "alice");
}
