//! `/s/:id`: a studio and its members.

use leptos::prelude::*;

use super::avatar::Avatar;
use super::call::{StudioVoice, StudioVoiceButtons, StudioVoicePanel};
use super::common::ErrorPanel;
use crate::api::chat::get_studio;
use crate::api::ids::StudioId;
use crate::api::{ApiError, ErrorKind};
use crate::app::resource::load;
use crate::app::router::use_id;

#[component]
pub fn StudioPage() -> impl IntoView {
    let id = use_id("/s/");
    let studio_id = move || id.with(|id| id.as_deref().and_then(|s| s.parse::<StudioId>().ok()));
    let data = load(studio_id, |id| async move {
        match id {
            Some(id) => get_studio(id).await,
            None => Err(ApiError::new(ErrorKind::NotFound, "No such studio.")),
        }
    });
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(detail) => {
                        let count = detail.studio.member_count;
                        let voice = StudioVoice::new(detail.studio.id);
                        view! {
                            <section class="studio" aria-labelledby="studio-title">
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
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
