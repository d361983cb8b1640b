//! A call's writes on PostgreSQL: one transaction each. The versioned
//! update comes first and locks the call's row, so of two racing saves the
//! second waits, finds another version and writes nothing; the summary
//! message and the participants commit with it or not at all.

use sqlx::{PgPool, Postgres, QueryBuilder};

use super::call_writes::{Saved, Summary};
use crate::calls::ids::{CallId, MessageId};
use crate::calls::{CallState, DeclineReason, EndReason, Participant};

pub async fn insert(
    db: &PgPool,
    state: &CallState,
    room_name: &str,
) -> Result<CallId, sqlx::Error> {
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
    upsert_participants(&mut tx, CallId(id), &state.participants).await?;
    tx.commit().await?;
    Ok(CallId(id))
}

pub async fn save(
    db: &PgPool,
    state: &CallState,
    version: i64,
    changed: &[Participant],
    summary: Option<Summary<'_>>,
) -> Result<Option<Saved>, sqlx::Error> {
    let mut tx = db.begin().await?;
    let bumped: Option<i64> = sqlx::query_scalar(
        "UPDATE voice_calls SET status = $1, started_at = $2, ended_at = $3, duration_ms = $4,
                end_reason = $5, version = version + 1
         WHERE id = $6 AND version = $7 RETURNING version",
    )
    .bind(state.status.as_str())
    .bind(state.started_at)
    .bind(state.ended_at)
    .bind(state.ended_at.map(|_| state.duration_ms()))
    .bind(state.end_reason.map(EndReason::as_str))
    .bind(state.id)
    .bind(version)
    .fetch_optional(&mut *tx)
    .await?;
    if bumped.is_none() {
        tx.rollback().await?;
        return Ok(None);
    }
    let posted = match summary {
        None => None,
        Some(s) => sqlx::query_scalar::<_, i64>(
            "INSERT INTO messages (channel_id, author_id, body, created_at, kind, call_id)
             VALUES ($1, $2, $3, $4, 'call', $5)
             ON CONFLICT (call_id) WHERE call_id IS NOT NULL DO NOTHING RETURNING id",
        )
        .bind(state.channel)
        .bind(s.author)
        .bind(s.body)
        .bind(s.at)
        .bind(state.id)
        .fetch_optional(&mut *tx)
        .await?
        .map(MessageId),
    };
    upsert_participants(&mut tx, state.id, changed).await?;
    tx.commit().await?;
    Ok(Some(Saved { summary: posted }))
}

async fn upsert_participants(
    tx: &mut sqlx::Transaction<'_, Postgres>,
    call: CallId,
    participants: &[Participant],
) -> Result<(), sqlx::Error> {
    if participants.is_empty() {
        return Ok(());
    }
    let mut q = QueryBuilder::<Postgres>::new(
        "INSERT INTO call_participants (call_id, user_id, status, invited_at, ring_deadline,
                                        joined_at, left_at, decline_reason) ",
    );
    q.push_values(participants, |mut row, p| {
        row.push_bind(call)
            .push_bind(p.user)
            .push_bind(p.status.as_str())
            .push_bind(p.invited_at)
            .push_bind(p.ring_deadline)
            .push_bind(p.joined_at)
            .push_bind(p.left_at)
            .push_bind(p.decline_reason.map(DeclineReason::as_str));
    });
    q.push(
        " ON CONFLICT (call_id, user_id) DO UPDATE SET status = excluded.status,
            invited_at = excluded.invited_at, ring_deadline = excluded.ring_deadline,
            joined_at = excluded.joined_at, left_at = excluded.left_at,
            decline_reason = excluded.decline_reason",
    );
    q.build().execute(&mut **tx).await?;
    Ok(())
}
