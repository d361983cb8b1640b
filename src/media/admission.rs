//! Who the media server lets in. A valid token says who someone is and
//! which room they were once given; call control says whether they may be
//! there now. Every join, resume and token refresh asks the `Gate`, so a
//! participant who was removed, or whose call ended, cannot come back with
//! a token they kept. LiveKit mode keeps the same promise with
//! RemoveParticipant and short tokens; the embedded SFU asks at each door.

use std::future::Future;
use std::pin::Pin;

/// Call control's answer for one identity and room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Admission {
    /// They may be in the room; `held` when a moderator muted them (their
    /// own unmute is refused until a moderator lets them speak).
    Admitted { held: bool },
    /// They may not: the reason is for the log and the leave sent to them.
    Refused(Refusal),
}

/// Why someone is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No live call or open studio room has this room's name.
    NoSuchRoom,
    /// The room is live but this identity is not admitted to it (never
    /// answered, removed, or no longer a member).
    NotAdmitted,
    /// Call control could not be asked (its database failed): refused for
    /// now, the client may try again.
    Unavailable,
}

impl Refusal {
    pub fn describe(self) -> &'static str {
        match self {
            Refusal::NoSuchRoom => "This call has ended.",
            Refusal::NotAdmitted => "You are not in this call.",
            Refusal::Unavailable => "Belfry cannot check this call right now. Try again.",
        }
    }
}

pub type Asking<'a> = Pin<Box<dyn Future<Output = Admission> + Send + 'a>>;

/// Call control's side of admission, as the media server sees it.
pub trait Gate: Send + Sync + 'static {
    fn admit<'a>(&'a self, room: &'a str, identity: &'a str) -> Asking<'a>;
}
