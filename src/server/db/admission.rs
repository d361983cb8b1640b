//! What the media server asks before letting someone into a room: the live
//! call or open studio room of that name, and this person's place in it.

use super::on;
use super::Db;
use crate::calls::ids::{CallId, UserId};

/// One person's place in the room named, as call control stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// No live call and no open studio room has this name.
    NoRoom,
    /// A live call's room: their participant status and why they left (if
    /// they did), and whether a moderator holds them muted.
    Call {
        status: Option<String>,
        decline_reason: Option<String>,
        held: bool,
    },
    /// An open studio room: whether they are a member of the studio.
    Studio { member: bool },
}

pub async fn place(db: &Db, room: &str, user: UserId) -> Result<Place, sqlx::Error> {
    let call: Option<(Option<String>, Option<String>, bool)> = on!(db => sqlx::query_as(
        "SELECT p.status, p.decline_reason,
                EXISTS (SELECT 1 FROM call_holds h WHERE h.call_id = c.id AND h.user_id = $2)
         FROM voice_calls c
         LEFT JOIN call_participants p ON p.call_id = c.id AND p.user_id = $2
         WHERE c.room_name = $1 AND c.status IN ('RINGING', 'ACTIVE')",
    )
    .bind(room)
    .bind(user)
    .fetch_optional(db)
    .await)?;
    if let Some((status, decline_reason, held)) = call {
        return Ok(Place::Call {
            status,
            decline_reason,
            held,
        });
    }
    let studio: Option<(bool,)> = on!(db => sqlx::query_as(
        "SELECT EXISTS (SELECT 1 FROM studio_members m
                        WHERE m.studio_id = r.studio_id AND m.user_id = $2)
         FROM studio_voice_rooms r
         WHERE r.room_name = $1 AND r.expires_at > $3",
    )
    .bind(room)
    .bind(user)
    .bind(super::now_ms())
    .fetch_optional(db)
    .await)?;
    Ok(match studio {
        Some((member,)) => Place::Studio { member },
        None => Place::NoRoom,
    })
}

/// A moderator holds `user` muted in `call` (or lets them speak again).
pub async fn set_held(
    db: &Db,
    call: CallId,
    user: UserId,
    by: UserId,
    held: bool,
) -> Result<(), sqlx::Error> {
    if held {
        on!(db => sqlx::query(
            "INSERT INTO call_holds (call_id, user_id, held_by, held_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (call_id, user_id) DO NOTHING",
        )
        .bind(call)
        .bind(user)
        .bind(by)
        .bind(super::now_ms())
        .execute(db)
        .await.map(|r| r.rows_affected()))?;
    } else {
        on!(db => sqlx::query("DELETE FROM call_holds WHERE call_id = $1 AND user_id = $2")
            .bind(call)
            .bind(user)
            .execute(db)
            .await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}
