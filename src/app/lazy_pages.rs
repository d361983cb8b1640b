//! Pages a call never needs, loaded when first visited: a studio (with its
//! voice room), the calls history, the people and groups, my profile, and signing in and up. Their code is
//! split out of the main WASM (`.ci/build-site`), so the chat page with a
//! call on it downloads none of it. A page whose code does not come says so
//! and offers to try again (`super::arriving`).
//!
//! A page opened by its address is hydrated with its code: the app's
//! hydration waits for it ([`fetch_before_hydrating`]). If it does not come
//! after those tries, the app is hydrated without it, the server-rendered
//! page stays on screen as it is, and its code is asked for every 5 s; once
//! here, the page is drawn afresh in its place.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;

use leptos::prelude::*;
use leptos::wasm_split::{wasm_split, SplitLoaderError};

use super::arriving::{now, Arrival, Arriving, NotLoaded, Opening, RETRY_AFTER_MS};
use super::router::Page;

/// Fetching a page's code. Boxed, so the code below exists once rather
/// than once per page.
type Fetching = Pin<Box<dyn Future<Output = Result<(), SplitLoaderError>>>>;

/// How often a page opened by its address asks for its code after the
/// first tries.
const HYDRATED_RETRY_MS: u32 = 5000;

macro_rules! lazy_page {
    ($(#[$doc:meta])* $open:ident, $fetch:ident in $chunk:ident => $page:path) => {
        $(#[$doc])*
        #[wasm_split(
            $chunk,
            fallible,
            wasm_split_path = ::leptos::wasm_split,
            preload($fetch)
        )]
        fn $open() -> Result<AnyView, NotLoaded> {
            Ok($page().into_any())
        }
    };
}

lazy_page!(
    /// `/s/:id`: a studio and its voice room.
    open_studio, fetch_studio in studio_page => super::studio_page::StudioPage
);
lazy_page!(
    /// `/calls`: the calls history.
    open_calls, fetch_calls in calls_page => super::calls_page::CallsPage
);
lazy_page!(
    /// `/people`: the community's members.
    open_people, fetch_people in people_page => super::people_page::PeoplePage
);
lazy_page!(
    /// `/groups`: my groups and their members, in the same chunk as
    /// `/people` (the two community pages share most of their code; a
    /// chunk of its own made wasm-split cut the call's chunk into many
    /// more small shared ones, 10 KB more for the chat page).
    open_groups, fetch_groups in people_page => super::groups_page::GroupsPage
);
lazy_page!(
    /// `/profile`: my own account.
    open_profile, fetch_profile in profile_page => super::profile_page::ProfilePage
);
lazy_page!(
    /// `/signin`. The service worker keeps its chunk for the offline
    /// sign-in page (`src/server/push/routes.rs` names it).
    open_sign_in, fetch_sign_in in sign_in_pages => super::auth_pages::SignInPage
);
lazy_page!(
    /// `/signup`, in a chunk of its own: what arriving through an
    /// invitation link needs is not fetched by the sign-in page (every
    /// call's way in).
    open_sign_up, fetch_sign_up in sign_up_page => super::auth_pages::SignUpPage
);

/// A split-out page's code: fetching it, and opening the page with it.
#[derive(Clone, Copy)]
struct Code {
    page: Page,
    fetch: fn() -> Fetching,
    open: fn() -> Opening,
}

impl Code {
    fn of(page: Page) -> Option<Code> {
        let code = |fetch: fn() -> Fetching, open: fn() -> Opening| Code { page, fetch, open };
        Some(match page {
            Page::Studio => code(|| Box::pin(fetch_studio()), || Box::pin(open_studio())),
            Page::Calls => code(|| Box::pin(fetch_calls()), || Box::pin(open_calls())),
            Page::People => code(|| Box::pin(fetch_people()), || Box::pin(open_people())),
            Page::Groups => code(|| Box::pin(fetch_groups()), || Box::pin(open_groups())),
            Page::Profile => code(|| Box::pin(fetch_profile()), || Box::pin(open_profile())),
            Page::SignIn => code(|| Box::pin(fetch_sign_in()), || Box::pin(open_sign_in())),
            Page::SignUp => code(|| Box::pin(fetch_sign_up()), || Box::pin(open_sign_up())),
            _ => return None,
        })
    }

    /// Whether the code is here: always on the server, in the browser once
    /// fetched.
    fn here(self) -> bool {
        !cfg!(feature = "hydrate") || FETCHED.get() & self.bit() != 0
    }

    fn bit(self) -> u8 {
        1 << self.page as u8
    }

    fn mark_here(self) {
        FETCHED.set(FETCHED.get() | self.bit());
    }

    /// Fetches the code (once), then opens the page.
    fn fetch_and_open(self) -> Opening {
        Box::pin(async move {
            (self.fetch)().await?;
            self.mark_here();
            (self.open)().await
        })
    }
}

thread_local! {
    /// Which pages' code is here, one bit per [`Page`].
    static FETCHED: Cell<u8> = const { Cell::new(0) };
}

/// Fetches the code of the page at `path`, if split out, before the app is
/// hydrated, with the tries a page's first visit makes.
#[cfg(feature = "hydrate")]
pub async fn fetch_before_hydrating(path: &str) {
    if let Some(code) = Code::of(Page::at(path)) {
        if super::arriving::retrying(code.fetch, &RETRY_AFTER_MS, None)
            .await
            .is_ok()
        {
            code.mark_here();
        }
    }
}

/// A split-out page: drawn at once when its code is here, else when it
/// arrives, with "Loading…" (or, while hydrating, the server's page)
/// meanwhile, and a notice if it does not.
#[component]
pub fn LazyPage(page: Page) -> impl IntoView {
    let Some(code) = Code::of(page) else {
        return ().into_any();
    };
    if code.here() {
        if let Some(Ok(view)) = now((code.open)()) {
            return frame(view);
        }
    }
    let hydrating = Owner::current_shared_context().is_some_and(|c| c.during_hydration());
    let (waits, then_every): (&'static [u32], _) = match hydrating {
        true => (&[], Some(HYDRATED_RETRY_MS)),
        false => (&RETRY_AFTER_MS, None),
    };
    let arriving = Arriving::start(Box::new(move || code.fetch_and_open()), waits, then_every);
    (move || match arriving.shown() {
        Arrival::Here => frame(arriving.take().into_any()),
        // The server's page, left as it is inside its frame.
        Arrival::Waiting if hydrating => view! { <div class="page-frame"></div> }.into_any(),
        Arrival::Waiting => frame(view! { <p class="loading">"Loading…"</p> }.into_any()),
        _ => frame(not_loaded(arriving)),
    })
    .into_any()
}

/// The frame a split-out page is drawn in, the same on both sides, so a
/// page hydrated without its code keeps the server's content inside it.
fn frame(page: AnyView) -> AnyView {
    view! { <div class="page-frame">{page}</div> }.into_any()
}

/// "This page did not load", with a button that tries again.
fn not_loaded(arriving: Arriving) -> AnyView {
    let trying = move || arriving.trying();
    view! {
        <section class="centered">
            <div class="panel-message" role="alert" data-testid="page-not-loaded">
                <h2>"This page did not load"</h2>
                <p>
                    "Check your connection, then try again. If Belfry has just been "
                    "updated, reload it for the new version (a call you are on "
                    "reconnects)."
                </p>
                <div class="actions">
                    <button type="button" class="primary" on:click=move |_| arriving.retry() disabled=trying>
                        {move || if trying() { "Trying…" } else { "Try again" }}
                    </button>
                    <button type="button" class="secondary" on:click=|_| crate::client::reload()>
                        "Reload Belfry"
                    </button>
                </div>
                <a href="/">"Back to your channels"</a>
            </div>
        </section>
    }
    .into_any()
}
