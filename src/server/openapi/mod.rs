//! The API's description, and who may call what: one list of operations
//! gives both the OpenAPI 3.1 document served at `/api/openapi.json` and
//! the rule a bearer token is held to (`api_tokens::bearer`). The REST
//! routes' entries are here (`rest`); the server functions' are the api
//! layer's (`api::described`, handed over by `describe_server_fns`), where
//! each is checked against its function when it compiles (arguments, in
//! name and type, and answer), and a test checks that every server
//! function has one, so the document cannot drift from the code.

mod document;
mod rest;

use axum::http::{header, HeaderValue, Method};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use schemars::{generate::SchemaGenerator, Schema};

use super::state::AppState;
use crate::contract::api_tokens::ApiScope;

/// Who may call an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not, with a token of any scope too.
    Public,
    /// Anyone, signed in or not, but not with a token: signing up, in and
    /// out are the pages' own.
    Visitor,
    /// A signed-in browser only (its session cookie): signing in and out,
    /// passwords, push devices and API tokens themselves. A bearer token
    /// is refused here, so a leaked token cannot make more or lock its
    /// owner out.
    Session,
    /// The session, or a token with at least this scope.
    Token(ApiScope),
}

impl Access {
    fn describe(self) -> String {
        match self {
            Access::Public => "No sign-in needed (a token of any scope is taken too).".into(),
            Access::Visitor => {
                "No sign-in needed; for Belfry's own pages, so API tokens are refused (403).".into()
            }
            Access::Session => {
                "For Belfry's own pages (the session cookie): API tokens are refused (403).".into()
            }
            Access::Token(scope) => format!(
                "The session cookie, or an API token with scope `{}` or wider.",
                scope.as_str()
            ),
        }
    }
}

/// A path or query parameter.
pub struct Param {
    pub name: &'static str,
    pub place: &'static str,
    pub schema: fn(&mut SchemaGenerator) -> Schema,
    pub description: &'static str,
}

type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

/// One operation of the API.
pub struct Operation {
    pub method: Method,
    /// With `{name}` for path parameters.
    pub path: &'static str,
    pub access: Access,
    pub tag: &'static str,
    pub summary: String,
    pub params: Vec<Param>,
    /// The JSON body's schema, if it takes one.
    pub body: Option<SchemaFn>,
    /// The answer's status and schema (`None`: no body).
    pub answer: (u16, Option<SchemaFn>),
    /// Error statuses it may answer, besides 401, 403 and 429.
    pub errors: &'static [u16],
}

impl Operation {
    /// Whether `method path` is this operation.
    fn matches(&self, method: &Method, path: &str) -> bool {
        if self.method != method && !(self.method == Method::GET && method == Method::HEAD) {
            return false;
        }
        let mut want = self.path.split('/');
        let mut got = path.split('/');
        loop {
            match (want.next(), got.next()) {
                (None, None) => return true,
                (Some(w), Some(g)) if w.starts_with('{') && !g.is_empty() => {}
                (Some(w), Some(g)) if w == g => {}
                _ => return false,
            }
        }
    }
}

static SERVER_FNS: std::sync::OnceLock<fn() -> Vec<Operation>> = std::sync::OnceLock::new();

/// Hands over the server functions' entries (`api::described::all`; the
/// server cannot name the api layer): `app::router` does, as it must be
/// given them. Until then only the REST routes are known.
pub fn describe_server_fns(all: fn() -> Vec<Operation>) {
    let _ = SERVER_FNS.set(all);
}

/// Every operation: the server functions, then the REST routes.
pub fn operations() -> &'static [Operation] {
    static ALL: std::sync::OnceLock<Vec<Operation>> = std::sync::OnceLock::new();
    if let Some(server_fns) = SERVER_FNS.get() {
        return ALL.get_or_init(|| {
            let mut all = server_fns();
            all.extend(rest::all());
            all
        });
    }
    static REST: std::sync::OnceLock<Vec<Operation>> = std::sync::OnceLock::new();
    REST.get_or_init(rest::all)
}

/// What `method path` asks of its caller, if it is an operation of the
/// API (`None`: some other address, such as LiveKit's own routes, which
/// have their own signed tokens).
pub fn access_for(method: &Method, path: &str) -> Option<Access> {
    operations()
        .iter()
        .find(|op| op.matches(method, path))
        .map(|op| op.access)
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/openapi.json", get(serve))
}

async fn serve() -> Response {
    static DOC: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let body = DOC.get_or_init(|| document::build(operations()).to_string());
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        body.clone(),
    )
        .into_response()
}

/// The document (`belfry::api_document` hands over the server functions
/// first).
pub fn document() -> serde_json::Value {
    document::build(operations())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_match_by_segment() {
        let op = rest::all()
            .into_iter()
            .find(|op| op.path == "/api/studio/{id}/voice" && op.method == Method::POST)
            .unwrap();
        assert!(op.matches(&Method::POST, "/api/studio/7/voice"));
        assert!(!op.matches(&Method::POST, "/api/studio//voice"));
        assert!(!op.matches(&Method::POST, "/api/studio/7/voice/x"));
        assert!(!op.matches(&Method::GET, "/api/studio/7/voice"));
    }

    #[test]
    fn rest_routes_name_their_scope_and_other_addresses_are_left_alone() {
        assert_eq!(
            access_for(&Method::GET, "/api/voice/active"),
            Some(Access::Token(ApiScope::Read))
        );
        assert_eq!(
            access_for(&Method::DELETE, "/api/studio/3/voice"),
            Some(Access::Token(ApiScope::Calls))
        );
        assert_eq!(
            access_for(&Method::POST, "/api/push/subscribe"),
            Some(Access::Session)
        );
        assert_eq!(
            access_for(&Method::POST, "/twirp/livekit.RoomService/ListRooms"),
            None
        );
        assert_eq!(access_for(&Method::GET, "/rtc"), None);
    }
}
