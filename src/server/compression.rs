//! Response compression.
//!
//! The WASM, its JS glue and the CSS are compressed once at build time
//! (`.ci/build-site` writes `.gz` and `.br` beside them) and sent as they are.
//! Pages (HTML), the service worker and the manifest are compressed when they
//! are sent.
//!
//! Server functions' answers (JSON, or postcard for Belfry's own pages) are
//! never compressed. They return secrets (room tokens)
//! next to text that other people wrote (names, messages). Compressing the two
//! together would let an observer who can trigger requests and see their sizes
//! guess the secret (BREACH). The answers are small anyway.

use axum::http::Extensions;
use axum::http::{header, HeaderMap, StatusCode, Version};
use tower_http::compression::predicate::{DefaultPredicate, Predicate};
use tower_http::compression::{CompressionLayer, CompressionLevel};

/// The content types compressed as they are sent.
const COMPRESSED: [&str; 4] = [
    "text/html",
    "text/javascript",
    "application/javascript",
    "application/manifest+json",
];

/// Compresses pages and scripts (gzip or brotli, as the browser asks) at a
/// level cheap enough to spend on every request.
pub fn layer() -> CompressionLayer<impl Predicate> {
    CompressionLayer::new()
        .no_deflate()
        .no_zstd()
        .quality(CompressionLevel::Precise(4))
        .compress_when(DefaultPredicate::new().and(compressible))
}

fn compressible(_: StatusCode, _: Version, headers: &HeaderMap, _: &Extensions) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim())
        .is_some_and(|kind| COMPRESSED.iter().any(|c| kind.eq_ignore_ascii_case(c)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(kind: &str) -> bool {
        let mut h = HeaderMap::new();
        h.insert(header::CONTENT_TYPE, kind.parse().expect("header"));
        compressible(StatusCode::OK, Version::HTTP_11, &h, &Extensions::new())
    }

    #[test]
    fn pages_and_scripts_are_compressed_and_json_never() {
        assert!(typed("text/html; charset=utf-8"));
        assert!(typed("Text/HTML"));
        assert!(typed("text/javascript"));
        assert!(typed("application/manifest+json"));
        assert!(!typed("application/json"));
        assert!(!typed(crate::api::wire::POSTCARD_HERE));
        assert!(!typed("application/json; charset=utf-8"));
        assert!(!typed("image/png"));
        assert!(!compressible(
            StatusCode::OK,
            Version::HTTP_11,
            &HeaderMap::new(),
            &Extensions::new()
        ));
    }
}
