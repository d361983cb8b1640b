//! Why the SFU refused something a participant's browser sent. Each ends
//! that participant's session alone; the text is for the log and the leave.

/// What went wrong with one participant's peer connections.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SfuError {
    #[error("no such session")]
    NoSession,
    #[error("unreadable offer: {0}")]
    UnreadableOffer(String),
    #[error("offer refused: {0}")]
    OfferRefused(String),
    #[error("an answer without an offer")]
    AnswerWithoutOffer,
    #[error("unreadable answer: {0}")]
    UnreadableAnswer(String),
    #[error("answer refused: {0}")]
    AnswerRefused(String),
    #[error("connection closed")]
    Closed,
    /// The peer connection itself failed (str0m's error, as text).
    #[error("{0}")]
    PeerConnection(String),
}
