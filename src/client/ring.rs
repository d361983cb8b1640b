//! The ringtone, made by the app with Web Audio (no file to fetch): a soft
//! two-note bell, twice every three seconds, until stopped. A browser that
//! blocks sound without a click leaves it `blocked` until `unblock`.

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{AudioContext, AudioContextState};

use crate::client::call::js::settle;

const EVERY_MS: i32 = 3_000;
/// The bell's two notes (a major third), Hz.
const NOTES: [f32; 2] = [659.25, 830.61];

pub struct Ringer {
    ctx: AudioContext,
    interval: Option<i32>,
    /// The first ring's timer: cleared too, or it could fire after the
    /// closure is gone (a ring stopped within its first 60 ms).
    first: Option<i32>,
    _tick: Closure<dyn FnMut()>,
    _state_changed: Closure<dyn FnMut()>,
    rang: Rc<Cell<u32>>,
}

impl Ringer {
    /// Starts ringing; `on_state` is called whenever the browser starts or
    /// stops letting it sound (a busy device may take a while to start).
    pub fn start(on_state: impl Fn() + 'static) -> Option<Self> {
        let ctx = AudioContext::new().ok()?;
        let state_changed = Closure::<dyn FnMut()>::new(on_state);
        ctx.set_onstatechange(Some(state_changed.as_ref().unchecked_ref()));
        let rang = Rc::new(Cell::new(0));
        let tick = {
            let ctx = ctx.clone();
            let rang = rang.clone();
            Closure::<dyn FnMut()>::new(move || {
                if ctx.state() == AudioContextState::Running {
                    let at = ctx.current_time() + 0.05;
                    chime(&ctx, at);
                    chime(&ctx, at + 0.45);
                    rang.set(rang.get() + 1);
                }
            })
        };
        if let Ok(resumed) = ctx.resume() {
            settle(resumed);
        }
        let window = web_sys::window()?;
        let interval = window
            .set_interval_with_callback_and_timeout_and_arguments_0(
                tick.as_ref().unchecked_ref(),
                EVERY_MS,
            )
            .ok();
        // The first ring at once, not after three seconds.
        let first = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                tick.as_ref().unchecked_ref(),
                60,
            )
            .ok();
        Some(Self {
            ctx,
            interval,
            first,
            _tick: tick,
            _state_changed: state_changed,
            rang,
        })
    }

    /// The browser will not play sound until the person clicks.
    pub fn blocked(&self) -> bool {
        self.ctx.state() == AudioContextState::Suspended
    }

    /// From a click: let the ringing be heard.
    pub fn unblock(&self) {
        if let Ok(resumed) = self.ctx.resume() {
            settle(resumed);
        }
    }

    /// How many rings have sounded (for tests and the page's data).
    pub fn rings(&self) -> u32 {
        self.rang.get()
    }
}

impl Drop for Ringer {
    fn drop(&mut self) {
        if let Some(window) = web_sys::window() {
            if let Some(id) = self.interval.take() {
                window.clear_interval_with_handle(id);
            }
            if let Some(id) = self.first.take() {
                window.clear_timeout_with_handle(id);
            }
        }
        // Closing changes the state: nobody is to be told any more.
        self.ctx.set_onstatechange(None);
        if let Ok(closed) = self.ctx.close() {
            settle(closed);
        }
    }
}

/// One bell stroke at `at` seconds: two sines, a quick attack, a decay.
fn chime(ctx: &AudioContext, at: f64) {
    for (i, hz) in NOTES.iter().enumerate() {
        let (Ok(osc), Ok(gain)) = (ctx.create_oscillator(), ctx.create_gain()) else {
            return;
        };
        osc.frequency().set_value(*hz);
        let level = if i == 0 { 0.18 } else { 0.12 };
        let g = gain.gain();
        let _ = g.set_value_at_time(0.0001, at);
        let _ = g.exponential_ramp_to_value_at_time(level, at + 0.02);
        let _ = g.exponential_ramp_to_value_at_time(0.0001, at + 0.4);
        let _ = osc.connect_with_audio_node(&gain);
        let _ = gain.connect_with_audio_node(&ctx.destination());
        let _ = osc.start_with_when(at);
        let _ = osc.stop_with_when(at + 0.42);
    }
}
