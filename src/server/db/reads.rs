//! How far each person has read each channel (`channel_reads`).

use super::on;
use super::Db;
use crate::contract::ids::{ChannelId, MessageId, UserId};

/// Moves the person's read mark in the channel up to `up_to` (never back),
/// clamped to the channel's newest message. Answers how many messages,
/// not theirs, are still unread after it (at most 100).
pub async fn mark(
    db: &Db,
    channel: ChannelId,
    user: UserId,
    up_to: MessageId,
) -> Result<u32, sqlx::Error> {
    on!(db => {
        let mut tx = db.begin().await?;
        sqlx::query(
            "INSERT INTO channel_reads (channel_id, user_id, last_read_id)
             SELECT $1, $2, id FROM messages WHERE channel_id = $1 AND id <= $3
             ORDER BY id DESC LIMIT 1
             ON CONFLICT (channel_id, user_id) DO UPDATE
             SET last_read_id = CASE WHEN excluded.last_read_id > channel_reads.last_read_id
                                     THEN excluded.last_read_id ELSE channel_reads.last_read_id END",
        )
        .bind(channel)
        .bind(user)
        .bind(up_to)
        .execute(&mut *tx)
        .await?;
        let unread: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM (SELECT 1 FROM messages x WHERE x.channel_id = $1
                AND x.id > COALESCE((SELECT r.last_read_id FROM channel_reads r
                                     WHERE r.channel_id = $1 AND r.user_id = $2), 0)
                AND (x.author_id IS NULL OR x.author_id <> $2)
                LIMIT 100) AS unread_rows",
        )
        .bind(channel)
        .bind(user)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(unread.clamp(0, 100) as u32)
    })
}
