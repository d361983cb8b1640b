//! One connection to the media server: a signalling socket and the two peer
//! connections, from join until the link drops or the room is left.

use futures_channel::mpsc::{UnboundedReceiver, UnboundedSender};
use futures_util::StreamExt;
use web_sys::{
    RtcPeerConnectionState, RtcRtpSender, RtcRtpTransceiverDirection, RtcRtpTransceiverInit,
    RtcSdpType,
};

use super::js;
use super::peer::Peer;
use super::run::Ctx;
use super::socket::Socket;
use super::{Command, Input};
use crate::room::signal::{self, Rx};
use crate::room::{requests, CloseReason, RoomModel, RoomPhase, Step};

mod resume;

use resume::Resuming;

/// How a connection ended.
pub enum End {
    Closed(CloseReason),
    /// The link dropped: `joined` if the server had let us in, `reached` if
    /// media had connected.
    Lost {
        joined: bool,
        reached: bool,
    },
}

/// Without a join response this long after opening, try again.
const JOIN_TIMEOUT_MS: f64 = 10_000.0;
pub struct Session {
    generation: u32,
    room_url: String,
    socket: Socket,
    /// The current socket's tag: its events carry it, a replaced socket's
    /// stragglers do not.
    link: u32,
    resuming: Option<Resuming>,
    /// Our mute changed while the link was down: the server is told on
    /// resuming (and only then, so a moderator's mute is not undone).
    mute_unsent: bool,
    model: RoomModel,
    publisher: Option<Peer>,
    subscriber: Option<Peer>,
    sender: Option<RtcRtpSender>,
    /// The id of our latest publisher offer; only its answer is taken.
    offer_id: u32,
    announced: bool,
    joined: bool,
    reached: bool,
    opened_at: f64,
    last_heard: f64,
    last_ping: f64,
    ping_interval_ms: f64,
    ping_timeout_ms: f64,
    rtt: i64,
}

impl Session {
    pub fn open(
        generation: u32,
        room_url: &str,
        token: &str,
        tx: &UnboundedSender<Input>,
    ) -> Result<Self, String> {
        let now = js::now_ms();
        let link = generation << 16;
        let url = requests::join_url(room_url, token);
        Ok(Self {
            generation,
            room_url: room_url.to_string(),
            socket: Socket::open(&url, link, tx)?,
            link,
            resuming: None,
            mute_unsent: false,
            model: RoomModel::default(),
            publisher: None,
            subscriber: None,
            sender: None,
            offer_id: 0,
            announced: false,
            joined: false,
            reached: false,
            opened_at: now,
            last_heard: now,
            last_ping: now,
            ping_interval_ms: 0.0,
            ping_timeout_ms: 0.0,
            rtt: 0,
        })
    }

    fn lost(&self) -> Option<End> {
        Some(End::Lost {
            joined: self.joined,
            reached: self.reached,
        })
    }

    pub async fn run(&mut self, rx: &mut UnboundedReceiver<Input>, ctx: &mut Ctx) -> End {
        while let Some(input) = rx.next().await {
            let current = if input.is_socket_event() {
                self.link
            } else {
                self.generation
            };
            if input.generation().is_some_and(|g| g != current) {
                continue; // from an earlier connection or socket
            }
            if let Some(end) = self.handle(input, ctx).await {
                if let Some(publisher) = &self.publisher {
                    publisher.close();
                }
                if let Some(subscriber) = &self.subscriber {
                    subscriber.close();
                }
                self.socket.close();
                return end;
            }
        }
        End::Closed(CloseReason::Left)
    }

    async fn handle(&mut self, input: Input, ctx: &mut Ctx) -> Option<End> {
        match input {
            Input::SocketOpen(_) => None,
            Input::SocketClosed(_) => self.link_lost(ctx),
            Input::Frame(_, frame) => {
                self.last_heard = js::now_ms();
                let message = signal::decode(&frame)?;
                // Until the server takes the session back, only its answer
                // (or its refusal) counts.
                let answer = matches!(message, Rx::Reconnect | Rx::Leave(_));
                if self.awaiting_resume() && !answer {
                    return None;
                }
                let steps = self.model.apply(message, js::now_ms() as i64);
                for step in steps {
                    if let Some(end) = self.step(step, ctx).await {
                        return Some(end);
                    }
                }
                None
            }
            Input::LocalCandidate {
                subscriber, init, ..
            } => {
                self.socket.send(requests::trickle(init, subscriber));
                None
            }
            Input::PeerState {
                subscriber, state, ..
            } => match state {
                // The subscriber is primary: audio reaches us once it connects.
                RtcPeerConnectionState::Connected if subscriber && !self.reached => {
                    self.reached = true;
                    ctx.phase(RoomPhase::Connected);
                    None
                }
                RtcPeerConnectionState::Failed => self.lost(),
                // The path went quiet: resume with ICE restarted now, not
                // after the browser's ~30 s wait to call it failed.
                RtcPeerConnectionState::Disconnected if self.reached => self.path_lost(ctx),
                _ => None,
            },
            Input::Track {
                stream_id, track, ..
            } => {
                let owner = RoomModel::stream_owner(&stream_id).unwrap_or_default();
                ctx.outputs.play(track, owner);
                None
            }
            Input::MicOpened(opened) => {
                ctx.take_mic(opened);
                if self.joined && !self.announced {
                    self.announce(ctx);
                }
                // Device names are readable once the microphone is allowed.
                ctx.refresh_devices().await;
                None
            }
            Input::DevicesChanged => {
                ctx.refresh_devices().await;
                None
            }
            Input::Tick => self.tick(ctx),
            Input::Command(Command::Close) => {
                self.socket.send(requests::leave());
                Some(End::Closed(CloseReason::Left))
            }
            Input::Command(command) => {
                let old = ctx.apply(&command).await;
                self.after_command(&command, ctx).await;
                if let Some(old) = old {
                    old.stop();
                }
                None
            }
        }
    }

    fn tick(&mut self, ctx: &mut Ctx) -> Option<End> {
        let now = js::now_ms();
        if self.resuming.is_some() {
            return self.resume_tick(now, ctx);
        }
        if !self.joined {
            return if now - self.opened_at > JOIN_TIMEOUT_MS {
                self.lost()
            } else {
                None
            };
        }
        if self.ping_timeout_ms > 0.0 && now - self.last_heard > self.ping_timeout_ms {
            return self.link_lost(ctx);
        }
        if self.ping_interval_ms > 0.0 && now - self.last_ping >= self.ping_interval_ms {
            self.last_ping = now;
            for ping in requests::pings(now as i64, self.rtt) {
                self.socket.send(ping);
            }
        }
        None
    }

    async fn after_command(&mut self, command: &Command, ctx: &mut Ctx) {
        match command {
            Command::Mute(muted) => {
                self.mute_unsent |= self.resuming.is_some();
                if let Some(sid) = self.model.local_track() {
                    self.socket.send(requests::mute(sid, *muted));
                }
                self.model.set_local_muted(*muted);
                (ctx.callbacks.on_peers)(self.model.peers());
            }
            Command::Microphone(_) => {
                let Some(mic) = &ctx.mic else { return };
                if let Some(sender) = &self.sender {
                    if let Err(e) = js::wait(sender.replace_track(Some(&mic.track))).await {
                        web_sys::console::warn_1(&e.into());
                    }
                } else if self.joined && !self.announced {
                    self.announce(ctx);
                }
            }
            Command::Speaker(_) | Command::Close => {}
        }
    }

    fn announce(&mut self, ctx: &Ctx) {
        if let Some(mic) = &ctx.mic {
            self.socket
                .send(requests::add_microphone(&mic.track.id(), ctx.local.muted));
            self.announced = true;
        }
    }

    async fn step(&mut self, step: Step, ctx: &mut Ctx) -> Option<End> {
        match step {
            Step::Joined {
                ice_servers,
                ping_interval,
                ping_timeout,
            } => {
                self.joined = true;
                self.ping_interval_ms = f64::from(ping_interval) * 1000.0;
                self.ping_timeout_ms = f64::from(ping_timeout) * 1000.0;
                let make =
                    |subscriber| Peer::new(subscriber, &ice_servers, self.generation, &ctx.tx);
                let (Ok(publisher), Ok(subscriber)) = (make(false), make(true)) else {
                    return self.lost();
                };
                self.publisher = Some(publisher);
                self.subscriber = Some(subscriber);
                self.announce(ctx);
                None
            }
            Step::Publish { .. } => match self.publish(ctx).await {
                Ok(()) => None,
                Err(_) => self.lost(),
            },
            Step::SubscriberOffer { sdp, id } => {
                let subscriber = self.subscriber.as_mut()?;
                let answered = async {
                    subscriber.set_remote(RtcSdpType::Offer, &sdp).await?;
                    subscriber.describe_local(false, false).await
                };
                match answered.await {
                    Ok(answer) => {
                        self.socket.send(requests::answer(answer, id));
                        None
                    }
                    Err(_) => self.lost(),
                }
            }
            Step::PublisherAnswer { sdp, id } => {
                if id != self.offer_id {
                    return None; // an answer to an offer since replaced
                }
                let publisher = self.publisher.as_mut()?;
                match publisher.set_remote(RtcSdpType::Answer, &sdp).await {
                    Ok(()) => None,
                    Err(_) => self.lost(),
                }
            }
            Step::Candidate { subscriber, init } => {
                let peer = if subscriber {
                    self.subscriber.as_mut()
                } else {
                    self.publisher.as_mut()
                }?;
                // A bad candidate costs that candidate, not the call.
                let _ = peer.add_candidate(&init).await;
                None
            }
            Step::PeersChanged => {
                ctx.outputs.prune();
                (ctx.callbacks.on_peers)(self.model.peers());
                None
            }
            Step::ModeratorMute { muted } => {
                if let Some(mic) = &ctx.mic {
                    mic.set_muted(muted);
                }
                ctx.local.muted = muted;
                ctx.local.muted_by_moderator = muted;
                ctx.emit_local();
                None
            }
            Step::Resumed => {
                let path_lost = self.resuming.take().is_some_and(|r| r.path_lost);
                self.last_heard = js::now_ms();
                // The server restarts the subscriber's ICE; ours is the
                // publisher's, offered with new credentials (if it was ever
                // offered: a listener without a microphone has nothing to).
                let offered = self.sender.is_some();
                if path_lost && offered && self.offer_publisher(true).await.is_err() {
                    return self.lost();
                }
                // What changed while the link was down: our mute, if we
                // touched it (the server tells us of a moderator's).
                if let Some(sid) = self.model.local_track().filter(|_| self.mute_unsent) {
                    self.socket.send(requests::mute(sid, ctx.local.muted));
                }
                self.mute_unsent = false;
                ctx.phase(RoomPhase::Connected);
                None
            }
            Step::Reconnect => self.lost(),
            Step::Close(reason) => Some(End::Closed(reason)),
            Step::Token(token) => {
                ctx.token = token;
                None
            }
            Step::Rtt(rtt) => {
                self.rtt = rtt;
                None
            }
        }
    }

    /// Adds the microphone to the publisher and offers it.
    async fn publish(&mut self, ctx: &Ctx) -> Result<(), String> {
        let publisher = self.publisher.as_ref().ok_or("no publisher")?;
        if self.sender.is_none() {
            let mic = ctx.mic.as_ref().ok_or("no microphone")?;
            let init = RtcRtpTransceiverInit::new();
            init.set_direction(RtcRtpTransceiverDirection::Sendonly);
            init.set_streams(&js_sys::Array::of1(&mic.stream));
            let transceiver = publisher
                .pc
                .add_transceiver_with_media_stream_track_and_init(&mic.track, &init);
            self.sender = Some(transceiver.sender());
        }
        self.offer_publisher(false).await
    }

    /// Offers the publisher (with new ICE credentials when `ice_restart`).
    async fn offer_publisher(&mut self, ice_restart: bool) -> Result<(), String> {
        let publisher = self.publisher.as_ref().ok_or("no publisher")?;
        self.offer_id += 1;
        let offer = publisher.describe_local(true, ice_restart).await?;
        self.socket.send(requests::offer(offer, self.offer_id));
        Ok(())
    }
}
