//! `/groups`: the group channels of my community that I am in, and who is
//! in each. Coordinators and admins also make a group (a name and people
//! chosen from the community), rename one, add people and remove them
//! (which takes them out of the group's live call at once).

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::avatar::Avatar;
use super::boot::PageData;
use super::common::{press, AskTwice, ErrorPanel, Outcome, OutcomeLine, PagesSheet};
use super::layout::Me;
use super::live::on_live_event;
use super::page_data::{page_data, show_fresh};
use crate::api::calls::remove_channel_member;
use crate::api::chat::create_group_channel;
use crate::api::groups::{add_group_members, archive_group, my_groups, rename_group};
use crate::contract::events::LiveEvent;
use crate::contract::groups::{GroupView, GroupsOverview, MAX_GROUP_NAME};
use crate::contract::ids::UserId;
use crate::contract::types::UserView;
use crate::contract::ApiError;

type Data = RwSignal<Option<Result<GroupsOverview, ApiError>>>;

/// Runs a change, says what it came to and reads the page again.
fn change<F>(data: Data, said: RwSignal<Option<Outcome>>, done: String, work: F)
where
    F: std::future::Future<Output = Result<(), ApiError>> + 'static,
{
    press(said, done, work, move || {
        spawn_local(async move {
            if let Ok(page) = my_groups().await {
                show_fresh(data, page);
            }
        })
    });
}

#[component]
pub fn GroupsPage() -> impl IntoView {
    let data: Data = page_data(
        || (),
        |page, _| match page {
            PageData::Groups(data) => data.open(),
            _ => None,
        },
        |_| my_groups(),
    );
    let said = RwSignal::new(None::<Outcome>);
    // Groups and roles change elsewhere too (a demoted coordinator loses
    // the controls at once): read the page again when they do.
    on_live_event(move |event| {
        if matches!(event, LiveEvent::SpacesChanged) {
            spawn_local(async move {
                if let Ok(page) = my_groups().await {
                    show_fresh(data, page);
                }
            });
        }
    });
    view! {
        <section class="groups-page" aria-labelledby="groups-title">
            <PagesSheet />
            <header class="chat-header">
                <a href="/" class="back" aria-label="Back to channels">"‹"</a>
                <div class="chat-title"><h1 id="groups-title">"Groups"</h1></div>
            </header>
            <OutcomeLine outcome=said testid="groups-said" />
            {move || match data.get() {
                None => view! { <p class="loading">"Loading…"</p> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error /> }.into_any(),
                Some(Ok(page)) => view! { <Groups page data said /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn Groups(page: GroupsOverview, data: Data, said: RwSignal<Option<Outcome>>) -> impl IntoView {
    let none = page.groups.is_empty();
    let people = page.people.clone();
    view! {
        <div class="groups-sections">
            {page.manages.then(|| {
                let people = people.clone();
                view! { <NewGroup community=page.community.id people data said /> }
            })}
            {none.then(|| view! { <p class="hint">"You are not in any group yet."</p> })}
            <ul class="group-list" data-testid="group-list">
                {page
                    .groups
                    .into_iter()
                    .map(|group| {
                        let people = people.clone();
                        view! { <GroupCard group manages=page.manages people data said /> }
                    })
                    .collect_view()}
            </ul>
        </div>
    }
}

#[component]
fn NewGroup(
    community: crate::contract::ids::CommunityId,
    people: Vec<UserView>,
    data: Data,
    said: RwSignal<Option<Outcome>>,
) -> impl IntoView {
    let me = expect_context::<Me>().0.id;
    let name = RwSignal::new(String::new());
    let chosen = RwSignal::new(Vec::<UserId>::new());
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (group, members) = (name.get_untracked(), chosen.get_untracked());
        let done = format!("Made the group {}.", group.trim());
        change(data, said, done, async move {
            create_group_channel(community, group, members)
                .await
                .map(|_| ())
        });
    };
    view! {
        <form class="group-card group-new" on:submit=create aria-labelledby="group-new-title">
            <h2 id="group-new-title">"New group"</h2>
            <label for="group-new-name">"Name"</label>
            <input
                id="group-new-name"
                type="text"
                maxlength=MAX_GROUP_NAME
                required
                prop:value=move || name.get()
                on:input=move |ev| name.set(event_target_value(&ev))
            />
            <fieldset class="group-people">
                <legend>"People in it (you are in it too)"</legend>
                {people
                    .into_iter()
                    .filter(|p| p.id != me)
                    .map(|person| {
                        let id = person.id;
                        view! {
                            <label class="group-person">
                                <input
                                    type="checkbox"
                                    prop:checked=move || chosen.with(|c| c.contains(&id))
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        chosen.update(|c| {
                                            c.retain(|u| *u != id);
                                            if on {
                                                c.push(id);
                                            }
                                        });
                                    }
                                />
                                {person.display_name}
                            </label>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <button type="submit">"Make the group"</button>
        </form>
    }
}

#[component]
fn GroupCard(
    group: GroupView,
    manages: bool,
    people: Vec<UserView>,
    data: Data,
    said: RwSignal<Option<Outcome>>,
) -> impl IntoView {
    let me = expect_context::<Me>().0.id;
    let channel = group.channel.id;
    let title = group.channel.name.clone();
    let heading = format!("group-{channel}-title");
    let archived = group.channel.archived;
    let count = match (group.members.len(), archived) {
        (1, false) => "1 member".to_string(),
        (n, false) => format!("{n} members"),
        (n, true) => format!("Archived · {n} member{}", if n == 1 { "" } else { "s" }),
    };
    // An archived group is restored before anything else changes in it.
    let manages_now = manages && !archived;
    let outside: Vec<UserView> = people
        .into_iter()
        .filter(|p| !group.members.iter().any(|m| m.id == p.id))
        .collect();
    let members = group
        .members
        .into_iter()
        .map(|member| {
            let (user, name) = (member.id, member.display_name.clone());
            let remove_label = format!("Remove {name} from {title}");
            let remove = move |_| {
                let done = format!("Removed {name}.");
                change(data, said, done, remove_channel_member(channel, user));
            };
            view! {
                <li class="group-member" data-testid="group-member">
                    <Avatar user=member.clone() small=true />
                    <span class="group-member-name">{member.display_name.clone()}</span>
                    {(manages_now && user != me).then(|| view! {
                        <button type="button" class="secondary" aria-label=remove_label on:click=remove>
                            "Remove"
                        </button>
                    })}
                </li>
            }
        })
        .collect_view();
    view! {
        <li class="group-card" class:archived=archived data-testid="group" aria-labelledby=heading>
            <h2 id=heading.clone()><a href=format!("/c/{channel}")>{title.clone()}</a></h2>
            <p class="meta">{count}</p>
            <ul class="group-members">{members}</ul>
            {manages_now.then(|| {
                let title = title.clone();
                view! { <GroupEdits channel title outside data said /> }
            })}
            {manages.then(|| view! { <GroupArchive channel title archived data said /> })}
        </li>
    }
}

/// Renaming a group and adding someone to it.
#[component]
fn GroupEdits(
    channel: crate::contract::ids::ChannelId,
    title: String,
    outside: Vec<UserView>,
    data: Data,
    said: RwSignal<Option<Outcome>>,
) -> impl IntoView {
    let name = RwSignal::new(title.clone());
    let adding = RwSignal::new(String::new());
    let rename = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let new = name.get_untracked();
        let done = format!("Renamed to {}.", new.trim());
        change(data, said, done, async move {
            rename_group(channel, new).await.map(|_| ())
        });
    };
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(id) = adding.get_untracked().parse::<i64>() else {
            said.set(Some(Outcome::Failed("Choose someone to add.".into())));
            return;
        };
        change(data, said, "Added.".into(), async move {
            add_group_members(channel, vec![UserId(id)])
                .await
                .map(|_| ())
        });
    };
    let rename_id = format!("group-{channel}-name");
    let add_id = format!("group-{channel}-add");
    let nobody = outside.is_empty();
    view! {
        <form class="group-edit" on:submit=rename>
            <label for=rename_id.clone()>{format!("Rename {title}")}</label>
            <div class="group-edit-row">
                <input
                    id=rename_id
                    type="text"
                    maxlength=MAX_GROUP_NAME
                    required
                    prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev))
                />
                <button type="submit" class="secondary">"Rename"</button>
            </div>
        </form>
        {(!nobody).then(|| view! {
            <form class="group-edit" on:submit=add>
                <label for=add_id.clone()>{format!("Add someone to {title}")}</label>
                <div class="group-edit-row">
                    <select id=add_id on:change=move |ev| adding.set(event_target_value(&ev))>
                        <option value="">"Choose…"</option>
                        {outside
                            .into_iter()
                            .map(|p| view! { <option value=p.id.0.to_string()>{p.display_name}</option> })
                            .collect_view()}
                    </select>
                    <button type="submit" class="secondary">"Add"</button>
                </div>
            </form>
        })}
    }
}

/// Archiving a group (asked twice: it ends the group's call, and nothing new
/// is posted in it), or restoring it.
#[component]
fn GroupArchive(
    channel: crate::contract::ids::ChannelId,
    title: String,
    archived: bool,
    data: Data,
    said: RwSignal<Option<Outcome>>,
) -> impl IntoView {
    let set = {
        let title = title.clone();
        Callback::new(move |to: bool| {
            let done = if to {
                format!("Archived {title}.")
            } else {
                format!("Restored {title}.")
            };
            change(data, said, done, async move {
                archive_group(channel, to).await.map(|_| ())
            });
        })
    };
    if archived {
        return view! {
            <div class="group-archive">
                <button type="button" class="secondary" aria-label=format!("Restore {title}") on:click=move |_| set.run(false)>
                    "Restore"
                </button>
            </div>
        }
        .into_any();
    }
    view! {
        <div class="group-archive">
            <AskTwice
                first="Archive…"
                named=format!("Archive {title}…")
                confirm=format!("Archive {title}")
                hint="Its call ends, and nothing new is posted; its messages stay to be read."
                on_confirm=Callback::new(move |()| set.run(true))
            />
        </div>
    }
    .into_any()
}
