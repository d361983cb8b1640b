//! Studios: collaboration spaces with their own members.

use super::on;
use super::{Db, UserRow, USER_COLUMNS};
use crate::contract::ids::{StudioId, UserId};
use crate::contract::types::{StudioSummary, UserView};

pub async fn insert(db: &Db, name: &str, created_by: UserId) -> Result<StudioId, sqlx::Error> {
    let id: i64 = on!(db => sqlx::query_scalar(
        "INSERT INTO studios (name, created_by, created_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(name)
    .bind(created_by)
    .bind(super::now_ms())
    .fetch_one(db)
    .await)?;
    Ok(StudioId(id))
}

pub async fn add_member(
    db: &Db,
    studio: StudioId,
    user: UserId,
    owner: bool,
) -> Result<(), sqlx::Error> {
    on!(db => sqlx::query(
        "INSERT INTO studio_members (studio_id, user_id, role, joined_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING",
    )
    .bind(studio)
    .bind(user)
    .bind(if owner { "owner" } else { "member" })
    .bind(super::now_ms())
    .execute(db)
    .await.map(|r| r.rows_affected()))?;
    Ok(())
}

const SUMMARY_SELECT: &str = "SELECT s.id, s.name,
    (SELECT COUNT(*) FROM studio_members m WHERE m.studio_id = s.id) AS member_count FROM studios s";

fn summary((id, name, count): (i64, String, i64)) -> StudioSummary {
    StudioSummary {
        id: StudioId(id),
        name,
        member_count: count.max(0) as u32,
    }
}

pub async fn for_user(db: &Db, user: UserId) -> Result<Vec<StudioSummary>, sqlx::Error> {
    let rows: Vec<(i64, String, i64)> = on!(db => sqlx::query_as(&format!(
        "{SUMMARY_SELECT} WHERE EXISTS (SELECT 1 FROM studio_members m WHERE m.studio_id = s.id AND m.user_id = $1)
         ORDER BY s.name"
    ))
    .bind(user)
    .fetch_all(db)
    .await)?;
    Ok(rows.into_iter().map(summary).collect())
}

pub async fn find(db: &Db, studio: StudioId) -> Result<Option<StudioSummary>, sqlx::Error> {
    let row: Option<(i64, String, i64)> = on!(db => sqlx::query_as(&format!("{SUMMARY_SELECT} WHERE s.id = $1"))
            .bind(studio)
            .fetch_optional(db)
            .await)?;
    Ok(row.map(summary))
}

pub async fn is_member(db: &Db, studio: StudioId, user: UserId) -> Result<bool, sqlx::Error> {
    on!(db => sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM studio_members WHERE studio_id = $1 AND user_id = $2)",
    )
    .bind(studio)
    .bind(user)
    .fetch_one(db)
    .await)
}

pub async fn members(db: &Db, studio: StudioId) -> Result<Vec<UserView>, sqlx::Error> {
    let rows: Vec<UserRow> = on!(db => sqlx::query_as(&format!(
        "SELECT {USER_COLUMNS} FROM studio_members m JOIN users u ON u.id = m.user_id
         WHERE m.studio_id = $1 ORDER BY u.display_name"
    ))
    .bind(studio)
    .fetch_all(db)
    .await)?;
    Ok(rows.into_iter().map(Into::into).collect())
}

pub async fn is_owner(db: &Db, studio: StudioId, user: UserId) -> Result<bool, sqlx::Error> {
    on!(db => sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM studio_members WHERE studio_id = $1 AND user_id = $2 AND role = 'owner')",
    )
    .bind(studio)
    .bind(user)
    .fetch_one(db)
    .await)
}

pub async fn remove_member(db: &Db, studio: StudioId, user: UserId) -> Result<bool, sqlx::Error> {
    let done = on!(db => sqlx::query("DELETE FROM studio_members WHERE studio_id = $1 AND user_id = $2")
        .bind(studio)
        .bind(user)
        .execute(db)
        .await.map(|r| r.rows_affected()))?;
    Ok(done > 0)
}

/// The people who share a community with `owner` and are not in the
/// studio: whom its owner may add, by name.
pub async fn candidates(
    db: &Db,
    studio: StudioId,
    owner: UserId,
) -> Result<Vec<UserView>, sqlx::Error> {
    let rows: Vec<UserRow> = on!(db => sqlx::query_as(&format!(
        "SELECT {USER_COLUMNS} FROM users u
         WHERE EXISTS (SELECT 1 FROM community_members x JOIN community_members y
                         ON y.community_id = x.community_id
                       WHERE x.user_id = $2 AND y.user_id = u.id)
           AND NOT EXISTS (SELECT 1 FROM studio_members m WHERE m.studio_id = $1 AND m.user_id = u.id)
         ORDER BY u.display_name, u.id"
    ))
    .bind(studio)
    .bind(owner)
    .fetch_all(db)
    .await)?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// How many people are in the studio.
pub async fn count_members(db: &Db, studio: StudioId) -> Result<usize, sqlx::Error> {
    let n: i64 = on!(db => sqlx::query_scalar("SELECT COUNT(*) FROM studio_members WHERE studio_id = $1")
        .bind(studio)
        .fetch_one(db)
        .await)?;
    Ok(n.max(0) as usize)
}

/// The studios `user` collaborates in (not owns) whose owner no longer
/// shares a community with them: they came in as someone of the owner's
/// communities, and are that no more.
pub async fn stranded(db: &Db, user: UserId) -> Result<Vec<StudioId>, sqlx::Error> {
    let ids: Vec<i64> = on!(db => sqlx::query_scalar(
        "SELECT m.studio_id FROM studio_members m
         WHERE m.user_id = $1 AND m.role <> 'owner'
           AND NOT EXISTS (SELECT 1 FROM studio_members o
                 JOIN community_members x ON x.user_id = o.user_id
                 JOIN community_members y ON y.community_id = x.community_id AND y.user_id = $1
                 WHERE o.studio_id = m.studio_id AND o.role = 'owner')
         ORDER BY m.studio_id",
    )
    .bind(user)
    .fetch_all(db)
    .await)?;
    Ok(ids.into_iter().map(StudioId).collect())
}

/// Everyone in the studio.
pub async fn member_ids(db: &Db, studio: StudioId) -> Result<Vec<UserId>, sqlx::Error> {
    let ids: Vec<i64> = on!(db => sqlx::query_scalar("SELECT user_id FROM studio_members WHERE studio_id = $1")
        .bind(studio)
        .fetch_all(db)
        .await)?;
    Ok(ids.into_iter().map(UserId).collect())
}
