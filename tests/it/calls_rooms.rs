//! Room tokens and the REST shapes: call tokens, the polling fallback, and
//! studios' drop-in rooms.

use crate::common;

use belfry::calls::{CallStatus, ParticipantStatus};
use belfry::contract::call_types::{Answered, CallView, RoomAccess};
use belfry::media::control::MediaCommand;
use belfry::server::db;
use common::Parish;
use serde_json::{json, Value};

#[tokio::test]
async fn a_call_token_is_for_that_call_s_room_that_user_and_ten_minutes() {
    let p = Parish::new().await;
    let call: CallView = p
        .alice
        .ok("initiate_call", json!({"channel_id": p.direct}))
        .await;
    let (status, err) = p.bob.fails("call_token", json!({"call_id": call.id})).await;
    assert_eq!(status, 409, "ringing is not joined yet: {}", err.message);
    let _: CallView = p.bob.ok("answer_call", json!({"call_id": call.id})).await;
    let access: RoomAccess = p.bob.ok("call_token", json!({"call_id": call.id})).await;
    let grant = p
        .app
        .state
        .keys
        .verify(&access.token)
        .expect("a valid LiveKit token");
    assert_eq!(grant.identity, p.bob.id().to_string());
    assert_eq!(grant.name, "Bob Test");
    assert_eq!(grant.room, access.room_name);
    let stored: String = {
        let db = &p.app.state.db;
        belfry::on_db!(db => sqlx::query_scalar("SELECT room_name FROM voice_calls WHERE id = $1")
        .bind(call.id)
        .fetch_one(db)
        .await)
    }
    .unwrap();
    assert_eq!(access.room_name, stored);
    let ttl = access.expires_at - db::now_ms();
    assert!(
        (590_000..=600_000).contains(&ttl),
        "about ten minutes, got {ttl} ms"
    );
    assert_eq!(access.room_url, format!("ws://{}", p.app.addr));
    // Another call's participant gets another room.
    let hall: CallView = p
        .dave
        .ok(
            "initiate_call",
            json!({"channel_id": p.hall, "invitees": [p.carol.id()]}),
        )
        .await;
    let other: RoomAccess = p.dave.ok("call_token", json!({"call_id": hall.id})).await;
    assert_ne!(other.room_name, access.room_name);
    let (status, _) = p
        .carol
        .fails("call_token", json!({"call_id": call.id}))
        .await;
    assert_eq!(status, 403, "carol cannot see alice and bob's channel");
    let _: CallView = p.alice.ok("end_call", json!({"call_id": call.id})).await;
    let (status, _) = p.bob.fails("call_token", json!({"call_id": call.id})).await;
    assert_eq!(status, 409, "no tokens for a finished call");
}

#[tokio::test]
async fn answering_brings_the_room_token_in_the_same_round_trip() {
    let p = Parish::new().await;
    let call: CallView = p
        .alice
        .ok("initiate_call", json!({"channel_id": p.direct}))
        .await;
    // Someone who cannot see the call answers nothing and gets no token.
    let (status, _) = p
        .carol
        .fails("answer_and_join", json!({"call_id": call.id}))
        .await;
    assert_eq!(status, 403);
    let ringing: CallView = p.bob.ok("get_call", json!({"call_id": call.id})).await;
    assert_eq!(ringing.status, CallStatus::Ringing);

    let answered: Answered = p
        .bob
        .ok("answer_and_join", json!({"call_id": call.id}))
        .await;
    assert_eq!(answered.call.id, call.id);
    assert_eq!(answered.call.status, CallStatus::Active);
    let me = answered.call.participant(p.bob.id()).expect("bob is in it");
    assert_eq!(me.status, ParticipantStatus::Connected);
    let grant = p
        .app
        .state
        .keys
        .verify(&answered.access.token)
        .expect("a valid LiveKit token");
    assert_eq!(grant.identity, p.bob.id().to_string());
    assert_eq!(grant.room, answered.access.room_name);
    // The same room a separate token request gives.
    let again: RoomAccess = p.bob.ok("call_token", json!({"call_id": call.id})).await;
    assert_eq!(again.room_name, answered.access.room_name);
    assert_eq!(again.room_url, answered.access.room_url);
    // A call that is over cannot be answered into.
    let _: CallView = p.alice.ok("end_call", json!({"call_id": call.id})).await;
    let (status, _) = p
        .bob
        .fails("answer_and_join", json!({"call_id": call.id}))
        .await;
    assert_eq!(status, 409);
}

#[tokio::test]
async fn the_secret_never_reaches_a_response() {
    let p = Parish::new().await;
    let secret: String =
        {
        let db = &p.app.state.db;
        belfry::on_db!(db => sqlx::query_scalar("SELECT value FROM settings WHERE key = 'media_api_secret'")
            .fetch_one(db)
            .await)
    }
            .unwrap();
    let call: CallView = p
        .alice
        .ok("initiate_call", json!({"channel_id": p.direct}))
        .await;
    let res = p
        .alice
        .post_raw("call_token", json!({"call_id": call.id}).to_string())
        .await;
    let body = res.text().await.unwrap();
    assert!(body.contains("token") && !body.contains(&secret));
}

#[tokio::test]
async fn the_rest_token_endpoint_speaks_json_errors() {
    let p = Parish::new().await;
    let call: CallView = p
        .alice
        .ok("initiate_call", json!({"channel_id": p.direct}))
        .await;
    let get = |who: &common::Person, q: String| {
        let req = who.http.get(format!("{}/api/voice/token{q}", who.base));
        async move {
            let res = req.send().await.unwrap();
            (res.status().as_u16(), res.json::<Value>().await.unwrap())
        }
    };
    let (status, body) = get(&p.alice, format!("?callId={}", call.id)).await;
    assert_eq!(status, 200);
    // Exactly the roadmap's `{ token, url }`.
    let keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["token", "url"], "{body}");
    assert!(body["url"].as_str().unwrap().starts_with("ws"), "{body}");
    let grant = p
        .app
        .state
        .keys
        .verify(body["token"].as_str().unwrap())
        .expect("a LiveKit token signed by the server's key");
    assert_eq!(grant.identity, p.alice.id().to_string());
    let (status, body) = get(&p.alice, "?callId=abc".into()).await;
    assert_eq!(status, 400);
    assert!(body["message"].as_str().unwrap().contains("callId"));
    assert_eq!(get(&p.alice, String::new()).await.0, 400);
    assert_eq!(
        get(&p.app.visitor(), format!("?callId={}", call.id))
            .await
            .0,
        401
    );
    assert_eq!(get(&p.dave, format!("?callId={}", call.id)).await.0, 403);
    assert_eq!(get(&p.alice, "?callId=9999".into()).await.0, 404);
}

#[tokio::test]
async fn the_polling_fallback_answers_the_newest_call_ringing_me_in_the_roadmaps_shape() {
    let p = Parish::new().await;
    let active = |who: &common::Person| {
        let req = who.http.get(format!("{}/api/voice/active", who.base));
        async move { req.send().await.unwrap() }
    };
    let none: Value = active(&p.bob).await.json().await.unwrap();
    assert_eq!(none, json!({"call": null}));
    let older: CallView = p
        .alice
        .ok("initiate_call", json!({"channel_id": p.direct}))
        .await;
    let newer: CallView = p
        .carol
        .ok("initiate_call", json!({"channel_id": p.choir}))
        .await;
    assert!(newer.created_at >= older.created_at);
    let ringing: Value = active(&p.bob).await.json().await.unwrap();
    let call = &ringing["call"];
    let mut keys: Vec<&str> = call
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        ["channelId", "createdAt", "id", "initiator", "status"],
        "exactly the roadmap's fields: {ringing}"
    );
    assert_eq!(call["id"], json!(newer.id), "the newest first");
    assert_eq!(call["channelId"], json!(p.choir));
    assert_eq!(call["status"], "RINGING");
    assert_eq!(call["createdAt"], json!(newer.created_at));
    assert!(call["createdAt"].is_i64());
    assert_eq!(
        call["initiator"],
        json!({"id": p.carol.id(), "username": "carol", "displayName": p.carol.user.as_ref().unwrap().display_name})
    );
    // Bob answers the newer one: the older still rings him.
    let _: CallView = p.bob.ok("answer_call", json!({"call_id": newer.id})).await;
    let left: Value = active(&p.bob).await.json().await.unwrap();
    assert_eq!(left["call"]["id"], json!(older.id));
    assert_eq!(left["call"]["initiator"]["username"], "alice");
    // The one calling is rung by nothing.
    let carol: Value = active(&p.carol).await.json().await.unwrap();
    assert_eq!(carol, json!({"call": null}));
    let dave: Value = active(&p.dave).await.json().await.unwrap();
    assert_eq!(dave, json!({"call": null}));
    assert_eq!(active(&p.app.visitor()).await.status(), 401);
}

#[tokio::test]
async fn a_studio_room_is_one_per_studio_for_its_members_and_closing_reaches_the_recording_media_double(
) {
    let p = Parish::new().await;
    let post = |who: &common::Person, id: String| {
        let req = who.http.post(format!("{}/api/studio/{id}/voice", who.base));
        async move {
            let res = req.send().await.unwrap();
            (
                res.status().as_u16(),
                res.json::<Value>().await.unwrap_or(Value::Null),
            )
        }
    };
    let (status, first) = post(&p.alice, p.studio.to_string()).await;
    assert_eq!(status, 200);
    let (_, second) = post(&p.carol, p.studio.to_string()).await;
    assert_eq!(
        first["roomName"], second["roomName"],
        "drop-in: the same room"
    );
    let grant = p
        .app
        .state
        .keys
        .verify(second["token"].as_str().unwrap())
        .unwrap();
    assert_eq!(
        (grant.identity, grant.room.as_str()),
        (
            p.carol.id().to_string(),
            first["roomName"].as_str().unwrap()
        )
    );
    assert_eq!(post(&p.bob, p.studio.to_string()).await.0, 403);
    assert_eq!(post(&p.alice, "9999".into()).await.0, 404);
    assert_eq!(post(&p.alice, "studio".into()).await.0, 400);
    assert_eq!(post(&p.app.visitor(), p.studio.to_string()).await.0, 401);

    let delete = |who: &common::Person| {
        let req = who
            .http
            .delete(format!("{}/api/studio/{}/voice", who.base, p.studio));
        async move {
            let res = req.send().await.unwrap();
            (res.status().as_u16(), res.json::<Value>().await.unwrap())
        }
    };
    // carol neither owns the studio nor opened the room.
    assert_eq!(delete(&p.carol).await.0, 403);
    assert_eq!(
        delete(&p.alice).await,
        (200, json!({"success": true, "message": "Room deleted"})),
        "the roadmap's answer"
    );
    let (status, body) = delete(&p.alice).await;
    assert_eq!(status, 404, "already closed");
    assert!(body["message"]
        .as_str()
        .unwrap()
        .contains("no open voice room"));
    let room = first["roomName"].as_str().unwrap().to_string();
    assert!(p
        .app
        .media
        .commands()
        .contains(&MediaCommand::CloseRoom { room: room.clone() }));
    let (_, reopened) = post(&p.carol, p.studio.to_string()).await;
    assert_ne!(
        reopened["roomName"].as_str().unwrap(),
        room,
        "a fresh room after closing"
    );
}
