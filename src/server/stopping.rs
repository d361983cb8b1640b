//! A server on its way down (SIGTERM, Ctrl-C): new calls and media joins
//! are refused with a message, open tabs are told to reconnect (close code
//! 1012, "service restart"), the media server tells everyone in a room to
//! reconnect (LiveKit's leave with the reconnect action), requests in
//! flight finish, then the process exits.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

/// How long the goodbyes get to reach their sockets before the listener
/// stops.
pub const DRAIN: Duration = Duration::from_millis(500);

#[derive(Clone, Debug)]
pub struct Stopping(Arc<watch::Sender<bool>>);

impl Default for Stopping {
    fn default() -> Self {
        Self(Arc::new(watch::channel(false).0))
    }
}

impl Stopping {
    pub fn begin(&self) {
        self.0.send_replace(true);
    }

    pub fn is_stopping(&self) -> bool {
        *self.0.borrow()
    }

    /// Resolves once the server is stopping.
    pub async fn wait(&self) {
        let mut rx = self.0.subscribe();
        let _ = rx.wait_for(|stopping| *stopping).await;
    }
}

/// The server is stopping: refuse what is new, tell everyone in a room of
/// the embedded SFU to reconnect, and give those goodbyes a moment to be
/// sent. The listener then stops and requests in flight finish.
pub async fn drain(stopping: &Stopping, host: Option<&crate::media::server_api::MediaHost>) {
    stopping.begin();
    if let Some(host) = host {
        use crate::media::driver::{Admin, Command};
        let told = host
            .server
            .ask(|reply| Command::Admin(Admin::Shutdown { reply }))
            .await;
        tracing::info!(
            told = told.unwrap_or(0),
            "asked everyone in a room to reconnect"
        );
    }
    tokio::time::sleep(DRAIN).await;
}

/// The message a request refused while stopping gets (503).
pub const REFUSED: &str = "Belfry is restarting. Nothing was changed; try again in a moment.";
