//! The People page: the members of the viewer's community, with each one's
//! role, whether Belfry is open for them now, and whether they are in a
//! call, for the directory the UI searches, messages and calls from.

use super::db::communities;
use super::error::{AppError, AppResult};
use super::state::AppState;
use crate::contract::ids::UserId;
use crate::contract::types::{CommunityView, Member, MemberDirectory, UserView};

/// The viewer's community: the first by name, as the navigation shows it
/// (the People and Groups pages are about it).
pub async fn my_community(state: &AppState, viewer: &UserView) -> AppResult<CommunityView> {
    communities::for_user(&state.db, viewer.id)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| AppError::not_found("You are not in a community yet."))
}

/// The viewer's community and its members by name.
pub async fn people_page(state: &AppState, viewer: &UserView) -> AppResult<MemberDirectory> {
    let community = my_community(state, viewer).await?;
    let rows = communities::directory(&state.db, community.id).await?;
    let ids: Vec<UserId> = rows.iter().map(|(user, _, _)| user.id).collect();
    let online = state.push.tabs.online_among(&ids).await;
    let members = rows
        .into_iter()
        .map(|(user, role, in_call)| Member {
            online: online.contains(&user.id),
            user,
            role,
            in_call,
        })
        .collect();
    Ok(MemberDirectory { community, members })
}
