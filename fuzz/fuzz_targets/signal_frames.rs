//! The `/rtc` signalling handler: alice joins her live call's room over a
//! real WebSocket, sends the fuzzer's frames, then a ping. The server must
//! answer the ping or close the link (a bad frame ends only that link),
//! never hang, never panic; afterwards it still serves a fresh join.
#![no_main]

use std::sync::OnceLock;
use std::time::Duration;

use belfry_fuzz::frames::{real_offer, Frame};
use belfry_fuzz::server;
use futures_util::{SinkExt, StreamExt};
use libfuzzer_sys::fuzz_target;
use livekit_protocol as lk;
use prost::Message as _;
use tokio_tungstenite::tungstenite::protocol::{frame::coding::CloseCode, CloseFrame};
use tokio_tungstenite::tungstenite::Message;

fn offer() -> &'static str {
    static OFFER: OnceLock<String> = OnceLock::new();
    OFFER.get_or_init(real_offer)
}

fuzz_target!(|frames: Vec<Frame>| {
    let s = server();
    s.rt.block_on(async {
        let access = s.room_access().await;
        let url = format!(
            "{}/rtc?access_token={}&protocol=16",
            access.room_url, access.token
        );
        let (mut ws, _) = tokio_tungstenite::connect_async(url)
            .await
            .expect("a join opens");
        for frame in frames.iter().take(16) {
            let bytes = frame.bytes(offer());
            if ws.send(Message::Binary(bytes.into())).await.is_err() {
                break;
            }
        }
        let ping = lk::SignalRequest {
            message: Some(lk::signal_request::Message::PingReq(lk::Ping {
                timestamp: 77,
                rtt: 0,
            })),
        };
        let _ = ws.send(Message::Binary(ping.encode_to_vec().into())).await;
        // The pong, or the close: within 10 s whatever was sent.
        let answered = tokio::time::timeout(Duration::from_secs(10), async {
            while let Some(Ok(m)) = ws.next().await {
                if let Message::Binary(b) = m {
                    let res =
                        lk::SignalResponse::decode(b.as_ref()).expect("the server speaks protobuf");
                    // The fuzzer's own pings are answered first; ours is 77.
                    if let Some(lk::signal_response::Message::PongResp(p)) = res.message {
                        if p.last_ping_timestamp == 77 {
                            return;
                        }
                    }
                }
            }
        })
        .await;
        assert!(answered.is_ok(), "the link neither answered nor closed");
        let away = CloseFrame {
            code: CloseCode::Away,
            reason: "".into(),
        };
        let _ = ws.close(Some(away)).await;
    });
});
