//! A call's writes on PostgreSQL, each one statement (so one round trip and
//! one implicit transaction): the call's row, its participants and the
//! summary message are written by data-modifying CTEs together or not at
//! all. The versioned update locks the call's row, so of two racing saves
//! the second waits, re-reads the row, finds another version and updates
//! nothing, and the participants and the message, which read from the
//! update's result, are not written either.

use std::sync::LazyLock;

use sqlx::PgPool;

use super::call_writes::{Saved, Summary};
use crate::calls::ids::{CallId, MessageId};
use crate::calls::{CallState, DeclineReason, EndReason, Participant};

/// The participants as one array per column, for `unnest`.
#[derive(Default)]
struct Columns {
    user: Vec<i64>,
    status: Vec<&'static str>,
    invited_at: Vec<i64>,
    ring_deadline: Vec<Option<i64>>,
    joined_at: Vec<Option<i64>>,
    left_at: Vec<Option<i64>>,
    decline_reason: Vec<Option<&'static str>>,
}

impl Columns {
    fn of(participants: &[Participant]) -> Self {
        let mut c = Self::default();
        for p in participants {
            c.user.push(p.user.0);
            c.status.push(p.status.as_str());
            c.invited_at.push(p.invited_at);
            c.ring_deadline.push(p.ring_deadline);
            c.joined_at.push(p.joined_at);
            c.left_at.push(p.left_at);
            c.decline_reason
                .push(p.decline_reason.map(DeclineReason::as_str));
        }
        c
    }

    fn bind<'q>(
        self,
        q: sqlx::query::QueryScalar<'q, sqlx::Postgres, Option<i64>, sqlx::postgres::PgArguments>,
    ) -> sqlx::query::QueryScalar<'q, sqlx::Postgres, Option<i64>, sqlx::postgres::PgArguments>
    {
        q.bind(self.user)
            .bind(self.status)
            .bind(self.invited_at)
            .bind(self.ring_deadline)
            .bind(self.joined_at)
            .bind(self.left_at)
            .bind(self.decline_reason)
    }
}

/// The participants' rows from the arrays bound at `$first` onwards,
/// joined to the call id `call` (a CTE with an `id` column).
fn participants_from(call: &str, first: usize) -> String {
    let n = |i: usize| first + i;
    format!(
        "INSERT INTO call_participants (call_id, user_id, status, invited_at, ring_deadline,
                                        joined_at, left_at, decline_reason)
         SELECT {call}.id, x.u, x.s, x.i, x.r, x.j, x.l, x.d
         FROM {call}, unnest(${}::bigint[], ${}::text[], ${}::bigint[], ${}::bigint[],
                             ${}::bigint[], ${}::bigint[], ${}::text[]) AS x(u, s, i, r, j, l, d)",
        n(0),
        n(1),
        n(2),
        n(3),
        n(4),
        n(5),
        n(6)
    )
}

/// The insert's SQL, made once (it is on every call's path).
static INSERT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "WITH c AS (
           INSERT INTO voice_calls (channel_id, initiator_id, room_name, kind, status, created_at,
                                    started_at, ended_at, duration_ms, end_reason)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id),
         p AS ({})
         SELECT id FROM c",
        participants_from("c", 11)
    )
});

/// The versioned save's SQL, made once.
static SAVE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "WITH v AS (
               UPDATE voice_calls SET status = $1, started_at = $2, ended_at = $3, duration_ms = $4,
                      end_reason = $5, version = version + 1
               WHERE id = $6 AND version = $7 RETURNING id),
             p AS ({} ON CONFLICT (call_id, user_id) DO UPDATE SET status = excluded.status,
                     invited_at = excluded.invited_at, ring_deadline = excluded.ring_deadline,
                     joined_at = excluded.joined_at, left_at = excluded.left_at,
                     decline_reason = excluded.decline_reason),
             m AS (
               INSERT INTO messages (channel_id, author_id, body, created_at, kind, call_id)
               SELECT $15, $16, $17, $18, 'call', v.id FROM v WHERE $19
               ON CONFLICT (call_id) WHERE call_id IS NOT NULL DO NOTHING RETURNING id)
             SELECT (SELECT id FROM m) FROM v",
        participants_from("v", 8)
    )
});

pub async fn insert(
    db: &PgPool,
    state: &CallState,
    room_name: &str,
) -> Result<CallId, sqlx::Error> {
    let q = sqlx::query_scalar::<_, Option<i64>>(INSERT.as_str())
        .bind(state.channel)
        .bind(state.initiator)
        .bind(room_name)
        .bind(state.kind.as_str())
        .bind(state.status.as_str())
        .bind(state.created_at)
        .bind(state.started_at)
        .bind(state.ended_at)
        .bind(state.ended_at.map(|_| state.duration_ms()))
        .bind(state.end_reason.map(EndReason::as_str));
    let id = Columns::of(&state.participants)
        .bind(q)
        .fetch_one(db)
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    Ok(CallId(id))
}

pub async fn save(
    db: &PgPool,
    state: &CallState,
    version: i64,
    changed: &[Participant],
    summary: Option<Summary<'_>>,
) -> Result<Option<Saved>, sqlx::Error> {
    let q = sqlx::query_scalar::<_, Option<i64>>(SAVE.as_str())
        .bind(state.status.as_str())
        .bind(state.started_at)
        .bind(state.ended_at)
        .bind(state.ended_at.map(|_| state.duration_ms()))
        .bind(state.end_reason.map(EndReason::as_str))
        .bind(state.id)
        .bind(version);
    let q = Columns::of(changed)
        .bind(q)
        .bind(state.channel)
        .bind(summary.as_ref().map(|s| s.author))
        .bind(summary.as_ref().map(|s| s.body))
        .bind(summary.as_ref().map(|s| s.at))
        .bind(summary.is_some());
    let saved = q.fetch_optional(db).await?;
    Ok(saved.map(|summary| Saved {
        summary: summary.map(MessageId),
    }))
}
