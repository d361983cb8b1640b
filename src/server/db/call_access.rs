//! What a call operation reads before it acts, each in one query: the call
//! or channel, whether the viewer may see it, who is in the channel (the
//! live event's recipients) and who is busy elsewhere.

use super::calls::{assemble, corrupt, LoadRow, StoredCall, CALL_COLUMNS};
use super::channels::{parse_ids, ChannelRow, MEMBER_IDS_OF_C, VISIBLE_TO_VIEWER};
use super::on;
use super::Db;
use crate::calls::ids::{CallId, ChannelId, CommunityId, UserId};
use crate::contract::types::ChannelKind;

/// True when the viewer bound to `$1` is connected to a live call in
/// another channel than `c`.
const VIEWER_BUSY_ELSEWHERE: &str = "EXISTS (SELECT 1 FROM call_participants bp
    JOIN voice_calls bc ON bc.id = bp.call_id
    WHERE bp.user_id = $1 AND bp.status = 'CONNECTED'
      AND bc.status IN ('RINGING', 'ACTIVE') AND bc.channel_id <> c.id)";

/// A call as an operation on it sees it.
pub struct CallAccess {
    pub call: StoredCall,
    pub channel: ChannelRow,
    pub visible: bool,
    pub members: Vec<UserId>,
    /// The viewer is connected to a live call in another channel.
    pub viewer_busy: bool,
}

/// The call, its channel, whether `viewer` may see it, the channel's
/// members and whether the viewer is busy elsewhere.
pub async fn load_for(
    db: &Db,
    id: CallId,
    viewer: UserId,
) -> Result<Option<CallAccess>, sqlx::Error> {
    // The channel's columns are computed once, not once per participant.
    let rows: Vec<LoadRow> = on!(db => sqlx::query_as(&format!(
        "WITH h AS MATERIALIZED (
           SELECT v.*, c.community_id AS ch_community_id, c.kind AS ch_kind, c.name AS ch_name,
                  {VISIBLE_TO_VIEWER} AS visible, {MEMBER_IDS_OF_C} AS members,
                  {VIEWER_BUSY_ELSEWHERE} AS viewer_busy
           FROM voice_calls v JOIN channels c ON c.id = v.channel_id WHERE v.id = $2)
         SELECT {CALL_COLUMNS}, v.ch_community_id, v.ch_kind, v.ch_name, v.visible, v.members,
                v.viewer_busy
         FROM h v LEFT JOIN call_participants p ON p.call_id = v.id
         ORDER BY p.invited_at, p.user_id"
    ))
    .bind(viewer)
    .bind(id)
    .fetch_all(db)
    .await)?;
    let Some(a) = assemble(rows)? else {
        return Ok(None);
    };
    let (channel, visible) = a
        .channel
        .ok_or_else(|| corrupt("channel of call", &id.to_string()))?;
    Ok(Some(CallAccess {
        call: a.call,
        channel,
        visible,
        members: parse_ids(a.members.as_deref())?,
        viewer_busy: a.viewer_busy,
    }))
}

/// A channel as a call starts in it: whether the viewer may, who is in it,
/// the call already live there, and (except in parish channels, whose
/// members are the whole community) which members are busy in a call
/// elsewhere. One query.
pub struct CallChannel {
    pub row: ChannelRow,
    pub visible: bool,
    pub live_call: Option<CallId>,
    pub members: Vec<UserId>,
    pub busy_members: Option<Vec<UserId>>,
    /// An archived group takes no calls.
    pub archived: bool,
}

pub async fn find_for_call(
    db: &Db,
    viewer: UserId,
    id: ChannelId,
) -> Result<Option<CallChannel>, sqlx::Error> {
    #[allow(clippy::type_complexity)]
    let row: Option<(
        i64,
        i64,
        String,
        String,
        bool,
        Option<i64>,
        Option<String>,
        Option<String>,
        bool,
    )> = on!(db => sqlx::query_as(&format!(
            "SELECT c.id, c.community_id, c.kind, c.name, {VISIBLE_TO_VIEWER} AS visible,
                (SELECT v.id FROM voice_calls v
                  WHERE v.channel_id = c.id AND v.status IN ('RINGING', 'ACTIVE')) AS live_call,
                {MEMBER_IDS_OF_C} AS members,
                CASE WHEN c.kind = 'parish' THEN NULL ELSE
                  (SELECT string_agg(CAST(cm.user_id AS TEXT), ',') FROM channel_members cm
                    WHERE cm.channel_id = c.id AND EXISTS (SELECT 1 FROM call_participants bp
                      JOIN voice_calls bc ON bc.id = bp.call_id
                      WHERE bp.user_id = cm.user_id AND bp.status = 'CONNECTED'
                        AND bc.status IN ('RINGING', 'ACTIVE') AND bc.channel_id <> c.id)) END AS busy,
                c.archived_at IS NOT NULL AS archived
             FROM channels c WHERE c.id = $2"
        ))
        .bind(viewer)
        .bind(id)
        .fetch_optional(db)
        .await)?;
    let Some((id, community, kind, name, visible, live_call, members, busy, archived)) = row else {
        return Ok(None);
    };
    let kind = ChannelKind::parse(&kind).unwrap_or(ChannelKind::Group);
    Ok(Some(CallChannel {
        row: ChannelRow {
            id: ChannelId(id),
            community_id: CommunityId(community),
            kind,
            name,
        },
        visible,
        live_call: live_call.map(CallId),
        members: parse_ids(members.as_deref())?,
        busy_members: if kind == ChannelKind::Parish {
            None
        } else {
            Some(parse_ids(busy.as_deref())?)
        },
        archived,
    }))
}
