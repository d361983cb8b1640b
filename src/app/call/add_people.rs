//! "Add people" in a group call's panel: the channel's members who are not
//! in the call, one click to ring each. The list (and its code,
//! `super::on_demand`) comes when the button first opens it.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::center::CallCenter;
use crate::api::chat::get_channel;
use crate::calls::ids::{ChannelId, UserId};
use crate::calls::ParticipantStatus;
use crate::contract::call_types::CallView;
use crate::contract::types::UserView;

#[component]
pub fn AddPeople(call: CallView, center: CallCenter) -> impl IntoView {
    let open = RwSignal::new(false);
    // Fetched once, when the list is first drawn.
    let members = RwSignal::new(None::<Vec<UserView>>);
    let channel = call.channel_id;
    // In the call or ringing: nobody to add.
    let busy_here: Vec<_> = call
        .participants
        .iter()
        .filter(|p| p.status == ParticipantStatus::Connected || p.status.is_ringing())
        .map(|p| p.user.id)
        .collect();
    view! {
        <div class="add-people">
            <button class="call-button" aria-expanded=move || open.get().to_string() on:click=move |_| open.update(|o| *o = !*o)>
                "Add people"
            </button>
            {move || {
                open.get().then(|| {
                    view! {
                        <div class="device-menu" role="group" aria-label="Add people to the call">
                            {super::on_demand::add_people(channel, busy_here.clone(), members, open, center)}
                        </div>
                    }
                })
            }}
        </div>
    }
}

/// The members who could be added, each a button that rings them.
#[component]
pub(super) fn AddPeopleMenu(
    channel: ChannelId,
    busy_here: Vec<UserId>,
    members: RwSignal<Option<Vec<UserView>>>,
    open: RwSignal<bool>,
    center: CallCenter,
) -> impl IntoView {
    if members.with_untracked(|m| m.is_none()) {
        spawn_local(async move {
            match get_channel(channel).await {
                Ok(detail) => members.set(Some(detail.members)),
                Err(e) => center.error.set(Some(e.message)),
            }
        });
    }
    let addable = Signal::derive(move || {
        members.with(|m| {
            m.as_ref().map(|list| {
                list.iter()
                    .filter(|u| !busy_here.contains(&u.id))
                    .cloned()
                    .collect::<Vec<_>>()
            })
        })
    });
    move || match addable.get() {
        None => view! { <p class="meta">"Loading…"</p> }.into_any(),
        Some(list) if list.is_empty() => {
            view! { <p class="meta">"Everyone in the channel is here or being rung."</p> }
                .into_any()
        }
        Some(list) => list
            .into_iter()
            .map(|u| {
                let id = u.id;
                let label = format!("Add {}", u.display_name);
                view! {
                    <button
                        class="link-button"
                        on:click=move |_| {
                            open.set(false);
                            center.add_other(id);
                        }
                    >
                        {label}
                    </button>
                }
            })
            .collect_view()
            .into_any(),
    }
}
