//! The benchmarks' people: accounts made straight in the database, each
//! signed in (a session cookie), all members of the default community;
//! pairs of them sharing a direct channel.
#![allow(dead_code)]

use belfry::contract::ids::{ChannelId, UserId};
use belfry::contract::types::{ChannelKind, Role, UserView};
use belfry::server::auth;
use belfry::server::db::{self, channels, communities, sessions, users};
use belfry::server::state::AppState;

pub struct Person {
    pub id: UserId,
    pub view: UserView,
    pub cookie: String,
}

/// `n` people, signed in for an hour.
pub async fn make_people(state: &AppState, n: usize) -> Vec<Person> {
    let community = communities::default_community(&state.db)
        .await
        .unwrap()
        .unwrap();
    // One real hash, shared: nobody signs in with a password here.
    let hash = auth::hash_password("bench-password".into()).await.unwrap();
    let mut people = Vec::with_capacity(n);
    for i in 0..n {
        let id = users::insert(
            &state.db,
            &format!("user{i}"),
            &format!("User {i}"),
            &hash,
            "#1d4ed8",
        )
        .await
        .unwrap();
        communities::add_member(&state.db, community, id, Role::Member)
            .await
            .unwrap();
        let token = auth::new_token();
        let expires = db::now_ms() + 3_600_000;
        sessions::insert(&state.db, &auth::token_hash(&token), id, expires)
            .await
            .unwrap();
        let view = users::find(&state.db, id).await.unwrap().unwrap();
        people.push(Person {
            id,
            view,
            cookie: format!("{}={token}", auth::SESSION_COOKIE),
        });
    }
    people
}

/// Pairs (i, i + half) of the first `2 * half` people, each pair with its
/// own direct channel.
pub async fn direct_pairs(
    state: &AppState,
    people: &[Person],
    half: usize,
) -> Vec<(usize, usize, ChannelId)> {
    let community = communities::default_community(&state.db)
        .await
        .unwrap()
        .unwrap();
    let mut pairs = Vec::with_capacity(half);
    for i in 0..half {
        let (a, b) = (&people[i], &people[i + half]);
        let key = format!("{}:{}", a.id, b.id);
        let kind = ChannelKind::Direct;
        let ch = channels::insert(&state.db, community, kind, "", Some(&key), None)
            .await
            .unwrap();
        channels::add_member(&state.db, ch, a.id).await.unwrap();
        channels::add_member(&state.db, ch, b.id).await.unwrap();
        pairs.push((i, i + half, ch));
    }
    pairs
}
