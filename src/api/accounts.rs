//! Server functions for accounts: sign up, sign in, sign out, who am I.

use crate::contract::Wire;
use leptos::prelude::*;

use crate::contract::types::UserView;
use crate::contract::ApiError;

#[server(prefix = "/api", endpoint = "sign_up", input = Wire, output = Wire)]
pub async fn sign_up(
    username: String,
    display_name: String,
    password: String,
    invite_code: Option<String>,
    invitation: Option<String>,
) -> Result<UserView, ApiError> {
    use crate::server::{accounts, request};
    let state = request::state()?;
    let form = accounts::SignUp {
        username,
        display_name,
        password,
        invite_code,
        invitation,
    };
    let from = request::client_addr(&state)?;
    let (user, token) = accounts::sign_up(&state, form, from).await?;
    request::set_cookie(accounts::cookie_for(&state, &token))?;
    Ok(user)
}

#[server(prefix = "/api", endpoint = "sign_in", input = Wire, output = Wire)]
pub async fn sign_in(username: String, password: String) -> Result<UserView, ApiError> {
    use crate::server::{accounts, request};
    let state = request::state()?;
    let from = request::client_addr(&state)?;
    let (user, token) = accounts::sign_in(&state, &username, password, from).await?;
    request::set_cookie(accounts::cookie_for(&state, &token))?;
    Ok(user)
}

/// Ends this browser's session. Signing out twice is not an error.
#[server(prefix = "/api", endpoint = "sign_out", input = Wire, output = Wire)]
pub async fn sign_out() -> Result<(), ApiError> {
    use crate::server::{accounts, auth, request};
    if let Some((state, authed)) = request::maybe_viewer().await? {
        accounts::sign_out(&state, &authed).await?;
    }
    let secure = request::state()?.config.secure_cookies;
    request::set_cookie(auth::clear_cookie(secure))?;
    Ok(())
}

/// The signed-in user, or None for a visitor.
#[server(prefix = "/api", endpoint = "current_user", input = Wire, output = Wire)]
pub async fn current_user() -> Result<Option<UserView>, ApiError> {
    use crate::server::request;
    Ok(request::maybe_viewer()
        .await?
        .map(|(_, authed)| authed.user))
}
