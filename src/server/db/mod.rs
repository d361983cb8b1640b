//! All SQL lives below this module. Queries are checked at run time
//! (`query_as`), so the same code serves SQLite and PostgreSQL (`Db`).

pub mod admission;
pub mod api_tokens;
pub mod backup;
pub mod call_access;
mod call_writes;
mod call_writes_pg;
pub mod calls;
pub mod channels;
pub mod communities;
mod id_codec;
pub mod invitations;
pub mod live_relay;
pub mod messages;
pub mod missed;
pub mod push_shared;
pub mod push_subscriptions;
pub mod reads;
pub mod sessions;
pub mod settings;
mod sqlite;
mod sqlite_readers;
pub mod studio_rooms;
pub mod studios;
pub mod users;
pub mod webhooks;

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;

use crate::contract::types::UserView;
use sqlite::connect_sqlite;
pub use sqlite::{checkpoint, SqliteDb};

/// The database: SQLite (the default, one file) or PostgreSQL (for more
/// than one machine). Queries are written once in the SQL both accept
/// (`$1` parameters, `ON CONFLICT`, `RETURNING`) and run on whichever pool
/// this is with `on_db!`; the few that differ say so where they are.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqliteDb),
    Postgres(PgPool),
}

/// Runs `$body` with `$db` rebound to the pool inside the `Db` it named
/// (SQLite's `Readers`):
/// the same code, type-checked once per engine.
#[macro_export]
macro_rules! on_db {
    ($db:ident => $body:expr) => {{
        let started = ::std::time::Instant::now();
        let out = match $db {
            $crate::server::db::Db::Sqlite($db) => {
                let $db = &*$db.readers;
                $body
            }
            $crate::server::db::Db::Postgres($db) => $body,
        };
        $crate::server::histogram::DATABASE.observe(started.elapsed());
        out
    }};
}
pub(crate) use crate::on_db as on;

/// `$first, $first+1, ...`: `n` numbered parameters for an `IN (...)` list
/// (both engines read `$n`).
pub(crate) fn placeholders(first: usize, n: usize) -> String {
    let numbered: Vec<String> = (first..first + n).map(|i| format!("${i}")).collect();
    numbered.join(", ")
}

/// Opens the database named by `BELFRY_DATABASE_URL`: `sqlite://path`
/// (the file and its folder are created) or `postgres://...`.
pub async fn connect(url: &str) -> Result<Db, String> {
    let scheme = url.split_once(':').map(|(s, _)| s.to_ascii_lowercase());
    match scheme.as_deref() {
        Some("sqlite") => connect_sqlite(url).await.map(Db::Sqlite),
        Some("postgres" | "postgresql") => connect_postgres(url).await.map(Db::Postgres),
        _ => Err(format!(
            "BELFRY_DATABASE_URL={:?} must start with sqlite:// (one file) or postgres:// (PostgreSQL)",
            redact(url)
        )),
    }
}

/// The URL without its password, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.split_once("://"), url.rfind('@')) {
        (Some((scheme, rest)), Some(at)) if at > scheme.len() + 3 => {
            let auth = &rest[..at - scheme.len() - 3];
            let user = auth.split(':').next().unwrap_or("");
            format!("{scheme}://{user}:***@{}", &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

/// A pooled PostgreSQL connection idle this long is pinged before use.
const PING_IF_IDLE: Duration = Duration::from_secs(30);

async fn connect_postgres(url: &str) -> Result<PgPool, String> {
    let options = PgConnectOptions::from_str(url).map_err(|e| {
        format!(
            "BELFRY_DATABASE_URL={:?} is not a PostgreSQL URL: {e}",
            redact(url)
        )
    })?;
    // sqlx pings a connection on every acquire by default: one more round
    // trip per statement, doubling the cost of a call's writes. Only a
    // connection idle long enough to have been dropped (a PostgreSQL
    // restart, a proxy's idle timeout) is pinged before use.
    PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(10))
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for > PING_IF_IDLE {
                    use sqlx::Connection;
                    conn.ping().await?;
                }
                Ok(true)
            })
        })
        .connect_with(options)
        .await
        .map_err(|e| {
            format!(
                "cannot reach PostgreSQL at {} (BELFRY_DATABASE_URL): {e}",
                redact(url)
            )
        })
}

/// Applies the engine's migrations (`migrations/sqlite/` or
/// `migrations/postgres/`, the same schema change in each). A failure
/// stops the server.
pub async fn migrate(db: &Db) -> Result<(), String> {
    let done = match db {
        Db::Sqlite(db) => sqlx::migrate!("./migrations/sqlite").run(&db.pool).await,
        Db::Postgres(pool) => sqlx::migrate!("./migrations/postgres").run(pool).await,
    };
    done.map_err(|e| format!("database migration failed: {e}"))
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

/// Whether `err` says the database cannot serve right now (unreachable,
/// restarting, out of connections, its disk full) rather than that the
/// request was wrong: such a request may succeed when tried again.
pub fn is_unavailable(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => {
            let code = db.code().unwrap_or_default();
            // PostgreSQL: 08 connection, 53 insufficient resources (disk
            // full, out of memory, too many connections), 57P operator
            // intervention (shutting down, starting up). SQLite: BUSY 5,
            // LOCKED 6, READONLY 8, IOERR 10, FULL 13, CANTOPEN 14.
            code.starts_with("08")
                || code.starts_with("53")
                || code.starts_with("57P")
                || matches!(
                    code.parse::<i32>().map(|c| c & 0xff),
                    Ok(5 | 6 | 8 | 10 | 13 | 14)
                )
        }
        _ => false,
    }
}

/// Whether the database answers a trivial query.
pub async fn ping(db: &Db) -> Result<(), sqlx::Error> {
    match db {
        Db::Sqlite(db) => sqlx::query("SELECT 1").execute(&db.pool).await.map(|_| ()),
        Db::Postgres(pool) => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()),
    }
}

impl Db {
    /// Closes every connection: what follows fails as an unreachable
    /// database would (for tests of that).
    pub async fn close(&self) {
        match self {
            Db::Sqlite(db) => db.close().await,
            Db::Postgres(pool) => pool.close().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_unknown_or_malformed_url_names_the_setting_and_makes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let here = std::env::current_dir().unwrap();
        for url in [
            "postgres:",
            "mysql://x/y",
            "data/belfry.db",
            "postgres://:bad port/x",
        ] {
            let e = connect(url).await.expect_err("refused");
            assert!(e.contains("BELFRY_DATABASE_URL"), "{url}: {e}");
        }
        // Nothing was made where the old code made a folder named `postgres:`.
        assert!(!here.join("postgres:").exists());
        let file = dir.path().join("a/b.db");
        let db = connect(&format!("sqlite://{}", file.display()))
            .await
            .unwrap();
        assert!(matches!(db, Db::Sqlite(_)));
        assert!(file.exists());
    }

    #[test]
    fn passwords_stay_out_of_messages() {
        assert_eq!(
            redact("postgres://belfry:s3cret@db:5432/belfry"),
            "postgres://belfry:***@db:5432/belfry"
        );
        assert_eq!(redact("sqlite://data/belfry.db"), "sqlite://data/belfry.db");
    }
}
