//! `/c/:id`: one channel's chat, with its header.

use leptos::prelude::*;

use super::avatar::Avatar;
use super::boot::{ChatData, PageData};
use super::call::CallButton;
use super::common::ErrorPanel;
use super::conversation::Conversation;
use super::icons::PeopleIcon;
use super::page_data::page_data;
use crate::api::chat::open_chat;
use crate::app::router::use_id;
use crate::contract::call_types::CallView;
use crate::contract::ids::ChannelId;
use crate::contract::types::{ChannelDetail, ChannelKind, UserView};
use crate::contract::{ApiError, ErrorKind};

#[component]
pub fn ChatPage() -> impl IntoView {
    let address = use_id("/c/");
    let channel_id =
        move || address.with(|id| id.as_deref().and_then(|s| s.parse::<ChannelId>().ok()));
    let data = page_data(
        channel_id,
        |page, id| match page {
            PageData::Chat(at, data) if at == *id => Some(*data),
            _ => None,
        },
        fetch_chat,
    );
    move || {
        match data.get() {
        None => view! { <p class="loading">"Loading…"</p> }.into_any(),
        Some(Ok(open)) => view! {
            <section class="chat" aria-labelledby="chat-title">
                <ChatHeader detail=open.detail.clone() call=open.call />
                <Conversation channel_id=open.detail.channel.id archived=open.detail.channel.archived page=open.page />
            </section>
        }
        .into_any(),
        Some(Err(error)) => view! { <ErrorPanel error /> }.into_any(),
    }
    }
}

/// A channel's header, newest messages and live call.
pub async fn fetch_chat(id: Option<ChannelId>) -> ChatData {
    let id = id.ok_or_else(|| ApiError::new(ErrorKind::NotFound, "No such channel."))?;
    open_chat(id).await
}

/// Name, member count, and the action area where the call button goes.
#[component]
fn ChatHeader(detail: ChannelDetail, call: Option<CallView>) -> impl IntoView {
    let channel = detail.channel;
    let icon = if channel.kind == ChannelKind::Direct {
        "@"
    } else {
        "#"
    };
    let count = channel.member_count;
    let archived = channel.archived;
    let meta = format!(
        "{count} member{}{}",
        if count == 1 { "" } else { "s" },
        if archived { " · archived" } else { "" }
    );
    view! {
        <header class="chat-header" data-testid="chat-header">
            <a href="/" class="back" aria-label="Back to channels">"‹"</a>
            <div class="chat-title">
                <h1 id="chat-title">
                    <span class="title-icon" aria-hidden="true">{icon}</span>
                    {channel.name}
                </h1>
                <p class="meta">{meta}</p>
            </div>
            <div class="chat-actions" data-testid="call-slot" role="group" aria-label="Channel actions">
                {(!archived).then(|| view! {
                    <CallButton
                        channel_id=channel.id
                        live=call.clone()
                        pick_from=(channel.kind == ChannelKind::Parish).then(|| detail.members.clone())
                    />
                })}
                <MemberList members=detail.members />
            </div>
        </header>
    }
}

/// A disclosure listing the members: native <details>, so it works by
/// keyboard and screen reader without script.
#[component]
pub fn MemberList(members: Vec<UserView>) -> impl IntoView {
    let label = format!("Members ({})", members.len());
    view! {
        <details class="members">
            <summary class="icon-button" aria-label=label.clone() title=label>
                <PeopleIcon />
            </summary>
            <ul class="member-list">
                {members
                    .into_iter()
                    .map(|m| {
                        view! {
                            <li>
                                <Avatar user=m.clone() small=true />
                                <span>{m.display_name}</span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </details>
    }
}
