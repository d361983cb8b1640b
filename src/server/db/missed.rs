//! Missed calls a person has not looked at yet.

use super::on;
use super::Db;
use crate::calls::ids::UserId;

/// Calls that rang this person unanswered since they last looked.
pub async fn unseen(db: &Db, user: UserId) -> Result<i64, sqlx::Error> {
    on!(db => sqlx::query_scalar(
        "SELECT COUNT(*) FROM call_participants p JOIN users u ON u.id = p.user_id
         WHERE p.user_id = $1 AND p.status = 'MISSED' AND p.invited_at > u.calls_seen_at",
    )
    .bind(user)
    .fetch_one(db)
    .await)
}

/// They looked, at `now`.
pub async fn mark_seen(db: &Db, user: UserId, now: i64) -> Result<(), sqlx::Error> {
    on!(db => sqlx::query("UPDATE users SET calls_seen_at = $1 WHERE id = $2 AND calls_seen_at < $1")
        .bind(now)
        .bind(user)
        .execute(db)
        .await.map(|r| r.rows_affected()))?;
    Ok(())
}
