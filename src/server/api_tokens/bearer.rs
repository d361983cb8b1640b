//! `Authorization: Bearer <API token>` on the API: the token is checked
//! (known, not revoked, not expired), held to its limit and its scope
//! (`openapi::access_for`), and its caller handed to the handler in the
//! request's extensions (`auth::caller`). The request's cookies are taken
//! away, so a request with a token is that token's and nothing more.
//! Addresses that are not the API's operations (LiveKit's own routes, with
//! their own signed tokens; the pages) are left as they are.

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::super::error::AppError;
use super::super::openapi::{access_for, Access};
use super::super::state::AppState;

/// The token in `Authorization: Bearer <token>`, if the request has one.
fn bearer(req: &Request) -> Option<Result<String, AppError>> {
    let value = req.headers().get(header::AUTHORIZATION)?;
    let found = value
        .to_str()
        .ok()
        .and_then(|v| v.split_once(' '))
        .filter(|(kind, _)| kind.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim().to_string())
        .filter(|token| !token.is_empty());
    Some(
        found
            .ok_or_else(|| AppError::unauthorized("Authorization must be \"Bearer <API token>\".")),
    )
}

pub async fn layer(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let Some(access) = access_for(req.method(), req.uri().path()) else {
        return next.run(req).await;
    };
    let Some(token) = bearer(&req) else {
        return next.run(req).await;
    };
    let from = super::super::limits::client_addr_of(&req, &state.config.limits.trusted_proxies);
    match admit(&state, from, access, token).await {
        Ok(caller) => {
            req.headers_mut().remove(header::COOKIE);
            req.extensions_mut().insert(caller);
            next.run(req).await
        }
        Err(e) => e.into_response(),
    }
}

async fn admit(
    state: &AppState,
    from: std::net::IpAddr,
    access: Access,
    token: Result<String, AppError>,
) -> Result<super::ApiCaller, AppError> {
    // A good token is never held up by others' bad ones from the same
    // address (an office behind one NAT); a bad one is counted, and
    // refused with a 429 while its address is locked out.
    let caller = match token {
        Ok(token) => super::resolve(state, &token).await,
        Err(e) => Err(e),
    };
    let caller = match caller {
        Err(e) if e.is_unauthorized() => {
            state.limits.bad_api_token(from)?;
            return Err(e);
        }
        other => other?,
    };
    state.limits.api_request(caller.token_id)?;
    match access {
        Access::Public => Ok(caller),
        Access::Session | Access::Visitor => Err(AppError::forbidden(
            "API tokens cannot do this: sign in to Belfry in a browser.",
        )),
        Access::Token(needed) if caller.scope >= needed => Ok(caller),
        Access::Token(needed) => Err(AppError::forbidden(format!(
            "This API token's scope is \"{}\"; this needs \"{}\".",
            caller.scope.as_str(),
            needed.as_str()
        ))),
    }
}
