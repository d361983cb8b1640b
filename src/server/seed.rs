//! First-start data: the deployment's community, and the optional demo.

use super::accounts::avatar_color_for;
use super::auth;
use super::db::{self, channels, communities, messages, studios, users};
use super::error::AppResult;
use crate::contract::ids::UserId;
use crate::contract::types::{ChannelKind, Role};

/// A fresh deployment gets one community with its parish-wide channel, so the
/// first person to sign up (who becomes its admin) has somewhere to be.
pub async fn ensure_community(db: &db::Db, name: &str) -> AppResult<()> {
    if communities::default_community(db).await?.is_none() {
        let id = communities::insert(db, name).await?;
        channels::insert(db, id, ChannelKind::Parish, "Parish hall", None, None).await?;
        tracing::info!(community = %name, "created the community");
    }
    Ok(())
}

const DEMO_PEOPLE: [(&str, &str, Role); 4] = [
    ("alice", "Alice Martin", Role::Admin),
    ("bob", "Bob Okafor", Role::Coordinator),
    ("carol", "Carol Nguyen", Role::Member),
    ("dave", "Dave Rossi", Role::Member),
];

/// On an empty database: a parish with alice, bob, carol and dave, a direct
/// channel (alice-bob), a group (Choir: alice, bob, carol), the parish hall
/// and a studio (alice, carol). The passwords are logged, since this is for
/// trying Belfry out, never for a real deployment.
pub async fn demo(db: &db::Db, password: Option<&str>) -> AppResult<()> {
    if users::count(db).await? > 0 {
        return Ok(());
    }
    let community = communities::insert(db, "St. Anne's Parish").await?;
    let mut ids: Vec<UserId> = Vec::new();
    for (username, name, role) in DEMO_PEOPLE {
        let password = password.map_or_else(|| auth::new_token()[..12].to_string(), str::to_string);
        let hash = auth::hash_password(password.clone()).await?;
        let id = users::insert(db, username, name, &hash, avatar_color_for(username)).await?;
        communities::add_member(db, community, id, role).await?;
        tracing::info!("demo account: {username} / {password}");
        ids.push(id);
    }
    let [alice, bob, carol, _dave] = ids[..] else {
        unreachable!()
    };
    let hall = channels::insert(
        db,
        community,
        ChannelKind::Parish,
        "Parish hall",
        None,
        None,
    )
    .await?;
    let choir = channels::insert(
        db,
        community,
        ChannelKind::Group,
        "Choir",
        None,
        Some(alice),
    )
    .await?;
    for member in [alice, bob, carol] {
        channels::add_member(db, choir, member).await?;
    }
    let key = format!("{alice}:{bob}");
    let direct = channels::insert(
        db,
        community,
        ChannelKind::Direct,
        "",
        Some(&key),
        Some(alice),
    )
    .await?;
    channels::add_member(db, direct, alice).await?;
    channels::add_member(db, direct, bob).await?;
    let studio = studios::insert(db, "Recording studio", alice).await?;
    studios::add_member(db, studio, alice, true).await?;
    studios::add_member(db, studio, carol, false).await?;
    messages::insert(
        db,
        hall,
        alice,
        "Welcome to St. Anne's! Say hello here.",
        None,
    )
    .await?;
    messages::insert(db, choir, carol, "Rehearsal moves to Thursday at 7.", None).await?;
    messages::insert(
        db,
        direct,
        bob,
        "Alice, can we talk about Sunday's readings?",
        None,
    )
    .await?;
    tracing::info!("demo data seeded; turn it off with BELFRY_DEMO=false");
    Ok(())
}
