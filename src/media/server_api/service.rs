//! LiveKit's RoomService on the embedded SFU: CreateRoom, ListRooms,
//! DeleteRoom, ListParticipants, GetParticipant, RemoveParticipant,
//! MutePublishedTrack and UpdateParticipant, each checked against the
//! grants LiveKit checks (`roomCreate`, `roomList`, `roomAdmin` for the
//! request's room).

use livekit_api::access_token::Claims;
use livekit_protocol as proto;

use super::super::control::MediaCommand;
use super::super::driver::{Admin, Command};
use super::super::sfu::ParticipantInfo;
use super::super::twirp::{Codec, TwirpError};
use super::book::RoomNews;
use super::MediaHost;
use crate::media::unix_now;

/// The grant a method needs.
enum Needs {
    Create,
    List,
    Admin(String),
}

impl MediaHost {
    /// Answers one Twirp call: the response body, or a Twirp error.
    pub async fn room_service(
        &self,
        method: &str,
        authorization: Option<&str>,
        codec: Codec,
        body: &[u8],
    ) -> Result<Vec<u8>, TwirpError> {
        let token = authorization
            .and_then(|a| a.trim().strip_prefix("Bearer "))
            .ok_or_else(|| TwirpError::unauthenticated("missing Authorization: Bearer <token>"))?;
        let claims = self
            .keys
            .claims(token)
            .map_err(|_| TwirpError::unauthenticated("invalid token (expired, or another key)"))?;
        match method {
            "CreateRoom" => {
                let req: proto::CreateRoomRequest = codec.decode(body)?;
                allowed(&claims, Needs::Create)?;
                if req.name.trim().is_empty() {
                    return Err(TwirpError::invalid_argument("a room needs a name"));
                }
                let (room, news) = self.book.create(&req, unix_now());
                self.announce(news);
                Ok(codec.encode(&room))
            }
            "ListRooms" => {
                let req: proto::ListRoomsRequest = codec.decode(body)?;
                allowed(&claims, Needs::List)?;
                let rooms = self.book.list(&req.names);
                Ok(codec.encode(&proto::ListRoomsResponse { rooms }))
            }
            "DeleteRoom" => {
                let req: proto::DeleteRoomRequest = codec.decode(body)?;
                allowed(&claims, Needs::Create)?;
                let room = (self.book.delete(&req.room))
                    .ok_or_else(|| TwirpError::not_found(format!("room {} not found", req.room)))?;
                self.server
                    .command(Command::Control(MediaCommand::CloseRoom { room: req.room }));
                self.announce(Some(RoomNews::Finished(room)));
                Ok(codec.encode(&proto::DeleteRoomResponse {}))
            }
            "ListParticipants" => {
                let req: proto::ListParticipantsRequest = codec.decode(body)?;
                allowed(&claims, Needs::Admin(req.room.clone()))?;
                let participants = self.people(&req.room).await?;
                Ok(codec.encode(&proto::ListParticipantsResponse { participants }))
            }
            "GetParticipant" => {
                let req: proto::RoomParticipantIdentity = codec.decode(body)?;
                allowed(&claims, Needs::Admin(req.room.clone()))?;
                let person = (self.people(&req.room).await?.into_iter())
                    .find(|p| p.identity == req.identity)
                    .ok_or_else(|| TwirpError::not_found("participant not found"))?;
                Ok(codec.encode(&person))
            }
            "RemoveParticipant" => {
                let req: proto::RoomParticipantIdentity = codec.decode(body)?;
                allowed(&claims, Needs::Admin(req.room.clone()))?;
                // As LiveKit: tokens minted before the given time (default:
                // a minute from now) no longer let them in.
                let before = match req.revoke_token_ts {
                    0 => unix_now() + 60,
                    ts => ts,
                };
                self.book.revoke(&req.room, &req.identity, before);
                let (room, identity) = (req.room, req.identity);
                let removed = self
                    .server
                    .ask(|reply| {
                        Command::Admin(Admin::Remove {
                            room,
                            identity,
                            reply,
                        })
                    })
                    .await
                    .ok_or_else(stopped)?;
                if !removed {
                    return Err(TwirpError::not_found("participant not found"));
                }
                Ok(codec.encode(&proto::RemoveParticipantResponse {}))
            }
            "MutePublishedTrack" => {
                let req: proto::MuteRoomTrackRequest = codec.decode(body)?;
                allowed(&claims, Needs::Admin(req.room.clone()))?;
                let track = req.track_sid.clone();
                let info = self
                    .mute(req.room, req.identity, Some(req.track_sid), req.muted)
                    .await?;
                let track = (to_proto(&info).tracks.into_iter()).find(|t| t.sid == track);
                Ok(codec.encode(&proto::MuteRoomTrackResponse { track }))
            }
            "UpdateParticipant" => {
                let req: proto::UpdateParticipantRequest = codec.decode(body)?;
                allowed(&claims, Needs::Admin(req.room.clone()))?;
                if !req.metadata.is_empty() || !req.name.is_empty() || !req.attributes.is_empty() {
                    return Err(TwirpError::new(
                        "unimplemented",
                        "the embedded SFU changes a participant's permission only",
                    ));
                }
                let publish = req.permission.as_ref().is_none_or(|p| p.can_publish);
                let info = self.mute(req.room, req.identity, None, !publish).await?;
                Ok(codec.encode(&to_proto(&info)))
            }
            other => Err(TwirpError::bad_route(format!(
                "no method {other:?} in livekit.RoomService here"
            ))),
        }
    }

    async fn people(&self, room: &str) -> Result<Vec<proto::ParticipantInfo>, TwirpError> {
        if self.book.get(room).is_none() {
            return Err(TwirpError::not_found(format!("room {room} not found")));
        }
        let room = room.to_string();
        let people = self
            .server
            .ask(|reply| Command::Admin(Admin::Participants { room, reply }))
            .await
            .ok_or_else(stopped)?;
        Ok(people.iter().map(to_proto).collect())
    }

    async fn mute(
        &self,
        room: String,
        identity: String,
        track: Option<String>,
        muted: bool,
    ) -> Result<ParticipantInfo, TwirpError> {
        self.server
            .ask(|reply| {
                Command::Admin(Admin::Mute {
                    room,
                    identity,
                    track,
                    muted,
                    reply,
                })
            })
            .await
            .ok_or_else(stopped)?
            .ok_or_else(|| TwirpError::not_found("participant or track not found"))
    }
}

fn allowed(claims: &Claims, needs: Needs) -> Result<(), TwirpError> {
    let video = &claims.video;
    let ok = match &needs {
        Needs::Create => video.room_create,
        Needs::List => video.room_list,
        Needs::Admin(room) => video.room_admin && (video.room.is_empty() || &video.room == room),
    };
    if ok {
        return Ok(());
    }
    Err(TwirpError::permission_denied(match needs {
        Needs::Create => "the token lacks the roomCreate grant".to_string(),
        Needs::List => "the token lacks the roomList grant".to_string(),
        Needs::Admin(room) => format!("the token lacks roomAdmin for room {room}"),
    }))
}

fn stopped() -> TwirpError {
    TwirpError::unavailable("the media server has stopped")
}

/// A participant as LiveKit's API describes them: audio tracks from the
/// microphone.
pub fn to_proto(info: &ParticipantInfo) -> proto::ParticipantInfo {
    let state = match (info.connected, info.media) {
        (false, _) => proto::participant_info::State::Disconnected,
        (true, false) => proto::participant_info::State::Joined,
        (true, true) => proto::participant_info::State::Active,
    };
    proto::ParticipantInfo {
        sid: info.sid.clone(),
        identity: info.identity.clone(),
        name: info.name.clone(),
        state: state as i32,
        version: info.version,
        is_publisher: !info.tracks.is_empty(),
        permission: Some(proto::ParticipantPermission {
            can_subscribe: true,
            can_publish: true,
            can_publish_sources: vec![proto::TrackSource::Microphone as i32],
            ..Default::default()
        }),
        tracks: (info.tracks.iter())
            .map(|(sid, muted)| proto::TrackInfo {
                sid: sid.clone(),
                r#type: proto::TrackType::Audio as i32,
                source: proto::TrackSource::Microphone as i32,
                muted: *muted,
                mime_type: "audio/opus".into(),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    }
}
