//! Chat messages.

use super::on;
use super::Db;
use crate::contract::ids::{CallId, ChannelId, MessageId, UserId};
use crate::contract::types::{MessageKind, MessageView, UserView};

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    channel_id: i64,
    body: String,
    created_at: i64,
    client_nonce: Option<String>,
    kind: String,
    call_id: Option<i64>,
    // The author's columns are NULL once their account is deleted.
    author_id: Option<i64>,
    username: Option<String>,
    display_name: Option<String>,
    avatar_color: Option<String>,
}

impl From<Row> for MessageView {
    fn from(r: Row) -> Self {
        MessageView {
            id: MessageId(r.id),
            channel_id: ChannelId(r.channel_id),
            author: match (r.author_id, r.username, r.display_name, r.avatar_color) {
                (Some(id), Some(username), Some(display_name), Some(avatar_color)) => {
                    Some(UserView {
                        id: UserId(id),
                        username,
                        display_name,
                        avatar_color,
                    })
                }
                _ => None,
            },
            body: r.body,
            created_at: r.created_at,
            client_nonce: r.client_nonce,
            kind: if r.kind == "call" {
                MessageKind::Call
            } else {
                MessageKind::Text
            },
            call_id: r.call_id.map(CallId),
        }
    }
}

const SELECT: &str =
    "SELECT m.id, m.channel_id, m.body, m.created_at, m.client_nonce, m.kind, m.call_id,
                u.id AS author_id,
                u.username, u.display_name, u.avatar_color
         FROM messages m LEFT JOIN users u ON u.id = m.author_id";

/// Inserts a message. With a nonce the author has used before, nothing is
/// inserted: `Ok((existing, false))` returns the first message instead.
pub async fn insert(
    db: &Db,
    channel: ChannelId,
    author: UserId,
    body: &str,
    nonce: Option<&str>,
) -> Result<(MessageView, bool), sqlx::Error> {
    let id: Option<i64> = on!(db => sqlx::query_scalar(
        "INSERT INTO messages (channel_id, author_id, body, created_at, client_nonce)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (author_id, client_nonce) WHERE client_nonce IS NOT NULL DO NOTHING
         RETURNING id",
    )
    .bind(channel)
    .bind(author)
    .bind(body)
    .bind(super::now_ms())
    .bind(nonce)
    .fetch_optional(db)
    .await)?;
    let row: Row = match id {
        Some(id) => on!(db => sqlx::query_as(&format!("{SELECT} WHERE m.id = $1"))
                .bind(id)
                .fetch_one(db)
                .await)?,
        None => on!(db => sqlx::query_as(&format!(
                "{SELECT} WHERE m.author_id = $1 AND m.client_nonce = $2"
            ))
            .bind(author)
            .bind(nonce)
            .fetch_one(db)
            .await)?,
    };
    Ok((row.into(), id.is_some()))
}

/// Up to `limit` messages before `before` (newest first in the query),
/// returned oldest first, and whether older ones remain.
pub async fn page(
    db: &Db,
    channel: ChannelId,
    before: Option<MessageId>,
    limit: u32,
) -> Result<(Vec<MessageView>, bool), sqlx::Error> {
    let rows: Vec<Row> = on!(db => sqlx::query_as(&format!(
        "{SELECT} WHERE m.channel_id = $1 AND m.id < $2 ORDER BY m.id DESC LIMIT $3"
    ))
    .bind(channel)
    .bind(before.map_or(i64::MAX, |id| id.0))
    .bind(i64::from(limit) + 1)
    .fetch_all(db)
    .await)?;
    let has_more = rows.len() > limit as usize;
    let mut messages: Vec<MessageView> = rows
        .into_iter()
        .take(limit as usize)
        .map(Into::into)
        .collect();
    messages.reverse();
    Ok((messages, has_more))
}

/// Posts a finished call's summary in its channel, once per call: its id
/// and time, or None if the call already has one.
pub async fn insert_call_summary(
    db: &Db,
    channel: ChannelId,
    author: UserId,
    body: &str,
    call: CallId,
) -> Result<Option<(MessageId, i64)>, sqlx::Error> {
    let now = super::now_ms();
    let id: Option<i64> = on!(db => sqlx::query_scalar(
        "INSERT INTO messages (channel_id, author_id, body, created_at, kind, call_id)
         VALUES ($1, $2, $3, $4, 'call', $5)
         ON CONFLICT (call_id) WHERE call_id IS NOT NULL DO NOTHING
         RETURNING id",
    )
    .bind(channel)
    .bind(author)
    .bind(body)
    .bind(now)
    .bind(call)
    .fetch_optional(db)
    .await)?;
    Ok(id.map(|id| (MessageId(id), now)))
}
