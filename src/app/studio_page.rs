//! `/s/:id`: a studio, its voice room and its people.

use leptos::prelude::*;

use leptos::task::spawn_local;

use super::boot::PageData;
use super::call::{StudioVoice, StudioVoiceButtons, StudioVoicePanel};
use super::common::{ErrorPanel, PagesSheet};
use super::live::on_live_event;
use super::page_data::{page_data, set_if_changed};
use super::studio_members::{latest, StudioMembers};
use crate::api::chat::get_studio;
use crate::app::router::use_id;
use crate::contract::events::LiveEvent;
use crate::contract::ids::StudioId;
use crate::contract::types::StudioDetail;
use crate::contract::{ApiError, ErrorKind};

#[component]
pub fn StudioPage() -> impl IntoView {
    let address = use_id("/s/");
    let studio_id =
        move || address.with(|id| id.as_deref().and_then(|s| s.parse::<StudioId>().ok()));
    let data = page_data(
        studio_id,
        |page, id| match page {
            PageData::Studio(at, data) if at == *id => data.open(),
            _ => None,
        },
        |id| async move {
            match id {
                Some(id) => get_studio(id).await,
                None => Err(ApiError::new(ErrorKind::NotFound, "No such studio.")),
            }
        },
    );
    // Who is in it, read again after an owner's change and when someone
    // else's changes reach us: only the list is drawn again (the page, and
    // a voice room on it, stay as they are). A read of another studio
    // (the address moved on) is not this one's: see `latest`.
    let fresh = RwSignal::new(None::<StudioDetail>);
    let reload = Callback::new(move |()| {
        if let Some(id) = untrack(studio_id) {
            spawn_local(async move {
                match get_studio(id).await {
                    Ok(detail) => set_if_changed(fresh, Some(detail)),
                    // Taken out of it: the page says so.
                    Err(error) => data.set(Some(Err(error))),
                }
            });
        }
    });
    on_live_event(move |event| {
        if matches!(event, LiveEvent::SpacesChanged) {
            reload.run(());
        }
    });
    move || match data.get() {
        None => view! { <p class="loading">"Loading…"</p> }.into_any(),
        Some(Ok(detail)) => {
            let (first, shown) = (detail.clone(), detail.clone());
            let count = move || fresh.with(|f| latest(f, &shown).studio.member_count);
            let voice = StudioVoice::new(detail.studio.id);
            view! {
                <section class="studio" aria-labelledby="studio-title">
                    <PagesSheet />
                    <header class="chat-header" data-testid="studio-header">
                        <a href="/" class="back" aria-label="Back to channels">"‹"</a>
                        <div class="chat-title">
                            <h1 id="studio-title">{detail.studio.name}</h1>
                            <p class="meta">{move || format!("{} collaborators", count())}</p>
                        </div>
                        <div class="chat-actions" data-testid="voice-slot" role="group" aria-label="Studio actions">
                            <StudioVoiceButtons voice />
                        </div>
                    </header>
                    <StudioVoicePanel voice />
                    <StudioMembers first fresh reload />
                </section>
            }
            .into_any()
        }
        Some(Err(error)) => view! { <ErrorPanel error /> }.into_any(),
    }
}
