//! Call control's commands carried out on a LiveKit server: each queued
//! command becomes RoomService requests, in order, retried a few times when
//! the server cannot be reached. A removal revokes the person's tokens for
//! that room, so a token they kept cannot bring them back.

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::mpsc;

use super::client::{RoomService, RoomShape};
use crate::media::control::{MediaCommand, MediaControl};
use crate::media::twirp::TwirpError;

/// Attempts per command when the server is unreachable or busy.
const ATTEMPTS: u32 = 4;
/// The first retry's wait; each later one doubles it.
const FIRST_RETRY: Duration = Duration::from_millis(250);
/// Rooms remembered as already created (a restart forgets them; CreateRoom
/// on an existing room is harmless).
const REMEMBERED_ROOMS: usize = 10_000;

/// `MediaControl` for LiveKit mode.
pub struct LiveKitMedia {
    queue: mpsc::UnboundedSender<MediaCommand>,
}

impl LiveKitMedia {
    /// Starts the worker that carries out commands on `service`.
    pub fn start(service: RoomService, shape: RoomShape) -> Self {
        let (queue, commands) = mpsc::unbounded_channel();
        tokio::spawn(work(service, shape, commands));
        Self { queue }
    }
}

impl MediaControl for LiveKitMedia {
    fn send(&self, command: MediaCommand) {
        let _ = self.queue.send(command);
    }
}

async fn work(
    service: RoomService,
    shape: RoomShape,
    mut commands: mpsc::UnboundedReceiver<MediaCommand>,
) {
    let created: Mutex<HashSet<String>> = Mutex::default();
    while let Some(command) = commands.recv().await {
        let mut wait = FIRST_RETRY;
        for attempt in 1..=ATTEMPTS {
            match carry_out(&service, shape, &created, &command).await {
                Ok(()) => break,
                Err(e) if retryable(&e) && attempt < ATTEMPTS => {
                    tracing::debug!(?command, attempt, "LiveKit command failed, retrying: {e}");
                    tokio::time::sleep(wait).await;
                    wait *= 2;
                }
                Err(e) => {
                    tracing::warn!(?command, "LiveKit did not carry out a command: {e}");
                    break;
                }
            }
        }
    }
}

fn retryable(e: &TwirpError) -> bool {
    matches!(
        e.code.as_str(),
        "unavailable" | "unknown" | "internal" | "resource_exhausted" | "deadline_exceeded"
    )
}

async fn carry_out(
    service: &RoomService,
    shape: RoomShape,
    created: &Mutex<HashSet<String>>,
    command: &MediaCommand,
) -> Result<(), TwirpError> {
    let gone = |r: Result<(), TwirpError>| match r {
        Err(e) if e.is_not_found() => Ok(()), // Already out, or no such room.
        other => other,
    };
    match command {
        MediaCommand::OpenRoom { room } => {
            if created
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .contains(room)
            {
                return Ok(());
            }
            service.create_room(room, shape).await?;
            let mut created = created.lock().unwrap_or_else(|e| e.into_inner());
            if created.len() >= REMEMBERED_ROOMS {
                created.clear();
            }
            created.insert(room.clone());
            Ok(())
        }
        MediaCommand::Evict { room, user } => {
            gone(service.remove_participant(room, &user.to_string()).await)
        }
        MediaCommand::Mute { room, user, muted } => gone(
            service
                .mute_audio(room, &user.to_string(), *muted)
                .await
                .map(|_| ()),
        ),
        MediaCommand::CloseRoom { room } => {
            created
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(room);
            gone(service.delete_room(room).await)
        }
    }
}
