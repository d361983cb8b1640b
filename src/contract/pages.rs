//! Which page an address shows: the one table the server (to gather a
//! page's data and answer 404) and the browser's router both read.

/// The pages, by address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Page {
    /// `/`: the channel list on a phone, a welcome beside it on a desktop.
    Home,
    /// `/c/:id`: a channel's chat.
    Chat,
    /// `/s/:id`: a studio and its voice room.
    Studio,
    /// `/calls`: the calls history.
    Calls,
    /// `/people`: the community's members, to message or call.
    People,
    /// `/groups`: my group channels and their members.
    Groups,
    /// `/profile`: my name, colour, password and other devices.
    Profile,
    /// `/signin`.
    SignIn,
    /// `/signup`.
    SignUp,
    /// Any other address.
    NotFound,
}

impl Page {
    /// The page at `path` (the address's path, without `?…`). An id is one
    /// non-empty segment; whether it names a channel is the page's to say.
    pub fn at(path: &str) -> Page {
        let one_segment = |rest: &str| !rest.is_empty() && !rest.contains('/');
        match path {
            "/" => Page::Home,
            "/calls" => Page::Calls,
            "/people" => Page::People,
            "/groups" => Page::Groups,
            "/profile" => Page::Profile,
            "/signin" => Page::SignIn,
            "/signup" => Page::SignUp,
            _ if path.strip_prefix("/c/").is_some_and(one_segment) => Page::Chat,
            _ if path.strip_prefix("/s/").is_some_and(one_segment) => Page::Studio,
            _ => Page::NotFound,
        }
    }

    /// The pages inside the signed-in frame (navigation, call panel).
    pub fn signed_in(self) -> bool {
        matches!(
            self,
            Page::Home
                | Page::Chat
                | Page::Studio
                | Page::Calls
                | Page::People
                | Page::Groups
                | Page::Profile
        )
    }
}

/// The value of `name` in a query string (`callId=12&answer=1`). Belfry's
/// own queries carry plain numbers, so nothing is percent-decoded.
pub fn query_value<'q>(query: &'q str, name: &str) -> Option<&'q str> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}
