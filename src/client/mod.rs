//! The browser side (hydrate only): the live event link and small browser
//! helpers. `inert.rs` is its twin for the server build, with the same API
//! doing nothing, so components use it without feature gates.

pub mod call;
pub mod focus;
pub mod live;
pub mod navigation;
pub mod pwa;
pub mod ring;

/// The time of day of a Unix-millisecond timestamp, in the browser's locale
/// and time zone ("14:05").
pub fn local_time(ms: i64) -> Option<String> {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"hour".into(), &"2-digit".into());
    let _ = js_sys::Reflect::set(&options, &"minute".into(), &"2-digit".into());
    date.to_locale_time_string_with_options("default", &options)
        .as_string()
}

/// The day and month of a Unix-millisecond timestamp, in the browser's
/// locale ("12 Dec").
pub fn local_date(ms: i64) -> Option<String> {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"day".into(), &"numeric".into());
    let _ = js_sys::Reflect::set(&options, &"month".into(), &"short".into());
    date.to_locale_date_string("default", &options).as_string()
}

/// The site's origin ("https://belfry.example"), for links to share.
pub fn origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

/// Puts text on the clipboard; false where the browser refuses.
pub fn copy_text(text: &str) -> bool {
    use wasm_bindgen::JsCast;
    let Some(window) = web_sys::window() else {
        return false;
    };
    let clipboard = js_sys::Reflect::get(&window.navigator(), &"clipboard".into())
        .ok()
        .filter(|c| !c.is_undefined());
    let write = clipboard.as_ref().and_then(|c| {
        js_sys::Reflect::get(c, &"writeText".into())
            .ok()?
            .dyn_into::<js_sys::Function>()
            .ok()
    });
    match (clipboard, write) {
        (Some(c), Some(write)) => write.call1(&c, &text.into()).is_ok(),
        _ => false,
    }
}

/// A fresh idempotency key for a message being sent.
pub fn new_nonce() -> String {
    let random = (js_sys::Math::random() * 1e15) as u64;
    format!("{:x}-{:x}", js_sys::Date::now() as u64, random)
}

/// Resolves after `ms` milliseconds.
pub async fn pause(ms: u32) {
    call::js::sleep(ms).await;
}

/// A full page load of `path`: used after signing in or out, so every piece
/// of state starts afresh with the new session.
pub fn reload_to(path: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().assign(path);
    }
}

/// Loads the page again, as the browser's reload button does.
pub fn reload() {
    if let Some(window) = web_sys::window() {
        let _ = window.location().reload();
    }
}

/// Reloads the page for the server's newer build, unless this tab did so
/// in the last minute: behind one address, servers of two builds could
/// otherwise send it round forever. Whether it reloads.
pub fn reload_for_update() -> bool {
    const KEY: &str = "belfry-reloaded-for-update";
    let Some(window) = web_sys::window() else {
        return false;
    };
    let now = js_sys::Date::now() as u64;
    let storage = window.session_storage().ok().flatten();
    let last = storage
        .as_ref()
        .and_then(|s| s.get_item(KEY).ok().flatten())
        .and_then(|v| v.parse::<u64>().ok());
    if last.is_some_and(|t| now.saturating_sub(t) < 60_000) {
        return false;
    }
    if let Some(s) = &storage {
        let _ = s.set_item(KEY, &now.to_string());
    }
    window.location().reload().is_ok()
}

/// Marks the page as hydrated (`<body data-hydrated>`): tests wait for it
/// before typing, and CSS could use it to reveal script-only controls.
pub fn mark_hydrated() {
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}

/// The text of the page's boot data (`app::boot`), if it has any.
pub fn boot_text() -> Option<String> {
    web_sys::window()?
        .document()?
        .get_element_by_id(crate::contract::boot::ELEMENT_ID)?
        .text_content()
}

/// Room for wasm-split (`.ci/build-site`) to lay out the read-only data.
/// It gives each split module its own stretch of that data, aligned, and if
/// the aligned stretches come out even a few bytes longer than the linker's
/// layout, it leaves all of it (every page's strings and tables) in the
/// main module: 13 KB gzip more on every page, with only a warning. Bytes
/// no code reads belong to no module, so these 1 KiB are that room; the
/// build fails if the warning comes back all the same.
#[used]
static SPLIT_DATA_ROOM: [u8; 1024] = [0xA5; 1024];
