//! Admins change who is in their community: another role for a member,
//! or out of the community altogether (out of its channels and live calls
//! at once). A community always keeps an admin.

use super::db::communities::{self, MemberChange};
use super::error::{AppError, AppResult};
use super::state::AppState;
use crate::contract::events::LiveEvent;
use crate::contract::ids::{CommunityId, UserId};
use crate::contract::types::{Role, UserView};

const LAST_ADMIN: &str =
    "A community needs an admin: make someone else an admin first, then change this.";

/// The viewer is an admin of this (existing) community.
async fn as_admin(state: &AppState, viewer: &UserView, community: CommunityId) -> AppResult<()> {
    if !communities::exists(&state.db, community).await? {
        return Err(AppError::not_found("No such community."));
    }
    match communities::role_of(&state.db, community, viewer.id).await? {
        Some(Role::Admin) => Ok(()),
        Some(_) => Err(AppError::forbidden(
            "Only the community's admins change roles and membership.",
        )),
        None => Err(AppError::forbidden(
            "You are not a member of this community.",
        )),
    }
}

fn outcome(change: MemberChange) -> AppResult<()> {
    match change {
        MemberChange::Done => Ok(()),
        MemberChange::NotMember => Err(AppError::not_found(
            "They are not a member of this community.",
        )),
        MemberChange::LastAdmin => Err(AppError::conflict(LAST_ADMIN)),
    }
}

/// Makes a member a member, coordinator or admin. Their tabs hear of it at
/// once, so controls they no longer have go (the server refuses them from
/// this moment whatever a tab still shows).
pub async fn set_member_role(
    state: &AppState,
    viewer: &UserView,
    community: CommunityId,
    user: UserId,
    role: Role,
) -> AppResult<()> {
    as_admin(state, viewer, community).await?;
    outcome(communities::set_role(&state.db, community, user, role).await?)?;
    tracing::info!(%community, %user, role = role.as_str(), by = %viewer.id, "role changed");
    let everyone = communities::member_ids(&state.db, community).await?;
    state.live.publish(everyone, LiveEvent::SpacesChanged);
    Ok(())
}

/// Takes someone out of the community: out of its parish, groups and direct
/// conversations, and out of any live call there (connected or being rung).
pub async fn remove_from_community(
    state: &AppState,
    viewer: &UserView,
    community: CommunityId,
    user: UserId,
) -> AppResult<()> {
    as_admin(state, viewer, community).await?;
    outcome(communities::remove_member(&state.db, community, user).await?)?;
    tracing::info!(%community, %user, by = %viewer.id, "removed from community");
    super::calls::membership::leave_community_calls(state, community, user).await?;
    super::calls::membership::leave_stranded_studios(state, user).await?;
    let mut told = communities::member_ids(&state.db, community).await?;
    told.push(user);
    state.live.publish(told, LiveEvent::SpacesChanged);
    Ok(())
}
