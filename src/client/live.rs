//! The tab's link to `/api/events`: opens the WebSocket, resumes from the last
//! event seen after a drop, backs off between attempts, and watches for a
//! silent dead link (no heartbeat). Everything is torn down by `close`.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CloseEvent, MessageEvent, WebSocket};

use crate::contract::events::{LinkState, LiveEvent, LiveFrame, HEARTBEAT_SECS};

/// Close codes from `server::live_socket`.
const CLOSE_SIGNED_OUT: u16 = 4001;
/// This page runs an earlier build than the server (`api::wire`).
const CLOSE_OUTDATED: u16 = 4003;
const MAX_BACKOFF_MS: f64 = 10_000.0;

pub struct LiveHandlers {
    pub on_event: Box<dyn Fn(LiveEvent)>,
    /// The tab must refetch what it shows: events may have passed it by.
    pub on_resync: Box<dyn Fn()>,
    pub on_link: Box<dyn Fn(LinkState)>,
    pub on_signed_out: Box<dyn Fn()>,
}

pub struct LiveConnection {
    inner: Rc<RefCell<Inner>>,
}

struct Inner {
    handlers: Rc<LiveHandlers>,
    socket: Option<WebSocket>,
    /// The socket's callbacks; dropped with the socket.
    socket_callbacks: Vec<Closure<dyn FnMut(JsValue)>>,
    retry: Option<(i32, Closure<dyn FnMut()>)>,
    watchdog: Option<(i32, Closure<dyn FnMut()>)>,
    /// Tells the server when the page is hidden or shown.
    on_visibility: Option<Closure<dyn FnMut()>>,
    epoch: Option<u64>,
    last_seq: u64,
    failures: u32,
    last_heard_ms: f64,
    stopped: bool,
}

thread_local! {
    /// The tab's open link, for `reading`.
    static OPEN: RefCell<std::rc::Weak<RefCell<Inner>>> = const { RefCell::new(std::rc::Weak::new()) };
    /// The conversation on screen and its newest message: what this tab
    /// has read while it is visible.
    static READING: std::cell::Cell<Option<(i64, i64)>> = const { std::cell::Cell::new(None) };
}

/// The conversation on screen shows `channel` up to `message` (None when it
/// goes): said to the server now if the page is visible, else when it is
/// shown again (or the link opens again).
pub fn reading(at: Option<(i64, i64)>) {
    READING.with(|r| r.set(at));
    // (A link busy right now tells it at its next hello or visibility
    // change.)
    if let Some(rc) = OPEN.with(|o| o.borrow().upgrade()) {
        if let Ok(inner) = rc.try_borrow() {
            tell(&inner, None);
        }
    }
}

/// Whether the visible page shows `channel` now: its new messages are read.
pub fn shows(channel: i64) -> bool {
    super::pwa::page_visible() && READING.with(|r| r.get()).is_some_and(|(c, _)| c == channel)
}

/// Says what the tab reads (and, if given, whether it is visible) on an
/// open link.
fn tell(inner: &Inner, visible: Option<bool>) {
    let Some(socket) = inner
        .socket
        .as_ref()
        .filter(|s| s.ready_state() == WebSocket::OPEN)
    else {
        return;
    };
    let read = READING
        .with(|r| r.get())
        .filter(|_| super::pwa::page_visible())
        .map(|(c, m)| format!("\"read\":[{c},{m}]"));
    let visible = visible.map(|v| format!("\"visible\":{v}"));
    let said: Vec<String> = visible.into_iter().chain(read).collect();
    if !said.is_empty() {
        let _ = socket.send_with_str(&format!("{{{}}}", said.join(",")));
    }
}

impl LiveConnection {
    pub fn open(handlers: LiveHandlers) -> Self {
        let inner = Rc::new(RefCell::new(Inner {
            handlers: Rc::new(handlers),
            socket: None,
            socket_callbacks: Vec::new(),
            retry: None,
            watchdog: None,
            on_visibility: None,
            epoch: None,
            last_seq: 0,
            failures: 0,
            last_heard_ms: js_sys::Date::now(),
            stopped: false,
        }));
        OPEN.with(|o| *o.borrow_mut() = Rc::downgrade(&inner));
        start_watchdog(&inner);
        watch_visibility(&inner);
        connect(&inner);
        Self { inner }
    }

    pub fn close(&self) {
        let mut inner = self.inner.borrow_mut();
        inner.stopped = true;
        drop_socket(&mut inner);
        let window = web_sys::window();
        if let (Some(w), Some((id, _))) = (&window, inner.retry.take()) {
            w.clear_timeout_with_handle(id);
        }
        if let (Some(w), Some((id, _))) = (&window, inner.watchdog.take()) {
            w.clear_interval_with_handle(id);
        }
        if let (Some(doc), Some(f)) = (
            window.as_ref().and_then(|w| w.document()),
            inner.on_visibility.take(),
        ) {
            let _ = doc.remove_event_listener_with_callback(
                "visibilitychange",
                f.as_ref().unchecked_ref(),
            );
        }
    }
}

impl Drop for LiveConnection {
    fn drop(&mut self) {
        self.close();
    }
}

fn events_url(inner: &Inner) -> Option<String> {
    let location = web_sys::window()?.location();
    let scheme = if location.protocol().ok()? == "https:" {
        "wss"
    } else {
        "ws"
    };
    let host = location.host().ok()?;
    // The device id and whether the page is on screen: a device showing
    // Belfry is rung here, not also by push.
    let device = super::pwa::device_id();
    let hidden = !super::pwa::page_visible();
    let resume = match inner.epoch {
        Some(epoch) => format!("&epoch={epoch}&after={}", inner.last_seq),
        None => String::new(),
    };
    // Frames in postcard, read by the same code as server functions'
    // answers (api::wire).
    Some(format!(
        "{scheme}://{host}/api/events?wire=postcard&v={}&device={device}&hidden={hidden}{resume}",
        crate::contract::wire::WIRE_VERSION
    ))
}

fn watch_visibility(rc: &Rc<RefCell<Inner>>) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let weak = Rc::downgrade(rc);
    let f = Closure::<dyn FnMut()>::new(move || {
        let Some(rc) = weak.upgrade() else { return };
        tell(&rc.borrow(), Some(super::pwa::page_visible()));
    });
    let _ = doc.add_event_listener_with_callback("visibilitychange", f.as_ref().unchecked_ref());
    rc.borrow_mut().on_visibility = Some(f);
}

fn drop_socket(inner: &mut Inner) {
    if let Some(socket) = inner.socket.take() {
        socket.set_onopen(None);
        socket.set_onmessage(None);
        socket.set_onclose(None);
        socket.set_onerror(None);
        let _ = socket.close();
    }
    inner.socket_callbacks.clear();
}

fn connect(rc: &Rc<RefCell<Inner>>) {
    let Some(url) = events_url(&rc.borrow()) else {
        return;
    };
    let Ok(socket) = WebSocket::new(&url) else {
        schedule_retry(rc);
        return;
    };
    socket.set_binary_type(web_sys::BinaryType::Arraybuffer);
    let on_message = {
        let rc = Rc::downgrade(rc);
        Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            let Some(rc) = rc.upgrade() else { return };
            let Ok(event) = event.dyn_into::<MessageEvent>() else {
                return;
            };
            let data = event.data();
            if data.is_instance_of::<js_sys::ArrayBuffer>() {
                on_frame(&rc, &js_sys::Uint8Array::new(&data).to_vec());
            }
        })
    };
    let on_close = {
        let rc = Rc::downgrade(rc);
        Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            let Some(rc) = rc.upgrade() else { return };
            let code = event
                .dyn_into::<CloseEvent>()
                .map(|e| e.code())
                .unwrap_or(0);
            on_closed(&rc, code);
        })
    };
    socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    let mut inner = rc.borrow_mut();
    inner.socket = Some(socket);
    inner.socket_callbacks = vec![on_message, on_close];
    inner.last_heard_ms = js_sys::Date::now();
}

fn on_frame(rc: &Rc<RefCell<Inner>>, bytes: &[u8]) {
    let Ok(frame) = crate::contract::wire::from_postcard::<LiveFrame>(bytes) else {
        return; // not a frame this build can read: ignore it
    };
    let handlers = {
        let mut inner = rc.borrow_mut();
        inner.last_heard_ms = js_sys::Date::now();
        inner.handlers.clone()
    };
    match frame {
        LiveFrame::Hello {
            epoch,
            head,
            resync,
        } => {
            {
                let mut inner = rc.borrow_mut();
                inner.failures = 0;
                if resync || inner.epoch != Some(epoch) {
                    inner.last_seq = head;
                }
                inner.epoch = Some(epoch);
                // What was read while the link was down.
                tell(&inner, None);
            }
            (handlers.on_link)(LinkState::Open);
            if resync {
                (handlers.on_resync)();
            }
        }
        LiveFrame::Event { seq, event } => {
            {
                let mut inner = rc.borrow_mut();
                if seq <= inner.last_seq {
                    return;
                }
                inner.last_seq = seq;
            }
            (handlers.on_event)(event);
        }
        LiveFrame::Heartbeat => {}
    }
}

fn on_closed(rc: &Rc<RefCell<Inner>>, code: u16) {
    let handlers = {
        let mut inner = rc.borrow_mut();
        drop_socket(&mut inner);
        if inner.stopped {
            return;
        }
        inner.handlers.clone()
    };
    if code == CLOSE_SIGNED_OUT {
        rc.borrow_mut().stopped = true;
        (handlers.on_link)(LinkState::Closed);
        (handlers.on_signed_out)();
        return;
    }
    if code == CLOSE_OUTDATED && super::reload_for_update() {
        rc.borrow_mut().stopped = true;
        return;
    }
    (handlers.on_link)(LinkState::Reconnecting);
    schedule_retry(rc);
}

fn schedule_retry(rc: &Rc<RefCell<Inner>>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let delay = {
        let mut inner = rc.borrow_mut();
        if inner.stopped || inner.retry.is_some() {
            return;
        }
        inner.failures += 1;
        let base = (250.0 * 2f64.powi(inner.failures.min(8) as i32)).min(MAX_BACKOFF_MS);
        // Jitter, so a restarted server is not hit by every tab at once.
        base * (0.5 + js_sys::Math::random() / 2.0)
    };
    let weak = Rc::downgrade(rc);
    let callback = Closure::<dyn FnMut()>::new(move || {
        if let Some(rc) = weak.upgrade() {
            rc.borrow_mut().retry = None;
            if !rc.borrow().stopped {
                connect(&rc);
            }
        }
    });
    if let Ok(id) = window.set_timeout_with_callback_and_timeout_and_arguments_0(
        callback.as_ref().unchecked_ref(),
        delay as i32,
    ) {
        rc.borrow_mut().retry = Some((id, callback));
    }
}

/// Closes a link that has been silent for three heartbeats; the close
/// handler then reconnects.
fn start_watchdog(rc: &Rc<RefCell<Inner>>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let weak = Rc::downgrade(rc);
    let callback = Closure::<dyn FnMut()>::new(move || {
        let Some(rc) = weak.upgrade() else { return };
        let silent = {
            let inner = rc.borrow();
            inner.socket.is_some()
                && js_sys::Date::now() - inner.last_heard_ms > (3 * HEARTBEAT_SECS * 1000) as f64
        };
        if silent {
            on_closed(&rc, 0);
        }
    });
    if let Ok(id) = window.set_interval_with_callback_and_timeout_and_arguments_0(
        callback.as_ref().unchecked_ref(),
        5_000,
    ) {
        rc.borrow_mut().watchdog = Some((id, callback));
    }
}
