//! A call's media room in the browser: signalling to the media server
//! (embedded SFU or LiveKit) over a WebSocket, a publisher and a subscriber
//! RTCPeerConnection, the microphone, and an `<audio>` element per remote
//! track. One async task per room owns all of it and takes its inputs from a
//! channel, so browser callbacks only queue events and nothing is shared.
//! Dropping the handle (or `close`) leaves the room and releases everything.

mod audio;
pub(crate) mod js;
mod peer;
mod run;
mod session;
mod socket;

use futures_channel::mpsc::{unbounded, UnboundedSender};
use web_sys::{MediaStreamTrack, RtcPeerConnectionState};

use crate::contract::call_types::RoomAccess;
use crate::room::prefs::{AudioPrefs, MICROPHONE_KEY, PROCESSING_KEY, SPEAKER_KEY};
use crate::room::{LocalAudio, RoomPeer, RoomPhase};

/// How the room reports to the UI.
pub struct RoomCallbacks {
    pub on_phase: Box<dyn Fn(RoomPhase)>,
    pub on_peers: Box<dyn Fn(Vec<RoomPeer>)>,
    pub on_local: Box<dyn Fn(LocalAudio)>,
}

pub(crate) enum Command {
    Mute(bool),
    Microphone(String),
    Speaker(String),
    Close,
}

/// Everything the room's task reacts to. Events of a connection carry its
/// generation, so a late event from a dropped connection is ignored.
pub(crate) enum Input {
    SocketOpen(u32),
    Frame(u32, Vec<u8>),
    SocketClosed(u32),
    LocalCandidate {
        generation: u32,
        subscriber: bool,
        init: String,
    },
    PeerState {
        generation: u32,
        subscriber: bool,
        state: RtcPeerConnectionState,
    },
    Track {
        generation: u32,
        stream_id: String,
        track: MediaStreamTrack,
    },
    /// The microphone asked for at the start, opened (or refused).
    MicOpened(Result<audio::Microphone, String>),
    DevicesChanged,
    Tick,
    Command(Command),
}

impl Input {
    /// Whether the signalling socket sent it (tagged with its link).
    fn is_socket_event(&self) -> bool {
        matches!(
            self,
            Self::SocketOpen(_) | Self::Frame(..) | Self::SocketClosed(_)
        )
    }

    fn generation(&self) -> Option<u32> {
        match self {
            Self::SocketOpen(g) | Self::Frame(g, _) | Self::SocketClosed(g) => Some(*g),
            Self::LocalCandidate { generation, .. }
            | Self::PeerState { generation, .. }
            | Self::Track { generation, .. } => Some(*generation),
            Self::MicOpened(_) | Self::DevicesChanged | Self::Tick | Self::Command(_) => None,
        }
    }
}

/// The handle the UI holds while in a room.
pub struct CallRoom {
    tx: UnboundedSender<Input>,
}

impl CallRoom {
    pub fn connect(access: &RoomAccess, callbacks: RoomCallbacks) -> Self {
        let (tx, rx) = unbounded();
        let ctx = run::Ctx::new(load_prefs(), access.token.clone(), callbacks, tx.clone());
        // The link opens now: the task below first runs only after the
        // page has rendered what changed with the call (tens of ms).
        let first = session::Session::open(1, &access.room_url, &access.token, &tx);
        wasm_bindgen_futures::spawn_local(run::run(access.room_url.clone(), ctx, rx, first));
        Self { tx }
    }

    fn send(&self, command: Command) {
        let _ = self.tx.unbounded_send(Input::Command(command));
    }

    pub fn set_muted(&self, muted: bool) {
        self.send(Command::Mute(muted));
    }

    pub fn choose_microphone(&self, device_id: String) {
        self.send(Command::Microphone(device_id));
    }

    pub fn choose_speaker(&self, device_id: String) {
        self.send(Command::Speaker(device_id));
    }

    /// Leaves the room (telling the server) and releases everything.
    pub fn close(&self) {
        self.send(Command::Close);
    }
}

impl Drop for CallRoom {
    fn drop(&mut self) {
        self.close();
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn load_prefs() -> AudioPrefs {
    let Some(store) = storage() else {
        return AudioPrefs::default();
    };
    let get = |key: &str| store.get_item(key).ok().flatten();
    AudioPrefs::from_stored(get(MICROPHONE_KEY), get(SPEAKER_KEY), get(PROCESSING_KEY))
}

/// Remembers a chosen device for the next call.
fn save_pref(key: &str, value: &str) {
    if let Some(store) = storage() {
        let _ = store.set_item(key, value);
    }
}
