//! The boot data in the app: its types are the contract's
//! (`contract::boot`); here the page data handed to the first page, and
//! the boot data as the app reads it from context.

use std::sync::{Arc, Mutex};

use leptos::prelude::*;

pub use crate::contract::boot::*;

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
    use crate::contract::ids::ChannelId;
    use crate::contract::{ApiError, ErrorKind};

    #[test]
    fn the_page_data_is_handed_over_once() {
        let err = || Err(ApiError::new(ErrorKind::Forbidden, "No access."));
        let first = FirstPage::new(Some(PageData::Chat(Some(ChannelId(3)), Box::new(err()))));
        assert!(matches!(
            first.take(),
            Some(PageData::Chat(Some(ChannelId(3)), data)) if data.is_err()
        ));
        assert!(first.take().is_none());
    }
}
