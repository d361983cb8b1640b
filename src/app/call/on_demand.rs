//! Parts of the call UI that open on demand, loaded when first opened: the
//! audio device menu, "Add people" in a group call, and the member picker
//! of a parish channel. Their code is split out of the main WASM into one
//! chunk (`.ci/build-site`), so a page with a call on it downloads that code
//! only when someone opens one of them.
//!
//! A part whose code does not come (after the tries a page makes,
//! `crate::app::lazy_pages`) says so where it would be, with a button to
//! try again; the call goes on meanwhile.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;

use leptos::prelude::*;
use leptos::task::spawn_local_scoped_with_cancellation;
use leptos::wasm_split::wasm_split;

use super::center::CallCenter;
use crate::api::types::UserView;
use crate::app::lazy_pages::{now, NotLoaded, RETRY_AFTER_MS};
use crate::calls::ids::{ChannelId, UserId};

/// Opening a part: its view once its code is here.
type Opening = Pin<Box<dyn Future<Output = Result<AnyView, NotLoaded>>>>;

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

/// Where a part's code has got to.
#[derive(Clone, Copy, PartialEq)]
enum Arrival {
    Waiting,
    Here,
    Missing,
    TryingAgain,
}

/// A part: drawn at once when its code is here, else "Loading…" until it
/// arrives, or a notice with "Try again" if it does not. Not generic, so
/// this code exists once for all the parts.
fn part(open: Box<dyn Fn() -> Opening>) -> AnyView {
    if HERE.get() {
        if let Some(Ok(view)) = now(open()) {
            return view;
        }
    }
    let open = StoredValue::new_local(open);
    let arrival = RwSignal::new(Arrival::Waiting);
    let drawn = StoredValue::new_local(None::<AnyView>);
    let owner = Owner::current().unwrap_or_default();
    let load = move |waits: &'static [u32]| {
        owner.with(|| {
            spawn_local_scoped_with_cancellation(async move {
                let mut waits = waits.iter();
                loop {
                    let Some(opening) = open.try_with_value(|open| open()) else {
                        return;
                    };
                    match opening.await {
                        Ok(view) => {
                            HERE.set(true);
                            drawn.set_value(Some(view));
                            arrival.set(Arrival::Here);
                            return;
                        }
                        Err(NotLoaded) => match waits.next() {
                            Some(&wait) => crate::client::pause(wait).await,
                            None => {
                                arrival.set(Arrival::Missing);
                                return;
                            }
                        },
                    }
                }
            })
        })
    };
    load(&RETRY_AFTER_MS);
    let retry = move |_| {
        arrival.set(Arrival::TryingAgain);
        load(&[]);
    };
    let trying = move || arrival.get() == Arrival::TryingAgain;
    let shown = Memo::new(move |_| match arrival.get() {
        Arrival::TryingAgain => Arrival::Missing,
        other => other,
    });
    (move || match shown.get() {
        Arrival::Here => drawn.try_update_value(Option::take).flatten().into_any(),
        Arrival::Waiting => view! { <p class="meta" role="status">"Loading…"</p> }.into_any(),
        _ => view! {
            <div class="part-not-loaded" role="alert" data-testid="part-not-loaded">
                <p>"This did not load. Check your connection, then try again."</p>
                <button type="button" class="link-button" on:click=retry.clone() disabled=trying>
                    {move || if trying() { "Trying…" } else { "Try again" }}
                </button>
            </div>
        }
        .into_any(),
    })
    .into_any()
}
