//! What the server already knows when it renders a page: who is signed in,
//! their channels and studios, and the data of the page at the address (a
//! chat, a studio, the calls history). The server gathers it before
//! rendering (`server::boot`), renders the page from it, and writes it into
//! the page (postcard as base64, in `<script id="boot">`); the browser reads
//! it back before hydrating, so the page hydrates from the same values
//! without a request. Pages reached later in the tab fetch their own
//! (`page_data`).
//!
//! Why not Leptos resources: they hydrate their values too, but the async
//! machinery behind them (suspense, async-derived signals, their
//! serialisation) is about 24 KB gzip of WASM, on every page.

use std::marker::PhantomData;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::base64;
use super::call_types::{CallHistoryPage, CallView};
use super::ids::{CallId, ChannelId, StudioId};
use super::types::{ChannelDetail, MemberDirectory, MessagePage, Spaces, StudioDetail, UserView};
use super::wire::{from_postcard, WIRE_VERSION};
use super::{ApiError, ErrorKind};

/// What opening a channel shows: its header, its newest page of messages
/// and its live call, if any (one request, `open_chat`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct ChatOpen {
    pub detail: ChannelDetail,
    pub page: MessagePage,
    pub call: Option<CallView>,
}

/// A channel, opened.
pub type ChatData = Result<ChatOpen, ApiError>;
/// A studio and its members.
pub type StudioData = Result<StudioDetail, ApiError>;
/// The calls history, with the call a link pointed at.
pub type CallsData = Result<CallHistoryPage, ApiError>;
/// The community's members.
pub type PeopleData = Result<MemberDirectory, ApiError>;
/// My groups and their members.
pub type GroupsData = Result<super::groups::GroupsOverview, ApiError>;

/// A split page's data, kept as its own postcard bytes: only that page's
/// code (split out of the main WASM, `app::lazy_pages`) reads them, so the
/// main WASM carries no decoder for that page's types (about 1 KB gzip for
/// the studio, calls, people and groups pages).
pub struct Packed<T> {
    bytes: Vec<u8>,
    of: PhantomData<fn() -> T>,
}

impl<T> Clone for Packed<T> {
    fn clone(&self) -> Self {
        Self {
            bytes: self.bytes.clone(),
            of: PhantomData,
        }
    }
}

impl<T: Serialize> Packed<T> {
    pub fn new(value: &T) -> Self {
        Self {
            bytes: postcard::to_allocvec(value).unwrap_or_default(),
            of: PhantomData,
        }
    }
}

impl<T: DeserializeOwned> Packed<T> {
    /// The value, if the bytes are one (they came from this build).
    pub fn open(&self) -> Option<T> {
        from_postcard(&self.bytes).ok()
    }
}

impl<T> Serialize for Packed<T> {
    fn serialize<S: serde::Serializer>(&self, to: S) -> Result<S::Ok, S::Error> {
        to.serialize_bytes(&self.bytes)
    }
}

impl<'de, T> Deserialize<'de> for Packed<T> {
    fn deserialize<D: serde::Deserializer<'de>>(from: D) -> Result<Self, D::Error> {
        Ok(Self {
            bytes: serde_bytes_vec(from)?,
            of: PhantomData,
        })
    }
}

/// Bytes as `serialize_bytes` wrote them.
fn serde_bytes_vec<'de, D: serde::Deserializer<'de>>(from: D) -> Result<Vec<u8>, D::Error> {
    struct Bytes;
    impl<'de> serde::de::Visitor<'de> for Bytes {
        type Value = Vec<u8>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("bytes")
        }
        fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Vec<u8>, E> {
            Ok(v.to_vec())
        }
        fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
            Ok(v)
        }
    }
    from.deserialize_byte_buf(Bytes)
}

/// The id of the element holding the boot data.
pub const ELEMENT_ID: &str = "boot";

/// The data of the page at the address, for what the address names (`None`:
/// an id that is not one; for the calls page, the call linked to).
#[derive(Clone, Serialize, Deserialize)]
pub enum PageData {
    Chat(Option<ChannelId>, Box<ChatData>),
    Studio(Option<StudioId>, Packed<StudioData>),
    Calls(Option<CallId>, Packed<CallsData>),
    People(Packed<PeopleData>),
    Groups(Packed<GroupsData>),
}

#[derive(Clone, Serialize, Deserialize)]
pub struct Boot {
    /// Who is signed in (`None`: nobody).
    pub user: Result<Option<UserView>, ApiError>,
    /// Their channels and studios, on the pages that show them.
    pub spaces: Option<Result<Spaces, ApiError>>,
    /// The page's own data, on the pages that have some.
    pub page: Option<PageData>,
}

impl Boot {
    /// A page whose boot data is missing or unreadable (a cached page of
    /// another build): nothing is assumed, and reloading mends it.
    pub fn unreadable() -> Boot {
        Boot {
            user: Err(ApiError::new(
                ErrorKind::Conflict,
                "Belfry has been updated. Reload this page to carry on.",
            )),
            spaces: None,
            page: None,
        }
    }

    /// As the page's text: the layout it is in (`api::wire`), then the
    /// value as base64 (which needs no escaping in HTML).
    pub fn encode(&self) -> String {
        let bytes = postcard::to_allocvec(self).unwrap_or_default();
        format!("{WIRE_VERSION}.{}", base64::encode(&bytes))
    }

    /// Read back from the page's text, if it is in this build's layout (a
    /// page cached from another build is not read).
    pub fn decode(text: &str) -> Option<Boot> {
        let (layout, value) = text.trim().split_once('.')?;
        if layout != WIRE_VERSION.to_string() {
            return None;
        }
        from_postcard(&base64::decode(value)?).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boot_data_reads_back_as_written_and_junk_is_none() {
        let user = UserView {
            id: super::super::ids::UserId(7),
            username: "ann".into(),
            display_name: "Ann".into(),
            avatar_color: "#123456".into(),
        };
        let boot = Boot {
            user: Ok(Some(user)),
            spaces: Some(Err(ApiError::new(ErrorKind::Internal, "db down"))),
            page: Some(PageData::Studio(
                None,
                Packed::new(&Err(ApiError::new(ErrorKind::NotFound, "No such studio."))),
            )),
        };
        let text = boot.encode();
        assert!(text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+/.".contains(&b)));
        let back = Boot::decode(&format!("\n  {text}\n")).unwrap();
        assert_eq!(back.user.unwrap().unwrap().display_name, "Ann");
        assert_eq!(back.spaces.unwrap().unwrap_err().message, "db down");
        let Some(PageData::Studio(None, packed)) = back.page else {
            panic!("not the studio page's data");
        };
        let Some(Err(e)) = packed.open() else {
            panic!("the studio's data reads back");
        };
        assert_eq!(e.kind, ErrorKind::NotFound);
        assert!(Boot::decode("").is_none());
        assert!(Boot::decode("not base64!").is_none());
        // Valid base64 of something that is not boot data.
        let layout = WIRE_VERSION.to_string();
        assert!(Boot::decode(&text[..layout.len() + 5]).is_none());
        // Boot data of another build's layout.
        let other = text.replacen(&layout, &(WIRE_VERSION + 1).to_string(), 1);
        assert!(Boot::decode(&other).is_none());
    }
}
