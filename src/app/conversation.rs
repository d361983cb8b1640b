//! A channel's messages: history with "load earlier", live arrivals, and
//! sends that are shown at once and never lost (a failed send stays, with
//! Retry; a retry reuses its idempotency key, so it never posts twice).

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::avatar::Avatar;
use super::common::TimeOfDay;
use super::composer::Composer;
use super::icons::PhoneIcon;
use super::live::{on_live_event, on_resync};
use crate::api::chat::{list_messages, send_message};
use crate::contract::events::LiveEvent;
use crate::contract::ids::{ChannelId, MessageId};
use crate::contract::types::{MessageKind, MessagePage, MessageView};

#[derive(Clone, PartialEq)]
struct Pending {
    nonce: String,
    body: String,
    failed: Option<String>,
}

/// A line of the timeline: a message, or one of ours still on its way.
/// One keyed list holds both, so there is one list's code in the WASM.
#[derive(Clone)]
enum Line {
    Sent(MessageView),
    Sending(Pending),
}

#[derive(Clone, PartialEq, Eq, Hash)]
enum LineKey {
    Sent(MessageId),
    /// A failed send is a line of its own (made again when it fails).
    Sending(String, Option<String>),
}

impl Line {
    fn key(&self) -> LineKey {
        match self {
            Line::Sent(m) => LineKey::Sent(m.id),
            Line::Sending(p) => LineKey::Sending(p.nonce.clone(), p.failed.clone()),
        }
    }
}

#[component]
pub fn Conversation(channel_id: ChannelId, archived: bool, page: MessagePage) -> impl IntoView {
    let messages = RwSignal::new(page.messages);
    let has_more = RwSignal::new(page.has_more);
    let pending = RwSignal::new(Vec::<Pending>::new());
    let older_error = RwSignal::new(None::<String>);
    let list_ref = NodeRef::<leptos::html::Div>::new();
    // What is on screen is read: the newest message here moves my read
    // mark (while the page is visible; `client::live` says when).
    Effect::new(move |_| {
        let newest = messages.with(|m| m.last().map(|m| (channel_id.0, m.id.0)));
        crate::client::live::reading(newest);
    });
    on_cleanup(|| crate::client::live::reading(None));

    let merge = move |incoming: Vec<MessageView>| {
        let nonces: Vec<String> = incoming
            .iter()
            .filter_map(|m| m.client_nonce.clone())
            .collect();
        messages.update(|list| {
            for m in incoming {
                if !list.iter().any(|x| x.id == m.id) {
                    list.push(m);
                }
            }
            list.sort_by_key(|m| m.id);
        });
        pending.update(|p| p.retain(|x| !nonces.contains(&x.nonce)));
    };

    on_live_event(move |event| {
        if let LiveEvent::MessagePosted { message } = event {
            if message.channel_id == channel_id {
                merge(vec![message.clone()]);
            }
        }
    });
    // After a gap in the live stream, fetch the newest page; if even that
    // does not reach what we have, start over from it.
    on_resync(move || {
        spawn_local(async move {
            if let Ok(fresh) = list_messages(channel_id, None, None).await {
                let newest_known = messages.with_untracked(|l| l.last().map(|m| m.id));
                let oldest_fresh = fresh.messages.first().map(|m| m.id);
                match (newest_known, oldest_fresh) {
                    (Some(known), Some(oldest)) if oldest > known && fresh.has_more => {
                        messages.set(fresh.messages);
                        has_more.set(true);
                    }
                    _ => merge(fresh.messages),
                }
            }
        });
    });

    // Keep the newest message in view when one arrives (not when older
    // history is added above).
    let newest_seen = StoredValue::new(None::<MessageId>);
    Effect::new(move |_| {
        let newest = messages.with(|l| l.last().map(|m| m.id));
        let count = pending.with(Vec::len);
        if newest != newest_seen.get_value() || count > 0 {
            newest_seen.set_value(newest);
            if let Some(el) = list_ref.get() {
                el.set_scroll_top(el.scroll_height());
            }
        }
    });

    let load_older = move |_| {
        let Some(oldest) = messages.with_untracked(|l| l.first().map(|m| m.id)) else {
            return;
        };
        older_error.set(None);
        spawn_local(async move {
            match list_messages(channel_id, Some(oldest), None).await {
                Ok(older) => {
                    let before = list_ref
                        .get_untracked()
                        .map(|el| (el.scroll_height(), el.scroll_top()));
                    has_more.set(older.has_more);
                    merge(older.messages);
                    // The list is redrawn after this task: put back what
                    // was on screen then, before the frame is painted.
                    request_animation_frame(move || {
                        if let (Some(el), Some((height, top))) = (list_ref.get_untracked(), before)
                        {
                            el.set_scroll_top(top + el.scroll_height() - height);
                        }
                    });
                }
                Err(e) => older_error.set(Some(e.message)),
            }
        });
    };

    let deliver = move |nonce: String, body: String| {
        spawn_local(async move {
            match send_message(channel_id, body, Some(nonce.clone())).await {
                Ok(message) => merge(vec![message]),
                Err(e) => pending.update(|p| {
                    if let Some(x) = p.iter_mut().find(|x| x.nonce == nonce) {
                        x.failed = Some(e.message);
                    }
                }),
            }
        });
    };
    let on_send = Callback::new(move |body: String| {
        let nonce = crate::client::new_nonce();
        pending.update(|p| {
            p.push(Pending {
                nonce: nonce.clone(),
                body: body.clone(),
                failed: None,
            })
        });
        deliver(nonce, body);
    });

    // The messages, then ours still being sent.
    let lines = move || {
        let mut lines: Vec<Line> = messages.with(|m| m.iter().cloned().map(Line::Sent).collect());
        pending.with(|p| lines.extend(p.iter().cloned().map(Line::Sending)));
        lines
    };
    view! {
        <div class="messages" node_ref=list_ref data-testid="message-list" tabindex="0" aria-label="Message history">
            {move || {
                has_more.get().then(|| view! { <button class="load-older" on:click=load_older>"Load earlier messages"</button> })
            }}
            <p class="error" role="alert">{move || older_error.get()}</p>
            {move || {
                (messages.with(Vec::is_empty) && pending.with(Vec::is_empty))
                    .then(|| view! { <p class="hint empty">"No messages yet. Say hello!"</p> })
            }}
            <ol class="message-items" aria-live="polite" aria-relevant="additions">
                <For each=lines key=Line::key let:line>
                    {match line {
                        Line::Sent(message) => view! { <MessageItem message /> }.into_any(),
                        Line::Sending(p) => view! { <PendingItem p pending deliver /> }.into_any(),
                    }}
                </For>
            </ol>
        </div>
        {if archived {
            view! { <p class="hint archived-note">"This group is archived: its messages are read, nothing new is posted."</p> }.into_any()
        } else {
            view! { <Composer on_send /> }.into_any()
        }}
    }
}

#[component]
fn MessageItem(message: MessageView) -> impl IntoView {
    if message.kind == MessageKind::Call {
        return view! { <CallCard message /> }.into_any();
    }
    let (name, avatar) = match message.author {
        Some(user) => (
            user.display_name.clone(),
            view! { <Avatar user /> }.into_any(),
        ),
        None => (
            "Former member".to_string(),
            view! { <span class="avatar ghost" aria-hidden="true"></span> }.into_any(),
        ),
    };
    view! {
        <li class="message" data-message-id=message.id.to_string()>
            {avatar}
            <div class="message-main">
                <p class="message-meta">
                    <strong class="author">{name}</strong>
                    " "
                    <TimeOfDay ms=message.created_at />
                </p>
                <p class="body">{message.body}</p>
            </div>
        </li>
    }
    .into_any()
}

/// A call's summary in the timeline, as a card with a way to call back.
#[component]
fn CallCard(message: MessageView) -> impl IntoView {
    let center = super::call::use_call_center();
    let missed = message.body.starts_with("Missed");
    let channel = message.channel_id;
    view! {
        <li class="message call-card" class:missed=missed data-testid="call-card" data-message-id=message.id.to_string()>
            <span class="call-card-icon" aria-hidden="true"><PhoneIcon /></span>
            <div class="message-main">
                <p class="body">{message.body}</p>
                <p class="message-meta"><TimeOfDay ms=message.created_at /></p>
            </div>
            <button
                class="link-button"
                on:click=move |_| center.start(channel, None)
                disabled=move || center.pending.get() || center.current.with(|c| c.is_some())
            >
                "Call back"
            </button>
        </li>
    }
}

#[component]
fn PendingItem(
    p: Pending,
    pending: RwSignal<Vec<Pending>>,
    deliver: impl Fn(String, String) + Copy + 'static,
) -> impl IntoView {
    let failed = p.failed.clone();
    let is_failed = failed.is_some();
    let retry = {
        let (nonce, body) = (p.nonce.clone(), p.body.clone());
        move |_| {
            pending.update(|list| {
                if let Some(x) = list.iter_mut().find(|x| x.nonce == nonce) {
                    x.failed = None;
                }
            });
            deliver(nonce.clone(), body.clone());
        }
    };
    let discard = {
        let nonce = p.nonce.clone();
        move |_| pending.update(|list| list.retain(|x| x.nonce != nonce))
    };
    view! {
        <li class="message pending" class:failed=is_failed>
            <span class="avatar ghost" aria-hidden="true"></span>
            <div class="message-main">
                <p class="body">{p.body}</p>
                {match failed {
                    None => view! { <p class="message-meta">"Sending…"</p> }.into_any(),
                    Some(reason) => {
                        view! {
                            <p class="message-meta error" role="alert">
                                "Not sent: " {reason} " "
                                <button class="link-button" on:click=retry>"Retry"</button>
                                <button class="link-button" on:click=discard>"Discard"</button>
                            </p>
                        }
                            .into_any()
                    }
                }}
            </div>
        </li>
    }
}
