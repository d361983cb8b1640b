//! A round avatar with the person's initials on their colour.

use leptos::prelude::*;

use crate::contract::types::UserView;

#[component]
pub fn Avatar(user: UserView, #[prop(optional)] small: bool) -> impl IntoView {
    let style = format!("background-color: {}", user.avatar_color);
    view! {
        <span class="avatar" class:small=small style=style aria-hidden="true">
            {user.initials()}
        </span>
    }
}
