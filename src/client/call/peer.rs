//! One RTCPeerConnection (publisher or subscriber) with its event hooks and
//! the remote candidates that arrive before its remote description.

use futures_channel::mpsc::UnboundedSender;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{
    RtcConfiguration, RtcIceCandidateInit, RtcIceServer, RtcOfferOptions, RtcPeerConnection,
    RtcPeerConnectionIceEvent, RtcSdpType, RtcSessionDescriptionInit, RtcTrackEvent,
};

use super::js;
use super::Input;
use crate::room::model::IceServer;
use crate::room::sdp::{voice_offer, RED_KEY};

pub struct Peer {
    pub pc: RtcPeerConnection,
    has_remote: bool,
    /// Remote candidates waiting for the remote description.
    pending: Vec<RtcIceCandidateInit>,
    _callbacks: Vec<Closure<dyn FnMut(JsValue)>>,
}

impl Peer {
    pub fn new(
        subscriber: bool,
        ice_servers: &[IceServer],
        generation: u32,
        tx: &UnboundedSender<Input>,
    ) -> Result<Self, String> {
        let config = RtcConfiguration::new();
        let servers = js_sys::Array::new();
        for server in ice_servers {
            let s = RtcIceServer::new();
            let urls: js_sys::Array = server.urls.iter().map(|u| JsValue::from_str(u)).collect();
            s.set_urls(&urls);
            if !server.username.is_empty() {
                s.set_username(&server.username);
                s.set_credential(&server.credential);
            }
            servers.push(&s);
        }
        config.set_ice_servers(&servers);
        let pc =
            RtcPeerConnection::new_with_configuration(&config).map_err(|e| js::describe(&e))?;

        let mut callbacks = Vec::new();
        let on_candidate = {
            let tx = tx.clone();
            Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
                let candidate = event
                    .dyn_into::<RtcPeerConnectionIceEvent>()
                    .ok()
                    .and_then(|e| e.candidate());
                let Some(candidate) = candidate else { return };
                if let Some(init) = js_sys::JSON::stringify(&candidate.to_json())
                    .ok()
                    .and_then(|s| s.as_string())
                {
                    let _ = tx.unbounded_send(Input::LocalCandidate {
                        generation,
                        subscriber,
                        init,
                    });
                }
            })
        };
        pc.set_onicecandidate(Some(on_candidate.as_ref().unchecked_ref()));
        callbacks.push(on_candidate);

        let on_state = {
            let tx = tx.clone();
            let pc = pc.clone();
            Closure::<dyn FnMut(JsValue)>::new(move |_| {
                let _ = tx.unbounded_send(Input::PeerState {
                    generation,
                    subscriber,
                    state: pc.connection_state(),
                });
            })
        };
        pc.set_onconnectionstatechange(Some(on_state.as_ref().unchecked_ref()));
        callbacks.push(on_state);

        if subscriber {
            let tx = tx.clone();
            let on_track = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
                let Ok(event) = event.dyn_into::<RtcTrackEvent>() else {
                    return;
                };
                let stream_id = event
                    .streams()
                    .get(0)
                    .dyn_into::<web_sys::MediaStream>()
                    .map(|s| s.id())
                    .unwrap_or_default();
                let _ = tx.unbounded_send(Input::Track {
                    generation,
                    stream_id,
                    track: event.track(),
                });
            });
            pc.set_ontrack(Some(on_track.as_ref().unchecked_ref()));
            callbacks.push(on_track);
        }
        Ok(Self {
            pc,
            has_remote: false,
            pending: Vec::new(),
            _callbacks: callbacks,
        })
    }

    /// Sets the remote description, then any candidates that waited for it.
    pub async fn set_remote(&mut self, kind: RtcSdpType, sdp: &str) -> Result<(), String> {
        let description = RtcSessionDescriptionInit::new(kind);
        description.set_sdp(sdp);
        js::wait(self.pc.set_remote_description(&description)).await?;
        self.has_remote = true;
        for candidate in std::mem::take(&mut self.pending) {
            let promise = self
                .pc
                .add_ice_candidate_with_opt_rtc_ice_candidate_init(Some(&candidate));
            // A candidate the browser rejects is skipped, not fatal.
            let _ = js::wait(promise).await;
        }
        Ok(())
    }

    /// A remote candidate from signalling (JSON of an RTCIceCandidateInit).
    pub async fn add_candidate(&mut self, init: &str) -> Result<(), String> {
        let parsed = js_sys::JSON::parse(init).map_err(|e| js::describe(&e))?;
        if !parsed.is_object() {
            return Err("a candidate that is not an object".into());
        }
        let candidate: RtcIceCandidateInit = parsed.unchecked_into();
        if !self.has_remote {
            self.pending.push(candidate);
            return Ok(());
        }
        let promise = self
            .pc
            .add_ice_candidate_with_opt_rtc_ice_candidate_init(Some(&candidate));
        js::wait(promise).await.map(|_| ())
    }

    /// Creates an offer (with new ICE credentials when `ice_restart`, and
    /// tuned for voice: room/sdp.rs) or an answer, sets it locally and
    /// returns its SDP.
    pub async fn describe_local(&self, offer: bool, ice_restart: bool) -> Result<String, String> {
        let promise = if offer {
            let options = RtcOfferOptions::new();
            options.set_ice_restart(ice_restart);
            self.pc.create_offer_with_rtc_offer_options(&options)
        } else {
            self.pc.create_answer()
        };
        let description = js::wait(promise).await?;
        let sdp = js_sys::Reflect::get(&description, &"sdp".into())
            .ok()
            .and_then(|s| s.as_string())
            .ok_or("the browser gave a description without SDP")?;
        let sdp = if offer {
            voice_offer(&sdp, red_wanted())
        } else {
            sdp
        };
        let init = RtcSessionDescriptionInit::new(if offer {
            RtcSdpType::Offer
        } else {
            RtcSdpType::Answer
        });
        init.set_sdp(&sdp);
        js::wait(self.pc.set_local_description(&init)).await?;
        Ok(sdp)
    }

    /// Closes the connection; no further events from it.
    pub fn close(&self) {
        self.pc.set_onicecandidate(None);
        self.pc.set_onconnectionstatechange(None);
        self.pc.set_ontrack(None);
        self.pc.close();
    }
}

/// RED unless this browser's settings say "off" (room/sdp.rs).
fn red_wanted() -> bool {
    let stored = web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item(RED_KEY).ok().flatten());
    stored.as_deref() != Some("off")
}

impl Drop for Peer {
    fn drop(&mut self) {
        self.close();
    }
}
