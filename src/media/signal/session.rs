//! One participant's signalling connection: LiveKit's `SignalRequest` /
//! `SignalResponse` protobuf frames over a WebSocket, carried to and from
//! the SFU driver. Whatever the browser sends, the worst outcome is that
//! this one participant is told to leave and the socket closes.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use livekit_protocol as lk;
use lk::signal_request::Message as Req;
use lk::signal_response::Message as Res;
use prost::Message as _;
use tokio::sync::mpsc;

use super::answers::{admitted, refusal, refused, response};
use super::end::End;
use super::resume::Resume;
use super::{candidate, proto};
use crate::media::admission::Gate;
use crate::media::driver::{Command, LinkId, MediaServer};
use crate::media::sfu::{SessionId, Signal};
use crate::media::token::{MediaKeys, RoomGrant, TOKEN_TTL};

/// How often a connected client is sent a fresh token (if call control
/// still admits it), unless told otherwise.
pub const REFRESH_EVERY: Duration = Duration::from_secs(240);
/// Silence after which the client is taken for gone (it pings every 5 s).
const SILENCE: Duration = Duration::from_secs(proto::PING_TIMEOUT as u64);
/// The close code a browser sends when its page goes away: a leave, not a
/// link to wait for.
const GOING_AWAY: u16 = 1001;
/// The close code Belfry's client sends when it closes a link to resume on
/// a new one (its media path broke): the session waits for that resume,
/// however quiet its media has gone.
pub const RESUMING: u16 = 4001;
/// How long a frame may wait for the browser to read it.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest frame accepted from a browser (an SDP offer is a few KB).
pub const MAX_FRAME: usize = 64 * 1024;

pub struct Session {
    ws: WebSocket,
    server: MediaServer,
    keys: MediaKeys,
    grant: RoomGrant,
    gate: Arc<dyn Gate>,
    refresh_every: Duration,
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl Session {
    pub fn new(
        ws: WebSocket,
        server: MediaServer,
        keys: MediaKeys,
        grant: RoomGrant,
        gate: Arc<dyn Gate>,
    ) -> Self {
        Self {
            ws,
            server,
            keys,
            grant,
            gate,
            refresh_every: REFRESH_EVERY,
        }
    }

    /// Sends fresh tokens (and asks call control again) this often.
    pub fn refreshing_every(mut self, every: Duration) -> Self {
        self.refresh_every = every;
        self
    }

    /// Serves the link: a join, or with `resume` a resume of the session
    /// the browser had.
    pub async fn run(mut self, resume: Option<Resume>) {
        let (tx, mut signals) = crate::media::driver::signal_channel();
        let opened = match resume {
            None => self.join(tx).await,
            Some(Resume { sid, path_lost }) => self.resume(sid, path_lost, tx).await,
        };
        let Some((session, link, sid)) = opened else {
            let _ = self.ws.send(Message::Close(None)).await;
            return;
        };
        // Asked again now that the session is in: a removal that call
        // control made while this link was opening found nobody to evict.
        let end = match admitted(&*self.gate, &self.grant).await {
            Ok(held) => {
                if held {
                    self.server.command(Command::Hold { session });
                }
                self.serve(session, &sid, &mut signals).await
            }
            Err(why) => End::Refused(refused(why).into()),
        };
        // A link that just dropped may be resumed; a leave is final.
        match end {
            End::Closed | End::Silent | End::Resuming => {
                let resuming = matches!(end, End::Resuming);
                self.server.command(Command::Park {
                    session,
                    link,
                    resuming,
                })
            }
            _ => self.server.command(Command::Leave { session, link }),
        };
        tracing::debug!(
            room = self.grant.room,
            sid,
            end = end.describe(),
            "signal link ended"
        );
        let leave = match &end {
            End::Dropped(_) => Some(proto::leave(
                lk::DisconnectReason::StateMismatch,
                lk::leave_request::Action::Disconnect,
            )),
            End::Refused(why) => Some(refusal(why)),
            _ => None,
        };
        if let Some(leave) = leave {
            let _ = self.send(leave).await;
        }
        let _ = self
            .ws
            .send(Message::Close(Some(CloseFrame {
                code: 1000,
                reason: "".into(),
            })))
            .await;
    }

    /// Joins the room: the session, its link, and the participant sid.
    async fn join(
        &mut self,
        tx: crate::media::driver::Signals,
    ) -> Option<(SessionId, LinkId, String)> {
        let room = self.grant.room.clone();
        let joined = self
            .server
            .join(&room, &self.grant.identity, &self.grant.name, tx)
            .await?;
        let join = proto::join(&room, &joined.me, &joined.others, now_ms());
        if self.send(join).await.is_err() {
            let (session, link) = (joined.session, joined.link);
            self.server.command(Command::Park {
                session,
                link,
                resuming: false,
            });
            return None;
        }
        Some((joined.session, joined.link, joined.me.sid))
    }

    /// Takes over session `sid` of the token's identity in its room: the
    /// browser hears the resume accepted, who is there now, and any
    /// subscriber offer it has not answered. A session that is gone (or
    /// another person's) is refused with a leave that asks for a full
    /// rejoin.
    async fn resume(
        &mut self,
        sid: String,
        path_lost: bool,
        tx: crate::media::driver::Signals,
    ) -> Option<(SessionId, LinkId, String)> {
        let resumed = self
            .server
            .ask(|reply| Command::Resume {
                room: self.grant.room.clone(),
                identity: self.grant.identity.clone(),
                sid: sid.clone(),
                path_lost,
                signals: tx,
                reply,
            })
            .await
            .flatten();
        let Some(resumed) = resumed else {
            let leave = proto::leave(
                lk::DisconnectReason::StateMismatch,
                lk::leave_request::Action::Reconnect,
            );
            let _ = self.send(leave).await;
            return None;
        };
        let (session, link) = (resumed.session, resumed.link);
        let mut frames = vec![
            Res::Reconnect(lk::ReconnectResponse::default()),
            response(Signal::Participants(resumed.others.into()), &sid),
        ];
        if let Some((sdp, id)) = resumed.offer {
            frames.push(response(Signal::SubscriberOffer { sdp, id }, &sid));
        }
        frames.extend(resumed.missed.into_iter().map(|m| response(m, &sid)));
        for frame in frames {
            if self.send(frame).await.is_err() {
                self.server.command(Command::Park {
                    session,
                    link,
                    resuming: false,
                });
                return None;
            }
        }
        tracing::debug!(room = self.grant.room, sid, "signal link resumed");
        Some((session, link, sid))
    }

    async fn serve(
        &mut self,
        session: SessionId,
        sid: &str,
        signals: &mut mpsc::Receiver<Signal>,
    ) -> End {
        let mut refresh = tokio::time::interval(self.refresh_every);
        refresh.tick().await;
        let mut silence = Box::pin(tokio::time::sleep(SILENCE));
        loop {
            tokio::select! {
                frame = self.ws.recv() => {
                    silence.as_mut().reset(tokio::time::Instant::now() + SILENCE);
                    let bytes = match frame {
                        Some(Ok(Message::Close(Some(frame)))) if frame.code == GOING_AWAY => {
                            return End::Away
                        }
                        Some(Ok(Message::Close(Some(frame)))) if frame.code == RESUMING => {
                            return End::Resuming
                        }
                        None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return End::Closed,
                        Some(Ok(Message::Binary(bytes))) => bytes,
                        Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                        Some(Ok(Message::Text(_))) => {
                            return End::Dropped("text frames are not spoken here".into())
                        }
                    };
                    let request = match lk::SignalRequest::decode(bytes.as_ref()) {
                        Ok(lk::SignalRequest { message: Some(m) }) => m,
                        Ok(_) => continue,
                        Err(e) => return End::Dropped(format!("unreadable frame: {e}")),
                    };
                    if let Some(end) = self.on_request(session, request).await {
                        return end;
                    }
                }
                signal = signals.recv() => {
                    let Some(signal) = signal else {
                        return End::Dropped("the media server stopped".into());
                    };
                    if let Signal::Disconnected { reason } = signal {
                        return End::Refused(reason);
                    }
                    if self.send(response(signal, sid)).await.is_err() {
                        return End::Closed;
                    }
                }
                _ = refresh.tick() => {
                    // A fresh token only for someone call control still
                    // admits: a removed participant's session ends here.
                    if let Err(why) = admitted(&*self.gate, &self.grant).await {
                        return End::Refused(refused(why).into());
                    }
                    if let Ok(token) = self.keys.mint_grant(&self.grant, TOKEN_TTL) {
                        if self.send(Res::RefreshToken(token)).await.is_err() {
                            return End::Closed;
                        }
                    }
                }
                _ = &mut silence => return End::Silent,
            }
        }
    }

    /// Carries out one request; `Some` ends the session.
    async fn on_request(&mut self, session: SessionId, request: Req) -> Option<End> {
        let reply = match request {
            Req::Offer(offer) => {
                let id = offer.id;
                let answer = self
                    .server
                    .ask(|reply| Command::PublisherOffer {
                        session,
                        sdp: offer.sdp,
                        reply,
                    })
                    .await?;
                match answer {
                    Ok(sdp) => Res::Answer(lk::SessionDescription {
                        r#type: "answer".into(),
                        sdp,
                        id,
                        ..Default::default()
                    }),
                    Err(e) => return Some(End::Dropped(e.to_string())),
                }
            }
            Req::Answer(answer) => {
                self.server.command(Command::SubscriberAnswer {
                    session,
                    sdp: answer.sdp,
                });
                return None;
            }
            // ICE-lite: the browser's addresses come from its checks, so
            // candidates are only checked for sense.
            Req::Trickle(t) => {
                return candidate::check(&t.candidate_init).err().map(End::Dropped);
            }
            Req::AddTrack(add) => {
                if add.r#type != lk::TrackType::Audio as i32 {
                    return None; // Audio only: the client's publish times out.
                }
                let track = self
                    .server
                    .ask(|reply| Command::AddTrack {
                        session,
                        cid: add.cid.clone(),
                        muted: add.muted,
                        reply,
                    })
                    .await??;
                Res::TrackPublished(lk::TrackPublishedResponse {
                    cid: add.cid,
                    track: Some(proto::track(&track.sid, track.muted)),
                })
            }
            Req::Mute(m) => {
                self.server.command(Command::Mute {
                    session,
                    track: m.sid,
                    muted: m.muted,
                });
                return None;
            }
            Req::Leave(_) => return Some(End::Left),
            Req::Ping(at) => Res::Pong(at),
            Req::PingReq(ping) => Res::PongResp(lk::Pong {
                last_ping_timestamp: ping.timestamp,
                timestamp: now_ms(),
            }),
            _ => return None,
        };
        self.send(reply).await.err().map(|_| End::Closed)
    }

    /// Sends one frame; a browser that has not taken it within
    /// `SEND_TIMEOUT` is taken for gone (its socket stopped reading).
    async fn send(&mut self, message: Res) -> Result<(), axum::Error> {
        let frame = Message::Binary(proto::encode(message).into());
        match tokio::time::timeout(SEND_TIMEOUT, self.ws.send(frame)).await {
            Ok(sent) => sent,
            Err(_) => Err(axum::Error::new("the browser stopped reading its socket")),
        }
    }
}
