//! SQLite: opening the file, the turn its writers take, and the
//! checkpoint the housekeeping runs every second.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::pool::PoolConnection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqliteConnection, SqlitePool};

use super::sqlite_readers::Readers;
use super::Db;

/// A SQLite database: its pool, and the connection its calls' writes take
/// turns on.
///
/// SQLite lets one connection write at a time. A connection that finds the
/// lock taken sleeps in SQLite's busy handler (1, 2, 5, 10 ms, ...) and
/// tries again, so under load the pool's connections sleep while the lock
/// is free. Writes on the calls' path queue for `writer` instead (first
/// come, first served) and start the moment the previous one is done;
/// reads never wait for it. A write that does not take the turn is still
/// correct (the busy handler serves it), only slower under contention.
///
/// The writer is one connection held out of the pool, for two reasons
/// measured by `make bench`: sqlx pings a connection on its way back to its
/// pool (a second trip to SQLite's thread for every statement), and a
/// connection that did not make the last write finds its page cache stale
/// and reads the pages again, where the writer's own cache stays warm. An
/// in-memory database is one connection: its writes take turns on it
/// through the pool.
#[derive(Clone, Debug)]
pub struct SqliteDb {
    pub pool: SqlitePool,
    /// What every statement outside the write turn runs on (`on_db!`).
    pub readers: std::sync::Arc<Readers>,
    writer: std::sync::Arc<tokio::sync::Mutex<Option<PoolConnection<Sqlite>>>>,
    /// False for an in-memory database (its only connection stays pooled).
    holds_writer: bool,
}

/// A turn to write: the held writer connection, or (in memory) the pool's.
///
/// A turn dropped before `done` (its request went away mid-batch) may have
/// left a transaction open: its connection is closed, which rolls it back,
/// and the next turn takes another.
pub struct WriteTurn<'a> {
    held: tokio::sync::MutexGuard<'a, Option<PoolConnection<Sqlite>>>,
    pooled: Option<PoolConnection<Sqlite>>,
    finished: bool,
}

impl Drop for WriteTurn<'_> {
    fn drop(&mut self) {
        if !self.finished {
            self.discard();
        }
    }
}

impl WriteTurn<'_> {
    /// The connection to write on.
    pub fn conn(&mut self) -> &mut SqliteConnection {
        match (&mut self.pooled, self.held.as_mut()) {
            (Some(conn), _) | (None, Some(conn)) => conn,
            (None, None) => unreachable!("a turn always has a connection"),
        }
    }

    /// The batch came back (committed, or failed and rolled back): the
    /// connection is fit for the next turn.
    pub fn done(&mut self) {
        self.finished = true;
    }

    /// Drops the connection, whose state is unknown (a failed rollback):
    /// the next turn opens another.
    pub fn discard(&mut self) {
        if let Some(mut conn) = self.pooled.take().or_else(|| self.held.take()) {
            conn.close_on_drop();
        }
    }
}

impl SqliteDb {
    pub(super) fn new(pool: SqlitePool, in_memory: bool) -> Self {
        SqliteDb {
            readers: std::sync::Arc::new(Readers::new(
                pool.clone(),
                if in_memory { 0 } else { READERS },
            )),
            pool,
            writer: std::sync::Arc::new(tokio::sync::Mutex::new(None)),
            holds_writer: !in_memory,
        }
    }

    /// Waits for this process's turn to write (first come, first served)
    /// and answers the connection to write on. Take it before any pooled
    /// connection, never while holding one.
    pub async fn write_turn(&self) -> Result<WriteTurn<'_>, sqlx::Error> {
        let mut held = self.writer.lock().await;
        let pooled = if !self.holds_writer {
            Some(self.pool.acquire().await?)
        } else {
            if held.is_none() {
                *held = Some(self.pool.acquire().await?);
            }
            None
        };
        Ok(WriteTurn {
            held,
            pooled,
            finished: false,
        })
    }

    /// Closes every connection, the held writer first (the pool waits for
    /// all of its connections to come back).
    pub async fn close(&self) {
        self.writer.lock().await.take();
        self.readers.close();
        self.pool.close().await;
    }
}

pub(super) async fn connect_sqlite(url: &str) -> Result<SqliteDb, String> {
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
        .max_connections(if in_memory { 1 } else { READERS as u32 + 3 })
        .test_before_acquire(false);
    if in_memory {
        // An in-memory database lives as long as its connection: keep one forever.
        pool = pool
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None);
    }
    let pool = pool
        .connect_with(options)
        .await
        .map_err(|e| format!("cannot open the database at {url}: {e}"))?;
    Ok(SqliteDb::new(pool, in_memory))
}

/// Connections lent to statements (`Readers`); the pool has three more:
/// the calls' writer, and two for transactions and housekeeping. More than
/// the cores only adds threads taking turns (`make bench`).
const READERS: usize = 4;

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
    async fn a_turn_dropped_mid_transaction_leaves_no_lock_and_no_half_write() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("w.db").display());
        let db = connect(&url).await.unwrap();
        let Db::Sqlite(sqlite) = &db else {
            unreachable!()
        };
        sqlx::query("CREATE TABLE t (x INTEGER)")
            .execute(&*sqlite.readers)
            .await
            .unwrap();
        {
            // A request that went away between the batch's BEGIN and COMMIT.
            let mut turn = sqlite.write_turn().await.unwrap();
            sqlx::raw_sql("BEGIN IMMEDIATE; INSERT INTO t VALUES (1);")
                .execute(turn.conn())
                .await
                .unwrap();
        }
        // Another connection can write at once (the lock went with the
        // closed connection), the next turn starts its own transaction, and
        // the half-done insert is gone.
        let other = tokio::time::timeout(
            Duration::from_secs(2),
            sqlx::query("INSERT INTO t VALUES (2)").execute(&*sqlite.readers),
        )
        .await
        .expect("the write lock was released")
        .unwrap();
        assert_eq!(other.rows_affected(), 1);
        let mut turn = sqlite.write_turn().await.unwrap();
        sqlx::raw_sql("BEGIN IMMEDIATE; INSERT INTO t VALUES (3); COMMIT;")
            .execute(turn.conn())
            .await
            .unwrap();
        turn.done();
        drop(turn);
        let xs: Vec<i64> = sqlx::query_scalar("SELECT x FROM t ORDER BY x")
            .fetch_all(&*sqlite.readers)
            .await
            .unwrap();
        assert_eq!(xs, vec![2, 3]);
    }

    #[tokio::test]
    async fn readers_serve_more_statements_than_connections_and_close_cleanly() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("r.db").display());
        let db = connect(&url).await.unwrap();
        let Db::Sqlite(sqlite) = &db else {
            unreachable!()
        };
        let mut running = Vec::new();
        for n in 0..(4 * READERS as i64) {
            let sqlite = sqlite.clone();
            running.push(tokio::spawn(async move {
                let (got,): (i64,) = sqlx::query_as("SELECT $1 * 2")
                    .bind(n)
                    .fetch_one(&*sqlite.readers)
                    .await
                    .unwrap();
                got
            }));
        }
        for (n, r) in running.into_iter().enumerate() {
            assert_eq!(r.await.unwrap(), 2 * n as i64);
        }
        // Closing returns every held connection: the pool's close does not
        // wait forever, and later statements fail instead of hanging.
        tokio::time::timeout(Duration::from_secs(5), db.close())
            .await
            .expect("close does not wait for held connections");
        let after = sqlx::query("SELECT 1").execute(&*sqlite.readers).await;
        assert!(after.is_err(), "a closed database answers nothing");
    }

    #[tokio::test]
    async fn writers_take_turns_one_at_a_time_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let Db::Sqlite(sqlite) = connect(&url).await.unwrap() else {
            unreachable!()
        };
        let first = sqlite.write_turn().await.unwrap();
        let order = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut waiting = Vec::new();
        for n in 0..3 {
            let (sqlite, order) = (sqlite.clone(), order.clone());
            waiting.push(tokio::spawn(async move {
                let _turn = sqlite.write_turn().await.unwrap();
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
