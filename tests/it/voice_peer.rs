//! A voice participant over the real transports, as a browser is one:
//! LiveKit signalling on a WebSocket to `/rtc`, a publisher and a
//! subscriber str0m peer connection on loopback UDP, an Opus-sized frame
//! sent every 20 ms, and every frame heard counted. For the tests and the
//! soak benchmark that need audio flowing through the embedded SFU
//! (`benches/soak.rs` includes this file).
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use belfry::contract::call_types::RoomAccess;
use futures_util::{SinkExt, StreamExt};
use livekit_protocol as lk;
use lk::signal_request::Message as Req;
use lk::signal_response::Message as Res;
use prost::Message as _;
use str0m::change::{SdpAnswer, SdpOffer, SdpPendingOffer};
use str0m::media::{Direction, Frequency, MediaKind, MediaTime, Mid};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Event, Input, Output, Rtc};
use tokio::net::UdpSocket;
use tokio::sync::oneshot;
use tokio_tungstenite::tungstenite::Message;

pub type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

const FRAME: Duration = Duration::from_millis(20);
const PING: Duration = Duration::from_secs(4);

/// A participant in a room, sending and hearing audio until dropped or
/// told to leave.
pub struct VoicePeer {
    /// Audio frames received from others.
    heard: Arc<AtomicU64>,
    /// Set when the server closed the link or said leave.
    gone: Arc<AtomicBool>,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

/// The two peer connections and their sockets.
struct Media {
    publisher: Rtc,
    subscriber: Rtc,
    pub_socket: UdpSocket,
    sub_socket: UdpSocket,
    /// The sockets' own addresses, read once.
    pub_addr: SocketAddr,
    sub_addr: SocketAddr,
    mid: Mid,
    pending: Option<SdpPendingOffer>,
    started: Instant,
}

impl VoicePeer {
    /// Joins the room `access` opens, publishes a microphone and starts
    /// sending; an error says which step failed.
    pub async fn join(access: &RoomAccess) -> Result<Self, String> {
        let url = format!(
            "{}/rtc?access_token={}&protocol=16",
            access.room_url, access.token
        );
        let mut ws = open(&url).await?;
        let (media, offer) = Media::new().await;
        send(&mut ws, add_track()).await?;
        let offer = description("offer", offer.to_sdp_string(), 1);
        send(&mut ws, Req::Offer(offer)).await?;
        let (heard, gone) = (Arc::<AtomicU64>::default(), Arc::<AtomicBool>::default());
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(run(ws, media, heard.clone(), gone.clone(), stopped));
        Ok(Self {
            heard,
            gone,
            stop: Some(stop),
            task,
        })
    }

    /// Audio frames heard so far.
    pub fn heard(&self) -> u64 {
        self.heard.load(Ordering::Relaxed)
    }

    /// Whether the server let this participant go.
    pub fn gone(&self) -> bool {
        self.gone.load(Ordering::Relaxed)
    }

    /// Whether at least `frames` more frames arrive within `within`.
    pub async fn hears(&self, frames: u64, within: Duration) -> bool {
        let from = self.heard();
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if self.heard() >= from + frames {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        false
    }

    /// Says goodbye as a browser's hang-up does and waits for the close.
    pub async fn leave(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = tokio::time::timeout(Duration::from_secs(5), &mut self.task).await;
    }
}

impl Drop for VoicePeer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The signalling link to `url`, once the server said who joined.
pub async fn open(url: &str) -> Result<Ws, String> {
    let (mut ws, _) = tokio_tungstenite::connect_async(url)
        .await
        .map_err(|e| format!("upgrade: {e}"))?;
    match read(&mut ws).await {
        Some(Res::Join(_)) => Ok(ws),
        other => Err(format!("first frame: {other:?}")),
    }
}

fn add_track() -> Req {
    Req::AddTrack(lk::AddTrackRequest {
        cid: "mic".into(),
        r#type: lk::TrackType::Audio as i32,
        source: lk::TrackSource::Microphone as i32,
        ..Default::default()
    })
}

pub fn description(kind: &str, sdp: String, id: u32) -> lk::SessionDescription {
    lk::SessionDescription {
        r#type: kind.into(),
        sdp,
        id,
        ..Default::default()
    }
}

pub async fn send(ws: &mut Ws, message: Req) -> Result<(), String> {
    let bytes = lk::SignalRequest {
        message: Some(message),
    }
    .encode_to_vec();
    (ws.send(Message::Binary(bytes.into())).await).map_err(|e| format!("send: {e}"))
}

/// The next signal response (10 s at most); None once closed.
pub async fn read(ws: &mut Ws) -> Option<Res> {
    loop {
        match tokio::time::timeout(Duration::from_secs(10), ws.next()).await {
            Ok(Some(Ok(Message::Binary(b)))) => {
                return lk::SignalResponse::decode(b.as_ref()).ok()?.message;
            }
            Ok(Some(Ok(Message::Close(_)))) | Ok(None) | Ok(Some(Err(_))) | Err(_) => return None,
            Ok(Some(Ok(_))) => continue,
        }
    }
}

fn peer(addr: SocketAddr) -> Rtc {
    let mut rtc = Rtc::builder()
        .clear_codecs()
        .enable_opus(true, false)
        .set_stats_interval(None)
        .build(Instant::now());
    rtc.add_local_candidate(Candidate::host(addr, "udp").expect("a host candidate"));
    rtc
}

impl Media {
    /// The two peer connections, and the publisher's offer to send.
    async fn new() -> (Self, SdpOffer) {
        let pub_socket = UdpSocket::bind("127.0.0.1:0").await.expect("bind");
        let sub_socket = UdpSocket::bind("127.0.0.1:0").await.expect("bind");
        let pub_addr = pub_socket.local_addr().unwrap();
        let sub_addr = sub_socket.local_addr().unwrap();
        let mut publisher = peer(pub_addr);
        let subscriber = peer(sub_addr);
        let mut change = publisher.sdp_api();
        let mid = change.add_media(
            MediaKind::Audio,
            Direction::SendOnly,
            Some("mic".into()),
            Some("mic".into()),
            None,
        );
        let (offer, pending) = change.apply().expect("an offer");
        let media = Self {
            publisher,
            subscriber,
            pub_socket,
            sub_socket,
            pub_addr,
            sub_addr,
            mid,
            pending: Some(pending),
            started: Instant::now(),
        };
        (media, offer)
    }

    /// What the server said; false once it let this participant go.
    async fn signal(&mut self, ws: &mut Ws, res: Res) -> bool {
        match res {
            Res::Answer(a) => {
                let (Some(pending), Ok(answer)) =
                    (self.pending.take(), SdpAnswer::from_sdp_string(&a.sdp))
                else {
                    return false;
                };
                self.publisher
                    .sdp_api()
                    .accept_answer(pending, answer)
                    .is_ok()
            }
            Res::Offer(o) => {
                let Ok(offer) = SdpOffer::from_sdp_string(&o.sdp) else {
                    return false;
                };
                let Ok(answer) = self.subscriber.sdp_api().accept_offer(offer) else {
                    return false;
                };
                let answer = description("answer", answer.to_sdp_string(), o.id);
                send(ws, Req::Answer(answer)).await.is_ok()
            }
            Res::Leave(_) => false,
            _ => true,
        }
    }

    /// An Opus-sized frame from the microphone.
    fn speak(&mut self, now: Instant) {
        let ms = now.duration_since(self.started).as_millis() as u64;
        if let Some(writer) = self.publisher.writer(self.mid) {
            let Some(pt) = writer.payload_params().next().map(|p| p.pt()) else {
                return;
            };
            let time = MediaTime::new(ms * 48, Frequency::FORTY_EIGHT_KHZ);
            let _ = writer
                .audio_level(-30, true)
                .write(pt, now, time, vec![0x55; 80]);
        }
    }
}

/// A datagram for `rtc`, if it is one str0m reads.
fn feed(rtc: &mut Rtc, to: SocketAddr, from: SocketAddr, data: &[u8]) {
    if let Ok(r) = Receive::new(Protocol::Udp, from, to, data) {
        let _ = rtc.handle_input(Input::Receive(Instant::now(), r));
    }
}

/// Sends what `rtc` wants sent, counts the frames it heard; its next
/// timeout, or None once it failed.
async fn flush(rtc: &mut Rtc, socket: &UdpSocket, heard: &AtomicU64) -> Option<Instant> {
    loop {
        match rtc.poll_output().ok()? {
            Output::Timeout(t) => return Some(t),
            Output::Transmit(t) => {
                let _ = socket.send_to(&t.contents, t.destination).await;
            }
            Output::Event(Event::MediaData(_)) => {
                heard.fetch_add(1, Ordering::Relaxed);
            }
            Output::Event(_) => {}
        }
    }
}

async fn run(
    mut ws: Ws,
    mut m: Media,
    heard: Arc<AtomicU64>,
    gone: Arc<AtomicBool>,
    mut stop: oneshot::Receiver<()>,
) {
    let (mut next_frame, mut next_ping) = (Instant::now(), Instant::now() + PING);
    let (mut a, mut b) = (vec![0u8; 2000], vec![0u8; 2000]);
    loop {
        let (Some(t1), Some(t2)) = (
            flush(&mut m.publisher, &m.pub_socket, &heard).await,
            flush(&mut m.subscriber, &m.sub_socket, &heard).await,
        ) else {
            break;
        };
        let wake = t1.min(t2).min(next_frame).min(next_ping);
        tokio::select! {
            frame = ws.next() => {
                let res = match frame {
                    Some(Ok(Message::Binary(bytes))) => lk::SignalResponse::decode(bytes.as_ref())
                        .ok()
                        .and_then(|r| r.message),
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                    Some(Ok(_)) => continue,
                };
                if let Some(res) = res {
                    if !m.signal(&mut ws, res).await {
                        break;
                    }
                }
            }
            got = m.pub_socket.recv_from(&mut a) => {
                if let Ok((n, from)) = got {
                    feed(&mut m.publisher, m.pub_addr, from, &a[..n]);
                }
            }
            got = m.sub_socket.recv_from(&mut b) => {
                if let Ok((n, from)) = got {
                    feed(&mut m.subscriber, m.sub_addr, from, &b[..n]);
                }
            }
            _ = &mut stop => {
                let leave = lk::LeaveRequest {
                    reason: lk::DisconnectReason::ClientInitiated as i32,
                    ..Default::default()
                };
                let _ = send(&mut ws, Req::Leave(leave)).await;
                let _ = ws.close(None).await;
                return;
            }
            _ = tokio::time::sleep_until(wake.into()) => {
                let now = Instant::now();
                if now >= next_frame {
                    next_frame += FRAME;
                    m.speak(now);
                }
                if now >= next_ping {
                    next_ping = now + PING;
                    let ping = lk::Ping { timestamp: 1, rtt: 0 };
                    if send(&mut ws, Req::PingReq(ping)).await.is_err() {
                        break;
                    }
                }
                let _ = m.publisher.handle_input(Input::Timeout(now));
                let _ = m.subscriber.handle_input(Input::Timeout(now));
            }
        }
    }
    gone.store(true, Ordering::Relaxed);
}
