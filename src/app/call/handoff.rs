//! Calls handed to the page from outside it: a notification's deep link
//! (`/?callId=12`, which shows the call and never answers it) and the
//! service worker's message to an open window (which answers when the
//! person tapped Answer: only the service worker can send it). Also keeps the installed app's badge
//! in step with the missed-call count.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::center::{connected, CallCenter};
use crate::api::calls::get_call;
use crate::calls::ids::CallId;
use crate::client::pwa;

pub fn follow_handoffs(center: CallCenter) {
    let open = move |call: CallId, answer: bool| {
        spawn_local(async move {
            match get_call(call).await {
                // Still ringing me: the overlay (and the answer, if asked).
                Ok(view) if view.rings(center.me) => {
                    center.incoming.update(|list| {
                        if !list.iter().any(|c| c.id == view.id) {
                            list.insert(0, view.clone());
                        }
                    });
                    if answer {
                        center.answer(view.id);
                    }
                }
                // Live and I am in it: the call panel already shows it.
                Ok(view) if connected(&view, center.me) => {}
                // Over (or not for me to answer): its entry in the history.
                Ok(view) => {
                    if answer {
                        center
                            .error
                            .set(Some("That call is no longer ringing.".into()));
                    }
                    crate::app::router::navigate(&format!("/calls?callId={}", view.id));
                }
                Err(e) => center.error.set(Some(e.message)),
            }
        });
    };
    Effect::new(move |_| {
        pwa::on_call_message(open);
        // The overlay, with Accept focused: a link is not a gesture.
        if let Some(call) = pwa::take_deep_link() {
            open(call, false);
        }
    });
    Effect::new(move |shown: Option<u32>| {
        let n = center.missed.get();
        if shown != Some(n) {
            pwa::set_app_badge(n);
        }
        n
    });
}
