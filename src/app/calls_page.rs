//! `/calls`: recent calls, newest first: who, when, how long, who took
//! part; missed calls stand out; one click calls back. Opening it clears
//! the missed-call badge.

use leptos::prelude::*;

use super::boot::PageData;
use super::call::use_call_center;
use super::common::{ErrorPanel, PagesSheet, TimeOfDay};
use super::icons::PhoneIcon;
use super::page_data::page_data;
use crate::api::calls::calls_page;
use crate::app::router::{query_value, use_location};
use crate::calls::ids::CallId;
use crate::calls::{CallStatus, ParticipantStatus};
use crate::contract::call_types::CallView;
use crate::contract::types::ChannelKind;

#[component]
pub fn CallsPage() -> impl IntoView {
    let center = use_call_center();
    // A notification's deep link to a call that is over: that entry stands
    // out (fetched on its own if it is older than the list).
    let query = use_location().query;
    let linked = Memo::new(move |_| {
        query.with(|q| query_value(q, "callId").and_then(|id| id.parse().ok().map(CallId)))
    });
    let history = page_data(
        move || linked.get(),
        |page, linked| match page {
            PageData::Calls(at, data) if at == *linked => data.open(),
            _ => None,
        },
        calls_page,
    );
    Effect::new(move |_| center.calls_seen());
    view! {
        <section class="calls-page" aria-labelledby="calls-title">
            <PagesSheet />
            <header class="chat-header">
                <a href="/" class="back" aria-label="Back to channels">"‹"</a>
                <div class="chat-title"><h1 id="calls-title">"Calls"</h1></div>
            </header>
            {move || match history.get() {
                None => view! { <p class="loading">"Loading…"</p> }.into_any(),
                Some(Ok(page)) if page.calls.is_empty() => {
                    view! { <p class="hint calls-empty">"No calls yet."</p> }.into_any()
                }
                Some(Ok(page)) => view! {
                    <ul class="call-history" data-testid="call-history">
                        {page
                            .calls
                            .into_iter()
                            .map(|call| {
                                let linked = linked.get_untracked() == Some(call.id);
                                view! { <CallRow call linked /> }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any(),
                Some(Err(error)) => view! { <ErrorPanel error /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn CallRow(call: CallView, #[prop(optional)] linked: bool) -> impl IntoView {
    let center = use_call_center();
    let me = center.me;
    let mine = call.participant(me).map(|p| p.status);
    let missed = mine == Some(ParticipantStatus::Missed)
        || (call.status == CallStatus::Missed && call.initiator.id != me);
    let outgoing = call.initiator.id == me;
    let title = super::call::title(&call, me);
    let outcome = match (call.status, missed) {
        (_, true) => "Missed call".to_string(),
        (CallStatus::Ended, _) => super::call::clock(call.duration_ms),
        (CallStatus::Declined, _) => "Declined".into(),
        (CallStatus::Missed, _) => "No answer".into(),
        (CallStatus::Ringing | CallStatus::Active, _) => "Live now".into(),
    };
    let direction = if outgoing { "Outgoing" } else { "Incoming" };
    let others: Vec<String> = call
        .participants
        .iter()
        .filter(|p| p.user.id != me)
        .map(|p| p.user.display_name.clone())
        .collect();
    let with = others.join(", ");
    // Calling back: the same channel; a parish channel rings the same people.
    let channel = call.channel_id;
    let invitees = (call.channel_kind == ChannelKind::Parish).then(|| {
        call.participants
            .iter()
            .filter(|p| p.user.id != me)
            .map(|p| p.user.id)
            .collect::<Vec<_>>()
    });
    let label = format!("Call {title} back");
    view! {
        <li
            class="call-row"
            class:missed=missed
            class:linked=linked
            id=format!("call-{}", call.id)
            aria-current=linked.then_some("true")
            data-testid="call-row"
            data-status=call.status.as_str()
        >
            <span class="call-row-icon" aria-hidden="true"><PhoneIcon /></span>
            <div class="call-row-main">
                <p class="call-row-title">{title.clone()}</p>
                <p class="meta">
                    {direction} " · " <TimeOfDay ms=call.created_at /> " · "
                    <span class="call-row-outcome">{outcome}</span>
                </p>
                <p class="meta call-row-with">{with}</p>
            </div>
            <button
                class="icon-button"
                aria-label=label.clone()
                title=label
                disabled=move || center.pending.get() || center.current.with(|c| c.is_some())
                on:click=move |_| center.start(channel, invitees.clone())
            >
                <PhoneIcon />
            </button>
        </li>
    }
}
