//! Channels and who may see them. A DIRECT or GROUP channel's members are
//! listed in `channel_members`; a PARISH channel's are the community's.

use super::on;
use super::{Db, UserRow, USER_COLUMNS};
use crate::contract::ids::{ChannelId, CommunityId, UserId};
use crate::contract::types::{ChannelKind, ChannelSummary, UserView};

#[derive(Debug, Clone)]
pub struct ChannelRow {
    pub id: ChannelId,
    pub community_id: CommunityId,
    pub kind: ChannelKind,
    pub name: String,
}

/// A summary as seen by the viewer bound to `$1`.
const SUMMARY_SELECT: &str = "SELECT c.id, c.community_id, c.kind, c.name,
    CASE WHEN c.kind = 'parish'
         THEN (SELECT COUNT(*) FROM community_members m WHERE m.community_id = c.community_id)
         ELSE (SELECT COUNT(*) FROM channel_members m WHERE m.channel_id = c.id) END AS member_count,
    (SELECT u.display_name FROM channel_members m JOIN users u ON u.id = m.user_id
      WHERE c.kind = 'direct' AND m.channel_id = c.id AND m.user_id <> $1 LIMIT 1) AS peer_name,
    (SELECT COUNT(*) FROM (SELECT 1 FROM messages x WHERE x.channel_id = c.id
        AND x.id > COALESCE((SELECT r.last_read_id FROM channel_reads r
                             WHERE r.channel_id = c.id AND r.user_id = $1), 0)
        AND (x.author_id IS NULL OR x.author_id <> $1)
        LIMIT 100) AS unread_rows) AS unread,
    (SELECT COALESCE(a.display_name, '') || ': ' || substr(x.body, 1, 120) FROM messages x
        LEFT JOIN users a ON a.id = x.author_id
        WHERE x.channel_id = c.id ORDER BY x.id DESC LIMIT 1) AS latest,
    c.archived_at IS NOT NULL AS archived
    FROM channels c";

/// True for the channels the viewer bound to `$1` belongs to.
pub(crate) const VISIBLE_TO_VIEWER: &str =
    "((c.kind = 'parish' AND EXISTS (SELECT 1 FROM community_members m
         WHERE m.community_id = c.community_id AND m.user_id = $1))
    OR (c.kind <> 'parish' AND EXISTS (SELECT 1 FROM channel_members m
         WHERE m.channel_id = c.id AND m.user_id = $1)))";

/// The ids of everyone in channel `c`, comma-separated (read with
/// [`parse_ids`]): one column instead of a second query.
pub(crate) const MEMBER_IDS_OF_C: &str = "(CASE WHEN c.kind = 'parish'
    THEN (SELECT string_agg(CAST(m.user_id AS TEXT), ',') FROM community_members m WHERE m.community_id = c.community_id)
    ELSE (SELECT string_agg(CAST(m.user_id AS TEXT), ',') FROM channel_members m WHERE m.channel_id = c.id) END)";

/// Reads a comma-separated id list built by `string_agg` (SQLite 3.44+
/// and PostgreSQL both have it).
pub(crate) fn parse_ids(list: Option<&str>) -> Result<Vec<UserId>, sqlx::Error> {
    list.unwrap_or_default()
        .split(',')
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse().map(UserId).map_err(|_| {
                sqlx::Error::Decode(format!("bad user id {s:?} in a member list").into())
            })
        })
        .collect()
}

/// A direct conversation's name once the other person is gone.
pub const FORMER_MEMBER: &str = "Former member";

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: i64,
    community_id: i64,
    kind: String,
    name: String,
    member_count: i64,
    peer_name: Option<String>,
    unread: i64,
    latest: Option<String>,
    archived: bool,
}

impl From<SummaryRow> for ChannelSummary {
    fn from(r: SummaryRow) -> Self {
        let kind = ChannelKind::parse(&r.kind).unwrap_or(ChannelKind::Group);
        ChannelSummary {
            id: ChannelId(r.id),
            community_id: CommunityId(r.community_id),
            kind,
            name: match (kind, r.peer_name) {
                (ChannelKind::Direct, Some(peer)) => peer,
                // The other person has left the community: the history
                // stays, under a name that says so.
                (ChannelKind::Direct, None) => FORMER_MEMBER.to_string(),
                _ => r.name,
            },
            member_count: r.member_count.max(0) as u32,
            unread: r.unread.clamp(0, 100) as u32,
            latest: r.latest.map(|l| crate::contract::types::first_words(&l)),
            archived: r.archived,
        }
    }
}

pub async fn insert(
    db: &Db,
    community: CommunityId,
    kind: ChannelKind,
    name: &str,
    direct_key: Option<&str>,
    created_by: Option<UserId>,
) -> Result<ChannelId, sqlx::Error> {
    let id: i64 = on!(db => sqlx::query_scalar(
        "INSERT INTO channels (community_id, kind, name, direct_key, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(community)
    .bind(kind.as_str())
    .bind(name)
    .bind(direct_key)
    .bind(created_by)
    .bind(super::now_ms())
    .fetch_one(db)
    .await)?;
    Ok(ChannelId(id))
}

pub async fn add_member(db: &Db, channel: ChannelId, user: UserId) -> Result<(), sqlx::Error> {
    on!(db => sqlx::query(
        "INSERT INTO channel_members (channel_id, user_id, joined_at) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING",
    )
    .bind(channel)
    .bind(user)
    .bind(super::now_ms())
    .execute(db)
    .await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn find(db: &Db, id: ChannelId) -> Result<Option<ChannelRow>, sqlx::Error> {
    let row: Option<(i64, i64, String, String)> = on!(db => sqlx::query_as("SELECT id, community_id, kind, name FROM channels WHERE id = $1")
            .bind(id)
            .fetch_optional(db)
            .await)?;
    Ok(row.map(|(id, community, kind, name)| ChannelRow {
        id: ChannelId(id),
        community_id: CommunityId(community),
        kind: ChannelKind::parse(&kind).unwrap_or(ChannelKind::Group),
        name,
    }))
}

/// The channel and whether the viewer may see it, in one query.
pub async fn find_for(
    db: &Db,
    viewer: UserId,
    id: ChannelId,
) -> Result<Option<(ChannelRow, bool)>, sqlx::Error> {
    let row: Option<(i64, i64, String, String, bool)> = on!(db => sqlx::query_as(&format!(
        "SELECT c.id, c.community_id, c.kind, c.name, {VISIBLE_TO_VIEWER} AS visible
         FROM channels c WHERE c.id = $2"
    ))
    .bind(viewer)
    .bind(id)
    .fetch_optional(db)
    .await)?;
    Ok(row.map(|(id, community, kind, name, visible)| {
        let row = ChannelRow {
            id: ChannelId(id),
            community_id: CommunityId(community),
            kind: ChannelKind::parse(&kind).unwrap_or(ChannelKind::Group),
            name,
        };
        (row, visible)
    }))
}

pub async fn find_direct(db: &Db, direct_key: &str) -> Result<Option<ChannelId>, sqlx::Error> {
    let id: Option<i64> = on!(db => sqlx::query_scalar("SELECT id FROM channels WHERE direct_key = $1")
        .bind(direct_key)
        .fetch_optional(db)
        .await)?;
    Ok(id.map(ChannelId))
}

/// The channel as the viewer sees it, or None when they may not see it.
pub async fn summary_for(
    db: &Db,
    viewer: UserId,
    channel: ChannelId,
) -> Result<Option<ChannelSummary>, sqlx::Error> {
    let row: Option<SummaryRow> = on!(db => sqlx::query_as(&format!(
        "{SUMMARY_SELECT} WHERE c.id = $2 AND {VISIBLE_TO_VIEWER}"
    ))
    .bind(viewer)
    .bind(channel)
    .fetch_optional(db)
    .await)?;
    Ok(row.map(Into::into))
}

/// Every channel the viewer belongs to: parish channels first, then groups,
/// then direct conversations.
pub async fn for_user(db: &Db, viewer: UserId) -> Result<Vec<ChannelSummary>, sqlx::Error> {
    let rows: Vec<SummaryRow> = on!(db => sqlx::query_as(&format!(
        "{SUMMARY_SELECT} WHERE {VISIBLE_TO_VIEWER}
         ORDER BY CASE c.kind WHEN 'parish' THEN 0 WHEN 'group' THEN 1 ELSE 2 END, c.name, c.id"
    ))
    .bind(viewer)
    .fetch_all(db)
    .await)?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Everyone who receives the channel's messages.
pub async fn member_ids(db: &Db, channel: &ChannelRow) -> Result<Vec<UserId>, sqlx::Error> {
    let ids: Vec<i64> = if channel.kind == ChannelKind::Parish {
        on!(db => sqlx::query_scalar("SELECT user_id FROM community_members WHERE community_id = $1")
            .bind(channel.community_id)
            .fetch_all(db)
            .await)?
    } else {
        on!(db => sqlx::query_scalar("SELECT user_id FROM channel_members WHERE channel_id = $1")
            .bind(channel.id)
            .fetch_all(db)
            .await)?
    };
    Ok(ids.into_iter().map(UserId).collect())
}

pub async fn members(db: &Db, channel: &ChannelRow) -> Result<Vec<UserView>, sqlx::Error> {
    let sql = if channel.kind == ChannelKind::Parish {
        format!(
            "SELECT {USER_COLUMNS} FROM community_members m JOIN users u ON u.id = m.user_id
             WHERE m.community_id = $1 ORDER BY u.display_name"
        )
    } else {
        format!(
            "SELECT {USER_COLUMNS} FROM channel_members m JOIN users u ON u.id = m.user_id
             WHERE m.channel_id = $1 ORDER BY u.display_name"
        )
    };
    let key = if channel.kind == ChannelKind::Parish {
        channel.community_id.0
    } else {
        channel.id.0
    };
    let rows: Vec<UserRow> = on!(db => sqlx::query_as(&sql).bind(key).fetch_all(db).await)?;
    Ok(rows.into_iter().map(Into::into).collect())
}

pub async fn rename(db: &Db, id: ChannelId, name: &str) -> Result<(), sqlx::Error> {
    on!(db => sqlx::query("UPDATE channels SET name = $1 WHERE id = $2")
        .bind(name)
        .bind(id)
        .execute(db)
        .await
        .map(|_| ()))
}

/// Archives a group channel (or restores it): true if that changed it.
pub async fn set_archived(db: &Db, id: ChannelId, archived: bool) -> Result<bool, sqlx::Error> {
    let changed = if archived {
        on!(db => sqlx::query(
            "UPDATE channels SET archived_at = $1 WHERE id = $2 AND archived_at IS NULL")
            .bind(super::now_ms())
            .bind(id)
            .execute(db)
            .await.map(|r| r.rows_affected()))?
    } else {
        on!(db => sqlx::query(
            "UPDATE channels SET archived_at = NULL WHERE id = $1 AND archived_at IS NOT NULL")
            .bind(id)
            .execute(db)
            .await.map(|r| r.rows_affected()))?
    };
    Ok(changed > 0)
}

/// Whether the channel is an archived group.
pub async fn is_archived(db: &Db, id: ChannelId) -> Result<bool, sqlx::Error> {
    let archived: Option<bool> = on!(db => sqlx::query_scalar(
        "SELECT archived_at IS NOT NULL FROM channels WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await)?;
    Ok(archived.unwrap_or(false))
}

/// Removes a member from a DIRECT or GROUP channel; false if they were not one.
pub async fn remove_member(db: &Db, channel: ChannelId, user: UserId) -> Result<bool, sqlx::Error> {
    let done = on!(db => sqlx::query("DELETE FROM channel_members WHERE channel_id = $1 AND user_id = $2")
        .bind(channel)
        .bind(user)
        .execute(db)
        .await.map(|r| r.rows_affected()))?;
    Ok(done > 0)
}
