//! Call control on the server: each operation checks who is asking, turns
//! the request into a `calls::CallEvent`, applies it through `engine` (pure
//! transition, versioned save, effects), and answers with a `CallView`.

pub mod admission;
pub mod engine;
pub mod media_reconcile;
pub mod membership;
pub mod ops;
pub mod presence;
pub mod queries;
pub mod rejoin;
pub mod rooms;
pub mod timers;
pub mod views;

use super::error::AppError;
use crate::calls::CallError;

impl From<CallError> for AppError {
    fn from(e: CallError) -> Self {
        let message = e.to_string();
        match e {
            CallError::NotInvited
            | CallError::NotInitiator
            | CallError::NotAllowed
            | CallError::Removed
            | CallError::RemovedByModerator => AppError::forbidden(message),
            CallError::NoInvitees | CallError::NotGroupCall => AppError::bad_request(message),
            CallError::CallOver
            | CallError::AlreadyAnswered
            | CallError::NotRinging
            | CallError::NotInCall
            | CallError::AlreadyInCall => AppError::conflict(message),
        }
    }
}
