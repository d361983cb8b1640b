//! `AppError`: the server's error. Rejections carry an `ApiError` for the
//! caller; database and internal failures are logged here in full and reach
//! the caller only as an opaque "something went wrong".

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::contract::{ApiError, ErrorKind};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    Rejected(ApiError),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("internal: {0}")]
    Internal(String),
    /// 429: a limit was reached; a try in `retry_after` seconds may succeed
    /// (sent as `Retry-After`).
    #[error("{message}")]
    Limited { message: String, retry_after: u32 },
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::Rejected(ApiError::new(ErrorKind::BadRequest, message))
    }
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::Rejected(ApiError::new(ErrorKind::Unauthorized, message))
    }
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::Rejected(ApiError::new(ErrorKind::Forbidden, message))
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::Rejected(ApiError::new(ErrorKind::NotFound, message))
    }
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::Rejected(ApiError::new(ErrorKind::Conflict, message))
    }
    /// 429: a limit was reached; `seconds` until a try may succeed.
    pub fn too_many(message: impl Into<String>, seconds: u32) -> Self {
        Self::Limited {
            message: message.into(),
            retry_after: seconds.max(1),
        }
    }
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::Rejected(ApiError::new(ErrorKind::Unavailable, message))
    }
    pub fn internal(detail: impl Into<String>) -> Self {
        Self::Internal(detail.into())
    }
    /// Whether this is a 401.
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, Self::Rejected(e) if e.kind == ErrorKind::Unauthorized)
    }
}

impl From<ApiError> for AppError {
    fn from(err: ApiError) -> Self {
        Self::Rejected(err)
    }
}

impl From<AppError> for ApiError {
    fn from(err: AppError) -> Self {
        match err {
            AppError::Rejected(api) => api,
            AppError::Limited {
                message,
                retry_after,
            } => {
                // Answering a server function: its response carries the
                // header (the error's own layout stays as every build
                // reads it).
                if let Some(res) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
                    res.insert_header(header::RETRY_AFTER, retry_after.into());
                }
                ApiError::new(ErrorKind::TooManyRequests, message)
            }
            AppError::Database(e) if crate::server::db::is_unavailable(&e) => {
                tracing::error!(error = %e, "the database is unavailable");
                ApiError::new(
                    ErrorKind::Unavailable,
                    "Belfry cannot reach its database just now. Nothing was changed; try again in a moment.",
                )
            }
            other => {
                tracing::error!(error = %other, "request failed");
                ApiError::new(
                    ErrorKind::Internal,
                    "Something went wrong. Please try again.",
                )
            }
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let retry_after = match &self {
            AppError::Limited { retry_after, .. } => Some(*retry_after),
            _ => None,
        };
        let api = ApiError::from(self);
        let status =
            StatusCode::from_u16(api.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut res = (status, Json(api)).into_response();
        if let Some(seconds) = retry_after {
            res.headers_mut()
                .insert(header::RETRY_AFTER, seconds.into());
        }
        res
    }
}
