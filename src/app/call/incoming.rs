//! The incoming-call overlay: who is calling, where, Accept and Decline.
//! Focus moves into it when it opens and back where it was when it closes.
//! During a call the Accept button becomes "End and answer".

use std::time::Duration;

use leptos::prelude::*;
use send_wrapper::SendWrapper;

use super::center::use_call_center;
use super::format;
use crate::app::avatar::Avatar;
use crate::app::icons::{HangUpIcon, PhoneIcon};
use crate::client::ring::Ringer;

#[component]
pub fn IncomingCall() -> impl IntoView {
    let center = use_call_center();
    let ringing = Memo::new(move |_| center.incoming.with(|l| l.first().cloned()));
    let queued = move || center.incoming.with(|l| l.len().saturating_sub(1));
    // The ringtone: on while something rings, off the moment nothing does.
    let ringer = StoredValue::new(None::<SendWrapper<Ringer>>);
    let sounding = RwSignal::new(false);
    let blocked = RwSignal::new(false);
    let check_sound = move || {
        let state = ringer.with_value(|r| r.as_ref().map(|r| r.blocked()));
        blocked.set(state == Some(true));
        sounding.set(state == Some(false));
    };
    // Into the dialog when a call rings; back to where we were after.
    Effect::new(move |was: Option<bool>| {
        let shown = ringing.with(|c| c.is_some());
        match (was.unwrap_or(false), shown) {
            (false, true) => {
                crate::client::focus::enter("incoming-accept");
                ringer.set_value(Ringer::start().map(SendWrapper::new));
                // The browser decides within a moment whether sound may play.
                set_timeout(check_sound, Duration::from_millis(400));
            }
            (true, false) => {
                ringer.set_value(None);
                sounding.set(false);
                blocked.set(false);
                crate::client::focus::restore();
            }
            _ => {}
        }
        shown
    });
    on_cleanup(move || ringer.set_value(None));
    let enable_sound = move |_| {
        ringer.with_value(|r| {
            if let Some(r) = r {
                r.unblock();
            }
        });
        set_timeout(check_sound, Duration::from_millis(200));
    };
    move || {
        let call = ringing.get()?;
        let caller = format::caller(&call).clone();
        let subtitle = format::subtitle(&call);
        let id = call.id;
        let in_call = center.current.with(|c| c.is_some());
        let accept_label = if in_call { "End and answer" } else { "Accept" };
        Some(view! {
            <div class="incoming-backdrop">
                <div
                    class="incoming"
                    role="alertdialog"
                    aria-modal="true"
                    aria-labelledby="incoming-title"
                    aria-describedby="incoming-where"
                    data-testid="incoming-call"
                    data-ringing=move || sounding.get().to_string()
                >
                    <Avatar user=caller.clone() />
                    <h2 id="incoming-title">{format!("{} is calling", caller.display_name)}</h2>
                    <p id="incoming-where" class="meta">{subtitle}</p>
                    <Show when=move || { queued() > 0 }>
                        <p class="meta">{move || format!("{} more waiting", queued())}</p>
                    </Show>
                    <Show when=move || blocked.get()>
                        <button class="link-button" on:click=enable_sound>
                            "Click to enable sound"
                        </button>
                    </Show>
                    <div class="incoming-actions">
                        <button
                            class="call-button decline"
                            on:click=move |_| center.decline(id)
                            disabled=center.pending
                        >
                            <HangUpIcon />
                            <span>"Decline"</span>
                        </button>
                        <button
                            class="call-button accept"
                            id="incoming-accept"
                            on:click=move |_| center.answer(id)
                            disabled=center.pending
                        >
                            <PhoneIcon />
                            <span>{accept_label}</span>
                        </button>
                    </div>
                </div>
            </div>
        })
    }
}
