//! ICE-TCP against the real SFU driver on loopback: a participant whose
//! both peer connections run over passive ICE-TCP (RFC 4571 framing) and one
//! over UDP hear each other; a connection with broken framing is closed
//! alone while the call goes on.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use belfry::media::driver::{Command, MediaServer};
use belfry::media::ice_tcp::{frame, read_frame};
use belfry::media::sfu::{SessionId, Signal};
use str0m::change::{SdpAnswer, SdpOffer};
use str0m::media::{Direction, Frequency, MediaKind, MediaTime};
use str0m::net::{Protocol, Receive, TcpType};
use str0m::{Candidate, Event, Input, Output, Rtc};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};
use tokio::sync::mpsc;

/// One peer connection's way to the SFU.
enum Link {
    Udp(UdpSocket),
    Tcp {
        to: SocketAddr,
        frames: mpsc::UnboundedReceiver<Vec<u8>>,
        writer: tokio::net::tcp::OwnedWriteHalf,
    },
}

struct Pc {
    rtc: Rtc,
    link: Link,
    local: SocketAddr,
}

impl Pc {
    async fn new(server: &MediaServer, tcp: bool) -> Self {
        let mut rtc = Rtc::builder()
            .clear_codecs()
            .enable_opus(true, false)
            .build(Instant::now());
        if tcp {
            let to = server.tcp.expect("ICE-TCP offered");
            let stream = TcpStream::connect(to).await.unwrap();
            let local = stream.local_addr().unwrap();
            let (mut reader, writer) = stream.into_split();
            let (tx, frames) = mpsc::unbounded_channel();
            tokio::spawn(async move {
                while let Ok(Some(f)) = read_frame(&mut reader).await {
                    if tx.send(f).is_err() {
                        break;
                    }
                }
            });
            let candidate = Candidate::builder()
                .tcp()
                .host(local)
                .tcptype(TcpType::Active)
                .build()
                .unwrap();
            rtc.add_local_candidate(candidate);
            Self {
                rtc,
                link: Link::Tcp { to, frames, writer },
                local,
            }
        } else {
            let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            let local = socket.local_addr().unwrap();
            rtc.add_local_candidate(Candidate::host(local, "udp").unwrap());
            Self {
                rtc,
                link: Link::Udp(socket),
                local,
            }
        }
    }

    /// Sends what the peer connection wants sent; returns its next timeout.
    async fn flush(&mut self, heard: &AtomicUsize, from_marker: u8) -> Option<Instant> {
        loop {
            match self.rtc.poll_output().ok()? {
                Output::Timeout(t) => return Some(t),
                Output::Transmit(t) => match &mut self.link {
                    Link::Udp(s) => {
                        let _ = s.send_to(&t.contents, t.destination).await;
                    }
                    Link::Tcp { writer, .. } => {
                        let _ = writer.write_all(&frame(&t.contents).unwrap()).await;
                    }
                },
                Output::Event(Event::MediaData(d)) if d.data.first() == Some(&from_marker) => {
                    heard.fetch_add(1, Ordering::Relaxed);
                }
                Output::Event(_) => {}
            }
        }
    }

    /// Waits for a packet (or `until`) and gives it to the peer connection.
    async fn receive(&mut self, until: Instant) {
        let mut buf = vec![0u8; 2000];
        let got: Option<(SocketAddr, Vec<u8>)> = match &mut self.link {
            Link::Udp(s) => tokio::select! {
                r = s.recv_from(&mut buf) => r.ok().map(|(n, from)| (from, buf[..n].to_vec())),
                _ = tokio::time::sleep_until(until.into()) => None,
            },
            Link::Tcp { to, frames, .. } => tokio::select! {
                f = frames.recv() => f.map(|f| (*to, f)),
                _ = tokio::time::sleep_until(until.into()) => None,
            },
        };
        let proto = match self.link {
            Link::Udp(_) => Protocol::Udp,
            Link::Tcp { .. } => Protocol::Tcp,
        };
        let _ = match got {
            Some((from, data)) => match Receive::new(proto, from, self.local, &data) {
                Ok(r) => self.rtc.handle_input(Input::Receive(Instant::now(), r)),
                Err(_) => Ok(()),
            },
            None => self.rtc.handle_input(Input::Timeout(Instant::now())),
        };
    }
}

/// A participant: publishes frames marked `marker` and counts the frames
/// marked `listen_for` it receives.
async fn participant(
    server: MediaServer,
    room: &str,
    name: &str,
    tcp: bool,
    marker: u8,
    listen_for: u8,
    heard: Arc<AtomicUsize>,
) {
    let (signals_tx, mut signals) = belfry::media::driver::signal_channel();
    let joined = server.join(room, name, name, signals_tx).await.unwrap();
    let session: SessionId = joined.session;
    let cid = format!("mic-{name}");
    server
        .ask(|reply| Command::AddTrack {
            session,
            cid: cid.clone(),
            muted: false,
            reply,
        })
        .await
        .flatten()
        .expect("a track");
    let mut publisher = Pc::new(&server, tcp).await;
    let mut subscriber = Pc::new(&server, tcp).await;
    let mut change = publisher.rtc.sdp_api();
    let mid = change.add_media(
        MediaKind::Audio,
        Direction::SendOnly,
        Some("s".into()),
        Some(cid),
        None,
    );
    let (offer, pending) = change.apply().unwrap();
    let sdp = offer.to_sdp_string();
    let answer = server
        .ask(|reply| Command::PublisherOffer {
            session,
            sdp,
            reply,
        })
        .await
        .unwrap()
        .expect("an answer");
    publisher
        .rtc
        .sdp_api()
        .accept_answer(pending, SdpAnswer::from_sdp_string(&answer).unwrap())
        .unwrap();
    let none = AtomicUsize::new(0);
    let mut next_frame = Instant::now();
    let end = Instant::now() + Duration::from_secs(6);
    while Instant::now() < end {
        while let Ok(signal) = signals.try_recv() {
            if let Signal::SubscriberOffer { sdp, .. } = signal {
                let offer = SdpOffer::from_sdp_string(&sdp).unwrap();
                let answer = subscriber.rtc.sdp_api().accept_offer(offer).unwrap();
                server.command(Command::SubscriberAnswer {
                    session,
                    sdp: answer.to_sdp_string(),
                });
            }
        }
        if Instant::now() >= next_frame {
            next_frame += Duration::from_millis(20);
            if let Some(writer) = publisher.rtc.writer(mid) {
                let pt = writer.payload_params().next().unwrap().pt();
                let ms = next_frame.elapsed().as_millis() as u64;
                let _ = writer.write(
                    pt,
                    Instant::now(),
                    MediaTime::new(ms * 48, Frequency::FORTY_EIGHT_KHZ),
                    vec![marker; 60],
                );
            }
        }
        let a = publisher.flush(&none, 0).await.unwrap_or(next_frame);
        let b = subscriber
            .flush(&heard, listen_for)
            .await
            .unwrap_or(next_frame);
        let until = a
            .min(b)
            .min(next_frame)
            .min(Instant::now() + Duration::from_millis(5));
        publisher.receive(until).await;
        subscriber.receive(Instant::now()).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_participant_over_ice_tcp_and_one_over_udp_hear_each_other() {
    str0m::crypto::from_feature_flags().install_process_default();
    let (server, _presence) = MediaServer::start(
        "127.0.0.1:0".parse().unwrap(),
        Some("127.0.0.1:0".parse().unwrap()),
        "127.0.0.1".parse().unwrap(),
    )
    .await
    .unwrap();
    let alice_heard = Arc::new(AtomicUsize::new(0));
    let bob_heard = Arc::new(AtomicUsize::new(0));
    let alice = tokio::spawn(participant(
        server.clone(),
        "r",
        "alice",
        true,
        1,
        2,
        alice_heard.clone(),
    ));
    let bob = tokio::spawn(participant(
        server.clone(),
        "r",
        "bob",
        false,
        2,
        1,
        bob_heard.clone(),
    ));

    // Meanwhile a connection with broken framing is closed, alone.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut rogue = TcpStream::connect(server.tcp.unwrap()).await.unwrap();
    rogue.write_all(&[0xff, 0xff, 1, 2, 3]).await.unwrap();
    let mut buf = [0u8; 16];
    let closed = tokio::time::timeout(Duration::from_secs(3), rogue.read(&mut buf)).await;
    assert!(
        matches!(closed, Ok(Ok(0)) | Ok(Err(_))),
        "the rogue connection is closed: {closed:?}"
    );

    alice.await.unwrap();
    bob.await.unwrap();
    let (a, b) = (
        alice_heard.load(Ordering::Relaxed),
        bob_heard.load(Ordering::Relaxed),
    );
    assert!(a > 100, "alice (ICE-TCP) heard bob {a} times");
    assert!(b > 100, "bob (UDP) heard alice {b} times");
}
