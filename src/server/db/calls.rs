//! Voice calls and their participants. Every write of a call checks the
//! version it read, so of two racing transitions one saves and the other is
//! told to re-read and re-apply.

use super::on;
use sqlx::QueryBuilder;

use super::channels::ChannelRow;
use super::Db;
use crate::calls::ids::{CallId, ChannelId, CommunityId, UserId};
use crate::calls::{
    CallKind, CallState, CallStatus, DeclineReason, EndReason, Participant, ParticipantStatus,
};
use crate::contract::types::ChannelKind;

pub use super::call_writes::{insert, save, Saved, Summary};

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

struct ParticipantRow {
    user_id: i64,
    status: String,
    invited_at: i64,
    ring_deadline: Option<i64>,
    joined_at: Option<i64>,
    left_at: Option<i64>,
    decline_reason: Option<String>,
}

pub(super) fn corrupt(what: &str, value: &str) -> sqlx::Error {
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

#[derive(sqlx::FromRow)]
pub(super) struct LoadRow {
    #[sqlx(flatten)]
    call: CallRow,
    user_id: Option<i64>,
    p_status: Option<String>,
    invited_at: Option<i64>,
    ring_deadline: Option<i64>,
    joined_at: Option<i64>,
    left_at: Option<i64>,
    decline_reason: Option<String>,
    ch_community_id: Option<i64>,
    ch_kind: Option<String>,
    ch_name: Option<String>,
    visible: Option<bool>,
    members: Option<String>,
    viewer_busy: Option<bool>,
}

pub(super) const CALL_COLUMNS: &str = "v.id, v.channel_id, v.initiator_id, v.room_name, v.kind, v.status, v.created_at,
    v.started_at, v.ended_at, v.end_reason, v.version,
    p.user_id, p.status AS p_status, p.invited_at, p.ring_deadline, p.joined_at, p.left_at, p.decline_reason";

/// The call with its participants, in one query.
pub async fn load(db: &Db, id: CallId) -> Result<Option<StoredCall>, sqlx::Error> {
    let rows: Vec<LoadRow> = on!(db => sqlx::query_as(&format!(
        "SELECT {CALL_COLUMNS}, NULL AS ch_community_id, NULL AS ch_kind, NULL AS ch_name, NULL AS visible,
                NULL AS members, NULL AS viewer_busy
         FROM voice_calls v LEFT JOIN call_participants p ON p.call_id = v.id
         WHERE v.id = $1 ORDER BY p.invited_at, p.user_id"
    ))
    .bind(id)
    .fetch_all(db)
    .await)?;
    Ok(assemble(rows)?.map(|a| a.call))
}

/// A call put together from its rows, with what the first row said of its
/// channel and viewer (when the query asked).
pub(super) struct Assembled {
    pub call: StoredCall,
    pub channel: Option<(ChannelRow, bool)>,
    pub members: Option<String>,
    pub viewer_busy: bool,
}

pub(super) fn assemble(rows: Vec<LoadRow>) -> Result<Option<Assembled>, sqlx::Error> {
    let mut participants = Vec::with_capacity(rows.len());
    let mut first = None;
    for row in rows {
        if let (Some(user_id), Some(status), Some(invited_at)) =
            (row.user_id, row.p_status.clone(), row.invited_at)
        {
            participants.push(Participant::try_from(ParticipantRow {
                user_id,
                status,
                invited_at,
                ring_deadline: row.ring_deadline,
                joined_at: row.joined_at,
                left_at: row.left_at,
                decline_reason: row.decline_reason.clone(),
            })?);
        }
        if first.is_none() {
            first = Some(row);
        }
    }
    let Some(row) = first else { return Ok(None) };
    let (members, viewer_busy) = (row.members, row.viewer_busy.unwrap_or(false));
    let r = row.call;
    let channel = match (row.ch_community_id, row.ch_kind, row.ch_name) {
        (Some(community), Some(kind), Some(name)) => Some((
            ChannelRow {
                id: ChannelId(r.channel_id),
                community_id: CommunityId(community),
                kind: ChannelKind::parse(&kind).ok_or_else(|| corrupt("channel kind", &kind))?,
                name,
            },
            row.visible.unwrap_or(false),
        )),
        _ => None,
    };
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
        participants,
    };
    let call = StoredCall {
        state,
        version: r.version,
        room_name: r.room_name,
    };
    Ok(Some(Assembled {
        call,
        channel,
        members,
        viewer_busy,
    }))
}

pub async fn live_in_channel(db: &Db, channel: ChannelId) -> Result<Option<CallId>, sqlx::Error> {
    let id: Option<i64> = on!(db => sqlx::query_scalar(
        "SELECT id FROM voice_calls WHERE channel_id = $1 AND status IN ('RINGING', 'ACTIVE')",
    )
    .bind(channel)
    .fetch_optional(db)
    .await)?;
    Ok(id.map(CallId))
}

/// Of `users`, those connected to a live call in another channel than
/// `except_channel` (a live call in the channel itself is the one to join,
/// not a reason to be busy).
pub async fn busy_among(
    db: &Db,
    users: &[UserId],
    except_channel: Option<ChannelId>,
) -> Result<Vec<UserId>, sqlx::Error> {
    if users.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = on!(db => {
        let mut q = QueryBuilder::new(
            "SELECT DISTINCT p.user_id FROM call_participants p JOIN voice_calls c ON c.id = p.call_id
             WHERE p.status = 'CONNECTED' AND c.status IN ('RINGING', 'ACTIVE') AND c.channel_id <> ",
        );
        q.push_bind(except_channel.map_or(0, |c| c.0));
        q.push(" AND p.user_id IN (");
        let mut list = q.separated(", ");
        for u in users {
            list.push_bind(u.0);
        }
        q.push(")");
        q.build_query_scalar().fetch_all(db).await
    })?;
    Ok(ids.into_iter().map(UserId).collect())
}

/// The live call whose media room this is.
pub async fn live_by_room(db: &Db, room: &str) -> Result<Option<CallId>, sqlx::Error> {
    let id: Option<i64> = on!(db => sqlx::query_scalar(
        "SELECT id FROM voice_calls WHERE room_name = $1 AND status IN ('RINGING', 'ACTIVE')",
    )
    .bind(room)
    .fetch_optional(db)
    .await)?;
    Ok(id.map(CallId))
}

/// Live calls with someone still rung past `due` (Unix ms).
pub async fn overdue_rings(db: &Db, due: i64) -> Result<Vec<CallId>, sqlx::Error> {
    let ids: Vec<i64> = on!(db => sqlx::query_scalar(
        "SELECT DISTINCT c.id FROM voice_calls c JOIN call_participants p ON p.call_id = c.id
         WHERE c.status IN ('RINGING', 'ACTIVE') AND p.status IN ('INVITED', 'RINGING')
           AND p.ring_deadline <= $1
         ORDER BY c.id",
    )
    .bind(due)
    .fetch_all(db)
    .await)?;
    Ok(ids.into_iter().map(CallId).collect())
}

/// Every live call (for start-up reconciliation).
pub async fn live_ids(db: &Db) -> Result<Vec<CallId>, sqlx::Error> {
    let ids: Vec<i64> = on!(db => sqlx::query_scalar(
        "SELECT id FROM voice_calls WHERE status IN ('RINGING', 'ACTIVE') ORDER BY id",
    )
    .fetch_all(db)
    .await)?;
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
    let ids: Vec<i64> = on!(db => sqlx::query_scalar(&format!(
        "SELECT c.id FROM voice_calls c JOIN call_participants p ON p.call_id = c.id
         WHERE p.user_id = $1 AND p.status IN {statuses} AND c.status IN ('RINGING', 'ACTIVE')
         ORDER BY c.id DESC"
    ))
    .bind(user)
    .fetch_all(db)
    .await)?;
    Ok(ids.into_iter().map(CallId).collect())
}

/// Live calls in the community's channels that the user is in or being
/// rung for.
pub async fn live_for_user_in(
    db: &Db,
    community: CommunityId,
    user: UserId,
) -> Result<Vec<CallId>, sqlx::Error> {
    let ids: Vec<i64> = on!(db => sqlx::query_scalar(
        "SELECT c.id FROM voice_calls c JOIN call_participants p ON p.call_id = c.id
         JOIN channels ch ON ch.id = c.channel_id
         WHERE ch.community_id = $1 AND p.user_id = $2
           AND p.status IN ('INVITED', 'RINGING', 'CONNECTED') AND c.status IN ('RINGING', 'ACTIVE')
         ORDER BY c.id",
    )
    .bind(community)
    .bind(user)
    .fetch_all(db)
    .await)?;
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
            on!(db => sqlx::query_scalar("SELECT id FROM voice_calls WHERE channel_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3")
                .bind(channel)
                .bind(before)
                .bind(i64::from(limit))
                .fetch_all(db)
                .await)?
        }
        None => on!(db => sqlx::query_scalar(
                "SELECT call_id FROM call_participants WHERE user_id = $1 AND call_id < $2
                 ORDER BY call_id DESC LIMIT $3",
            )
            .bind(user)
            .bind(before)
            .bind(i64::from(limit))
            .fetch_all(db)
            .await)?,
    };
    Ok(ids.into_iter().map(CallId).collect())
}

/// How many calls are in each status (`/metrics`).
pub async fn count_by_status(db: &Db) -> Result<Vec<(String, i64)>, sqlx::Error> {
    on!(db => sqlx::query_as("SELECT status, COUNT(*) FROM voice_calls GROUP BY status ORDER BY status")
        .fetch_all(db)
        .await)
}
