//! A studio's owner manages its collaborators: whom they may add (people
//! who share a community with them) and adding them. Removing one, which
//! also takes them out of the drop-in room, is `calls::membership`.

use super::db::{communities, studios};
use super::error::{AppError, AppResult};
use super::state::AppState;
use crate::contract::events::LiveEvent;
use crate::contract::ids::{StudioId, UserId};
use crate::contract::types::UserView;

/// The most people a studio has.
pub const MAX_STUDIO_MEMBERS: usize = 200;

/// The studio, if the viewer owns it: 404 for no such studio, 403 for
/// anyone else (its members included).
async fn owned(state: &AppState, viewer: &UserView, studio: StudioId) -> AppResult<()> {
    if studios::find(&state.db, studio).await?.is_none() {
        return Err(AppError::not_found("No such studio."));
    }
    if !studios::is_owner(&state.db, studio, viewer.id).await? {
        return Err(AppError::forbidden(
            "Only the studio's owner changes who is in it.",
        ));
    }
    Ok(())
}

/// Whom the owner may add: people of their communities not in the studio.
pub async fn candidates(
    state: &AppState,
    viewer: &UserView,
    studio: StudioId,
) -> AppResult<Vec<UserView>> {
    owned(state, viewer, studio).await?;
    Ok(studios::candidates(&state.db, studio, viewer.id).await?)
}

/// Adds someone who shares a community with the owner; answers the
/// studio's members now. They see the studio, and may join its room, at
/// once.
pub async fn add_member(
    state: &AppState,
    viewer: &UserView,
    studio: StudioId,
    user: UserId,
) -> AppResult<Vec<UserView>> {
    owned(state, viewer, studio).await?;
    if communities::shared(&state.db, viewer.id, user)
        .await?
        .is_none()
    {
        return Err(AppError::not_found("No such person in your communities."));
    }
    if studios::is_member(&state.db, studio, user).await? {
        return Err(AppError::conflict("They are in this studio already."));
    }
    if studios::count_members(&state.db, studio).await? >= MAX_STUDIO_MEMBERS {
        return Err(AppError::conflict(format!(
            "A studio has at most {MAX_STUDIO_MEMBERS} people."
        )));
    }
    studios::add_member(&state.db, studio, user, false).await?;
    state
        .live
        .publish([user, viewer.id], LiveEvent::SpacesChanged);
    Ok(studios::members(&state.db, studio).await?)
}
