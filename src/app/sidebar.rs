//! The navigation: the user's channels and studios, and signing out.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::avatar::Avatar;
use super::icons::{BellIcon, MicIcon, PeopleIcon, PhoneIcon};
use super::router::use_location;
use super::session::use_session;
use crate::api::accounts::sign_out;
use crate::contract::ids::{ChannelId, UserId};
use crate::contract::types::{ChannelKind, ChannelSummary, MessageView, Spaces};

/// A listed channel's unread count and latest words, changed in place as
/// messages come and reads go (the list is not drawn again, so focus and
/// scroll stay where they are).
type Shown = (ChannelId, RwSignal<u32>, RwSignal<Option<String>>);

thread_local! {
    /// The channels listed now (in the browser; the server lists none).
    static SHOWN: std::cell::RefCell<Vec<Shown>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn shown(channel: ChannelId, f: impl FnOnce(&Shown)) {
    SHOWN.with(|s| s.borrow().iter().find(|c| c.0 == channel).map(f));
}

/// A message came: its channel's latest words change, and it is unread if
/// someone else wrote it and the channel is not on screen.
pub fn posted(message: &MessageView, me: UserId) {
    let author = message.author.as_ref();
    let mine = author.is_some_and(|a| a.id == me);
    let name = author.map_or("", |a| a.display_name.as_str());
    // Cut to one line by the style sheet, as the server's first words are.
    let words = format!("{name}: {}", message.body);
    let on_screen = crate::client::live::shows(message.channel_id.0);
    shown(message.channel_id, |(_, unread, latest)| {
        // (try_: a list drawn again since has let these go.)
        latest.try_set(Some(words));
        if !mine && !on_screen {
            unread.try_update(|n| *n = (*n + 1).min(100));
        }
    });
}

/// Every tab of mine hears how much is left unread after a read.
pub fn read(channel: ChannelId, left: u32) {
    shown(channel, |(_, unread, _)| {
        unread.try_set(left);
    });
}

#[component]
pub fn Sidebar() -> impl IntoView {
    let spaces = use_session().spaces;
    let me = expect_context::<super::layout::Me>().0;
    let card = expect_context::<super::layout::MyCard>();
    let signing_out = RwSignal::new(false);
    let on_sign_out = move |_| {
        signing_out.set(true);
        spawn_local(async move {
            // A shared phone must not ring for the person who left it.
            super::device_settings::turn_off().await;
            let _ = sign_out().await;
            crate::client::reload_to("/signin");
        });
    };
    view! {
        <nav class="sidebar" aria-label="Channels and studios">
            <div class="brand">
                <span class="brand-mark"><BellIcon /></span>
                <span>"Belfry"</span>
            </div>
            {move || match spaces.get() {
                Some(Ok(spaces)) => view! { <SpaceLists spaces /> }.into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                None => view! { <p class="loading">"Loading…"</p> }.into_any(),
            }}
            <super::device_settings::DeviceSettings />
            <div class="me">
                {move || view! { <Avatar user=card.user(&me) small=true /> }}
                <a href="/profile" class="me-name" aria-current=current_page("/profile".into())>
                    {move || card.name.get()}
                    <span class="sr-only">" (your profile)"</span>
                </a>
                <button class="link-button" on:click=on_sign_out disabled=signing_out>
                    "Sign out"
                </button>
            </div>
        </nav>
    }
}

#[component]
fn SpaceLists(spaces: Spaces) -> impl IntoView {
    let community = spaces
        .communities
        .first()
        .map(|c| c.name.clone())
        .unwrap_or_default();
    let (direct, shared): (Vec<ChannelSummary>, Vec<ChannelSummary>) = spaces
        .channels
        .into_iter()
        // Archived groups are read from the Groups page.
        .filter(|c| !c.archived)
        .partition(|c| c.kind == ChannelKind::Direct);
    let studios = spaces.studios;
    SHOWN.with(|s| s.borrow_mut().clear());
    let no_channels = shared.is_empty() && direct.is_empty();
    let center = super::call::use_call_center();
    let missed = move || center.missed.get();
    view! {
        <h2 class="community">{community}</h2>
        <ul class="nav-list">
            <li>
                <a href="/calls" aria-current=current_page("/calls".into())>
                    <span class="nav-icon"><PhoneIcon /></span>
                    <span class="nav-name">"Calls"</span>
                    {move || badge(missed(), " missed", "missed-badge")}
                </a>
            </li>
            <li>
                <a href="/people" aria-current=current_page("/people".into())>
                    <span class="nav-icon"><PeopleIcon /></span>
                    <span class="nav-name">"People"</span>
                </a>
            </li>
            <li>
                <a href="/groups" aria-current=current_page("/groups".into())>
                    <span class="nav-icon"><PeopleIcon /></span>
                    <span class="nav-name">"Groups"</span>
                </a>
            </li>
        </ul>
        {no_channels.then(|| view! { <p class="hint">"You are not in any channel yet."</p> })}
        <ChannelGroup title="Channels" channels=shared />
        <ChannelGroup title="Direct messages" channels=direct />
        {(!studios.is_empty()).then(|| view! { <h3 class="nav-heading">"Studios"</h3> })}
        <ul class="nav-list">
            {studios
                .into_iter()
                .map(|s| {
                    view! {
                        <li>
                            <a href=format!("/s/{}", s.id) aria-current=current_page(format!("/s/{}", s.id))>
                                <span class="nav-icon"><MicIcon /></span>
                                <span class="nav-name">{s.name}</span>
                            </a>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

#[component]
fn ChannelGroup(title: &'static str, channels: Vec<ChannelSummary>) -> impl IntoView {
    if channels.is_empty() {
        return ().into_any();
    }
    view! {
        <h3 class="nav-heading">{title}</h3>
        <ul class="nav-list">
            {channels
                .into_iter()
                .map(|c| {
                    let icon = if c.kind == ChannelKind::Direct { "@" } else { "#" };
                    let (unread, latest) = (RwSignal::new(c.unread), RwSignal::new(c.latest));
                    if cfg!(feature = "hydrate") {
                        SHOWN.with(|s| s.borrow_mut().push((c.id, unread, latest)));
                    }
                    view! {
                        <li>
                            <a href=format!("/c/{}", c.id) aria-current=current_page(format!("/c/{}", c.id))>
                                <span class="nav-icon" aria-hidden="true">{icon}</span>
                                <span class="nav-text">
                                    <span class="nav-name">{c.name}</span>
                                    <span class="nav-latest" aria-hidden="true">{move || latest.get()}</span>
                                </span>
                                {move || badge(unread.get(), " unread", "unread")}
                            </a>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

/// A count on a link ("99+" from 100), read out as "3 unread".
fn badge(n: u32, what: &'static str, testid: &'static str) -> impl IntoView {
    (n > 0).then(|| {
        let shown = if n >= 100 {
            "99+".to_string()
        } else {
            n.to_string()
        };
        view! {
            <span class="badge" data-testid=testid>
                {shown}
                <span class="sr-only">{what}</span>
            </span>
        }
    })
}

/// `aria-current="page"` on the link to the page on screen, or to a page
/// under it. Links are plain `<a>`s (the router follows them all); one
/// function for every link keeps this code in the WASM once.
fn current_page(href: String) -> impl Fn() -> Option<&'static str> + Clone + Send + Sync + 'static {
    let location = use_location();
    move || location.path.with(|at| is_at(at, &href)).then_some("page")
}

/// Whether the path `at` is the page `href` or one under it.
fn is_at(at: &str, href: &str) -> bool {
    at.strip_prefix(href)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::is_at;

    #[test]
    fn a_link_is_current_on_its_page_and_those_under_it_only() {
        assert!(is_at("/c/1", "/c/1"));
        assert!(is_at("/c/1/", "/c/1"));
        assert!(is_at("/c/1/thread", "/c/1"));
        assert!(!is_at("/c/12", "/c/1"));
        assert!(!is_at("/c", "/c/1"));
        assert!(!is_at("/calls", "/c"));
        assert!(is_at("/calls", "/calls"));
    }
}
