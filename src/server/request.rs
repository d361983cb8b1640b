//! What a server function needs from the request it is answering: the app
//! state, the signed-in user, and a way to set the session cookie.

use axum::http::{header, HeaderValue};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

use super::auth::{self, Authed};
use super::error::{AppError, AppResult};
use super::state::AppState;

pub fn state() -> AppResult<AppState> {
    use_context::<AppState>().ok_or_else(|| AppError::internal("AppState missing from context"))
}

fn parts() -> AppResult<http::request::Parts> {
    use_context::<http::request::Parts>()
        .ok_or_else(|| AppError::internal("request missing from context"))
}

/// The signed-in user, or 401.
pub async fn viewer() -> AppResult<(AppState, Authed)> {
    let state = state()?;
    let authed = auth::caller(&state, &parts()?).await?;
    Ok((state, authed))
}

/// The signed-in user, or None (for pages that also serve visitors).
pub async fn maybe_viewer() -> AppResult<Option<(AppState, Authed)>> {
    match viewer().await {
        Ok(found) => Ok(Some(found)),
        Err(AppError::Rejected(e)) if e.kind == crate::contract::ErrorKind::Unauthorized => {
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// The request's headers (for the Host that room URLs are built from).
pub fn headers() -> AppResult<axum::http::HeaderMap> {
    Ok(parts()?.headers)
}

/// The address the request comes from (for limits keyed by address).
pub fn client_addr(state: &AppState) -> AppResult<std::net::IpAddr> {
    Ok(super::limits::client_addr(
        &parts()?,
        &state.config.limits.trusted_proxies,
    ))
}

/// The session token from the request's cookie, if any.
pub fn session_token() -> AppResult<Option<String>> {
    let secure = state()?.config.secure_cookies;
    Ok(auth::token_from_headers(&parts()?.headers, secure))
}

pub fn set_cookie(cookie: String) -> AppResult<()> {
    let response = use_context::<ResponseOptions>()
        .ok_or_else(|| AppError::internal("ResponseOptions missing from context"))?;
    let value =
        HeaderValue::from_str(&cookie).map_err(|e| AppError::internal(format!("cookie: {e}")))?;
    response.append_header(header::SET_COOKIE, value);
    Ok(())
}
