//! The incoming-call overlay: who is calling, where, Accept and Decline.
//! Focus moves into it when it opens and back where it was when it closes.
//! During a call the Accept button becomes "End and answer".

use leptos::prelude::*;

use super::center::use_call_center;
use super::format;
use crate::app::avatar::Avatar;
use crate::app::icons::{HangUpIcon, PhoneIcon};

#[component]
pub fn IncomingCall() -> impl IntoView {
    let center = use_call_center();
    let ringing = Memo::new(move |_| center.incoming.with(|l| l.first().cloned()));
    let queued = move || center.incoming.with(|l| l.len().saturating_sub(1));
    // Into the dialog when a call rings; back to where we were after.
    Effect::new(move |was: Option<bool>| {
        let shown = ringing.with(|c| c.is_some());
        match (was.unwrap_or(false), shown) {
            (false, true) => crate::client::focus::enter("incoming-accept"),
            (true, false) => crate::client::focus::restore(),
            _ => {}
        }
        shown
    });
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
                >
                    <Avatar user=caller.clone() />
                    <h2 id="incoming-title">{format!("{} is calling", caller.display_name)}</h2>
                    <p id="incoming-where" class="meta">{subtitle}</p>
                    <Show when=move || { queued() > 0 }>
                        <p class="meta">{move || format!("{} more waiting", queued())}</p>
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
