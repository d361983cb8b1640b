//! The room's task: the microphone, then connection after connection to the
//! media server until the room is closed, with backoff between attempts.

use futures_channel::mpsc::{UnboundedReceiver, UnboundedSender};
use futures_util::future::{select, Either};
use futures_util::{pin_mut, StreamExt};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::audio::{self, Microphone, Outputs};
use super::session::{End, Session};
use super::{js, save_pref, Command, Input, RoomCallbacks};
use crate::room::prefs::{AudioPrefs, MICROPHONE_KEY, SPEAKER_KEY};
use crate::room::{backoff, requests, CloseReason, LocalAudio, RoomPhase};

/// What outlives one connection: the microphone, the speaker choice, the
/// latest token.
pub struct Ctx {
    pub prefs: AudioPrefs,
    pub token: String,
    pub mic: Option<Microphone>,
    pub local: LocalAudio,
    pub outputs: Outputs,
    pub callbacks: RoomCallbacks,
    pub tx: UnboundedSender<Input>,
}

impl Ctx {
    pub fn new(
        prefs: AudioPrefs,
        token: String,
        callbacks: RoomCallbacks,
        tx: UnboundedSender<Input>,
    ) -> Self {
        Self {
            prefs,
            token,
            mic: None,
            local: LocalAudio::default(),
            outputs: Outputs::default(),
            callbacks,
            tx,
        }
    }

    pub fn phase(&self, phase: RoomPhase) {
        (self.callbacks.on_phase)(phase);
    }

    pub fn emit_local(&self) {
        (self.callbacks.on_local)(self.local.clone());
    }

    async fn open_mic(&mut self, device: Option<String>) {
        let opened = Microphone::open(&self.prefs, device.as_deref()).await;
        self.take_mic(opened);
    }

    /// Keeps a freshly opened microphone (muted if we are), or says why
    /// there is none.
    pub fn take_mic(&mut self, opened: Result<Microphone, String>) {
        match opened {
            Ok(mic) => {
                mic.set_muted(self.local.muted);
                self.local.microphone = mic.device_id();
                self.local.mic_error = None;
                self.mic = Some(mic);
            }
            Err(error) => self.local.mic_error = Some(error),
        }
    }

    pub async fn refresh_devices(&mut self) {
        let (mics, speakers) = audio::list_devices().await;
        self.local.microphones = mics;
        self.local.speakers = speakers;
        self.emit_local();
    }

    /// Carries out a command on what outlives connections. Returns the old
    /// microphone when it was switched (the caller stops it once the new one
    /// is sending).
    pub async fn apply(&mut self, command: &Command) -> Option<Microphone> {
        match command {
            // A moderator's mute is the server's to lift: our own unmute
            // would be refused there, so it is not tried here.
            Command::Mute(false) if self.local.muted_by_moderator => {
                self.emit_local();
                None
            }
            Command::Mute(muted) => {
                self.local.muted = *muted;
                if let Some(mic) = &self.mic {
                    mic.set_muted(*muted);
                }
                self.emit_local();
                None
            }
            Command::Microphone(id) => {
                let old = self.mic.take();
                self.open_mic(Some(id.clone())).await;
                let switched = self.mic.is_some();
                if switched {
                    save_pref(MICROPHONE_KEY, id);
                } else {
                    self.mic = old;
                    return None;
                }
                self.refresh_devices().await;
                old
            }
            Command::Speaker(id) => {
                match self.outputs.set_sink(id).await {
                    Ok(()) => {
                        self.local.speaker = Some(id.clone());
                        save_pref(SPEAKER_KEY, id);
                    }
                    Err(error) => web_sys::console::warn_1(&error.into()),
                }
                self.emit_local();
                None
            }
            Command::Close => None,
        }
    }
}

/// Runs the room from `first`, the first connection (opened by the caller
/// at once, before whatever the page renders meanwhile), to the end.
pub async fn run(
    room_url: String,
    mut ctx: Ctx,
    mut rx: UnboundedReceiver<Input>,
    first: Result<Session, String>,
) {
    ctx.phase(RoomPhase::Connecting);
    ctx.local.can_choose_speaker = audio::can_choose_speaker();
    if ctx.local.can_choose_speaker {
        ctx.local.speaker = ctx.prefs.speaker.clone();
        ctx.outputs.set_sink_quietly(ctx.prefs.speaker.clone());
    }
    // The microphone opens while the first connection is made: the join and
    // the incoming audio need no microphone, only publishing does.
    {
        let (prefs, tx) = (ctx.prefs.clone(), ctx.tx.clone());
        wasm_bindgen_futures::spawn_local(async move {
            let opened = Microphone::open(&prefs, prefs.microphone.as_deref()).await;
            let _ = tx.unbounded_send(Input::MicOpened(opened));
        });
    }
    let _device_watch = DeviceWatch::start(&ctx.tx);
    let _ticker = Ticker::start(&ctx.tx);

    let mut attempt = 0;
    let mut generation = 0;
    let mut first = Some(first);
    let reason = loop {
        generation += 1;
        let opened = first
            .take()
            .unwrap_or_else(|| Session::open(generation, &room_url, &ctx.token, &ctx.tx));
        let end = match opened {
            Ok(mut session) => session.run(&mut rx, &mut ctx).await,
            Err(_) => End::Lost {
                joined: false,
                reached: false,
            },
        };
        ctx.outputs.clear();
        let (joined, reached) = match end {
            End::Closed(reason) => break reason,
            End::Lost { joined, reached } => (joined, reached),
        };
        if reached {
            attempt = 0;
        }
        attempt += 1;
        // A token the server refuses will not work next time either.
        if !joined && validate(&room_url, &ctx.token).await == Some(false) {
            break CloseReason::Refused;
        }
        let Some(delay) = backoff::delay_ms(attempt) else {
            break CloseReason::Failed;
        };
        ctx.phase(RoomPhase::Reconnecting { attempt });
        if wait_out(delay, &mut rx, &mut ctx).await {
            break CloseReason::Left;
        }
    };
    if let Some(mic) = ctx.mic.take() {
        mic.stop();
    }
    ctx.outputs.clear();
    ctx.phase(RoomPhase::Closed(reason));
}

/// Waits `ms` between attempts, still obeying commands; true if closed.
async fn wait_out(ms: u32, rx: &mut UnboundedReceiver<Input>, ctx: &mut Ctx) -> bool {
    let sleep = js::sleep(ms);
    pin_mut!(sleep);
    loop {
        match select(sleep.as_mut(), rx.next()).await {
            Either::Left(_) => return false,
            Either::Right((None | Some(Input::Command(Command::Close)), _)) => return true,
            Either::Right((Some(Input::Command(command)), _)) => {
                if let Some(old) = ctx.apply(&command).await {
                    old.stop();
                }
            }
            Either::Right((Some(Input::DevicesChanged), _)) => ctx.refresh_devices().await,
            Either::Right((Some(Input::MicOpened(opened)), _)) => {
                ctx.take_mic(opened);
                ctx.refresh_devices().await;
            }
            Either::Right(_) => {}
        }
    }
}

/// Asks the server whether the token is good: `Some(false)` only for a
/// definite refusal, `None` when the server cannot be reached.
async fn validate(room_url: &str, token: &str) -> Option<bool> {
    let url = requests::validate_url(room_url, token);
    let response = js::wait(web_sys::window()?.fetch_with_str(&url))
        .await
        .ok()?;
    let status = response.dyn_into::<web_sys::Response>().ok()?.status();
    match status {
        200..=299 => Some(true),
        401 | 403 => Some(false),
        _ => None,
    }
}

/// A once-a-second tick for pings and silence checks.
struct Ticker {
    id: i32,
    _callback: Closure<dyn FnMut()>,
}

impl Ticker {
    fn start(tx: &UnboundedSender<Input>) -> Option<Self> {
        let tx = tx.clone();
        let callback = Closure::<dyn FnMut()>::new(move || {
            let _ = tx.unbounded_send(Input::Tick);
        });
        let id = web_sys::window()?
            .set_interval_with_callback_and_timeout_and_arguments_0(
                callback.as_ref().unchecked_ref(),
                1_000,
            )
            .ok()?;
        Some(Self {
            id,
            _callback: callback,
        })
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        if let Some(window) = web_sys::window() {
            window.clear_interval_with_handle(self.id);
        }
    }
}

/// Hears devices being plugged in or out.
struct DeviceWatch {
    devices: web_sys::MediaDevices,
    _callback: Closure<dyn FnMut()>,
}

impl DeviceWatch {
    fn start(tx: &UnboundedSender<Input>) -> Option<Self> {
        let devices = web_sys::window()?.navigator().media_devices().ok()?;
        let tx = tx.clone();
        let callback = Closure::<dyn FnMut()>::new(move || {
            let _ = tx.unbounded_send(Input::DevicesChanged);
        });
        devices.set_ondevicechange(Some(callback.as_ref().unchecked_ref()));
        Some(Self {
            devices,
            _callback: callback,
        })
    }
}

impl Drop for DeviceWatch {
    fn drop(&mut self) {
        self.devices.set_ondevicechange(None);
    }
}
