//! Invitation links and who joined through each. Codes are kept only as
//! their SHA-256 (`code_hash`).

use super::on;
use super::{Db, UserRow, USER_COLUMNS};
use crate::contract::ids::{CommunityId, InvitationId, UserId};
use crate::contract::invitations::InvitationState;
use crate::contract::types::UserView;

pub struct NewRow<'a> {
    pub community: CommunityId,
    pub code_hash: &'a str,
    pub hint: &'a str,
    pub by: UserId,
    pub now: i64,
    pub expires_at: i64,
    pub max_uses: u32,
}

pub async fn insert(db: &Db, n: NewRow<'_>) -> Result<InvitationId, sqlx::Error> {
    let id: i64 = on!(db => sqlx::query_scalar(
        "INSERT INTO invitations (community_id, code_hash, code_hint, created_by, created_at, expires_at, max_uses)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(n.community)
    .bind(n.code_hash)
    .bind(n.hint)
    .bind(n.by)
    .bind(n.now)
    .bind(n.expires_at)
    .bind(i64::from(n.max_uses))
    .fetch_one(db)
    .await)?;
    Ok(InvitationId(id))
}

/// An invitation as stored, without who joined.
#[derive(sqlx::FromRow)]
pub struct Row {
    pub id: i64,
    pub community_id: i64,
    pub code_hint: String,
    pub created_by: Option<i64>,
    pub created_at: i64,
    pub expires_at: i64,
    pub max_uses: i64,
    pub uses: i64,
    pub revoked_at: Option<i64>,
}

impl Row {
    pub fn state(&self, now: i64) -> InvitationState {
        if self.revoked_at.is_some() {
            InvitationState::Revoked
        } else if self.expires_at <= now {
            InvitationState::Expired
        } else if self.uses >= self.max_uses {
            InvitationState::UsedUp
        } else {
            InvitationState::Open
        }
    }
}

const ROW: &str = "SELECT id, community_id, code_hint, created_by, created_at, expires_at,
    max_uses, uses, revoked_at FROM invitations";

/// The community's invitations, newest first (at most `limit`).
pub async fn for_community(
    db: &Db,
    community: CommunityId,
    limit: i64,
) -> Result<Vec<Row>, sqlx::Error> {
    on!(db => sqlx::query_as(&format!("{ROW} WHERE community_id = $1 ORDER BY id DESC LIMIT $2"))
        .bind(community)
        .bind(limit)
        .fetch_all(db)
        .await)
}

/// How many of the community's links are open now.
pub async fn count_open(db: &Db, community: CommunityId, now: i64) -> Result<i64, sqlx::Error> {
    on!(db => sqlx::query_scalar(
        "SELECT COUNT(*) FROM invitations WHERE community_id = $1 AND revoked_at IS NULL
           AND expires_at > $2 AND uses < max_uses",
    )
    .bind(community)
    .bind(now)
    .fetch_one(db)
    .await)
}

pub async fn find(db: &Db, id: InvitationId) -> Result<Option<Row>, sqlx::Error> {
    on!(db => sqlx::query_as(&format!("{ROW} WHERE id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await)
}

pub async fn find_by_code(db: &Db, code_hash: &str) -> Result<Option<Row>, sqlx::Error> {
    on!(db => sqlx::query_as(&format!("{ROW} WHERE code_hash = $1"))
        .bind(code_hash)
        .fetch_optional(db)
        .await)
}

/// Takes one use of an open link: its id and community, or None if the
/// link is unknown, revoked, expired or used up (one statement, so two
/// people cannot both take its last use).
pub async fn claim(
    db: &Db,
    code_hash: &str,
    now: i64,
) -> Result<Option<(InvitationId, CommunityId)>, sqlx::Error> {
    let row: Option<(i64, i64)> = on!(db => sqlx::query_as(
        "UPDATE invitations SET uses = uses + 1
         WHERE code_hash = $1 AND revoked_at IS NULL AND expires_at > $2 AND uses < max_uses
         RETURNING id, community_id",
    )
    .bind(code_hash)
    .bind(now)
    .fetch_optional(db)
    .await)?;
    Ok(row.map(|(i, c)| (InvitationId(i), CommunityId(c))))
}

/// Gives back a use taken by a sign-up that then failed.
pub async fn release(db: &Db, id: InvitationId) -> Result<(), sqlx::Error> {
    on!(db => sqlx::query("UPDATE invitations SET uses = uses - 1 WHERE id = $1 AND uses > 0")
        .bind(id)
        .execute(db)
        .await
        .map(|_| ()))
}

pub async fn record_use(
    db: &Db,
    id: InvitationId,
    user: UserId,
    now: i64,
) -> Result<(), sqlx::Error> {
    on!(db => sqlx::query(
        "INSERT INTO invitation_uses (invitation_id, user_id, joined_at) VALUES ($1, $2, $3)
         ON CONFLICT (invitation_id, user_id) DO NOTHING",
    )
    .bind(id)
    .bind(user)
    .bind(now)
    .execute(db)
    .await
    .map(|_| ()))
}

/// Revokes a link; false if it already was.
pub async fn revoke(db: &Db, id: InvitationId, now: i64) -> Result<bool, sqlx::Error> {
    let done = on!(db => sqlx::query(
        "UPDATE invitations SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
    )
    .bind(id)
    .bind(now)
    .execute(db)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done > 0)
}

/// Who joined through each of these links, in the order they joined.
pub async fn joined(
    db: &Db,
    ids: &[InvitationId],
) -> Result<Vec<(InvitationId, UserView)>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<JoinedRow> = on!(db => {
        let mut q = sqlx::QueryBuilder::new(format!(
            "SELECT j.invitation_id, {USER_COLUMNS} FROM invitation_uses j
             JOIN users u ON u.id = j.user_id WHERE j.invitation_id IN ("
        ));
        let mut list = q.separated(", ");
        for id in ids {
            list.push_bind(id.0);
        }
        q.push(") ORDER BY j.joined_at, u.id");
        q.build_query_as().fetch_all(db).await
    })?;
    Ok(rows
        .into_iter()
        .map(|r| (InvitationId(r.invitation_id), r.user.into()))
        .collect())
}

#[derive(sqlx::FromRow)]
struct JoinedRow {
    invitation_id: i64,
    #[sqlx(flatten)]
    user: UserRow,
}
