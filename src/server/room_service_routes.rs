//! LiveKit's server API on the embedded SFU: `POST
//! /twirp/livekit.RoomService/<Method>` with a protobuf or JSON body and a
//! server-API token (`media::server_api::service` answers). LiveKit's own
//! server SDKs and tools manage the SFU through it, and another Belfry in
//! LiveKit mode drives it as it would drive LiveKit.

use axum::body::Bytes;
use axum::extract::{FromRef, Path, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;

use super::error::AppError;
use super::limits::client_addr;
use super::rtc_routes::RtcState;
use crate::media::twirp::{Codec, TwirpError};

pub fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    RtcState: FromRef<S>,
{
    Router::new().route("/twirp/livekit.RoomService/{method}", post(call))
}

async fn call(
    State(state): State<RtcState>,
    Path(method): Path<String>,
    parts: Parts,
    body: Bytes,
) -> Response {
    let headers = &parts.headers;
    let from = client_addr(&parts, &state.limits.config.trusted_proxies);
    if let Err(AppError::Limited {
        message,
        retry_after,
    }) = state.limits.signed_call(from)
    {
        let mut res = twirp_error(TwirpError::resource_exhausted(message));
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
        return res;
    }
    let Some(host) = state.host else {
        return twirp_error(TwirpError::bad_route(
            "this server carries no audio (BELFRY_MEDIA is not embedded)",
        ));
    };
    let kind = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let codec = match Codec::from_content_type(kind) {
        Ok(codec) => codec,
        Err(e) => return twirp_error(e),
    };
    let auth = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    match host.room_service(&method, auth, codec, &body).await {
        Err(e) if e.code == "unauthenticated" => {
            state.limits.badly_signed(from);
            twirp_error(e)
        }
        Ok(answer) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static(codec.content_type()),
            )],
            answer,
        )
            .into_response(),
        Err(e) => twirp_error(e),
    }
}

/// Twirp's error: JSON `{"code","msg"}` whatever the request's codec.
fn twirp_error(e: TwirpError) -> Response {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_vec(&e).unwrap_or_default();
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}
