//! Web Push's shared memory: where each ring went (`push_rings`), and the
//! tabs open on every instance (`open_tabs`, PostgreSQL only).

use sqlx::PgPool;

use super::on;
use super::Db;
use crate::calls::ids::{CallId, UserId};

/// The ring of `call` reached `user` on these subscriptions.
pub async fn rang(db: &Db, call: CallId, user: UserId, subs: &[i64]) -> Result<(), sqlx::Error> {
    for sub in subs {
        on!(db => sqlx::query(
            "INSERT INTO push_rings (call_id, user_id, subscription_id) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
        )
        .bind(call)
        .bind(user)
        .bind(sub)
        .execute(db)
        .await
        .map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// Who, in each of `calls`, was rung on a push device (and not yet stopped).
pub async fn rung_in(db: &Db, calls: &[CallId]) -> Result<Vec<(CallId, UserId)>, sqlx::Error> {
    if calls.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT DISTINCT call_id, user_id FROM push_rings WHERE call_id IN ({})",
        super::placeholders(1, calls.len())
    );
    on!(db => {
        let mut q = sqlx::query_as(&sql);
        for c in calls {
            q = q.bind(*c);
        }
        q.fetch_all(db).await
    })
}

/// Where the ring of `call` reached `user`, forgotten as it is read (the
/// stop goes there once).
pub async fn take_rung(db: &Db, call: CallId, user: UserId) -> Result<Vec<i64>, sqlx::Error> {
    on!(db => sqlx::query_scalar(
        "DELETE FROM push_rings WHERE call_id = $1 AND user_id = $2 RETURNING subscription_id",
    )
    .bind(call)
    .bind(user)
    .fetch_all(db)
    .await)
}

/// One tab's row: opened, shown or hidden.
pub async fn put_tab(
    pool: &PgPool,
    instance: i64,
    tab: i64,
    user: UserId,
    device: &str,
    visible: bool,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO open_tabs (instance, tab, user_id, device, visible, seen_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (instance, tab) DO UPDATE SET visible = excluded.visible, seen_at = excluded.seen_at",
    )
    .bind(instance)
    .bind(tab)
    .bind(user)
    .bind(device)
    .bind(i64::from(visible))
    .bind(now)
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn drop_tab(pool: &PgPool, instance: i64, tab: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM open_tabs WHERE instance = $1 AND tab = $2")
        .bind(instance)
        .bind(tab)
        .execute(pool)
        .await?;
    Ok(())
}

/// This instance's tabs are still open; rows no instance refreshed since
/// `stale` are deleted.
pub async fn refresh_tabs(
    pool: &PgPool,
    instance: i64,
    now: i64,
    stale: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE open_tabs SET seen_at = $2 WHERE instance = $1")
        .bind(instance)
        .bind(now)
        .execute(pool)
        .await?;
    sqlx::query("DELETE FROM open_tabs WHERE seen_at < $1")
        .bind(stale)
        .execute(pool)
        .await?;
    Ok(())
}

/// Whether another instance has a visible tab of `user` on `device` that
/// it refreshed since `fresh`.
pub async fn shown_elsewhere(
    pool: &PgPool,
    instance: i64,
    user: UserId,
    device: &str,
    fresh: i64,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM open_tabs WHERE user_id = $1 AND device = $2
                        AND visible = 1 AND instance <> $3 AND seen_at >= $4)",
    )
    .bind(user)
    .bind(device)
    .bind(instance)
    .bind(fresh)
    .fetch_one(pool)
    .await
}

/// Of `users`, those with a tab on another instance refreshed since
/// `fresh`.
pub async fn open_elsewhere(
    pool: &PgPool,
    instance: i64,
    users: &[UserId],
    fresh: i64,
) -> Result<Vec<UserId>, sqlx::Error> {
    let ids: Vec<i64> = users.iter().map(|u| u.0).collect();
    let found: Vec<i64> = sqlx::query_scalar(
        "SELECT DISTINCT user_id FROM open_tabs
         WHERE user_id = ANY($1) AND instance <> $2 AND seen_at >= $3",
    )
    .bind(ids)
    .bind(instance)
    .bind(fresh)
    .fetch_all(pool)
    .await?;
    Ok(found.into_iter().map(UserId).collect())
}
