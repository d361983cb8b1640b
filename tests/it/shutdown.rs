//! A server that is stopping (SIGTERM): everyone in a room is told to
//! reconnect (LiveKit's leave, reason SERVER_SHUTDOWN, action RECONNECT),
//! open tabs are closed with 1012 ("service restart"), and a new call or
//! media join is refused with a message, never half made.

use livekit_protocol as lk;
use serde_json::json;

use crate::common::{Parish, TestApp};
use crate::signal_client::{refused_at_the_door, resume_refused, two_in_a_room};

#[tokio::test]
async fn a_stopping_server_tells_rooms_and_tabs_to_reconnect_and_refuses_new_calls() {
    let p = Parish::in_app(TestApp::with_sfu(|_| {}).await).await;
    let mut tab = p.carol.listen().await;
    let mut room = two_in_a_room(&p).await;

    belfry::server::app::drain(&p.app.state).await;

    for leave in [room.alice.dropped().await, room.bob.dropped().await] {
        assert_eq!(leave.reason, lk::DisconnectReason::ServerShutdown as i32);
        assert_eq!(leave.action, lk::leave_request::Action::Reconnect as i32);
        assert!(leave.can_reconnect);
    }
    assert_eq!(tab.close_code().await, Some(1012));

    // Nothing new starts: a call, or a way back into the room.
    let (status, err) = p
        .carol
        .fails("initiate_call", json!({"channel_id": p.choir}))
        .await;
    assert_eq!(status, 503);
    assert!(err.message.contains("restarting"), "{}", err.message);
    refused_at_the_door(&room.a, 503).await;
    // Nor a resume of the session she was told to leave.
    resume_refused(
        &room.a,
        &room.alice.join.participant.clone().unwrap().sid,
        503,
    )
    .await;
    let live: Option<belfry::contract::call_types::CallView> = p
        .carol
        .ok("active_call", json!({"channel_id": p.choir}))
        .await;
    assert!(live.is_none(), "no call was half made");
}
