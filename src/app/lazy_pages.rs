//! Pages a call never needs, loaded when first visited: a studio (with its
//! voice room), the calls history, and signing in and up. Their code is
//! split out of the main WASM (`.ci/build-site`), so the chat page with a
//! call on it downloads none of it.
//!
//! A page whose code does not arrive (the network dropped a moment) must not
//! take the app with it: a panic would end the WASM, and the call on screen
//! would lose its controls. Here a failed fetch is tried again half a second
//! later, and again two seconds after that; then the page says so and offers
//! to try again, while the call and the rest of the app go on.
//!
//! A page opened by its address is hydrated with its code: the app's
//! hydration waits for it ([`fetch_before_hydrating`]). If it does not come
//! after those tries, the app is hydrated without it, the server-rendered
//! page stays on screen as it is, and its code is asked for every 5 s; once
//! here, the page is drawn afresh in its place.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use leptos::prelude::*;
use leptos::task::spawn_local_scoped_with_cancellation;
use leptos::wasm_split::{wasm_split, SplitLoaderError};

use super::router::Page;

/// Split-out code that did not load.
pub struct NotLoaded;

impl From<SplitLoaderError> for NotLoaded {
    fn from(_: SplitLoaderError) -> Self {
        NotLoaded
    }
}

/// Fetching a page's code, and opening the page once it is here. Boxed, so
/// the code below exists once rather than once per page.
type Fetching = Pin<Box<dyn Future<Output = Result<(), SplitLoaderError>>>>;
type Opening = Pin<Box<dyn Future<Output = Result<AnyView, NotLoaded>>>>;

/// How long to wait before trying again to fetch a page's code (and a
/// part's, `super::call::on_demand`).
pub(crate) const RETRY_AFTER_MS: [u32; 2] = [500, 2000];
/// How often a page opened by its address asks for its code after that.
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
    /// `/signin`. The service worker keeps its chunk for the offline
    /// sign-in page (`src/server/push/routes.rs` names it).
    open_sign_in, fetch_sign_in in sign_in_pages => super::auth_pages::SignInPage
);
lazy_page!(
    /// `/signup`, in the same chunk as `/signin`.
    open_sign_up, fetch_sign_up in sign_in_pages => super::auth_pages::SignUpPage
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

    /// Fetches the code, trying again after each of `waits` (ms) while it
    /// fails, and after that every `then_every` ms if given. Whether it is
    /// here.
    async fn fetch(self, waits: &[u32], then_every: Option<u32>) -> bool {
        let mut waits = waits.iter();
        loop {
            if (self.fetch)().await.is_ok() {
                FETCHED.set(FETCHED.get() | self.bit());
                return true;
            }
            match waits.next().copied().or(then_every) {
                Some(wait) => crate::client::pause(wait).await,
                None => return false,
            }
        }
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
        code.fetch(&RETRY_AFTER_MS, None).await;
    }
}

/// Where a page's code has got to.
#[derive(Clone, Copy, PartialEq)]
enum Arrival {
    Waiting,
    Here,
    Missing,
    TryingAgain,
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
    let arrival = RwSignal::new(Arrival::Waiting);
    let drawn = StoredValue::new_local(None::<AnyView>);
    let owner = Owner::current().unwrap_or_default();
    let load = move |waits: &'static [u32], then_every: Option<u32>| {
        owner.with(|| {
            spawn_local_scoped_with_cancellation(async move {
                let opened = match code.fetch(waits, then_every).await {
                    true => (code.open)().await,
                    false => Err(NotLoaded),
                };
                match opened {
                    Ok(view) => {
                        drawn.set_value(Some(view));
                        arrival.set(Arrival::Here);
                    }
                    Err(NotLoaded) => arrival.set(Arrival::Missing),
                }
            })
        })
    };
    if hydrating {
        load(&[], Some(HYDRATED_RETRY_MS));
    } else {
        load(&RETRY_AFTER_MS, None);
    }
    let retry = move |_| {
        arrival.set(Arrival::TryingAgain);
        load(&[], None);
    };
    let shown = Memo::new(move |_| match arrival.get() {
        Arrival::TryingAgain => Arrival::Missing,
        other => other,
    });
    (move || match shown.get() {
        Arrival::Here => frame(drawn.try_update_value(Option::take).flatten().into_any()),
        // The server's page, left as it is inside its frame.
        Arrival::Waiting if hydrating => view! { <div class="page-frame"></div> }.into_any(),
        Arrival::Waiting => frame(view! { <p class="loading">"Loading…"</p> }.into_any()),
        _ => frame(not_loaded(retry.clone(), arrival)),
    })
    .into_any()
}

/// The frame a split-out page is drawn in, the same on both sides, so a
/// page hydrated without its code keeps the server's content inside it.
fn frame(page: AnyView) -> AnyView {
    view! { <div class="page-frame">{page}</div> }.into_any()
}

/// "This page did not load", with a button that tries again.
fn not_loaded(
    retry: impl Fn(leptos::ev::MouseEvent) + 'static,
    arrival: RwSignal<Arrival>,
) -> AnyView {
    let trying = move || arrival.get() == Arrival::TryingAgain;
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
                    <button type="button" class="primary" on:click=retry disabled=trying>
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

/// The future's output if it is ready on its first poll: a page's (or a
/// part's) opening is, once its code is here.
pub(crate) fn now<T>(mut future: Pin<Box<dyn Future<Output = T>>>) -> Option<T> {
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(value) => Some(value),
        Poll::Pending => None,
    }
}
