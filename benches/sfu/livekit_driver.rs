//! Joins synthetic peers (peers.rs) to a server speaking LiveKit's
//! signalling (`belfry media` here, LiveKit itself would do): a WebSocket
//! to `/rtc` per participant with a token signed by the server's key pair,
//! the publisher's offer and the subscriber's answers over it, a ping every
//! few seconds. The media and its counting are peers.rs's.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use livekit_protocol as lk;
use lk::signal_request::Message as Req;
use lk::signal_response::Message as Res;
use prost::Message as _;
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::Message;

use super::peers::{self, Offer, Tally};
use crate::voice_peer::{description, open, send};

const PING: Duration = Duration::from_secs(5);

/// One participant: joins with `token` at `base` (`ws://host:port`),
/// subscribes through `tally`'s counters and, with `publish`, sends audio.
/// An error says which step failed.
pub async fn join(
    base: &str,
    token: &str,
    publish: bool,
    probe: bool,
    tally: Tally,
) -> Result<(), String> {
    let url = format!("{base}/rtc?access_token={token}&protocol=16&auto_subscribe=1");
    let mut ws = open(&url).await?;
    let (offers_tx, offers) = mpsc::channel(4);
    let (epoch, ip) = (tally.epoch, tally.ip);
    tokio::spawn(peers::subscriber(tally, probe, offers));
    // The publisher's offer, and the answer it waits for.
    let (pub_tx, mut pub_rx) = mpsc::channel::<(String, oneshot::Sender<String>)>(1);
    if publish {
        tokio::spawn(peers::publisher(
            epoch,
            ip,
            "mic".into(),
            move |sdp| async move {
                let (answer, answered) = oneshot::channel();
                pub_tx.send((sdp, answer)).await.ok()?;
                answered.await.ok()
            },
        ));
    }
    tokio::spawn(async move {
        let mut waiting: Option<oneshot::Sender<String>> = None;
        let mut next_ping = Instant::now() + PING;
        loop {
            tokio::select! {
                frame = ws.next() => {
                    let res = match frame {
                        Some(Ok(Message::Binary(b))) => lk::SignalResponse::decode(b.as_ref()).ok().and_then(|r| r.message),
                        Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return,
                        Some(Ok(_)) => continue,
                    };
                    match res {
                        Some(Res::Answer(a)) => {
                            if let Some(w) = waiting.take() {
                                let _ = w.send(a.sdp);
                            }
                        }
                        Some(Res::Offer(o)) => {
                            let (answer, answered) = oneshot::channel();
                            if offers_tx.send(Offer { sdp: o.sdp, answer }).await.is_err() {
                                return;
                            }
                            let Ok(sdp) = answered.await else { return };
                            let answer = description("answer", sdp, o.id);
                            if send(&mut ws, Req::Answer(answer)).await.is_err() {
                                return;
                            }
                        }
                        Some(Res::Leave(_)) => return,
                        _ => {}
                    }
                }
                Some((sdp, answer)) = pub_rx.recv() => {
                    let track = lk::AddTrackRequest {
                        cid: "mic".into(),
                        r#type: lk::TrackType::Audio as i32,
                        source: lk::TrackSource::Microphone as i32,
                        ..Default::default()
                    };
                    if send(&mut ws, Req::AddTrack(track)).await.is_err()
                        || send(&mut ws, Req::Offer(description("offer", sdp, 1))).await.is_err()
                    {
                        return;
                    }
                    waiting = Some(answer);
                }
                _ = tokio::time::sleep_until(next_ping.into()) => {
                    next_ping = Instant::now() + PING;
                    let ping = lk::Ping { timestamp: 1, rtt: 0 };
                    if send(&mut ws, Req::PingReq(ping)).await.is_err() {
                        return;
                    }
                }
            }
        }
    });
    Ok(())
}
