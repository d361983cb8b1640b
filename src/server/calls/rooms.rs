//! Room access: the media keys, tokens for a call's room, and studios'
//! drop-in rooms.

use axum::http::{header, HeaderMap};

use super::ops::visible_call;
use crate::calls::ids::{CallId, StudioId};
use crate::calls::ParticipantStatus;
use crate::contract::call_types::RoomAccess;
use crate::contract::types::UserView;
use crate::media::control::MediaCommand;
use crate::media::token::{MediaKeys, TOKEN_TTL};
use crate::server::config::Config;
use crate::server::db::{self, settings, studio_rooms, studios};
use crate::server::error::{AppError, AppResult};
use crate::server::state::AppState;

/// A studio's room stays open this long after its last join.
const STUDIO_ROOM_TTL_MS: i64 = 12 * 3600 * 1000;

/// The configured key pair, or one generated on first start and kept in the
/// database so tokens survive restarts.
pub async fn media_keys(db: &db::Db, config: &Config) -> Result<MediaKeys, String> {
    if let (Some(key), Some(secret)) = (&config.livekit_api_key, &config.livekit_api_secret) {
        return Ok(MediaKeys::new(key.clone(), secret.clone()));
    }
    let key = settings::get_or_init(db, "media_api_key", || {
        format!("BF{}", &crate::server::auth::new_token()[..12])
    })
    .await
    .map_err(|e| format!("reading media keys: {e}"))?;
    let secret = settings::get_or_init(db, "media_api_secret", crate::server::auth::new_token)
        .await
        .map_err(|e| format!("reading media keys: {e}"))?;
    Ok(MediaKeys::new(key, secret))
}

/// Where clients connect: the configured media URL, or this server itself.
pub fn room_url(config: &Config, headers: &HeaderMap) -> String {
    if let Some(url) = &config.media_url {
        return url.clone();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = if config.secure_cookies { "wss" } else { "ws" };
    format!("{scheme}://{host}")
}

fn access(
    state: &AppState,
    viewer: &UserView,
    room: String,
    headers: &HeaderMap,
) -> AppResult<RoomAccess> {
    let token = state
        .keys
        .mint(&room, viewer, TOKEN_TTL)
        .map_err(AppError::internal)?;
    // LiveKit makes the room with Belfry's settings (audio only, capped);
    // where rooms appear on the first join, nothing happens.
    state
        .media
        .send(MediaCommand::OpenRoom { room: room.clone() });
    Ok(RoomAccess {
        room_url: room_url(&state.config, headers),
        token,
        room_name: room,
        expires_at: db::now_ms() + TOKEN_TTL.as_millis() as i64,
    })
}

/// A token for the call's room: only for a participant who is in the call.
pub async fn call_token(
    state: &AppState,
    viewer: &UserView,
    call: CallId,
    headers: &HeaderMap,
) -> AppResult<RoomAccess> {
    let stored = visible_call(state, viewer, call).await?.call;
    if !stored.state.status.is_live() {
        return Err(AppError::conflict("This call is already over."));
    }
    match stored.state.participant(viewer.id).map(|p| p.status) {
        Some(ParticipantStatus::Connected) => access(state, viewer, stored.room_name, headers),
        Some(s) if s.is_ringing() => Err(AppError::conflict("Answer the call first.")),
        Some(_) => Err(AppError::conflict("Join the call first.")),
        None => Err(AppError::forbidden("You are not in this call.")),
    }
}

async fn studio_member(state: &AppState, viewer: &UserView, studio: StudioId) -> AppResult<()> {
    if studios::find(&state.db, studio).await?.is_none() {
        return Err(AppError::not_found("No such studio."));
    }
    if !studios::is_member(&state.db, studio, viewer.id).await? {
        return Err(AppError::forbidden("You are not a member of this studio."));
    }
    Ok(())
}

/// Gets (or opens) the studio's drop-in room and a token for it.
pub async fn join_studio_room(
    state: &AppState,
    viewer: &UserView,
    studio: StudioId,
    headers: &HeaderMap,
) -> AppResult<RoomAccess> {
    studio_member(state, viewer, studio).await?;
    let fresh = format!(
        "studio-{studio}-{}",
        crate::server::auth::new_token()[..10].to_lowercase()
    );
    let expires_at = db::now_ms() + STUDIO_ROOM_TTL_MS;
    let room =
        studio_rooms::get_or_create(&state.db, studio, viewer.id, &fresh, expires_at).await?;
    access(state, viewer, room.room_name, headers)
}

/// Closes the studio's room (its owner, or whoever opened it).
pub async fn close_studio_room(
    state: &AppState,
    viewer: &UserView,
    studio: StudioId,
) -> AppResult<()> {
    studio_member(state, viewer, studio).await?;
    let Some(room) = studio_rooms::find(&state.db, studio).await? else {
        return Err(AppError::not_found("This studio has no open voice room."));
    };
    let owner = studios::is_owner(&state.db, studio, viewer.id).await?;
    if !owner && room.created_by != Some(viewer.id) {
        return Err(AppError::forbidden(
            "Only the studio's owner or whoever opened the room can close it.",
        ));
    }
    studio_rooms::delete(&state.db, studio).await?;
    state.media.send(MediaCommand::CloseRoom {
        room: room.room_name,
    });
    Ok(())
}
