//! No cross-site writes: another site (a sibling subdomain included) cannot
//! ride a member's cookie, and with secure cookies the session cookie is
//! `__Host-` prefixed so a sibling cannot plant one either.

use serde_json::{json, Value};

use crate::common::{Parish, TestApp, PASSWORD};

#[tokio::test]
async fn a_post_from_another_site_or_in_a_form_encoding_changes_nothing() {
    let p = Parish::new().await;
    let host = p.app.addr.to_string();
    let send = |content_type: Option<&'static str>, extra: Vec<(&'static str, String)>| {
        let mut req = p
            .bob
            .http
            .post(p.app.url("/api/send_message"))
            .body(json!({"channel_id": p.direct, "body": "as bob"}).to_string());
        if let Some(t) = content_type {
            req = req.header("content-type", t);
        }
        for (k, v) in extra {
            req = req.header(k, v);
        }
        req.send()
    };
    // (Content-Type, other headers, the status it must get)
    type Attempt = (Option<&'static str>, Vec<(&'static str, String)>, u16);
    let attempts: Vec<Attempt> = vec![
        (Some("text/plain"), vec![], 415),
        (Some("application/x-www-form-urlencoded"), vec![], 415),
        (None, vec![], 415),
        (
            Some("application/json"),
            vec![("origin", "https://evil.example".into())],
            403,
        ),
        (
            Some("text/plain"),
            vec![("origin", "https://evil.example".into())],
            403,
        ),
        (
            Some("application/json"),
            vec![("sec-fetch-site", "same-site".into())],
            403,
        ),
        (
            Some("application/json"),
            vec![("origin", "null".into())],
            403,
        ),
    ];
    for (content_type, extra, want) in attempts {
        let res = send(content_type, extra.clone()).await.expect("sent");
        assert_eq!(res.status(), want, "{content_type:?} {extra:?}");
        let body: Value = res.json().await.expect("an error body");
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let page: belfry::contract::types::MessagePage = p
        .bob
        .ok("list_messages", json!({"channel_id": p.direct}))
        .await;
    assert!(
        page.messages.is_empty(),
        "nothing was posted: {:?}",
        page.messages
    );

    // Belfry's own page: same origin, JSON.
    let ok = send(
        Some("application/json"),
        vec![
            ("origin", format!("http://{host}")),
            ("sec-fetch-site", "same-origin".into()),
        ],
    )
    .await
    .expect("sent");
    assert_eq!(ok.status(), 200);

    // The live stream and the push routes guard the same way.
    let sub = p
        .bob
        .http
        .post(p.app.url("/api/push/subscribe"))
        .header("origin", "https://evil.example")
        .json(&json!({}))
        .send()
        .await
        .expect("sent");
    assert_eq!(sub.status(), 403);
}

#[tokio::test]
async fn with_secure_cookies_the_session_cookie_is_host_only_and_a_planted_one_is_ignored() {
    let app = TestApp::with_config(|c| c.secure_cookies = true).await;
    let res = app
        .visitor()
        .http
        .post(app.url("/api/sign_up"))
        .json(&json!({"username": "alice", "display_name": "Alice", "password": PASSWORD}))
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), 200);
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("__Host-belfry_session="), "{cookie}");
    assert!(cookie.contains("; Secure") && cookie.contains("Path=/") && !cookie.contains("Domain"));
    let token = cookie
        .split(';')
        .next()
        .and_then(|kv| kv.split_once('='))
        .map(|(_, v)| v.to_string())
        .unwrap();
    let me = |cookie: String| {
        reqwest::Client::new()
            .post(app.url("/api/current_user"))
            .header("content-type", "application/json")
            .header("cookie", cookie)
            .body("{}")
            .send()
    };
    let real: Value = me(format!("__Host-belfry_session={token}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(real["username"], "alice");
    // The same token under the unprefixed name (which any subdomain can
    // set) signs nobody in.
    let planted: Value = me(format!("belfry_session={token}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(planted, Value::Null);
}
