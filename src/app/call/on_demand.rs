//! Parts of the call UI that open on demand, loaded when first opened: the
//! audio device menu, "Add people" in a group call, and the member picker
//! of a parish channel. Their code is split out of the main WASM into one
//! chunk (`.ci/build-site`), so a page with a call on it downloads that code
//! only when someone opens one of them.
//!
//! A part whose code does not come (after the tries a page makes,
//! `crate::app::arriving`) says so where it would be, with a button to try
//! again; the call goes on meanwhile.

use std::cell::Cell;

use leptos::prelude::*;
use leptos::wasm_split::wasm_split;

use super::center::CallCenter;
use crate::app::arriving::{now, Arrival, Arriving, NotLoaded, Opening, RETRY_AFTER_MS};
use crate::calls::ids::{ChannelId, UserId};
use crate::contract::types::UserView;

#[wasm_split(call_extras, fallible, wasm_split_path = ::leptos::wasm_split)]
fn open_devices(center: CallCenter) -> Result<AnyView, NotLoaded> {
    Ok(view! { <super::panel::DeviceMenu center /> }.into_any())
}

#[wasm_split(call_extras, fallible, wasm_split_path = ::leptos::wasm_split)]
fn open_add_people(
    channel: ChannelId,
    busy_here: Vec<UserId>,
    members: RwSignal<Option<Vec<UserView>>>,
    open: RwSignal<bool>,
    center: CallCenter,
) -> Result<AnyView, NotLoaded> {
    Ok(
        view! { <super::add_people::AddPeopleMenu channel busy_here members open center /> }
            .into_any(),
    )
}

#[wasm_split(call_extras, fallible, wasm_split_path = ::leptos::wasm_split)]
fn open_member_picker(
    channel: ChannelId,
    members: Vec<UserView>,
    open: RwSignal<bool>,
    center: CallCenter,
) -> Result<AnyView, NotLoaded> {
    Ok(view! { <super::button::MemberPickerForm channel members open center /> }.into_any())
}

/// The audio device menu.
pub fn devices(center: CallCenter) -> AnyView {
    part(Box::new(move || Box::pin(open_devices(center))))
}

/// The list of whom to add to a group call.
pub fn add_people(
    channel: ChannelId,
    busy_here: Vec<UserId>,
    members: RwSignal<Option<Vec<UserView>>>,
    open: RwSignal<bool>,
    center: CallCenter,
) -> AnyView {
    part(Box::new(move || {
        Box::pin(open_add_people(
            channel,
            busy_here.clone(),
            members,
            open,
            center,
        ))
    }))
}

/// Whom to ring in a parish channel.
pub fn member_picker(
    channel: ChannelId,
    members: Vec<UserView>,
    open: RwSignal<bool>,
    center: CallCenter,
) -> AnyView {
    part(Box::new(move || {
        Box::pin(open_member_picker(channel, members.clone(), open, center))
    }))
}

thread_local! {
    /// Whether the parts' code is here.
    static HERE: Cell<bool> = const { Cell::new(false) };
}

/// A part: drawn at once when its code is here, else "Loading…" until it
/// arrives, or a notice with "Try again" if it does not.
fn part(open: Box<dyn Fn() -> Opening>) -> AnyView {
    if HERE.get() {
        if let Some(Ok(view)) = now(open()) {
            return view;
        }
    }
    let opening = move || -> Opening {
        let opening = open();
        Box::pin(async move {
            let view = opening.await?;
            HERE.set(true);
            Ok(view)
        })
    };
    let arriving = Arriving::start(Box::new(opening), &RETRY_AFTER_MS, None);
    let trying = move || arriving.trying();
    (move || match arriving.shown() {
        Arrival::Here => arriving.take().into_any(),
        Arrival::Waiting => view! { <p class="meta" role="status">"Loading…"</p> }.into_any(),
        _ => view! {
            <div class="part-not-loaded" role="alert" data-testid="part-not-loaded">
                <p>"This did not load. Check your connection, then try again."</p>
                <button type="button" class="link-button" on:click=move |_| arriving.retry() disabled=trying>
                    {move || if trying() { "Trying…" } else { "Try again" }}
                </button>
            </div>
        }
        .into_any(),
    })
    .into_any()
}
