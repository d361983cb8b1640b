//! Server-rendered pages for a signed-in person: whole, with their data, and
//! nothing in the server's log that an operator would take for a failure.

mod common;

use std::sync::{Arc, Mutex};

use common::Parish;
use serde_json::json;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

/// The server's warnings and errors, as they would be logged, and where
/// page data was fetched from.
#[derive(Clone, Default)]
struct Alarms(Arc<Mutex<Vec<String>>>, Arc<Mutex<Vec<String>>>);

struct Text<'a>(&'a mut String);

impl Visit for Text<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!(" {}={value:?}", field.name()));
    }
}

impl<S: Subscriber> Layer<S> for Alarms {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let mut line = event.metadata().level().to_string();
        event.record(&mut Text(&mut line));
        if *event.metadata().level() <= Level::WARN {
            self.0.lock().unwrap().push(line);
        } else if line.contains("page data fetched") {
            self.1.lock().unwrap().push(line);
        }
    }
}

#[tokio::test]
async fn a_chat_page_renders_its_messages_fetched_once_and_logs_no_failure() {
    let alarms = Alarms::default();
    // The test's runtime runs the server on this thread, so this sees it all.
    let _log =
        tracing::subscriber::set_default(tracing_subscriber::registry().with(alarms.clone()));
    let p = Parish::new().await;
    let _: serde_json::Value = p
        .alice
        .ok(
            "send_message",
            json!({"channel_id": p.choir, "body": "Rehearsal moves to Thursday"}),
        )
        .await;

    for _ in 0..5 {
        let res = p
            .bob
            .http
            .get(p.app.url(&format!("/c/{}", p.choir)))
            .send()
            .await
            .expect("sent");
        assert_eq!(res.status(), 200);
        let page = res.text().await.expect("body");
        assert!(page.contains("Rehearsal moves to Thursday"), "{page:.300}");
        assert!(page.contains("</html>"));
    }
    // Server rendering builds a page's content more than once while its
    // data load; each request still fetches the page's data once.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let fetched = alarms.1.lock().unwrap();
    let chat = fetched
        .iter()
        .filter(|f| f.contains("chat_page.rs"))
        .count();
    assert_eq!(chat, 5, "once per page load: {fetched:#?}");
    let alarms = alarms.0.lock().unwrap();
    assert!(alarms.is_empty(), "the server logged: {alarms:#?}");
}

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
