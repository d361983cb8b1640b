//! Which page each address gets from the server: the page, a 302 to where
//! the visitor belongs, or the app's "not found" page with a 404 (the
//! browser's side of the same table is `src/app/router.rs`). In a file of
//! its own: `tests/page_render.rs` watches the server's log, which another
//! test's server running beside it would disturb.

mod common;

use std::sync::Arc;

use common::Parish;

/// GETs `path` as a browser would (asking for HTML), following no redirect.
async fn page(http: &reqwest::Client, p: &Parish, path: &str) -> (u16, Option<String>, String) {
    let res = http
        .get(p.app.url(path))
        .header("accept", "text/html")
        .send()
        .await
        .expect("sent");
    let status = res.status().as_u16();
    let location = res
        .headers()
        .get("location")
        .map(|v| v.to_str().expect("ascii").to_string());
    (status, location, res.text().await.expect("body"))
}

fn not_following(jar: Option<Arc<reqwest::cookie::Jar>>) -> reqwest::Client {
    let builder = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none());
    match jar {
        Some(jar) => builder.cookie_provider(jar),
        None => builder,
    }
    .build()
    .expect("client")
}

#[tokio::test]
async fn each_address_answers_with_its_page_a_redirect_or_a_404() {
    let p = Parish::new().await;
    let stranger = not_following(None);
    let signed_out = [
        "/",
        "/calls",
        &format!("/c/{}", p.choir),
        &format!("/s/{}", p.studio),
    ];
    for path in signed_out {
        let (status, location, _) = page(&stranger, &p, path).await;
        assert_eq!(
            (status, location.as_deref()),
            (302, Some("/signin")),
            "{path}"
        );
    }
    for (path, heading) in [
        ("/signin", "Sign in to Belfry"),
        ("/signup", "Create your account"),
    ] {
        let (status, _, body) = page(&stranger, &p, path).await;
        assert_eq!(status, 200, "{path}");
        assert!(body.contains(heading), "{path}: {body:.300}");
    }

    let alice = not_following(Some(p.alice.jar.clone()));
    for path in ["/signin", "/signup"] {
        let (status, location, _) = page(&alice, &p, path).await;
        assert_eq!((status, location.as_deref()), (302, Some("/")), "{path}");
    }
    for (path, shows) in [
        ("/".to_string(), "class=\"welcome\""),
        (format!("/c/{}", p.choir), "id=\"chat-title\""),
        (format!("/s/{}", p.studio), "id=\"studio-title\""),
        ("/calls?callId=12".to_string(), "id=\"calls-title\""),
    ] {
        let (status, _, body) = page(&alice, &p, &path).await;
        assert_eq!(status, 200, "{path}");
        assert!(body.contains(shows), "{path}: {body:.300}");
    }
    // Addresses that are no page, for anyone: the app's own 404 page.
    for who in [&stranger, &alice] {
        for path in ["/nope", "/c/", "/c/1/x", "/calls/", "/pkg/missing.wasm"] {
            let (status, _, body) = page(who, &p, path).await;
            assert_eq!(status, 404, "{path}");
            assert!(body.contains("There is no page at this address."), "{path}");
        }
    }
}
