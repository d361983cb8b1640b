//! Moving between the app's pages without reloading (`app::router`): links
//! to this origin are followed in place, as are Back and Forward.

use std::cell::RefCell;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlAnchorElement, MouseEvent, Url};

type OnMove = Box<dyn Fn(String, String)>;

thread_local! {
    /// Told the new path and query after every move.
    static ON_MOVE: RefCell<Option<OnMove>> = const { RefCell::new(None) };
}

/// The address bar's path, and its query without the `?`.
pub fn address() -> Option<(String, String)> {
    let location = web_sys::window()?.location();
    let query = location.search().ok()?;
    Some((
        location.pathname().ok()?,
        query.strip_prefix('?').unwrap_or(&query).to_string(),
    ))
}

/// Follows links and Back/Forward in place from now on, calling `on_move`
/// with each new address.
pub fn follow(on_move: impl Fn(String, String) + 'static) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let first = ON_MOVE.with(|slot| slot.replace(Some(Box::new(on_move))).is_none());
    if !first {
        return;
    }
    let on_click = Closure::<dyn FnMut(MouseEvent)>::new(follow_link);
    let on_pop = Closure::<dyn FnMut()>::new(moved);
    let _ = window.add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref());
    let _ = window.add_event_listener_with_callback("popstate", on_pop.as_ref().unchecked_ref());
    // Live as long as the page.
    on_click.forget();
    on_pop.forget();
}

/// Goes to `to` in place: a new history entry, or with `replace` the
/// current one rewritten. Scrolls to the top, as a page load would.
pub fn go(to: &str, replace: bool) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Ok(history) = window.history() else {
        return;
    };
    let here = window.location().href().unwrap_or_default();
    let same = Url::new_with_base(to, &here).is_ok_and(|url| url.href() == here);
    if replace {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(to));
    } else if !same {
        let _ = history.push_state_with_url(&JsValue::NULL, "", Some(to));
    }
    moved();
    if !same {
        window.scroll_to_with_x_and_y(0.0, 0.0);
    }
}

fn moved() {
    if let Some((path, query)) = address() {
        ON_MOVE.with(|slot| {
            if let Some(on_move) = slot.borrow().as_ref() {
                on_move(path, query);
            }
        });
    }
}

/// A click on a link to another page of this origin, with nothing asking
/// the browser to handle it (a modifier key, a middle click, `target`,
/// `download`, or another handler having taken it), moves in place.
fn follow_link(event: MouseEvent) {
    if event.default_prevented()
        || event.button() != 0
        || event.meta_key()
        || event.ctrl_key()
        || event.shift_key()
        || event.alt_key()
    {
        return;
    }
    let Some(link) = event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|e| e.closest("a[href]").ok().flatten())
        .and_then(|e| e.dyn_into::<HtmlAnchorElement>().ok())
    else {
        return;
    };
    if !matches!(link.target().as_str(), "" | "_self") || link.has_attribute("download") {
        return;
    }
    let (Ok(url), Some(window)) = (Url::new(&link.href()), web_sys::window()) else {
        return;
    };
    let here = window.location();
    if Some(url.origin()) != here.origin().ok() {
        return;
    }
    // A jump within this page (`#main`) is the browser's to make.
    let same_page =
        Some(url.pathname()) == here.pathname().ok() && Some(url.search()) == here.search().ok();
    if same_page && !url.hash().is_empty() {
        return;
    }
    event.prevent_default();
    go(
        &format!("{}{}{}", url.pathname(), url.search(), url.hash()),
        false,
    );
}
