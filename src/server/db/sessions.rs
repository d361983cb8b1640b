//! Server-side sessions, keyed by the SHA-256 of the cookie's token.

use super::on;
use super::{Db, UserRow, USER_COLUMNS};
use crate::contract::ids::UserId;
use crate::contract::types::UserView;

pub async fn insert(
    db: &Db,
    token_hash: &str,
    user: UserId,
    expires_at: i64,
) -> Result<(), sqlx::Error> {
    on!(db => sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(token_hash)
        .bind(user)
        .bind(super::now_ms())
        .bind(expires_at)
        .execute(db)
        .await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The session's user and when it expires.
pub async fn find(db: &Db, token_hash: &str) -> Result<Option<(UserView, i64)>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        user: UserRow,
        expires_at: i64,
    }
    let row: Option<Row> = on!(db => sqlx::query_as(&format!(
        "SELECT {USER_COLUMNS}, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.token_hash = $1"
    ))
    .bind(token_hash)
    .fetch_optional(db)
    .await)?;
    Ok(row.map(|r| (r.user.into(), r.expires_at)))
}

pub async fn delete(db: &Db, token_hash: &str) -> Result<(), sqlx::Error> {
    on!(db => sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(db)
        .await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn delete_expired(db: &Db) -> Result<u64, sqlx::Error> {
    let done = on!(db => sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
        .bind(super::now_ms())
        .execute(db)
        .await.map(|r| r.rows_affected()))?;
    Ok(done)
}

/// Moves a session's expiry (tests use it to age a session).
pub async fn set_expiry(db: &Db, token_hash: &str, expires_at: i64) -> Result<(), sqlx::Error> {
    on!(db => sqlx::query("UPDATE sessions SET expires_at = $2 WHERE token_hash = $1")
        .bind(token_hash)
        .bind(expires_at)
        .execute(db)
        .await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Ends every session of `user` but the one hashed `keep`; the hashes of
/// those ended.
pub async fn delete_others(db: &Db, user: UserId, keep: &str) -> Result<Vec<String>, sqlx::Error> {
    on!(db => sqlx::query_scalar(
        "DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2 RETURNING token_hash",
    )
    .bind(user)
    .bind(keep)
    .fetch_all(db)
    .await)
}
