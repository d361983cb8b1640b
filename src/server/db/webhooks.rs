//! Webhooks and their queue of deliveries.

use super::on;
use super::Db;
use crate::contract::ids::{CommunityId, UserId};

#[derive(sqlx::FromRow)]
pub struct Row {
    pub id: i64,
    pub community_id: i64,
    pub url: String,
    pub created_at: i64,
    pub last_event: Option<String>,
    pub last_attempt_at: Option<i64>,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub last_delivered_at: Option<i64>,
    pub pending: i64,
    pub failed: i64,
}

const ROW: &str = "SELECT w.id, w.community_id, w.url, w.created_at, w.last_event, w.last_attempt_at,
    w.last_status, w.last_error, w.last_delivered_at,
    (SELECT COUNT(*) FROM webhook_deliveries d WHERE d.webhook_id = w.id AND d.done_at IS NULL) AS pending,
    (SELECT COUNT(*) FROM webhook_deliveries d WHERE d.webhook_id = w.id AND d.done_at IS NOT NULL
        AND d.attempts < 0) AS failed
    FROM webhooks w";

pub async fn insert(
    db: &Db,
    community: CommunityId,
    url: &str,
    secret: &str,
    by: UserId,
    now: i64,
) -> Result<i64, sqlx::Error> {
    on!(db => sqlx::query_scalar(
        "INSERT INTO webhooks (community_id, url, secret, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(community)
    .bind(url)
    .bind(secret)
    .bind(by)
    .bind(now)
    .fetch_one(db)
    .await)
}

pub async fn for_community(db: &Db, community: CommunityId) -> Result<Vec<Row>, sqlx::Error> {
    on!(db => sqlx::query_as(&format!("{ROW} WHERE w.community_id = $1 ORDER BY w.id DESC"))
        .bind(community)
        .fetch_all(db)
        .await)
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Row>, sqlx::Error> {
    on!(db => sqlx::query_as(&format!("{ROW} WHERE w.id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await)
}

pub async fn delete(db: &Db, id: i64) -> Result<bool, sqlx::Error> {
    let done = on!(db => sqlx::query("DELETE FROM webhooks WHERE id = $1")
        .bind(id)
        .execute(db)
        .await.map(|r| r.rows_affected()))?;
    Ok(done > 0)
}

/// Queues `body` for every hook of these communities; how many.
pub async fn enqueue(
    db: &Db,
    communities: &[CommunityId],
    event: &str,
    body: &str,
    now: i64,
) -> Result<u64, sqlx::Error> {
    if communities.is_empty() {
        return Ok(0);
    }
    let list = super::placeholders(4, communities.len());
    let sql = format!(
        "INSERT INTO webhook_deliveries (webhook_id, event, body, created_at, next_at)
         SELECT id, $1, $2, $3, $3 FROM webhooks WHERE community_id IN ({list})"
    );
    let done = on!(db => {
        let mut q = sqlx::query(&sql).bind(event).bind(body).bind(now);
        for c in communities {
            q = q.bind(*c);
        }
        q.execute(db).await.map(|r| r.rows_affected())
    })?;
    Ok(done)
}

/// A delivery to try now.
#[derive(sqlx::FromRow)]
pub struct Due {
    pub id: i64,
    pub webhook_id: i64,
    pub url: String,
    pub secret: String,
    pub event: String,
    pub body: String,
    pub attempts: i64,
}

/// Deliveries due at `now`, oldest first (at most `limit`).
pub async fn due(db: &Db, now: i64, limit: i64) -> Result<Vec<Due>, sqlx::Error> {
    on!(db => sqlx::query_as(
        "SELECT d.id, d.webhook_id, w.url, w.secret, d.event, d.body, d.attempts
         FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
         WHERE d.done_at IS NULL AND d.next_at <= $1 ORDER BY d.next_at, d.id LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(db)
    .await)
}

/// Takes a due delivery for this instance until `until` (another instance
/// running the same queue skips it meanwhile); whether it was still due.
pub async fn claim(db: &Db, id: i64, now: i64, until: i64) -> Result<bool, sqlx::Error> {
    let done = on!(db => sqlx::query(
        "UPDATE webhook_deliveries SET next_at = $3 WHERE id = $1 AND done_at IS NULL AND next_at <= $2",
    )
    .bind(id)
    .bind(now)
    .bind(until)
    .execute(db)
    .await.map(|r| r.rows_affected()))?;
    Ok(done > 0)
}

/// How a try went.
pub struct Tried<'a> {
    pub delivery: i64,
    pub webhook: i64,
    pub event: &'a str,
    pub at: i64,
    pub status: Option<i64>,
    pub error: Option<&'a str>,
    /// Delivered (a 2xx).
    pub delivered: bool,
    /// Retry at this time; `None` with `delivered` false: given up.
    pub retry_at: Option<i64>,
}

pub async fn record(db: &Db, t: Tried<'_>) -> Result<(), sqlx::Error> {
    // A delivery given up on keeps its count of tries, negated.
    let (done_at, next_at, sign) = match (t.delivered, t.retry_at) {
        (true, _) => (Some(t.at), t.at, 1),
        (false, Some(at)) => (None, at, 1),
        (false, None) => (Some(t.at), t.at, -1),
    };
    on!(db => sqlx::query(
        "UPDATE webhook_deliveries SET attempts = (ABS(attempts) + 1) * $4, done_at = $2, next_at = $3
         WHERE id = $1",
    )
    .bind(t.delivery)
    .bind(done_at)
    .bind(next_at)
    .bind(sign)
    .execute(db)
    .await.map(|r| r.rows_affected()))?;
    let delivered_at = t.delivered.then_some(t.at);
    on!(db => sqlx::query(
        "UPDATE webhooks SET last_event = $2, last_attempt_at = $3, last_status = $4, last_error = $5,
            last_delivered_at = COALESCE($6, last_delivered_at)
         WHERE id = $1",
    )
    .bind(t.webhook)
    .bind(t.event)
    .bind(t.at)
    .bind(t.status)
    .bind(t.error)
    .bind(delivered_at)
    .execute(db)
    .await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The communities a channel is in (its one), and those a user is in.
pub async fn community_of_channel(
    db: &Db,
    channel: crate::contract::ids::ChannelId,
) -> Result<Option<CommunityId>, sqlx::Error> {
    let found: Option<i64> = on!(db => sqlx::query_scalar("SELECT community_id FROM channels WHERE id = $1")
        .bind(channel)
        .fetch_optional(db)
        .await)?;
    Ok(found.map(CommunityId))
}

pub async fn communities_of_user(db: &Db, user: UserId) -> Result<Vec<CommunityId>, sqlx::Error> {
    let found: Vec<i64> = on!(db => sqlx::query_scalar(
        "SELECT community_id FROM community_members WHERE user_id = $1")
        .bind(user)
        .fetch_all(db)
        .await)?;
    Ok(found.into_iter().map(CommunityId).collect())
}

/// Whether any hook exists at all (most deployments have none: the call
/// path then writes nothing for them).
pub async fn any(db: &Db) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = on!(db => sqlx::query_scalar("SELECT id FROM webhooks LIMIT 1")
        .fetch_optional(db)
        .await)?;
    Ok(found.is_some())
}
