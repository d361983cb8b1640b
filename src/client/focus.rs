//! Moving focus into a dialog and back to where it was.

use std::cell::RefCell;

use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

thread_local! {
    static RETURN_TO: RefCell<Option<HtmlElement>> = const { RefCell::new(None) };
}

/// Remembers what has focus now, then focuses element `id`.
pub fn enter(id: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let active = document
        .active_element()
        .and_then(|e| e.dyn_into::<HtmlElement>().ok());
    RETURN_TO.with(|r| *r.borrow_mut() = active);
    if let Some(target) = document
        .get_element_by_id(id)
        .and_then(|e| e.dyn_into::<HtmlElement>().ok())
    {
        let _ = target.focus();
    }
}

/// Gives focus back to what had it before `enter`, if it is still there.
pub fn restore() {
    let Some(element) = RETURN_TO.with(|r| r.borrow_mut().take()) else {
        return;
    };
    if element.is_connected() {
        let _ = element.focus();
    }
}

/// Whether the person is typing (focus in a text field), so single-key
/// shortcuts should stand aside.
pub fn typing() -> bool {
    let Some(active) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element())
    else {
        return false;
    };
    let tag = active.tag_name().to_ascii_lowercase();
    matches!(tag.as_str(), "input" | "textarea" | "select")
        || active.get_attribute("contenteditable").is_some()
}
