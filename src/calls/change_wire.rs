//! Reading a `CallChange` from its internally tagged JSON
//! (`{"type": "joined", "user": 7}`) in one pass, without serde's buffered
//! reading of tagged enums (see `api::events_wire`, which carries them).
//! The same flat form is what postcard carries (`api::wire`): it has no
//! field names, so the server writes every field, in this order.

use serde::{Deserialize, Serialize};

use super::ids::UserId;
use super::machine::CallChange;

#[derive(Clone, Copy, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
enum ChangeKind {
    Incoming,
    Busy,
    Answered,
    Declined,
    Joined,
    Left,
    Removed,
    Missed,
    Cancelled,
    Ended,
}

#[derive(Deserialize, Serialize)]
pub struct ChangeWire {
    r#type: ChangeKind,
    users: Option<Vec<UserId>>,
    user: Option<UserId>,
    by: Option<UserId>,
}

impl TryFrom<ChangeWire> for CallChange {
    type Error = String;

    fn try_from(w: ChangeWire) -> Result<Self, String> {
        const USERS: &str = "this call change needs \"users\"";
        const USER: &str = "this call change needs \"user\"";
        let (users, user) = (w.users.ok_or(USERS), w.user.ok_or(USER));
        Ok(match w.r#type {
            ChangeKind::Incoming => CallChange::Incoming { users: users? },
            ChangeKind::Busy => CallChange::Busy { users: users? },
            ChangeKind::Missed => CallChange::Missed { users: users? },
            ChangeKind::Answered => CallChange::Answered { user: user? },
            ChangeKind::Declined => CallChange::Declined { user: user? },
            ChangeKind::Joined => CallChange::Joined { user: user? },
            ChangeKind::Left => CallChange::Left { user: user? },
            ChangeKind::Removed => CallChange::Removed { user: user? },
            ChangeKind::Cancelled => CallChange::Cancelled,
            ChangeKind::Ended => CallChange::Ended { by: w.by },
        })
    }
}

impl From<&CallChange> for ChangeWire {
    fn from(change: &CallChange) -> Self {
        use ChangeKind as K;
        let people = |kind, users: &Vec<UserId>| (kind, Some(users.clone()), None, None);
        let person = |kind, user: &UserId| (kind, None, Some(*user), None);
        let (r#type, users, user, by) = match change {
            CallChange::Incoming { users } => people(K::Incoming, users),
            CallChange::Busy { users } => people(K::Busy, users),
            CallChange::Missed { users } => people(K::Missed, users),
            CallChange::Answered { user } => person(K::Answered, user),
            CallChange::Declined { user } => person(K::Declined, user),
            CallChange::Joined { user } => person(K::Joined, user),
            CallChange::Left { user } => person(K::Left, user),
            CallChange::Removed { user } => person(K::Removed, user),
            CallChange::Cancelled => (K::Cancelled, None, None, None),
            CallChange::Ended { by } => (K::Ended, None, None, *by),
        };
        ChangeWire {
            r#type,
            users,
            user,
            by,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: &str) -> Result<CallChange, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn every_change_reads_back_what_the_server_writes() {
        let (u, users) = (UserId(4), vec![UserId(5), UserId(6)]);
        let changes = [
            CallChange::Incoming {
                users: users.clone(),
            },
            CallChange::Busy {
                users: users.clone(),
            },
            CallChange::Missed { users },
            CallChange::Answered { user: u },
            CallChange::Declined { user: u },
            CallChange::Joined { user: u },
            CallChange::Left { user: u },
            CallChange::Removed { user: u },
            CallChange::Cancelled,
            CallChange::Ended { by: Some(u) },
            CallChange::Ended { by: None },
        ];
        for change in changes {
            let json = serde_json::to_string(&change).expect("written");
            assert_eq!(read(&json), Ok(change.clone()), "{json}");
            let bytes = postcard::to_allocvec(&ChangeWire::from(&change)).expect("written");
            let back = postcard::from_bytes::<CallChange>(&bytes);
            assert_eq!(back.ok(), Some(change));
        }
        assert_eq!(
            read(r#"{"type":"ended"}"#),
            Ok(CallChange::Ended { by: None })
        );
    }

    #[test]
    fn the_written_form_is_still_tagged() {
        let joined = CallChange::Joined { user: UserId(3) };
        let json = serde_json::to_string(&joined).expect("written");
        assert_eq!(json, r#"{"type":"joined","user":3}"#);
    }

    #[test]
    fn a_change_without_its_people_or_of_no_known_type_is_refused() {
        let err = read(r#"{"type":"joined"}"#).expect_err("no user");
        assert!(err.contains("needs \"user\""), "{err}");
        let err = read(r#"{"type":"incoming","user":3}"#).expect_err("no users");
        assert!(err.contains("needs \"users\""), "{err}");
        let err = read(r#"{"type":"teleported","user":3}"#).expect_err("unknown");
        assert!(err.contains("teleported"), "{err}");
    }
}
