//! The incoming-call overlay: who is calling, where, Accept and Decline.
//! Focus moves into it when it opens and back where it was when it closes.
//! During a call the Accept button becomes "End and answer". When nothing
//! rings, it shows a call that found us on another call (call waiting,
//! `waiting.rs`): no ringtone, "End and answer" or "End and call back".

use std::time::Duration;

use leptos::prelude::*;
use send_wrapper::SendWrapper;

use super::center::use_call_center;
use super::format;
use super::waiting::{waiting_words, OfferWords};
use crate::app::avatar::Avatar;
use crate::app::icons::{HangUpIcon, PhoneIcon};
use crate::calls::ids::CallId;
use crate::client::ring::Ringer;
use crate::contract::call_types::CallView;
use crate::contract::types::UserView;

#[component]
pub fn IncomingCall() -> impl IntoView {
    let center = use_call_center();
    // What the dialog shows: what rings first, else a waiting call. Only
    // what is on screen, so a call's other news does not redraw it.
    let shown = Memo::new(move |_| {
        let in_call = center.current.with(|c| c.is_some());
        match center
            .incoming
            .with(|l| l.first().map(|c| Shown::ringing(c, in_call)))
        {
            Some(ringing) => Some(ringing),
            None => center
                .waiting
                .with(|l| l.first().map(|c| Shown::waiting(c, in_call))),
        }
    });
    let ringing = Memo::new(move |_| shown.with(|s| s.as_ref().is_some_and(|s| !s.waiting)));
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
    // Into the dialog when it opens; back to where we were after.
    Effect::new(move |was: Option<bool>| {
        let open = shown.with(|s| s.is_some());
        match (was.unwrap_or(false), open) {
            (false, true) => crate::client::focus::enter("incoming-accept"),
            (true, false) => crate::client::focus::restore(),
            _ => {}
        }
        open
    });
    // The ringtone: on while something rings, off the moment nothing does.
    Effect::new(move |was: Option<bool>| {
        let now = ringing.get();
        match (was.unwrap_or(false), now) {
            (false, true) => {
                // After the dialog is on screen: making an AudioContext takes
                // a slow phone 60-160 ms (`make bench-phone`), which the
                // dialog would otherwise wait for. The first chime sounds a
                // frame later than it would have, the dialog that much sooner.
                request_animation_frame(move || {
                    set_timeout(
                        move || {
                            let still = ringing.try_get_untracked() == Some(true);
                            if !still || ringer.try_with_value(|r| r.is_some()) != Some(false) {
                                return;
                            }
                            ringer.set_value(Ringer::start(check_sound).map(SendWrapper::new));
                            // The browser decides within a moment whether sound
                            // may play; if it has not by then, the person is
                            // offered to allow it (and the offer goes when the
                            // sound starts after all).
                            set_timeout(check_sound, Duration::from_millis(400));
                        },
                        Duration::ZERO,
                    )
                });
            }
            (true, false) => {
                ringer.set_value(None);
                sounding.set(false);
                blocked.set(false);
            }
            _ => {}
        }
        now
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
        let Shown {
            id,
            waiting: is_waiting,
            caller,
            words:
                OfferWords {
                    title,
                    detail,
                    take,
                    dismiss,
                },
        } = shown.get()?;
        let on_take = move |_| {
            if !is_waiting {
                center.answer(id);
            } else if let Some(call) = center.waiting_call(id) {
                center.take_waiting(call);
            }
        };
        let on_dismiss = move |_| {
            if is_waiting {
                center.dismiss_waiting(id);
            } else {
                center.decline(id);
            }
        };
        Some(view! {
            <div class="incoming-backdrop">
                <div
                    class="incoming"
                    class:waiting=is_waiting
                    role="alertdialog"
                    aria-modal="true"
                    aria-labelledby="incoming-title"
                    aria-describedby="incoming-where"
                    data-testid=if is_waiting { "call-waiting" } else { "incoming-call" }
                    data-ringing=move || sounding.get().to_string()
                >
                    <Avatar user=caller />
                    <h2 id="incoming-title">{title}</h2>
                    <p id="incoming-where" class="meta">{detail}</p>
                    {move || {
                        let queued = queued();
                        (queued > 0).then(|| view! { <p class="meta">{format!("{queued} more waiting")}</p> })
                    }}
                    {move || {
                        (blocked.get() && !is_waiting).then(|| {
                            view! {
                                <button class="link-button" on:click=enable_sound>
                                    "Click to enable sound"
                                </button>
                            }
                        })
                    }}
                    <div class="incoming-actions">
                        <button
                            class="call-button decline"
                            on:click=on_dismiss
                            disabled=center.pending
                        >
                            <HangUpIcon />
                            <span>{dismiss}</span>
                        </button>
                        <button
                            class="call-button accept"
                            id="incoming-accept"
                            on:click=on_take
                            disabled=center.pending
                        >
                            <PhoneIcon />
                            <span>{take}</span>
                        </button>
                    </div>
                </div>
            </div>
        })
    }
}

/// What the dialog shows for one call.
#[derive(Clone, PartialEq)]
struct Shown {
    id: CallId,
    /// A waiting call (call waiting), not a ring.
    waiting: bool,
    caller: UserView,
    words: OfferWords,
}

impl Shown {
    fn ringing(call: &CallView, in_call: bool) -> Self {
        let caller = format::caller(call).clone();
        Self {
            id: call.id,
            waiting: false,
            words: OfferWords {
                title: format!("{} is calling", caller.display_name),
                detail: format::subtitle(call),
                take: if in_call { "End and answer" } else { "Accept" },
                dismiss: "Decline",
            },
            caller,
        }
    }

    fn waiting(call: &CallView, in_call: bool) -> Self {
        Self {
            id: call.id,
            waiting: true,
            caller: format::caller(call).clone(),
            words: waiting_words(call, in_call),
        }
    }
}
