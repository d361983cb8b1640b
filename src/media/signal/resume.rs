//! Which resumes of a signalling link restart ICE.

use std::collections::HashMap;

use livekit_protocol as lk;

/// A resume (LiveKit's `reconnect=1&sid=..&reconnect_reason=..`): the
/// session the browser had, and whether its peer connections lost their
/// path (ICE is then restarted) or only the link dropped.
pub struct Resume {
    pub sid: String,
    pub path_lost: bool,
}

impl Resume {
    /// From the query of `/rtc`; `None` when it is not a resume.
    pub fn from_query(query: &HashMap<String, String>) -> Option<Self> {
        let asked = query
            .get("reconnect")
            .is_some_and(|v| v == "1" || v == "true");
        // A resume without a sid can only be refused.
        let reason = query
            .get("reconnect_reason")
            .and_then(|r| r.parse::<i32>().ok())
            .and_then(|r| lk::ReconnectReason::try_from(r).ok());
        asked.then(|| Resume {
            sid: query.get("sid").cloned().unwrap_or_default(),
            path_lost: matches!(
                reason,
                Some(
                    lk::ReconnectReason::RrPublisherFailed
                        | lk::ReconnectReason::RrSubscriberFailed
                        | lk::ReconnectReason::RrSwitchCandidate
                )
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_peer_connection_failure_is_a_lost_path_and_a_dropped_link_is_not() {
        for (reason, lost) in [
            ("1", false),
            ("0", false),
            ("2", true),
            ("3", true),
            ("4", true),
            ("x", false),
        ] {
            let q = query(&[
                ("reconnect", "1"),
                ("sid", "PA_a"),
                ("reconnect_reason", reason),
            ]);
            let resume = Resume::from_query(&q).expect("a resume");
            assert_eq!(
                (resume.sid.as_str(), resume.path_lost),
                ("PA_a", lost),
                "reason {reason}"
            );
        }
        assert!(
            !Resume::from_query(&query(&[("reconnect", "1")]))
                .unwrap()
                .path_lost
        );
        assert!(
            Resume::from_query(&query(&[("sid", "PA_a")])).is_none(),
            "a join"
        );
        assert!(Resume::from_query(&query(&[("reconnect", "0"), ("sid", "PA_a")])).is_none());
    }
}
