//! This device: ring it when Belfry is closed (Web Push), and install
//! Belfry as an app where the browser offers to.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::push::{push_key, push_subscribe, push_unsubscribe};
use crate::client::pwa::{self, PushSupport};

/// Subscribes this device and tells the server.
async fn turn_on() -> Result<(), String> {
    let key = push_key().await.map_err(|e| e.message)?;
    let keys = pwa::subscribe_push(&key).await?;
    push_subscribe(keys.endpoint, keys.p256dh, keys.auth, pwa::device_id())
        .await
        .map_err(|e| e.message)
}

/// Unsubscribes this device, here and on the server.
pub async fn turn_off() {
    if let Some(endpoint) = pwa::unsubscribe_push().await {
        let _ = push_unsubscribe(endpoint).await;
    }
}

#[component]
pub fn DeviceSettings() -> impl IntoView {
    let status = RwSignal::new(None::<PushSupport>);
    let busy = RwSignal::new(false);
    let problem = RwSignal::new(None::<String>);
    let installable = RwSignal::new(false);
    Effect::new(move |_| {
        pwa::on_install_offer(move |offered| installable.set(offered));
        spawn_local(async move {
            // Keep the server's record in step with this device, and with
            // whoever is signed in on it now.
            if let Some(k) = pwa::current_push().await {
                let _ = push_subscribe(k.endpoint, k.p256dh, k.auth, pwa::device_id()).await;
            }
            status.set(Some(pwa::push_status().await));
        });
    });
    let on = move || status.get() == Some(PushSupport::On);
    let toggle = move |_| {
        busy.set(true);
        problem.set(None);
        let was_on = on();
        spawn_local(async move {
            if was_on {
                turn_off().await;
            } else if let Err(why) = turn_on().await {
                problem.set(Some(why));
            }
            status.set(Some(pwa::push_status().await));
            busy.set(false);
        });
    };
    view! {
        <div class="device-settings">
            {move || {
                installable.get().then(|| {
                    view! {
                        <button class="link-button install-button" on:click=move |_| pwa::install()>
                            "Install Belfry"
                        </button>
                    }
                })
            }}
            {move || match status.get() {
                None | Some(PushSupport::Unsupported) => ().into_any(),
                Some(PushSupport::Blocked) => view! {
                    <p class="hint" data-testid="push-blocked">
                        "Notifications are blocked for Belfry in this browser, so calls ring only while it is open."
                    </p>
                }
                    .into_any(),
                Some(_) => view! {
                    <button
                        class="switch"
                        role="switch"
                        aria-checked=move || if on() { "true" } else { "false" }
                        disabled=move || busy.get()
                        on:click=toggle
                        data-testid="push-switch"
                    >
                        <span class="switch-track" aria-hidden="true"></span>
                        "Ring this device when Belfry is closed"
                    </button>
                }
                    .into_any(),
            }}
            {move || problem.get().map(|p| view! { <p class="error" role="alert">{p}</p> })}
        </div>
    }
}
