//! The microphone (getUserMedia), the browser's audio devices, and one
//! `<audio>` element per remote track, sent to the chosen speaker.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{
    HtmlAudioElement, MediaDeviceInfo, MediaDeviceKind, MediaDevices, MediaStream,
    MediaStreamConstraints, MediaStreamTrack, MediaStreamTrackState, MediaTrackConstraints,
};

use super::js;
use crate::room::prefs::AudioPrefs;
use crate::room::AudioDevice;

pub struct Microphone {
    pub stream: MediaStream,
    pub track: MediaStreamTrack,
}

fn media_devices() -> Result<MediaDevices, String> {
    web_sys::window()
        .ok_or("no window")?
        .navigator()
        .media_devices()
        .map_err(|_| "This browser cannot use a microphone here (it needs HTTPS).".to_string())
}

impl Microphone {
    /// Asks for the microphone, with the voice processing the prefs choose.
    pub async fn open(prefs: &AudioPrefs, device: Option<&str>) -> Result<Self, String> {
        let devices = media_devices()?;
        let audio = MediaTrackConstraints::new();
        audio.set_echo_cancellation_bool(prefs.processing);
        audio.set_noise_suppression_bool(prefs.processing);
        audio.set_auto_gain_control_bool(prefs.processing);
        audio.set_channel_count_i32(1);
        if let Some(id) = device {
            // A plain deviceId is a preference: a device since unplugged
            // falls back to the default rather than failing.
            audio.set_device_id_str(id);
        }
        let constraints = MediaStreamConstraints::new();
        constraints.set_audio(&audio);
        let promise = devices
            .get_user_media_with_constraints(&constraints)
            .map_err(|e| mic_error(&e))?;
        let stream: MediaStream = wasm_bindgen_futures::JsFuture::from(promise)
            .await
            .map_err(|e| mic_error(&e))?
            .unchecked_into();
        let track = stream
            .get_audio_tracks()
            .get(0)
            .dyn_into::<MediaStreamTrack>()
            .map_err(|_| "The browser gave no audio track.".to_string())?;
        Ok(Self { stream, track })
    }

    /// The device the browser actually picked.
    pub fn device_id(&self) -> Option<String> {
        let settings = self.track.get_settings();
        js_sys::Reflect::get(&settings, &"deviceId".into())
            .ok()?
            .as_string()
    }

    pub fn set_muted(&self, muted: bool) {
        self.track.set_enabled(!muted);
    }

    pub fn stop(&self) {
        self.track.stop();
    }
}

fn mic_error(error: &JsValue) -> String {
    match js::error_name(error).as_deref() {
        Some("NotAllowedError" | "SecurityError") => {
            "Microphone access is blocked. Allow it in your browser's site settings so others can hear you.".into()
        }
        Some("NotFoundError" | "OverconstrainedError") => "No microphone was found.".into(),
        Some("NotReadableError" | "AbortError") => {
            "The microphone is in use by another app, or not working.".into()
        }
        _ => format!("The microphone could not be opened ({}).", js::describe(error)),
    }
}

/// Microphones and speakers, with fallback names where the browser hides labels.
pub async fn list_devices() -> (Vec<AudioDevice>, Vec<AudioDevice>) {
    let Ok(devices) = media_devices() else {
        return (vec![], vec![]);
    };
    let Ok(promise) = devices.enumerate_devices() else {
        return (vec![], vec![]);
    };
    let Ok(list) = js::wait(promise).await else {
        return (vec![], vec![]);
    };
    let (mut mics, mut speakers) = (Vec::new(), Vec::new());
    for info in js_sys::Array::from(&list).iter() {
        let Ok(info) = info.dyn_into::<MediaDeviceInfo>() else {
            continue;
        };
        let id = info.device_id();
        if id.is_empty() {
            continue; // no permission yet: ids are hidden
        }
        let (list, fallback) = match info.kind() {
            MediaDeviceKind::Audioinput => (&mut mics, "Microphone"),
            MediaDeviceKind::Audiooutput => (&mut speakers, "Speaker"),
            _ => continue,
        };
        let label = match info.label() {
            l if l.is_empty() => format!("{fallback} {}", list.len() + 1),
            l => l,
        };
        list.push(AudioDevice { id, label });
    }
    (mics, speakers)
}

/// Whether audio elements can be sent to a chosen output.
pub fn can_choose_speaker() -> bool {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return false;
    };
    document
        .create_element("audio")
        .ok()
        .and_then(|e| js_sys::Reflect::get(&e, &"setSinkId".into()).ok())
        .is_some_and(|f| f.is_function())
}

/// The remote tracks being played.
#[derive(Default)]
pub struct Outputs {
    playing: Vec<(MediaStreamTrack, HtmlAudioElement)>,
    sink: Option<String>,
}

impl Outputs {
    pub fn play(&mut self, track: MediaStreamTrack, owner: &str) {
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let Ok(element) = document.create_element("audio") else {
            return;
        };
        let Ok(audio) = element.dyn_into::<HtmlAudioElement>() else {
            return;
        };
        let tracks = js_sys::Array::of1(&track);
        let Ok(stream) = MediaStream::new_with_tracks(&tracks) else {
            return;
        };
        audio.set_autoplay(true);
        audio.set_src_object(Some(&stream));
        let _ = audio.set_attribute("data-peer", owner);
        let _ = audio.set_attribute("aria-hidden", "true");
        if let Some(body) = document.body() {
            let _ = body.append_child(&audio);
        }
        if let Some(sink) = &self.sink {
            if let Some(chosen) = js::call_if_present(&audio, "setSinkId", &JsValue::from_str(sink))
            {
                js::settle(chosen);
            }
        }
        // Autoplay may be refused without a gesture; answering was one.
        if let Ok(playing) = audio.play() {
            js::settle(playing);
        }
        self.prune();
        self.playing.push((track, audio));
    }

    /// Drops elements whose track has ended (unpublished, or the peer left).
    pub fn prune(&mut self) {
        self.playing.retain(|(track, audio)| {
            let live = track.ready_state() != MediaStreamTrackState::Ended;
            if !live {
                detach(audio);
            }
            live
        });
    }

    /// Sends every element (and later ones) to speaker `id`.
    pub async fn set_sink(&mut self, id: &str) -> Result<(), String> {
        self.sink = Some(id.to_string());
        for (_, audio) in &self.playing {
            if let Some(promise) = js::call_if_present(audio, "setSinkId", &JsValue::from_str(id)) {
                js::wait(promise).await?;
            }
        }
        Ok(())
    }

    pub fn set_sink_quietly(&mut self, id: Option<String>) {
        self.sink = id;
    }

    pub fn clear(&mut self) {
        for (_, audio) in self.playing.drain(..) {
            detach(&audio);
        }
    }
}

fn detach(audio: &HtmlAudioElement) {
    let _ = audio.pause();
    audio.set_src_object(None);
    audio.remove();
}

impl Drop for Outputs {
    fn drop(&mut self) {
        self.clear();
    }
}
