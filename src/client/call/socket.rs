//! The signalling WebSocket: binary protobuf frames in and out.

use futures_channel::mpsc::UnboundedSender;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{BinaryType, MessageEvent, WebSocket};

use super::Input;
use crate::room::signal::{self, Tx};

pub struct Socket {
    ws: WebSocket,
    _callbacks: [Closure<dyn FnMut(JsValue)>; 3],
}

impl Socket {
    /// Opens `url`; its events arrive on `tx` tagged with `generation`.
    pub fn open(url: &str, generation: u32, tx: &UnboundedSender<Input>) -> Result<Self, String> {
        let ws = WebSocket::new(url).map_err(|e| super::js::describe(&e))?;
        ws.set_binary_type(BinaryType::Arraybuffer);
        let on_open = {
            let tx = tx.clone();
            Closure::<dyn FnMut(JsValue)>::new(move |_| {
                let _ = tx.unbounded_send(Input::SocketOpen(generation));
            })
        };
        let on_message = {
            let tx = tx.clone();
            Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
                let Ok(event) = event.dyn_into::<MessageEvent>() else {
                    return;
                };
                let frame = match event.data().dyn_into::<js_sys::ArrayBuffer>() {
                    Ok(buffer) => js_sys::Uint8Array::new(&buffer).to_vec(),
                    // A text frame is not ours to read: an empty frame fails to decode.
                    Err(_) => Vec::new(),
                };
                let _ = tx.unbounded_send(Input::Frame(generation, frame));
            })
        };
        let on_close = {
            let tx = tx.clone();
            Closure::<dyn FnMut(JsValue)>::new(move |_| {
                let _ = tx.unbounded_send(Input::SocketClosed(generation));
            })
        };
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        Ok(Self {
            ws,
            _callbacks: [on_open, on_message, on_close],
        })
    }

    pub fn send(&self, message: Tx) {
        if self.ws.ready_state() == WebSocket::OPEN {
            let _ = self.ws.send_with_u8_array(&signal::encode(&message));
        }
    }

    /// Closes with 1000; no further events from this socket.
    pub fn close(&self) {
        self.close_with(1000);
    }

    /// Closes the link to resume on a new one (the media path broke): the
    /// server keeps the session for that resume, however quiet its media.
    pub fn close_to_resume(&self) {
        self.close_with(RESUMING);
    }

    fn close_with(&self, code: u16) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        let _ = self.ws.close_with_code(code);
    }
}

/// Belfry's close code for "closed to resume" (4000-4999 are the
/// application's; a LiveKit server treats it as any close).
const RESUMING: u16 = 4001;

impl Drop for Socket {
    fn drop(&mut self) {
        self.close();
    }
}
