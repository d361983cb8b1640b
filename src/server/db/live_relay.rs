//! The SQL of live events across instances (PostgreSQL only:
//! `server::live_relay`).

use sqlx::PgPool;

/// Sends the payloads on `channel`, in order, in one statement (so one
/// transaction: they reach the listeners together; a function scan of
/// the array keeps its order).
pub async fn notify_all(
    pool: &PgPool,
    channel: &str,
    payloads: &[String],
) -> Result<(), sqlx::Error> {
    if payloads.is_empty() {
        return Ok(());
    }
    sqlx::query("SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p")
        .bind(channel)
        .bind(payloads)
        .execute(pool)
        .await?;
    Ok(())
}

/// Keeps a body too large for a notification; its row id.
pub async fn store(pool: &PgPool, body: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("INSERT INTO live_relay (body, created_at) VALUES ($1, $2) RETURNING id")
        .bind(body)
        .bind(super::now_ms())
        .fetch_one(pool)
        .await
}

pub async fn fetch(pool: &PgPool, id: i64) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT body FROM live_relay WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await
}

pub async fn trim(pool: &PgPool, before_ms: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM live_relay WHERE created_at < $1")
        .bind(before_ms)
        .execute(pool)
        .await?;
    Ok(())
}
