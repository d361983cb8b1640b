//! The mute toggle shared by the call panel and the studio voice bar.

use leptos::prelude::*;

use super::room::CallRoomState;
use crate::app::icons::{MicIcon, MicOffIcon};

/// Mutes and unmutes the room's microphone; `shortcut` names the key that
/// does the same (announced to assistive technology and in the tooltip).
#[component]
pub fn MuteToggle(
    room: CallRoomState,
    testid: &'static str,
    #[prop(optional)] shortcut: Option<&'static str>,
) -> impl IntoView {
    let muted = move || room.local.with(|l| l.muted);
    let held = move || room.local.with(|l| l.muted_by_moderator);
    let title = move || {
        if held() {
            Some("Muted by a moderator".to_string())
        } else {
            shortcut.map(|key| format!("Mute or unmute ({key})"))
        }
    };
    view! {
        <button
            class="call-button mute"
            class:on=muted
            aria-pressed=move || muted().to_string()
            aria-disabled=move || held().then_some("true")
            aria-keyshortcuts=shortcut
            title=title
            on:click=move |_| room.set_muted(!muted())
            data-testid=testid
        >
            {move || if muted() { view! { <MicOffIcon /> }.into_any() } else { view! { <MicIcon /> }.into_any() }}
            <span>{move || if muted() { "Unmute" } else { "Mute" }}</span>
        </button>
    }
}
