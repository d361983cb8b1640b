//! The REST shapes of the roadmaps, for host apps that are not Belfry's own
//! pages, exactly as written there: `GET /api/voice/active`,
//! `GET /api/voice/token?callId=`, and `POST`/`DELETE /api/studio/{id}/voice`
//! (`voice_shapes`). All answer JSON, errors included, and take the session
//! cookie or an API token (`api_tokens::bearer`).

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Json, Router};

use super::auth;
use super::calls::{queries, rooms};
use super::error::{AppError, AppResult};
use super::state::AppState;
use super::voice_shapes::{Active, ActiveCall, CallToken, Deleted, TokenQuery};
use crate::calls::ids::StudioId;
use crate::contract::call_types::RoomAccess;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/voice/token", get(token))
        .route("/api/voice/active", get(active))
        .route(
            "/api/studio/{id}/voice",
            post(join_studio).delete(close_studio),
        )
}

async fn token(
    State(state): State<AppState>,
    parts: Parts,
    query: Result<Query<TokenQuery>, QueryRejection>,
) -> AppResult<Json<CallToken>> {
    let me = auth::caller(&state, &parts).await?;
    let Query(q) =
        query.map_err(|_| AppError::bad_request("callId must be a call id, as in ?callId=12."))?;
    let access = rooms::call_token(&state, &me.user, q.call_id, &parts.headers).await?;
    Ok(Json(CallToken {
        token: access.token,
        url: access.room_url,
    }))
}

/// The newest call ringing me: the polling fallback for clients without
/// the live event stream.
async fn active(State(state): State<AppState>, parts: Parts) -> AppResult<Json<Active>> {
    let me = auth::caller(&state, &parts).await?;
    let mut ringing: Vec<_> = queries::my_live_calls(&state, &me.user)
        .await?
        .into_iter()
        .filter(|call| call.rings(me.user.id))
        .collect();
    ringing.sort_by_key(|call| std::cmp::Reverse((call.created_at, call.id)));
    Ok(Json(Active {
        call: ringing.into_iter().next().map(ActiveCall::from),
    }))
}

fn studio_id(path: Result<Path<StudioId>, PathRejection>) -> AppResult<StudioId> {
    path.map(|Path(id)| id)
        .map_err(|_| AppError::bad_request("The studio id must be a number."))
}

async fn join_studio(
    State(state): State<AppState>,
    parts: Parts,
    path: Result<Path<StudioId>, PathRejection>,
) -> AppResult<Json<RoomAccess>> {
    let me = auth::caller(&state, &parts).await?;
    let studio = studio_id(path)?;
    let headers: &HeaderMap = &parts.headers;
    Ok(Json(
        rooms::join_studio_room(&state, &me.user, studio, headers).await?,
    ))
}

async fn close_studio(
    State(state): State<AppState>,
    parts: Parts,
    path: Result<Path<StudioId>, PathRejection>,
) -> AppResult<Json<Deleted>> {
    let me = auth::caller(&state, &parts).await?;
    let studio = studio_id(path)?;
    rooms::close_studio_room(&state, &me.user, studio).await?;
    Ok(Json(Deleted {
        success: true,
        message: "Room deleted".into(),
    }))
}
