//! "Webhooks" on the People page, for admins: the addresses the
//! community's call events are posted to, each with how its last delivery
//! went; add one (its signing secret is shown only then), remove one.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::common::{Outcome, OutcomeLine};
use super::copy_field::CopyField;
use crate::api::community::{create_webhook, delete_webhook, list_webhooks};
use crate::contract::ids::CommunityId;
use crate::contract::webhooks::WebhookView;
use crate::contract::ApiError;

type List = RwSignal<Option<Result<Vec<WebhookView>, ApiError>>>;

fn reload(list: List, community: CommunityId) {
    spawn_local(async move {
        list.set(Some(list_webhooks(community).await.map(|w| w.webhooks)));
    });
}

#[component]
pub fn WebhooksPanel(community: CommunityId) -> impl IntoView {
    let list: List = RwSignal::new(None);
    let said = RwSignal::new(None::<Outcome>);
    let secret = RwSignal::new(None::<String>);
    let url = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let opened = RwSignal::new(false);
    // Fetched when first opened (most visits never look).
    let toggle = move |_| {
        if !opened.get_untracked() {
            opened.set(true);
            reload(list, community);
        }
    };
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        said.set(None);
        secret.set(None);
        spawn_local(async move {
            match create_webhook(community, url.get_untracked()).await {
                Ok(made) => {
                    secret.set(Some(made.secret));
                    url.set(String::new());
                    said.set(Some(Outcome::Done(
                        "Webhook added. Copy its signing secret now: it is shown only once.".into(),
                    )));
                }
                Err(e) => said.set(Some(Outcome::Failed(e.message))),
            }
            busy.set(false);
            reload(list, community);
        });
    };
    view! {
        <details class="invite-panel" data-testid="webhooks-panel" on:toggle=toggle>
            <summary>"Webhooks"</summary>
            <p class="hint">
                "Another app (your parish's site) hears of calls as they ring, are answered, declined, "
                "missed and end, and of people coming and going in studio rooms. Each post is signed: "
                "see the README's \"Webhooks\"."
            </p>
            <form class="invite-form" on:submit=add>
                <label for="webhook-url">"Address"</label>
                <input id="webhook-url" type="url" required placeholder="https://example.org/belfry-events"
                    prop:value=move || url.get()
                    on:input=move |ev| url.set(event_target_value(&ev)) />
                <button type="submit" class="primary" disabled=move || busy.get()>"Add webhook"</button>
            </form>
            <OutcomeLine outcome=said testid="webhook-said" />
            {move || secret.get().map(|value| view! {
                <CopyField id="webhook-secret" label="Signing secret" what="secret" value />
            })}
            {move || match list.get() {
                None => view! { <p class="loading">"Loading…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                Some(Ok(items)) if items.is_empty() => view! { <p class="hint">"No webhooks yet."</p> }.into_any(),
                Some(Ok(items)) => view! {
                    <ul class="token-list" data-testid="webhook-list">
                        {items.into_iter().map(|hook| view! { <HookRow hook list community said /> }).collect_view()}
                    </ul>
                }
                .into_any(),
            }}
        </details>
    }
}

/// How the last delivery went, in words.
fn last_words(h: &WebhookView) -> String {
    let when = |at: Option<i64>| {
        at.and_then(crate::client::local_date)
            .map(|d| format!(" ({d})"))
            .unwrap_or_default()
    };
    let last = match (&h.last_event, h.last_status, &h.last_error) {
        (None, _, _) => "Nothing sent yet".to_string(),
        (Some(event), Some(status), _) if (200..300).contains(&status) => {
            format!(
                "Last: {event} delivered, {status}{}",
                when(h.last_attempt_at)
            )
        }
        (Some(event), _, Some(error)) => format!(
            "Last: {event} not delivered: {error}{}",
            when(h.last_attempt_at)
        ),
        (Some(event), status, None) => format!("Last: {event}, {}", status.unwrap_or_default()),
    };
    let mut extra = Vec::new();
    if h.pending > 0 {
        extra.push(format!("{} waiting", h.pending));
    }
    if h.failed > 0 {
        extra.push(format!("{} given up", h.failed));
    }
    if extra.is_empty() {
        last
    } else {
        format!("{last} · {}", extra.join(" · "))
    }
}

#[component]
fn HookRow(
    hook: WebhookView,
    list: List,
    community: CommunityId,
    said: RwSignal<Option<Outcome>>,
) -> impl IntoView {
    let id = hook.id;
    let url = hook.url.clone();
    let healthy =
        hook.last_status.is_none_or(|s| (200..300).contains(&s)) && hook.last_error.is_none();
    let remove = {
        let url = url.clone();
        move |_| {
            let url = url.clone();
            said.set(None);
            spawn_local(async move {
                match delete_webhook(id).await {
                    Ok(()) => said.set(Some(Outcome::Done(format!("{url} removed.")))),
                    Err(e) => said.set(Some(Outcome::Failed(e.message))),
                }
                reload(list, community);
            });
        }
    };
    view! {
        <li class="invite-row" data-testid="webhook" data-healthy=healthy.to_string()>
            <div class="invite-main">
                <p class="person-name webhook-url">{url.clone()}</p>
                <p class="meta">{last_words(&hook)}</p>
            </div>
            <button type="button" class="secondary" aria-label=format!("Remove webhook {url}") on:click=remove>
                "Remove"
            </button>
        </li>
    }
}
