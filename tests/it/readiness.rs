//! `/readyz` and a database that stops answering: the instance says it is
//! not ready and why, and every request that needs the database is told
//! 503 with a message (never a 500), changing nothing.

use belfry::contract::types::MessagePage;
use belfry::contract::ErrorKind;
use serde_json::{json, Value};

use crate::common::Parish;

async fn readyz(p: &Parish) -> (u16, Value) {
    let res = reqwest::get(p.app.url("/readyz")).await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap())
}

#[tokio::test]
async fn a_database_that_stops_answering_is_a_503_with_a_message_and_readyz_says_so() {
    let p = Parish::new().await;
    assert_eq!(
        readyz(&p).await,
        (200, json!({"database": "ok", "media": "ok"}))
    );
    let _: MessagePage = p
        .alice
        .ok("list_messages", json!({"channel_id": p.hall}))
        .await;

    p.app.state.db.close().await;
    assert_eq!(
        readyz(&p).await,
        (503, json!({"database": "unavailable", "media": "ok"}))
    );
    for (name, args) in [
        ("list_messages", json!({"channel_id": p.hall})),
        (
            "send_message",
            json!({"channel_id": p.hall, "body": "lost?", "client_nonce": "n-1"}),
        ),
        ("initiate_call", json!({"channel_id": p.direct})),
    ] {
        let (status, err) = p
            .alice
            .call::<Value>(name, args)
            .await
            .expect_err("refused while the database is away");
        assert_eq!(status, 503, "{name}");
        assert_eq!(err.kind, ErrorKind::Unavailable, "{name}");
        assert!(err.message.contains("database"), "{name}: {}", err.message);
    }
}
