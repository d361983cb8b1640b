//! No cross-site writes: a page on another origin (a sibling subdomain
//! included) cannot ride a member's session cookie to post messages, ring
//! people or subscribe its own push endpoint. Every `/api/*` request that
//! changes something must come from Belfry's own origin (by `Origin` and
//! `Sec-Fetch-Site`, when the browser sends them), and a `POST` body must be
//! JSON or Belfry's postcard, which no HTML form and no "simple" fetch can
//! send without the browser asking first (CORS, which Belfry never grants).

use axum::extract::Request;
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::AppError;
use crate::contract::{wire, ApiError, ErrorKind};

/// Whether the request's `Origin` (if any) is this server's own, and its
/// `Sec-Fetch-Site` (if any) says same-origin or a typed address.
pub fn same_origin(headers: &HeaderMap) -> bool {
    let site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if site.is_some_and(|s| s != "same-origin" && s != "none") {
        return false;
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let Some((_, origin_host)) = origin.split_once("://") else {
        return false; // "null", from a sandboxed frame or a data: page
    };
    !host.is_empty() && origin_host.eq_ignore_ascii_case(host)
}

fn json_or_postcard(headers: &HeaderMap) -> bool {
    let Some(kind) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = kind.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case("application/json") || essence.eq_ignore_ascii_case(wire::POSTCARD)
}

/// Whether the request says it carries a body (a bodiless `POST`, such as
/// `POST /api/studio/{id}/voice`, has no media type to judge).
fn has_body(headers: &HeaderMap) -> bool {
    let length = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    length.is_some_and(|n| n > 0) || headers.contains_key(header::TRANSFER_ENCODING)
}

/// The `/api/*` guard: 403 for a cross-site write, 415 for a `POST` body
/// that is neither JSON nor postcard.
pub async fn guard(req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let writes = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    // LiveKit's webhooks come from the media server, signed, with no
    // cookie and their own media type (`livekit_webhook`).
    if !path.starts_with("/api/") || !writes || path == super::livekit_webhook::PATH {
        return next.run(req).await;
    }
    if !same_origin(req.headers()) {
        return AppError::forbidden(
            "This request came from another site. Belfry only takes changes from its own pages.",
        )
        .into_response();
    }
    if *req.method() == Method::POST && has_body(req.headers()) && !json_or_postcard(req.headers())
    {
        return AppError::from(ApiError::new(
            ErrorKind::UnsupportedMediaType,
            "Send the request as JSON (Content-Type: application/json).",
        ))
        .into_response();
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn only_this_origin_writes() {
        let host = ("host", "parish.example.org");
        assert!(same_origin(&headers(&[host])), "no Origin: curl, an app");
        assert!(same_origin(&headers(&[
            host,
            ("origin", "https://parish.example.org"),
            ("sec-fetch-site", "same-origin"),
        ])));
        for bad in [
            ("origin", "https://evil.example.org"),
            ("origin", "null"),
            ("sec-fetch-site", "same-site"),
            ("sec-fetch-site", "cross-site"),
        ] {
            assert!(!same_origin(&headers(&[host, bad])), "{bad:?}");
        }
    }

    #[test]
    fn only_json_and_postcard_bodies() {
        assert!(json_or_postcard(&headers(&[(
            "content-type",
            "application/json; charset=utf-8"
        )])));
        assert!(json_or_postcard(&headers(&[(
            "content-type",
            "application/x-postcard;v=12"
        )])));
        for bad in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ] {
            assert!(!json_or_postcard(&headers(&[("content-type", bad)])));
        }
        assert!(!json_or_postcard(&HeaderMap::new()));
    }
}
