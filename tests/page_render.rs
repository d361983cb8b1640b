//! Server-rendered pages for a signed-in person: whole, with their data, and
//! nothing in the server's log that an operator would take for a failure.

// The harness the one integration binary (`tests/it`) shares.
#[path = "it/common/mod.rs"]
mod common;

use std::sync::{Arc, Mutex};

use common::Parish;
use serde_json::json;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

/// The server's warnings and errors, as they would be logged.
#[derive(Clone, Default)]
struct Alarms(Arc<Mutex<Vec<String>>>);

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
        }
    }
}

#[tokio::test]
async fn chat_studio_and_calls_pages_render_their_data_and_log_no_failure() {
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

    let chat = page(&p.bob, &format!("/c/{}", p.choir)).await;
    assert!(chat.contains("Rehearsal moves to Thursday"), "{chat:.300}");
    let studio = page(&p.alice, &format!("/s/{}", p.studio)).await;
    assert!(studio.contains("Studio A"), "{studio:.300}");
    let calls = page(&p.carol, "/calls").await;
    assert!(calls.contains("No calls yet."), "{calls:.300}");
    let alarms = alarms.0.lock().unwrap();
    assert!(alarms.is_empty(), "the server logged: {alarms:#?}");
}

async fn page(who: &common::Person, path: &str) -> String {
    let res = who
        .http
        .get(format!("{}{path}", who.base))
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), 200, "{path}");
    let page = res.text().await.expect("body");
    assert!(page.contains("</html>"));
    page
}
