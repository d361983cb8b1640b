//! Who is signed in and where they belong, shared by every page. Both come
//! with the page (`boot`); the channels and studios are fetched again when
//! they change.

use std::sync::atomic::{AtomicU32, Ordering};

use leptos::prelude::*;

use super::boot::{use_boot, FirstPage};
use crate::api::chat::my_spaces;
use crate::contract::types::{Spaces, UserView};
use crate::contract::ApiError;

#[derive(Clone)]
pub struct Session {
    /// Fixed for the page: signing in or out loads another.
    pub user: Result<Option<UserView>, ApiError>,
    /// `None` only when nobody is signed in.
    pub spaces: RwSignal<Option<Result<Spaces, ApiError>>>,
}

/// The last `refetch_spaces` asked; an earlier answer arriving later is
/// older news and is dropped.
static SPACES_ASKED: AtomicU32 = AtomicU32::new(0);

impl Session {
    pub fn refetch_spaces(&self) {
        let spaces = self.spaces;
        let asked = SPACES_ASKED.fetch_add(1, Ordering::Relaxed) + 1;
        leptos::task::spawn_local(async move {
            let answer = my_spaces().await;
            if SPACES_ASKED.load(Ordering::Relaxed) == asked {
                spaces.set(Some(answer));
            }
        });
    }
}

pub fn provide_session() {
    let boot = use_boot();
    provide_context(FirstPage::new(boot.page));
    provide_context(Session {
        user: boot.user,
        spaces: RwSignal::new(boot.spaces),
    });
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}
