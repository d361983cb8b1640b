//! `belfry backup PATH`: a consistent copy of the live SQLite database,
//! taken while the server runs and writes; the copy opens as a Belfry
//! database with everything written before it. It never overwrites a file,
//! and on PostgreSQL it points to pg_dump.

use belfry::contract::types::{MessagePage, MessageView};
use belfry::server::config::Config;
use belfry::server::db;
use serde_json::json;

use crate::common::Parish;

#[tokio::test]
async fn a_backup_taken_while_the_server_writes_opens_with_what_was_written() {
    let p = Parish::new().await;
    let dir = tempfile::tempdir().unwrap();
    let to = dir.path().join("copies/belfry-backup.db");
    if !p.app.database_url.starts_with("sqlite:") {
        let err = db::backup::backup(&p.app.state.db, &to).await.unwrap_err();
        assert!(err.contains("pg_dump"), "{err}");
        assert!(!to.exists());
        return;
    }
    for i in 0..20 {
        let _: MessageView = p
            .bob
            .ok(
                "send_message",
                json!({"channel_id": p.choir, "body": format!("before {i}")}),
            )
            .await;
    }
    // Writes go on while the copy is made.
    let writer = {
        let bob = p.bob.clone();
        let choir = p.choir;
        tokio::spawn(async move {
            for i in 0..20 {
                let _: MessageView = bob
                    .ok(
                        "send_message",
                        json!({"channel_id": choir, "body": format!("during {i}")}),
                    )
                    .await;
            }
        })
    };
    let bytes = db::backup::backup(&p.app.state.db, &to).await.unwrap();
    writer.await.unwrap();
    assert!(bytes > 0 && to.exists());

    // The copy is a database Belfry opens, with every message written
    // before the backup started (and perhaps some written during it).
    let copy = db::connect(&format!("sqlite://{}", to.display()))
        .await
        .unwrap();
    db::migrate(&copy).await.unwrap();
    let db::Db::Sqlite(sqlite) = &copy else {
        unreachable!()
    };
    let pool = &sqlite.pool;
    let bodies: Vec<(String,)> = sqlx::query_as("SELECT body FROM messages ORDER BY id")
        .fetch_all(pool)
        .await
        .unwrap();
    let bodies: Vec<String> = bodies.into_iter().map(|b| b.0).collect();
    for i in 0..20 {
        assert!(
            bodies.contains(&format!("before {i}")),
            "before {i} in the copy"
        );
    }
    copy.close().await;

    // The server still serves everything after the backup.
    let page: MessagePage = p
        .bob
        .ok("list_messages", json!({"channel_id": p.choir}))
        .await;
    assert!(page.messages.iter().any(|m| m.body == "during 19"));

    // A second backup to the same file is refused, the first kept whole.
    let err = db::backup::backup(&p.app.state.db, &to).await.unwrap_err();
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(std::fs::metadata(&to).unwrap().len(), bytes);
}

#[tokio::test]
async fn the_backup_command_names_a_missing_database_and_a_missing_path() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::from_lookup(|_| None).unwrap();
    config.database_url = format!("sqlite://{}", dir.path().join("nothing-here.db").display());
    let err = belfry::server::backup::run(&config, "/tmp/x.db")
        .await
        .unwrap_err();
    assert!(
        err.contains("no database at") && err.contains("nothing-here.db"),
        "{err}"
    );
    assert!(
        !dir.path().join("nothing-here.db").exists(),
        "none was made"
    );
    let err = belfry::server::backup::run(&config, " ").await.unwrap_err();
    assert!(err.contains("belfry backup PATH"), "{err}");
}
