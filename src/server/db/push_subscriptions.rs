//! Web Push subscriptions: one per browser that asked to be rung.

use super::on;
use super::Db;
use crate::calls::ids::UserId;

/// Most devices one person may register; the oldest goes when a new one
/// comes past it.
pub const MAX_PER_USER: i64 = 10;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Subscription {
    pub id: i64,
    pub user_id: UserId,
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
    pub device: String,
}

pub struct NewSubscription<'a> {
    pub user: UserId,
    pub endpoint: &'a str,
    pub p256dh: &'a str,
    pub auth: &'a str,
    pub device: &'a str,
    pub now: i64,
}

/// Stores a subscription, or moves an endpoint already known to this person
/// (a browser re-subscribing after its keys changed, or a shared device
/// where another person signed in). Then trims the person's oldest ones.
pub async fn upsert(db: &Db, s: NewSubscription<'_>) -> Result<i64, sqlx::Error> {
    on!(db => {
        let mut tx = db.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth, device, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (endpoint) DO UPDATE SET user_id = excluded.user_id,
                 p256dh = excluded.p256dh, auth = excluded.auth, device = excluded.device,
                 created_at = excluded.created_at
             RETURNING id",
        )
        .bind(s.user)
        .bind(s.endpoint)
        .bind(s.p256dh)
        .bind(s.auth)
        .bind(s.device)
        .bind(s.now)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(
            "DELETE FROM push_subscriptions WHERE user_id = $1 AND id NOT IN
               (SELECT id FROM push_subscriptions WHERE user_id = $1
                ORDER BY created_at DESC, id DESC LIMIT $2)",
        )
        .bind(s.user)
        .bind(MAX_PER_USER)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    })
}

/// Removes this person's subscription for `endpoint`; true if there was one.
pub async fn remove(db: &Db, user: UserId, endpoint: &str) -> Result<bool, sqlx::Error> {
    let done = on!(db => sqlx::query("DELETE FROM push_subscriptions WHERE user_id = $1 AND endpoint = $2")
        .bind(user)
        .bind(endpoint)
        .execute(db)
        .await.map(|r| r.rows_affected()))?;
    Ok(done > 0)
}

/// Forgets a subscription the push service says is gone (404/410).
pub async fn forget(db: &Db, id: i64) -> Result<(), sqlx::Error> {
    on!(db => sqlx::query("DELETE FROM push_subscriptions WHERE id = $1")
        .bind(id)
        .execute(db)
        .await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn for_user(db: &Db, user: UserId) -> Result<Vec<Subscription>, sqlx::Error> {
    on!(db => sqlx::query_as(
        "SELECT id, user_id, endpoint, p256dh, auth, device FROM push_subscriptions
         WHERE user_id = $1 ORDER BY id",
    )
    .bind(user)
    .fetch_all(db)
    .await)
}

/// The subscribed devices of all of `users`, by person and age.
pub async fn for_users(db: &Db, users: &[UserId]) -> Result<Vec<Subscription>, sqlx::Error> {
    if users.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT id, user_id, endpoint, p256dh, auth, device FROM push_subscriptions
         WHERE user_id IN ({}) ORDER BY user_id, id",
        super::placeholders(1, users.len())
    );
    on!(db => {
        let mut q = sqlx::query_as(&sql);
        for u in users {
            q = q.bind(*u);
        }
        q.fetch_all(db).await
    })
}

/// The push service took a message for it.
pub async fn mark_sent(db: &Db, id: i64, now: i64) -> Result<(), sqlx::Error> {
    on!(db => sqlx::query("UPDATE push_subscriptions SET last_sent_at = $1 WHERE id = $2")
        .bind(now)
        .bind(id)
        .execute(db)
        .await.map(|r| r.rows_affected()))?;
    Ok(())
}
