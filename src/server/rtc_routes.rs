//! The embedded SFU's LiveKit endpoints: the `/rtc` signalling WebSocket,
//! `/rtc/validate`, and the single-connection `/rtc/v1` paths, which answer
//! 404 (with CORS, so livekit-client falls back to `/rtc` at once).

use std::collections::HashMap;

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{FromRef, Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::Router;

use std::sync::Arc;
use std::time::Duration;

use super::calls::admission::CallGate;
use super::error::AppError;
use super::limits::Limits;
use super::state::AppState;
use crate::media::admission::{Admission, Gate, Refusal};
use crate::media::server_api::MediaHost;
use crate::media::signal::{Resume, Session, MAX_FRAME};
use crate::media::token::{MediaKeys, RoomGrant};

/// What the signalling endpoints need: the SFU, the keys tokens are
/// checked with, who decides admission (call control, or the token alone
/// in the media role), the limits, and the token refresh interval.
#[derive(Clone)]
pub struct RtcState {
    pub host: Option<MediaHost>,
    pub keys: MediaKeys,
    pub gate: Arc<dyn Gate>,
    pub limits: Arc<Limits>,
    pub refresh: Duration,
    /// Joins are refused once the server is stopping.
    pub stopping: super::stopping::Stopping,
}

impl FromRef<AppState> for RtcState {
    fn from_ref(state: &AppState) -> Self {
        Self {
            host: state.host.clone(),
            keys: state.keys.clone(),
            gate: Arc::new(CallGate {
                db: state.db.clone(),
            }),
            limits: state.limits.clone(),
            stopping: state.stopping.clone(),
            refresh: state.config.media.token_refresh,
        }
    }
}

pub fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    RtcState: FromRef<S>,
{
    Router::new()
        .route("/rtc", get(signal))
        .route("/rtc/validate", get(validate))
        .route("/rtc/v1", any(single_connection))
        .route("/rtc/v1/validate", any(single_connection))
}

fn with_cors(mut res: Response) -> Response {
    res.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    res
}

/// The room token from `?access_token=` or `Authorization: Bearer`.
fn token(query: &HashMap<String, String>, headers: &HeaderMap) -> Option<String> {
    query.get("access_token").cloned().or_else(|| {
        headers
            .get(header::AUTHORIZATION)?
            .to_str()
            .ok()?
            .strip_prefix("Bearer ")
            .map(str::to_string)
    })
}

/// The embedded SFU and what the request's token grants in it.
fn check(
    state: &RtcState,
    query: &HashMap<String, String>,
    headers: &HeaderMap,
) -> Result<(MediaHost, RoomGrant), AppError> {
    let host = state.host.clone().ok_or_else(|| {
        AppError::not_found("This server does not carry audio: BELFRY_MEDIA is not embedded.")
    })?;
    let token =
        token(query, headers).ok_or_else(|| AppError::unauthorized("A room token is required."))?;
    let grant = state.keys.verify(&token).map_err(|e| {
        tracing::debug!("room token refused: {e}");
        AppError::unauthorized("The room token is not valid (expired, or for another server).")
    })?;
    // Revoked by RemoveParticipant (LiveKit's server API): a token minted
    // before the removal never works again in that room.
    if host.book.is_revoked(&grant) {
        return Err(AppError::forbidden("You were removed from this room."));
    }
    if !host.book.has_space(&grant.room) {
        return Err(AppError::forbidden("This room is full."));
    }
    Ok((host, grant))
}

/// What the token grants, if call control admits its holder to the room
/// now: a valid signature is not enough (the holder may have been removed,
/// or the call may have ended since it was minted).
async fn admitted(
    state: &RtcState,
    query: &HashMap<String, String>,
    headers: &HeaderMap,
) -> Result<(MediaHost, RoomGrant), AppError> {
    if state.stopping.is_stopping() {
        return Err(AppError::unavailable(super::stopping::REFUSED));
    }
    let (host, grant) = check(state, query, headers)?;
    match state.gate.admit(&grant.room, &grant.identity).await {
        Admission::Admitted { .. } => Ok((host, grant)),
        Admission::Refused(why) => {
            tracing::debug!(
                room = grant.room,
                identity = grant.identity,
                ?why,
                "join refused"
            );
            Err(match why {
                Refusal::NoSuchRoom => AppError::not_found(why.describe()),
                Refusal::NotAdmitted => AppError::forbidden(why.describe()),
                Refusal::Unavailable => AppError::unavailable(why.describe()),
            })
        }
    }
}

async fn signal(
    State(state): State<RtcState>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let (host, grant) = match admitted(&state, &query, &headers).await {
        Ok(checked) => checked,
        Err(e) => return with_cors(e.into_response()),
    };
    let Ok(upgrade) = upgrade else {
        return AppError::bad_request("/rtc expects a WebSocket upgrade.").into_response();
    };
    // A person needs one signalling link per room they are in (a resume
    // briefly overlaps the link it replaces): more are refused.
    let Some(slot) = state.limits.rtc_sessions.open(&grant.identity) else {
        let e = AppError::too_many("Too many media connections for this person.", 10);
        return with_cors(e.into_response());
    };
    // LiveKit's resume: `reconnect=1&sid=PA_..` names the session to take
    // over.
    let resume = Resume::from_query(&query);
    let (keys, gate, refresh) = (state.keys.clone(), state.gate.clone(), state.refresh);
    upgrade
        .max_message_size(MAX_FRAME)
        .max_frame_size(MAX_FRAME)
        .read_buffer_size(4 * 1024)
        .on_upgrade(move |ws| async move {
            let _slot = slot;
            Session::new(ws, host.server, keys, grant, gate)
                .refreshing_every(refresh)
                .run(resume)
                .await
        })
}

/// What livekit-client asks after a failed connection, to tell the user why.
async fn validate(
    State(state): State<RtcState>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    with_cors(match admitted(&state, &query, &headers).await {
        Ok(_) => "success".into_response(),
        Err(e) => e.into_response(),
    })
}

async fn single_connection() -> Response {
    with_cors(
        AppError::not_found("Single peer connection mode is not offered; use /rtc.")
            .into_response(),
    )
}
