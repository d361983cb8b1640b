//! Which page an address shows, and moving between pages without a reload.
//!
//! Belfry's own router, in place of leptos_router: six pages, two of them
//! with an id, fit in a `match`. leptos_router's nested routes, with the
//! async hydration its lazy routes need, were 46 KB gzip of the browser
//! build, downloaded for every call. What it did for Belfry is here: the
//! page for an address ([`Page::at`]), the location as signals
//! ([`use_location`]), links followed in place (`client::navigation`),
//! [`navigate`], and [`Redirect`] (a 302 when the server renders it). The
//! server sends every address that is not a file or an API to the app
//! (`server::app`), which answers "not found" with a 404.

use leptos::prelude::*;

pub use crate::contract::pages::{query_value, Page};

/// Where the app is: the path, and the query string without its `?`.
#[derive(Clone, Copy)]
pub struct Location {
    pub path: RwSignal<String>,
    pub query: RwSignal<String>,
    /// [`Page::at`] the path, changing only when the page does.
    pub page: Memo<Page>,
}

/// Sets up the location for the app: the request's on the server, the
/// address bar's in the browser, which then follows links and Back.
pub fn provide_location() -> Location {
    let (path, query) = starting_address();
    let path = RwSignal::new(path);
    let query = RwSignal::new(query);
    let page = Memo::new(move |_| path.with(|p| Page::at(p)));
    let location = Location { path, query, page };
    provide_context(location);
    crate::client::navigation::follow(move |to_path, to_query| {
        query.set(to_query);
        path.set(to_path);
    });
    location
}

fn starting_address() -> (String, String) {
    #[cfg(feature = "ssr")]
    if let Some(parts) = use_context::<http::request::Parts>() {
        return (
            parts.uri.path().to_string(),
            parts.uri.query().unwrap_or_default().to_string(),
        );
    }
    crate::client::navigation::address().unwrap_or_else(|| ("/".into(), String::new()))
}

pub fn use_location() -> Location {
    expect_context::<Location>()
}

/// The id in the path after `prefix` (`"/c/"`), as written. Away from such
/// a path it keeps the last one, so a page on its way out does not reload.
pub fn use_id(prefix: &'static str) -> Memo<Option<String>> {
    let location = use_location();
    Memo::new(move |last: Option<&Option<String>>| {
        location.path.with(|path| match path.strip_prefix(prefix) {
            Some(id) => Some(id.to_string()),
            None => last.cloned().flatten(),
        })
    })
}

/// Goes to `to` (a path, with a query if any) in place, as a followed link
/// does, with a new entry in the history.
pub fn navigate(to: &str) {
    crate::client::navigation::go(to, false);
}

/// Sends the visitor to `path`: a 302 when the server renders this, and in
/// the browser a move in place that replaces the current history entry.
#[component]
pub fn Redirect(path: &'static str) -> impl IntoView {
    #[cfg(feature = "ssr")]
    leptos_axum::redirect(path);
    // After the render that made this, not during it.
    Effect::new(move |_| crate::client::navigation::go(path, true));
}

#[cfg(test)]
mod tests {
    use super::{query_value, Page};

    #[test]
    fn each_address_has_its_page() {
        assert_eq!(Page::at("/"), Page::Home);
        assert_eq!(Page::at("/c/12"), Page::Chat);
        assert_eq!(Page::at("/c/general"), Page::Chat);
        assert_eq!(Page::at("/s/3"), Page::Studio);
        assert_eq!(Page::at("/calls"), Page::Calls);
        assert_eq!(Page::at("/people"), Page::People);
        assert_eq!(Page::at("/profile"), Page::Profile);
        assert_eq!(Page::at("/groups"), Page::Groups);
        assert_eq!(Page::at("/signin"), Page::SignIn);
        assert_eq!(Page::at("/signup"), Page::SignUp);
        for other in [
            "", "/c", "/c/", "/c/1/", "/c/1/x", "/s//", "/calls/", "/call", "/x", "//",
        ] {
            assert_eq!(Page::at(other), Page::NotFound, "{other:?}");
        }
    }

    #[test]
    fn only_the_signed_in_pages_are_in_the_frame() {
        let inside = [
            Page::Home,
            Page::Chat,
            Page::Studio,
            Page::Calls,
            Page::People,
            Page::Groups,
            Page::Profile,
        ];
        let outside = [Page::SignIn, Page::SignUp, Page::NotFound];
        assert!(inside.iter().all(|p| p.signed_in()));
        assert!(!outside.iter().any(|p| p.signed_in()));
    }

    #[test]
    fn a_query_value_is_found_by_its_exact_name() {
        assert_eq!(query_value("callId=12&answer=1", "callId"), Some("12"));
        assert_eq!(query_value("callId=12&answer=1", "answer"), Some("1"));
        assert_eq!(query_value("xcallId=12", "callId"), None);
        assert_eq!(query_value("callId", "callId"), None);
        assert_eq!(query_value("", "callId"), None);
    }
}
