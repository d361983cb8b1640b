//! "Invite people" on the People page, for coordinators and admins: make a
//! link (how long it lasts, how many it lets in), copy it (it is shown only
//! then), see each link's state and who joined through it, revoke it.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::avatar::Avatar;
use super::common::{Outcome, OutcomeLine};
use super::copy_field::CopyField;
use crate::api::community::{create_invitation, list_invitations, revoke_invitation};
use crate::contract::ids::CommunityId;
use crate::contract::invitations::{InvitationState, InvitationView, EXPIRY_HOURS, MAX_USES};
use crate::contract::ApiError;

type List = RwSignal<Option<Result<Vec<InvitationView>, ApiError>>>;

fn reload(list: List, community: CommunityId) {
    spawn_local(async move {
        list.set(Some(
            list_invitations(community).await.map(|o| o.invitations),
        ));
    });
}

fn lasts(hours: u32) -> &'static str {
    match hours {
        24 => "A day",
        168 => "A week",
        _ => "A month",
    }
}

#[component]
pub fn InvitationsPanel(community: CommunityId) -> impl IntoView {
    let list: List = RwSignal::new(None);
    // Fetched once the page is live (the list is not part of its boot data).
    Effect::new(move |_| reload(list, community));
    let said = RwSignal::new(None::<Outcome>);
    let link = RwSignal::new(None::<String>);
    let hours = RwSignal::new(EXPIRY_HOURS[1]);
    let uses = RwSignal::new(10u32);
    let busy = RwSignal::new(false);
    let make = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        said.set(None);
        link.set(None);
        spawn_local(async move {
            match create_invitation(community, hours.get_untracked(), uses.get_untracked()).await {
                Ok(made) => {
                    link.set(Some(format!("{}{}", crate::client::origin(), made.path)));
                    said.set(Some(Outcome::Done(
                        "Link made. Copy it now: it is shown only once.".into(),
                    )));
                }
                Err(e) => said.set(Some(Outcome::Failed(e.message))),
            }
            busy.set(false);
            reload(list, community);
        });
    };
    view! {
        <details class="invite-panel" data-testid="invite-panel">
            <summary>"Invite people"</summary>
            <form class="invite-form" on:submit=make>
                <label for="invite-lasts">"Lasts"</label>
                <select id="invite-lasts" on:change=move |ev| {
                    hours.set(event_target_value(&ev).parse().unwrap_or(EXPIRY_HOURS[1]))
                }>
                    {EXPIRY_HOURS
                        .into_iter()
                        .map(|h| view! { <option value=h.to_string() selected=h == EXPIRY_HOURS[1]>{lasts(h)}</option> })
                        .collect_view()}
                </select>
                <label for="invite-uses">"People it lets in"</label>
                <input
                    id="invite-uses"
                    type="number"
                    min="1"
                    max=MAX_USES.to_string()
                    required
                    prop:value=move || uses.get().to_string()
                    on:input=move |ev| uses.set(event_target_value(&ev).parse().unwrap_or(0))
                />
                <button type="submit" class="primary" disabled=move || busy.get()>"Make a link"</button>
            </form>
            <OutcomeLine outcome=said testid="invite-said" />
            {move || link.get().map(|value| view! { <CopyField id="new-link" label="The new link" what="link" value /> })}
            <h2 class="subhead">"Links"</h2>
            {move || match list.get() {
                None => view! { <p class="loading">"Loading…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                Some(Ok(items)) if items.is_empty() => {
                    view! { <p class="hint">"No links yet."</p> }.into_any()
                }
                Some(Ok(items)) => view! {
                    <ul class="invite-list" data-testid="invite-list">
                        {items
                            .into_iter()
                            .map(|invitation| view! { <LinkRow invitation list community said /> })
                            .collect_view()}
                    </ul>
                }
                .into_any(),
            }}
        </details>
    }
}

fn state_words(i: &InvitationView) -> String {
    let used = format!("{} of {} used", i.uses, i.max_uses);
    match i.state {
        InvitationState::Open => {
            let until = crate::client::local_date(i.expires_at).unwrap_or_default();
            if until.is_empty() {
                format!("Open · {used}")
            } else {
                format!("Open until {until} · {used}")
            }
        }
        InvitationState::Expired => format!("Expired · {used}"),
        InvitationState::UsedUp => format!("Used up · {used}"),
        InvitationState::Revoked => format!("Revoked · {used}"),
    }
}

#[component]
fn LinkRow(
    invitation: InvitationView,
    list: List,
    community: CommunityId,
    said: RwSignal<Option<Outcome>>,
) -> impl IntoView {
    let id = invitation.id;
    let hint = invitation.hint.clone();
    let open = invitation.state == InvitationState::Open;
    let revoke = {
        let hint = hint.clone();
        move |_| {
            let hint = hint.clone();
            said.set(None);
            spawn_local(async move {
                match revoke_invitation(id).await {
                    Ok(_) => said.set(Some(Outcome::Done(format!("The link …{hint} is revoked.")))),
                    Err(e) => said.set(Some(Outcome::Failed(e.message))),
                }
                reload(list, community);
            });
        }
    };
    let by = invitation
        .made_by
        .as_ref()
        .map(|u| format!(" · by {}", u.display_name));
    view! {
        <li class="invite-row" data-testid="invite" data-state=format!("{:?}", invitation.state)>
            <div class="invite-main">
                <p class="person-name">{format!("Link …{hint}")}</p>
                <p class="meta">{state_words(&invitation)}{by}</p>
                {(!invitation.joined.is_empty()).then(|| view! {
                    <ul class="joined" aria-label=format!("Joined through …{hint}")>
                        {invitation.joined.iter().map(|u| view! {
                            <li><Avatar user=u.clone() />" "{u.display_name.clone()}</li>
                        }).collect_view()}
                    </ul>
                })}
            </div>
            {open.then(|| view! {
                <button type="button" class="secondary" aria-label=format!("Revoke link …{hint}") on:click=revoke>
                    "Revoke"
                </button>
            })}
        </li>
    }
}
