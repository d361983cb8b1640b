//! The active call panel: who is in the call and how they are doing, the
//! timer, mute, audio devices, and hanging up. A floating card on a desktop,
//! the whole screen on a phone (see style/belfry.css).

use leptos::prelude::*;

use super::add_people::AddPeople;
use super::center::{use_call_center, CallCenter};
use super::format;
use super::mute::MuteToggle;
use super::speaker::SpeakerToggle;
use crate::app::avatar::Avatar;
use crate::app::icons::{HangUpIcon, MicOffIcon};
use crate::calls::{CallKind, CallStatus, ParticipantStatus};
use crate::contract::call_types::{CallParticipantView, CallView};
use crate::room::{AudioDevice, Quality, RoomPhase};

#[component]
pub fn CallPanel() -> impl IntoView {
    let center = use_call_center();
    move || {
        let call = center.current.get()?;
        Some(view! { <Panel call center /> })
    }
}

#[component]
fn Panel(call: CallView, center: CallCenter) -> impl IntoView {
    let title = format::title(&call, center.me);
    let subtitle = match call.kind {
        CallKind::Group => format!("{} · {}", format::subtitle(&call), format::headcount(&call)),
        CallKind::OneToOne => format::subtitle(&call),
    };
    let room = center.room;
    let label = format!("Call with {title}");
    let now = ticking_now();
    view! {
        <section class="call-panel" aria-label=label data-testid="call-panel">
            <header class="call-panel-head">
                <h2>{title}</h2>
                <p class="meta">{subtitle} " · " <CallClock call=call.clone() now /></p>
            </header>
            {move || {
                matches!(room.phase.get(), RoomPhase::Reconnecting { .. })
                    .then(|| view! { <p class="call-banner" role="status">"Reconnecting…"</p> })
            }}
            {move || center.error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || {
                room.local.with(|l| l.muted_by_moderator).then(|| {
                    view! {
                        <p class="call-banner" role="status">"Muted by a moderator. A coordinator or admin can let you speak again."</p>
                    }
                })
            }}
            {move || {
                room.local
                    .with(|l| l.mic_error.clone())
                    .map(|e| view! { <p class="error" role="alert">{e}</p> })
            }}
            <ul class="call-people" aria-label="Participants">
                {call
                    .participants
                    .iter()
                    .filter(|p| p.status != ParticipantStatus::Invited || call.kind == CallKind::Group)
                    .cloned()
                    .map(|p| view! { <Person person=p center now group=call.kind == CallKind::Group /> })
                    .collect_view()}
            </ul>
            <Controls call center />
        </section>
    }
}

/// The time now (Unix ms), ticking every second while the panel is up.
fn ticking_now() -> RwSignal<i64> {
    let now = RwSignal::new(js_now());
    Effect::new(move |_| {
        now.set(js_now());
        let handle = set_interval_with_handle(
            move || now.set(js_now()),
            std::time::Duration::from_millis(1000),
        );
        on_cleanup(move || {
            if let Ok(h) = handle {
                h.clear();
            }
        });
    });
    now
}

/// "Calling…" until someone answers, then the running time.
#[component]
fn CallClock(call: CallView, now: RwSignal<i64>) -> impl IntoView {
    let started = call.started_at;
    let ringing = call.status == CallStatus::Ringing;
    view! {
        <span class="call-clock" data-testid="call-clock">
            {move || match started {
                Some(at) if !ringing => format::clock(now.get() - at),
                _ => "Calling…".to_string(),
            }}
        </span>
    }
}

fn js_now() -> i64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::now() as i64
    }
    #[cfg(not(feature = "hydrate"))]
    {
        0
    }
}

#[component]
fn Person(
    person: CallParticipantView,
    center: CallCenter,
    now: RwSignal<i64>,
    group: bool,
) -> impl IntoView {
    let identity = person.user.id.to_string();
    let me = person.user.id == center.me;
    let peer = Memo::new(move |_| center.room.peer_of(&identity));
    let status = person.status;
    let name = if me {
        format!("{} (you)", person.user.display_name)
    } else {
        person.user.display_name.clone()
    };
    // Honest: "Connected" only once audio can flow (mine: my connection to
    // the media server is up; theirs: the server says theirs is), and
    // "Can't connect audio" when it has not after a grace period.
    let phase = center.room.phase;
    let presence_now = Memo::new(move |_| {
        let in_room = peer.with(|p| p.is_some());
        let flowing = match me {
            true => phase.get() == crate::room::RoomPhase::Connected,
            false => peer.with(|p| p.as_ref().is_some_and(|p| p.media)),
        };
        match (in_room || me, flowing) {
            (_, true) => format::Presence::Flowing,
            (true, false) => format::Presence::Joining,
            (false, false) => format::Presence::Away,
        }
    });
    let waiting_since = StoredValue::new(None::<i64>);
    let presence = Memo::new(move |_| {
        let presence = presence_now.get();
        if presence == format::Presence::Flowing || status != ParticipantStatus::Connected {
            waiting_since.set_value(None);
            return presence;
        }
        let now = now.get();
        let since = waiting_since.with_value(|s| *s).unwrap_or(now);
        waiting_since.set_value(Some(since));
        if now - since >= format::CONNECT_GRACE_MS {
            format::Presence::Stuck
        } else {
            presence
        }
    });
    let label = move || format::status_label(status, presence.get());
    let stuck = move || presence.get() == format::Presence::Stuck;
    // Memos: the peer changes many times a second while people talk; what
    // depends on these is redone only when one of them changes.
    let speaking = Memo::new(move |_| peer.with(|p| p.as_ref().is_some_and(|p| p.speaking)));
    let speaking = move || speaking.get();
    let muted = Memo::new(move |_| peer.with(|p| p.as_ref().is_some_and(|p| p.muted)));
    let muted = move || muted.get();
    let quality =
        Memo::new(move |_| peer.with(|p| p.as_ref().map_or(Quality::Unknown, |p| p.quality)));
    let quality = move || quality.get();
    // In a group call, coordinators and admins may mute or remove others.
    let spaces = crate::app::session::use_session().spaces;
    let moderates = move || {
        group
            && !me
            && status == ParticipantStatus::Connected
            && spaces.with(|s| {
                s.as_ref()
                    .and_then(|s| s.as_ref().ok())
                    .is_some_and(|s| s.communities.iter().any(|c| c.role.moderates()))
            })
    };
    let user_id = person.user.id;
    let who = person.user.display_name.clone();
    let (mute_label, unmute_label) = (format!("Mute {who}"), format!("Unmute {who}"));
    let remove_label = format!("Remove {who} from the call");
    view! {
        <li
            class="call-person"
            class:speaking=speaking
            class:left=!matches!(status, ParticipantStatus::Connected)
            data-testid="call-person"
            data-user=person.user.username.clone()
            data-speaking=move || speaking().to_string()
        >
            <Avatar user=person.user.clone() small=true />
            <span class="call-person-name">{name}</span>
            <span class="call-person-status" data-presence=move || presence.get().as_str()>
                {label}
                {move || stuck().then(|| view! {
                    <span class="call-person-reason">{format::stuck_reason(me)}</span>
                })}
                {move || {
                    muted().then(|| {
                        view! {
                            <span class="muted-mark" title="Muted">
                                <MicOffIcon />
                                <span class="sr-only">"muted"</span>
                            </span>
                        }
                    })
                }}
                {move || {
                    let quality = quality();
                    (quality != Quality::Unknown).then(|| {
                        view! {
                            <span class=quality.class()>
                                <span class="sr-only">{quality.label()}</span>
                            </span>
                        }
                    })
                }}
                {move || speaking().then(|| view! { <span class="sr-only">"speaking"</span> })}
            </span>
            {move || {
                moderates().then(|| {
                    view! {
                        <span class="moderation">
                            <button
                                class="link-button"
                                aria-label={
                                    let (mute, unmute) = (mute_label.clone(), unmute_label.clone());
                                    move || if muted() { unmute.clone() } else { mute.clone() }
                                }
                                on:click=move |_| center.mute_other(user_id, !muted())
                            >
                                {move || if muted() { "Unmute" } else { "Mute" }}
                            </button>
                            <button
                                class="link-button"
                                aria-label=remove_label.clone()
                                on:click=move |_| center.remove_other(user_id)
                            >
                                "Remove"
                            </button>
                        </span>
                    }
                })
            }}
        </li>
    }
}

#[component]
fn Controls(call: CallView, center: CallCenter) -> impl IntoView {
    let room = center.room;
    // "M" mutes and unmutes from anywhere but a text field.
    let shortcut = window_event_listener(leptos::ev::keydown, move |ev| {
        let modified = ev.ctrl_key() || ev.meta_key() || ev.alt_key() || ev.repeat();
        if ev.key().eq_ignore_ascii_case("m") && !modified && !crate::client::focus::typing() {
            ev.prevent_default();
            center.set_muted(!room.local.with_untracked(|l| l.muted));
        }
    });
    on_cleanup(move || shortcut.remove());
    let hang_up_label = if call.status == CallStatus::Ringing && call.initiator.id == center.me {
        "Cancel call"
    } else if call.kind == CallKind::Group {
        "Leave call"
    } else {
        "End call"
    };
    view! {
        <div class="call-controls" role="group" aria-label="Call controls">
            <MuteToggle room testid="mute" shortcut="M" />
            <SpeakerToggle room />
            <DevicePicker center />
            {(call.kind == CallKind::Group).then(|| view! { <AddPeople call=call.clone() center /> })}
            <button class="call-button decline" on:click=move |_| center.hang_up() disabled=center.pending>
                <HangUpIcon />
                <span>{hang_up_label}</span>
            </button>
        </div>
    }
}

/// Microphone and speaker choice, in a disclosure whose menu is drawn (and
/// its code fetched, `super::on_demand`) when it opens.
#[component]
fn DevicePicker(center: CallCenter) -> impl IntoView {
    let open = RwSignal::new(false);
    let toggled = move |ev: leptos::ev::Event| {
        open.set(event_target::<leptos::web_sys::Element>(&ev).has_attribute("open"));
    };
    view! {
        <details class="devices" on:toggle=toggled>
            <summary class="call-button">"Audio"</summary>
            <div class="device-menu">
                {move || open.get().then(|| super::on_demand::devices(center))}
            </div>
        </details>
    }
}

/// The device menu: a list of microphones, and of speakers where the
/// browser lets a page choose.
#[component]
pub(super) fn DeviceMenu(center: CallCenter) -> impl IntoView {
    let room = center.room;
    // A memo: the speaker list is made again only when this flips, not on
    // every change to the local state (a list open on screen stays open).
    let can_choose_speaker = Memo::new(move |_| room.local.with(|l| l.can_choose_speaker));
    view! {
        <DeviceSelect
            label="Microphone"
            devices=Signal::derive(move || room.local.with(|l| l.microphones.clone()))
            chosen=Signal::derive(move || room.local.with(|l| l.microphone.clone()))
            choose=Callback::new(move |id| room.choose_microphone(id))
        />
        {move || {
            if can_choose_speaker.get() {
                view! {
                    <DeviceSelect
                        label="Speaker"
                        devices=Signal::derive(move || room.local.with(|l| l.speakers.clone()))
                        chosen=Signal::derive(move || room.local.with(|l| l.speaker.clone()))
                        choose=Callback::new(move |id| room.choose_speaker(id))
                    />
                }
                .into_any()
            } else {
                view! { <p class="hint">"This browser plays calls on its default speaker."</p> }.into_any()
            }
        }}
    }
}

/// One labelled list of devices, the chosen one selected.
#[component]
fn DeviceSelect(
    label: &'static str,
    devices: Signal<Vec<AudioDevice>>,
    chosen: Signal<Option<String>>,
    choose: Callback<String>,
) -> impl IntoView {
    let chosen_id = move || chosen.get().unwrap_or_default();
    view! {
        <label>
            {label}
            <select prop:value=chosen_id on:change=move |ev| choose.run(event_target_value(&ev))>
                {move || {
                    devices
                        .get()
                        .into_iter()
                        .map(|d| {
                            let selected = d.id == chosen_id();
                            view! { <option value=d.id selected=selected>{d.label}</option> }
                        })
                        .collect_view()
                }}
            </select>
        </label>
    }
}
