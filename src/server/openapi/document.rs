//! The OpenAPI 3.1 document, built from the operations and the schemas
//! `schemars` derives from the contract's types.

use schemars::generate::{SchemaGenerator, SchemaSettings};
use serde_json::{json, Map, Value};

use super::{Access, Operation};
use crate::contract::ApiError;

const DESCRIPTION: &str = "\
Belfry's API, for its own pages and for host apps.

**Calling it.** Server functions are `POST /api/<name>` with a JSON object \
of their arguments (`{}` when they take none) and answer JSON; the REST \
routes are as listed. Errors answer `{\"kind\", \"message\"}` with the \
status the kind names; a 429 carries `Retry-After`.

**Who is asking.** Belfry's pages use the session cookie. Other apps send \
`Authorization: Bearer <token>` with an API token made in the profile \
(\"API tokens\"): it acts as the person who made it, under exactly the same \
rules, within its scope (`read` < `calls` < `admin`). Each operation says \
which scope it needs; signing in, passwords, push devices and the tokens \
themselves are for the pages only. A revoked or expired token is refused \
(401) from the next request on.

**The live stream:** `GET /api/events`, a WebSocket of JSON frames \
(calls, messages and changes that concern the caller; scope `read`).

**Not listed here:** LiveKit's own routes (`/rtc`, `/twirp/livekit.RoomService/*`, \
the LiveKit webhook), which take LiveKit's signed tokens.";

fn generator() -> SchemaGenerator {
    SchemaSettings::draft2020_12()
        .with(|s| {
            s.definitions_path = "/components/schemas".into();
            s.meta_schema = None;
        })
        .into_generator()
}

fn error_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ApiError"}}},
    })
}

fn status_words(status: u16) -> &'static str {
    match status {
        400 => "The request is malformed or a value is out of range.",
        401 => "Nobody valid is asking: no session or token, or one that is expired, revoked or unknown.",
        403 => "Not allowed: not a member, not a moderator, or a token whose scope is too narrow.",
        404 => "No such thing (or none the caller may see).",
        405 => "Not a GET.",
        409 => "It clashes with what is so now (the call ended, say).",
        415 => "The body is not JSON.",
        426 => "Not a WebSocket upgrade.",
        429 => "Too many requests: wait as many seconds as Retry-After says.",
        503 => "The database or media server cannot answer just now; nothing was changed.",
        _ => "An error.",
    }
}

fn security(access: Access) -> Value {
    match access {
        Access::Public => json!([{}, {"session": []}, {"bearer": []}]),
        Access::Visitor => json!([{}, {"session": []}]),
        Access::Session => json!([{"session": []}]),
        Access::Token(_) => json!([{"session": []}, {"bearer": []}]),
    }
}

fn operation(g: &mut SchemaGenerator, op: &Operation) -> Value {
    let mut out = Map::new();
    out.insert(
        "operationId".into(),
        json!(
            op.path
                .trim_start_matches("/api/")
                .replace(['/', '.', '{', '}'], "_")
                + "_"
                + &op.method.as_str().to_ascii_lowercase()
        ),
    );
    out.insert("tags".into(), json!([op.tag]));
    out.insert("summary".into(), json!(op.summary));
    out.insert("description".into(), json!(op.access.describe()));
    if let Access::Token(scope) = op.access {
        out.insert("x-belfry-scope".into(), json!(scope.as_str()));
    }
    out.insert("security".into(), security(op.access));
    if !op.params.is_empty() {
        let params: Vec<Value> = op
            .params
            .iter()
            .map(|p| {
                json!({
                    "name": p.name, "in": p.place, "required": true,
                    "description": p.description, "schema": (p.schema)(g),
                })
            })
            .collect();
        out.insert("parameters".into(), Value::Array(params));
    }
    if let Some(body) = op.body {
        out.insert(
            "requestBody".into(),
            json!({"required": true, "content": {"application/json": {"schema": body(g)}}}),
        );
    }
    let mut responses = Map::new();
    let (status, answer) = op.answer;
    let success = match answer {
        Some(schema) => json!({
            "description": "Done.",
            "content": {"application/json": {"schema": schema(g)}},
        }),
        None if status == 101 => json!({"description": "Switching to the WebSocket."}),
        None => json!({"description": "Done."}),
    };
    responses.insert(status.to_string(), success);
    let mut errors: Vec<u16> = op.errors.to_vec();
    errors.extend([401, 429]);
    if op.access != Access::Public {
        errors.push(403);
    }
    errors.sort_unstable();
    errors.dedup();
    for e in errors {
        responses.insert(e.to_string(), error_response(status_words(e)));
    }
    out.insert("responses".into(), Value::Object(responses));
    Value::Object(out)
}

pub fn build(operations: &[Operation]) -> Value {
    let mut g = generator();
    g.subschema_for::<ApiError>();
    let mut paths = Map::new();
    // A WebSocket is no operation OpenAPI describes (`/api/events` is in
    // the description's text); its access rule stands all the same.
    for op in operations.iter().filter(|op| op.answer.0 != 101) {
        let entry = paths
            .entry(op.path.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        let method = op.method.as_str().to_ascii_lowercase();
        let described = operation(&mut g, op);
        if let Value::Object(methods) = entry {
            methods.insert(method, described);
        }
    }
    let schemas = g.take_definitions(true);
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Belfry",
            "version": env!("CARGO_PKG_VERSION"),
            "description": DESCRIPTION,
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An API token (blf_…) made in the profile's \"API tokens\".",
                },
                "session": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": "belfry_session",
                    "description": "Belfry's own pages (`__Host-belfry_session` behind HTTPS).",
                },
            },
        },
    })
}
