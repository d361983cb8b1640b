use super::*;
use livekit_protocol as lk;
// The tests speak prost's types, as a LiveKit server would write them; each
// message reaches the model through its wire form and the client's codec.
use lk::signal_response::Message as Rx;

trait Receive {
    fn receive(&mut self, message: Rx, now_ms: i64) -> Vec<Step>;
}

impl Receive for RoomModel {
    fn receive(&mut self, message: Rx, now_ms: i64) -> Vec<Step> {
        let frame = crate::room::signal::samples::frame(message);
        match crate::room::signal::decode(&frame) {
            Some(message) => self.apply(message, now_ms),
            None => vec![],
        }
    }
}

fn info(sid: &str, identity: &str, version: u32, muted: Option<bool>) -> lk::ParticipantInfo {
    lk::ParticipantInfo {
        sid: sid.into(),
        identity: identity.into(),
        name: identity.to_uppercase(),
        version,
        state: lk::participant_info::State::Active as i32,
        tracks: muted
            .map(|muted| lk::TrackInfo {
                sid: format!("TR_{sid}"),
                r#type: lk::TrackType::Audio as i32,
                muted,
                ..Default::default()
            })
            .into_iter()
            .collect(),
        ..Default::default()
    }
}

fn joined(others: Vec<lk::ParticipantInfo>) -> RoomModel {
    let mut model = RoomModel::default();
    let steps = model.receive(
        Rx::Join(lk::JoinResponse {
            participant: Some(info("PA_me", "1", 1, None)),
            other_participants: others,
            ice_servers: vec![lk::IceServer {
                urls: vec!["stun:127.0.0.1:3478".into()],
                ..Default::default()
            }],
            ping_interval: 5,
            ping_timeout: 15,
            ..Default::default()
        }),
        0,
    );
    assert!(matches!(
        &steps[0],
        Step::Joined { ice_servers, ping_interval: 5, ping_timeout: 15 }
            if ice_servers[0].urls[0] == "stun:127.0.0.1:3478"
    ));
    model
}

fn sids(model: &RoomModel) -> Vec<String> {
    model.peers().into_iter().map(|p| p.sid).collect()
}

#[test]
fn join_lists_us_first_then_the_others_with_their_mute() {
    let model = joined(vec![
        info("PA_b", "2", 3, Some(true)),
        info("PA_c", "3", 1, None),
    ]);
    assert_eq!(sids(&model), ["PA_me", "PA_b", "PA_c"]);
    let peers = model.peers();
    assert!(peers[0].is_local && !peers[1].is_local);
    assert!(peers[1].has_audio && peers[1].muted);
    assert!(!peers[2].has_audio && !peers[2].muted);
    assert_eq!(peers[1].name, "2");
}

#[test]
fn updates_obey_versions_and_disconnected_removes() {
    let mut model = joined(vec![info("PA_b", "2", 5, Some(false))]);
    // A stale update (lower version) changes nothing.
    assert!(model
        .receive(update(info("PA_b", "2", 4, Some(true))), 0)
        .is_empty());
    assert!(!model.peer("PA_b").unwrap().muted);
    // A newer one does.
    assert_eq!(
        model.receive(update(info("PA_b", "2", 6, Some(true))), 0),
        [Step::PeersChanged]
    );
    assert!(model.peer("PA_b").unwrap().muted);
    // Someone new arrives; then b disconnects.
    model.receive(update(info("PA_c", "3", 1, Some(false))), 0);
    let mut gone = info("PA_b", "2", 7, None);
    gone.state = lk::participant_info::State::Disconnected as i32;
    assert_eq!(model.receive(update(gone), 0), [Step::PeersChanged]);
    assert_eq!(sids(&model), ["PA_me", "PA_c"]);
}

#[test]
fn a_rejoin_under_a_new_sid_replaces_the_old_session() {
    let mut model = joined(vec![info("PA_b", "2", 1, Some(false))]);
    model.receive(update(info("PA_b2", "2", 1, Some(false))), 0);
    assert_eq!(sids(&model), ["PA_me", "PA_b2"]);
}

#[test]
fn our_own_entry_ignores_server_updates_but_follows_moderator_mutes() {
    let mut model = joined(vec![]);
    let published = model.receive(
        Rx::TrackPublished(lk::TrackPublishedResponse {
            cid: "mic-1".into(),
            track: Some(lk::TrackInfo {
                sid: "TR_mine".into(),
                ..Default::default()
            }),
        }),
        0,
    );
    assert_eq!(
        published[0],
        Step::Publish {
            cid: "mic-1".into(),
            sid: "TR_mine".into()
        }
    );
    assert!(model.peers()[0].has_audio);
    model.receive(update(info("PA_me", "1", 9, Some(true))), 0);
    assert!(
        !model.peers()[0].muted,
        "the server's echo of us is not our state"
    );
    // A mute for some other track is not for us.
    let other = Rx::Mute(lk::MuteTrackRequest {
        sid: "TR_else".into(),
        muted: true,
    });
    assert!(model.receive(other, 0).is_empty());
    let ours = Rx::Mute(lk::MuteTrackRequest {
        sid: "TR_mine".into(),
        muted: true,
    });
    assert_eq!(
        model.receive(ours, 0)[0],
        Step::ModeratorMute { muted: true }
    );
    assert!(model.peers()[0].muted);
}

#[test]
fn speakers_and_quality_mark_the_right_people() {
    let mut model = joined(vec![
        info("PA_b", "2", 1, Some(false)),
        info("PA_c", "3", 1, Some(true)),
    ]);
    let speakers = |list: Vec<(&str, bool)>| {
        Rx::SpeakersChanged(lk::SpeakersChanged {
            speakers: list
                .into_iter()
                .map(|(sid, active)| lk::SpeakerInfo {
                    sid: sid.into(),
                    level: 0.7,
                    active,
                })
                .collect(),
        })
    };
    model.receive(
        speakers(vec![("PA_b", true), ("PA_c", true), ("PA_zz", true)]),
        0,
    );
    let peers = model.peers();
    assert!(peers[1].speaking && peers[1].level > 0.6);
    assert!(
        !peers[2].speaking,
        "a muted participant is never shown speaking"
    );
    // Incremental: b stops; nothing else changes.
    model.receive(speakers(vec![("PA_b", false)]), 0);
    assert!(!model.peer("PA_b").unwrap().speaking);
    assert_eq!(model.peer("PA_b").unwrap().level, 0.0);

    let quality = Rx::ConnectionQuality(lk::ConnectionQualityUpdate {
        updates: vec![lk::ConnectionQualityInfo {
            participant_sid: "PA_c".into(),
            quality: lk::ConnectionQuality::Poor as i32,
            score: 1.5,
        }],
    });
    assert_eq!(model.receive(quality, 0), [Step::PeersChanged]);
    assert_eq!(model.peer("PA_c").unwrap().quality, Quality::Poor);
    assert_eq!(model.peer("PA_b").unwrap().quality, Quality::Unknown);
}

#[test]
fn leaves_map_to_reconnect_or_the_right_close() {
    let leave = |reason: lk::DisconnectReason, action: lk::leave_request::Action| {
        Rx::Leave(lk::LeaveRequest {
            reason: reason as i32,
            action: action as i32,
            ..Default::default()
        })
    };
    use lk::leave_request::Action as A;
    use lk::DisconnectReason as R;
    let mut model = joined(vec![]);
    assert_eq!(
        model.receive(leave(R::StateMismatch, A::Reconnect), 0),
        [Step::Reconnect]
    );
    assert_eq!(
        model.receive(leave(R::ParticipantRemoved, A::Disconnect), 0),
        [Step::Close(CloseReason::Removed)]
    );
    assert_eq!(
        model.receive(leave(R::RoomClosed, A::Disconnect), 0),
        [Step::Close(CloseReason::RoomClosed)]
    );
    assert_eq!(
        model.receive(leave(R::DuplicateIdentity, A::Disconnect), 0),
        [Step::Close(CloseReason::Replaced)]
    );
}

#[test]
fn a_reconnect_response_is_a_resume_that_keeps_the_room() {
    let mut model = joined(vec![]);
    let before = model.peers();
    let steps = model.receive(Rx::Reconnect(lk::ReconnectResponse::default()), 0);
    assert_eq!(steps, [Step::Resumed]);
    assert_eq!(model.peers(), before);
    assert!(model.local_sid().starts_with("PA_"));
}

#[test]
fn negotiation_tokens_and_pongs_pass_through() {
    let mut model = joined(vec![]);
    let offer = Rx::Offer(lk::SessionDescription {
        r#type: "offer".into(),
        sdp: "v=0".into(),
        id: 4,
        ..Default::default()
    });
    assert_eq!(
        model.receive(offer, 0),
        [Step::SubscriberOffer {
            sdp: "v=0".into(),
            id: 4
        }]
    );
    let answer = Rx::Answer(lk::SessionDescription {
        r#type: "answer".into(),
        sdp: "v=1".into(),
        id: 2,
        ..Default::default()
    });
    assert_eq!(
        model.receive(answer, 0),
        [Step::PublisherAnswer {
            sdp: "v=1".into(),
            id: 2
        }]
    );
    let trickle = Rx::Trickle(lk::TrickleRequest {
        candidate_init: "{}".into(),
        target: 0,
        r#final: false,
    });
    assert_eq!(
        model.receive(trickle, 0),
        [Step::Candidate {
            subscriber: false,
            init: "{}".into()
        }]
    );
    assert_eq!(
        model.receive(Rx::RefreshToken("t2".into()), 0),
        [Step::Token("t2".into())]
    );
    let pong = Rx::PongResp(lk::Pong {
        last_ping_timestamp: 1_000,
        timestamp: 1_010,
    });
    assert_eq!(model.receive(pong, 1_042), [Step::Rtt(42)]);
}

#[test]
fn stream_ids_name_their_owner_only_in_the_sfu_form() {
    assert_eq!(RoomModel::stream_owner("PA_abc|TR_xyz"), Some("PA_abc"));
    assert_eq!(RoomModel::stream_owner("PA_abc"), None);
    assert_eq!(RoomModel::stream_owner("junk|TR_x"), None);
}

fn update(p: lk::ParticipantInfo) -> Rx {
    Rx::Update(lk::ParticipantUpdate {
        participants: vec![p],
    })
}
