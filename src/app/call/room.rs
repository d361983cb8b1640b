//! `use_call_room`: a media room as signals. Give it the room access (a
//! token) and it joins; give it `None` and it leaves. The UI only renders
//! what these signals say and calls the methods.

use leptos::prelude::*;
use send_wrapper::SendWrapper;

use crate::client::call::{CallRoom, RoomCallbacks};
use crate::contract::call_types::RoomAccess;
use crate::room::{LocalAudio, RoomPeer, RoomPhase};

#[derive(Clone, Copy)]
pub struct CallRoomState {
    pub phase: RwSignal<RoomPhase>,
    /// Everyone in the media room, ourselves first.
    pub peers: RwSignal<Vec<RoomPeer>>,
    pub local: RwSignal<LocalAudio>,
    /// The open room (only ever `Some` in the browser, whose one thread
    /// makes and drops it).
    handle: StoredValue<Option<(String, SendWrapper<CallRoom>)>>,
    /// Which room the callbacks may speak for: a closed room's last words
    /// must not land on the next one.
    serial: StoredValue<u64>,
}

impl CallRoomState {
    fn with_room(&self, f: impl FnOnce(&CallRoom)) {
        self.handle.with_value(|h| {
            if let Some((_, room)) = h {
                f(room)
            }
        });
    }

    pub fn set_muted(&self, muted: bool) {
        self.with_room(|r| r.set_muted(muted));
    }

    pub fn choose_microphone(&self, device_id: String) {
        self.with_room(|r| r.choose_microphone(device_id));
    }

    pub fn choose_speaker(&self, device_id: String) {
        self.with_room(|r| r.choose_speaker(device_id));
    }

    /// The room peer of a Belfry user, if they are in the media room.
    pub fn peer_of(&self, user_id: &str) -> Option<RoomPeer> {
        self.peers
            .with(|peers| peers.iter().find(|p| p.identity == user_id).cloned())
    }
}

/// Joins the room `access` names while it is `Some`; one room at a time.
pub fn use_call_room(access: Signal<Option<RoomAccess>>) -> CallRoomState {
    let state = CallRoomState {
        phase: RwSignal::new(RoomPhase::Idle),
        peers: RwSignal::new(Vec::new()),
        local: RwSignal::new(LocalAudio::default()),
        handle: StoredValue::new(None),
        serial: StoredValue::new(0),
    };
    // Effects run only in the browser: the room exists only there.
    Effect::new(move |_| {
        let wanted = access.get();
        let current = state
            .handle
            .with_value(|h| h.as_ref().map(|(name, _)| name.clone()));
        if wanted.as_ref().map(|a| &a.room_name) == current.as_ref() {
            return;
        }
        // Dropping the old handle leaves its room; it reports no more.
        state.serial.update_value(|s| *s += 1);
        state.handle.set_value(None);
        state.peers.set(Vec::new());
        let Some(access) = wanted else {
            state.phase.set(RoomPhase::Idle);
            return;
        };
        let serial = state.serial.get_value() + 1;
        state.serial.set_value(serial);
        let current = move || state.serial.try_get_value() == Some(serial);
        let callbacks = RoomCallbacks {
            on_phase: Box::new(move |phase| {
                if current() {
                    state.phase.try_set(phase);
                }
            }),
            on_peers: Box::new(move |peers| {
                if current() {
                    state.peers.try_set(peers);
                }
            }),
            on_local: Box::new(move |local| {
                if current() {
                    state.local.try_set(local);
                }
            }),
        };
        let room = CallRoom::connect(&access, callbacks);
        state
            .handle
            .set_value(Some((access.room_name.clone(), SendWrapper::new(room))));
    });
    on_cleanup(move || state.handle.set_value(None));
    state
}
