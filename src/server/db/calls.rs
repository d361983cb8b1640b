//! Voice calls and their participants. Every write of a call checks the
//! version it read, so of two racing transitions one saves and the other is
//! told to re-read and re-apply.

use sqlx::{QueryBuilder, Sqlite};

use super::Db;
use crate::calls::ids::{CallId, ChannelId, UserId};
use crate::calls::{
    CallKind, CallState, CallStatus, DeclineReason, EndReason, Participant, ParticipantStatus,
};

/// A call as stored: its state, the version it was read at, its room.
#[derive(Debug, Clone)]
pub struct StoredCall {
    pub state: CallState,
    pub version: i64,
    pub room_name: String,
}

#[derive(sqlx::FromRow)]
struct CallRow {
    id: i64,
    channel_id: i64,
    initiator_id: i64,
    room_name: String,
    kind: String,
    status: String,
    created_at: i64,
    started_at: Option<i64>,
    ended_at: Option<i64>,
    end_reason: Option<String>,
    version: i64,
}

#[derive(sqlx::FromRow)]
struct ParticipantRow {
    user_id: i64,
    status: String,
    invited_at: i64,
    ring_deadline: Option<i64>,
    joined_at: Option<i64>,
    left_at: Option<i64>,
    decline_reason: Option<String>,
}

fn corrupt(what: &str, value: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("unknown {what} {value:?} in the database").into())
}

impl TryFrom<ParticipantRow> for Participant {
    type Error = sqlx::Error;
    fn try_from(r: ParticipantRow) -> Result<Self, sqlx::Error> {
        Ok(Participant {
            user: UserId(r.user_id),
            status: ParticipantStatus::parse(&r.status)
                .ok_or_else(|| corrupt("participant status", &r.status))?,
            invited_at: r.invited_at,
            ring_deadline: r.ring_deadline,
            joined_at: r.joined_at,
            left_at: r.left_at,
            decline_reason: r.decline_reason.as_deref().and_then(DeclineReason::parse),
        })
    }
}

/// Stores a new call and its participants (the state's id is ignored and the
/// new id returned). Fails with a unique violation when the channel already
/// has a live call.
pub async fn insert(db: &Db, state: &CallState, room_name: &str) -> Result<CallId, sqlx::Error> {
    let mut tx = db.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO voice_calls (channel_id, initiator_id, room_name, kind, status, created_at,
                                  started_at, ended_at, duration_ms, end_reason)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(state.channel)
    .bind(state.initiator)
    .bind(room_name)
    .bind(state.kind.as_str())
    .bind(state.status.as_str())
    .bind(state.created_at)
    .bind(state.started_at)
    .bind(state.ended_at)
    .bind(state.ended_at.map(|_| state.duration_ms()))
    .bind(state.end_reason.map(EndReason::as_str))
    .fetch_one(&mut *tx)
    .await?;
    write_participants(&mut tx, CallId(id), &state.participants).await?;
    tx.commit().await?;
    Ok(CallId(id))
}

async fn write_participants(
    tx: &mut sqlx::Transaction<'_, Sqlite>,
    call: CallId,
    participants: &[Participant],
) -> Result<(), sqlx::Error> {
    for p in participants {
        sqlx::query(
            "INSERT INTO call_participants (call_id, user_id, status, invited_at, ring_deadline,
                                            joined_at, left_at, decline_reason)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (call_id, user_id) DO UPDATE SET status = excluded.status,
                invited_at = excluded.invited_at, ring_deadline = excluded.ring_deadline,
                joined_at = excluded.joined_at, left_at = excluded.left_at,
                decline_reason = excluded.decline_reason",
        )
        .bind(call)
        .bind(p.user)
        .bind(p.status.as_str())
        .bind(p.invited_at)
        .bind(p.ring_deadline)
        .bind(p.joined_at)
        .bind(p.left_at)
        .bind(p.decline_reason.map(DeclineReason::as_str))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Saves a transition's state if the call is still at `version`; false when
/// another write got there first.
pub async fn save(db: &Db, state: &CallState, version: i64) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin().await?;
    let updated = sqlx::query(
        "UPDATE voice_calls SET status = $3, started_at = $4, ended_at = $5, duration_ms = $6,
                end_reason = $7, version = version + 1
         WHERE id = $1 AND version = $2",
    )
    .bind(state.id)
    .bind(version)
    .bind(state.status.as_str())
    .bind(state.started_at)
    .bind(state.ended_at)
    .bind(state.ended_at.map(|_| state.duration_ms()))
    .bind(state.end_reason.map(EndReason::as_str))
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() == 0 {
        return Ok(false);
    }
    write_participants(&mut tx, state.id, &state.participants).await?;
    tx.commit().await?;
    Ok(true)
}

pub async fn load(db: &Db, id: CallId) -> Result<Option<StoredCall>, sqlx::Error> {
    let row: Option<CallRow> = sqlx::query_as(
        "SELECT id, channel_id, initiator_id, room_name, kind, status, created_at, started_at,
                ended_at, end_reason, version FROM voice_calls WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let participants: Vec<ParticipantRow> = sqlx::query_as(
        "SELECT user_id, status, invited_at, ring_deadline, joined_at, left_at, decline_reason
         FROM call_participants WHERE call_id = $1 ORDER BY invited_at, user_id",
    )
    .bind(id)
    .fetch_all(db)
    .await?;
    let state = CallState {
        id: CallId(r.id),
        channel: ChannelId(r.channel_id),
        kind: CallKind::parse(&r.kind).ok_or_else(|| corrupt("call kind", &r.kind))?,
        initiator: UserId(r.initiator_id),
        status: CallStatus::parse(&r.status).ok_or_else(|| corrupt("call status", &r.status))?,
        created_at: r.created_at,
        started_at: r.started_at,
        ended_at: r.ended_at,
        end_reason: r.end_reason.as_deref().and_then(EndReason::parse),
        participants: participants
            .into_iter()
            .map(Participant::try_from)
            .collect::<Result<_, _>>()?,
    };
    Ok(Some(StoredCall {
        state,
        version: r.version,
        room_name: r.room_name,
    }))
}

pub async fn live_in_channel(db: &Db, channel: ChannelId) -> Result<Option<CallId>, sqlx::Error> {
    let id: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM voice_calls WHERE channel_id = $1 AND status IN ('RINGING', 'ACTIVE')",
    )
    .bind(channel)
    .fetch_optional(db)
    .await?;
    Ok(id.map(CallId))
}

/// Of `users`, those connected to a live call other than `except`.
pub async fn busy_among(
    db: &Db,
    users: &[UserId],
    except: Option<CallId>,
) -> Result<Vec<UserId>, sqlx::Error> {
    if users.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = QueryBuilder::<Sqlite>::new(
        "SELECT DISTINCT p.user_id FROM call_participants p JOIN voice_calls c ON c.id = p.call_id
         WHERE p.status = 'CONNECTED' AND c.status IN ('RINGING', 'ACTIVE') AND c.id <> ",
    );
    q.push_bind(except.map_or(0, |c| c.0));
    q.push(" AND p.user_id IN (");
    let mut list = q.separated(", ");
    for u in users {
        list.push_bind(u.0);
    }
    q.push(")");
    let ids: Vec<i64> = q.build_query_scalar().fetch_all(db).await?;
    Ok(ids.into_iter().map(UserId).collect())
}

/// Every live call (for start-up reconciliation).
pub async fn live_ids(db: &Db) -> Result<Vec<CallId>, sqlx::Error> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM voice_calls WHERE status IN ('RINGING', 'ACTIVE') ORDER BY id",
    )
    .fetch_all(db)
    .await?;
    Ok(ids.into_iter().map(CallId).collect())
}

/// Live calls the user is in or being rung for, newest first.
pub async fn live_for_user(
    db: &Db,
    user: UserId,
    ringing_only: bool,
) -> Result<Vec<CallId>, sqlx::Error> {
    let statuses = if ringing_only {
        "('INVITED', 'RINGING')"
    } else {
        "('INVITED', 'RINGING', 'CONNECTED')"
    };
    let ids: Vec<i64> = sqlx::query_scalar(&format!(
        "SELECT c.id FROM voice_calls c JOIN call_participants p ON p.call_id = c.id
         WHERE p.user_id = $1 AND p.status IN {statuses} AND c.status IN ('RINGING', 'ACTIVE')
         ORDER BY c.id DESC"
    ))
    .bind(user)
    .fetch_all(db)
    .await?;
    Ok(ids.into_iter().map(CallId).collect())
}

/// A page of call ids, newest first: a channel's calls, or the user's own.
pub async fn history(
    db: &Db,
    channel: Option<ChannelId>,
    user: UserId,
    before: Option<CallId>,
    limit: u32,
) -> Result<Vec<CallId>, sqlx::Error> {
    let before = before.map_or(i64::MAX, |c| c.0);
    let ids: Vec<i64> = match channel {
        Some(channel) => {
            sqlx::query_scalar("SELECT id FROM voice_calls WHERE channel_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3")
                .bind(channel)
                .bind(before)
                .bind(i64::from(limit))
                .fetch_all(db)
                .await?
        }
        None => {
            sqlx::query_scalar(
                "SELECT call_id FROM call_participants WHERE user_id = $1 AND call_id < $2
                 ORDER BY call_id DESC LIMIT $3",
            )
            .bind(user)
            .bind(before)
            .bind(i64::from(limit))
            .fetch_all(db)
            .await?
        }
    };
    Ok(ids.into_iter().map(CallId).collect())
}
