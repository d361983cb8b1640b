//! The authorization matrix: every server function and every route, tried
//! by nine kinds of caller against a fresh scene, from one table. A server
//! function or route with no row fails the test, so a new endpoint cannot
//! land without saying who may use it.
//!
//! The scene: a parish (alice admin, bob coordinator, carol, erin, rita and
//! mel members) and another community (quinn its coordinator, nora a
//! member). A group channel of alice, bob, carol, erin and rita has a live
//! call that alice started: bob and carol answered, erin is still rung,
//! rita answered and was removed by alice. A studio has alice (owner) and
//! carol, with its voice room open.

use std::collections::BTreeSet;

use belfry::contract::call_types::{CallView, RoomAccess};
use belfry::contract::ids::{CallId, ChannelId, InvitationId, StudioId};
use belfry::contract::invitations::NewInvitation;
use belfry::contract::types::{ChannelSummary, Role as CommunityRole, UserView};
use belfry::server::db;
use reqwest::Method;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::common::{Person, TestApp, PASSWORD};

/// What a caller gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Allowed: a 2xx.
    A,
    /// Refused for who they are: 401 for a visitor, else 403 or 404.
    D,
    /// Let through, refused by the call's state: 409.
    C,
    /// Let through, refused as malformed: 400.
    B,
    /// Not offered to anyone: 404.
    N,
}
use Outcome::{A, B, C, D, N};

/// The nine callers, in the table's column order.
const ROLES: [&str; 9] = [
    "visitor",
    "stranger",
    "member",
    "invitee",
    "participant",
    "removed",
    "other moderator",
    "moderator",
    "admin",
];

const ALL: [Outcome; 9] = [A; 9];
const SIGNED_IN: [Outcome; 9] = [D, A, A, A, A, A, A, A, A];
const CHANNEL: [Outcome; 9] = [D, D, D, A, A, A, D, A, A];
const MODERATORS: [Outcome; 9] = [D, D, D, D, D, D, D, A, A];
const IN_CALL: [Outcome; 9] = [D, D, D, C, A, C, D, A, A];
const RUNG: [Outcome; 9] = [D, D, D, A, C, D, D, C, C];
const STUDIO: [Outcome; 9] = [D, D, D, D, A, D, D, D, A];
const OWNER: [Outcome; 9] = [D, D, D, D, D, D, D, D, A];
const ADMIN: [Outcome; 9] = [D, D, D, D, D, D, D, D, A];
const NOWHERE: [Outcome; 9] = [N; 9];

/// Every door, and who gets through it. Server functions by name; routes
/// as "METHOD path" (WS: a WebSocket upgrade).
const TABLE: &[(&str, [Outcome; 9])] = &[
    ("sign_up", ALL),
    ("sign_in", SIGNED_IN),
    ("sign_out", ALL),
    ("current_user", ALL),
    ("my_spaces", SIGNED_IN),
    ("get_channel", CHANNEL),
    ("open_chat", CHANNEL),
    ("list_messages", CHANNEL),
    ("send_message", CHANNEL),
    ("mark_read", CHANNEL),
    ("open_direct_channel", [D, D, A, A, B, A, D, A, A]),
    ("create_group_channel", MODERATORS),
    ("my_groups", SIGNED_IN),
    ("rename_group", MODERATORS),
    ("add_group_members", MODERATORS),
    ("archive_group", MODERATORS),
    ("community_members", [D, D, A, A, A, A, D, A, A]),
    ("set_member_role", ADMIN),
    ("remove_community_member", ADMIN),
    ("list_invitations", MODERATORS),
    ("create_invitation", MODERATORS),
    ("revoke_invitation", MODERATORS),
    // A stranger holding a link may see whom it joins: no account needed.
    ("preview_invitation", ALL),
    // Someone signed in joins with their account; those in it already, 409.
    ("join_invitation", [D, A, C, C, C, C, A, C, C]),
    ("initiate_call", RUNG),
    ("answer_call", RUNG),
    ("answer_and_join", RUNG),
    ("decline_call", [D, D, D, A, C, C, D, C, C]),
    ("cancel_call", [D, D, D, D, D, D, D, D, C]),
    ("leave_call", IN_CALL),
    ("end_call", MODERATORS),
    ("add_participant", MODERATORS),
    ("mute_participant", MODERATORS),
    ("remove_participant", MODERATORS),
    ("call_token", IN_CALL),
    ("active_call", CHANNEL),
    ("get_call", CHANNEL),
    ("incoming_calls", SIGNED_IN),
    ("call_history", SIGNED_IN),
    ("calls_page", SIGNED_IN),
    ("people_page", SIGNED_IN),
    ("update_profile", SIGNED_IN),
    // The same password again: allowed, and nothing the later rows need
    // changes (only the caller's other sessions end).
    ("change_password", SIGNED_IN),
    ("sign_out_elsewhere", SIGNED_IN),
    ("list_api_tokens", SIGNED_IN),
    ("list_webhooks", ADMIN),
    ("create_webhook", ADMIN),
    ("delete_webhook", ADMIN),
    ("create_api_token", SIGNED_IN),
    // The scene's token is alice's: only she may revoke it.
    ("revoke_api_token", ADMIN),
    ("missed_calls", SIGNED_IN),
    ("mark_calls_seen", SIGNED_IN),
    ("my_calls", SIGNED_IN),
    ("push_key", SIGNED_IN),
    ("push_subscribe", SIGNED_IN),
    ("push_unsubscribe", SIGNED_IN),
    ("join_studio_voice", STUDIO),
    ("get_studio", STUDIO),
    ("remove_studio_member", OWNER),
    ("studio_candidates", OWNER),
    ("add_studio_member", OWNER),
    ("remove_channel_member", MODERATORS),
    ("GET /api/voice/token", IN_CALL),
    ("GET /api/voice/active", SIGNED_IN),
    ("POST /api/studio/{id}/voice", STUDIO),
    ("DELETE /api/studio/{id}/voice", OWNER),
    ("GET /api/push/key", SIGNED_IN),
    ("POST /api/push/subscribe", SIGNED_IN),
    ("POST /api/push/unsubscribe", SIGNED_IN),
    ("WS /api/events", SIGNED_IN),
    // A token that still carries a valid signature (kept, or handed on):
    // only those call control admits now get in.
    ("WS /rtc", [D, D, D, D, A, D, D, A, A]),
    ("GET /rtc/validate", [D, D, D, D, A, D, D, A, A]),
    ("ANY /rtc/v1", NOWHERE),
    ("ANY /rtc/v1/validate", NOWHERE),
    ("ANY /api/{*rest}", NOWHERE),
    ("GET /api/openapi.json", ALL),
    ("GET /healthz", ALL),
    ("GET /readyz", ALL),
    // Aggregate counts; only a bearer of BELFRY_METRICS_TOKEN when it is
    // set (tests/it/metrics.rs).
    ("GET /metrics", ALL),
    // LiveKit's server API wants a server-API token: a room token (which
    // anyone in a call may hold) grants none of it.
    ("POST /twirp/livekit.RoomService/{method}", [D; 9]),
    // LiveKit's webhooks are taken only in LiveKit mode.
    ("POST /api/livekit/webhook", NOWHERE),
    // The tests' site has no service worker file: nobody gets one.
    ("GET /sw.js", NOWHERE),
];

struct World {
    app: TestApp,
    /// Users by role (no visitor), in `ROLES` order from index 1.
    people: Vec<Person>,
    /// An admin-scope API token of each of them, in the same order.
    tokens: Vec<String>,
    community: i64,
    studio: StudioId,
}

struct Scene {
    /// An API token of alice's, for revoking.
    token: i64,
    /// A webhook of the parish's, for deleting.
    webhook: i64,
    group: ChannelId,
    call: CallId,
    /// A fresh open link to the parish, made by alice.
    invitation: InvitationId,
    invitation_code: String,
}

impl World {
    async fn new() -> Self {
        // Webhooks go to a closed port on loopback, never out.
        let app =
            TestApp::with_config(|c| c.webhooks.trusted_hosts = vec!["127.0.0.1:9".into()]).await;
        let mut people = Vec::new();
        // pat (index 9, no column of the table) is the parish member whose
        // role the admins change and whom they remove; `clear` puts him back.
        for name in [
            "nora", "mel", "erin", "carol", "rita", "quinn", "bob", "alice", "pat",
        ] {
            people.push(app.person(name).await);
        }
        let db = &app.state.db;
        let community = db::communities::default_community(db)
            .await
            .unwrap()
            .unwrap();
        let id = |role: usize| people[role - 1].id();
        // The first to sign up (nora) was made the parish's admin: the
        // roles are set here instead. nora and quinn belong to another
        // community only; alice administers the parish, bob coordinates.
        belfry::on_db!(db => sqlx::query("DELETE FROM community_members WHERE user_id IN ($1, $2)")
            .bind(id(1))
            .bind(id(6))
            .execute(db)
            .await.map(|r| r.rows_affected()))
        .unwrap();
        db::communities::add_member(db, community, id(8), CommunityRole::Admin)
            .await
            .unwrap();
        db::communities::add_member(db, community, id(7), CommunityRole::Coordinator)
            .await
            .unwrap();
        let other = db::communities::insert(db, "Another Parish").await.unwrap();
        db::communities::add_member(db, other, id(1), CommunityRole::Member)
            .await
            .unwrap();
        db::communities::add_member(db, other, id(6), CommunityRole::Coordinator)
            .await
            .unwrap();
        let studio = db::studios::insert(db, "Studio", id(8)).await.unwrap();
        db::studios::add_member(db, studio, id(8), true)
            .await
            .unwrap();
        db::studios::add_member(db, studio, id(4), false)
            .await
            .unwrap();
        let mut tokens = Vec::new();
        for person in &people {
            let made: Value = person
                .ok(
                    "create_api_token",
                    json!({"name": "matrix", "scope": "admin", "expires_in_days": null}),
                )
                .await;
            tokens.push(made["token"].as_str().unwrap().to_string());
        }
        Self {
            app,
            people,
            tokens,
            community: community.0,
            studio,
        }
    }

    fn person(&self, role: usize) -> &Person {
        &self.people[role - 1]
    }

    async fn scene(&self, n: usize) -> Scene {
        let (alice, bob, carol, erin, rita) = (
            self.person(8),
            self.person(7),
            self.person(4),
            self.person(3),
            self.person(5),
        );
        let group: ChannelSummary = alice
            .ok(
                "create_group_channel",
                json!({"community_id": self.community, "name": format!("Group {n}"),
                       "member_ids": [bob.id(), carol.id(), erin.id(), rita.id()]}),
            )
            .await;
        let call: CallView = alice
            .ok("initiate_call", json!({"channel_id": group.id}))
            .await;
        for who in [bob, carol, rita] {
            let _: CallView = who.ok("answer_call", json!({"call_id": call.id})).await;
        }
        let _: CallView = alice
            .ok(
                "remove_participant",
                json!({"call_id": call.id, "user_id": rita.id()}),
            )
            .await;
        let _: RoomAccess = alice
            .ok("join_studio_voice", json!({"studio_id": self.studio}))
            .await;
        let made: NewInvitation = alice
            .ok(
                "create_invitation",
                json!({"community_id": self.community, "hours": 24, "max_uses": 5}),
            )
            .await;
        let invitation_code = made
            .path
            .rsplit_once('=')
            .map(|(_, code)| code.to_string())
            .expect("a code in the link");
        let token: Value = alice
            .ok(
                "create_api_token",
                json!({"name": format!("scene {n}"), "scope": "read"}),
            )
            .await;
        let hook: Value = alice
            .ok(
                "create_webhook",
                json!({"community_id": self.community, "url": format!("http://127.0.0.1:9/scene-{n}")}),
            )
            .await;
        Scene {
            token: token["view"]["id"].as_i64().unwrap(),
            webhook: hook["webhook"]["id"].as_i64().unwrap(),
            group: group.id,
            call: call.id,
            invitation: made.invitation.id,
            invitation_code,
        }
    }

    /// Ends the scene's call and puts carol back in the studio.
    async fn clear(&self, scene: &Scene) {
        let _ = self
            .person(8)
            .call::<Value>("delete_webhook", json!({"webhook_id": scene.webhook}))
            .await;
        let _ = self
            .person(8)
            .call::<Value>("revoke_api_token", json!({"token_id": scene.token}))
            .await;
        let _ = self
            .person(8)
            .call::<Value>("end_call", json!({"call_id": scene.call}))
            .await;
        let db = &self.app.state.db;
        let _ = db::channels::set_archived(db, scene.group, false).await;
        let _ = db::studios::add_member(db, self.studio, self.person(4).id(), false).await;
        let _ = db::studios::remove_member(db, self.studio, self.person(2).id()).await;
        let _ = self
            .person(8)
            .call::<Value>(
                "revoke_invitation",
                json!({"invitation_id": scene.invitation}),
            )
            .await;
        let parish = belfry::contract::ids::CommunityId(self.community);
        // nora and quinn, who may have joined through the scene's link.
        belfry::on_db!(db => sqlx::query(
            "DELETE FROM community_members WHERE community_id = $1 AND user_id IN ($2, $3)")
            .bind(parish)
            .bind(self.person(1).id())
            .bind(self.person(6).id())
            .execute(db)
            .await.map(|r| r.rows_affected()))
        .expect("strangers out of the parish again");
        db::communities::add_member(db, parish, self.person(9).id(), CommunityRole::Member)
            .await
            .expect("pat back in the parish");
    }

    /// The arguments each server function is called with in a scene.
    fn args(&self, name: &str, s: &Scene, role: usize, n: usize) -> Value {
        let (call, group, studio) = (s.call, s.group, self.studio);
        let carol = self.person(4).id();
        let rita = self.person(5).id();
        match name {
            "sign_up" => {
                json!({"username": format!("new{n}"), "display_name": "New", "password": PASSWORD})
            }
            "sign_in" => {
                let username = if role == 0 {
                    "alice"
                } else {
                    self.username(role)
                };
                let password = if role == 0 {
                    "not the password"
                } else {
                    PASSWORD
                };
                json!({"username": username, "password": password})
            }
            "get_channel" | "open_chat" | "list_messages" | "active_call" => {
                json!({"channel_id": group})
            }
            "send_message" => json!({"channel_id": group, "body": "hello"}),
            "mark_read" => json!({"channel_id": group, "message_id": 1_000_000}),
            "open_direct_channel" => json!({"user_id": carol}),
            "create_group_channel" => {
                json!({"community_id": self.community, "name": format!("Made {n}"), "member_ids": [carol]})
            }
            "community_members" | "list_invitations" => json!({"community_id": self.community}),
            "set_member_role" => json!({"community_id": self.community,
                "user_id": self.person(9).id(), "role": "coordinator"}),
            "remove_community_member" => {
                json!({"community_id": self.community, "user_id": self.person(9).id()})
            }
            "create_invitation" => {
                json!({"community_id": self.community, "hours": 168, "max_uses": 3})
            }
            "revoke_invitation" => json!({"invitation_id": s.invitation}),
            "preview_invitation" | "join_invitation" => json!({"code": s.invitation_code}),
            "rename_group" => json!({"channel_id": group, "name": format!("Renamed {n}")}),
            "add_group_members" => {
                json!({"channel_id": group, "user_ids": [self.person(2).id()]})
            }
            "archive_group" => json!({"channel_id": group, "archived": true}),
            "initiate_call" => json!({"channel_id": group}),
            "add_participant" => json!({"call_id": call, "user_id": rita}),
            "mute_participant" => json!({"call_id": call, "user_id": carol, "muted": true}),
            "remove_participant" => json!({"call_id": call, "user_id": carol}),
            "answer_call" | "answer_and_join" | "decline_call" | "cancel_call" | "leave_call"
            | "end_call" | "call_token" | "get_call" => json!({"call_id": call}),
            "join_studio_voice" | "get_studio" => json!({"studio_id": studio}),
            "remove_studio_member" => json!({"studio_id": studio, "user_id": carol}),
            "studio_candidates" => json!({"studio_id": studio}),
            "add_studio_member" => json!({"studio_id": studio, "user_id": self.person(2).id()}),
            "remove_channel_member" => json!({"channel_id": group, "user_id": carol}),
            "push_subscribe" => json!({
                "endpoint": format!("https://fcm.googleapis.com/fcm/send/m{n}"),
                "p256dh": format!("B{}", "A".repeat(86)),
                "auth": "AAAAAAAAAAAAAAAAAAAAAA",
                "device": format!("device-{n:04}"),
            }),
            "push_unsubscribe" => json!({"endpoint": "https://fcm.googleapis.com/fcm/send/x"}),
            "update_profile" => json!({"display_name": "Someone", "avatar_color": "#1d4ed8"}),
            "change_password" => json!({"current": PASSWORD, "new": PASSWORD}),
            "create_api_token" => json!({"name": format!("made {n}"), "scope": "read"}),
            "revoke_api_token" => json!({"token_id": s.token}),
            "list_webhooks" => json!({"community_id": self.community}),
            "create_webhook" => json!({"community_id": self.community,
                "url": format!("http://127.0.0.1:9/made-{n}")}),
            "delete_webhook" => json!({"webhook_id": s.webhook}),
            _ => json!({}),
        }
    }

    fn username(&self, role: usize) -> &str {
        &self.person(role).user.as_ref().expect("signed in").username
    }

    fn user(&self, role: usize) -> UserView {
        self.person(role).user.clone().expect("signed in")
    }

    /// The session cookie `role` calls with (none for the visitor). For
    /// signing out, a second session of theirs, so the first lives on.
    async fn cookie(&self, role: usize, door: &str) -> Option<String> {
        if role == 0 {
            return None;
        }
        if door == "sign_out" {
            let fresh = self.app.visitor();
            let _: UserView = fresh
                .ok(
                    "sign_in",
                    json!({"username": self.username(role), "password": PASSWORD}),
                )
                .await;
            return fresh.cookie_header();
        }
        self.person(role).cookie_header()
    }

    /// The `(header, value)` `role` calls with: their session cookie, or
    /// with `Via::Token` their API token (a made-up one for the visitor).
    async fn credential(
        &self,
        role: usize,
        door: &str,
        via: Via,
    ) -> Option<(&'static str, String)> {
        match via {
            Via::Cookie => self.cookie(role, door).await.map(|c| ("cookie", c)),
            Via::Token if role == 0 => Some(("authorization", "Bearer blf_made-up".into())),
            Via::Token => Some(("authorization", format!("Bearer {}", self.tokens[role - 1]))),
        }
    }

    /// Tries `door` as `role` in scene `s`: the status it answered.
    async fn knock(&self, door: &str, s: &Scene, role: usize, n: usize, via: Via) -> u16 {
        let credential = self.credential(role, door, via).await;
        let http = reqwest::Client::new();
        let with_cookie = |req: reqwest::RequestBuilder| match &credential {
            Some((name, value)) => req.header(*name, value),
            None => req,
        };
        let studio_path = format!("/api/studio/{}/voice", self.studio);
        let (method, path) = door.split_once(' ').unwrap_or(("FN", door));
        let send = |method: Method, path: String, body: Option<Value>| {
            let mut req = with_cookie(http.request(method, self.app.url(&path)));
            if let Some(body) = body {
                req = req.json(&body);
            }
            req.send()
        };
        let res = match (method, path) {
            ("FN", name) => {
                let body = self.args(name, s, role, n);
                send(Method::POST, format!("/api/{name}"), Some(body)).await
            }
            ("WS", "/api/events") => {
                let url = self.app.url("/api/events").replacen("http", "ws", 1);
                let mut req = url.into_client_request().unwrap();
                if let Some((name, value)) = &credential {
                    req.headers_mut().insert(*name, value.parse().unwrap());
                }
                return ws_status(tokio_tungstenite::connect_async(req).await);
            }
            ("WS", "/rtc") => {
                let url = format!(
                    "{}?protocol=16{}",
                    self.app.url("/rtc"),
                    self.token_query(role, s).await
                )
                .replacen("http", "ws", 1);
                return ws_status(tokio_tungstenite::connect_async(url).await);
            }
            ("GET", "/rtc/validate") => {
                let query = self.token_query(role, s).await;
                send(Method::GET, format!("/rtc/validate?x=1{query}"), None).await
            }
            ("GET", "/api/voice/token") => {
                send(
                    Method::GET,
                    format!("/api/voice/token?callId={}", s.call),
                    None,
                )
                .await
            }
            ("POST", "/api/studio/{id}/voice") => send(Method::POST, studio_path, None).await,
            ("DELETE", "/api/studio/{id}/voice") => send(Method::DELETE, studio_path, None).await,
            ("POST", "/api/push/subscribe") => {
                let body = json!({
                    "endpoint": format!("https://fcm.googleapis.com/fcm/send/r{n}"),
                    "keys": {"p256dh": format!("B{}", "A".repeat(86)), "auth": "AAAAAAAAAAAAAAAAAAAAAA"},
                    "device": format!("device-{n:04}"),
                });
                send(Method::POST, path.into(), Some(body)).await
            }
            ("POST", "/api/push/unsubscribe") => {
                let body = json!({"endpoint": "https://fcm.googleapis.com/fcm/send/x"});
                send(Method::POST, path.into(), Some(body)).await
            }
            ("POST", "/twirp/livekit.RoomService/{method}") => {
                let query = self.token_query(role, s).await;
                let mut req = http
                    .post(self.app.url("/twirp/livekit.RoomService/ListRooms"))
                    .header("content-type", "application/json")
                    .body("{}");
                if let Some(token) = query.strip_prefix("&access_token=") {
                    req = req.bearer_auth(token);
                }
                req.send().await
            }
            ("POST", "/api/livekit/webhook") => {
                let req = http
                    .post(self.app.url(path))
                    .header("content-type", "application/webhook+json")
                    .body("{}");
                with_cookie(req).send().await
            }
            ("ANY", "/api/{*rest}") => send(Method::GET, "/api/no-such-thing".into(), None).await,
            ("ANY", path) | ("GET", path) => send(Method::GET, path.into(), None).await,
            (method, path) => panic!("no way to knock on {method} {path}"),
        };
        res.expect("request sent").status().as_u16()
    }

    /// `&access_token=` with a validly signed token for the scene's room
    /// naming this role (as if they had kept one); none for the visitor.
    async fn token_query(&self, role: usize, s: &Scene) -> String {
        if role == 0 {
            return String::new();
        }
        let access: RoomAccess = self
            .person(8)
            .ok("call_token", json!({"call_id": s.call}))
            .await;
        let token = self
            .app
            .state
            .keys
            .mint(
                &access.room_name,
                &self.user(role),
                belfry::media::token::TOKEN_TTL,
            )
            .unwrap();
        format!("&access_token={token}")
    }
}

fn ws_status<S>(result: Result<S, tokio_tungstenite::tungstenite::Error>) -> u16 {
    match result {
        Ok(_) => 101,
        Err(tokio_tungstenite::tungstenite::Error::Http(res)) => res.status().as_u16(),
        Err(e) => panic!("the socket failed without an HTTP answer: {e}"),
    }
}

fn meets(outcome: Outcome, role: usize, status: u16) -> bool {
    match outcome {
        A => (200..300).contains(&status) || status == 101,
        D if role == 0 => status == 401,
        D => status == 403 || status == 404,
        C => status == 409,
        B => status == 400,
        N => status == 404,
    }
}

/// How a caller proves who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Via {
    Cookie,
    Token,
}

/// What `role` gets at `door` with an admin-scope API token, where
/// `with_session` is what their session gets: the same on the API's
/// operations, except those kept to the session (refused), and a made-up
/// token gets nowhere (401); addresses that are not the API's operations
/// do not look at it.
fn with_token(door: &str, with_session: Outcome, role: usize) -> Outcome {
    let (method, path) = match door.split_once(' ') {
        None => ("POST".to_string(), format!("/api/{door}")),
        Some(("WS", path)) => ("GET".to_string(), path.to_string()),
        Some((method, path)) => (method.to_string(), path.to_string()),
    };
    let method = Method::from_bytes(method.as_bytes()).unwrap();
    match belfry::server::openapi::access_for(&method, &path) {
        None => with_session,
        Some(_) if role == 0 => D,
        Some(
            belfry::server::openapi::Access::Session | belfry::server::openapi::Access::Visitor,
        ) => D,
        Some(_) => with_session,
    }
}

async fn run_table(via: Via) {
    let world = World::new().await;
    let mut failures = Vec::new();
    let mut n = 0;
    for (door, row) in TABLE {
        for (role, want) in row.iter().enumerate() {
            n += 1;
            let want = match via {
                Via::Cookie => *want,
                Via::Token => with_token(door, *want, role),
            };
            let scene = world.scene(n).await;
            let status = world.knock(door, &scene, role, n, via).await;
            if !meets(want, role, status) {
                failures.push(format!(
                    "{door} as {} ({via:?}): {status}, expected {want:?}",
                    ROLES[role]
                ));
            }
            world.clear(&scene).await;
        }
    }
    assert!(
        failures.is_empty(),
        "{} cells differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn every_endpoint_lets_in_exactly_whom_the_table_says() {
    run_table(Via::Cookie).await;
}

/// The same doors with API tokens instead of sessions: a token is let in
/// exactly where its owner is, no further.
#[tokio::test]
async fn an_api_token_gets_exactly_where_its_owner_does_and_never_past_the_session_doors() {
    run_table(Via::Token).await;
}

/// Every server function and every route in the source has a row.
#[test]
fn every_endpoint_has_a_row() {
    let rows: BTreeSet<&str> = TABLE.iter().map(|(door, _)| *door).collect();
    let mut missing = Vec::new();
    for (path, _) in leptos::server_fn::axum::server_fn_paths() {
        let name = path.trim_start_matches("/api/");
        if !rows.contains(name) {
            missing.push(path.to_string());
        }
    }
    for route in routes_in_source() {
        let found = rows.iter().any(|r| {
            r.split_once(' ').is_some_and(|(m, p)| {
                p == route.1 && (m == route.0 || (m == "WS" && route.0 == "GET"))
            })
        });
        if !found {
            missing.push(format!("{} {}", route.0, route.1));
        }
    }
    assert!(
        missing.is_empty(),
        "endpoints without a row in the table: {missing:?}"
    );
    assert!(
        rows.len() >= 50,
        "the table holds every door: {}",
        rows.len()
    );
}

/// `(METHOD, path)` of every `.route("path", method(...))` in src/server.
fn routes_in_source() -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src/server"
    ))];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for part in text.split(".route(").skip(1) {
                let call = within_parens(part);
                let Some(start) = call.find('"') else {
                    continue;
                };
                let rest = &call[start + 1..];
                let Some(end) = rest.find('"') else { continue };
                let route = rest[..end].to_string();
                for method in ["get", "post", "delete", "put", "patch", "any"] {
                    let called = rest[end..]
                        .match_indices(&format!("{method}("))
                        .any(|(i, _)| {
                            let before = rest[end..][..i].chars().last();
                            !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
                        });
                    if called {
                        found.push((method.to_uppercase(), route.clone()));
                    }
                }
            }
        }
    }
    found
}

/// The text of a call's arguments: `part` starts just inside `(`.
fn within_parens(part: &str) -> &str {
    let mut depth = 1;
    for (i, c) in part.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return &part[..i];
                }
            }
            _ => {}
        }
    }
    part
}
