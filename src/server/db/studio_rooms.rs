//! Studios' drop-in voice rooms.

use super::on;
use super::Db;
use crate::calls::ids::{StudioId, UserId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudioRoom {
    pub room_name: String,
    pub created_by: Option<UserId>,
    pub expires_at: i64,
}

/// The studio's room, made (or renewed, once expired) if needed.
pub async fn get_or_create(
    db: &Db,
    studio: StudioId,
    by: UserId,
    fresh_name: &str,
    expires_at: i64,
) -> Result<StudioRoom, sqlx::Error> {
    let now = super::now_ms();
    on!(db => sqlx::query(
        "INSERT INTO studio_voice_rooms (studio_id, room_name, created_by, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (studio_id) DO UPDATE SET
            room_name = CASE WHEN studio_voice_rooms.expires_at <= $4 THEN excluded.room_name ELSE studio_voice_rooms.room_name END,
            created_by = CASE WHEN studio_voice_rooms.expires_at <= $4 THEN excluded.created_by ELSE studio_voice_rooms.created_by END,
            created_at = CASE WHEN studio_voice_rooms.expires_at <= $4 THEN excluded.created_at ELSE studio_voice_rooms.created_at END,
            expires_at = excluded.expires_at",
    )
    .bind(studio)
    .bind(fresh_name)
    .bind(by)
    .bind(now)
    .bind(expires_at)
    .execute(db)
    .await.map(|r| r.rows_affected()))?;
    let (room_name, created_by, expires_at): (String, Option<i64>, i64) = on!(db => sqlx::query_as(
        "SELECT room_name, created_by, expires_at FROM studio_voice_rooms WHERE studio_id = $1",
    )
    .bind(studio)
    .fetch_one(db)
    .await)?;
    Ok(StudioRoom {
        room_name,
        created_by: created_by.map(UserId),
        expires_at,
    })
}

pub async fn find(db: &Db, studio: StudioId) -> Result<Option<StudioRoom>, sqlx::Error> {
    let row: Option<(String, Option<i64>, i64)> = on!(db => sqlx::query_as(
        "SELECT room_name, created_by, expires_at FROM studio_voice_rooms WHERE studio_id = $1",
    )
    .bind(studio)
    .fetch_optional(db)
    .await)?;
    Ok(row.map(|(room_name, created_by, expires_at)| StudioRoom {
        room_name,
        created_by: created_by.map(UserId),
        expires_at,
    }))
}

pub async fn delete(db: &Db, studio: StudioId) -> Result<bool, sqlx::Error> {
    let done = on!(db => sqlx::query("DELETE FROM studio_voice_rooms WHERE studio_id = $1")
        .bind(studio)
        .execute(db)
        .await.map(|r| r.rows_affected()))?;
    Ok(done > 0)
}

/// The studio whose room this is, and its owner.
pub async fn by_room(db: &Db, room: &str) -> Result<Option<(StudioId, UserId)>, sqlx::Error> {
    let row: Option<(i64, i64)> = on!(db => sqlx::query_as(
        "SELECT r.studio_id, m.user_id FROM studio_voice_rooms r
         JOIN studio_members m ON m.studio_id = r.studio_id AND m.role = 'owner'
         WHERE r.room_name = $1 LIMIT 1",
    )
    .bind(room)
    .fetch_optional(db)
    .await)?;
    Ok(row.map(|(s, u)| (StudioId(s), UserId(u))))
}
