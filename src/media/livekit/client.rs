//! A small client for LiveKit's RoomService (Twirp with protobuf bodies),
//! on the reqwest and rustls (aws-lc) the server already carries for Web
//! Push. `livekit-api`'s own RoomClient would bring a second reqwest and
//! hyper, a region resolver and its own TLS choice for six calls.

use std::time::Duration;

use livekit_protocol as proto;
use prost::Message;
use serde::de::DeserializeOwned;

use super::super::token::MediaKeys;
use super::super::twirp::{Codec, TwirpError, ROOM_SERVICE};

/// How long one request may take before it counts as failed.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

/// What a room is made with: audio only, closed soon after the last one
/// leaves, and at most `max_participants` people.
#[derive(Debug, Clone, Copy)]
pub struct RoomShape {
    pub empty_timeout: Duration,
    pub max_participants: u32,
}

#[derive(Clone)]
pub struct RoomService {
    http: reqwest::Client,
    /// `http(s)://host[:port]`, from the media URL.
    base: String,
    keys: MediaKeys,
}

impl std::fmt::Debug for RoomService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RoomService")
            .field("base", &self.base)
            .finish()
    }
}

/// The HTTP base of a media URL: `wss://x` is `https://x`, `ws://x` is
/// `http://x`; a path or trailing slash is dropped.
pub fn http_base(media_url: &str) -> Result<String, String> {
    let url = media_url.trim();
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| format!("{url:?} is not a URL like wss://example.livekit.cloud"))?;
    let scheme = match scheme.to_ascii_lowercase().as_str() {
        "wss" | "https" => "https",
        "ws" | "http" => "http",
        other => {
            return Err(format!(
                "{url:?}: the scheme {other:?} is not ws, wss, http or https"
            ))
        }
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() {
        return Err(format!("{url:?} names no host"));
    }
    Ok(format!("{scheme}://{host}"))
}

impl RoomService {
    pub fn new(media_url: &str, keys: MediaKeys) -> Result<Self, String> {
        let base = http_base(media_url)?;
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(Duration::from_secs(3))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("cannot build the LiveKit HTTP client: {e}"))?;
        Ok(Self { http, base, keys })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    async fn call<Req: Message, Res: Message + Default + DeserializeOwned>(
        &self,
        method: &str,
        room: Option<&str>,
        request: &Req,
    ) -> Result<Res, TwirpError> {
        let token = self
            .keys
            .mint_admin(room)
            .map_err(TwirpError::unavailable)?;
        let url = format!("{}{ROOM_SERVICE}{method}", self.base);
        let sent = self
            .http
            .post(&url)
            .bearer_auth(token)
            .header(
                reqwest::header::CONTENT_TYPE,
                Codec::Protobuf.content_type(),
            )
            .body(request.encode_to_vec())
            .send()
            .await
            .map_err(|e| TwirpError::unavailable(format!("{method}: {}", without_url(&e))))?;
        let status = sent.status();
        let body = sent
            .bytes()
            .await
            .map_err(|e| TwirpError::unavailable(format!("{method}: {}", without_url(&e))))?;
        if !status.is_success() {
            return Err(
                serde_json::from_slice::<TwirpError>(&body).unwrap_or_else(|_| {
                    TwirpError::new(
                        "unknown",
                        format!("{method} answered HTTP {}", status.as_u16()),
                    )
                }),
            );
        }
        Codec::Protobuf.decode(&body)
    }

    pub async fn create_room(
        &self,
        name: &str,
        shape: RoomShape,
    ) -> Result<proto::Room, TwirpError> {
        let request = proto::CreateRoomRequest {
            name: name.into(),
            empty_timeout: shape.empty_timeout.as_secs() as u32,
            departure_timeout: shape.empty_timeout.as_secs() as u32,
            max_participants: shape.max_participants,
            ..Default::default()
        };
        self.call("CreateRoom", None, &request).await
    }

    pub async fn list_rooms(&self, names: Vec<String>) -> Result<Vec<proto::Room>, TwirpError> {
        let res: proto::ListRoomsResponse = self
            .call("ListRooms", None, &proto::ListRoomsRequest { names })
            .await?;
        Ok(res.rooms)
    }

    pub async fn delete_room(&self, room: &str) -> Result<(), TwirpError> {
        let request = proto::DeleteRoomRequest { room: room.into() };
        let _: proto::DeleteRoomResponse = self.call("DeleteRoom", None, &request).await?;
        Ok(())
    }

    pub async fn list_participants(
        &self,
        room: &str,
    ) -> Result<Vec<proto::ParticipantInfo>, TwirpError> {
        let request = proto::ListParticipantsRequest { room: room.into() };
        let res: proto::ListParticipantsResponse =
            self.call("ListParticipants", Some(room), &request).await?;
        Ok(res.participants)
    }

    /// Takes `identity` out of `room` and revokes every token for them in
    /// it minted up to this second (`revoke_token_ts`), so none of them can
    /// come back; a token minted after it (a re-invitation) still works.
    pub async fn remove_participant(&self, room: &str, identity: &str) -> Result<(), TwirpError> {
        let request = proto::RoomParticipantIdentity {
            room: room.into(),
            identity: identity.into(),
            revoke_token_ts: crate::media::unix_now() + 1,
        };
        let _: proto::RemoveParticipantResponse =
            self.call("RemoveParticipant", Some(room), &request).await?;
        Ok(())
    }

    pub async fn mute_track(
        &self,
        room: &str,
        identity: &str,
        track_sid: &str,
        muted: bool,
    ) -> Result<(), TwirpError> {
        let request = proto::MuteRoomTrackRequest {
            room: room.into(),
            identity: identity.into(),
            track_sid: track_sid.into(),
            muted,
        };
        let _: proto::MuteRoomTrackResponse = self
            .call("MutePublishedTrack", Some(room), &request)
            .await?;
        Ok(())
    }

    /// Mutes (or unmutes) every audio track `identity` publishes in `room`;
    /// how many there were.
    pub async fn mute_audio(
        &self,
        room: &str,
        identity: &str,
        muted: bool,
    ) -> Result<usize, TwirpError> {
        let people = self.list_participants(room).await?;
        let Some(person) = people.iter().find(|p| p.identity == identity) else {
            return Ok(0);
        };
        let audio = (person.tracks.iter())
            .filter(|t| t.r#type == proto::TrackType::Audio as i32)
            .collect::<Vec<_>>();
        for track in &audio {
            self.mute_track(room, identity, &track.sid, muted).await?;
        }
        Ok(audio.len())
    }
}

/// A request error without the URL reqwest puts in it.
fn without_url(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "cannot connect"
    } else {
        "request failed"
    };
    kind.to_string()
}

#[cfg(test)]
mod tests {
    use super::http_base;

    #[test]
    fn media_urls_become_http_bases() {
        assert_eq!(
            http_base("wss://parish.livekit.cloud").unwrap(),
            "https://parish.livekit.cloud"
        );
        assert_eq!(
            http_base("ws://127.0.0.1:7880/").unwrap(),
            "http://127.0.0.1:7880"
        );
        assert_eq!(http_base("https://h/x?y").unwrap(), "https://h");
        assert!(http_base("parish.livekit.cloud").is_err());
        assert!(http_base("ftp://h").is_err());
        assert!(http_base("wss://").is_err());
    }
}
