//! Passwords, session tokens and the session cookie.
//!
//! The cookie holds a random 256-bit token; the database holds only its
//! SHA-256, so a copy of the database signs nobody in. Hashing passwords runs
//! on threads of its own (`hashing`), never on the async threads.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use axum::http::{header, HeaderMap};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::api_tokens::ApiCaller;
use super::db;
use super::error::{AppError, AppResult};
use super::state::AppState;
use crate::contract::types::UserView;

pub const SESSION_COOKIE: &str = "belfry_session";
/// The name with secure cookies: the `__Host-` prefix makes browsers refuse
/// it unless it is Secure, host-only and for the whole site, so a sibling
/// subdomain cannot plant a session of its own choosing.
pub const SECURE_SESSION_COOKIE: &str = "__Host-belfry_session";

fn cookie_name(secure: bool) -> &'static str {
    if secure {
        SECURE_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    }
}

/// A signed-in user, with the session that proves it.
#[derive(Debug, Clone)]
pub struct Authed {
    pub user: UserView,
    /// The session's token hash (empty for an API token).
    pub token_hash: String,
    /// The API token asking, if it is one (`api_tokens::bearer`).
    pub api_token: Option<i64>,
}

pub async fn hash_password(password: String) -> AppResult<String> {
    super::hashing::run(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| AppError::internal(format!("hashing a password: {e}")))
    })
    .await?
}

pub async fn verify_password(password: String, hash: String) -> AppResult<bool> {
    super::hashing::run(move || {
        let parsed = PasswordHash::new(&hash)
            .map_err(|e| AppError::internal(format!("stored hash unreadable: {e}")))?;
        Ok(Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    })
    .await?
}

/// A hash of a password nobody has, to verify against when the username is
/// unknown so that the response time does not tell which usernames exist.
pub async fn decoy_hash() -> AppResult<String> {
    static DECOY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    DECOY
        .get_or_try_init(|| hash_password(new_token()))
        .await
        .cloned()
}

/// A fresh random token, URL-safe.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn token_hash(token: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes()))
}

pub fn session_cookie(token: &str, max_age_secs: u64, secure: bool) -> String {
    let name = cookie_name(secure);
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}")
}

pub fn clear_cookie(secure: bool) -> String {
    session_cookie("", 0, secure)
}

/// The session token from the request's cookies, if any (by the name that
/// `secure` gives it).
pub fn token_from_headers(headers: &HeaderMap, secure: bool) -> Option<String> {
    let name = cookie_name(secure);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(found, _)| *found == name)
        .map(|(_, value)| value.to_string())
        .filter(|value| !value.is_empty())
}

/// Who is asking: 401 with a message saying why when nobody valid is.
pub async fn authenticate(state: &AppState, headers: &HeaderMap) -> AppResult<Authed> {
    let token = token_from_headers(headers, state.config.secure_cookies)
        .ok_or_else(|| AppError::unauthorized("Sign in to continue."))?;
    let hash = token_hash(&token);
    let now = db::now_ms();
    if let Some(user) = state.sessions.get(&hash, now) {
        return Ok(Authed {
            user,
            token_hash: hash,
            api_token: None,
        });
    }
    let (user, expires_at) = db::sessions::find(&state.db, &hash).await?.ok_or_else(|| {
        state.sessions.forget(&hash);
        AppError::unauthorized("Your session is not valid. Please sign in again.")
    })?;
    if expires_at <= now {
        state.sessions.forget(&hash);
        db::sessions::delete(&state.db, &hash).await?;
        return Err(AppError::unauthorized(
            "Your session has expired. Please sign in again.",
        ));
    }
    state.sessions.put(&hash, user.clone(), expires_at);
    Ok(Authed {
        user,
        token_hash: hash,
        api_token: None,
    })
}

/// Who is asking: the API token's owner when `api_tokens::bearer` let a
/// token through (it took the request's cookies away), else the session's.
pub async fn caller(state: &AppState, parts: &http::request::Parts) -> AppResult<Authed> {
    caller_of(state, &parts.headers, parts.extensions.get::<ApiCaller>()).await
}

/// `caller`, from a handler's extracted headers and token.
pub async fn caller_of(
    state: &AppState,
    headers: &HeaderMap,
    api: Option<&ApiCaller>,
) -> AppResult<Authed> {
    match api {
        Some(api) => Ok(Authed {
            user: api.user.clone(),
            token_hash: String::new(),
            api_token: Some(api.token_id),
        }),
        None => authenticate(state, headers).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_is_read_from_among_other_cookies() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            "theme=dark; belfry_session=abc123; x=1".parse().unwrap(),
        );
        assert_eq!(
            token_from_headers(&headers, false).as_deref(),
            Some("abc123")
        );
        assert_eq!(
            token_from_headers(&headers, true),
            None,
            "with secure cookies only the __Host- cookie counts"
        );
        headers.insert(
            header::COOKIE,
            "belfry_session=planted; __Host-belfry_session=real"
                .parse()
                .unwrap(),
        );
        assert_eq!(token_from_headers(&headers, true).as_deref(), Some("real"));
        headers.insert(header::COOKIE, "belfry_session=".parse().unwrap());
        assert_eq!(token_from_headers(&headers, false), None);
    }

    #[test]
    fn tokens_are_unique_and_hashes_stable() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43, "32 bytes, base64url without padding");
        assert_eq!(token_hash(&a), token_hash(&a));
        assert_ne!(token_hash(&a), token_hash(&b));
    }

    #[test]
    fn cookie_is_http_only_and_lax() {
        let c = session_cookie("t", 60, true);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.contains("Secure"));
        assert!(c.starts_with("__Host-belfry_session=t;") && c.contains("Path=/"));
        assert!(!c.contains("Domain"), "host-only, as the prefix demands");
        assert!(!session_cookie("t", 60, false).contains("Secure"));
    }

    #[tokio::test]
    async fn passwords_verify_only_themselves() {
        let hash = hash_password("correct horse".into()).await.unwrap();
        assert!(verify_password("correct horse".into(), hash.clone())
            .await
            .unwrap());
        assert!(!verify_password("wrong horse".into(), hash).await.unwrap());
    }
}
