//! Server functions for a studio's owner managing its collaborators
//! (removing one is `remove_studio_member`, which also leaves the room).

use crate::contract::Wire;
use leptos::prelude::*;

use crate::contract::ids::{StudioId, UserId};
use crate::contract::types::UserView;
use crate::contract::ApiError;

/// Whom the studio's owner may add: people of their communities not in it.
#[server(prefix = "/api", endpoint = "studio_candidates", input = Wire, output = Wire)]
pub async fn studio_candidates(studio_id: StudioId) -> Result<Vec<UserView>, ApiError> {
    use crate::server::{request, studio_members};
    let (state, me) = request::viewer().await?;
    Ok(studio_members::candidates(&state, &me.user, studio_id).await?)
}

/// Adds someone to a studio; answers its members now.
#[server(prefix = "/api", endpoint = "add_studio_member", input = Wire, output = Wire)]
pub async fn add_studio_member(
    studio_id: StudioId,
    user_id: UserId,
) -> Result<Vec<UserView>, ApiError> {
    use crate::server::{request, studio_members};
    let (state, me) = request::viewer().await?;
    Ok(studio_members::add_member(&state, &me.user, studio_id, user_id).await?)
}
