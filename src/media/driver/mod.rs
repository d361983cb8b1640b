//! The embedded SFU's driver: one tokio task owns the sans-IO core, its one
//! UDP socket and its clock. Signalling handlers talk to it with commands;
//! it answers on per-session channels and reports comings and goings to
//! call control.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Instant;

use str0m::net::Protocol;
use tokio::net::UdpSocket;
use tokio::sync::{mpsc, oneshot};

use super::ice_tcp::{self, TcpEvent};
use super::sfu::{Datagram, Presence, SessionId, Sfu, SfuOutput, Signal};
use super::udp_batch;

mod admin;
mod commands;
mod counters;
mod links;
mod tcp_events;

pub use admin::Admin;
pub use commands::{Command, Joined, PresenceChange, Resumed, REMOVED, RESTARTING, ROOM_CLOSED};
pub use counters::Counters;
use links::Parked;
pub use links::{signal_channel, LinkId, Signals, SIGNAL_QUEUE, TOO_SLOW};

/// Largest datagram read (WebRTC keeps packets under the path MTU).
const DATAGRAM: usize = 2000;
/// Datagrams taken from the socket in one go before what they forwarded is
/// sent: under load a subscriber written to by several is drained once and
/// the sends share system calls; when idle the batch is one datagram.
const RECEIVE_BATCH: usize = 16;

/// Subscribers drained between sends: what was forwarded to the first
/// ones leaves while the rest are still being drained.
const SEND_EVERY: usize = 32;
/// Datagrams sealed by the SFU itself that are sent before the next one
/// received is forwarded: enough to share system calls, few enough that a
/// packet's listeners do not wait for a whole batch's.
const SEND_AT: usize = 64;

/// A handle on the running SFU; cheap to clone.
#[derive(Clone)]
pub struct MediaServer {
    tx: mpsc::UnboundedSender<Command>,
    /// Where browsers send audio (the advertised IP, the bound port).
    pub udp: SocketAddr,
    /// The passive ICE-TCP address, when offered.
    pub tcp: Option<SocketAddr>,
    /// Datagrams and bytes in and out of the UDP socket.
    pub counters: Arc<Counters>,
}

impl MediaServer {
    /// Binds the UDP socket (and the ICE-TCP listener, if asked) and starts
    /// the SFU. Comings and goings arrive on the returned receiver.
    pub async fn start(
        bind: SocketAddr,
        tcp_bind: Option<SocketAddr>,
        advertise: IpAddr,
    ) -> Result<(Self, mpsc::UnboundedReceiver<PresenceChange>), String> {
        let socket = UdpSocket::bind(bind)
            .await
            .map_err(|e| format!("cannot open the media port {bind} (BELFRY_MEDIA_UDP): {e}"))?;
        let port = socket.local_addr().map_err(|e| e.to_string())?.port();
        let udp = SocketAddr::new(advertise, port);
        let mut sfu = Sfu::new(udp);
        let (tcp_tx, tcp_rx) = mpsc::channel(ice_tcp::EVENT_QUEUE);
        let tcp = match tcp_bind {
            None => None,
            Some(bind) => {
                let listener = tokio::net::TcpListener::bind(bind).await.map_err(|e| {
                    format!("cannot open the media port {bind} (BELFRY_MEDIA_TCP): {e}")
                })?;
                let port = listener.local_addr().map_err(|e| e.to_string())?.port();
                let tcp = SocketAddr::new(advertise, port);
                sfu = sfu.with_ice_tcp(tcp);
                tokio::spawn(ice_tcp::serve(listener, tcp_tx));
                Some(tcp)
            }
        };
        let (tx, rx) = mpsc::unbounded_channel();
        let (presence_tx, presence_rx) = mpsc::unbounded_channel();
        let counters = Arc::new(Counters::default());
        let driver = Driver {
            counters: counters.clone(),
            sfu,
            socket,
            local: udp,
            tcp_local: tcp,
            tcp_peers: HashMap::new(),
            sessions: HashMap::new(),
            next_link: LinkId(1),
            parked: HashMap::new(),
            presence: presence_tx,
        };
        tokio::spawn(driver.run(rx, tcp_rx));
        match tcp {
            Some(tcp) => tracing::info!("embedded media server on udp {udp} and ice-tcp {tcp}"),
            None => tracing::info!("embedded media server on udp {udp}"),
        }
        Ok((
            Self {
                tx,
                udp,
                tcp,
                counters,
            },
            presence_rx,
        ))
    }

    /// Queues a command; false once the SFU has stopped.
    /// The SFU's task is still running.
    pub fn running(&self) -> bool {
        !self.tx.is_closed()
    }

    pub fn command(&self, command: Command) -> bool {
        self.tx.send(command).is_ok()
    }

    /// Sends a command that answers, and waits for the answer.
    pub async fn ask<T>(&self, make: impl FnOnce(oneshot::Sender<T>) -> Command) -> Option<T> {
        let (reply, answer) = oneshot::channel();
        if !self.command(make(reply)) {
            return None;
        }
        answer.await.ok()
    }
}

struct Driver {
    counters: Arc<Counters>,
    sfu: Sfu,
    socket: UdpSocket,
    local: SocketAddr,
    tcp_local: Option<SocketAddr>,
    /// Open ICE-TCP connections, by the remote address: where to send
    /// frames, and the flag set once one of its packets was accepted.
    tcp_peers: HashMap<SocketAddr, (mpsc::Sender<Vec<u8>>, Arc<AtomicBool>)>,
    /// Each session's current signalling link: its number and its channel.
    sessions: HashMap<SessionId, (LinkId, Signals)>,
    next_link: LinkId,
    /// Sessions whose link dropped: since when, and what they must still
    /// be told when they resume (a moderator's mute).
    parked: HashMap<SessionId, Parked>,
    presence: mpsc::UnboundedSender<PresenceChange>,
}

impl Driver {
    async fn run(
        mut self,
        mut commands: mpsc::UnboundedReceiver<Command>,
        mut tcp: mpsc::Receiver<TcpEvent>,
    ) {
        let mut buf = vec![0u8; DATAGRAM];
        let mut wake = Instant::now();
        loop {
            let sleep = tokio::time::sleep_until(wake.into());
            tokio::select! {
                command = commands.recv() => {
                    let Some(command) = command else { break };
                    self.on_command(command);
                    wake = self.sfu.handle_timeout(Instant::now());
                }
                received = self.socket.recv_from(&mut buf) => {
                    let now = Instant::now();
                    let mut received = received;
                    for taken in 1.. {
                        match received {
                            Ok((n, source)) => {
                                self.counters.received(n);
                                self.sfu.receive(now, Datagram {
                                    proto: Protocol::Udp,
                                    source,
                                    destination: self.local,
                                    data: &buf[..n],
                                });
                                if self.sfu.pending_outputs() >= SEND_AT {
                                    self.flush().await;
                                }
                            }
                            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                            Err(e) => {
                                tracing::debug!("media socket: {e}");
                                break;
                            }
                        }
                        if taken == RECEIVE_BATCH {
                            break;
                        }
                        received = self.socket.try_recv_from(&mut buf);
                    }
                    while self.sfu.drain_written(now, SEND_EVERY) {
                        self.flush().await;
                    }
                    wake = wake.min(self.sfu.settle(now));
                }
                Some(event) = tcp.recv() => {
                    if let Some(at) = self.on_tcp(event) {
                        wake = wake.min(at);
                    }
                }
                _ = sleep => {
                    wake = self.sfu.handle_timeout(Instant::now());
                }
            }
            self.expire_parked(Instant::now());
            self.flush().await;
        }
    }

    fn on_command(&mut self, command: Command) {
        let now = Instant::now();
        match command {
            Command::Join {
                room,
                identity,
                name,
                peers,
                signals,
                reply,
            } => {
                let session = self.sfu.join_with(now, &room, &identity, &name, *peers);
                let link = self.link(session, signals);
                let me = self.sfu.info(session).expect("just joined");
                let others = self.sfu.room_members(&room, session);
                // A replaced session's departure is reported (or not) first.
                self.report_departures();
                let _ = self.presence.send(PresenceChange {
                    presence: Presence {
                        room,
                        identity,
                        sid: me.sid.clone(),
                        name,
                    },
                    joined: true,
                });
                let _ = reply.send(Joined {
                    session,
                    link,
                    me,
                    others,
                });
            }
            Command::Resume {
                room,
                identity,
                sid,
                path_lost,
                signals,
                reply,
            } => {
                let resumed = self.resume(now, &room, &identity, &sid, path_lost, signals);
                let _ = reply.send(resumed);
            }
            Command::AddTrack {
                session,
                cid,
                muted,
                reply,
            } => {
                let _ = reply.send(self.sfu.add_track(session, &cid, muted));
            }
            Command::PublisherOffer {
                session,
                sdp,
                reply,
            } => {
                let _ = reply.send(self.sfu.publisher_offer(now, session, &sdp));
            }
            Command::SubscriberAnswer { session, sdp } => {
                // A bad answer drops that session; the SFU tells it why.
                let _ = self.sfu.subscriber_answer(now, session, &sdp);
            }
            Command::Mute {
                session,
                track,
                muted,
            } => {
                self.sfu.client_mute(session, &track, muted);
            }
            Command::Hold { session } => self.sfu.server_mute(session, true),
            Command::Leave { session, link } => {
                if self.is_current(session, link) {
                    self.sessions.remove(&session);
                    self.parked.remove(&session);
                    self.sfu.leave(session, None);
                }
            }
            Command::Park {
                session,
                link,
                resuming,
            } => {
                if self.is_current(session, link) {
                    self.sessions.remove(&session);
                    self.parked.insert(session, Parked::new(now, resuming));
                }
            }
            Command::Control(control) => self.on_control(control),
            Command::Admin(admin) => self.on_admin(admin),
        }
    }

    /// Sends what the SFU produced: datagrams to browsers, signals to
    /// sessions, departures to call control.
    async fn flush(&mut self) {
        let mut udp = Vec::new();
        let mut behind = Vec::new();
        for output in self.sfu.take_outputs() {
            match output {
                SfuOutput::Transmit(t) if t.proto == Protocol::Tcp => {
                    // A full queue means a stalled connection: it loses
                    // packets, nobody else waits.
                    let framed = ice_tcp::frame(&t.contents);
                    if let (Some((peer, _)), Some(framed)) =
                        (self.tcp_peers.get(&t.destination), framed)
                    {
                        let _ = peer.try_send(framed);
                    }
                }
                SfuOutput::Transmit(t) => udp.push(t),
                SfuOutput::Signal(session, signal) => {
                    let last = matches!(signal, Signal::Disconnected { .. });
                    if let Some((_, tx)) = self.sessions.get(&session) {
                        if let Err(mpsc::error::TrySendError::Full(_)) = tx.try_send(signal) {
                            behind.push(session);
                        }
                    } else if let Some(Parked { missed, .. }) = self.parked.get_mut(&session) {
                        if matches!(signal, Signal::TrackMuted { .. }) {
                            missed.push(signal);
                        }
                    }
                    if last {
                        self.sessions.remove(&session);
                    }
                }
            }
        }
        for session in behind {
            // Its link is not reading: it goes, and nobody else waits.
            self.sessions.remove(&session);
            self.sfu.leave(session, Some(TOO_SLOW));
        }
        if !udp.is_empty() {
            let datagrams: Vec<(SocketAddr, &[u8])> =
                udp.iter().map(|t| (t.destination, &*t.contents)).collect();
            let bytes = datagrams.iter().map(|(_, d)| d.len()).sum();
            self.counters.sent(datagrams.len(), bytes);
            udp_batch::send_all(&self.socket, &datagrams).await;
        }
        self.report_departures();
    }

    fn report_departures(&mut self) {
        for (_, presence) in self.sfu.take_departed() {
            // Replaced by a new session of the same person: not a departure.
            if self.sfu.find(&presence.room, &presence.identity).is_some() {
                continue;
            }
            let _ = self.presence.send(PresenceChange {
                presence,
                joined: false,
            });
        }
    }
}
