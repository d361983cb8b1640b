//! The installed app: the service worker, this device's push subscription,
//! the install prompt, the app badge, and calls handed over by the service
//! worker (a notification's Answer) or by a deep link (`/?callId=`).

use std::cell::RefCell;

use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Notification, NotificationPermission, PushSubscription, PushSubscriptionOptionsInit,
    ServiceWorkerRegistration,
};

use crate::calls::ids::CallId;

const DEVICE_KEY: &str = "belfry.device";

pub use crate::contract::push::{PushKeys, PushSupport};

fn has(target: &JsValue, name: &str) -> bool {
    Reflect::get(target, &name.into()).is_ok_and(|v| !v.is_undefined() && !v.is_null())
}

/// This browser's id for itself, kept in its storage (made on first use).
pub fn device_id() -> String {
    let storage = web_sys::window().and_then(|w| w.local_storage().ok().flatten());
    if let Some(id) = storage
        .as_ref()
        .and_then(|s| s.get_item(DEVICE_KEY).ok().flatten())
    {
        if crate::contract::push::is_device_id(&id) {
            return id;
        }
    }
    let id: String = (0..3)
        .map(|_| format!("{:08x}", (js_sys::Math::random() * 4_294_967_296.0) as u32))
        .collect::<Vec<_>>()
        .join("-");
    if let Some(s) = storage {
        let _ = s.set_item(DEVICE_KEY, &id);
    }
    id
}

/// Is the page on screen?
pub fn page_visible() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_some_and(|d| !d.hidden())
}

fn service_workers() -> Option<web_sys::ServiceWorkerContainer> {
    let navigator = web_sys::window()?.navigator();
    has(&navigator, "serviceWorker").then(|| navigator.service_worker())
}

/// Registers `/sw.js` (it carries the device id, for renewing a push
/// subscription without a page open).
pub fn register_service_worker() {
    if let Some(sw) = service_workers() {
        crate::client::call::js::settle(sw.register(&format!("/sw.js?device={}", device_id())));
    }
}

/// The worker's registration: with `wait`, once it is active (which never
/// comes if registering failed); else whatever is registered now.
async fn registration(wait: bool) -> Option<ServiceWorkerRegistration> {
    let sw = service_workers()?;
    let found = if wait {
        sw.ready().ok()?
    } else {
        sw.get_registration()
    };
    JsFuture::from(found).await.ok()?.dyn_into().ok()
}

async fn subscription() -> Option<PushSubscription> {
    let manager = registration(false).await?.push_manager().ok()?;
    let found = JsFuture::from(manager.get_subscription().ok()?)
        .await
        .ok()?;
    found.dyn_into().ok()
}

fn keys_of(sub: &PushSubscription) -> Option<PushKeys> {
    let json: JsValue = sub.to_json().ok()?.into();
    let keys = Reflect::get(&json, &"keys".into()).ok()?;
    let text = |v: &JsValue, k: &str| Reflect::get(v, &k.into()).ok()?.as_string();
    Some(PushKeys {
        endpoint: sub.endpoint(),
        p256dh: text(&keys, "p256dh")?,
        auth: text(&keys, "auth")?,
    })
}

pub async fn push_status() -> PushSupport {
    let Some(window) = web_sys::window() else {
        return PushSupport::Unsupported;
    };
    if service_workers().is_none() || !has(&window, "PushManager") || !has(&window, "Notification")
    {
        return PushSupport::Unsupported;
    }
    if Notification::permission() == NotificationPermission::Denied {
        return PushSupport::Blocked;
    }
    match subscription().await {
        Some(_) if Notification::permission() == NotificationPermission::Granted => PushSupport::On,
        _ => PushSupport::Off,
    }
}

/// This device's subscription, if it has one and may show notifications.
pub async fn current_push() -> Option<PushKeys> {
    if push_status().await != PushSupport::On {
        return None;
    }
    keys_of(&subscription().await?)
}

/// Asks for permission and subscribes with the server's key.
pub async fn subscribe_push(server_key: &str) -> Result<PushKeys, String> {
    let asked = Notification::request_permission()
        .map_err(|_| "This browser cannot show notifications.".to_string())?;
    let answer = JsFuture::from(asked).await.ok().and_then(|v| v.as_string());
    if answer.as_deref() != Some("granted") {
        return Err("Notifications are not allowed for Belfry. Allow them in the browser's site settings to be rung while Belfry is closed.".into());
    }
    let manager = registration(true)
        .await
        .and_then(|r| r.push_manager().ok())
        .ok_or("The app's background worker is not running; reload the page and try again.")?;
    let options = PushSubscriptionOptionsInit::new();
    options.set_user_visible_only(true);
    options.set_application_server_key(&JsValue::from_str(server_key));
    let subscribed = manager
        .subscribe_with_options(&options)
        .map_err(|_| "The browser refused to subscribe.".to_string())?;
    let sub: PushSubscription = JsFuture::from(subscribed)
        .await
        .map_err(|e| {
            let why = Reflect::get(&e, &"message".into())
                .ok()
                .and_then(|m| m.as_string());
            format!(
                "The browser's push service did not answer{}. Try again later.",
                why.map(|w| format!(" ({w})")).unwrap_or_default()
            )
        })?
        .dyn_into()
        .map_err(|_| "The browser gave no subscription.".to_string())?;
    keys_of(&sub).ok_or_else(|| "The browser's subscription has no keys.".into())
}

/// Unsubscribes this device; the endpoint it had, for the server to forget.
pub async fn unsubscribe_push() -> Option<String> {
    let sub = subscription().await?;
    let endpoint = sub.endpoint();
    if let Ok(done) = sub.unsubscribe() {
        let _ = JsFuture::from(done).await;
    }
    Some(endpoint)
}

/// Shows `count` on the installed app's icon (where the platform can).
pub fn set_app_badge(count: u32) {
    let Some(navigator) = web_sys::window().map(|w| w.navigator()) else {
        return;
    };
    let (name, args) = if count > 0 {
        ("setAppBadge", js_sys::Array::of1(&count.into()))
    } else {
        ("clearAppBadge", js_sys::Array::new())
    };
    if let Ok(f) = Reflect::get(&navigator, &name.into()).and_then(|f| f.dyn_into::<Function>()) {
        if let Ok(promise) = f.apply(&navigator, &args) {
            // A refusal (no installed app) is not an error worth showing.
            if let Ok(p) = promise.dyn_into::<js_sys::Promise>() {
                wasm_bindgen_futures::spawn_local(async move {
                    let _ = JsFuture::from(p).await;
                });
            }
        }
    }
}

thread_local! {
    /// The browser's deferred install prompt, while it offers one.
    static INSTALL: RefCell<Option<JsValue>> = const { RefCell::new(None) };
}

fn listen(target: &web_sys::EventTarget, event: &str, f: impl FnMut(JsValue) + 'static) {
    let closure = Closure::<dyn FnMut(JsValue)>::new(f);
    let _ = target.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref());
    // Lives as long as the page: these listeners are set up once.
    closure.forget();
}

/// `offered(true)` when the browser offers to install Belfry, `false` once
/// it is installed.
pub fn on_install_offer(offered: impl Fn(bool) + 'static) {
    let Some(window) = web_sys::window() else {
        return;
    };
    // An offer made before the app was listening, kept by the page's head.
    let early_key = JsValue::from_str("__belfryInstallOffer");
    if let Ok(early) = Reflect::get(&window, &early_key) {
        if early.is_object() {
            let _ = Reflect::delete_property(&window, &early_key);
            keep_offer(early, &offered);
        }
    }
    let offered = std::rc::Rc::new(offered);
    let on_offer = offered.clone();
    listen(&window, "beforeinstallprompt", move |event| {
        if let Ok(e) = event.clone().dyn_into::<web_sys::Event>() {
            e.prevent_default();
        }
        keep_offer(event, &*on_offer);
    });
    listen(&window, "appinstalled", move |_| {
        INSTALL.with(|slot| *slot.borrow_mut() = None);
        offered(false);
    });
}

/// Holds the browser's install offer for `install`, and says it is there.
fn keep_offer(offer: JsValue, offered: &dyn Fn(bool)) {
    INSTALL.with(|slot| *slot.borrow_mut() = Some(offer));
    offered(true);
}

/// Shows the browser's install dialog (it may be used once).
pub fn install() {
    let Some(event) = INSTALL.with(|slot| slot.borrow_mut().take()) else {
        return;
    };
    if let Ok(prompt) =
        Reflect::get(&event, &"prompt".into()).and_then(|f| f.dyn_into::<Function>())
    {
        let _ = prompt.call0(&event);
    }
}

/// The service worker hands over a call (a notification was tapped):
/// `f(call, answer)`.
pub fn on_call_message(f: impl Fn(CallId, bool) + 'static) {
    let Some(sw) = service_workers() else { return };
    listen(&sw, "message", move |event| {
        let data = Reflect::get(&event, &"data".into()).unwrap_or(JsValue::NULL);
        let kind = Reflect::get(&data, &"type".into())
            .ok()
            .and_then(|v| v.as_string());
        let call = Reflect::get(&data, &"callId".into())
            .ok()
            .and_then(|v| v.as_f64());
        let answer = Reflect::get(&data, &"answer".into())
            .ok()
            .is_some_and(|v| v.is_truthy());
        if let (Some("belfry-call"), Some(call)) = (kind.as_deref(), call) {
            f(CallId(call as i64), answer);
        }
    });
}

/// The call a deep link (`?callId=12`) names; the query is taken out of
/// the address so a reload does not act on it again. A link never answers
/// (anyone can send one): the page shows the call, and a person answers.
pub fn take_deep_link() -> Option<CallId> {
    let window = web_sys::window()?;
    let location = window.location();
    let params = web_sys::UrlSearchParams::new_with_str(&location.search().ok()?).ok()?;
    let call = params.get("callId")?.parse().ok().map(CallId)?;
    if let Ok(history) = window.history() {
        let path = location.pathname().unwrap_or_else(|_| "/".into());
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&path));
    }
    Some(call)
}
