//! All SQL lives below this module. Queries are checked at run time
//! (`query_as`), so the same code can serve SQLite and, later, PostgreSQL.

pub mod admission;
pub mod call_access;
mod call_writes;
pub mod calls;
pub mod channels;
pub mod communities;
mod id_codec;
pub mod messages;
pub mod missed;
pub mod push_subscriptions;
pub mod sessions;
pub mod settings;
pub mod studio_rooms;
pub mod studios;
pub mod users;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

use crate::contract::types::UserView;

pub type Db = SqlitePool;

/// Opens the database, creating the file and its folder if needed.
pub async fn connect(url: &str) -> Result<Db, String> {
    let options = SqliteConnectOptions::from_str(url)
        .map_err(|e| format!("BELFRY_DATABASE_URL={url:?} is not a SQLite URL: {e}"))?
        .create_if_missing(true)
        .foreign_keys(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(5));
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

fn create_dir(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("cannot create the database folder {}: {e}", dir.display()))
}

/// Applies the migrations in `migrations/`. A failure stops the server.
pub async fn migrate(db: &Db) -> Result<(), String> {
    sqlx::migrate!("./migrations")
        .run(db)
        .await
        .map_err(|e| format!("database migration failed: {e}"))
}

/// Now, in Unix milliseconds.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// The user columns every view needs, in this order, as `u.*` aliases.
pub(crate) const USER_COLUMNS: &str = "u.id, u.username, u.display_name, u.avatar_color";

#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    id: i64,
    username: String,
    display_name: String,
    avatar_color: String,
}

impl From<UserRow> for UserView {
    fn from(r: UserRow) -> Self {
        UserView {
            id: crate::contract::ids::UserId(r.id),
            username: r.username,
            display_name: r.display_name,
            avatar_color: r.avatar_color,
        }
    }
}

/// True when the error is a UNIQUE constraint failing.
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
}
