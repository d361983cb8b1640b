//! API tokens: a person makes them in their profile (shown once, kept only
//! as a SHA-256), names them, gives each a scope and, if they like, an
//! expiry, and revokes them. `bearer` lets `Authorization: Bearer <token>`
//! act as the person on the API, within the token's scope.

pub mod bearer;

use super::auth;
use super::db::{api_tokens, now_ms};
use super::error::{AppError, AppResult};
use super::state::AppState;
use crate::contract::api_tokens::{
    ApiScope, ApiTokenView, ApiTokens, NewApiToken, EXPIRY_DAYS, NAME_MAX, PREFIX,
};
use crate::contract::types::UserView;

/// The most tokens the profile lists (newest first).
const LISTED: i64 = 100;
/// The most working tokens one person may have.
pub const MAX_ACTIVE: i64 = 25;
const DAY_MS: i64 = 86_400_000;

/// Who a bearer token speaks for, and how far.
#[derive(Debug, Clone)]
pub struct ApiCaller {
    pub user: UserView,
    pub scope: ApiScope,
    pub token_id: i64,
}

fn view(row: &api_tokens::Row, now: i64) -> ApiTokenView {
    ApiTokenView {
        id: row.id,
        name: row.name.clone(),
        scope: row.scope(),
        hint: row.token_hint.clone(),
        state: row.state(now),
        created_at: row.created_at,
        expires_at: row.expires_at,
        last_used_at: row.last_used_at,
    }
}

pub async fn list(state: &AppState, viewer: &UserView) -> AppResult<ApiTokens> {
    let now = now_ms();
    let rows = api_tokens::for_user(&state.db, viewer.id, LISTED).await?;
    Ok(ApiTokens {
        tokens: rows.iter().map(|r| view(r, now)).collect(),
        scopes: ApiScope::ALL.to_vec(),
    })
}

pub async fn create(
    state: &AppState,
    viewer: &UserView,
    name: &str,
    scope: ApiScope,
    days: Option<u32>,
) -> AppResult<NewApiToken> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > NAME_MAX {
        return Err(AppError::bad_request(format!(
            "Give the token a name of 1 to {NAME_MAX} characters, saying which app uses it."
        )));
    }
    if let Some(days) = days {
        if !EXPIRY_DAYS.contains(&days) {
            return Err(AppError::bad_request(
                "A token lasts 7, 30, 90 or 365 days, or until it is revoked.",
            ));
        }
    }
    let now = now_ms();
    if api_tokens::count_active(&state.db, viewer.id, now).await? >= MAX_ACTIVE {
        return Err(AppError::conflict(format!(
            "You have {MAX_ACTIVE} working tokens. Revoke some before making more."
        )));
    }
    let token = format!("{PREFIX}{}", auth::new_token());
    let hint: String = token.chars().skip(token.chars().count() - 4).collect();
    let id = api_tokens::insert(
        &state.db,
        api_tokens::NewRow {
            user: viewer.id,
            name,
            scope,
            token_hash: &auth::token_hash(&token),
            hint: &hint,
            now,
            expires_at: days.map(|d| now + i64::from(d) * DAY_MS),
        },
    )
    .await?;
    tracing::info!(user = %viewer.id, token = id, scope = scope.as_str(), "API token made");
    let row = api_tokens::get(&state.db, id)
        .await?
        .ok_or_else(|| AppError::internal("new API token vanished"))?;
    Ok(NewApiToken {
        token,
        view: view(&row, now),
    })
}

pub async fn revoke(state: &AppState, viewer: &UserView, id: i64) -> AppResult<ApiTokenView> {
    let row = api_tokens::get(&state.db, id)
        .await?
        .filter(|r| r.user_id == viewer.id.0)
        .ok_or_else(|| AppError::not_found("No such token."))?;
    let now = now_ms();
    if !api_tokens::revoke(&state.db, id, viewer.id, now).await? {
        return Err(AppError::conflict("That token was already revoked."));
    }
    tracing::info!(user = %viewer.id, token = row.id, "API token revoked");
    let row = api_tokens::get(&state.db, id)
        .await?
        .ok_or_else(|| AppError::internal("revoked API token vanished"))?;
    Ok(view(&row, now))
}

/// The caller a bearer token names, or 401 saying why not.
pub async fn resolve(state: &AppState, token: &str) -> AppResult<ApiCaller> {
    if !token.starts_with(PREFIX) {
        return Err(AppError::unauthorized(
            "That is not a Belfry API token (they start with \"blf_\"). Make one in your profile.",
        ));
    }
    let (row, user) = api_tokens::find(&state.db, &auth::token_hash(token))
        .await?
        .ok_or_else(|| AppError::unauthorized("This API token is not valid."))?;
    let now = now_ms();
    match row.state(now) {
        crate::contract::api_tokens::ApiTokenState::Active => {}
        crate::contract::api_tokens::ApiTokenState::Expired => {
            return Err(AppError::unauthorized(
                "This API token has expired. Make a new one in your profile.",
            ))
        }
        crate::contract::api_tokens::ApiTokenState::Revoked => {
            return Err(AppError::unauthorized("This API token was revoked."))
        }
    }
    if row.last_used_at.is_none_or(|at| at <= now - 60_000) {
        api_tokens::touch(&state.db, row.id, now).await?;
    }
    Ok(ApiCaller {
        scope: row.scope(),
        token_id: row.id,
        user,
    })
}
