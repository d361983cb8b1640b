//! Sign in and sign up.

use leptos::html::Input;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::common::PagesSheet;
use super::router::{query_value, use_location, Redirect};
use super::session::use_session;
use crate::api::accounts::{sign_in, sign_up};
use crate::api::community::{join_invitation, preview_invitation};
use crate::contract::invitations::{self, InvitationPreview};

/// Sends a signed-in visitor on to their channels.
#[component]
fn AwayIfSignedIn() -> impl IntoView {
    matches!(use_session().user, Ok(Some(_))).then(|| view! { <Redirect path="/" /> })
}

/// Whether `code` looks like an invitation code (base64url), so only such
/// a code is carried from page to page.
fn link_code(code: &str) -> bool {
    (1..=64).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// True once the page is hydrated. Until then the forms' submit buttons are
/// disabled, which also stops Enter from submitting: a form sent before the
/// app can handle it would be a plain GET with the password in its URL.
fn hydrated() -> RwSignal<bool> {
    let ready = RwSignal::new(false);
    Effect::new(move |_| ready.set(true));
    ready
}

/// What is in a field now, typed before hydration or after.
fn value(field: NodeRef<Input>) -> String {
    field.get_untracked().map(|i| i.value()).unwrap_or_default()
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let username = NodeRef::<Input>::new();
    let password = NodeRef::<Input>::new();
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let ready = hydrated();
    // Come from an invitation link: back to it, signed in, to join.
    let then = use_location()
        .query
        .with_untracked(|q| {
            query_value(q, invitations::QUERY)
                .filter(|c| link_code(c))
                .map(invitations::path_for)
        })
        .unwrap_or_else(|| "/".to_string());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        error.set(None);
        let (u, p) = (value(username), value(password));
        let then = then.clone();
        spawn_local(async move {
            match sign_in(u, p).await {
                Ok(_) => crate::client::reload_to(&then),
                Err(e) => {
                    error.set(Some(e.message));
                    busy.set(false);
                }
            }
        });
    };
    view! {
        <AwayIfSignedIn />
        <main class="centered">
            <PagesSheet />
            <form class="auth-card" on:submit=submit>
                <h1>"Sign in to Belfry"</h1>
                <label for="username">"Username"</label>
                <input id="username" name="username" autocomplete="username" required node_ref=username />
                <label for="password">"Password"</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required node_ref=password />
                <p class="error" role="alert">{move || error.get()}</p>
                <button type="submit" class="primary" disabled=move || busy.get() || !ready.get()>"Sign in"</button>
                <p class="hint">"New here? " <a href="/signup">"Create an account"</a></p>
            </form>
        </main>
    }
}

#[component]
pub fn SignUpPage() -> impl IntoView {
    let username = NodeRef::<Input>::new();
    let display_name = NodeRef::<Input>::new();
    let password = NodeRef::<Input>::new();
    let invite = NodeRef::<Input>::new();
    // Arriving through an invitation link: its code, and the community it
    // joins (or why it joins none), asked for once the page is live.
    let invitation = use_location()
        .query
        .with_untracked(|q| query_value(q, invitations::QUERY).map(str::to_string));
    let preview = RwSignal::new(None::<Result<InvitationPreview, String>>);
    if let Some(code) = invitation.clone() {
        Effect::new(move |_| {
            let code = code.clone();
            spawn_local(async move {
                preview.set(Some(preview_invitation(code).await.map_err(|e| e.message)));
            });
        });
    }
    let invited = invitation.is_some();
    if let (Some(code), Ok(Some(me))) = (invitation.clone(), use_session().user) {
        return view! { <JoinWithAccount code me preview /> }.into_any();
    }
    let sign_in_href = match invitation.as_deref().filter(|c| link_code(c)) {
        Some(code) => format!("/signin?{}={code}", invitations::QUERY),
        None => "/signin".to_string(),
    };
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let ready = hydrated();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        error.set(None);
        let code = value(invite);
        let code = (!code.trim().is_empty()).then_some(code);
        let args = (value(username), value(display_name), value(password));
        let invitation = invitation.clone();
        spawn_local(async move {
            match sign_up(args.0, args.1, args.2, code, invitation).await {
                Ok(_) => crate::client::reload_to("/"),
                Err(e) => {
                    error.set(Some(e.message));
                    busy.set(false);
                }
            }
        });
    };
    view! {
        <AwayIfSignedIn />
        <main class="centered">
            <PagesSheet />
            <form class="auth-card" on:submit=submit>
                <h1>"Create your account"</h1>
                {invited.then(|| view! { <InvitationLine preview /> })}
                <label for="display_name">"Your name"</label>
                <input id="display_name" autocomplete="name" required node_ref=display_name />
                <label for="username">"Username"</label>
                <input id="username" autocomplete="username" required minlength="3" maxlength="32" node_ref=username />
                <label for="password">"Password (8 characters or more)"</label>
                <input id="password" type="password" autocomplete="new-password" required minlength="8" node_ref=password />
                <div hidden=invited>
                    <label for="invite">"Invitation code (if your parish gave you one)"</label>
                    <input id="invite" autocomplete="off" node_ref=invite />
                </div>
                <p class="error" role="alert">{move || error.get()}</p>
                <button type="submit" class="primary" disabled=move || busy.get() || !ready.get()>"Create account"</button>
                <p class="hint">"Already have an account? " <a href=sign_in_href>"Sign in"</a></p>
            </form>
        </main>
    }
    .into_any()
}

/// Signed in, with an invitation link: join its community with this
/// account (someone removed and invited back, or from another community).
#[component]
fn JoinWithAccount(
    code: String,
    me: crate::contract::types::UserView,
    preview: RwSignal<Option<Result<InvitationPreview, String>>>,
) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let join = move |_| {
        busy.set(true);
        error.set(None);
        let code = code.clone();
        spawn_local(async move {
            match join_invitation(code).await {
                Ok(_) => crate::client::reload_to("/"),
                Err(e) => {
                    error.set(Some(e.message));
                    busy.set(false);
                }
            }
        });
    };
    let joinable = move || matches!(preview.get(), Some(Ok(_)));
    view! {
        <main class="centered">
            <PagesSheet />
            <div class="auth-card">
                <h1>"Join with your account"</h1>
                <InvitationLine preview />
                <p class="hint">"You are signed in as " <strong>{me.display_name}</strong> "."</p>
                <p class="error" role="alert">{move || error.get()}</p>
                <button type="button" class="primary" on:click=join disabled=move || busy.get() || !joinable()>
                    "Join"
                </button>
                <p class="hint"><a href="/">"Back to your channels"</a></p>
            </div>
        </main>
    }
}

/// Whom the invitation link joins, or why it joins nobody.
#[component]
fn InvitationLine(preview: RwSignal<Option<Result<InvitationPreview, String>>>) -> impl IntoView {
    move || match preview.get() {
        None => view! { <p class="hint" data-testid="invitation">"Checking your invitation…"</p> }
            .into_any(),
        Some(Ok(p)) => view! {
            <p class="invitation" role="status" data-testid="invitation">
                "You are invited to join " <strong>{p.community_name}</strong> "."
            </p>
        }
        .into_any(),
        Some(Err(message)) => view! {
            <p class="error" role="alert" data-testid="invitation">{message}</p>
        }
        .into_any(),
    }
}
