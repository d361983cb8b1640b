//! `GET /api/events`: the live event stream as a WebSocket, one per tab.
//!
//! Checks before upgrading: same-origin (a page elsewhere cannot ride the
//! user's cookie) and a valid session. After: hello, missed events, then live
//! ones, with heartbeats; the session is re-checked periodically so a sign-out
//! elsewhere closes the stream.
//!
//! Frames are JSON text, or postcard binary for a tab that connects with
//! `?wire=postcard` (Belfry's own pages do; see `api::wire`).

use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;

use super::auth::{self, Authed};
use super::db;
use super::error::{AppError, AppResult};
use super::histogram::RING_DELIVERY;
use super::live;
use super::push;
use super::state::AppState;
use crate::contract::events::{LiveFrame, HEARTBEAT_SECS};
use crate::contract::ids::{ChannelId, MessageId};
use crate::contract::wire::WIRE_VERSION;

/// Close codes the browser client understands.
pub const CLOSE_SIGNED_OUT: u16 = 4001;
pub const CLOSE_TOO_SLOW: u16 = 4002;
/// RFC 6455's "service restart": the server is stopping; reconnect (to
/// another instance, or to this one once it is back).
pub const CLOSE_RESTARTING: u16 = 1012;
/// The tab runs an earlier build, whose frames' layout this server no
/// longer writes (`api::wire`): it should reload.
pub const CLOSE_OUTDATED: u16 = 4003;

const SEND_TIMEOUT: Duration = Duration::from_secs(10);
const SESSION_RECHECK: Duration = Duration::from_secs(30);

#[derive(Debug, Deserialize)]
pub struct Resume {
    epoch: Option<u64>,
    after: Option<u64>,
    /// The page's device id, so a push is not also sent to a device showing
    /// Belfry; and whether the page is on screen as it connects.
    device: Option<String>,
    hidden: Option<bool>,
    /// `postcard` for binary frames; JSON text otherwise.
    wire: Option<String>,
    /// With `postcard`: the layout the tab reads (`contract::wire::WIRE_VERSION`).
    v: Option<u64>,
}

/// The form a tab asked its frames in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FrameForm {
    Json,
    Postcard,
}

impl FrameForm {
    fn frame(self, frame: &LiveFrame) -> Message {
        match self {
            FrameForm::Json => {
                Message::Text(serde_json::to_string(frame).unwrap_or_default().into())
            }
            FrameForm::Postcard => Message::Binary(frame.to_postcard().into()),
        }
    }

    fn item(self, item: &live::Item) -> Message {
        match self {
            FrameForm::Json => Message::Text(item.text.as_ref().into()),
            FrameForm::Postcard => Message::Binary(item.bin.clone()),
        }
    }
}

/// What a tab may say on the stream: that it was hidden or shown, or that
/// it shows a conversation up to a message (read).
#[derive(Debug, Deserialize)]
struct TabFrame {
    #[serde(default)]
    visible: Option<bool>,
    #[serde(default)]
    read: Option<(ChannelId, MessageId)>,
}

/// A tab's reads are taken at most this often; in between, the newest
/// waits (a busy channel on screen writes its read mark a few times a
/// second at most, whatever the tab sends).
const READ_GAP: Duration = Duration::from_millis(300);

/// Moves the viewer's read mark, apart from the stream (a refused or failed
/// read changes nothing and is only logged).
fn take_read(state: &AppState, authed: &Authed, (channel, message): (ChannelId, MessageId)) {
    let (state, user) = (state.clone(), authed.user.clone());
    tokio::spawn(async move {
        if let Err(e) = super::chat::mark_read(&state, &user, channel, message).await {
            tracing::debug!(%channel, user = %user.id, error = %e, "read refused");
        }
    });
}

/// Bytes read from a tab's socket at a time.
const READ_BUFFER: usize = 4 * 1024;

pub async fn events(
    State(state): State<AppState>,
    headers: HeaderMap,
    api: Option<axum::Extension<super::api_tokens::ApiCaller>>,
    Query(resume): Query<Resume>,
    upgrade: WebSocketUpgrade,
) -> AppResult<Response> {
    check_same_origin(&headers)?;
    let authed = auth::caller_of(&state, &headers, api.as_deref()).await?;
    // One socket per tab: a person with more open than any browser would
    // is refused more, until some close.
    let slot = state
        .limits
        .event_sockets
        .open(&authed.user.id.to_string())
        .ok_or_else(|| {
            AppError::too_many(
                "Too many Belfry tabs are open for your account. Close some and reload.",
                30,
            )
        })?;
    let device = resume.device.as_deref().and_then(push::tabs::clean_device);
    let visible = !resume.hidden.unwrap_or(false);
    let outdated = resume.wire.as_deref() == Some("postcard") && resume.v != Some(WIRE_VERSION);
    let form = match resume.wire.as_deref() {
        None | Some("json") => FrameForm::Json,
        Some("postcard") => FrameForm::Postcard,
        Some(_) => {
            return Err(AppError::bad_request(
                "Unknown wire form: ask for json or postcard.",
            ))
        }
    };
    let resume = resume.epoch.zip(resume.after);
    // Tabs send only tiny frames; the default 128 KiB read buffer would be
    // zero-filled on every read, for each of thousands of idle sockets.
    Ok(upgrade
        .read_buffer_size(READ_BUFFER)
        .max_message_size(4 * 1024)
        .on_upgrade(move |mut socket| async move {
            let _slot = slot;
            if outdated {
                close(&mut socket, CLOSE_OUTDATED, "Belfry has been updated").await;
                return;
            }
            // Every tab counts as "online"; one without a device id (not
            // Belfry's own page) never matches a push subscription's.
            let device = device.unwrap_or_default();
            let tab = Some(state.push.tabs.open(authed.user.id, device, visible));
            stream(socket, state, authed, resume, tab, form).await
        }))
}

/// A browser always sends Origin on a WebSocket handshake; it must name this
/// host. Clients that are not browsers send none and are let through on the
/// strength of their cookie alone.
fn check_same_origin(headers: &HeaderMap) -> AppResult<()> {
    if super::cross_site::same_origin(headers) {
        Ok(())
    } else {
        Err(AppError::forbidden(
            "Live events are only served to Belfry's own pages.",
        ))
    }
}

async fn stream(
    mut socket: WebSocket,
    state: AppState,
    authed: Authed,
    resume: Option<(u64, u64)>,
    tab: Option<push::tabs::TabGuard>,
    form: FrameForm,
) {
    let mut sub = state.live.subscribe(authed.user.id, resume);
    let mut last_sent = 0;
    if send(&mut socket, form.frame(&sub.hello)).await.is_err() {
        return;
    }
    for item in std::mem::take(&mut sub.replay) {
        last_sent = item.seq;
        if send(&mut socket, form.item(&item)).await.is_err() {
            return;
        }
    }
    let heartbeat_frame = form.frame(&LiveFrame::Heartbeat);
    let mut heartbeat = tokio::time::interval(Duration::from_secs(HEARTBEAT_SECS));
    let mut recheck = tokio::time::interval(SESSION_RECHECK);
    heartbeat.tick().await;
    recheck.tick().await;
    let (mut ended, mut watching) = (state.sessions.watch_ended(), true);
    let mut read_waiting: Option<(ChannelId, MessageId)> = None;
    let mut next_read = tokio::time::Instant::now();
    let stopping = state.stopping.clone();
    let stopping = stopping.wait();
    tokio::pin!(stopping);
    loop {
        tokio::select! {
            _ = &mut stopping => {
                close(&mut socket, CLOSE_RESTARTING, "restarting; reconnect").await;
                return;
            }
            item = sub.live.recv() => match item {
                Ok(item) if item.seq <= last_sent => {}
                Ok(item) => {
                    last_sent = item.seq;
                    if send(&mut socket, form.item(&item)).await.is_err() {
                        return;
                    }
                    if let Some(started) = item.rung {
                        let ms = (db::now_ms() - started).max(0) as u64;
                        RING_DELIVERY.observe(Duration::from_millis(ms));
                    }
                }
                Err(RecvError::Lagged(_)) => {
                    // The tab reconnects and resumes from its backlog.
                    close(&mut socket, CLOSE_TOO_SLOW, "too slow; resume").await;
                    return;
                }
                Err(RecvError::Closed) => return,
            },
            _ = heartbeat.tick() => {
                if send(&mut socket, heartbeat_frame.clone()).await.is_err() {
                    return;
                }
            }
            gone = ended.recv(), if watching => {
                // Ended from another device: closed now, not at the recheck.
                let mine = match gone {
                    Ok(hashes) => hashes.contains(&authed.token_hash),
                    Err(RecvError::Lagged(_)) => false,
                    Err(RecvError::Closed) => {
                        watching = false;
                        false
                    }
                };
                if mine {
                    close(&mut socket, CLOSE_SIGNED_OUT, "signed out").await;
                    return;
                }
            }
            _ = recheck.tick() => {
                let valid = matches!(
                    db::sessions::find(&state.db, &authed.token_hash).await,
                    Ok(Some((_, expires_at))) if expires_at > db::now_ms()
                );
                if !valid {
                    close(&mut socket, CLOSE_SIGNED_OUT, "signed out").await;
                    return;
                }
            }
            _ = tokio::time::sleep_until(next_read), if read_waiting.is_some() => {
                if let Some(read) = read_waiting.take() {
                    take_read(&state, &authed, read);
                    next_read = tokio::time::Instant::now() + READ_GAP;
                }
            }
            incoming = socket.recv() => match incoming {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                Some(Ok(Message::Text(text))) => {
                    let frame = serde_json::from_str::<TabFrame>(&text).ok();
                    if let (Some(tab), Some(visible)) = (&tab, frame.as_ref().and_then(|f| f.visible)) {
                        tab.set_visible(visible);
                    }
                    if let Some(read) = frame.and_then(|f| f.read) {
                        read_waiting = Some(read);
                    }
                }
                Some(Ok(_)) => {}
            },
        }
    }
}

async fn send(socket: &mut WebSocket, message: Message) -> Result<(), ()> {
    match tokio::time::timeout(SEND_TIMEOUT, socket.send(message)).await {
        Ok(Ok(())) => Ok(()),
        _ => Err(()),
    }
}

async fn close(socket: &mut WebSocket, code: u16, reason: &'static str) {
    let frame = CloseFrame {
        code,
        reason: reason.into(),
    };
    let _ = tokio::time::timeout(SEND_TIMEOUT, socket.send(Message::Close(Some(frame)))).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::header;

    fn headers(origin: Option<&str>, host: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, host.parse().unwrap());
        if let Some(o) = origin {
            h.insert(header::ORIGIN, o.parse().unwrap());
        }
        h
    }

    #[test]
    fn only_same_origin_pages_may_open_the_stream() {
        assert!(
            check_same_origin(&headers(Some("http://127.0.0.1:3000"), "127.0.0.1:3000")).is_ok()
        );
        assert!(
            check_same_origin(&headers(Some("https://evil.example"), "127.0.0.1:3000")).is_err()
        );
        assert!(
            check_same_origin(&headers(Some("http://127.0.0.1:3001"), "127.0.0.1:3000")).is_err()
        );
        assert!(check_same_origin(&headers(None, "127.0.0.1:3000")).is_ok());
    }
}
