//! SQLite: opening the file, the turn its writers take, and the
//! checkpoint the housekeeping runs every second.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

use super::Db;

/// A SQLite database: its pool, and the turn its writers take.
///
/// SQLite lets one connection write at a time. A connection that finds the
/// lock taken sleeps in SQLite's busy handler (1, 2, 5, 10 ms, ...) and
/// tries again, so under load the pool's connections sleep while the lock
/// is free. Writes on the calls' path queue for `write_turn` instead and
/// start the moment the previous one is done; reads never wait for it.
/// A write that does not take the turn is still correct (the busy handler
/// serves it), only slower under contention.
#[derive(Clone, Debug)]
pub struct SqliteDb {
    pub pool: SqlitePool,
    writers: std::sync::Arc<tokio::sync::Semaphore>,
}

impl SqliteDb {
    pub(super) fn new(pool: SqlitePool) -> Self {
        SqliteDb {
            pool,
            writers: std::sync::Arc::new(tokio::sync::Semaphore::new(1)),
        }
    }

    /// Waits for this process's turn to write (first come, first served).
    /// Take it before a connection, never while holding one.
    pub async fn write_turn(&self) -> tokio::sync::SemaphorePermit<'_> {
        self.writers
            .acquire()
            .await
            .expect("the write turn's semaphore is never closed")
    }
}

pub(super) async fn connect_sqlite(url: &str) -> Result<SqlitePool, String> {
    let options = SqliteConnectOptions::from_str(url)
        .map_err(|e| format!("BELFRY_DATABASE_URL={url:?} is not a SQLite URL: {e}"))?
        .create_if_missing(true)
        .foreign_keys(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(5))
        // Checkpoints run in the background (`checkpoint`), not in the
        // commit that crosses the threshold; this is only the backstop.
        .pragma("wal_autocheckpoint", WAL_BACKSTOP_PAGES.to_string());
    let in_memory = url.contains(":memory:") || url.contains("mode=memory");
    if !in_memory {
        let file = options.get_filename();
        if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
            create_dir(dir)?;
        }
    }
    // No ping before each use: the database is in-process, so a connection
    // does not go stale, and the ping would double every query's round trips.
    let mut pool = SqlitePoolOptions::new()
        .max_connections(if in_memory { 1 } else { 8 })
        .test_before_acquire(false);
    if in_memory {
        // An in-memory database lives as long as its connection: keep one forever.
        pool = pool
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None);
    }
    pool.connect_with(options)
        .await
        .map_err(|e| format!("cannot open the database at {url}: {e}"))
}

/// WAL pages after which a commit checkpoints itself, should the
/// background checkpoint fall behind (16 MiB of 4 KiB pages).
const WAL_BACKSTOP_PAGES: u32 = 4096;

/// Copies SQLite's write-ahead log into the database file (a passive
/// checkpoint: it never waits for readers or writers). Run every second
/// by the housekeeping task: the pages a second's calls touch again and
/// again are copied once, off the requests' path, instead of by whichever
/// commit crossed SQLite's default 1,000-page threshold. PostgreSQL
/// checkpoints itself: nothing to do.
///
/// Answers the log's length and how much of it is now in the file, in
/// pages (equal when the checkpoint caught up).
pub async fn checkpoint(db: &Db) -> Result<(i64, i64), sqlx::Error> {
    match db {
        Db::Sqlite(db) => {
            let (_busy, log, done): (i64, i64, i64) =
                sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
                    .fetch_one(&db.pool)
                    .await?;
            Ok((log, done))
        }
        Db::Postgres(_) => Ok((0, 0)),
    }
}

fn create_dir(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("cannot create the database folder {}: {e}", dir.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::db::connect;

    #[tokio::test]
    async fn the_checkpoint_copies_the_whole_log_and_the_backstop_is_set() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("c.db").display());
        let db = connect(&url).await.unwrap();
        let Db::Sqlite(sqlite) = &db else {
            unreachable!()
        };
        let backstop: i64 = sqlx::query_scalar("PRAGMA wal_autocheckpoint")
            .fetch_one(&sqlite.pool)
            .await
            .unwrap();
        assert_eq!(backstop, i64::from(WAL_BACKSTOP_PAGES));
        sqlx::query("CREATE TABLE t (x TEXT)")
            .execute(&sqlite.pool)
            .await
            .unwrap();
        for i in 0..50 {
            sqlx::query("INSERT INTO t VALUES ($1)")
                .bind(format!("{i:0>2000}"))
                .execute(&sqlite.pool)
                .await
                .unwrap();
        }
        let (log, done) = checkpoint(&db).await.unwrap();
        assert!(log >= 25, "the inserts are in the log: {log} pages");
        assert_eq!(done, log, "all of it copied");
    }

    #[tokio::test]
    async fn writers_take_turns_one_at_a_time_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let Db::Sqlite(sqlite) = connect(&url).await.unwrap() else {
            unreachable!()
        };
        let first = sqlite.write_turn().await;
        let order = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut waiting = Vec::new();
        for n in 0..3 {
            let (sqlite, order) = (sqlite.clone(), order.clone());
            waiting.push(tokio::spawn(async move {
                let _turn = sqlite.write_turn().await;
                order.lock().unwrap().push(n);
                tokio::task::yield_now().await;
            }));
            // Each queues before the next is spawned.
            tokio::task::yield_now().await;
        }
        assert!(
            order.lock().unwrap().is_empty(),
            "nobody writes during a turn"
        );
        drop(first);
        for w in waiting {
            w.await.unwrap();
        }
        assert_eq!(*order.lock().unwrap(), vec![0, 1, 2]);
    }
}
