//! The call center, mounted at the app shell: it holds the call this tab is
//! in and the calls ringing it, follows the live event stream, joins the
//! media room of the current call, and offers start / answer / decline /
//! hang up / mute to every component.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::format;
use super::room::{use_call_room, CallRoomState};
use crate::api::calls::{
    add_participant, answer_and_join, call_token, cancel_call, decline_call, initiate_call,
    leave_call, mark_calls_seen, missed_calls, mute_participant, my_calls, remove_participant,
};
use crate::app::layout::Me;
use crate::app::live::{on_live_event, on_resync};
use crate::calls::ids::{CallId, ChannelId, UserId};
use crate::calls::{CallStatus, DeclineReason, EndReason, ParticipantStatus};
use crate::contract::call_types::{CallView, RoomAccess};
use crate::contract::events::LiveEvent;
use crate::contract::{ApiError, ErrorKind};
use crate::room::RoomPhase;

/// A call-control request in flight, answering with the call as it now is.
type Action =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<Option<CallView>, ApiError>>>>;

#[derive(Clone, Copy)]
pub struct CallCenter {
    pub me: UserId,
    /// The call this tab is in.
    pub current: RwSignal<Option<CallView>>,
    /// Calls ringing us, oldest first; the first is shown.
    pub incoming: RwSignal<Vec<CallView>>,
    /// Calls that found us on another call (call waiting), oldest first;
    /// shown when nothing rings.
    pub waiting: RwSignal<Vec<CallView>>,
    pub room: CallRoomState,
    /// A failed action, shown until the next one.
    pub error: RwSignal<Option<String>>,
    /// The latest call-state announcement, for screen readers.
    pub announcement: RwSignal<String>,
    /// An action is on its way to the server.
    pub pending: RwSignal<bool>,
    /// Missed calls not yet seen (the badge on "Calls").
    pub missed: RwSignal<u32>,
    /// The token for the current call's media room, and which call it is for.
    access: RwSignal<Option<(CallId, RoomAccess)>>,
    /// The call whose media room closed before its end was heard of: its
    /// end is announced when the news arrives.
    closed: StoredValue<Option<CallId>>,
    /// Bumped when calls are seen and again when the server has heard so:
    /// a missed count fetched before then is stale and not shown.
    seen: StoredValue<u32>,
    /// Call events heard so far: a ringing list fetched while one arrived
    /// may be older than what the event said.
    heard: StoredValue<u32>,
}

pub fn use_call_center() -> CallCenter {
    expect_context::<CallCenter>()
}

/// Am I connected in this call?
pub(super) fn connected(call: &CallView, me: UserId) -> bool {
    call.status.is_live()
        && call
            .participant(me)
            .is_some_and(|p| p.status == ParticipantStatus::Connected)
}

pub fn provide_call_center() -> CallCenter {
    let me = expect_context::<Me>().0.id;
    let current = RwSignal::new(None::<CallView>);
    let access = RwSignal::new(None::<(CallId, RoomAccess)>);
    let room = use_call_room(Signal::derive(move || access.get().map(|(_, a)| a)));
    let center = CallCenter {
        me,
        current,
        incoming: RwSignal::new(Vec::new()),
        waiting: RwSignal::new(Vec::new()),
        room,
        error: RwSignal::new(None),
        announcement: RwSignal::new(String::new()),
        pending: RwSignal::new(false),
        missed: RwSignal::new(0),
        seen: StoredValue::new(0),
        heard: StoredValue::new(0),
        access,
        closed: StoredValue::new(None),
    };
    provide_context(center);

    // The current call's room: a token for it, unless the action that made
    // it current already fetched one.
    let current_id = Memo::new(move |_| current.with(|c| c.as_ref().map(|c| c.id)));
    Effect::new(move |_| match current_id.get() {
        None => access.set(None),
        Some(id) if access.with_untracked(|a| a.as_ref().map(|(c, _)| *c)) == Some(id) => {}
        Some(id) => spawn_local(async move {
            match call_token(id).await {
                Ok(a) if current_id.get_untracked() == Some(id) => access.set(Some((id, a))),
                Ok(_) => {}
                Err(e) => center.fail(e),
            }
        }),
    });
    // The media room closed under us: say why, and leave the call here.
    Effect::new(move |_| {
        if let RoomPhase::Closed(reason) = room.phase.get() {
            if let Some(message) = reason.message() {
                center.error.set(Some(message.into()));
            }
            center
                .closed
                .set_value(current.with_untracked(|c| c.as_ref().map(|c| c.id)));
            current.set(None);
        }
    });

    on_live_event(move |event| {
        if let LiveEvent::Call { call, changes } = event {
            center.heard.update_value(|n| *n += 1);
            center.follow_waiting(call, changes);
            center.follow(call);
        }
    });
    // The live link's first hello asks for a resync: what is ringing is
    // fetched then, once, with the link open so nothing falls in between;
    // that first time also rejoins the call a reloaded tab was in.
    let first = StoredValue::new(true);
    on_resync(move || {
        let adopt = first.get_value();
        first.set_value(false);
        center.load(adopt);
    });
    super::handoff::follow_handoffs(center);
    center
}

impl CallCenter {
    fn fail(&self, error: ApiError) {
        self.error.set(Some(error.message));
        self.pending.set(false);
    }

    /// Fetches what is ringing us, the missed-calls count and, on first
    /// load, the call we are in (so a reloaded tab rejoins it), in one
    /// request.
    fn load(&self, adopt: bool) {
        let center = *self;
        spawn_local(async move {
            // A call event heard while the answer was on its way may be
            // newer than it (a call that rang meanwhile): the events keep
            // the list then, and it is asked for again.
            for _ in 0..3 {
                let (asked, seen) = (center.heard.get_value(), center.seen.get_value());
                let Ok(state) = my_calls().await else {
                    break;
                };
                if center.heard.get_value() != asked {
                    continue;
                }
                center.incoming.set(state.incoming);
                // Calls seen meanwhile: this count may predate it.
                if center.seen.get_value() == seen {
                    center.missed.set(state.missed);
                }
                if adopt && center.current.get_untracked().is_none() {
                    if let Some(mine) = state.current.filter(|c| connected(c, center.me)) {
                        center.current.set(Some(mine));
                    }
                }
                break;
            }
        });
    }

    async fn count_missed(&self) {
        let asked = self.seen.get_value();
        if let Ok(n) = missed_calls().await {
            // Calls seen meanwhile: this count may predate it.
            if self.seen.get_value() == asked {
                self.missed.set(n);
            }
        }
    }

    /// I have looked at my calls: the badge clears, here and on the server.
    pub fn calls_seen(&self) {
        self.missed.set(0);
        self.seen.update_value(|n| *n += 1);
        let seen = self.seen;
        spawn_local(async move {
            let _ = mark_calls_seen().await;
            seen.update_value(|n| *n += 1);
        });
    }

    /// One call changed: update what rings, and the current call.
    fn follow(&self, call: &CallView) {
        let me = self.me;
        let missed_it = call
            .participant(me)
            .is_some_and(|p| p.status == ParticipantStatus::Missed);
        if missed_it
            && self
                .incoming
                .with_untracked(|l| l.iter().any(|c| c.id == call.id))
        {
            let center = *self;
            spawn_local(async move { center.count_missed().await });
        }
        self.incoming.update(|list| {
            let at = list.iter().position(|c| c.id == call.id);
            match (at, call.rings(me)) {
                (Some(i), true) => list[i] = call.clone(),
                (Some(i), false) => {
                    list.remove(i);
                }
                (None, true) => {
                    self.announcement.set(format!(
                        "Incoming call from {}",
                        format::caller(call).display_name
                    ));
                    list.push(call.clone());
                }
                (None, false) => {}
            }
        });
        let is_current = self
            .current
            .with_untracked(|c| c.as_ref().is_some_and(|c| c.id == call.id));
        if !is_current {
            // The media room closed first (the call ended): say how now.
            if self.closed.get_value() == Some(call.id) && !call.status.is_live() {
                self.closed.set_value(None);
                self.announce_end(call);
            }
            return;
        }
        if connected(call, me) {
            self.announce_changes(call);
            self.current.set(Some(call.clone()));
        } else {
            let removed = call
                .participant(me)
                .is_some_and(|p| p.decline_reason == Some(DeclineReason::Removed));
            if removed && call.status.is_live() {
                self.error
                    .set(Some("A moderator removed you from the call.".into()));
                self.announcement
                    .set("You were removed from the call".into());
            } else {
                self.announce_end(call);
            }
            self.current.set(None);
        }
    }

    /// Runs one server call, marking the center busy meanwhile.
    pub(super) fn act<F>(&self, action: F)
    where
        F: std::future::Future<Output = Result<Option<CallView>, ApiError>> + 'static,
    {
        self.act_boxed(Box::pin(action))
    }

    /// `act`'s work, not generic: one copy in the browser build for every
    /// action, not one per future.
    fn act_boxed(&self, action: Action) {
        let center = *self;
        center.error.set(None);
        center.pending.set(true);
        spawn_local(async move {
            match action.await {
                Ok(view) => {
                    if let Some(view) = view {
                        center.incoming.update(|l| l.retain(|c| c.id != view.id));
                        let mine = connected(&view, center.me);
                        // The token in the same breath: one round trip sooner
                        // (an answer brought its own).
                        let has_access = center
                            .access
                            .with_untracked(|a| a.as_ref().map(|(c, _)| *c) == Some(view.id));
                        if mine && !has_access {
                            if let Ok(a) = call_token(view.id).await {
                                center.access.set(Some((view.id, a)));
                            }
                        }
                        center.current.set(mine.then_some(view));
                    }
                    center.pending.set(false);
                }
                Err(e) => center.fail(e),
            }
        });
    }

    /// Starts a call in the channel, or joins its live one.
    pub fn start(&self, channel: ChannelId, invitees: Option<Vec<UserId>>) {
        let center = *self;
        self.act(async move { center.initiate(channel, invitees).await });
    }

    /// Starts or joins; if everyone asked is on another call the call ends
    /// at once: say who.
    pub(super) async fn initiate(
        &self,
        channel: ChannelId,
        invitees: Option<Vec<UserId>>,
    ) -> Result<Option<CallView>, ApiError> {
        let view = initiate_call(channel, invitees).await?;
        if view.end_reason == Some(EndReason::Busy) {
            let busy = format::busy_names(&view);
            self.announcement.set(format!("{busy} on another call"));
            return Err(ApiError::new(
                ErrorKind::Conflict,
                format!("{busy} on another call. Try again in a little while."),
            ));
        }
        Ok(Some(view))
    }

    /// Answers; any call we are in is left first ("End and answer"). The
    /// room's token comes with the answer, so the audio starts a round trip
    /// sooner.
    pub fn answer(&self, call: CallId) {
        let previous = self.current.get_untracked().map(|c| c.id);
        let access = self.access;
        self.act(async move {
            if let Some(previous) = previous.filter(|p| *p != call) {
                leave_call(previous).await?;
            }
            let answered = answer_and_join(call).await?;
            access.set(Some((call, answered.access)));
            Ok(Some(answered.call))
        });
    }

    pub fn decline(&self, call: CallId) {
        self.incoming.update(|l| l.retain(|c| c.id != call));
        self.act(async move { decline_call(call).await.map(|_| None) });
    }

    /// Cancels a call nobody has answered yet, else leaves it.
    pub fn hang_up(&self) {
        let Some(call) = self.current.get_untracked() else {
            return;
        };
        let cancel = call.status == CallStatus::Ringing && call.initiator.id == self.me;
        let center = *self;
        self.act(async move {
            let view = if cancel {
                cancel_call(call.id).await?
            } else {
                leave_call(call.id).await?
            };
            center.announce_end(&view);
            center.current.set(None);
            Ok(None)
        });
    }

    pub fn set_muted(&self, muted: bool) {
        self.room.set_muted(muted);
    }

    /// A moderator mutes someone in the current call (they cannot unmute
    /// themselves), or lets them speak again.
    pub fn mute_other(&self, user: UserId, muted: bool) {
        let Some(call) = self.current_id() else {
            return;
        };
        self.act(async move { mute_participant(call, user, Some(muted)).await.map(Some) });
    }

    /// Someone in a group call rings one more channel member.
    pub fn add_other(&self, user: UserId) {
        let Some(call) = self.current_id() else {
            return;
        };
        self.act(async move { add_participant(call, user).await.map(Some) });
    }

    /// A moderator takes someone out of the current call.
    pub fn remove_other(&self, user: UserId) {
        let Some(call) = self.current_id() else {
            return;
        };
        self.act(async move { remove_participant(call, user).await.map(Some) });
    }

    fn current_id(&self) -> Option<CallId> {
        self.current.with_untracked(|c| c.as_ref().map(|c| c.id))
    }
}
