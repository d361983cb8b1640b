//! Why a signalling session ended.

/// Why a session ended, for the log.
pub(super) enum End {
    Left,
    /// The page closed or navigated away (WebSocket close 1001).
    Away,
    Closed,
    /// Closed by a client about to resume (close code 4001).
    Resuming,
    Silent,
    Dropped(String),
    Refused(String),
}

impl End {
    pub(super) fn describe(&self) -> &str {
        match self {
            End::Left => "left",
            End::Away => "the page went away",
            End::Closed => "socket closed",
            End::Resuming => "closed to resume",
            End::Silent => "no frame within the ping timeout",
            End::Dropped(why) | End::Refused(why) => why,
        }
    }
}
