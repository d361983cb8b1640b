//! Server functions for my own account: name and colour, password, and
//! my sessions elsewhere.

use crate::contract::Wire;
use leptos::prelude::*;

use crate::contract::types::UserView;
use crate::contract::ApiError;

/// Sets my display name and avatar colour; me as others now see me.
#[server(prefix = "/api", endpoint = "update_profile", input = Wire, output = Wire)]
pub async fn update_profile(
    display_name: String,
    avatar_color: String,
) -> Result<UserView, ApiError> {
    use crate::server::{profile, request};
    let (state, me) = request::viewer().await?;
    Ok(profile::update(&state, &me, &display_name, &avatar_color).await?)
}

/// Changes my password (the current one asked again); my other sessions
/// end. How many ended.
#[server(prefix = "/api", endpoint = "change_password", input = Wire, output = Wire)]
pub async fn change_password(current: String, new: String) -> Result<u64, ApiError> {
    use crate::server::{profile, request};
    let (state, me) = request::viewer().await?;
    let from = request::client_addr(&state)?;
    Ok(profile::change_password(&state, &me, current, new, from).await?)
}

/// Signs me out on every other device; how many sessions ended.
#[server(prefix = "/api", endpoint = "sign_out_elsewhere", input = Wire, output = Wire)]
pub async fn sign_out_elsewhere() -> Result<u64, ApiError> {
    use crate::server::{profile, request};
    let (state, me) = request::viewer().await?;
    Ok(profile::sign_out_elsewhere(&state, &me).await?)
}
