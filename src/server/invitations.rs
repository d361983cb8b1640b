//! Invitation links: coordinators and admins make them (an expiry and a use
//! limit), see who joined through each, and revoke them; signing up through
//! an open link joins its community as a member.

use std::net::IpAddr;

use super::auth;
use super::db::{communities, invitations, now_ms};
use super::error::{AppError, AppResult};
use super::state::AppState;
use crate::contract::events::LiveEvent;
use crate::contract::ids::{CommunityId, InvitationId, UserId};
use crate::contract::invitations::{
    path_for, InvitationPreview, InvitationState, InvitationView, InvitationsOverview,
    NewInvitation, EXPIRY_HOURS, MAX_USES,
};
use crate::contract::types::{Role, UserView};

/// The most links a community's list shows (newest first).
const LISTED: i64 = 100;
/// The most links a community may have open at once.
pub const MAX_OPEN: usize = 50;
const HOUR_MS: i64 = 3_600_000;

/// The viewer coordinates or administers this (existing) community.
async fn as_manager(state: &AppState, viewer: &UserView, community: CommunityId) -> AppResult<()> {
    if !communities::exists(&state.db, community).await? {
        return Err(AppError::not_found("No such community."));
    }
    match communities::role_of(&state.db, community, viewer.id).await? {
        Some(role) if role.moderates() => Ok(()),
        Some(_) => Err(AppError::forbidden(
            "Only coordinators and admins invite people.",
        )),
        None => Err(AppError::forbidden(
            "You are not a member of this community.",
        )),
    }
}

async fn views(state: &AppState, rows: Vec<invitations::Row>) -> AppResult<Vec<InvitationView>> {
    let now = now_ms();
    let ids: Vec<InvitationId> = rows.iter().map(|r| InvitationId(r.id)).collect();
    let joined = invitations::joined(&state.db, &ids).await?;
    let makers: Vec<UserId> = rows
        .iter()
        .filter_map(|r| r.created_by.map(UserId))
        .collect();
    let makers = state.people.get_many(&state.db, &makers).await?;
    Ok(rows
        .into_iter()
        .map(|r| InvitationView {
            id: InvitationId(r.id),
            state: r.state(now),
            hint: r.code_hint.clone(),
            made_by: r.created_by.and_then(|u| makers.get(&UserId(u)).cloned()),
            created_at: r.created_at,
            expires_at: r.expires_at,
            max_uses: u32::try_from(r.max_uses).unwrap_or(u32::MAX),
            uses: u32::try_from(r.uses).unwrap_or(0),
            joined: joined
                .iter()
                .filter(|(i, _)| i.0 == r.id)
                .map(|(_, u)| u.clone())
                .collect(),
        })
        .collect())
}

pub async fn list(
    state: &AppState,
    viewer: &UserView,
    community: CommunityId,
) -> AppResult<InvitationsOverview> {
    as_manager(state, viewer, community).await?;
    let community = communities::for_user(&state.db, viewer.id)
        .await?
        .into_iter()
        .find(|c| c.id == community)
        .ok_or_else(|| AppError::forbidden("You are not a member of this community."))?;
    let rows = invitations::for_community(&state.db, community.id, LISTED).await?;
    Ok(InvitationsOverview {
        community,
        invitations: views(state, rows).await?,
    })
}

pub async fn create(
    state: &AppState,
    viewer: &UserView,
    community: CommunityId,
    hours: u32,
    max_uses: u32,
) -> AppResult<NewInvitation> {
    as_manager(state, viewer, community).await?;
    if !EXPIRY_HOURS.contains(&hours) {
        return Err(AppError::bad_request(
            "A link lasts a day, a week or a month.",
        ));
    }
    if !(1..=MAX_USES).contains(&max_uses) {
        return Err(AppError::bad_request(format!(
            "A link lets in 1 to {MAX_USES} people."
        )));
    }
    let now = now_ms();
    // Counted in the database: the list shows only the newest.
    if invitations::count_open(&state.db, community, now).await? >= MAX_OPEN as i64 {
        return Err(AppError::conflict(format!(
            "This community has {MAX_OPEN} open links. Revoke some before making more."
        )));
    }
    let code = auth::new_token();
    let hint: String = code.chars().skip(code.chars().count() - 4).collect();
    let id = invitations::insert(
        &state.db,
        invitations::NewRow {
            community,
            code_hash: &auth::token_hash(&code),
            hint: &hint,
            by: viewer.id,
            now,
            expires_at: now + i64::from(hours) * HOUR_MS,
            max_uses,
        },
    )
    .await?;
    tracing::info!(%community, invitation = %id, by = %viewer.id, hours, max_uses, "invitation made");
    let row = invitations::find(&state.db, id)
        .await?
        .ok_or_else(|| AppError::internal("new invitation vanished"))?;
    let invitation = views(state, vec![row]).await?.remove(0);
    Ok(NewInvitation {
        invitation,
        path: path_for(&code),
    })
}

pub async fn revoke(
    state: &AppState,
    viewer: &UserView,
    id: InvitationId,
) -> AppResult<InvitationView> {
    let row = invitations::find(&state.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("No such invitation."))?;
    as_manager(state, viewer, CommunityId(row.community_id)).await?;
    if !invitations::revoke(&state.db, id, now_ms()).await? {
        return Err(AppError::conflict("That link was already revoked."));
    }
    tracing::info!(invitation = %id, by = %viewer.id, "invitation revoked");
    let row = invitations::find(&state.db, id)
        .await?
        .ok_or_else(|| AppError::internal("revoked invitation vanished"))?;
    Ok(views(state, vec![row]).await?.remove(0))
}

/// Why a link lets nobody in, in words for the person holding it.
fn closed(state: InvitationState) -> AppError {
    AppError::conflict(match state {
        InvitationState::Expired => "This invitation link has expired. Ask for a new one.",
        InvitationState::UsedUp => {
            "This invitation link has been used as many times as it allows. Ask for a new one."
        }
        InvitationState::Revoked | InvitationState::Open => {
            "This invitation link was revoked. Ask for a new one."
        }
    })
}

/// What the sign-up page shows for a code: the community it joins, or why
/// it joins none.
pub async fn preview(state: &AppState, code: &str, from: IpAddr) -> AppResult<InvitationPreview> {
    let row = find_code(state, code, from).await?;
    match row.state(now_ms()) {
        InvitationState::Open => {}
        closed_state => return Err(closed(closed_state)),
    }
    let community_name = communities::name(&state.db, CommunityId(row.community_id))
        .await?
        .ok_or_else(|| AppError::not_found("That invitation link is not valid."))?;
    Ok(InvitationPreview { community_name })
}

async fn find_code(state: &AppState, code: &str, from: IpAddr) -> AppResult<invitations::Row> {
    state.limits.invitation_lookup(from)?;
    let row = invitations::find_by_code(&state.db, &auth::token_hash(code.trim())).await?;
    row.ok_or_else(|| {
        state.limits.unknown_invitation(from);
        AppError::not_found("That invitation link is not valid. Check that it was copied whole.")
    })
}

/// Takes one use of the link for a sign-up: its id and community, or why
/// not. A sign-up that then fails gives it back (`invitations::release`).
pub async fn claim(
    state: &AppState,
    code: &str,
    from: IpAddr,
) -> AppResult<(InvitationId, CommunityId)> {
    let row = find_code(state, code, from).await?;
    take_use(state, code, &row).await
}

/// Takes one use of the link found for `code`, or says why not.
async fn take_use(
    state: &AppState,
    code: &str,
    row: &invitations::Row,
) -> AppResult<(InvitationId, CommunityId)> {
    match invitations::claim(&state.db, &auth::token_hash(code.trim()), now_ms()).await? {
        Some(claimed) => Ok(claimed),
        // Closed, or closed between the read and the claim.
        None => Err(closed(
            invitations::find(&state.db, InvitationId(row.id))
                .await?
                .map_or(InvitationState::Revoked, |r| r.state(now_ms())),
        )),
    }
}

/// Someone signed in joins the link's community with the account they
/// have (someone removed and invited back, or someone of another
/// community), as a member. Already in it: 409, and the link keeps its use.
pub async fn join(
    state: &AppState,
    viewer: &UserView,
    code: &str,
    from: IpAddr,
) -> AppResult<InvitationPreview> {
    let row = find_code(state, code, from).await?;
    let community = CommunityId(row.community_id);
    if communities::role_of(&state.db, community, viewer.id)
        .await?
        .is_some()
    {
        return Err(AppError::conflict("You are in this community already."));
    }
    let (invitation, community) = take_use(state, code, &row).await?;
    communities::add_member(&state.db, community, viewer.id, Role::Member).await?;
    invitations::record_use(&state.db, invitation, viewer.id, now_ms()).await?;
    tracing::info!(user = %viewer.id, %invitation, "joined through an invitation");
    let members = communities::member_ids(&state.db, community).await?;
    state.live.publish(members, LiveEvent::SpacesChanged);
    let community_name = communities::name(&state.db, community)
        .await?
        .unwrap_or_default();
    Ok(InvitationPreview { community_name })
}
