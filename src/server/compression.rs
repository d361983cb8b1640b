//! Response compression.
//!
//! The WASM, its JS glue and the CSS are compressed once at build time
//! (`.ci/build-site` writes `.gz` and `.br` beside them) and sent as they are.
//! Pages (HTML), the service worker and the manifest are compressed when they
//! are sent.
//!
//! Server functions' answers (JSON, or postcard for Belfry's own pages) are
//! not compressed, but for the few listed in [`HOLDING_NO_SECRET`]. Some
//! return secrets (room tokens) next to text that other people wrote (names,
//! messages). Compressing the two together would let an observer who can
//! trigger requests and see their sizes guess the secret (BREACH). Those
//! listed answer with what a page shows and nothing more (a chat's messages,
//! the calls history; `open_chat`: a chat's header, messages and live call,
//! no token), as the page itself does when it comes compressed; they
//! are also the answers that grow with use.

use axum::body::HttpBody;
use axum::extract::Request;
use axum::http::{header, HeaderMap};
use axum::middleware::Next;
use axum::response::Response;
use tower_http::compression::predicate::{DefaultPredicate, Predicate};
use tower_http::compression::{CompressionLayer, CompressionLevel};

/// The content types compressed as they are sent.
const COMPRESSED: [&str; 4] = [
    "text/html",
    "text/javascript",
    "application/javascript",
    "application/manifest+json",
];

/// The server functions whose answers carry nothing a page with the same
/// content would not: compressed like pages. One that ever returns a secret
/// (a token, a key) must not be listed.
pub const HOLDING_NO_SECRET: [&str; 4] = [
    "/api/list_messages",
    "/api/open_chat",
    "/api/calls_page",
    "/api/call_history",
];

/// Below this, gzip's framing and the headers it adds (Content-Encoding,
/// Vary) cost about what it saves: a chat of a few messages.
const WORTH_COMPRESSING: u64 = 1024;

/// Marks an answer of one of [`HOLDING_NO_SECRET`] as one to compress.
#[derive(Clone, Copy)]
struct HoldsNoSecret;

/// Runs inside [`layer`]: tells it which server functions' answers it may
/// compress.
pub async fn mark(req: Request, next: Next) -> Response {
    let listed = HOLDING_NO_SECRET.contains(&req.uri().path());
    let mut res = next.run(req).await;
    if listed {
        res.extensions_mut().insert(HoldsNoSecret);
    }
    res
}

/// Compresses pages, scripts and the marked answers (gzip or brotli, as the
/// browser asks) at a level cheap enough to spend on every request.
pub fn layer() -> CompressionLayer<impl Predicate> {
    CompressionLayer::new()
        .no_deflate()
        .no_zstd()
        .quality(CompressionLevel::Precise(4))
        .compress_when(DefaultPredicate::new().and(Compressible))
}

#[derive(Clone, Copy)]
struct Compressible;

impl Predicate for Compressible {
    fn should_compress<B: HttpBody>(&self, res: &axum::http::Response<B>) -> bool {
        let marked = res.extensions().get::<HoldsNoSecret>().is_some();
        compressible(res.headers(), marked, res.body().size_hint().exact())
    }
}

/// Whether an answer is compressed: a page or script, or a marked answer
/// known to be long enough.
fn compressible(headers: &HeaderMap, marked: bool, size: Option<u64>) -> bool {
    let kind = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim());
    let page_or_script =
        kind.is_some_and(|kind| COMPRESSED.iter().any(|c| kind.eq_ignore_ascii_case(c)));
    page_or_script || (marked && size.is_some_and(|n| n >= WORTH_COMPRESSING))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(kind: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::CONTENT_TYPE, kind.parse().expect("header"));
        h
    }

    #[test]
    fn pages_and_scripts_are_compressed_and_json_never() {
        let unmarked = |kind: &str| compressible(&typed(kind), false, Some(5000));
        assert!(unmarked("text/html; charset=utf-8"));
        assert!(unmarked("Text/HTML"));
        assert!(unmarked("text/javascript"));
        assert!(unmarked("application/manifest+json"));
        assert!(!unmarked("application/json"));
        assert!(!unmarked(crate::contract::wire::POSTCARD_HERE));
        assert!(!unmarked("application/json; charset=utf-8"));
        assert!(!unmarked("image/png"));
        assert!(!compressible(&HeaderMap::new(), false, Some(5000)));
    }

    #[test]
    fn a_marked_answer_is_compressed_whatever_its_type_when_long_enough() {
        for kind in ["application/json", crate::contract::wire::POSTCARD_HERE] {
            assert!(compressible(&typed(kind), true, Some(1024)));
            assert!(!compressible(&typed(kind), true, Some(1023)));
            assert!(!compressible(&typed(kind), true, None));
        }
    }
}
