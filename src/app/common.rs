//! Small shared pieces: error panels, not-found, times.

use leptos::prelude::*;

use super::router::Redirect;
use crate::contract::{ApiError, ErrorKind};

/// An error as a person should see it. An expired session goes to sign-in.
#[component]
pub fn ErrorPanel(error: ApiError) -> impl IntoView {
    if error.kind == ErrorKind::Unauthorized {
        return view! { <Redirect path="/signin" /> }.into_any();
    }
    let title = match error.kind {
        ErrorKind::NotFound => "Not found",
        ErrorKind::Forbidden => "No access",
        ErrorKind::Network => "Offline",
        _ => "Something went wrong",
    };
    view! {
        <div class="panel-message" role="alert">
            <h2>{title}</h2>
            <p>{error.message}</p>
            <a href="/">"Back to your channels"</a>
        </div>
    }
    .into_any()
}

/// The page for an address that is none of Belfry's, answered with a 404.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <main class="centered">
            <ErrorPanel error=ApiError::new(ErrorKind::NotFound, "There is no page at this address.") />
        </main>
    }
}

/// "14:05": UTC while hydrating (so server and browser render the same),
/// then the browser's own time zone.
#[component]
pub fn TimeOfDay(ms: i64) -> impl IntoView {
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let utc = {
        let minutes = ms.div_euclid(60_000);
        format!(
            "{:02}:{:02}",
            minutes.div_euclid(60).rem_euclid(24),
            minutes.rem_euclid(60)
        )
    };
    let text = move || {
        if hydrated.get() {
            crate::client::local_time(ms).unwrap_or_else(|| utc.clone())
        } else {
            utc.clone()
        }
    };
    view! { <time class="time">{text}</time> }
}

/// What the last press of a form's button came to, said once (a screen
/// reader hears it too): `role=status`, or `role=alert` when refused.
#[derive(Clone)]
pub enum Outcome {
    Done(String),
    Failed(String),
}

#[component]
pub fn OutcomeLine(outcome: RwSignal<Option<Outcome>>, testid: &'static str) -> impl IntoView {
    move || match outcome.get() {
        Some(Outcome::Done(text)) => {
            view! { <p class="hint done" role="status" data-testid=testid>{text}</p> }.into_any()
        }
        Some(Outcome::Failed(text)) => {
            view! { <p class="error" role="alert" data-testid=testid>{text}</p> }.into_any()
        }
        None => ().into_any(),
    }
}

/// The style sheet of the pages a call never needs (`style/pages.css`),
/// linked by each of them: the call's pages do not download it.
#[component]
pub fn PagesSheet() -> impl IntoView {
    view! { <link rel="stylesheet" href="/pkg/pages.css" /> }
}

/// Runs a form's change, says what it came to (`done`, or the server's
/// refusal), then `then` (the page reading itself again).
pub fn press<F>(
    said: RwSignal<Option<Outcome>>,
    done: String,
    work: F,
    then: impl FnOnce() + 'static,
) where
    F: std::future::Future<Output = Result<(), crate::contract::ApiError>> + 'static,
{
    said.set(None);
    leptos::task::spawn_local(async move {
        match work.await {
            Ok(()) => said.set(Some(Outcome::Done(done))),
            Err(e) => said.set(Some(Outcome::Failed(e.message))),
        }
        then();
    });
}

/// A change asked twice (it cannot be taken back at once): a button saying
/// what it does ("Remove…", named in full for a screen reader by `named`),
/// then `confirm` beside "Keep", with an optional word on what follows.
#[component]
pub fn AskTwice(
    first: &'static str,
    named: String,
    confirm: String,
    #[prop(optional)] hint: Option<&'static str>,
    on_confirm: Callback<()>,
) -> impl IntoView {
    let asking = RwSignal::new(false);
    move || {
        if asking.get() {
            view! {
                {hint.map(|h| view! { <p class="hint">{h}</p> })}
                <button
                    type="button"
                    class="danger"
                    on:click=move |_| {
                        asking.set(false);
                        on_confirm.run(());
                    }
                >
                    {confirm.clone()}
                </button>
                <button type="button" class="secondary" on:click=move |_| asking.set(false)>"Keep"</button>
            }
            .into_any()
        } else {
            view! {
                <button type="button" class="secondary" aria-label=named.clone() on:click=move |_| asking.set(true)>
                    {first}
                </button>
            }
            .into_any()
        }
    }
}
