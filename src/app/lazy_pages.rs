//! Pages a call never needs, loaded when first visited: a studio (with its
//! voice room) and the calls history. Their code is split out of the main
//! WASM (`.ci/build-site`), so the chat page with a call on it downloads
//! none of it. The sign-in pages stay in the main WASM: the service worker
//! keeps them working offline, from files whose names do not change.

use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

macro_rules! lazy_page {
    ($(#[$doc:meta])* $name:ident => $page:path) => {
        $(#[$doc])*
        pub struct $name;

        #[lazy_route]
        impl LazyRoute for $name {
            fn data() -> Self {
                $name
            }

            fn view(_this: Self) -> AnyView {
                $page().into_any()
            }
        }
    };
}

lazy_page!(
    /// `/s/:id`: a studio and its voice room.
    Studio => super::studio_page::StudioPage
);
lazy_page!(
    /// `/calls`: the calls history.
    Calls => super::calls_page::CallsPage
);
