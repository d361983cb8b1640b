//! `ApiError`: what the browser (or any API client) learns when a request
//! fails. It carries its own HTTP status, a stable kind to match on and a
//! message fit to show a person; internal details stay in the server log.

use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

use super::wire::WireEncoding;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The request is malformed or a value is out of range.
    BadRequest,
    /// Nobody is signed in, or the session has expired.
    Unauthorized,
    /// Signed in, but not allowed to do this.
    Forbidden,
    /// No such thing.
    NotFound,
    /// It clashes with what exists (a taken username, say).
    Conflict,
    /// The request body is too large.
    PayloadTooLarge,
    /// The server failed; the detail is in its log.
    Internal,
    /// The browser could not reach the server.
    Network,
    /// Too many tries or requests: the `Retry-After` header says how long
    /// to wait.
    TooManyRequests,
    /// The body is not JSON or Belfry's postcard.
    UnsupportedMediaType,
    /// The server cannot answer right now (its database failed); it
    /// recovers by itself.
    Unavailable,
}

impl ErrorKind {
    pub fn status(self) -> u16 {
        match self {
            Self::BadRequest => 400,
            Self::Unauthorized => 401,
            Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::Conflict => 409,
            Self::PayloadTooLarge => 413,
            Self::Internal => 500,
            Self::Network => 503,
            Self::TooManyRequests => 429,
            Self::UnsupportedMediaType => 415,
            Self::Unavailable => 503,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[error("{message}")]
pub struct ApiError {
    pub kind: ErrorKind,
    pub message: String,
}

impl ApiError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    pub fn status(&self) -> u16 {
        self.kind.status()
    }
}

impl FromServerFnError for ApiError {
    type Encoder = WireEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        // On the server, `Deserialization` means the request's arguments did
        // not decode (the caller's mistake); in the browser it means the
        // response did not decode (ours).
        let on_server = cfg!(feature = "ssr");
        match value {
            ServerFnErrorErr::Args(detail) | ServerFnErrorErr::MissingArg(detail) => {
                bad_request(&detail)
            }
            ServerFnErrorErr::Deserialization(detail) if on_server => bad_request(&detail),
            ServerFnErrorErr::Request(_) => Self::new(
                ErrorKind::Network,
                "Could not reach Belfry. Check your connection and try again.",
            ),
            _ => Self::new(
                ErrorKind::Internal,
                "Something went wrong. Please try again.",
            ),
        }
    }
}

fn bad_request(detail: &str) -> ApiError {
    ApiError::new(
        ErrorKind::BadRequest,
        format!("The request could not be read: {detail}"),
    )
}
