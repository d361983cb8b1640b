//! A person's own account: their name and avatar colour, their password,
//! and their sessions on other devices.

use std::net::IpAddr;

use super::accounts::{check_display_name, check_password};
use super::auth::{self, Authed};
use super::db::{sessions, users};
use super::error::{AppError, AppResult};
use super::state::AppState;
use crate::contract::profile::{color_name, AVATAR_COLORS};
use crate::contract::types::UserView;

/// Sets my display name and avatar colour (one of the palette's).
pub async fn update(
    state: &AppState,
    me: &Authed,
    display_name: &str,
    avatar_color: &str,
) -> AppResult<UserView> {
    let name = check_display_name(display_name)?;
    if color_name(avatar_color).is_none() {
        let choices: Vec<&str> = AVATAR_COLORS.iter().map(|(_, n)| *n).collect();
        return Err(AppError::bad_request(format!(
            "Choose an avatar colour from the list ({}).",
            choices.join(", ")
        )));
    }
    let color = avatar_color.to_ascii_lowercase();
    users::set_profile(&state.db, me.user.id, &name, &color).await?;
    state.sessions.forget_user(me.user.id);
    let user = users::find(&state.db, me.user.id)
        .await?
        .ok_or_else(|| AppError::unauthorized("This account no longer exists."))?;
    tracing::info!(user = %user.id, "profile updated");
    Ok(user)
}

/// Changes my password, the current one asked again. Wrong tries count
/// against the same limit as signing in. Every other session ends: a
/// password changed because it leaked must not leave the thief signed in.
pub async fn change_password(
    state: &AppState,
    me: &Authed,
    current: String,
    new: String,
    from: IpAddr,
) -> AppResult<u64> {
    state.limits.sign_in_attempt(&me.user.username, from)?;
    let hash = users::password_hash(&state.db, me.user.id)
        .await?
        .ok_or_else(|| AppError::unauthorized("This account no longer exists."))?;
    if !auth::verify_password(current, hash).await? {
        return Err(AppError::forbidden("That is not your current password."));
    }
    state.limits.sign_in_succeeded(&me.user.username, from);
    check_password(&new)?;
    let hash = auth::hash_password(new).await?;
    users::set_password_hash(&state.db, me.user.id, &hash).await?;
    let ended = sign_out_elsewhere(state, me).await?;
    tracing::info!(user = %me.user.id, ended, "password changed");
    Ok(ended)
}

/// Ends every session of mine but this one; how many ended.
pub async fn sign_out_elsewhere(state: &AppState, me: &Authed) -> AppResult<u64> {
    // Never reached with a token (`openapi` keeps these to the session),
    // and an empty session hash would end them all.
    if me.api_token.is_some() || me.token_hash.is_empty() {
        return Err(AppError::forbidden("Only a signed-in browser can do this."));
    }
    let ended = sessions::delete_others(&state.db, me.user.id, &me.token_hash).await?;
    let count = ended.len() as u64;
    state.sessions.ended(ended);
    Ok(count)
}
