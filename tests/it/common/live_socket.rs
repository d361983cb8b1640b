//! A signed-in tab's live-event socket, as the tests read it.

use std::time::Duration;

use belfry::calls::CallChange;
use belfry::contract::call_types::CallView;
use belfry::contract::events::{LiveEvent, LiveFrame};
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;

#[derive(Debug)]
pub struct LiveSocket {
    pub(super) socket: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
}

impl LiveSocket {
    /// The next frame other than a heartbeat, or None within `wait`.
    pub async fn next_within(&mut self, wait: Duration) -> Option<LiveFrame> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let msg = tokio::time::timeout_at(deadline, self.socket.next())
                .await
                .ok()??
                .ok()?;
            let frame: LiveFrame = match msg {
                Message::Text(text) => serde_json::from_str(&text).expect("a LiveFrame"),
                // A tab that asked for `?wire=postcard`.
                Message::Binary(bytes) => {
                    belfry::contract::wire::from_postcard(&bytes).expect("a postcard LiveFrame")
                }
                _ => continue,
            };
            if frame != LiveFrame::Heartbeat {
                return Some(frame);
            }
        }
    }

    /// The close frame's code, skipping frames before it; None if the
    /// socket ends without one within 5 s.
    pub async fn close_code(&mut self) -> Option<u16> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            let msg = tokio::time::timeout_at(deadline, self.socket.next())
                .await
                .ok()??
                .ok()?;
            if let Message::Close(frame) = msg {
                return frame.map(|f| f.code.into());
            }
        }
    }

    /// Sends a text frame, as a tab does (visibility, reads).
    pub async fn say(&mut self, text: &str) {
        use futures_util::SinkExt;
        self.socket
            .send(tokio_tungstenite::tungstenite::Message::Text(text.into()))
            .await
            .expect("sent");
    }

    pub async fn next(&mut self) -> LiveFrame {
        self.next_within(Duration::from_secs(5))
            .await
            .expect("a frame within 5 s")
    }

    /// The next call event, skipping others.
    pub async fn next_call(&mut self) -> (CallView, Vec<CallChange>) {
        loop {
            if let LiveFrame::Event {
                event: LiveEvent::Call { call, changes },
                ..
            } = self.next().await
            {
                return (*call, changes);
            }
        }
    }

    /// Skips frames until a call event carries a change matching `want`.
    pub async fn call_change(
        &mut self,
        want: impl Fn(&CallChange) -> bool,
    ) -> (CallView, Vec<CallChange>) {
        loop {
            let (call, changes) = self.next_call().await;
            if changes.iter().any(&want) {
                return (call, changes);
            }
        }
    }

    /// Sends a text frame, as a tab does (e.g. `{"visible":false}`).
    pub async fn send_text(&mut self, text: &str) {
        self.socket
            .send(Message::Text(text.into()))
            .await
            .expect("frame sent");
    }

    /// The raw next message (to see a close frame's code, or a frame's form).
    pub async fn next_message(&mut self) -> Option<Message> {
        tokio::time::timeout(Duration::from_secs(5), self.socket.next())
            .await
            .ok()??
            .ok()
    }

    pub async fn close(mut self) {
        let _ = self.socket.send(Message::Close(None)).await;
    }
}
