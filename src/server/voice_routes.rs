//! The REST shapes of the original plans, for clients that are not Belfry's
//! own pages: `GET /api/voice/token?callId=`, `GET /api/voice/active`, and
//! `POST`/`DELETE /api/studio/{id}/voice`. All answer JSON, errors included.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::auth;
use super::calls::{queries, rooms};
use super::error::{AppError, AppResult};
use super::state::AppState;
use crate::calls::ids::{CallId, StudioId};
use crate::contract::call_types::{CallView, RoomAccess};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/voice/token", get(token))
        .route("/api/voice/active", get(active))
        .route(
            "/api/studio/{id}/voice",
            post(join_studio).delete(close_studio),
        )
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TokenQuery {
    call_id: CallId,
}

async fn token(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<TokenQuery>, QueryRejection>,
) -> AppResult<Json<RoomAccess>> {
    let me = auth::authenticate(&state, &headers).await?;
    let Query(q) =
        query.map_err(|_| AppError::bad_request("callId must be a call id, as in ?callId=12."))?;
    Ok(Json(
        rooms::call_token(&state, &me.user, q.call_id, &headers).await?,
    ))
}

#[derive(Serialize)]
struct Active {
    calls: Vec<CallView>,
}

/// Live calls I am in or rung by: the polling fallback for clients without
/// the live event stream.
async fn active(State(state): State<AppState>, headers: HeaderMap) -> AppResult<Json<Active>> {
    let me = auth::authenticate(&state, &headers).await?;
    Ok(Json(Active {
        calls: queries::my_live_calls(&state, &me.user).await?,
    }))
}

fn studio_id(path: Result<Path<StudioId>, PathRejection>) -> AppResult<StudioId> {
    path.map(|Path(id)| id)
        .map_err(|_| AppError::bad_request("The studio id must be a number."))
}

async fn join_studio(
    State(state): State<AppState>,
    headers: HeaderMap,
    path: Result<Path<StudioId>, PathRejection>,
) -> AppResult<Json<RoomAccess>> {
    let me = auth::authenticate(&state, &headers).await?;
    let studio = studio_id(path)?;
    Ok(Json(
        rooms::join_studio_room(&state, &me.user, studio, &headers).await?,
    ))
}

async fn close_studio(
    State(state): State<AppState>,
    headers: HeaderMap,
    path: Result<Path<StudioId>, PathRejection>,
) -> AppResult<StatusCode> {
    let me = auth::authenticate(&state, &headers).await?;
    let studio = studio_id(path)?;
    rooms::close_studio_room(&state, &me.user, studio).await?;
    Ok(StatusCode::NO_CONTENT)
}
