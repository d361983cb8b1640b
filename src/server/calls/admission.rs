//! Call control as the media server's gate: a join, resume or token refresh
//! is let in only for someone call control admits now. In a call's room
//! that is a participant who answered (connected, or dropped and not
//! removed) while the call is live; in a studio's room, a member of the
//! studio while the room is open. A moderator's mute comes along, so it
//! holds whatever the participant's client does.

use crate::calls::ids::UserId;
use crate::calls::{DeclineReason, ParticipantStatus};
use crate::media::admission::{Admission, Asking, Gate, Refusal};
use crate::server::db::admission::{self, Place};
use crate::server::db::Db;

/// The gate over this server's call control.
pub struct CallGate {
    pub db: Db,
}

impl Gate for CallGate {
    fn admit<'a>(&'a self, room: &'a str, identity: &'a str) -> Asking<'a> {
        Box::pin(async move {
            match admit(&self.db, room, identity).await {
                Ok(answer) => answer,
                Err(e) => {
                    tracing::warn!("admission to {room} not checked: {e}");
                    Admission::Refused(Refusal::Unavailable)
                }
            }
        })
    }
}

pub async fn admit(db: &Db, room: &str, identity: &str) -> Result<Admission, sqlx::Error> {
    let Ok(user) = identity.parse::<i64>() else {
        return Ok(Admission::Refused(Refusal::NotAdmitted));
    };
    let place = admission::place(db, room, UserId(user)).await?;
    Ok(decide(&place))
}

/// Call control's rule, on what the database holds.
pub fn decide(place: &Place) -> Admission {
    match place {
        Place::NoRoom => Admission::Refused(Refusal::NoSuchRoom),
        Place::Studio { member: true } => Admission::Admitted { held: false },
        Place::Studio { member: false } => Admission::Refused(Refusal::NotAdmitted),
        Place::Call {
            status,
            decline_reason,
            held,
        } => {
            let status = status.as_deref().and_then(ParticipantStatus::parse);
            let removed = decline_reason.as_deref().and_then(DeclineReason::parse)
                == Some(DeclineReason::Removed);
            // Connected, or dropped (their media went) and not removed: a
            // dropped participant's rejoin is how they come back.
            let answered = match status {
                Some(ParticipantStatus::Connected) => true,
                Some(ParticipantStatus::Disconnected) => !removed && decline_reason.is_none(),
                _ => false,
            };
            if answered {
                Admission::Admitted { held: *held }
            } else {
                Admission::Refused(Refusal::NotAdmitted)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(status: &str, reason: Option<&str>) -> Place {
        Place::Call {
            status: Some(status.into()),
            decline_reason: reason.map(str::to_string),
            held: false,
        }
    }

    #[test]
    fn only_answered_participants_not_removed_are_admitted() {
        let yes = Admission::Admitted { held: false };
        let no = Admission::Refused(Refusal::NotAdmitted);
        assert_eq!(decide(&call("CONNECTED", None)), yes);
        assert_eq!(decide(&call("DISCONNECTED", None)), yes);
        assert_eq!(decide(&call("DISCONNECTED", Some("removed"))), no);
        assert_eq!(decide(&call("DECLINED", Some("removed"))), no);
        assert_eq!(decide(&call("RINGING", None)), no);
        assert_eq!(decide(&call("DECLINED", Some("declined"))), no);
        assert_eq!(decide(&call("MISSED", None)), no);
        let stranger = Place::Call {
            status: None,
            decline_reason: None,
            held: false,
        };
        assert_eq!(decide(&stranger), no);
        assert_eq!(
            decide(&Place::NoRoom),
            Admission::Refused(Refusal::NoSuchRoom)
        );
        let held = Place::Call {
            status: Some("CONNECTED".into()),
            decline_reason: None,
            held: true,
        };
        assert_eq!(decide(&held), Admission::Admitted { held: true });
        assert_eq!(decide(&Place::Studio { member: true }), yes);
        assert_eq!(decide(&Place::Studio { member: false }), no);
    }
}
