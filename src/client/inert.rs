//! The server build's twin of `client/`: the same API, doing nothing. Only
//! effects and event handlers call these, and those never run on the server.

use crate::api::events::{LinkState, LiveEvent};

pub mod live {
    use super::*;

    pub struct LiveHandlers {
        pub on_event: Box<dyn Fn(LiveEvent)>,
        pub on_resync: Box<dyn Fn()>,
        pub on_link: Box<dyn Fn(LinkState)>,
        pub on_signed_out: Box<dyn Fn()>,
    }

    pub struct LiveConnection;

    impl LiveConnection {
        pub fn open(_handlers: LiveHandlers) -> Self {
            Self
        }

        pub fn close(&self) {}
    }
}

pub fn local_time(_ms: i64) -> Option<String> {
    None
}

pub fn new_nonce() -> String {
    String::new()
}

pub fn reload_to(_path: &str) {}

pub fn mark_hydrated() {}
