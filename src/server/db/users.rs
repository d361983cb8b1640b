//! Accounts.

use super::on;
use super::{Db, UserRow, USER_COLUMNS};
use crate::contract::ids::UserId;
use crate::contract::types::UserView;

pub async fn insert(
    db: &Db,
    username: &str,
    display_name: &str,
    password_hash: &str,
    avatar_color: &str,
) -> Result<UserId, sqlx::Error> {
    let id: i64 = on!(db => sqlx::query_scalar(
        "INSERT INTO users (username, display_name, password_hash, avatar_color, created_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(username)
    .bind(display_name)
    .bind(password_hash)
    .bind(avatar_color)
    .bind(super::now_ms())
    .fetch_one(db)
    .await)?;
    Ok(UserId(id))
}

/// The user and their password hash, for signing in.
pub async fn find_for_sign_in(
    db: &Db,
    username: &str,
) -> Result<Option<(UserView, String)>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        user: UserRow,
        password_hash: String,
    }
    let row: Option<Row> = on!(db => sqlx::query_as(&format!(
        "SELECT {USER_COLUMNS}, u.password_hash FROM users u WHERE u.username = $1"
    ))
    .bind(username)
    .fetch_optional(db)
    .await)?;
    Ok(row.map(|r| (r.user.into(), r.password_hash)))
}

pub async fn find(db: &Db, id: UserId) -> Result<Option<UserView>, sqlx::Error> {
    let row: Option<UserRow> = on!(db => sqlx::query_as(&format!(
        "SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1"
    ))
    .bind(id)
    .fetch_optional(db)
    .await)?;
    Ok(row.map(Into::into))
}

pub async fn count(db: &Db) -> Result<i64, sqlx::Error> {
    on!(db => sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(db)
        .await)
}

/// The users with these ids (unknown ids are skipped).
pub async fn find_many(db: &Db, ids: &[UserId]) -> Result<Vec<UserView>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<UserRow> = on!(db => {
        let mut q = sqlx::QueryBuilder::new(format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.id IN ("
        ));
        let mut list = q.separated(", ");
        for id in ids {
            list.push_bind(id.0);
        }
        q.push(")");
        q.build_query_as().fetch_all(db).await
    })?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Sets the name and avatar colour others see.
pub async fn set_profile(
    db: &Db,
    id: UserId,
    display_name: &str,
    avatar_color: &str,
) -> Result<(), sqlx::Error> {
    on!(db => sqlx::query("UPDATE users SET display_name = $2, avatar_color = $3 WHERE id = $1")
        .bind(id)
        .bind(display_name)
        .bind(avatar_color)
        .execute(db)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The user's password hash, to check their current password.
pub async fn password_hash(db: &Db, id: UserId) -> Result<Option<String>, sqlx::Error> {
    on!(db => sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await)
}

pub async fn set_password_hash(db: &Db, id: UserId, hash: &str) -> Result<(), sqlx::Error> {
    on!(db => sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
        .bind(id)
        .bind(hash)
        .execute(db)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}
