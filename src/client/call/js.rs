//! Small bridges from browser promises and timers to Rust futures.

use js_sys::{Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Awaits a promise; the error becomes a readable message.
pub async fn wait(promise: Promise) -> Result<JsValue, String> {
    JsFuture::from(promise).await.map_err(|e| describe(&e))
}

/// Lets a promise settle on its own. A rejection is logged, not left
/// unhandled, except an AbortError: the element was paused or taken away
/// (the call ended) before it got to play.
pub fn settle(promise: Promise) {
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(e) = JsFuture::from(promise).await {
            if error_name(&e).as_deref() != Some("AbortError") {
                web_sys::console::warn_1(&e);
            }
        }
    });
}

/// "NotAllowedError: Permission denied" from whatever was thrown.
pub fn describe(error: &JsValue) -> String {
    if let Some(e) = error.dyn_ref::<js_sys::Error>() {
        return format!("{}: {}", String::from(e.name()), String::from(e.message()));
    }
    error.as_string().unwrap_or_else(|| "unknown error".into())
}

/// The `name` of a thrown DOMException ("NotAllowedError"), if any.
pub fn error_name(error: &JsValue) -> Option<String> {
    Reflect::get(error, &"name".into()).ok()?.as_string()
}

/// Resolves after `ms` milliseconds.
pub async fn sleep(ms: u32) {
    let promise = Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ =
                window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms as i32);
        }
    });
    let _ = JsFuture::from(promise).await;
}

pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Calls `object.method(arg)` if the browser has that method; returns its
/// promise. For APIs web-sys marks unstable (`setSinkId`).
pub fn call_if_present(object: &JsValue, method: &str, arg: &JsValue) -> Option<Promise> {
    let function = Reflect::get(object, &method.into())
        .ok()?
        .dyn_into::<js_sys::Function>()
        .ok()?;
    function.call1(object, arg).ok()?.dyn_into::<Promise>().ok()
}
