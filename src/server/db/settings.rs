//! Server settings kept in the database (e.g. generated media keys).

use super::on;
use super::Db;

/// The stored value for `key`, storing `make()` first if there is none. Two
/// processes racing both end up with the first one stored.
pub async fn get_or_init(
    db: &Db,
    key: &str,
    make: impl FnOnce() -> String,
) -> Result<String, sqlx::Error> {
    on!(db => sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
        .bind(key)
        .bind(make())
        .execute(db)
        .await.map(|r| r.rows_affected()))?;
    on!(db => sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
        .bind(key)
        .fetch_one(db)
        .await)
}
