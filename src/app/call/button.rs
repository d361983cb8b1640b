//! The chat header's call button: "Start voice call", or "Join call (3)"
//! when the channel already has a live call.

use leptos::prelude::*;

use super::center::use_call_center;
use crate::api::call_types::CallView;
use crate::api::calls::active_call;
use crate::api::events::LiveEvent;
use crate::app::icons::PhoneIcon;
use crate::app::live::on_live_event;
use crate::calls::ids::ChannelId;
use crate::calls::ParticipantStatus;

#[component]
pub fn CallButton(channel_id: ChannelId) -> impl IntoView {
    let center = use_call_center();
    let live = RwSignal::new(None::<CallView>);
    let load = move || {
        leptos::task::spawn_local(async move {
            if let Ok(call) = active_call(channel_id).await {
                live.set(call);
            }
        })
    };
    Effect::new(move |_| load());
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
    view! {
        <button
            class="icon-button call-start"
            class:live=move || live.with(|l| l.is_some())
            aria-label=label
            title=label
            data-testid="call-start"
            disabled=move || in_this_call() || center.pending.get()
            on:click=move |_| center.start(channel_id, None)
        >
            <PhoneIcon />
            <span class="call-start-text">{move || if live.with(|l| l.is_some()) && !in_this_call() { label() } else { String::new() }}</span>
        </button>
    }
}
