//! A studio's drop-in voice room: "Join voice" in the studio header, then a
//! voice panel with who is there, who is speaking, mute and leave. No
//! ringing; whoever is in the room hears whoever joins.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::center::use_call_center;
use super::mute::MuteToggle;
use super::room::{use_call_room, CallRoomState};
use crate::api::calls::join_studio_voice;
use crate::app::icons::{HangUpIcon, MicOffIcon, PhoneIcon};
use crate::calls::ids::StudioId;
use crate::contract::call_types::RoomAccess;
use crate::contract::types::initials_of;
use crate::room::{Quality, RoomPeer, RoomPhase};

/// The studio page's voice room: made once per page, shown by the header's
/// buttons and by the panel below it.
#[derive(Clone, Copy)]
pub struct StudioVoice {
    studio_id: StudioId,
    access: RwSignal<Option<RoomAccess>>,
    room: CallRoomState,
    error: RwSignal<Option<String>>,
    joining: RwSignal<bool>,
}

impl StudioVoice {
    pub fn new(studio_id: StudioId) -> Self {
        let access = RwSignal::new(None::<RoomAccess>);
        let room = use_call_room(access.into());
        let error = RwSignal::new(None::<String>);
        // The room closed under us (removed, or the link gave up): say why.
        Effect::new(move |_| {
            if let RoomPhase::Closed(reason) = room.phase.get() {
                if let Some(message) = reason.message() {
                    error.set(Some(message.into()));
                }
                access.set(None);
            }
        });
        Self {
            studio_id,
            access,
            room,
            error,
            joining: RwSignal::new(false),
        }
    }
}

/// "Join voice", or mute and leave once in.
#[component]
pub fn StudioVoiceButtons(voice: StudioVoice) -> impl IntoView {
    let center = use_call_center();
    let StudioVoice {
        studio_id,
        access,
        room,
        error,
        joining,
    } = voice;
    let joined = move || access.with(|a| a.is_some());
    let join = move |_| {
        if center.current.with_untracked(|c| c.is_some()) {
            error.set(Some(
                "Leave your call first: one conversation at a time.".into(),
            ));
            return;
        }
        error.set(None);
        joining.set(true);
        spawn_local(async move {
            match join_studio_voice(studio_id).await {
                Ok(a) => access.set(Some(a)),
                Err(e) => error.set(Some(e.message)),
            }
            joining.set(false);
        });
    };
    let leave = move |_| access.set(None);
    view! {
        <div class="studio-voice">
            {move || {
                if joined() {
                    view! {
                        <MuteToggle room testid="voice-mute" />
                        <button class="call-button decline" on:click=leave data-testid="leave-voice">
                            <HangUpIcon />
                            <span>"Leave"</span>
                        </button>
                    }
                    .into_any()
                } else {
                    view! {
                        <button class="call-button accept" on:click=join disabled=joining data-testid="join-voice">
                            <PhoneIcon />
                            <span>"Join voice"</span>
                        </button>
                    }
                    .into_any()
                }
            }}
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </div>
    }
}

/// Who is in the voice room, who is speaking, how they are connected.
#[component]
pub fn StudioVoicePanel(voice: StudioVoice) -> impl IntoView {
    let StudioVoice { access, room, .. } = voice;
    let joined = move || access.with(|a| a.is_some());
    view! {
        {move || {
            joined().then(|| {
                view! {
                    <section class="voice-panel" aria-label="Voice room" data-testid="voice-panel">
                        {move || match room.phase.get() {
                            RoomPhase::Reconnecting { .. } => {
                                Some(view! { <p class="call-banner" role="status">"Reconnecting…"</p> }.into_any())
                            }
                            RoomPhase::Connecting => Some(view! { <p class="meta" role="status">"Joining…"</p> }.into_any()),
                            _ => None,
                        }}
                        <ul class="voice-people" aria-label="In the voice room">
                            <For
                                each=move || room.peers.with(|ps| ps.iter().map(|p| p.sid.clone()).collect::<Vec<_>>())
                                key=|sid| sid.clone()
                                let:sid
                            >
                                <VoiceRow room sid />
                            </For>
                        </ul>
                    </section>
                }
            })
        }}
    }
}

/// One person in the voice room; follows their speaking, mute and quality.
#[component]
fn VoiceRow(room: CallRoomState, sid: String) -> impl IntoView {
    let peer = Memo::new(move |_| {
        room.peers
            .with(|ps| ps.iter().find(|p| p.sid == sid).cloned())
    });
    let get = move |f: fn(&RoomPeer) -> bool| peer.with(|p| p.as_ref().is_some_and(f));
    let name = move || peer.with(|p| p.as_ref().map(|p| p.name.clone()).unwrap_or_default());
    let label = move || {
        peer.with(|p| match p {
            Some(p) if p.is_local => format!("{} (you)", p.name),
            Some(p) => p.name.clone(),
            None => String::new(),
        })
    };
    let quality = move || peer.with(|p| p.as_ref().map_or(Quality::Unknown, |p| p.quality));
    // Memos: the peer changes many times a second while people talk.
    let muted = Memo::new(move |_| get(|p| p.muted));
    let speaking = Memo::new(move |_| get(|p| p.speaking));
    view! {
        <li
            class="voice-person"
            class:speaking=move || speaking.get()
            data-testid="voice-person"
            data-name=name
            data-speaking=move || speaking.get().to_string()
        >
            <span class="voice-avatar" aria-hidden="true">{move || initials_of(&name())}</span>
            <span>{label}</span>
            {move || {
                muted.get().then(|| {
                    view! { <span class="muted-mark" title="Muted"><MicOffIcon /><span class="sr-only">"muted"</span></span> }
                })
            }}
            {move || speaking.get().then(|| view! { <span class="sr-only">"speaking"</span> })}
            <span class="sr-only">{move || quality().label()}</span>
        </li>
    }
}
