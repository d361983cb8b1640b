//! `/s/:id`: a studio and its members.

use leptos::prelude::*;

use super::avatar::Avatar;
use super::boot::PageData;
use super::call::{StudioVoice, StudioVoiceButtons, StudioVoicePanel};
use super::common::{ErrorPanel, PagesSheet};
use super::page_data::page_data;
use crate::api::chat::get_studio;
use crate::app::router::use_id;
use crate::contract::ids::StudioId;
use crate::contract::{ApiError, ErrorKind};

#[component]
pub fn StudioPage() -> impl IntoView {
    let address = use_id("/s/");
    let studio_id =
        move || address.with(|id| id.as_deref().and_then(|s| s.parse::<StudioId>().ok()));
    let data = page_data(
        studio_id,
        |page, id| match page {
            PageData::Studio(at, data) if at == *id => Some(data),
            _ => None,
        },
        |id| async move {
            match id {
                Some(id) => get_studio(id).await,
                None => Err(ApiError::new(ErrorKind::NotFound, "No such studio.")),
            }
        },
    );
    move || match data.get() {
        None => view! { <p class="loading">"Loading…"</p> }.into_any(),
        Some(Ok(detail)) => {
            let count = detail.studio.member_count;
            let voice = StudioVoice::new(detail.studio.id);
            view! {
                <section class="studio" aria-labelledby="studio-title">
                    <PagesSheet />
                    <header class="chat-header" data-testid="studio-header">
                        <a href="/" class="back" aria-label="Back to channels">"‹"</a>
                        <div class="chat-title">
                            <h1 id="studio-title">{detail.studio.name}</h1>
                            <p class="meta">{format!("{count} collaborators")}</p>
                        </div>
                        <div class="chat-actions" data-testid="voice-slot" role="group" aria-label="Studio actions">
                            <StudioVoiceButtons voice />
                        </div>
                    </header>
                    <StudioVoicePanel voice />
                    <ul class="studio-members">
                        {detail
                            .members
                            .into_iter()
                            .map(|m| view! {
                                <li>
                                    <Avatar user=m.clone() />
                                    <span>{m.display_name}</span>
                                </li>
                            })
                            .collect_view()}
                    </ul>
                </section>
            }
            .into_any()
        }
        Some(Err(error)) => view! { <ErrorPanel error /> }.into_any(),
    }
}
