//! `AppError`: the server's error. Rejections carry an `ApiError` for the
//! caller; database and internal failures are logged here in full and reach
//! the caller only as an opaque "something went wrong".

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::api::{ApiError, ErrorKind};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    Rejected(ApiError),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("internal: {0}")]
    Internal(String),
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
    pub fn internal(detail: impl Into<String>) -> Self {
        Self::Internal(detail.into())
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
        let api = ApiError::from(self);
        let status =
            StatusCode::from_u16(api.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, Json(api)).into_response()
    }
}
