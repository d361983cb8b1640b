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

use std::sync::{Arc, Mutex};

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::base64;
use crate::api::call_types::CallHistoryPage;
use crate::api::ids::{CallId, ChannelId, StudioId};
use crate::api::types::{ChannelDetail, MessagePage, Spaces, StudioDetail, UserView};
use crate::api::wire::{from_postcard, WIRE_VERSION};
use crate::api::{ApiError, ErrorKind};

/// A channel's header and newest page of messages.
pub type ChatData = Result<(ChannelDetail, MessagePage), ApiError>;
/// A studio and its members.
pub type StudioData = Result<StudioDetail, ApiError>;
/// The calls history, with the call a link pointed at.
pub type CallsData = Result<CallHistoryPage, ApiError>;

/// The id of the element holding the boot data.
pub const ELEMENT_ID: &str = "boot";

/// The data of the page at the address, for what the address names (`None`:
/// an id that is not one; for the calls page, the call linked to).
#[derive(Clone, Serialize, Deserialize)]
pub enum PageData {
    Chat(Option<ChannelId>, ChatData),
    Studio(Option<StudioId>, StudioData),
    Calls(Option<CallId>, CallsData),
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

/// The page data that came with the page, for the first page component to
/// ask (the one the page was rendered with). Later visits fetch afresh.
#[derive(Clone, Default)]
pub struct FirstPage(Arc<Mutex<Option<PageData>>>);

impl FirstPage {
    pub fn new(page: Option<PageData>) -> FirstPage {
        FirstPage(Arc::new(Mutex::new(page)))
    }

    /// The page data, handed over once.
    pub fn take(&self) -> Option<PageData> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

/// The boot data in context: on the server, put there by the page's
/// request (`server::app`); in the browser, by `hydrate` (lib.rs).
pub fn use_boot() -> Boot {
    use_context::<Boot>().unwrap_or_else(Boot::unreadable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boot_data_reads_back_as_written_and_junk_is_none() {
        let user = UserView {
            id: crate::api::ids::UserId(7),
            username: "ann".into(),
            display_name: "Ann".into(),
            avatar_color: "#123456".into(),
        };
        let boot = Boot {
            user: Ok(Some(user)),
            spaces: Some(Err(ApiError::new(ErrorKind::Internal, "db down"))),
            page: Some(PageData::Studio(
                None,
                Err(ApiError::new(ErrorKind::NotFound, "No such studio.")),
            )),
        };
        let text = boot.encode();
        assert!(text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+/.".contains(&b)));
        let back = Boot::decode(&format!("\n  {text}\n")).unwrap();
        assert_eq!(back.user.unwrap().unwrap().display_name, "Ann");
        assert_eq!(back.spaces.unwrap().unwrap_err().message, "db down");
        let Some(PageData::Studio(None, Err(e))) = back.page else {
            panic!("not the studio page's data");
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

    #[test]
    fn the_page_data_is_handed_over_once() {
        let err = || Err(ApiError::new(ErrorKind::Forbidden, "No access."));
        let first = FirstPage::new(Some(PageData::Chat(Some(ChannelId(3)), err())));
        assert!(matches!(
            first.take(),
            Some(PageData::Chat(Some(ChannelId(3)), Err(_)))
        ));
        assert!(first.take().is_none());
    }
}
