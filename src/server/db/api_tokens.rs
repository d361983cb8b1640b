//! API tokens, kept only as their SHA-256 (`token_hash`).

use super::on;
use super::Db;
use crate::contract::api_tokens::{ApiScope, ApiTokenState};
use crate::contract::ids::UserId;
use crate::contract::types::UserView;

pub struct NewRow<'a> {
    pub user: UserId,
    pub name: &'a str,
    pub scope: ApiScope,
    pub token_hash: &'a str,
    pub hint: &'a str,
    pub now: i64,
    pub expires_at: Option<i64>,
}

pub async fn insert(db: &Db, n: NewRow<'_>) -> Result<i64, sqlx::Error> {
    on!(db => sqlx::query_scalar(
        "INSERT INTO api_tokens (user_id, name, scope, token_hash, token_hint, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(n.user)
    .bind(n.name)
    .bind(n.scope.as_str())
    .bind(n.token_hash)
    .bind(n.hint)
    .bind(n.now)
    .bind(n.expires_at)
    .fetch_one(db)
    .await)
}

/// A token as stored.
#[derive(sqlx::FromRow)]
pub struct Row {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub scope: String,
    pub token_hint: String,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

impl Row {
    pub fn state(&self, now: i64) -> ApiTokenState {
        if self.revoked_at.is_some() {
            ApiTokenState::Revoked
        } else if self.expires_at.is_some_and(|at| at <= now) {
            ApiTokenState::Expired
        } else {
            ApiTokenState::Active
        }
    }

    /// The stored scope; one this build does not know grants only reading.
    pub fn scope(&self) -> ApiScope {
        ApiScope::parse(&self.scope).unwrap_or(ApiScope::Read)
    }
}

const ROW: &str = "SELECT id, user_id, name, scope, token_hint, created_at, expires_at,
    last_used_at, revoked_at FROM api_tokens";

/// The person's tokens, newest first (at most `limit`).
pub async fn for_user(db: &Db, user: UserId, limit: i64) -> Result<Vec<Row>, sqlx::Error> {
    on!(db => sqlx::query_as(&format!("{ROW} WHERE user_id = $1 ORDER BY id DESC LIMIT $2"))
        .bind(user)
        .bind(limit)
        .fetch_all(db)
        .await)
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Row>, sqlx::Error> {
    on!(db => sqlx::query_as(&format!("{ROW} WHERE id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await)
}

/// Tokens of the person's that still work.
pub async fn count_active(db: &Db, user: UserId, now: i64) -> Result<i64, sqlx::Error> {
    on!(db => sqlx::query_scalar(
        "SELECT COUNT(*) FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL
         AND (expires_at IS NULL OR expires_at > $2)",
    )
    .bind(user)
    .bind(now)
    .fetch_one(db)
    .await)
}

/// A token by its hash, with its owner.
pub async fn find(db: &Db, token_hash: &str) -> Result<Option<(Row, UserView)>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Found {
        #[sqlx(flatten)]
        token: Row,
        username: String,
        display_name: String,
        avatar_color: String,
    }
    let found: Option<Found> = on!(db => sqlx::query_as(
        "SELECT t.id, t.user_id, t.name, t.scope, t.token_hint, t.created_at, t.expires_at,
                t.last_used_at, t.revoked_at, u.username, u.display_name, u.avatar_color
         FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(db)
    .await)?;
    Ok(found.map(|f| {
        let user = UserView {
            id: UserId(f.token.user_id),
            username: f.username,
            display_name: f.display_name,
            avatar_color: f.avatar_color,
        };
        (f.token, user)
    }))
}

/// Revokes the token if it is the person's and still unrevoked; whether it
/// did.
pub async fn revoke(db: &Db, id: i64, user: UserId, now: i64) -> Result<bool, sqlx::Error> {
    let done = on!(db => sqlx::query(
        "UPDATE api_tokens SET revoked_at = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL",
    )
    .bind(id)
    .bind(user)
    .bind(now)
    .execute(db)
    .await.map(|r| r.rows_affected()))?;
    Ok(done > 0)
}

/// Notes a use, at most once a minute per token (a write per request
/// would cost more than the request).
pub async fn touch(db: &Db, id: i64, now: i64) -> Result<(), sqlx::Error> {
    on!(db => sqlx::query(
        "UPDATE api_tokens SET last_used_at = $2
         WHERE id = $1 AND (last_used_at IS NULL OR last_used_at <= $3)",
    )
    .bind(id)
    .bind(now)
    .bind(now - 60_000)
    .execute(db)
    .await.map(|r| r.rows_affected()))?;
    Ok(())
}
