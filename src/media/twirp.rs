//! Twirp, the RPC framing of LiveKit's server API: `POST
//! /twirp/livekit.RoomService/<Method>` with a protobuf or JSON body, and
//! errors as `{"code","msg"}` JSON with a matching HTTP status. Both sides
//! of Belfry use it: the client that drives a LiveKit server, and the
//! embedded SFU's own RoomService.

use prost::Message;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The path prefix of LiveKit's room service.
pub const ROOM_SERVICE: &str = "/twirp/livekit.RoomService/";
pub const PROTOBUF: &str = "application/protobuf";
pub const JSON: &str = "application/json";

/// A Twirp error: one of Twirp's codes and a message for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwirpError {
    pub code: String,
    pub msg: String,
}

impl TwirpError {
    pub fn new(code: &str, msg: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            msg: msg.into(),
        }
    }
    pub fn unauthenticated(msg: impl Into<String>) -> Self {
        Self::new("unauthenticated", msg)
    }
    pub fn permission_denied(msg: impl Into<String>) -> Self {
        Self::new("permission_denied", msg)
    }
    pub fn not_found(msg: impl Into<String>) -> Self {
        Self::new("not_found", msg)
    }
    pub fn invalid_argument(msg: impl Into<String>) -> Self {
        Self::new("invalid_argument", msg)
    }
    pub fn malformed(msg: impl Into<String>) -> Self {
        Self::new("malformed", msg)
    }
    pub fn unavailable(msg: impl Into<String>) -> Self {
        Self::new("unavailable", msg)
    }
    pub fn resource_exhausted(msg: impl Into<String>) -> Self {
        Self::new("resource_exhausted", msg)
    }
    pub fn bad_route(msg: impl Into<String>) -> Self {
        Self::new("bad_route", msg)
    }

    /// The HTTP status Twirp gives this code.
    pub fn status(&self) -> u16 {
        match self.code.as_str() {
            "invalid_argument" | "malformed" | "out_of_range" => 400,
            "unauthenticated" => 401,
            "permission_denied" => 403,
            "not_found" | "bad_route" => 404,
            "already_exists" | "aborted" => 409,
            "failed_precondition" => 412,
            "resource_exhausted" => 429,
            "canceled" => 408,
            "unimplemented" => 501,
            "unavailable" => 503,
            "deadline_exceeded" => 504,
            _ => 500,
        }
    }

    pub fn is_not_found(&self) -> bool {
        self.code == "not_found"
    }
}

impl std::fmt::Display for TwirpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.msg)
    }
}

impl std::error::Error for TwirpError {}

/// How a body is framed, from its `Content-Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    Protobuf,
    Json,
}

impl Codec {
    pub fn from_content_type(kind: Option<&str>) -> Result<Self, TwirpError> {
        let essence = kind.unwrap_or("").split(';').next().unwrap_or("").trim();
        if essence.eq_ignore_ascii_case(PROTOBUF) {
            Ok(Codec::Protobuf)
        } else if essence.eq_ignore_ascii_case(JSON) {
            Ok(Codec::Json)
        } else {
            Err(TwirpError::bad_route(format!(
                "unexpected Content-Type {essence:?}: send {PROTOBUF} or {JSON}"
            )))
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Codec::Protobuf => PROTOBUF,
            Codec::Json => JSON,
        }
    }

    /// Reads a request or response body (an empty JSON body is `{}`).
    pub fn decode<M: Message + Default + DeserializeOwned>(
        self,
        body: &[u8],
    ) -> Result<M, TwirpError> {
        match self {
            Codec::Protobuf => M::decode(body)
                .map_err(|e| TwirpError::malformed(format!("the protobuf body is malformed: {e}"))),
            Codec::Json if body.iter().all(u8::is_ascii_whitespace) => Ok(M::default()),
            Codec::Json => serde_json::from_slice(body)
                .map_err(|e| TwirpError::malformed(format!("the JSON body is malformed: {e}"))),
        }
    }

    pub fn encode<M: Message + Serialize>(self, message: &M) -> Vec<u8> {
        match self {
            Codec::Protobuf => message.encode_to_vec(),
            Codec::Json => serde_json::to_vec(message).unwrap_or_else(|_| b"{}".to_vec()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use livekit_protocol::RoomParticipantIdentity;

    #[test]
    fn both_codecs_carry_a_request_and_bad_bodies_are_malformed() {
        let ask = RoomParticipantIdentity {
            room: "call-1".into(),
            identity: "42".into(),
            revoke_token_ts: 1_700_000_000,
        };
        for codec in [Codec::Protobuf, Codec::Json] {
            let back: RoomParticipantIdentity = codec.decode(&codec.encode(&ask)).unwrap();
            assert_eq!(back, ask);
        }
        let json: RoomParticipantIdentity = Codec::Json
            .decode(br#"{"room":"r","identity":"7","revokeTokenTs":"5"}"#)
            .unwrap();
        assert_eq!((json.room.as_str(), json.revoke_token_ts), ("r", 5));
        let bad = Codec::Json
            .decode::<RoomParticipantIdentity>(b"{nope")
            .unwrap_err();
        assert_eq!((bad.code.as_str(), bad.status()), ("malformed", 400));
        assert!(Codec::Protobuf
            .decode::<RoomParticipantIdentity>(&[0xff, 0xff, 0xff])
            .is_err());
    }

    #[test]
    fn content_types_and_statuses_follow_twirp() {
        assert_eq!(
            Codec::from_content_type(Some("application/json; charset=utf-8")).unwrap(),
            Codec::Json
        );
        assert_eq!(
            Codec::from_content_type(Some("application/protobuf")).unwrap(),
            Codec::Protobuf
        );
        assert_eq!(
            Codec::from_content_type(Some("text/plain"))
                .unwrap_err()
                .status(),
            404
        );
        assert_eq!(TwirpError::unauthenticated("x").status(), 401);
        assert_eq!(TwirpError::permission_denied("x").status(), 403);
        assert_eq!(TwirpError::not_found("x").status(), 404);
        assert_eq!(TwirpError::new("internal", "x").status(), 500);
    }
}
