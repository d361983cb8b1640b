//! Writes of a call: the insert and the versioned save. On SQLite each is
//! one batch (`BEGIN IMMEDIATE; ...; COMMIT;`) sent in a single trip; on
//! PostgreSQL, a transaction whose versioned update locks the call's row
//! (`call_writes_pg.rs`).

use sqlx::{QueryBuilder, Row, Sqlite};

use super::{call_writes_pg, Db, SqliteDb};
use crate::calls::ids::{CallId, MessageId, UserId};
use crate::calls::{CallState, DeclineReason, EndReason, Participant};

/// Stores a new call and its participants (the state's id is ignored and the
/// new id returned). Fails with a unique violation when the channel already
/// has a live call.
pub async fn insert(db: &Db, state: &CallState, room_name: &str) -> Result<CallId, sqlx::Error> {
    let db = match db {
        Db::Sqlite(db) => db,
        Db::Postgres(pool) => return call_writes_pg::insert(pool, state, room_name).await,
    };
    let mut q = QueryBuilder::<Sqlite>::new(
        "BEGIN IMMEDIATE;
         INSERT INTO voice_calls (channel_id, initiator_id, room_name, kind, status, created_at,
                                  started_at, ended_at, duration_ms, end_reason) VALUES (",
    );
    let mut values = q.separated(", ");
    values
        .push_bind(state.channel)
        .push_bind(state.initiator)
        .push_bind(room_name)
        .push_bind(state.kind.as_str())
        .push_bind(state.status.as_str())
        .push_bind(state.created_at)
        .push_bind(state.started_at)
        .push_bind(state.ended_at)
        .push_bind(state.ended_at.map(|_| state.duration_ms()))
        .push_bind(state.end_reason.map(EndReason::as_str));
    q.push(") RETURNING id;");
    push_participants(&mut q, CallRef::Room(room_name), &state.participants, false);
    q.push(" COMMIT;");
    let rows = in_one_hop(db, q).await?;
    let id: i64 = rows
        .first()
        .ok_or_else(|| sqlx::Error::RowNotFound)?
        .try_get(0)?;
    Ok(CallId(id))
}

/// How the participants statement names its call.
enum CallRef<'a> {
    Id(CallId),
    /// A call inserted by an earlier statement of the same batch.
    Room(&'a str),
}

/// Appends the participants' upsert. With `guarded`, it writes only when the
/// statement just before it changed exactly one row (the versioned update).
fn push_participants(
    q: &mut QueryBuilder<'_, Sqlite>,
    call: CallRef<'_>,
    participants: &[Participant],
    guarded: bool,
) {
    if participants.is_empty() {
        return;
    }
    q.push(
        " INSERT INTO call_participants (call_id, user_id, status, invited_at, ring_deadline,
                                        joined_at, left_at, decline_reason)
          SELECT * FROM (",
    );
    q.push_values(participants, |mut row, p| {
        match call {
            CallRef::Id(id) => row.push_bind(id),
            CallRef::Room(room) => row
                .push("(SELECT id FROM voice_calls WHERE room_name = ")
                .push_bind_unseparated(room.to_owned())
                .push_unseparated(")"),
        };
        row.push_bind(p.user)
            .push_bind(p.status.as_str())
            .push_bind(p.invited_at)
            .push_bind(p.ring_deadline)
            .push_bind(p.joined_at)
            .push_bind(p.left_at)
            .push_bind(p.decline_reason.map(DeclineReason::as_str));
    });
    q.push(if guarded {
        ") WHERE changes() = 1"
    } else {
        ") WHERE true"
    });
    q.push(
        " ON CONFLICT (call_id, user_id) DO UPDATE SET status = excluded.status,
            invited_at = excluded.invited_at, ring_deadline = excluded.ring_deadline,
            joined_at = excluded.joined_at, left_at = excluded.left_at,
            decline_reason = excluded.decline_reason;",
    );
}

/// Runs a `BEGIN IMMEDIATE; ...; COMMIT;` batch as one trip to SQLite's
/// worker thread (a transaction through sqlx costs a trip per statement,
/// and the trips, not SQLite, are what a call transition spends its time
/// on), in the writer's turn. A failing statement stops the batch; the
/// transaction it left open is rolled back at once, or (when the request
/// went away mid-batch) by closing the connection (`WriteTurn`).
async fn in_one_hop(
    db: &SqliteDb,
    mut q: QueryBuilder<'_, Sqlite>,
) -> Result<Vec<sqlx::sqlite::SqliteRow>, sqlx::Error> {
    let mut turn = db.write_turn().await?;
    match q.build().fetch_all(turn.conn()).await {
        Ok(rows) => {
            turn.done();
            Ok(rows)
        }
        Err(e) => {
            match sqlx::query("ROLLBACK").execute(turn.conn()).await {
                Ok(_) => turn.done(),
                Err(r) if r.to_string().contains("no transaction is active") => turn.done(),
                // The connection's state is unknown: the turn closes it.
                Err(_) => {}
            }
            Err(e)
        }
    }
}

/// The chat timeline message a save posts with the call's end.
pub struct Summary<'a> {
    pub author: UserId,
    pub body: &'a str,
    pub at: i64,
}

/// A save that landed, with the summary message's id when it posted one.
#[derive(Debug)]
pub struct Saved {
    pub summary: Option<MessageId>,
}

/// Saves a transition's state if the call is still at `version`; `None` when
/// another write got there first. `changed` are the participants whose rows
/// differ from what was read (the others are left alone). The summary, the
/// update and the participants commit together or not at all; the summary
/// is posted once per call whatever happens.
pub async fn save(
    db: &Db,
    state: &CallState,
    version: i64,
    changed: &[Participant],
    summary: Option<Summary<'_>>,
) -> Result<Option<Saved>, sqlx::Error> {
    let db = match db {
        Db::Sqlite(db) => db,
        Db::Postgres(pool) => {
            return call_writes_pg::save(pool, state, version, changed, summary).await
        }
    };
    let mut q = QueryBuilder::<Sqlite>::new("BEGIN IMMEDIATE;");
    let posts = summary.is_some();
    if let Some(s) = summary {
        // Guarded by the version the update below checks: under BEGIN
        // IMMEDIATE nothing can write in between, so both or neither land.
        q.push(
            " INSERT INTO messages (channel_id, author_id, body, created_at, kind, call_id)
              SELECT ",
        );
        q.separated(", ")
            .push_bind(state.channel)
            .push_bind(s.author)
            .push_bind(s.body.to_owned())
            .push_bind(s.at)
            .push("'call'")
            .push_bind(state.id);
        q.push(" WHERE (SELECT version FROM voice_calls WHERE id = ")
            .push_bind(state.id)
            .push(") = ")
            .push_bind(version)
            .push(" ON CONFLICT (call_id) WHERE call_id IS NOT NULL DO NOTHING RETURNING id;");
    }
    q.push(" UPDATE voice_calls SET status = ")
        .push_bind(state.status.as_str())
        .push(", started_at = ")
        .push_bind(state.started_at)
        .push(", ended_at = ")
        .push_bind(state.ended_at)
        .push(", duration_ms = ")
        .push_bind(state.ended_at.map(|_| state.duration_ms()))
        .push(", end_reason = ")
        .push_bind(state.end_reason.map(EndReason::as_str))
        .push(", version = version + 1 WHERE id = ")
        .push_bind(state.id)
        .push(" AND version = ")
        .push_bind(version)
        .push(" RETURNING version;");
    push_participants(&mut q, CallRef::Id(state.id), changed, true);
    q.push(" COMMIT;");
    let rows = in_one_hop(db, q).await?;
    // Rows: [summary id,] new version; none when the version was stale.
    Ok(match (posts, rows.len()) {
        (_, 0) => None,
        (true, 2) => Some(Saved {
            summary: Some(MessageId(rows[0].try_get(0)?)),
        }),
        _ => Some(Saved { summary: None }),
    })
}
