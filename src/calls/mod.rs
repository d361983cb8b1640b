//! Call control's pure domain: ids, call and participant states, the events
//! that move them, the effects a transition asks for, and the wording of call
//! summaries. No IO, no clock (time is passed in), no feature gates: both the
//! server and the browser build compile it.

mod change_wire;
pub mod ids;
pub mod machine;
pub mod state;
mod steps;
pub mod summary;

pub use change_wire::ChangeWire;
pub use machine::{apply, start, CallChange, CallError, CallEvent, Effect, Transition};
pub use state::{
    CallKind, CallState, CallStatus, DeclineReason, EndReason, Participant, ParticipantStatus,
};

/// Unix milliseconds.
pub type Millis = i64;

#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod lifecycle_tests;
#[cfg(test)]
mod rules_tests;
