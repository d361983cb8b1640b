//! The speaker / earpiece toggle, where the browser allows it: shown only
//! when it can choose the output and names both a loudspeaker and an
//! earpiece (phones); elsewhere the speaker menu under "Audio" is enough.

use leptos::prelude::*;

use super::room::CallRoomState;
use crate::app::icons::SpeakerIcon;
use crate::room::outputs::speaker_and_earpiece;

#[component]
pub fn SpeakerToggle(room: CallRoomState) -> impl IntoView {
    // (loudspeaker id, earpiece id, loudspeaker on?)
    let pair = Memo::new(move |_| {
        room.local.with(|l| {
            if !l.can_choose_speaker {
                return None;
            }
            let (speaker, earpiece) = speaker_and_earpiece(&l.speakers)?;
            let on = l.speaker.as_deref() == Some(speaker.id.as_str());
            Some((speaker.id.clone(), earpiece.id.clone(), on))
        })
    });
    move || {
        let (speaker, earpiece, on) = pair.get()?;
        let next = if on { earpiece } else { speaker };
        Some(view! {
            <button
                class="call-button speaker"
                class:on=on
                aria-pressed=on.to_string()
                title="Play the call on the loudspeaker or the earpiece"
                on:click=move |_| room.choose_speaker(next.clone())
                data-testid="speaker-toggle"
            >
                <SpeakerIcon />
                <span>"Speaker"</span>
            </button>
        })
    }
}
