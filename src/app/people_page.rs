//! `/people`: the community's members, searchable by name, each with their
//! role and whether they are online or in a call; "Message" opens (or
//! starts) the direct conversation with them, "Call" opens it and rings
//! them at once.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::avatar::Avatar;
use super::boot::PageData;
use super::call::use_call_center;
use super::common::{ErrorPanel, Outcome, OutcomeLine, PagesSheet};
use super::icons::PhoneIcon;
use super::invitations_panel::InvitationsPanel;
use super::live::on_live_event;
use super::member_admin::{MemberAdmin, Reload};
use super::page_data::{page_data, show_fresh};
use super::router::navigate;
use super::webhooks_panel::WebhooksPanel;
use crate::api::chat::{open_direct_channel, people_page};
use crate::contract::events::LiveEvent;
use crate::contract::ids::CommunityId;
use crate::contract::types::{Member, Role};

/// An admin's view: each person gets role and removal controls.
#[derive(Clone, Copy)]
struct Admin {
    community: CommunityId,
    said: RwSignal<Option<Outcome>>,
    reload: Reload,
}

#[component]
pub fn PeoplePage() -> impl IntoView {
    let people = page_data(
        || (),
        |page, _| match page {
            PageData::People(data) => data.open(),
            _ => None,
        },
        |_| people_page(),
    );
    let search = RwSignal::new(String::new());
    // What a Message or Call press came to, if it failed.
    let failed = RwSignal::new(None::<String>);
    // What an admin's change came to; then the page reads itself again, as
    // it does when roles or members change elsewhere.
    let said = RwSignal::new(None::<Outcome>);
    let reload = Callback::new(move |()| {
        spawn_local(async move {
            if let Ok(page) = people_page().await {
                show_fresh(people, page);
            }
        });
    });
    on_live_event(move |event| {
        if matches!(event, LiveEvent::SpacesChanged) {
            reload.run(());
        }
    });
    view! {
        <section class="people-page" aria-labelledby="people-title">
            <PagesSheet />
            <header class="chat-header">
                <a href="/" class="back" aria-label="Back to channels">"‹"</a>
                <div class="chat-title"><h1 id="people-title">"People"</h1></div>
            </header>
            <div class="people-search">
                <label for="people-search" class="sr-only">"Search people"</label>
                <input
                    id="people-search"
                    type="search"
                    placeholder="Search by name"
                    autocomplete="off"
                    prop:value=move || search.get()
                    on:input=move |ev| search.set(event_target_value(&ev))
                />
            </div>
            {move || failed.get().map(|message| view! { <p class="error" role="alert">{message}</p> })}
            <OutcomeLine outcome=said testid="people-said" />
            {move || match people.get() {
                None => view! { <p class="loading">"Loading…"</p> }.into_any(),
                Some(Ok(page)) => {
                    let members = page.members.clone();
                    let community = page.community.id;
                    let admin = (page.community.role == Role::Admin).then_some(Admin { community, said, reload });
                    view! {
                        {page.community.role.moderates().then(|| view! { <InvitationsPanel community /> })}
                        {(page.community.role == Role::Admin).then(|| view! { <WebhooksPanel community /> })}
                        <p class="hint people-count">{move || count_line(&members, &search.get())}</p>
                        <ul class="people-list" data-testid="people-list">
                            {page
                                .members
                                .into_iter()
                                .map(|member| view! { <PersonRow member search failed admin /> })
                                .collect_view()}
                        </ul>
                    }
                    .into_any()
                }
                Some(Err(error)) => view! { <ErrorPanel error /> }.into_any(),
            }}
        </section>
    }
}

/// "12 people", or how many match the search.
fn count_line(members: &[Member], search: &str) -> String {
    let shown = members.iter().filter(|m| matches(m, search)).count();
    match (search.trim().is_empty(), shown) {
        (true, 1) => "1 person".into(),
        (true, n) => format!("{n} people"),
        (false, 0) => "Nobody by that name.".into(),
        (false, 1) => "1 match".into(),
        (false, n) => format!("{n} matches"),
    }
}

/// Whether the member's name or username contains the search, any case.
fn matches(member: &Member, search: &str) -> bool {
    let needle = search.trim().to_lowercase();
    needle.is_empty()
        || member.user.display_name.to_lowercase().contains(&needle)
        || member.user.username.to_lowercase().contains(&needle)
}

#[component]
fn PersonRow(
    member: Member,
    search: RwSignal<String>,
    failed: RwSignal<Option<String>>,
    admin: Option<Admin>,
) -> impl IntoView {
    let center = use_call_center();
    let me = member.user.id == center.me;
    let name = member.user.display_name.clone();
    let user = member.user.id;
    let hidden = {
        let member = member.clone();
        move || !matches(&member, &search.get())
    };
    let (status, status_class) = match (member.in_call, member.online) {
        (true, _) => ("In a call", "in-call"),
        (false, true) => ("Online", "online"),
        (false, false) => ("Offline", "offline"),
    };
    let role = match member.role {
        Role::Admin => Some("Admin"),
        Role::Coordinator => Some("Coordinator"),
        Role::Member => None,
    };
    let busy = RwSignal::new(false);
    // Opens (or starts) the direct channel; with `ring`, calls them too.
    let open = move |ring: bool| {
        busy.set(true);
        failed.set(None);
        spawn_local(async move {
            match open_direct_channel(user).await {
                Ok(channel) => {
                    navigate(&format!("/c/{}", channel.id));
                    if ring {
                        center.start(channel.id, None);
                    }
                }
                Err(e) => failed.set(Some(e.message)),
            }
            busy.set(false);
        });
    };
    let message_label = format!("Message {name}");
    let call_label = format!("Call {name}");
    let cannot_call =
        move || busy.get() || center.pending.get() || center.current.with(|c| c.is_some());
    let admin = admin.map(|a| {
        let member = member.clone();
        view! { <MemberAdmin member community=a.community said=a.said reload=a.reload /> }
    });
    view! {
        <li class="person-row" hidden=hidden data-testid="person" data-username=member.user.username.clone()>
            <Avatar user=member.user.clone() />
            <div class="person-main">
                <p class="person-name">
                    {name.clone()}
                    {me.then(|| view! { <span class="meta">" (you)"</span> })}
                </p>
                <p class="meta">
                    <span class=format!("presence {status_class}")>{status}</span>
                    {role.map(|r| view! { " · " <span class="role">{r}</span> })}
                </p>
            </div>
            {(!me).then(|| view! {
                <div class="person-actions">
                    <button
                        type="button"
                        class="secondary"
                        aria-label=message_label
                        disabled=move || busy.get()
                        on:click=move |_| open(false)
                    >
                        "Message"
                    </button>
                    <button
                        type="button"
                        class="icon-button"
                        aria-label=call_label.clone()
                        title=call_label
                        disabled=cannot_call
                        on:click=move |_| open(true)
                    >
                        <PhoneIcon />
                    </button>
                </div>
            })}
            {admin}
        </li>
    }
}
