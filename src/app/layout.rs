//! The signed-in frame: navigation beside the page, and the live link.

use leptos::prelude::*;

use super::call::{provide_call_center, CallPanel, IncomingCall};
use super::common::ErrorPanel;
use super::live::{on_live_event, on_resync, provide_live, use_live};
use super::router::{use_location, Redirect};
use super::session::use_session;
use super::sidebar::Sidebar;
use crate::contract::events::{LinkState, LiveEvent};
use crate::contract::types::UserView;

/// The signed-in user, for every component under the layout.
#[derive(Clone)]
pub struct Me(pub UserView);

/// My name and avatar colour as shown now: the profile page changes them
/// in place. (Two string signals rather than a signal of `UserView`: a
/// signal of a new type costs the main bundle its own copy of the code.)
#[derive(Clone, Copy)]
pub struct MyCard {
    pub name: RwSignal<String>,
    pub color: RwSignal<String>,
}

impl MyCard {
    /// Me, with the name and colour as they are now.
    pub fn user(self, me: &UserView) -> UserView {
        UserView {
            display_name: self.name.get(),
            avatar_color: self.color.get(),
            ..me.clone()
        }
    }
}

#[component]
pub fn AppLayout() -> impl IntoView {
    // Who is signed in came with the page, and does not change under it
    // (signing in or out loads another).
    match use_session().user {
        Ok(Some(user)) => view! { <SignedIn user /> }.into_any(),
        Ok(None) => view! { <Redirect path="/signin" /> }.into_any(),
        Err(error) => view! { <ErrorPanel error /> }.into_any(),
    }
}

#[component]
fn SignedIn(user: UserView) -> impl IntoView {
    provide_context(MyCard {
        name: RwSignal::new(user.display_name.clone()),
        color: RwSignal::new(user.avatar_color.clone()),
    });
    let me = user.id;
    provide_context(Me(user));
    provide_live(|| crate::client::reload_to("/signin"));
    let session = use_session();
    // Channels and studios change under us: refetch the navigation. New
    // messages and reads change its counts in place.
    let again = session.clone();
    on_live_event(move |event| match event {
        LiveEvent::SpacesChanged => again.refetch_spaces(),
        LiveEvent::MessagePosted { message } => super::sidebar::posted(message, me),
        LiveEvent::ChannelRead { channel_id, unread } => super::sidebar::read(*channel_id, *unread),
        _ => {}
    });
    on_resync(move || session.refetch_spaces());
    let calls = provide_call_center();
    let location = use_location();
    let at_home = move || location.page.get() == super::router::Page::Home;
    view! {
        <div class="app" class:at-home=at_home>
            <Sidebar />
            <main class="main" id="main">
                {super::signed_in_page()}
            </main>
            <LinkBanner />
            <CallPanel />
            <IncomingCall />
            <CallToast />
            <p class="sr-only" role="status" aria-live="polite" data-testid="call-announcer">
                {move || calls.announcement.get()}
            </p>
        </div>
    }
}

/// "Reconnecting…" while the live link is down.
#[component]
fn LinkBanner() -> impl IntoView {
    let live = use_live();
    let down = move || live.link.get() == LinkState::Reconnecting;
    view! {
        <div class="link-banner" role="status" aria-live="polite">
            {move || down().then_some("Reconnecting… new messages will appear when the connection is back.")}
        </div>
    }
}

/// The page at `/`: on a phone the channel list is the page; on a desktop
/// this fills the space beside it.
#[component]
pub fn Welcome() -> impl IntoView {
    let me = expect_context::<Me>();
    view! {
        <section class="welcome">
            <h1>"Welcome, " {me.0.display_name}</h1>
            <p>"Choose a channel to chat. Calls will ring here, whichever page you are on."</p>
        </section>
    }
}

/// A failed call action outside a call (calling back, answering too late).
#[component]
fn CallToast() -> impl IntoView {
    let center = super::call::use_call_center();
    let shown = move || {
        center
            .error
            .get()
            .filter(|_| center.current.with(|c| c.is_none()))
    };
    move || {
        shown().map(|message| {
            view! {
                <div class="call-toast" role="alert">
                    <span>{message}</span>
                    <button class="link-button" on:click=move |_| center.error.set(None)>"Dismiss"</button>
                </div>
            }
        })
    }
}
