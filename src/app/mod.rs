//! The UI: the HTML shell, routes, and the pages and components of Belfry.

mod api_tokens_card;
mod arriving;
mod auth_pages;
mod avatar;
pub mod boot;
mod call;
mod calls_page;
mod chat_page;
mod common;
mod composer;
mod conversation;
mod copy_field;
mod device_settings;
mod groups_page;
mod icons;
mod invitations_panel;
mod layout;
mod lazy_pages;
mod live;
mod member_admin;
mod page_data;
mod people_page;
mod profile_page;
mod router;
mod session;
mod sidebar;
mod studio_members;
mod studio_page;
mod webhooks_panel;

use leptos::prelude::*;

pub use router::{query_value, Page};

pub use boot::Boot;
pub use session::Session;

/// Keeps an install offer that comes before the app listens for one.
const KEEP_INSTALL_OFFER: &str = "addEventListener('beforeinstallprompt',function(e){\
    e.preventDefault();window.__belfryInstallOffer=e})";

/// The tab's icon (`public/favicon.svg`, which the installed app and its
/// notifications use) written into the page as a data URL: a few hundred
/// bytes in the page instead of a request, and a revalidation after every
/// change of address, for each page. Made once, on the first page.
static FAVICON_INLINE: std::sync::LazyLock<String> = std::sync::LazyLock::new(favicon_inline);

fn favicon_inline() -> String {
    let svg = include_str!("../../public/favicon.svg").trim();
    let mut url = String::from("data:image/svg+xml,");
    for c in svg.chars() {
        match c {
            '"' => url.push_str("%22"),
            '%' => url.push_str("%25"),
            '#' => url.push_str("%23"),
            '<' => url.push_str("%3C"),
            '>' => url.push_str("%3E"),
            '\n' => url.push_str("%0A"),
            c => url.push(c),
        }
    }
    url
}

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover" />
                <meta name="theme-color" content="#1e3a8a" />
                <link rel="icon" href=FAVICON_INLINE.as_str() type="image/svg+xml" />
                <link rel="manifest" href="/manifest.webmanifest" />
                <link rel="apple-touch-icon" href="/apple-touch-icon.png" />
                <meta name="mobile-web-app-capable" content="yes" />
                // The browser may offer to install Belfry before the app
                // has loaded: the offer is kept for it (client/pwa.rs).
                <script inner_html=KEEP_INSTALL_OFFER></script>
                // What the page was rendered from, for hydrating it (`boot`).
                {use_context::<Boot>().map(|boot| {
                    view! { <script id=boot::ELEMENT_ID type="application/octet-stream" inner_html=boot.encode()></script> }
                })}
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
    let location = router::provide_location();
    Effect::new(|_| {
        crate::client::mark_hydrated();
        crate::client::pwa::register_service_worker();
    });
    // The signed-in frame (navigation, call panel) stays up while the pages
    // inside it change: this changes only on leaving it.
    let outside = Memo::new(move |_| Some(location.page.get()).filter(|p| !p.signed_in()));
    move || match outside.get() {
        None => view! { <layout::AppLayout /> }.into_any(),
        Some(Page::NotFound) => view! { <common::NotFound /> }.into_any(),
        Some(page) => view! { <lazy_pages::LazyPage page /> }.into_any(),
    }
}

/// The page inside the signed-in frame. Leaving the frame keeps the last
/// one, as the frame goes too.
fn signed_in_page() -> impl IntoView {
    let location = router::use_location();
    let page = Memo::new(move |last: Option<&Page>| match location.page.get() {
        page if page.signed_in() => page,
        page => last.copied().unwrap_or(page),
    });
    move || match page.get() {
        Page::Home => view! { <layout::Welcome /> }.into_any(),
        Page::Chat => view! { <chat_page::ChatPage /> }.into_any(),
        page => view! { <lazy_pages::LazyPage page /> }.into_any(),
    }
}

/// In the browser, before hydrating: the code of the page at this address,
/// if it is split out (`lazy_pages`), so the page hydrates with it.
#[cfg(feature = "hydrate")]
pub async fn fetch_page_code() {
    if let Some((path, _)) = crate::client::navigation::address() {
        lazy_pages::fetch_before_hydrating(&path).await;
    }
}
