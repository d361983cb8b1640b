//! Synthetic participants for the SFU benchmark: per participant, a
//! publisher str0m peer sending a frame every 20 ms and a subscriber peer
//! answering the SFU's offers, each on its own UDP socket (on loopback, or
//! on the bench's own network: netns.rs), joined through the driver's
//! commands (no WebSocket: this measures media).
// Each benchmark that includes this file uses part of it.
#![allow(dead_code)]

use std::io::IoSliceMut;
use std::net::{IpAddr, SocketAddr};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use belfry::media::driver::{Command, MediaServer};
use belfry::media::sfu::{SessionId, Signal};
use nix::sys::socket::{
    recvmsg, setsockopt, sockopt, ControlMessageOwned, MsgFlags, SockaddrStorage,
};
use str0m::change::{SdpAnswer, SdpOffer};
use str0m::media::{Direction, Frequency, MediaKind, MediaTime};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Event, Input, Output, Rtc};
use tokio::io::Interest;
use tokio::net::UdpSocket;
use tokio::sync::{mpsc, oneshot};

/// Receivers per room that decrypt, to time packets (`is_probe`).
const PROBES_PER_ROOM: usize = 3;
const PAYLOAD: usize = 80;

/// An offer the SFU made to a subscriber; its answer goes back on `answer`.
pub struct Offer {
    pub sdp: String,
    pub answer: oneshot::Sender<String>,
}

/// What a subscriber reports into (the `Load`'s counters and clock).
#[derive(Clone)]
pub struct Tally {
    pub received: Arc<AtomicU64>,
    pub latencies: Arc<Mutex<Vec<u32>>>,
    pub disconnected: Arc<AtomicU64>,
    pub epoch: Instant,
    pub ip: IpAddr,
}

pub struct Load {
    /// RTP datagrams received by all subscribers.
    pub received: Arc<AtomicU64>,
    /// Forwarding latencies seen by the probes, in µs.
    pub latencies: Arc<Mutex<Vec<u32>>>,
    pub disconnected: Arc<AtomicU64>,
    /// The clock the probes' timestamps count from.
    epoch: Instant,
    /// The address the peers' sockets bind to.
    ip: IpAddr,
}

fn client_rtc(addr: std::net::SocketAddr) -> Rtc {
    let mut rtc = Rtc::builder()
        .clear_codecs()
        .enable_opus(true, false)
        .set_stats_interval(None)
        .build(Instant::now());
    rtc.add_local_candidate(Candidate::host(addr, "udp").unwrap());
    rtc
}

impl Load {
    pub fn new(ip: IpAddr) -> Self {
        Self {
            ip,
            received: Arc::new(AtomicU64::new(0)),
            latencies: Arc::new(Mutex::new(Vec::new())),
            disconnected: Arc::new(AtomicU64::new(0)),
            epoch: Instant::now(),
        }
    }

    /// The counters a subscriber joined by another driver reports into.
    pub fn tally(&self) -> Tally {
        Tally {
            received: self.received.clone(),
            latencies: self.latencies.clone(),
            disconnected: self.disconnected.clone(),
            epoch: self.epoch,
            ip: self.ip,
        }
    }

    /// Joins the rooms numbered `rooms`, `size` members each, the first
    /// `publishers` of them publishing.
    pub async fn add_rooms(
        &self,
        server: &MediaServer,
        rooms: std::ops::Range<usize>,
        size: usize,
        publishers: usize,
    ) {
        let (epoch, ip) = (self.epoch, self.ip);
        for room in rooms {
            for member in 0..size {
                let (signals_tx, signals_rx) = belfry::media::driver::signal_channel();
                let joined = server
                    .join(
                        &format!("bench-{room}"),
                        &format!("{room}-{member}"),
                        &format!("Peer {member}"),
                        signals_tx,
                    )
                    .await
                    .expect("the SFU joins");
                let (offers_tx, offers) = mpsc::channel(4);
                tokio::spawn(in_process_offers(
                    server.clone(),
                    joined.session,
                    signals_rx,
                    offers_tx,
                ));
                tokio::spawn(subscriber(self.tally(), is_probe(member, size), offers));
                if member < publishers {
                    let (server, session) = (server.clone(), joined.session);
                    tokio::spawn(async move {
                        let cid = format!("mic-{session}");
                        let track = server
                            .ask(|reply| Command::AddTrack {
                                session,
                                cid: cid.clone(),
                                muted: false,
                                reply,
                            })
                            .await
                            .flatten();
                        if track.is_some() {
                            publisher(epoch, ip, cid, |sdp| async move {
                                server
                                    .ask(|reply| Command::PublisherOffer {
                                        session,
                                        sdp,
                                        reply,
                                    })
                                    .await
                                    .and_then(Result::ok)
                            })
                            .await;
                        }
                    });
                }
            }
        }
    }

    /// Waits until every one of `down_tracks` flows (99.5 % of their
    /// packets, two seconds running; a minute at most), then forgets the
    /// probes' latencies so far.
    pub async fn settle(&self, down_tracks: usize) {
        let expected = down_tracks as f64 * 50.0;
        let started = Instant::now();
        let mut full = 0;
        while full < 2 && started.elapsed() < Duration::from_secs(60) {
            let rate = self.rate(Duration::from_secs(1)).await;
            full = if rate >= expected * 0.995 {
                full + 1
            } else {
                0
            };
        }
        self.latencies.lock().unwrap().clear();
    }

    /// The probes' latencies since `settle`, sorted.
    pub fn take_latencies(&self) -> Latencies {
        let mut lat = std::mem::take(&mut *self.latencies.lock().unwrap());
        lat.sort_unstable();
        Latencies(lat)
    }

    /// RTP datagrams per second received over `window`.
    pub async fn rate(&self, window: Duration) -> f64 {
        let before = self.received.load(Ordering::Relaxed);
        let t0 = Instant::now();
        tokio::time::sleep(window).await;
        let after = self.received.load(Ordering::Relaxed);
        (after - before) as f64 / t0.elapsed().as_secs_f64()
    }
}

/// Whether member `member` of a room of `size` times packets: spread over
/// the room (the last of each third), since an SFU serves a packet's
/// subscribers one after another and the first is served sooner than the
/// last.
pub fn is_probe(member: usize, size: usize) -> bool {
    let stride = (size / PROBES_PER_ROOM).max(1);
    member % stride == stride - 1
}

/// The in-process SFU's offers to a subscriber, passed on as `Offer`s and
/// answered through the driver's command; the channel closes when the SFU
/// lets the participant go.
async fn in_process_offers(
    server: MediaServer,
    session: SessionId,
    mut signals: mpsc::Receiver<Signal>,
    offers: mpsc::Sender<Offer>,
) {
    while let Some(signal) = signals.recv().await {
        match signal {
            Signal::SubscriberOffer { sdp, .. } => {
                let (answer, answered) = oneshot::channel();
                if offers.send(Offer { sdp, answer }).await.is_err() {
                    return;
                }
                let Ok(sdp) = answered.await else { return };
                server.command(Command::SubscriberAnswer { session, sdp });
            }
            Signal::Disconnected { .. } => return,
            _ => {}
        }
    }
}

/// Forwarding latencies, sorted, in µs.
pub struct Latencies(Vec<u32>);

impl Latencies {
    /// The `p` percentile (0 to 1) in ms; NaN when nothing was timed.
    pub fn ms(&self, p: f64) -> f64 {
        let lat = &self.0;
        lat.get(((lat.len() as f64 * p) as usize).min(lat.len().saturating_sub(1)))
            .map_or(f64::NAN, |us| *us as f64 / 1000.0)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }
}

fn receive<'a>(
    from: std::net::SocketAddr,
    to: std::net::SocketAddr,
    data: &'a [u8],
) -> Option<Receive<'a>> {
    Receive::new(Protocol::Udp, from, to, data).ok()
}

/// Sends what the peer connection wants sent and hands its events to
/// `on_event`; its next timeout, or `None` once it has failed.
async fn flush(
    rtc: &mut Rtc,
    socket: &UdpSocket,
    mut on_event: impl FnMut(Event),
) -> Option<Instant> {
    loop {
        match rtc.poll_output().ok()? {
            Output::Timeout(t) => return Some(t),
            Output::Transmit(t) => {
                let _ = socket.send_to(&t.contents, t.destination).await;
            }
            Output::Event(e) => on_event(e),
        }
    }
}

/// A publisher: offers one send-only Opus track through `negotiate` (which
/// answers the SFU's answer) and sends a frame every 20 ms, its send time in
/// the payload's first 8 bytes, until its connection fails.
pub async fn publisher<F, Fut>(epoch: Instant, ip: IpAddr, cid: String, negotiate: F)
where
    F: FnOnce(String) -> Fut,
    Fut: std::future::Future<Output = Option<String>>,
{
    let socket = UdpSocket::bind((ip, 0)).await.unwrap();
    let local = socket.local_addr().unwrap();
    let mut rtc = client_rtc(local);
    let mut change = rtc.sdp_api();
    let mid = change.add_media(
        MediaKind::Audio,
        Direction::SendOnly,
        Some("s".into()),
        Some(cid),
        None,
    );
    let (offer, pending) = change.apply().unwrap();
    let Some(answer) = negotiate(offer.to_sdp_string()).await else {
        return;
    };
    let Ok(answer) = SdpAnswer::from_sdp_string(&answer) else {
        return;
    };
    if rtc.sdp_api().accept_answer(pending, answer).is_err() {
        return;
    }
    let mut buf = vec![0u8; 2000];
    let mut next_frame = Instant::now();
    loop {
        let Some(timeout) = flush(&mut rtc, &socket, |_| {}).await else {
            return;
        };
        let wake = timeout.min(next_frame);
        tokio::select! {
            got = socket.recv_from(&mut buf) => {
                let Ok((n, from)) = got else { continue };
                if let Some(r) = receive(from, local, &buf[..n]) {
                    let _ = rtc.handle_input(Input::Receive(Instant::now(), r));
                }
            }
            _ = tokio::time::sleep_until(wake.into()) => {
                let now = Instant::now();
                if now >= next_frame {
                    next_frame += Duration::from_millis(20);
                    if let Some(writer) = rtc.writer(mid) {
                        let pt = writer.payload_params().next().unwrap().pt();
                        let ms = now.duration_since(epoch).as_millis() as u64;
                        let mut payload = vec![0u8; PAYLOAD];
                        let sent_ns = now.duration_since(epoch).as_nanos() as u64;
                        payload[..8].copy_from_slice(&sent_ns.to_be_bytes());
                        let _ = writer
                            .audio_level(-20, true)
                            .write(pt, now, MediaTime::new(ms * 48, Frequency::FORTY_EIGHT_KHZ), payload);
                    }
                }
                if rtc.handle_input(Input::Timeout(now)).is_err() {
                    return;
                }
            }
        }
    }
}

/// A subscriber: answers the offers it is given, counts every datagram and,
/// as a probe, decrypts to time each packet; gone (counted) once its
/// offers' channel closes.
pub async fn subscriber(tally: Tally, probe: bool, mut offers: mpsc::Receiver<Offer>) {
    let Tally {
        received,
        latencies,
        disconnected,
        epoch,
        ip,
    } = tally;
    let socket = UdpSocket::bind((ip, 0)).await.unwrap();
    if probe {
        setsockopt(&socket, sockopt::ReceiveTimestampns, &true).expect("SO_TIMESTAMPNS");
    }
    let local = socket.local_addr().unwrap();
    let mut rtc = client_rtc(local);
    let mut buf = vec![0u8; 2000];
    let mut timed = |event: Event| {
        if let Event::MediaData(d) = event {
            if d.data.len() >= 8 {
                let sent = u64::from_be_bytes(d.data[..8].try_into().unwrap());
                let at = d.network_time.duration_since(epoch).as_nanos() as u64;
                latencies
                    .lock()
                    .unwrap()
                    .push((at.saturating_sub(sent) / 1000) as u32);
            }
        }
    };
    let Some(mut timeout) = flush(&mut rtc, &socket, &mut timed).await else {
        return;
    };
    loop {
        // The peer connection is polled only after it was given something:
        // a counted packet changes nothing in it, so the load generator
        // stays light enough to drive the SFU near a full core.
        let fed = tokio::select! {
            offer = offers.recv() => match offer {
                Some(Offer { sdp, answer }) => {
                    let Ok(offer) = SdpOffer::from_sdp_string(&sdp) else { return };
                    let Ok(reply) = rtc.sdp_api().accept_offer(offer) else { return };
                    let _ = answer.send(reply.to_sdp_string());
                    true
                }
                None => {
                    disconnected.fetch_add(1, Ordering::Relaxed);
                    return;
                }
            },
            ready = socket.readable() => {
                if ready.is_err() {
                    return;
                }
                let mut fed = false;
                // Everything waiting, in one wake-up. A probe takes each
                // datagram's arrival from the kernel, so the time this
                // thread took to come round is not counted as the SFU's.
                loop {
                    let got = if probe {
                        recv_stamped(&socket, &mut buf)
                    } else {
                        socket.try_recv_from(&mut buf).map(|(n, from)| (n, from, None))
                    };
                    let Ok((n, from, arrived)) = got else { break };
                    // RTP and RTCP start 0b10; RTCP's packet types are
                    // 192-223 (RFC 5761). Count RTP; only probes decrypt.
                    let rtp = n > 1
                        && (128..=191).contains(&buf[0])
                        && !(192..=223).contains(&buf[1]);
                    if rtp {
                        received.fetch_add(1, Ordering::Relaxed);
                    }
                    if probe || !rtp {
                        if let Some(r) = receive(from, local, &buf[..n]) {
                            let at = arrived.unwrap_or_else(Instant::now);
                            let _ = rtc.handle_input(Input::Receive(at, r));
                            fed = true;
                        }
                    }
                }
                fed
            }
            _ = tokio::time::sleep_until(timeout.into()) => {
                if rtc.handle_input(Input::Timeout(Instant::now())).is_err() {
                    return;
                }
                true
            }
        };
        if fed {
            let Some(next) = flush(&mut rtc, &socket, &mut timed).await else {
                return;
            };
            timeout = next;
        }
    }
}

/// One datagram, its sender, and when the kernel queued it to the socket
/// (SO_TIMESTAMPNS, on the system clock), as an `Instant`.
fn recv_stamped(
    socket: &UdpSocket,
    buf: &mut [u8],
) -> std::io::Result<(usize, SocketAddr, Option<Instant>)> {
    socket.try_io(Interest::READABLE, || {
        let mut iov = [IoSliceMut::new(buf)];
        let mut cmsg = nix::cmsg_space!(nix::sys::time::TimeSpec);
        let msg = recvmsg::<SockaddrStorage>(
            socket.as_raw_fd(),
            &mut iov,
            Some(&mut cmsg),
            MsgFlags::MSG_DONTWAIT,
        )
        .map_err(std::io::Error::from)?;
        let stamp = msg.cmsgs()?.find_map(|c| match c {
            ControlMessageOwned::ScmTimestampns(ts) => Some(ts),
            _ => None,
        });
        let from = msg
            .address
            .and_then(|a| {
                a.as_sockaddr_in()
                    .map(|s| SocketAddr::from(std::net::SocketAddrV4::from(*s)))
            })
            .ok_or_else(|| std::io::Error::other("no IPv4 sender"))?;
        let arrived = stamp.map(|ts| {
            let at = UNIX_EPOCH + Duration::new(ts.tv_sec() as u64, ts.tv_nsec() as u32);
            let age = SystemTime::now().duration_since(at).unwrap_or_default();
            Instant::now() - age
        });
        Ok((msg.bytes, from, arrived))
    })
}
