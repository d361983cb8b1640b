//! Server functions for running a community: roles, removing someone,
//! invitation links and call-event webhooks.

use crate::contract::Wire;
use leptos::prelude::*;

use crate::contract::ids::{CommunityId, InvitationId, UserId};
use crate::contract::invitations::{
    InvitationPreview, InvitationView, InvitationsOverview, NewInvitation,
};
use crate::contract::types::Role;
use crate::contract::webhooks::{NewWebhook, Webhooks};
use crate::contract::ApiError;

/// An admin makes a member a member, coordinator or admin.
#[server(prefix = "/api", endpoint = "set_member_role", input = Wire, output = Wire)]
pub async fn set_member_role(
    community_id: CommunityId,
    user_id: UserId,
    role: Role,
) -> Result<(), ApiError> {
    use crate::server::{community_members, request};
    let (state, me) = request::viewer().await?;
    Ok(community_members::set_member_role(&state, &me.user, community_id, user_id, role).await?)
}

/// An admin takes someone out of the community, its channels and its calls.
#[server(prefix = "/api", endpoint = "remove_community_member", input = Wire, output = Wire)]
pub async fn remove_community_member(
    community_id: CommunityId,
    user_id: UserId,
) -> Result<(), ApiError> {
    use crate::server::{community_members, request};
    let (state, me) = request::viewer().await?;
    Ok(community_members::remove_from_community(&state, &me.user, community_id, user_id).await?)
}

/// The community's invitation links, for its coordinators and admins.
#[server(prefix = "/api", endpoint = "list_invitations", input = Wire, output = Wire)]
pub async fn list_invitations(community_id: CommunityId) -> Result<InvitationsOverview, ApiError> {
    use crate::server::{invitations, request};
    let (state, me) = request::viewer().await?;
    Ok(invitations::list(&state, &me.user, community_id).await?)
}

/// A new link lasting `hours` (24, 168 or 720) for up to `max_uses` people.
#[server(prefix = "/api", endpoint = "create_invitation", input = Wire, output = Wire)]
pub async fn create_invitation(
    community_id: CommunityId,
    hours: u32,
    max_uses: u32,
) -> Result<NewInvitation, ApiError> {
    use crate::server::{invitations, request};
    let (state, me) = request::viewer().await?;
    Ok(invitations::create(&state, &me.user, community_id, hours, max_uses).await?)
}

#[server(prefix = "/api", endpoint = "revoke_invitation", input = Wire, output = Wire)]
pub async fn revoke_invitation(invitation_id: InvitationId) -> Result<InvitationView, ApiError> {
    use crate::server::{invitations, request};
    let (state, me) = request::viewer().await?;
    Ok(invitations::revoke(&state, &me.user, invitation_id).await?)
}

/// The community a link joins, for the sign-up page (no account needed).
#[server(prefix = "/api", endpoint = "preview_invitation", input = Wire, output = Wire)]
pub async fn preview_invitation(code: String) -> Result<InvitationPreview, ApiError> {
    use crate::server::{invitations, request};
    let state = request::state()?;
    let from = request::client_addr(&state)?;
    Ok(invitations::preview(&state, &code, from).await?)
}

/// Joins the link's community with the account signed in (a member).
#[server(prefix = "/api", endpoint = "join_invitation", input = Wire, output = Wire)]
pub async fn join_invitation(code: String) -> Result<InvitationPreview, ApiError> {
    use crate::server::{invitations, request};
    let (state, me) = request::viewer().await?;
    let from = request::client_addr(&state)?;
    Ok(invitations::join(&state, &me.user, &code, from).await?)
}

/// The community's webhooks, with how each last delivery went (admins).
#[server(prefix = "/api", endpoint = "list_webhooks", input = Wire, output = Wire)]
pub async fn list_webhooks(community_id: CommunityId) -> Result<Webhooks, ApiError> {
    use crate::server::{request, webhooks};
    let (state, me) = request::viewer().await?;
    Ok(webhooks::list(&state, &me.user, community_id).await?)
}

/// A new webhook: the community's call events are posted to `url`, signed
/// with the secret in the answer (shown only this once).
#[server(prefix = "/api", endpoint = "create_webhook", input = Wire, output = Wire)]
pub async fn create_webhook(
    community_id: CommunityId,
    url: String,
) -> Result<NewWebhook, ApiError> {
    use crate::server::{request, webhooks};
    let (state, me) = request::viewer().await?;
    Ok(webhooks::create(&state, &me.user, community_id, &url).await?)
}

/// Removes a webhook, and what was still to be sent to it.
#[server(prefix = "/api", endpoint = "delete_webhook", input = Wire, output = Wire)]
pub async fn delete_webhook(webhook_id: i64) -> Result<(), ApiError> {
    use crate::server::{request, webhooks};
    let (state, me) = request::viewer().await?;
    Ok(webhooks::remove(&state, &me.user, webhook_id).await?)
}
