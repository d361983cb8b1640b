//! Who is signed in and where they belong, shared by every page.

use leptos::prelude::*;

use crate::api::accounts::current_user;
use crate::api::chat::my_spaces;
use crate::api::types::{Spaces, UserView};
use crate::api::ApiError;

#[derive(Clone, Copy)]
pub struct Session {
    pub user: Resource<Result<Option<UserView>, ApiError>>,
    pub spaces: Resource<Result<Spaces, ApiError>>,
}

pub fn provide_session() {
    let user = Resource::new(|| (), |_| current_user());
    let spaces = Resource::new(|| (), |_| my_spaces());
    provide_context(Session { user, spaces });
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}
