//! The server build's twin of `client/`: the same API, doing nothing. Only
//! effects and event handlers call these, and those never run on the server.

use crate::contract::events::{LinkState, LiveEvent};

pub mod live {
    use super::*;

    pub struct LiveHandlers {
        pub on_event: Box<dyn Fn(LiveEvent)>,
        pub on_resync: Box<dyn Fn()>,
        pub on_link: Box<dyn Fn(LinkState)>,
        pub on_signed_out: Box<dyn Fn()>,
    }

    pub struct LiveConnection;

    pub fn reading(_at: Option<(i64, i64)>) {}

    pub fn shows(_channel: i64) -> bool {
        false
    }

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

pub fn local_date(_ms: i64) -> Option<String> {
    None
}

pub fn origin() -> String {
    String::new()
}

pub fn copy_text(_text: &str) -> bool {
    false
}

pub fn new_nonce() -> String {
    String::new()
}

pub async fn pause(_ms: u32) {}

pub fn reload_to(_path: &str) {}

pub fn reload() {}

pub fn mark_hydrated() {}

pub mod call {
    use crate::contract::call_types::RoomAccess;
    use crate::room::{LocalAudio, RoomPeer, RoomPhase};

    pub struct RoomCallbacks {
        pub on_phase: Box<dyn Fn(RoomPhase)>,
        pub on_peers: Box<dyn Fn(Vec<RoomPeer>)>,
        pub on_local: Box<dyn Fn(LocalAudio)>,
    }

    pub struct CallRoom;

    impl CallRoom {
        pub fn connect(_access: &RoomAccess, _callbacks: RoomCallbacks) -> Self {
            Self
        }

        pub fn set_muted(&self, _muted: bool) {}

        pub fn choose_microphone(&self, _device_id: String) {}

        pub fn choose_speaker(&self, _device_id: String) {}

        pub fn close(&self) {}
    }
}

pub mod navigation {
    pub fn address() -> Option<(String, String)> {
        None
    }

    pub fn follow(_on_move: impl Fn(String, String) + 'static) {}

    pub fn go(_to: &str, _replace: bool) {}
}

pub mod focus {
    pub fn enter(_id: &str) {}

    pub fn restore() {}

    pub fn typing() -> bool {
        false
    }
}

pub mod ring {
    pub struct Ringer;

    impl Ringer {
        pub fn start(_on_state: impl Fn() + 'static) -> Option<Self> {
            None
        }

        pub fn blocked(&self) -> bool {
            false
        }

        pub fn unblock(&self) {}

        pub fn rings(&self) -> u32 {
            0
        }
    }
}

pub mod pwa {
    use crate::calls::ids::CallId;

    pub use crate::contract::push::{PushKeys, PushSupport};

    pub fn register_service_worker() {}

    pub async fn push_status() -> PushSupport {
        PushSupport::Unsupported
    }

    pub async fn current_push() -> Option<PushKeys> {
        None
    }

    pub async fn subscribe_push(_server_key: &str) -> Result<PushKeys, String> {
        Err(String::new())
    }

    pub async fn unsubscribe_push() -> Option<String> {
        None
    }

    pub fn device_id() -> String {
        String::new()
    }

    pub fn set_app_badge(_count: u32) {}

    pub fn on_install_offer(_offered: impl Fn(bool) + 'static) {}

    pub fn install() {}

    pub fn on_call_message(_f: impl Fn(CallId, bool) + 'static) {}

    pub fn take_deep_link() -> Option<CallId> {
        None
    }
}
