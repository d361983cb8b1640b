//! What a signalling session says back: the SFU's signals as LiveKit's
//! responses, the leave a dropped participant is sent, and call control's
//! admission as the session asks it.

use livekit_protocol as lk;
use lk::signal_response::Message as Res;

use super::proto;
use crate::media::admission::{Admission, Gate, Refusal};
use crate::media::sfu::{Grade, Signal};
use crate::media::token::RoomGrant;

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// What the SFU has to say to participant `me` (its sid).
pub(super) fn response(signal: Signal, me: &str) -> Res {
    match signal {
        Signal::SubscriberOffer { sdp, id } => Res::Offer(lk::SessionDescription {
            r#type: "offer".into(),
            sdp,
            id,
            ..Default::default()
        }),
        Signal::Participants(infos) => Res::Update(lk::ParticipantUpdate {
            participants: infos
                .iter()
                .filter(|p| p.sid != me)
                .map(|p| proto::participant(p, now_ms()))
                .collect(),
        }),
        Signal::Speakers(levels) => Res::SpeakersChanged(lk::SpeakersChanged {
            speakers: levels
                .into_iter()
                .map(|(sid, level, active)| lk::SpeakerInfo { sid, level, active })
                .collect(),
        }),
        Signal::Quality(grades) => Res::ConnectionQuality(lk::ConnectionQualityUpdate {
            updates: grades
                .into_iter()
                .map(|(participant_sid, grade)| {
                    let (quality, score) = match grade {
                        Grade::Excellent => (lk::ConnectionQuality::Excellent, 4.5),
                        Grade::Good => (lk::ConnectionQuality::Good, 3.5),
                        Grade::Poor => (lk::ConnectionQuality::Poor, 2.0),
                        Grade::Lost => (lk::ConnectionQuality::Lost, 0.0),
                    };
                    lk::ConnectionQualityInfo {
                        participant_sid,
                        quality: quality as i32,
                        score,
                    }
                })
                .collect(),
        }),
        Signal::TrackMuted { track, muted } => {
            Res::Mute(lk::MuteTrackRequest { sid: track, muted })
        }
        Signal::Disconnected { reason } => refusal(&reason),
    }
}

/// Asks call control whether the grant's identity may be in its room now:
/// `Ok(held)`, held when a moderator keeps them muted.
pub(super) async fn admitted(gate: &dyn Gate, grant: &RoomGrant) -> Result<bool, Refusal> {
    match gate.admit(&grant.room, &grant.identity).await {
        Admission::Admitted { held } => Ok(held),
        Admission::Refused(why) => Err(why),
    }
}

/// The SFU's reason for a refusal by call control.
pub(super) fn refused(why: Refusal) -> &'static str {
    match why {
        Refusal::NoSuchRoom => crate::media::driver::ROOM_CLOSED,
        Refusal::NotAdmitted => crate::media::driver::REMOVED,
        Refusal::Unavailable => why.describe(),
    }
}

/// The leave a participant dropped by the SFU is sent: removed and room
/// closed are final; anything else (a failed connection) invites a rejoin.
pub(super) fn refusal(reason: &str) -> Res {
    use lk::leave_request::Action;
    use lk::DisconnectReason as Why;
    let (why, action) = match reason {
        crate::media::sfu::REPLACED => (Why::DuplicateIdentity, Action::Disconnect),
        crate::media::driver::REMOVED => (Why::ParticipantRemoved, Action::Disconnect),
        crate::media::driver::ROOM_CLOSED => (Why::RoomClosed, Action::Disconnect),
        crate::media::driver::RESTARTING => (Why::ServerShutdown, Action::Reconnect),
        _ => (Why::StateMismatch, Action::Reconnect),
    };
    proto::leave(why, action)
}
