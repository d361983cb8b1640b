//! Sending and paging messages, and the bad input that must get a clear 4xx.

use crate::common;

use belfry::contract::types::{MessagePage, MessageView, MAX_MESSAGE_CHARS};
use belfry::contract::ErrorKind;
use common::Parish;
use serde_json::json;

#[tokio::test]
async fn history_pages_newest_first_without_gaps_or_repeats() {
    let p = Parish::new().await;
    for i in 0..120 {
        let _: MessageView = p
            .bob
            .ok(
                "send_message",
                json!({"channel_id": p.choir, "body": format!("m{i}")}),
            )
            .await;
    }
    let mut seen: Vec<String> = Vec::new();
    let mut before = None;
    let mut pages = 0;
    loop {
        let page: MessagePage = p
            .carol
            .ok(
                "list_messages",
                json!({"channel_id": p.choir, "before": before, "limit": 50}),
            )
            .await;
        pages += 1;
        let ids: Vec<i64> = page.messages.iter().map(|m| m.id.0).collect();
        assert!(
            ids.windows(2).all(|w| w[0] < w[1]),
            "each page is oldest first"
        );
        let mut bodies: Vec<String> = page.messages.iter().map(|m| m.body.clone()).collect();
        bodies.append(&mut seen);
        seen = bodies;
        before = page.messages.first().map(|m| m.id);
        if !page.has_more {
            break;
        }
        assert_eq!(page.messages.len(), 50);
    }
    assert_eq!(pages, 3);
    let expected: Vec<String> = (0..120).map(|i| format!("m{i}")).collect();
    assert_eq!(seen, expected, "every message once, in order");
}

#[tokio::test]
async fn a_sent_message_carries_its_author_and_trimmed_body() {
    let p = Parish::new().await;
    let m: MessageView = p
        .alice
        .ok(
            "send_message",
            json!({"channel_id": p.direct, "body": "  Hello Bob  \n"}),
        )
        .await;
    assert_eq!(m.body, "Hello Bob");
    assert_eq!(m.author.as_ref().map(|a| a.id), Some(p.alice.id()));
    let page: MessagePage = p
        .bob
        .ok("list_messages", json!({"channel_id": p.direct}))
        .await;
    assert_eq!(page.messages.last(), Some(&m));
    assert!(!page.has_more);
}

#[tokio::test]
async fn a_retried_send_with_the_same_nonce_posts_once() {
    let p = Parish::new().await;
    let args =
        json!({"channel_id": p.choir, "body": "Rehearsal at 7", "client_nonce": "tab1-0001"});
    let first: MessageView = p.alice.ok("send_message", args.clone()).await;
    let again: MessageView = p.alice.ok("send_message", args).await;
    assert_eq!(first, again);
    let page: MessagePage = p
        .alice
        .ok("list_messages", json!({"channel_id": p.choir}))
        .await;
    assert_eq!(
        page.messages
            .iter()
            .filter(|m| m.body == "Rehearsal at 7")
            .count(),
        1
    );
    // The same nonce from someone else is their own message.
    let bobs: MessageView = p
        .bob
        .ok(
            "send_message",
            json!({"channel_id": p.choir, "body": "Rehearsal at 7", "client_nonce": "tab1-0001"}),
        )
        .await;
    assert_ne!(bobs.id, first.id);
    // Reusing a nonce for another channel is a conflict, not a silent no-op.
    let (status, _) = p
        .alice
        .fails(
            "send_message",
            json!({"channel_id": p.hall, "body": "x", "client_nonce": "tab1-0001"}),
        )
        .await;
    assert_eq!(status, 409);
}

#[tokio::test]
async fn empty_and_huge_messages_are_refused_and_nothing_is_stored() {
    let p = Parish::new().await;
    let longest = "é".repeat(MAX_MESSAGE_CHARS);
    let _: MessageView = p
        .alice
        .ok(
            "send_message",
            json!({"channel_id": p.choir, "body": longest}),
        )
        .await;
    for body in [
        "".to_string(),
        " \n\t ".to_string(),
        "x".repeat(MAX_MESSAGE_CHARS + 1),
    ] {
        let (status, err) = p
            .alice
            .fails("send_message", json!({"channel_id": p.choir, "body": body}))
            .await;
        assert_eq!((status, err.kind), (400, ErrorKind::BadRequest));
        assert!(
            err.message.contains("empty") || err.message.contains("too long"),
            "{}",
            err.message
        );
    }
    let page: MessagePage = p
        .alice
        .ok("list_messages", json!({"channel_id": p.choir}))
        .await;
    assert_eq!(page.messages.len(), 1, "only the valid message");
}

#[tokio::test]
async fn page_sizes_out_of_range_are_refused() {
    let p = Parish::new().await;
    for limit in [0, 201] {
        let (status, err) = p
            .alice
            .fails(
                "list_messages",
                json!({"channel_id": p.choir, "limit": limit}),
            )
            .await;
        assert_eq!(status, 400, "limit {limit}: {}", err.message);
    }
}

#[tokio::test]
async fn malformed_requests_get_4xx_with_a_message_never_500() {
    let p = Parish::new().await;
    let cases: [(&str, &str); 6] = [
        ("send_message", "{not json"),
        ("send_message", r#"{"channel_id": "two", "body": "x"}"#),
        ("send_message", r#"{"body": "no channel"}"#),
        ("list_messages", r#"{"channel_id": 1, "limit": -5}"#),
        ("get_channel", r#"[1, 2, 3]"#),
        ("sign_in", r#"{"username": 5}"#),
    ];
    for (name, body) in cases {
        let res = p.alice.post_raw(name, body).await;
        let status = res.status().as_u16();
        let err: belfry::contract::ApiError = res.json().await.expect("an ApiError body");
        assert_eq!(status, 400, "{name} {body}: {err:?}");
        assert!(
            err.message.starts_with("The request could not be read"),
            "{}",
            err.message
        );
    }
    let huge = format!(r#"{{"channel_id": 1, "body": "{}"}}"#, "x".repeat(100_000));
    assert_eq!(p.alice.post_raw("send_message", huge).await.status(), 413);
    let unknown = p.alice.post_raw("no_such_function", "{}").await;
    assert_eq!(unknown.status(), 404);
}
