//! A studio's people, and for its owner the controls to add someone who
//! shares a community with them and to remove a collaborator (who leaves
//! the drop-in room at once).

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::avatar::Avatar;
use super::common::{press, Outcome, OutcomeLine};
use crate::api::calls::remove_studio_member;
use crate::api::studios::{add_studio_member, studio_candidates};
use crate::contract::ids::{StudioId, UserId};
use crate::contract::types::{StudioDetail, UserView};

/// The page's studio read again after a change.
pub type Reload = Callback<()>;

/// The studio as read last: `fresh` if it was read since `first` and is
/// the same studio, else `first`.
pub fn latest<'a>(fresh: &'a Option<StudioDetail>, first: &'a StudioDetail) -> &'a StudioDetail {
    fresh
        .as_ref()
        .filter(|f| f.studio.id == first.studio.id)
        .unwrap_or(first)
}

#[component]
pub fn StudioMembers(
    /// The studio as the page came with it.
    first: StudioDetail,
    /// The studio read again since, if it has been.
    fresh: RwSignal<Option<StudioDetail>>,
    reload: Reload,
) -> impl IntoView {
    let me = expect_context::<super::layout::Me>().0.id;
    let (studio, manages) = (first.studio.id, first.manages);
    let said = RwSignal::new(None::<Outcome>);
    let members = move || fresh.with(|f| latest(f, &first).members.clone());
    let list = move || {
        members()
            .into_iter()
            .map(|m| {
                let (user, name) = (m.id, m.display_name.clone());
                let remove = move |_| {
                    let done = format!("{name} is no longer in the studio.");
                    press(said, done, remove_studio_member(studio, user), move || {
                        reload.run(())
                    });
                };
                view! {
                    <li>
                        <Avatar user=m.clone() />
                        <span class="studio-member-name">{m.display_name.clone()}</span>
                        {(manages && user != me).then(|| view! {
                            <button
                                type="button"
                                class="secondary"
                                aria-label=format!("Remove {} from the studio", m.display_name)
                                on:click=remove
                            >
                                "Remove"
                            </button>
                        })}
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <OutcomeLine outcome=said testid="studio-said" />
        <ul class="studio-members" data-testid="studio-members">{list}</ul>
        {manages.then(|| view! { <AddCollaborator studio fresh said reload /> })}
    }
}

/// The owner adds someone from their communities.
#[component]
fn AddCollaborator(
    studio: StudioId,
    fresh: RwSignal<Option<StudioDetail>>,
    said: RwSignal<Option<Outcome>>,
    reload: Reload,
) -> impl IntoView {
    let candidates = RwSignal::new(Vec::<UserView>::new());
    let chosen = RwSignal::new(String::new());
    // In the browser only (effects never run on the server), and again
    // whenever the studio's people change.
    Effect::new(move |_| {
        fresh.track();
        spawn_local(async move {
            match studio_candidates(studio).await {
                Ok(people) => candidates.set(people),
                Err(e) => said.set(Some(Outcome::Failed(e.message))),
            }
        })
    });
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(id) = chosen.get_untracked().parse::<i64>() else {
            said.set(Some(Outcome::Failed("Choose someone to add.".into())));
            return;
        };
        let name = candidates.with_untracked(|c| {
            c.iter()
                .find(|p| p.id.0 == id)
                .map(|p| p.display_name.clone())
                .unwrap_or_default()
        });
        let work = async move { add_studio_member(studio, UserId(id)).await.map(|_| ()) };
        press(said, format!("Added {name}."), work, move || reload.run(()));
    };
    view! {
        <form class="group-edit studio-add" on:submit=add>
            <label for="studio-add">"Add someone to the studio"</label>
            <div class="group-edit-row">
                <select id="studio-add" on:change=move |ev| chosen.set(event_target_value(&ev))>
                    <option value="">"Choose…"</option>
                    <For each=move || candidates.get() key=|p| p.id let:p>
                        <option value=p.id.0.to_string()>{p.display_name}</option>
                    </For>
                </select>
                <button type="submit" class="secondary">"Add"</button>
            </div>
        </form>
    }
}
