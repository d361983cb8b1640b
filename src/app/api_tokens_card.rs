//! "API tokens" on the profile: make a token for another app (a name, a
//! scope, how long it lasts), copy it (it is shown only then), see each
//! token's scope, state and last use, and revoke it.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::common::{Outcome, OutcomeLine};
use super::copy_field::CopyField;
use crate::api::profile::{create_api_token, list_api_tokens, revoke_api_token};
use crate::contract::api_tokens::{ApiScope, ApiTokenState, ApiTokenView, EXPIRY_DAYS, NAME_MAX};
use crate::contract::ApiError;

type List = RwSignal<Option<Result<Vec<ApiTokenView>, ApiError>>>;

fn reload(list: List) {
    spawn_local(async move {
        list.set(Some(list_api_tokens().await.map(|t| t.tokens)));
    });
}

fn lasts(days: u32) -> String {
    match days {
        0 => "Until revoked".into(),
        365 => "A year".into(),
        d => format!("{d} days"),
    }
}

#[component]
pub fn ApiTokensCard() -> impl IntoView {
    let list: List = RwSignal::new(None);
    Effect::new(move |_| reload(list));
    let said = RwSignal::new(None::<Outcome>);
    let made = RwSignal::new(None::<String>);
    let name = RwSignal::new(String::new());
    let scope = RwSignal::new(ApiScope::Calls);
    let days = RwSignal::new(90u32);
    let busy = RwSignal::new(false);
    let make = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        said.set(None);
        made.set(None);
        spawn_local(async move {
            let lifetime = Some(days.get_untracked()).filter(|d| *d > 0);
            match create_api_token(name.get_untracked(), scope.get_untracked(), lifetime).await {
                Ok(new) => {
                    made.set(Some(new.token));
                    name.set(String::new());
                    said.set(Some(Outcome::Done(
                        "Token made. Copy it now: it is shown only once.".into(),
                    )));
                }
                Err(e) => said.set(Some(Outcome::Failed(e.message))),
            }
            busy.set(false);
            reload(list);
        });
    };
    view! {
        <div class="profile-card" role="group" aria-labelledby="profile-tokens-title" data-testid="api-tokens">
            <h2 id="profile-tokens-title">"API tokens"</h2>
            <p class="hint">
                "For another app (your parish's site, a studio tool) to use Belfry as you: "
                "it sends the token as "<code>"Authorization: Bearer …"</code>"."
            </p>
            <form class="token-form" on:submit=make>
                <label for="token-name">"Name"</label>
                <input id="token-name" type="text" required maxlength=NAME_MAX.to_string()
                    placeholder="Which app uses it"
                    prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev)) />
                <label for="token-scope">"May"</label>
                <select id="token-scope" on:change=move |ev| {
                    scope.set(ApiScope::parse(&event_target_value(&ev)).unwrap_or(ApiScope::Read))
                }>
                    {ApiScope::ALL
                        .into_iter()
                        .map(|s| view! { <option value=s.as_str() selected=s == ApiScope::Calls>{s.describe()}</option> })
                        .collect_view()}
                </select>
                <label for="token-lasts">"Lasts"</label>
                <select id="token-lasts" on:change=move |ev| days.set(event_target_value(&ev).parse().unwrap_or(90))>
                    {EXPIRY_DAYS
                        .into_iter()
                        .chain([0])
                        .map(|d| view! { <option value=d.to_string() selected=d == 90>{lasts(d)}</option> })
                        .collect_view()}
                </select>
                <button type="submit" class="primary" disabled=move || busy.get()>"Make a token"</button>
            </form>
            <OutcomeLine outcome=said testid="token-said" />
            {move || made.get().map(|value| view! { <CopyField id="new-token" label="The new token" what="token" value /> })}
            {move || match list.get() {
                None => view! { <p class="loading">"Loading…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                Some(Ok(items)) if items.is_empty() => view! { <p class="hint">"No tokens yet."</p> }.into_any(),
                Some(Ok(items)) => view! {
                    <ul class="token-list" data-testid="token-list">
                        {items.into_iter().map(|token| view! { <TokenRow token list said /> }).collect_view()}
                    </ul>
                }
                .into_any(),
            }}
        </div>
    }
}

fn state_words(t: &ApiTokenView) -> String {
    let scope = t.scope.describe();
    let used = match t.last_used_at.and_then(crate::client::local_date) {
        Some(day) => format!(" · last used {day}"),
        None => " · never used".into(),
    };
    match t.state {
        ApiTokenState::Active => match t.expires_at.and_then(crate::client::local_date) {
            Some(until) => format!("{scope} · until {until}{used}"),
            None => format!("{scope} · until revoked{used}"),
        },
        ApiTokenState::Expired => format!("{scope} · expired{used}"),
        ApiTokenState::Revoked => format!("{scope} · revoked{used}"),
    }
}

#[component]
fn TokenRow(token: ApiTokenView, list: List, said: RwSignal<Option<Outcome>>) -> impl IntoView {
    let id = token.id;
    let label = format!("{} (…{})", token.name, token.hint);
    let active = token.state == ApiTokenState::Active;
    let revoke = {
        let label = label.clone();
        move |_| {
            let label = label.clone();
            said.set(None);
            spawn_local(async move {
                match revoke_api_token(id).await {
                    Ok(_) => said.set(Some(Outcome::Done(format!("{label} is revoked.")))),
                    Err(e) => said.set(Some(Outcome::Failed(e.message))),
                }
                reload(list);
            });
        }
    };
    view! {
        <li class="invite-row" data-testid="api-token" data-state=token.state.as_str()>
            <div class="invite-main">
                <p class="person-name">{label.clone()}</p>
                <p class="meta">{state_words(&token)}</p>
            </div>
            {active.then(|| view! {
                <button type="button" class="secondary" aria-label=format!("Revoke {label}") on:click=revoke>
                    "Revoke"
                </button>
            })}
        </li>
    }
}
