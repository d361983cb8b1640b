//! Room tokens: LiveKit JWTs minted with `livekit-api`, valid for one room
//! and a few minutes. The same token works for the embedded SFU and LiveKit.

use std::time::Duration;

use livekit_api::access_token::{AccessToken, Claims, TokenVerifier, VideoGrants};

use crate::contract::types::UserView;

/// How long a token can be used to join. A call lasts longer: the client
/// refreshes its token while connected.
pub const TOKEN_TTL: Duration = Duration::from_secs(600);

/// How long a server-API token lives: one request's worth.
pub const ADMIN_TTL: Duration = Duration::from_secs(60);

/// The key pair tokens are signed with. The secret never leaves the server.
#[derive(Clone)]
pub struct MediaKeys {
    pub api_key: String,
    api_secret: String,
}

impl std::fmt::Debug for MediaKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaKeys")
            .field("api_key", &self.api_key)
            .field("api_secret", &"<redacted>")
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomGrant {
    pub identity: String,
    pub name: String,
    pub room: String,
    /// When the token became valid (Unix seconds): a removal revokes the
    /// tokens of that person and room minted before it.
    pub not_before: i64,
}

impl MediaKeys {
    pub fn new(api_key: String, api_secret: String) -> Self {
        Self {
            api_key,
            api_secret,
        }
    }

    /// A token letting `user` join `room` (publish and subscribe audio),
    /// nothing else, for `ttl`.
    pub fn mint(&self, room: &str, user: &UserView, ttl: Duration) -> Result<String, String> {
        let grant = RoomGrant {
            identity: user.id.to_string(),
            name: user.display_name.clone(),
            room: room.to_string(),
            not_before: 0,
        };
        self.mint_grant(&grant, ttl)
    }

    /// A fresh token for what `grant` already allows (sent to a connected
    /// client before its token expires).
    pub fn mint_grant(&self, grant: &RoomGrant, ttl: Duration) -> Result<String, String> {
        AccessToken::with_api_key(&self.api_key, &self.api_secret)
            .with_identity(&grant.identity)
            .with_name(&grant.name)
            .with_ttl(ttl)
            .with_grants(VideoGrants {
                room_join: true,
                room: grant.room.clone(),
                can_publish: Some(true),
                can_subscribe: Some(true),
                // A voice call: the microphone, and no camera, screen or
                // data messages (LiveKit enforces these; the embedded SFU
                // carries audio only).
                can_publish_data: Some(false),
                can_publish_sources: vec!["microphone".into()],
                can_update_own_metadata: Some(false),
                ..Default::default()
            })
            .to_jwt()
            .map_err(|e| format!("minting a room token: {e}"))
    }

    /// A server-API token (LiveKit's RoomService): `roomCreate` and
    /// `roomList` always, `roomAdmin` for `room` when one is named. Belfry
    /// mints one per request, valid for a minute.
    pub fn mint_admin(&self, room: Option<&str>) -> Result<String, String> {
        AccessToken::with_api_key(&self.api_key, &self.api_secret)
            .with_ttl(ADMIN_TTL)
            .with_grants(VideoGrants {
                room_create: true,
                room_list: true,
                room_admin: room.is_some(),
                room: room.unwrap_or_default().to_string(),
                ..Default::default()
            })
            .to_jwt()
            .map_err(|e| format!("minting a server-API token: {e}"))
    }

    /// The `Authorization` of a webhook whose body hashes to `sha256`
    /// (base64), as LiveKit signs its webhooks.
    pub fn sign_webhook(&self, sha256: &str) -> Result<String, String> {
        AccessToken::with_api_key(&self.api_key, &self.api_secret)
            .with_ttl(ADMIN_TTL * 5)
            .with_sha256(sha256)
            .with_grants(VideoGrants::default())
            .to_jwt()
            .map_err(|e| format!("signing a webhook: {e}"))
    }

    /// Every claim of a token this key pair signed and that has not expired.
    pub fn claims(&self, token: &str) -> Result<Claims, String> {
        TokenVerifier::with_api_key(&self.api_key, &self.api_secret)
            .verify(token)
            .map_err(|e| format!("invalid token: {e}"))
    }

    /// The verifier for webhooks signed with this key pair.
    pub fn verifier(&self) -> TokenVerifier {
        TokenVerifier::with_api_key(&self.api_key, &self.api_secret)
    }

    /// Checks a token's signature and expiry; returns what it grants.
    pub fn verify(&self, token: &str) -> Result<RoomGrant, String> {
        let claims = self.claims(token)?;
        if !claims.video.room_join || claims.video.room.is_empty() {
            return Err("the token grants no room".into());
        }
        Ok(RoomGrant {
            identity: claims.sub,
            name: claims.name,
            room: claims.video.room,
            not_before: claims.nbf as i64,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calls::ids::UserId;

    fn bob() -> UserView {
        UserView {
            id: UserId(42),
            username: "bob".into(),
            display_name: "Bob Okafor".into(),
            avatar_color: "#000".into(),
        }
    }

    #[test]
    fn a_token_names_its_user_and_only_its_room() {
        let keys = MediaKeys::new("APIkey".into(), "s".repeat(32));
        let token = keys.mint("call-abc", &bob(), TOKEN_TTL).unwrap();
        let grant = keys.verify(&token).unwrap();
        assert_eq!(
            (
                grant.identity.as_str(),
                grant.name.as_str(),
                grant.room.as_str()
            ),
            ("42", "Bob Okafor", "call-abc")
        );
        let claims = keys.claims(&token).unwrap();
        assert_eq!(claims.video.can_publish_sources, vec!["microphone"]);
        assert_eq!(claims.video.can_publish_data, Some(false));
        assert!(!claims.video.room_admin && !claims.video.room_create);
        let other = MediaKeys::new("APIkey".into(), "t".repeat(32));
        assert!(
            other.verify(&token).is_err(),
            "another secret must not accept it"
        );
    }

    #[test]
    fn the_secret_stays_out_of_debug_output() {
        let keys = MediaKeys::new("APIkey".into(), "very-secret-value".into());
        assert!(!format!("{keys:?}").contains("very-secret-value"));
    }
}
