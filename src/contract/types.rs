//! The views the server sends to the browser.

use serde::{Deserialize, Serialize};

use super::ids::{CallId, ChannelId, CommunityId, MessageId, StudioId, UserId};

/// A person as others see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct UserView {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    /// A background colour for the avatar, chosen for white text at WCAG AA.
    pub avatar_color: String,
}

impl UserView {
    /// One or two letters for the avatar: the initials of the display name.
    pub fn initials(&self) -> String {
        initials_of(&self.display_name)
    }
}

pub fn initials_of(name: &str) -> String {
    let mut words = name.split_whitespace().filter_map(|w| w.chars().next());
    let first = words.next();
    let last = words.next_back();
    to_upper(&first.into_iter().chain(last).collect::<String>())
}

/// Unicode upper case. In the browser the browser does it: Rust's own case
/// tables would add ~30 KB to the WASM for one or two letters per avatar.
/// Both follow Unicode's default mapping, so server and browser agree.
fn to_upper(s: &str) -> String {
    #[cfg(all(feature = "hydrate", target_arch = "wasm32"))]
    {
        js_sys::JsString::from(s).to_upper_case().into()
    }
    #[cfg(not(all(feature = "hydrate", target_arch = "wasm32")))]
    {
        s.to_uppercase()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Member,
    Coordinator,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Member => "member",
            Self::Coordinator => "coordinator",
            Self::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "member" => Some(Self::Member),
            "coordinator" => Some(Self::Coordinator),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }

    /// Coordinators and admins moderate: create group channels now, end or
    /// moderate calls later.
    pub fn moderates(self) -> bool {
        matches!(self, Self::Coordinator | Self::Admin)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct CommunityView {
    pub id: CommunityId,
    pub name: String,
    /// The viewer's own role in it.
    pub role: Role,
}

/// A member of a community, as the People page lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct Member {
    pub user: UserView,
    pub role: Role,
    /// Belfry is open in one of their tabs now.
    pub online: bool,
    /// Connected to a live call now.
    pub in_call: bool,
}

/// The People page: a community and its members, by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct MemberDirectory {
    pub community: CommunityView,
    pub members: Vec<Member>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    /// Two people.
    Direct,
    /// Chosen members.
    Group,
    /// Every member of the community.
    Parish,
}

impl ChannelKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Direct => "direct",
            Self::Group => "group",
            Self::Parish => "parish",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "direct" => Some(Self::Direct),
            "group" => Some(Self::Group),
            "parish" => Some(Self::Parish),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct ChannelSummary {
    pub id: ChannelId,
    pub community_id: CommunityId,
    pub kind: ChannelKind,
    /// For a direct channel, the other person's display name.
    pub name: String,
    pub member_count: u32,
    /// Messages since I last read it, not mine (at most 100: "99+").
    pub unread: u32,
    /// The latest message's first words, "Name: text", if any.
    pub latest: Option<String>,
    /// An archived group: its messages are read, nothing new is posted and
    /// it takes no calls, until a coordinator restores it.
    #[serde(default)]
    pub archived: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct ChannelDetail {
    pub channel: ChannelSummary,
    pub members: Vec<UserView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct StudioSummary {
    pub id: StudioId,
    pub name: String,
    pub member_count: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct StudioDetail {
    pub studio: StudioSummary,
    pub members: Vec<UserView>,
    /// The viewer owns it: they add and remove its people.
    #[serde(default)]
    pub manages: bool,
}

/// Everything the navigation shows: where the viewer belongs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct Spaces {
    pub communities: Vec<CommunityView>,
    pub channels: Vec<ChannelSummary>,
    pub studios: Vec<StudioSummary>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct MessageView {
    pub id: MessageId,
    pub channel_id: ChannelId,
    /// None when the author's account was deleted.
    pub author: Option<UserView>,
    pub body: String,
    /// Unix milliseconds.
    pub created_at: i64,
    /// The sender's idempotency key, echoed so a tab can match its own sends.
    pub client_nonce: Option<String>,
    #[serde(default)]
    pub kind: MessageKind,
    /// For a call summary: the call it summarises.
    #[serde(default)]
    pub call_id: Option<CallId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// Written by a person.
    #[default]
    Text,
    /// A finished call's summary ("Voice call · 2m 34s").
    Call,
}

/// One page of a channel's history, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct MessagePage {
    pub messages: Vec<MessageView>,
    /// Whether older messages exist before the first one here.
    pub has_more: bool,
}

/// Limits the server enforces and the UI mirrors.
pub const MAX_MESSAGE_CHARS: usize = 4000;
pub const DEFAULT_PAGE: u32 = 50;
pub const MAX_PAGE: u32 = 200;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_take_the_first_and_last_words() {
        assert_eq!(initials_of("Alice Martin"), "AM");
        assert_eq!(initials_of("mary ann de la cruz"), "MC");
        assert_eq!(initials_of("Bob"), "B");
        assert_eq!(initials_of("  "), "");
        assert_eq!(
            initials_of("élodie ßtrauss"),
            "ÉSS",
            "upper-casing may lengthen"
        );
    }
}

/// The most of the latest message a channel's summary carries.
const LATEST_CHARS: usize = 48;

/// The start of a channel's latest message ("Name: text"), on one line and
/// cut at a word when too long.
pub fn first_words(text: &str) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= LATEST_CHARS {
        return text;
    }
    let cut: String = text.chars().take(LATEST_CHARS).collect();
    // At the last space, unless that would drop most of it.
    let cut = match cut.rsplit_once(' ') {
        Some((head, _)) if head.chars().count() >= LATEST_CHARS / 2 => head,
        _ => cut.as_str(),
    };
    format!("{cut}…")
}

#[cfg(test)]
mod first_words_tests {
    use super::first_words;

    #[test]
    fn a_long_message_is_cut_at_a_word_and_spaces_fold() {
        assert_eq!(
            first_words("Carol:  Rehearsal\nmoves"),
            "Carol: Rehearsal moves"
        );
        let long = format!("Bob: {}", "word ".repeat(40));
        let cut = first_words(&long);
        assert!(cut.ends_with("word…"), "{cut}");
        assert!(cut.chars().count() <= 49, "{cut}");
        let one = format!("Bob: {}", "x".repeat(200));
        assert_eq!(
            first_words(&one).chars().count(),
            49,
            "no space: cut anyway"
        );
    }
}
