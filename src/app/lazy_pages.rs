//! Pages a call never needs, loaded when first visited: a studio (with its
//! voice room), the calls history, and signing in and up. Their code is
//! split out of the main WASM (`.ci/build-site`), so the chat page with a
//! call on it downloads none of it.
//!
//! A page whose code does not arrive (the network dropped a moment) must not
//! take the app with it. Leptos's `#[lazy_route]` panics then, and a panic
//! ends the WASM: the call on screen would lose its controls. Here a failed
//! fetch is tried again half a second later, and again two seconds after
//! that, then the page says so and offers to try again, while the call and
//! the rest of the app go on. A page opened by its address waits, readable
//! as the server rendered it, until its code arrives.

use std::future::Future;
use std::pin::Pin;

use leptos::prelude::*;
use leptos::wasm_split::{wasm_split, SplitLoaderError};
use leptos_router::LazyRoute;

/// A page's code that did not load.
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

/// How long to wait before trying again to fetch a page's code.
const RETRY_AFTER_MS: [u32; 2] = [500, 2000];

macro_rules! lazy_page {
    ($(#[$doc:meta])* $name:ident in $chunk:ident: $open:ident, $fetch:ident => $page:path) => {
        $(#[$doc])*
        pub struct $name;

        #[wasm_split(
            $chunk,
            fallible,
            wasm_split_path = ::leptos::wasm_split,
            preload($fetch)
        )]
        fn $open() -> Result<AnyView, NotLoaded> {
            Ok($page().into_any())
        }

        impl LazyRoute for $name {
            fn data() -> Self {
                $name
            }

            async fn preload() {
                fetch(|| Box::pin($fetch())).await;
            }

            async fn view(_this: Self) -> AnyView {
                open(|| Box::pin($open())).await
            }
        }
    };
}

lazy_page!(
    /// `/s/:id`: a studio and its voice room.
    Studio in studio_page: open_studio, fetch_studio => super::studio_page::StudioPage
);
lazy_page!(
    /// `/calls`: the calls history.
    Calls in calls_page: open_calls, fetch_calls => super::calls_page::CallsPage
);
lazy_page!(
    /// `/signin`. The service worker keeps its chunk for the offline
    /// sign-in page (`src/server/push/routes.rs` names it).
    SignIn in sign_in_pages: open_sign_in, fetch_sign_in => super::auth_pages::SignInPage
);
lazy_page!(
    /// `/signup`, in the same chunk as `/signin`.
    SignUp in sign_in_pages: open_sign_up, fetch_sign_up => super::auth_pages::SignUpPage
);

/// Fetches a page's code, trying again a little later if that fails. The
/// router waits for this before it shows the page. A page opened by its
/// address is hydrated only once its code is here, so then this keeps
/// trying (every 5 s after the first tries): the server-rendered page stays
/// on screen meanwhile, and comes alive when the network is back.
async fn fetch(get: fn() -> Fetching) {
    let hydrating = Owner::current_shared_context().is_some_and(|c| c.during_hydration());
    let mut waits = RETRY_AFTER_MS.into_iter();
    while get().await.is_err() {
        match waits.next() {
            Some(wait) => crate::client::pause(wait).await,
            None if hydrating => crate::client::pause(5000).await,
            None => return,
        }
    }
}

/// The page, its code fetched already (or else fetched once more), or a
/// notice that tries again when asked.
async fn open(load: fn() -> Opening) -> AnyView {
    match load().await {
        Ok(page) => page,
        Err(NotLoaded) => view! { <PageNotLoaded load /> }.into_any(),
    }
}

/// "This page did not load", with a button that tries again and, once the
/// code is here, shows the page in its place.
#[component]
fn PageNotLoaded(load: fn() -> Opening) -> impl IntoView {
    let page = StoredValue::new_local(None::<AnyView>);
    let loaded = RwSignal::new(false);
    let trying = RwSignal::new(false);
    // The page is made where this notice is, with its contexts.
    let owner = Owner::current().unwrap_or_default();
    let retry = move |_| {
        trying.set(true);
        owner.with(|| {
            leptos::task::spawn_local_scoped_with_cancellation(async move {
                match load().await {
                    Ok(view) => {
                        page.set_value(Some(view));
                        loaded.set(true);
                    }
                    Err(NotLoaded) => trying.set(false),
                }
            })
        });
    };
    move || {
        if loaded.get() {
            return page.try_update_value(Option::take).flatten().into_any();
        }
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
                        <button type="button" class="primary" on:click=retry.clone() disabled=move || trying.get()>
                            {move || if trying.get() { "Trying…" } else { "Try again" }}
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
}
