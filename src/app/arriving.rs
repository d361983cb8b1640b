//! Code split out of the main WASM, on its way for a view: a page
//! (`super::lazy_pages`) or a part of the call UI (`super::call::on_demand`).
//!
//! Code that does not arrive (the network dropped a moment) must not take
//! the app with it: a panic would end the WASM, and a call on screen would
//! lose its controls. A failed fetch is tried again after each given wait;
//! then the view says so and offers to try again, while the call and the
//! rest of the app go on. [`Arriving`] is not generic, so its code exists
//! once in the WASM for every page and part.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use leptos::prelude::*;
use leptos::task::spawn_local_scoped_with_cancellation;
use leptos::wasm_split::SplitLoaderError;

/// Split-out code that did not load.
pub struct NotLoaded;

impl From<SplitLoaderError> for NotLoaded {
    fn from(_: SplitLoaderError) -> Self {
        NotLoaded
    }
}

/// Opening a view whose code is split out: fetching the code if it is not
/// here yet, then making the view.
pub type Opening = Pin<Box<dyn Future<Output = Result<AnyView, NotLoaded>>>>;

/// How long to wait before trying again to fetch split-out code: half a
/// second, then two seconds more.
pub const RETRY_AFTER_MS: [u32; 2] = [500, 2000];

/// Runs `attempt` until it succeeds, waiting each of `waits` (ms) between
/// tries, then every `then_every` ms if given; else its last failure.
pub async fn retrying<T, E>(
    attempt: impl Fn() -> Pin<Box<dyn Future<Output = Result<T, E>>>>,
    waits: &[u32],
    then_every: Option<u32>,
) -> Result<T, E> {
    let mut waits = waits.iter();
    loop {
        let failed = match attempt().await {
            Ok(value) => return Ok(value),
            Err(failed) => failed,
        };
        match waits.next().copied().or(then_every) {
            Some(wait) => crate::client::pause(wait).await,
            None => return Err(failed),
        }
    }
}

/// Where the code has got to.
#[derive(Clone, Copy, PartialEq)]
pub enum Arrival {
    Waiting,
    Here,
    Missing,
    /// "Try again" was pressed after `Missing`.
    TryingAgain,
}

/// A view's code on its way, fetched by a task of the current owner (so it
/// stops when the view goes).
#[derive(Clone, Copy)]
pub struct Arriving {
    arrival: RwSignal<Arrival>,
    shown: Memo<Arrival>,
    drawn: StoredValue<Option<AnyView>, LocalStorage>,
    open: StoredValue<Box<dyn Fn() -> Opening>, LocalStorage>,
    owner: StoredValue<Owner, LocalStorage>,
}

impl Arriving {
    /// Starts opening the view, with the tries [`retrying`] makes.
    pub fn start(
        open: Box<dyn Fn() -> Opening>,
        waits: &'static [u32],
        then_every: Option<u32>,
    ) -> Self {
        let arrival = RwSignal::new(Arrival::Waiting);
        let arriving = Arriving {
            arrival,
            // While trying again, the notice stays (its button busy).
            shown: Memo::new(move |_| match arrival.get() {
                Arrival::TryingAgain => Arrival::Missing,
                other => other,
            }),
            drawn: StoredValue::new_local(None),
            open: StoredValue::new_local(open),
            owner: StoredValue::new_local(Owner::current().unwrap_or_default()),
        };
        arriving.load(waits, then_every);
        arriving
    }

    fn load(self, waits: &'static [u32], then_every: Option<u32>) {
        self.owner.get_value().with(|| {
            spawn_local_scoped_with_cancellation(async move {
                // Gone with its view: never resolves (the task is dropped).
                let attempt = || -> Opening {
                    self.open
                        .try_with_value(|open| open())
                        .unwrap_or_else(|| Box::pin(std::future::pending()))
                };
                match retrying(attempt, waits, then_every).await {
                    Ok(view) => {
                        self.drawn.set_value(Some(view));
                        self.arrival.set(Arrival::Here);
                    }
                    Err(NotLoaded) => self.arrival.set(Arrival::Missing),
                }
            })
        })
    }

    /// What to show: `Waiting`, `Here` or `Missing` (tracked).
    pub fn shown(self) -> Arrival {
        self.shown.get()
    }

    /// Whether "Try again" is under way (tracked).
    pub fn trying(self) -> bool {
        self.arrival.get() == Arrival::TryingAgain
    }

    /// One more try, after the notice.
    pub fn retry(self) {
        self.arrival.set(Arrival::TryingAgain);
        self.load(&[], None);
    }

    /// The view, once it is here (it moves out).
    pub fn take(self) -> Option<AnyView> {
        self.drawn.try_update_value(Option::take).flatten()
    }
}

/// The future's output if it is ready on its first poll: opening a view is,
/// once its code is here.
pub fn now<T>(mut future: Pin<Box<dyn Future<Output = T>>>) -> Option<T> {
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(value) => Some(value),
        Poll::Pending => None,
    }
}
