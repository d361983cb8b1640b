//! `POST /api/livekit/webhook`: LiveKit's webhooks, in LiveKit mode. A
//! signed, fresh, first-seen event about someone coming or going becomes
//! the same presence change the embedded SFU reports; someone who joined
//! but whom call control does not admit is removed again at once, their
//! tokens for that room revoked.

use axum::extract::State;
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;

use super::calls::admission::CallGate;
use super::db::calls as calls_db;
use super::error::AppError;
use super::limits::client_addr;
use super::state::AppState;
use crate::media::admission::{Admission, Gate, Refusal};
use crate::media::driver::PresenceChange;
use crate::media::livekit::{Heard, Refused};
use crate::media::sfu::Presence;
use crate::media::unix_now;

/// The webhook's path (the cross-site guard lets it through: it carries
/// its own signature and no cookie counts).
pub const PATH: &str = "/api/livekit/webhook";

pub fn routes() -> Router<AppState> {
    Router::new().route(PATH, post(receive))
}

async fn receive(State(state): State<AppState>, parts: Parts, body: String) -> Response {
    let Some(link) = state.livekit.clone() else {
        return AppError::not_found("This server is not in LiveKit mode (BELFRY_MEDIA=livekit).")
            .into_response();
    };
    let headers = &parts.headers;
    let from = client_addr(&parts, &state.limits.config.trusted_proxies);
    if let Err(limited) = state.limits.signed_call(from) {
        return limited.into_response();
    }
    let auth = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let heard = match link.inbox.accept(&body, auth, unix_now()) {
        Ok(heard) => heard,
        Err(refused) => {
            tracing::debug!(?refused, "webhook refused");
            if matches!(refused, Refused::Unsigned(_)) {
                state.limits.badly_signed(from);
            }
            let status = StatusCode::from_u16(refused.status()).unwrap_or(StatusCode::BAD_REQUEST);
            return (status, refused.message()).into_response();
        }
    };
    match heard {
        Heard::Joined { room, identity } => {
            // Checked off the request: LiveKit waits for no answer.
            tokio::spawn(async move {
                let gate = CallGate {
                    db: state.db.clone(),
                };
                match gate.admit(&room, &identity).await {
                    Admission::Admitted { .. } => tell(&state, room, identity, true),
                    Admission::Refused(Refusal::Unavailable) => {}
                    Admission::Refused(why) => link.turn_away(&room, &identity, why).await,
                }
            });
        }
        Heard::Left { room, identity } => tell(&state, room, identity, false),
        Heard::RoomFinished { room } => everyone_left(&state, room).await,
        Heard::Nothing => {}
    }
    StatusCode::OK.into_response()
}

pub fn tell(state: &AppState, room: String, identity: String, joined: bool) {
    let _ = state.presence.send(PresenceChange {
        presence: Presence {
            room,
            identity,
            sid: String::new(),
            name: String::new(),
        },
        joined,
    });
}

/// The room closed: whoever call control still has connected there left.
async fn everyone_left(state: &AppState, room: String) {
    let call = match calls_db::live_by_room(&state.db, &room).await {
        Ok(Some(call)) => call,
        Ok(None) => return,
        Err(e) => return tracing::warn!(room, "finding a finished room's call: {e}"),
    };
    let Ok(Some(stored)) = calls_db::load(&state.db, call).await else {
        return;
    };
    for p in &stored.state.participants {
        if p.status == crate::calls::ParticipantStatus::Connected {
            tell(state, room.clone(), p.user.to_string(), false);
        }
    }
}
