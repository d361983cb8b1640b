//! Calls in the UI: the call center at the app shell, the media room hook,
//! the incoming-call overlay, the active call panel and the call button.

mod add_people;
mod announce;
mod button;
mod center;
mod format;
mod handoff;
mod incoming;
mod mute;
mod on_demand;
mod panel;
mod room;
mod speaker;
mod studio_voice;
mod waiting;

pub use button::CallButton;
pub use center::{provide_call_center, use_call_center};
pub use format::{clock, title};
pub use incoming::IncomingCall;
pub use panel::CallPanel;
pub use studio_voice::{StudioVoice, StudioVoiceButtons, StudioVoicePanel};
