//! The UI: the HTML shell, routes, and the pages and components of Belfry.

mod auth_pages;
mod avatar;
mod call;
mod calls_page;
mod chat_page;
mod common;
mod composer;
mod conversation;
mod device_settings;
mod icons;
mod layout;
mod lazy_pages;
mod live;
mod resource;
mod session;
mod sidebar;
mod studio_page;

use leptos::prelude::*;
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{path, Lazy};

#[cfg(feature = "ssr")]
pub use resource::Fetches;
pub use session::Session;

/// Keeps an install offer that comes before the app listens for one.
const KEEP_INSTALL_OFFER: &str = "addEventListener('beforeinstallprompt',function(e){\
    e.preventDefault();window.__belfryInstallOffer=e})";

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover" />
                <meta name="theme-color" content="#1e3a8a" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <link rel="manifest" href="/manifest.webmanifest" />
                <link rel="apple-touch-icon" href="/apple-touch-icon.png" />
                <meta name="mobile-web-app-capable" content="yes" />
                // The browser may offer to install Belfry before the app
                // has loaded: the offer is kept for it (client/pwa.rs).
                <script inner_html=KEEP_INSTALL_OFFER></script>
                <title>"Belfry"</title>
                <link rel="stylesheet" id="belfry" href="/pkg/belfry.css" />
                <HydrationScripts options />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    session::provide_session();
    Effect::new(|_| {
        crate::client::mark_hydrated();
        crate::client::pwa::register_service_worker();
    });
    view! {
        <Router>
            <Routes fallback=|| view! { <common::NotFound /> }>
                <Route path=path!("/signin") view={Lazy::<lazy_pages::SignIn>::new()} />
                <Route path=path!("/signup") view={Lazy::<lazy_pages::SignUp>::new()} />
                <ParentRoute path=path!("") view=layout::AppLayout>
                    <Route path=path!("") view=layout::Welcome />
                    <Route path=path!("c/:id") view=chat_page::ChatPage />
                    <Route path=path!("s/:id") view={Lazy::<lazy_pages::Studio>::new()} />
                    <Route path=path!("calls") view={Lazy::<lazy_pages::Calls>::new()} />
                </ParentRoute>
            </Routes>
        </Router>
    }
}
