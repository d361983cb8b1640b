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
