//! The OpenAPI document at `/api/openapi.json`: every server function and
//! REST route in it, each schema reference resolving, each operation's
//! scope the one tokens are held to, and the roadmap shapes as written.
//! (Schemathesis checks live answers against it: `.ci/api-fuzz`.)

use crate::common::TestApp;

use belfry::server::openapi::{access_for, Access};
use reqwest::Method;
use serde_json::Value;

fn refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                out.push(r);
            }
            map.values().for_each(|v| refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

#[tokio::test]
async fn the_document_describes_every_operation_with_resolving_schemas_and_true_scopes() {
    let app = TestApp::new().await;
    let res = reqwest::get(app.url("/api/openapi.json")).await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let doc: Value = res.json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();

    for (path, _) in leptos::server_fn::axum::server_fn_paths() {
        let op = &paths[path]["post"];
        assert!(op.is_object(), "{path} is described");
        assert!(op["requestBody"]["content"]["application/json"]["schema"].is_object());
        assert!(op["responses"]["200"].is_object(), "{path}");
    }
    for (method, path) in [
        ("get", "/api/voice/active"),
        ("get", "/api/voice/token"),
        ("post", "/api/studio/{id}/voice"),
        ("delete", "/api/studio/{id}/voice"),
        ("get", "/api/push/key"),
        ("post", "/api/push/subscribe"),
        ("post", "/api/push/unsubscribe"),
        ("get", "/api/openapi.json"),
    ] {
        assert!(paths[path][method].is_object(), "{method} {path}");
    }

    // Every reference resolves to a schema in the document.
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let mut found = Vec::new();
    refs(&doc, &mut found);
    assert!(found.len() > 100);
    for r in found {
        let name = r
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("{r} points outside the schemas"));
        assert!(schemas.contains_key(name), "{r} resolves");
    }

    // The scope each operation names is the one tokens are held to.
    for (path, methods) in paths {
        for (method, op) in methods.as_object().unwrap() {
            let access = access_for(
                &Method::from_bytes(method.to_uppercase().as_bytes()).unwrap(),
                path,
            )
            .unwrap_or_else(|| panic!("{method} {path} has an access rule"));
            let named = op.get("x-belfry-scope").and_then(Value::as_str);
            match access {
                Access::Token(scope) => assert_eq!(named, Some(scope.as_str()), "{method} {path}"),
                _ => assert_eq!(named, None, "{method} {path}"),
            }
            let security = op["security"].as_array().unwrap();
            let bearer = security.iter().any(|s| s.get("bearer").is_some());
            let anonymous = security.iter().any(|s| s.as_object().unwrap().is_empty());
            assert_eq!(
                bearer,
                matches!(access, Access::Token(_) | Access::Public),
                "{method} {path}: a token is taken where the rule takes one"
            );
            assert_eq!(
                anonymous,
                matches!(access, Access::Public | Access::Visitor),
                "{method} {path}"
            );
        }
    }

    // The roadmap's shapes, as the document gives them.
    let fields = |name: &str| -> Vec<String> {
        let mut found: Vec<String> = schemas[name]["properties"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        found.sort_unstable();
        found
    };
    assert_eq!(
        fields("ActiveCall"),
        ["channelId", "createdAt", "id", "initiator", "status"]
    );
    assert_eq!(
        fields("RoomAccess"),
        ["expiresAt", "roomName", "roomUrl", "token"]
    );
    assert_eq!(fields("CallToken"), ["token", "url"]);
    assert_eq!(fields("Deleted"), ["message", "success"]);
    assert_eq!(
        schemas["Deleted"]["properties"]["success"]["type"],
        "boolean"
    );
    assert_eq!(
        paths["/api/open_chat"]["post"]["requestBody"]["content"]["application/json"]["schema"]
            ["required"],
        serde_json::json!(["channel_id"])
    );
}
