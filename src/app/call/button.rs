//! The chat header's call button: "Start voice call", or "Join call (3)"
//! when the channel already has a live call (which came with the page).

use leptos::prelude::*;

use super::center::{use_call_center, CallCenter};
use crate::app::icons::PhoneIcon;
use crate::app::live::on_live_event;
use crate::calls::ids::{ChannelId, UserId};
use crate::calls::ParticipantStatus;
use crate::contract::call_types::CallView;
use crate::contract::events::LiveEvent;
use crate::contract::types::UserView;

/// With `pick_from` (a parish channel), starting a call first asks whom to
/// ring; joining a live call never does.
#[component]
pub fn CallButton(
    channel_id: ChannelId,
    /// The channel's live call as the page came with it; call events keep
    /// it current from there.
    live: Option<CallView>,
    pick_from: Option<Vec<UserView>>,
) -> impl IntoView {
    let center = use_call_center();
    let live = RwSignal::new(live);
    on_live_event(move |event| {
        if let LiveEvent::Call { call, .. } = event {
            if call.channel_id == channel_id {
                live.set(call.status.is_live().then(|| (**call).clone()));
            }
        }
    });
    let in_this_call = move || {
        let here = live.with(|l| l.as_ref().map(|c| c.id));
        here.is_some() && center.current.with(|c| c.as_ref().map(|c| c.id)) == here
    };
    let joined = move || {
        live.with(|l| {
            l.as_ref().map_or(0, |c| {
                c.participants
                    .iter()
                    .filter(|p| p.status == ParticipantStatus::Connected)
                    .count()
            })
        })
    };
    let label = move || {
        if in_this_call() {
            "In call".to_string()
        } else if live.with(|l| l.is_some()) {
            format!("Join call ({})", joined())
        } else {
            "Start voice call".to_string()
        }
    };
    let picking = RwSignal::new(false);
    let picker = pick_from.map(|members| {
        let me = center.me;
        let members: Vec<UserView> = members.into_iter().filter(|m| m.id != me).collect();
        view! { <MemberPicker channel_id members open=picking /> }
    });
    let has_picker = picker.is_some();
    let start = move |_| {
        if has_picker && live.with(|l| l.is_none()) {
            picking.update(|p| *p = !*p);
        } else {
            center.start(channel_id, None);
        }
    };
    view! {
        <div class="call-start-wrap">
        <button
            class="icon-button call-start"
            class:live=move || live.with(|l| l.is_some())
            aria-label=label
            title=label
            data-testid="call-start"
            disabled=move || in_this_call() || center.pending.get()
            aria-expanded=move || has_picker.then(|| picking.get().to_string())
            on:click=start
        >
            <PhoneIcon />
            <span class="call-start-text">{move || if live.with(|l| l.is_some()) && !in_this_call() { label() } else { String::new() }}</span>
        </button>
        {picker}
        </div>
    }
}

/// Whom to ring in a parish channel: members to tick, then "Call". The
/// form (and its code, `super::on_demand`) comes when the button opens it.
#[component]
fn MemberPicker(
    channel_id: ChannelId,
    members: Vec<UserView>,
    open: RwSignal<bool>,
) -> impl IntoView {
    let center = use_call_center();
    move || {
        open.get()
            .then(|| super::on_demand::member_picker(channel_id, members.clone(), open, center))
    }
}

/// The picker's form.
#[component]
pub(super) fn MemberPickerForm(
    channel: ChannelId,
    members: Vec<UserView>,
    open: RwSignal<bool>,
    center: CallCenter,
) -> impl IntoView {
    let chosen = RwSignal::new(Vec::<UserId>::new());
    let call = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let invitees = chosen.get_untracked();
        if !invitees.is_empty() {
            open.set(false);
            chosen.set(Vec::new());
            center.start(channel, Some(invitees));
        }
    };
    view! {
        <form class="member-picker" on:submit=call aria-label="Choose whom to call">
            <fieldset>
                <legend>"Whom to call"</legend>
                {members
                    .into_iter()
                    .map(|m| {
                        let id = m.id;
                        view! {
                            <label class="picker-row">
                                <input
                                    type="checkbox"
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        chosen.update(|c| {
                                            c.retain(|x| *x != id);
                                            if on {
                                                c.push(id);
                                            }
                                        });
                                    }
                                />
                                <span>{m.display_name}</span>
                            </label>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <div class="picker-actions">
                <button type="button" class="link-button" on:click=move |_| open.set(false)>"Cancel"</button>
                <button type="submit" class="primary" disabled=move || chosen.with(|c| c.is_empty())>
                    {move || match chosen.with(Vec::len) {
                        0 => "Call".to_string(),
                        1 => "Call 1 person".to_string(),
                        n => format!("Call {n} people"),
                    }}
                </button>
            </div>
        </form>
    }
}
