//! An admin's controls on a person in People: their role, and removing them
//! from the community (asked twice: it takes them out of every channel and
//! call at once).

use leptos::prelude::*;

use super::common::{press, AskTwice, Outcome};
use crate::api::community::{remove_community_member, set_member_role};
use crate::contract::ids::CommunityId;
use crate::contract::types::{Member, Role};
use crate::contract::ApiError;

/// What an admin's change came to: said on the page, which then reads
/// itself again.
pub type Reload = Callback<()>;

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Member => "Member",
        Role::Coordinator => "Coordinator",
        Role::Admin => "Admin",
    }
}

fn run<F>(said: RwSignal<Option<Outcome>>, reload: Reload, done: String, work: F)
where
    F: std::future::Future<Output = Result<(), ApiError>> + 'static,
{
    press(said, done, work, move || reload.run(()));
}

#[component]
pub fn MemberAdmin(
    member: Member,
    community: CommunityId,
    said: RwSignal<Option<Outcome>>,
    reload: Reload,
) -> impl IntoView {
    let user = member.user.id;
    let name = member.user.display_name.clone();
    let select_id = format!("role-{user}");
    let change_role = {
        let name = name.clone();
        move |ev: leptos::ev::Event| {
            let role = match event_target_value(&ev).as_str() {
                "admin" => Role::Admin,
                "coordinator" => Role::Coordinator,
                _ => Role::Member,
            };
            let done = format!("{name} is now {}.", role_name(role).to_lowercase());
            run(said, reload, done, set_member_role(community, user, role));
        }
    };
    let remove = {
        let name = name.clone();
        Callback::new(move |()| {
            let done = format!("{name} is no longer in the community.");
            run(said, reload, done, remove_community_member(community, user));
        })
    };
    let current = member.role;
    view! {
        <div class="person-admin">
            <label for=select_id.clone()>"Role"<span class="sr-only">{format!(" of {name}")}</span></label>
            <select id=select_id on:change=change_role data-testid="role">
                {[Role::Member, Role::Coordinator, Role::Admin]
                    .into_iter()
                    .map(|r| view! { <option value=r.as_str() selected=r == current>{role_name(r)}</option> })
                    .collect_view()}
            </select>
            <AskTwice
                first="Remove…"
                named=format!("Remove {name}…")
                confirm=format!("Remove {name} from the community")
                on_confirm=remove
            />
        </div>
    }
}
