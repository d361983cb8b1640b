//! Communities and their members' roles.

use super::on;
use super::{Db, UserRow, USER_COLUMNS};
use crate::contract::ids::{CommunityId, UserId};
use crate::contract::types::{CommunityView, Role, UserView};

pub async fn insert(db: &Db, name: &str) -> Result<CommunityId, sqlx::Error> {
    let id: i64 = on!(db => sqlx::query_scalar(
        "INSERT INTO communities (name, created_at) VALUES ($1, $2) RETURNING id",
    )
    .bind(name)
    .bind(super::now_ms())
    .fetch_one(db)
    .await)?;
    Ok(CommunityId(id))
}

pub async fn add_member(
    db: &Db,
    community: CommunityId,
    user: UserId,
    role: Role,
) -> Result<(), sqlx::Error> {
    on!(db => sqlx::query(
        "INSERT INTO community_members (community_id, user_id, role, joined_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (community_id, user_id) DO UPDATE SET role = excluded.role",
    )
    .bind(community)
    .bind(user)
    .bind(role.as_str())
    .bind(super::now_ms())
    .execute(db)
    .await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The community that sign-ups join: the oldest.
pub async fn default_community(db: &Db) -> Result<Option<CommunityId>, sqlx::Error> {
    let id: Option<i64> = on!(db => sqlx::query_scalar("SELECT id FROM communities ORDER BY id LIMIT 1")
        .fetch_optional(db)
        .await)?;
    Ok(id.map(CommunityId))
}

/// The user's role in the community, or None when they are not a member.
pub async fn role_of(
    db: &Db,
    community: CommunityId,
    user: UserId,
) -> Result<Option<Role>, sqlx::Error> {
    let role: Option<String> = on!(db => sqlx::query_scalar(
        "SELECT role FROM community_members WHERE community_id = $1 AND user_id = $2",
    )
    .bind(community)
    .bind(user)
    .fetch_optional(db)
    .await)?;
    Ok(role.as_deref().and_then(Role::parse))
}

pub async fn exists(db: &Db, community: CommunityId) -> Result<bool, sqlx::Error> {
    on!(db => sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM communities WHERE id = $1)")
        .bind(community)
        .fetch_one(db)
        .await)
}

pub async fn for_user(db: &Db, user: UserId) -> Result<Vec<CommunityView>, sqlx::Error> {
    let rows: Vec<(i64, String, String)> = on!(db => sqlx::query_as(
        "SELECT c.id, c.name, m.role FROM communities c
         JOIN community_members m ON m.community_id = c.id
         WHERE m.user_id = $1 ORDER BY c.name",
    )
    .bind(user)
    .fetch_all(db)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|(id, name, role)| CommunityView {
            id: CommunityId(id),
            name,
            role: Role::parse(&role).unwrap_or(Role::Member),
        })
        .collect())
}

pub async fn members(db: &Db, community: CommunityId) -> Result<Vec<UserView>, sqlx::Error> {
    let rows: Vec<UserRow> = on!(db => sqlx::query_as(&format!(
        "SELECT {USER_COLUMNS} FROM community_members m JOIN users u ON u.id = m.user_id
         WHERE m.community_id = $1 ORDER BY u.display_name"
    ))
    .bind(community)
    .fetch_all(db)
    .await)?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// A community's members by name, with their role and whether each is
/// connected to a live call now (one query).
pub async fn directory(
    db: &Db,
    community: CommunityId,
) -> Result<Vec<(UserView, Role, bool)>, sqlx::Error> {
    let rows: Vec<DirectoryRow> = on!(db => sqlx::query_as(&format!(
        "SELECT {USER_COLUMNS}, m.role,
                EXISTS (SELECT 1 FROM call_participants p JOIN voice_calls c ON c.id = p.call_id
                        WHERE p.user_id = u.id AND p.status = 'CONNECTED'
                          AND c.status IN ('RINGING', 'ACTIVE')) AS in_call
         FROM community_members m JOIN users u ON u.id = m.user_id
         WHERE m.community_id = $1 ORDER BY u.display_name, u.id"
    ))
    .bind(community)
    .fetch_all(db)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let role = Role::parse(&r.role).unwrap_or(Role::Member);
            (r.user.into(), role, r.in_call)
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct DirectoryRow {
    #[sqlx(flatten)]
    user: UserRow,
    role: String,
    in_call: bool,
}

/// Of `users` (distinct), how many belong to the community.
pub async fn count_members_among(
    db: &Db,
    community: CommunityId,
    users: &[UserId],
) -> Result<usize, sqlx::Error> {
    if users.is_empty() {
        return Ok(0);
    }
    let n: i64 = on!(db => {
        let mut q = sqlx::QueryBuilder::new(
            "SELECT COUNT(*) FROM community_members WHERE community_id = ",
        );
        q.push_bind(community);
        q.push(" AND user_id IN (");
        let mut list = q.separated(", ");
        for user in users {
            list.push_bind(user.0);
        }
        q.push(")");
        q.build_query_scalar().fetch_one(db).await
    })?;
    Ok(n.max(0) as usize)
}

/// A community both people belong to (the oldest), if any.
pub async fn shared(db: &Db, a: UserId, b: UserId) -> Result<Option<CommunityId>, sqlx::Error> {
    let id: Option<i64> = on!(db => sqlx::query_scalar(
        "SELECT x.community_id FROM community_members x
         JOIN community_members y ON y.community_id = x.community_id
         WHERE x.user_id = $1 AND y.user_id = $2 ORDER BY x.community_id LIMIT 1",
    )
    .bind(a)
    .bind(b)
    .fetch_optional(db)
    .await)?;
    Ok(id.map(CommunityId))
}

/// Holds the community's row until the transaction ends, so that two
/// admins changing roles at once take turns (both engines: an UPDATE locks
/// the row in PostgreSQL and the database in SQLite).
const LOCK_COMMUNITY: &str = "UPDATE communities SET id = id WHERE id = $1";

/// Would taking `user`'s admin role leave the community without one?
const LAST_ADMIN: &str = "SELECT (SELECT role FROM community_members
        WHERE community_id = $1 AND user_id = $2) = 'admin'
    AND (SELECT COUNT(*) FROM community_members WHERE community_id = $1 AND role = 'admin') < 2";

/// In a transaction `$tx`: takes the community's row (`LOCK_COMMUNITY`),
/// then whether `$user` is its last admin (`Some(true)`), per engine.
macro_rules! locked_last_admin {
    ($tx:ident, $community:expr, $user:expr) => {{
        sqlx::query(LOCK_COMMUNITY)
            .bind($community)
            .execute(&mut *$tx)
            .await?;
        let last: Option<bool> = sqlx::query_scalar(LAST_ADMIN)
            .bind($community)
            .bind($user)
            .fetch_one(&mut *$tx)
            .await?;
        last
    }};
}

/// What a change of membership came to.
#[derive(Debug, PartialEq, Eq)]
pub enum MemberChange {
    Done,
    NotMember,
    /// It would leave the community without an admin.
    LastAdmin,
}

/// Gives a member another role, unless that leaves no admin.
pub async fn set_role(
    db: &Db,
    community: CommunityId,
    user: UserId,
    role: Role,
) -> Result<MemberChange, sqlx::Error> {
    on!(db => {
        let mut tx = db.begin().await?;
        let last = locked_last_admin!(tx, community, user);
        if role != Role::Admin && last == Some(true) {
            return Ok(MemberChange::LastAdmin);
        }
        let changed = sqlx::query(
            "UPDATE community_members SET role = $3 WHERE community_id = $1 AND user_id = $2",
        )
        .bind(community)
        .bind(user)
        .bind(role.as_str())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(if changed == 0 { MemberChange::NotMember } else { MemberChange::Done })
    })
}

/// Takes someone out of the community and out of every direct and group
/// channel in it, unless they are its last admin.
pub async fn remove_member(
    db: &Db,
    community: CommunityId,
    user: UserId,
) -> Result<MemberChange, sqlx::Error> {
    on!(db => {
        let mut tx = db.begin().await?;
        let last = locked_last_admin!(tx, community, user);
        if last == Some(true) {
            return Ok(MemberChange::LastAdmin);
        }
        let gone = sqlx::query("DELETE FROM community_members WHERE community_id = $1 AND user_id = $2")
            .bind(community)
            .bind(user)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if gone == 0 {
            return Ok(MemberChange::NotMember);
        }
        sqlx::query(
            "DELETE FROM channel_members WHERE user_id = $2
             AND channel_id IN (SELECT id FROM channels WHERE community_id = $1)",
        )
        .bind(community)
        .bind(user)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(MemberChange::Done)
    })
}

/// The community's members' ids.
pub async fn member_ids(db: &Db, community: CommunityId) -> Result<Vec<UserId>, sqlx::Error> {
    let ids: Vec<i64> = on!(db => sqlx::query_scalar(
        "SELECT user_id FROM community_members WHERE community_id = $1",
    )
    .bind(community)
    .fetch_all(db)
    .await)?;
    Ok(ids.into_iter().map(UserId).collect())
}

pub async fn name(db: &Db, community: CommunityId) -> Result<Option<String>, sqlx::Error> {
    on!(db => sqlx::query_scalar("SELECT name FROM communities WHERE id = $1")
        .bind(community)
        .fetch_optional(db)
        .await)
}
