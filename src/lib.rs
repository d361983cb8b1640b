//! Belfry: voice calling for community chat web apps.
//!
//! One crate, two targets: the server (`ssr`) renders pages, answers server
//! functions and streams live events; the browser build (`hydrate`) hydrates
//! the same components. Modules are gated whole, never statement by statement.
#![recursion_limit = "256"]

pub mod api;
pub mod app;
pub mod calls;
pub mod contract;
pub mod room;

#[cfg(feature = "hydrate")]
pub mod client;
/// On the server the browser hooks exist as inert twins, so components call
/// them without feature gates.
#[cfg(not(feature = "hydrate"))]
#[path = "client/inert.rs"]
pub mod client;

#[cfg(feature = "ssr")]
pub mod media;
#[cfg(feature = "ssr")]
pub mod server;

/// The whole site's router: the server with the app's pages. (The server
/// renders the app without depending on it; this is where the two meet.)
#[cfg(feature = "ssr")]
pub fn router(state: server::state::AppState) -> axum::Router {
    server::app::router(state, app::shell, api::described::all)
}

/// The API's OpenAPI document, server functions included (`belfry openapi`).
#[cfg(feature = "ssr")]
pub fn api_document() -> serde_json::Value {
    server::openapi::describe_server_fns(api::described::all);
    server::openapi::document()
}

/// The browser entry point: hydrate the server-rendered page. Where the
/// page is one whose code is split out (`app::lazy_pages`), that code is
/// fetched first, so the page hydrates with the rest.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    wasm_bindgen_futures::spawn_local(async {
        app::fetch_page_code().await;
        // What the page was rendered from. A page that this build cannot
        // read (from another build, mid-upgrade) is loaded again.
        let boot = match client::boot_text().and_then(|text| app::Boot::decode(&text)) {
            Some(boot) => boot,
            None if client::reload_for_update() => return,
            None => app::Boot::unreadable(),
        };
        leptos::mount::hydrate_body(move || {
            leptos::prelude::provide_context(boot);
            app::App()
        });
    });
}
