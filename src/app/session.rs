//! Who is signed in and where they belong, shared by every page.

use leptos::prelude::*;

use crate::api::accounts::current_user;
use crate::api::chat::my_spaces;
use crate::api::types::{Spaces, UserView};
use crate::api::ApiError;
use crate::app::resource::{load, Loaded};

#[derive(Clone, Copy)]
pub struct Session {
    pub user: Loaded<Result<Option<UserView>, ApiError>>,
    pub spaces: Loaded<Result<Spaces, ApiError>>,
}

pub fn provide_session() {
    let user = load(|| (), |_| current_user());
    let spaces = load(|| (), |_| my_spaces());
    provide_context(Session { user, spaces });
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}
