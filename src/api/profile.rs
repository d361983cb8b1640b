//! Server functions for my own account: name and colour, password, and
//! my sessions elsewhere, and my API tokens.

use crate::contract::Wire;
use leptos::prelude::*;

use crate::contract::api_tokens::{ApiScope, ApiTokenView, ApiTokens, NewApiToken};
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

/// My API tokens, newest first, and the scopes a new one may have.
#[server(prefix = "/api", endpoint = "list_api_tokens", input = Wire, output = Wire)]
pub async fn list_api_tokens() -> Result<ApiTokens, ApiError> {
    use crate::server::{api_tokens, request};
    let (state, me) = request::viewer().await?;
    Ok(api_tokens::list(&state, &me.user).await?)
}

/// A new API token for another app: its name, scope and lifetime in days
/// (7, 30, 90 or 365; none: until revoked). The token is in the answer,
/// and only there.
#[server(prefix = "/api", endpoint = "create_api_token", input = Wire, output = Wire)]
pub async fn create_api_token(
    name: String,
    scope: ApiScope,
    expires_in_days: Option<u32>,
) -> Result<NewApiToken, ApiError> {
    use crate::server::{api_tokens, request};
    let (state, me) = request::viewer().await?;
    Ok(api_tokens::create(&state, &me.user, &name, scope, expires_in_days).await?)
}

/// Revokes one of my API tokens: it is refused from the next request on.
#[server(prefix = "/api", endpoint = "revoke_api_token", input = Wire, output = Wire)]
pub async fn revoke_api_token(token_id: i64) -> Result<ApiTokenView, ApiError> {
    use crate::server::{api_tokens, request};
    let (state, me) = request::viewer().await?;
    Ok(api_tokens::revoke(&state, &me.user, token_id).await?)
}
