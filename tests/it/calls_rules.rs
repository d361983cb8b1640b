//! Who may do what to a call, busy handling, parish invitations, adding,
//! moderating, and losing membership mid-call. Media commands are checked on
//! a recording stand-in for the media server, which is a later issue.

use crate::common;

use belfry::calls::{CallChange, CallStatus, DeclineReason, EndReason, ParticipantStatus};
use belfry::contract::call_types::{CallHistoryPage, CallView};
use belfry::media::control::MediaCommand;
use common::Parish;
use serde_json::{json, Value};

#[tokio::test]
async fn every_call_operation_checks_who_is_asking() {
    let p = Parish::new().await;
    let call: CallView = p
        .alice
        .ok("initiate_call", json!({"channel_id": p.choir}))
        .await;
    let id = call.id;
    let anonymous = p.app.visitor();
    for name in [
        "answer_call",
        "decline_call",
        "cancel_call",
        "leave_call",
        "end_call",
        "call_token",
    ] {
        let (status, _) = anonymous.fails(name, json!({"call_id": id})).await;
        assert_eq!(status, 401, "anonymous {name}");
        let (status, _) = p.dave.fails(name, json!({"call_id": id})).await;
        assert_eq!(status, 403, "non-member {name}");
    }
    let (status, _) = p
        .dave
        .fails("initiate_call", json!({"channel_id": p.choir}))
        .await;
    assert_eq!(status, 403, "dave cannot call the choir");
    let (status, _) = p.alice.fails("answer_call", json!({"call_id": 9999})).await;
    assert_eq!(status, 404);
    let (status, _) = p
        .dave
        .fails("active_call", json!({"channel_id": p.choir}))
        .await;
    assert_eq!(status, 403);
    let (status, _) = p
        .dave
        .fails("call_history", json!({"channel_id": p.choir}))
        .await;
    assert_eq!(status, 403);
    // An invitee may answer; only the caller or a moderator ends it for all.
    let _: CallView = p.carol.ok("answer_call", json!({"call_id": id})).await;
    let (status, err) = p.carol.fails("end_call", json!({"call_id": id})).await;
    assert_eq!(status, 403, "{}", err.message);
    let ended: CallView = p.bob.ok("end_call", json!({"call_id": id})).await;
    assert_eq!(
        ended.status,
        CallStatus::Ended,
        "bob coordinates, so he may"
    );
}

#[tokio::test]
async fn a_parish_call_rings_only_the_chosen_and_others_are_not_invited() {
    let p = Parish::new().await;
    let (status, err) = p
        .dave
        .fails("initiate_call", json!({"channel_id": p.hall}))
        .await;
    assert_eq!(status, 400, "{}", err.message);
    let (status, _) = p
        .dave
        .fails(
            "initiate_call",
            json!({"channel_id": p.hall, "invitees": [9999]}),
        )
        .await;
    assert_eq!(status, 400);
    let call: CallView = p
        .dave
        .ok(
            "initiate_call",
            json!({"channel_id": p.hall, "invitees": [p.alice.id()]}),
        )
        .await;
    assert!(call.rings(p.alice.id()));
    assert!(call.participant(p.carol.id()).is_none());
    let (status, err) = p
        .carol
        .fails("answer_call", json!({"call_id": call.id}))
        .await;
    assert_eq!(status, 403, "carol was not invited: {}", err.message);
    // She can see it, but a parish call takes only its invitees and the
    // people a participant adds: calling in does not join her to it.
    let live: Option<CallView> = p
        .carol
        .ok("active_call", json!({"channel_id": p.hall}))
        .await;
    assert_eq!(live.map(|c| c.id), Some(call.id));
    let (status, err) = p
        .carol
        .fails("initiate_call", json!({"channel_id": p.hall}))
        .await;
    assert_eq!(
        (status, err.message.as_str()),
        (403, "You were not invited to this call.")
    );
    let _: CallView = p
        .dave
        .ok(
            "add_participant",
            json!({"call_id": call.id, "user_id": p.carol.id()}),
        )
        .await;
    let joined: CallView = p
        .carol
        .ok("initiate_call", json!({"channel_id": p.hall}))
        .await;
    assert_eq!(
        joined.participant(p.carol.id()).unwrap().status,
        ParticipantStatus::Connected
    );
}

#[tokio::test]
async fn calling_someone_busy_ends_as_declined_busy_and_both_are_told() {
    let p = Parish::new().await;
    let call: CallView = p
        .alice
        .ok("initiate_call", json!({"channel_id": p.direct}))
        .await;
    let _: CallView = p.bob.ok("answer_call", json!({"call_id": call.id})).await;
    let carol_bob: Value = p
        .carol
        .ok("open_direct_channel", json!({"user_id": p.bob.id()}))
        .await;
    let mut bob_tab = p.bob.listen().await;
    let busy: CallView = p
        .carol
        .ok("initiate_call", json!({"channel_id": carol_bob["id"]}))
        .await;
    assert_eq!(
        (busy.status, busy.end_reason),
        (CallStatus::Declined, Some(EndReason::Busy))
    );
    let bob = busy.participant(p.bob.id()).unwrap();
    assert_eq!(
        (bob.status, bob.decline_reason),
        (ParticipantStatus::Declined, Some(DeclineReason::Busy))
    );
    // Bob hears that carol tried, while in another call.
    let (seen, changes) = bob_tab
        .call_change(|c| matches!(c, CallChange::Busy { .. }))
        .await;
    assert_eq!(seen.id, busy.id);
    assert!(changes.contains(&CallChange::Busy {
        users: vec![p.bob.id()]
    }));
    // In a group call, the busy are skipped and the rest rung.
    let group: CallView = p
        .dave
        .ok(
            "initiate_call",
            json!({"channel_id": p.hall, "invitees": [p.bob.id(), p.carol.id()]}),
        )
        .await;
    assert_eq!(group.status, CallStatus::Ringing);
    assert!(group.rings(p.carol.id()));
    assert_eq!(
        group.participant(p.bob.id()).unwrap().decline_reason,
        Some(DeclineReason::Busy)
    );
    // Nobody can be in two calls: answering the second needs leaving the first.
    let (status, err) = p
        .alice
        .fails("initiate_call", json!({"channel_id": p.choir}))
        .await;
    assert_eq!(status, 409, "{}", err.message);
}

#[tokio::test]
async fn people_in_a_call_can_ring_someone_new_into_it() {
    let p = Parish::new().await;
    let call: CallView = p
        .dave
        .ok(
            "initiate_call",
            json!({"channel_id": p.hall, "invitees": [p.alice.id()]}),
        )
        .await;
    let (status, _) = p
        .carol
        .fails(
            "add_participant",
            json!({"call_id": call.id, "user_id": p.bob.id()}),
        )
        .await;
    assert_eq!(status, 403, "carol is not in the call");
    let _: CallView = p.alice.ok("answer_call", json!({"call_id": call.id})).await;
    let mut carol_tab = p.carol.listen().await;
    let grown: CallView = p
        .alice
        .ok(
            "add_participant",
            json!({"call_id": call.id, "user_id": p.carol.id()}),
        )
        .await;
    assert!(grown.rings(p.carol.id()));
    let (seen, _) = carol_tab
        .call_change(|c| matches!(c, CallChange::Incoming { .. }))
        .await;
    assert!(seen.rings(p.carol.id()));
    let (status, _) = p
        .alice
        .fails(
            "add_participant",
            json!({"call_id": call.id, "user_id": 9999}),
        )
        .await;
    assert_eq!(status, 400);
    let _: CallView = p.alice.ok("leave_call", json!({"call_id": call.id})).await;
    let direct: CallView = p
        .bob
        .ok("initiate_call", json!({"channel_id": p.direct}))
        .await;
    assert_eq!(direct.status, CallStatus::Ringing);
    let (status, err) = p
        .bob
        .fails(
            "add_participant",
            json!({"call_id": direct.id, "user_id": p.carol.id()}),
        )
        .await;
    assert_eq!(
        status, 400,
        "a one-to-one call takes no third person: {}",
        err.message
    );
}

#[tokio::test]
async fn moderators_mute_and_remove_as_seen_by_the_recording_media_double() {
    let p = Parish::new().await;
    let call = p.choir_call_all_in().await;
    let (status, _) = p
        .carol
        .fails(
            "mute_participant",
            json!({"call_id": call.id, "user_id": p.bob.id()}),
        )
        .await;
    assert_eq!(status, 403, "carol is a plain member");
    let _: CallView = p
        .alice
        .ok(
            "mute_participant",
            json!({"call_id": call.id, "user_id": p.carol.id()}),
        )
        .await;
    let mut carol_tab = p.carol.listen().await;
    let after: CallView = p
        .bob
        .ok(
            "remove_participant",
            json!({"call_id": call.id, "user_id": p.carol.id()}),
        )
        .await;
    assert_eq!(
        after.participant(p.carol.id()).unwrap().decline_reason,
        Some(DeclineReason::Removed)
    );
    assert_eq!(after.status, CallStatus::Active);
    let room = p.app.media.commands();
    let muted = room.iter().find_map(|c| match c {
        MediaCommand::Mute {
            room,
            user,
            muted: true,
        } if *user == p.carol.id() => Some(room.clone()),
        _ => None,
    });
    let room_name = muted.expect("the media server was asked to mute carol");
    assert!(
        room.contains(&MediaCommand::Evict {
            room: room_name,
            user: p.carol.id()
        }),
        "{room:?}"
    );
    carol_tab
        .call_change(|c| *c == CallChange::Removed { user: p.carol.id() })
        .await;
    let (status, _) = p
        .carol
        .fails("initiate_call", json!({"channel_id": p.choir}))
        .await;
    assert_eq!(status, 403, "a removed participant cannot walk back in");
    let (status, _) = p
        .carol
        .fails("call_token", json!({"call_id": call.id}))
        .await;
    assert_eq!(status, 409, "and gets no token");
}

#[tokio::test]
async fn losing_channel_membership_takes_you_out_of_its_live_call_and_the_recording_media_double_evicts(
) {
    let p = Parish::new().await;
    let call = p.choir_call_all_in().await;
    let (status, _) = p
        .carol
        .fails(
            "remove_channel_member",
            json!({"channel_id": p.choir, "user_id": p.bob.id()}),
        )
        .await;
    assert_eq!(status, 403);
    let () = p
        .alice
        .ok(
            "remove_channel_member",
            json!({"channel_id": p.choir, "user_id": p.carol.id()}),
        )
        .await;
    let now: CallView = p
        .alice
        .ok("active_call", json!({"channel_id": p.choir}))
        .await;
    assert_eq!(
        now.participant(p.carol.id()).unwrap().status,
        ParticipantStatus::Disconnected
    );
    let evicted = p
        .app
        .media
        .commands()
        .iter()
        .any(|c| matches!(c, MediaCommand::Evict { user, .. } if *user == p.carol.id()));
    assert!(evicted, "the media server must drop her at once");
    let (status, _) = p
        .carol
        .fails("call_token", json!({"call_id": call.id}))
        .await;
    assert_eq!(status, 403, "no longer a member");
}

#[tokio::test]
async fn losing_studio_membership_evicts_from_the_studio_room_per_the_recording_media_double() {
    let p = Parish::new().await;
    let res = p
        .carol
        .http
        .post(format!("{}/api/studio/{}/voice", p.carol.base, p.studio))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let room = res.json::<Value>().await.unwrap()["roomName"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, _) = p
        .carol
        .fails(
            "remove_studio_member",
            json!({"studio_id": p.studio, "user_id": p.alice.id()}),
        )
        .await;
    assert_eq!(status, 403, "only the owner");
    let () = p
        .alice
        .ok(
            "remove_studio_member",
            json!({"studio_id": p.studio, "user_id": p.carol.id()}),
        )
        .await;
    assert!(p.app.media.commands().contains(&MediaCommand::Evict {
        room,
        user: p.carol.id()
    }));
    let again = p
        .carol
        .http
        .post(format!("{}/api/studio/{}/voice", p.carol.base, p.studio))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 403);
}

#[tokio::test]
async fn someone_connected_elsewhere_can_neither_answer_nor_join_another_call() {
    let p = Parish::new().await;
    // Dave rings alice in the hall; before she answers, bob calls her
    // directly and she takes that call.
    let hall: CallView = p
        .dave
        .ok(
            "initiate_call",
            json!({"channel_id": p.hall, "invitees": [p.alice.id(), p.carol.id()]}),
        )
        .await;
    let direct: CallView = p
        .bob
        .ok("initiate_call", json!({"channel_id": p.direct}))
        .await;
    let _: CallView = p
        .alice
        .ok("answer_call", json!({"call_id": direct.id}))
        .await;
    let (status, err) = p
        .alice
        .fails("answer_call", json!({"call_id": hall.id}))
        .await;
    assert_eq!(status, 409, "{}", err.message);
    assert!(err.message.contains("another call"), "{}", err.message);
    // Carol answers; the hall call is live. Bob, busy with alice, can't
    // join it by calling the channel either.
    let _: CallView = p.carol.ok("answer_call", json!({"call_id": hall.id})).await;
    let (status, err) = p
        .bob
        .fails("initiate_call", json!({"channel_id": p.hall}))
        .await;
    assert_eq!(status, 409, "{}", err.message);
    // Nor join a live group call: carol leaves the hall and starts one in
    // the choir, which rings alice and bob as busy.
    let _: CallView = p.carol.ok("leave_call", json!({"call_id": hall.id})).await;
    let choir: CallView = p
        .carol
        .ok("initiate_call", json!({"channel_id": p.choir}))
        .await;
    assert_eq!(
        choir.participant(p.bob.id()).unwrap().decline_reason,
        Some(DeclineReason::Busy),
        "busy members of a group channel are found in the channel query"
    );
    // Once alice hangs up she is free to take the hall call.
    let _: CallView = p
        .alice
        .ok("leave_call", json!({"call_id": direct.id}))
        .await;
    let answered: CallView = p.alice.ok("answer_call", json!({"call_id": hall.id})).await;
    assert_eq!(
        answered.participant(p.alice.id()).unwrap().status,
        ParticipantStatus::Connected
    );
}

#[tokio::test]
async fn the_calls_page_puts_a_linked_older_call_first_only_for_those_who_may_see_it() {
    let p = Parish::new().await;
    let mut ids = Vec::new();
    for _ in 0..51 {
        let call: CallView = p
            .alice
            .ok("initiate_call", json!({"channel_id": p.direct}))
            .await;
        let _: CallView = p.alice.ok("end_call", json!({"call_id": call.id})).await;
        ids.push(call.id);
    }
    let oldest = ids[0];
    let page: CallHistoryPage = p.bob.ok("calls_page", json!({})).await;
    assert_eq!(page.calls.len(), 50);
    assert_eq!(page.calls[0].id, ids[50], "newest first");
    assert!(!page.calls.iter().any(|c| c.id == oldest));
    // A link to the oldest: it comes first, once, before the latest 50.
    let page: CallHistoryPage = p.bob.ok("calls_page", json!({"linked": oldest})).await;
    assert_eq!(page.calls.len(), 51);
    assert_eq!((page.calls[0].id, page.calls[1].id), (oldest, ids[50]));
    // A link to one already listed changes nothing.
    let page: CallHistoryPage = p.bob.ok("calls_page", json!({"linked": ids[50]})).await;
    assert_eq!(page.calls.len(), 50);
    assert_eq!(page.calls.iter().filter(|c| c.id == ids[50]).count(), 1);
    // Dave was in none of them: the link shows him nothing of it.
    let page: CallHistoryPage = p.dave.ok("calls_page", json!({"linked": oldest})).await;
    assert!(page.calls.is_empty(), "{:?}", page.calls);
}
