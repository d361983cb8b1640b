//! `/profile`: my name and avatar colour as others see them, my password
//! (the current one asked again), signing out on every other device, and
//! the API tokens other apps use (`api_tokens_card`).

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::avatar::Avatar;
use super::common::{Outcome, OutcomeLine, PagesSheet};
use super::layout::{Me, MyCard};
use crate::api::profile::{change_password, sign_out_elsewhere, update_profile};
use crate::contract::profile::AVATAR_COLORS;
use crate::contract::types::UserView;

fn devices(n: u64) -> String {
    match n {
        0 => "No other device was signed in.".into(),
        1 => "Signed out on 1 other device.".into(),
        n => format!("Signed out on {n} other devices."),
    }
}

#[component]
pub fn ProfilePage() -> impl IntoView {
    view! {
        <section class="profile-page" aria-labelledby="profile-title">
            <PagesSheet />
            <header class="chat-header">
                <a href="/" class="back" aria-label="Back to channels">"‹"</a>
                <div class="chat-title"><h1 id="profile-title">"Your profile"</h1></div>
            </header>
            <div class="profile-sections">
                <NameAndColour />
                <Password />
                <OtherDevices />
                <super::api_tokens_card::ApiTokensCard />
            </div>
        </section>
    }
}

#[component]
fn NameAndColour() -> impl IntoView {
    let me = expect_context::<Me>().0;
    let card = expect_context::<MyCard>();
    let name = RwSignal::new(card.name.get_untracked());
    let color = RwSignal::new(card.color.get_untracked());
    let saving = RwSignal::new(false);
    let outcome = RwSignal::new(None::<Outcome>);
    let preview = move || {
        let user = UserView {
            display_name: name.get(),
            avatar_color: color.get(),
            ..me.clone()
        };
        view! { <Avatar user /> }
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saving.set(true);
        outcome.set(None);
        spawn_local(async move {
            match update_profile(name.get_untracked(), color.get_untracked()).await {
                Ok(user) => {
                    name.set(user.display_name.clone());
                    card.name.set(user.display_name);
                    card.color.set(user.avatar_color);
                    outcome.set(Some(Outcome::Done("Saved. Everyone now sees this.".into())));
                }
                Err(e) => outcome.set(Some(Outcome::Failed(e.message))),
            }
            saving.set(false);
        });
    };
    view! {
        <form class="profile-card" on:submit=save aria-labelledby="profile-name-title">
            <h2 id="profile-name-title">"Name and colour"</h2>
            <div class="profile-preview">{preview}</div>
            <label for="profile-name">"Display name"</label>
            <input
                id="profile-name"
                type="text"
                maxlength="64"
                autocomplete="name"
                required
                prop:value=move || name.get()
                on:input=move |ev| name.set(event_target_value(&ev))
            />
            <fieldset class="swatches">
                <legend>"Avatar colour"</legend>
                {AVATAR_COLORS
                    .iter()
                    .map(|(value, label)| {
                        let value = value.to_string();
                        let checked = {
                            let value = value.clone();
                            move || color.with(|c| c.eq_ignore_ascii_case(&value))
                        };
                        let pick = value.clone();
                        view! {
                            <label class="swatch" title=*label>
                                <input
                                    type="radio"
                                    name="avatar-colour"
                                    value=value.clone()
                                    prop:checked=checked
                                    on:change=move |_| color.set(pick.clone())
                                />
                                <span class="swatch-dot" style=format!("background-color: {value}")></span>
                                <span class="sr-only">{*label}</span>
                            </label>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <button type="submit" class="primary" disabled=move || saving.get()>
                {move || if saving.get() { "Saving…" } else { "Save" }}
            </button>
            <OutcomeLine outcome testid="profile-saved" />
        </form>
    }
}

#[component]
fn Password() -> impl IntoView {
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let saving = RwSignal::new(false);
    let outcome = RwSignal::new(None::<Outcome>);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saving.set(true);
        outcome.set(None);
        spawn_local(async move {
            match change_password(current.get_untracked(), new.get_untracked()).await {
                Ok(ended) => {
                    current.set(String::new());
                    new.set(String::new());
                    let text = format!("Password changed. {}", devices(ended));
                    outcome.set(Some(Outcome::Done(text)));
                }
                Err(e) => outcome.set(Some(Outcome::Failed(e.message))),
            }
            saving.set(false);
        });
    };
    view! {
        <form class="profile-card" on:submit=save aria-labelledby="profile-password-title">
            <h2 id="profile-password-title">"Password"</h2>
            <label for="current-password">"Current password"</label>
            <input
                id="current-password"
                type="password"
                autocomplete="current-password"
                required
                prop:value=move || current.get()
                on:input=move |ev| current.set(event_target_value(&ev))
            />
            <label for="new-password">"New password"</label>
            <input
                id="new-password"
                type="password"
                autocomplete="new-password"
                minlength="8"
                required
                aria-describedby="new-password-hint"
                prop:value=move || new.get()
                on:input=move |ev| new.set(event_target_value(&ev))
            />
            <p class="hint" id="new-password-hint">
                "At least 8 characters. Your other devices are signed out."
            </p>
            <button type="submit" class="primary" disabled=move || saving.get()>
                {move || if saving.get() { "Changing…" } else { "Change password" }}
            </button>
            <OutcomeLine outcome testid="password-changed" />
        </form>
    }
}

#[component]
fn OtherDevices() -> impl IntoView {
    let busy = RwSignal::new(false);
    let outcome = RwSignal::new(None::<Outcome>);
    let press = move |_| {
        busy.set(true);
        outcome.set(None);
        spawn_local(async move {
            match sign_out_elsewhere().await {
                Ok(ended) => outcome.set(Some(Outcome::Done(devices(ended)))),
                Err(e) => outcome.set(Some(Outcome::Failed(e.message))),
            }
            busy.set(false);
        });
    };
    view! {
        <div class="profile-card" role="group" aria-labelledby="profile-devices-title">
            <h2 id="profile-devices-title">"Other devices"</h2>
            <p class="hint">"A phone or computer you signed in on and no longer have?"</p>
            <button type="button" class="secondary" on:click=press disabled=move || busy.get()>
                "Sign out everywhere else"
            </button>
            <OutcomeLine outcome testid="signed-out-elsewhere" />
        </div>
    }
}
