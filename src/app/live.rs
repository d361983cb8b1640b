//! The live event stream as signals: a short log of recent events that
//! components read from their own cursor, a resync counter, and the link state.

use leptos::prelude::*;
use send_wrapper::SendWrapper;

use crate::client::live::{LiveConnection, LiveHandlers};
use crate::contract::events::{LinkState, LiveEvent};

/// How many recent events the log keeps; a component reads them from its own
/// cursor, so none is missed when several arrive in one tick.
const LOG_LEN: usize = 100;

#[derive(Clone, Copy)]
pub struct Live {
    /// (local counter, event), oldest first.
    pub log: RwSignal<Vec<(u64, LiveEvent)>>,
    /// Grows each time the tab must refetch what it shows.
    pub resyncs: RwSignal<u64>,
    pub link: RwSignal<LinkState>,
}

pub fn use_live() -> Live {
    expect_context::<Live>()
}

/// Opens the tab's live link (in the browser) and provides `Live`. The link
/// closes when the calling component unmounts.
pub fn provide_live(on_signed_out: impl Fn() + Clone + 'static) {
    let live = Live {
        log: RwSignal::new(Vec::new()),
        resyncs: RwSignal::new(0),
        link: RwSignal::new(LinkState::Connecting),
    };
    provide_context(live);
    // Effects run only in the browser, so the connection (which is not Send)
    // is made, owned and closed there; nothing of it exists during SSR.
    Effect::new(move |_| {
        let on_signed_out = on_signed_out.clone();
        let handlers = LiveHandlers {
            on_event: Box::new(move |event| {
                live.log.update(|log| {
                    let next = log.last().map_or(1, |(n, _)| n + 1);
                    log.push((next, event));
                    if log.len() > LOG_LEN {
                        log.drain(..log.len() - LOG_LEN);
                    }
                });
            }),
            on_resync: Box::new(move || live.resyncs.update(|n| *n += 1)),
            on_link: Box::new(move |state| live.link.set(state)),
            on_signed_out: Box::new(on_signed_out),
        };
        let connection = SendWrapper::new(LiveConnection::open(handlers));
        on_cleanup(move || connection.close());
    });
}

/// Calls `f` for each event that arrives after this call, in order.
pub fn on_live_event(f: impl Fn(&LiveEvent) + 'static) {
    follow_events(Box::new(f))
}

/// `on_live_event`'s work, not generic: one effect in the browser build
/// for every caller, not one per closure.
fn follow_events(f: Box<dyn Fn(&LiveEvent)>) {
    let live = use_live();
    let cursor = StoredValue::new(live.log.with_untracked(|l| l.last().map_or(0, |(n, _)| *n)));
    Effect::new(move |_| {
        live.log.with(|log| {
            let from = cursor.get_value();
            for (n, event) in log.iter().filter(|(n, _)| *n > from) {
                f(event);
                cursor.set_value(*n);
            }
        });
    });
}

/// Calls `f` each time the tab must refetch (not on the first render).
pub fn on_resync(f: impl Fn() + 'static) {
    follow_resyncs(Box::new(f))
}

fn follow_resyncs(f: Box<dyn Fn()>) {
    let live = use_live();
    let seen = StoredValue::new(live.resyncs.get_untracked());
    Effect::new(move |_| {
        let now = live.resyncs.get();
        if now != seen.get_value() {
            seen.set_value(now);
            f();
        }
    });
}
