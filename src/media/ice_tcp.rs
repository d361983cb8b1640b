//! ICE-TCP, passive: for browsers whose network blocks UDP. A TCP listener
//! whose connections carry RFC 4571 frames (a two-byte length, then one
//! STUN, DTLS or SRTP packet). Each connection reports to the SFU's driver
//! as a remote address sending frames; the driver answers through it. A
//! connection that sends nonsense framing is closed, and only that one; so
//! is one that has not proven itself (a STUN check a session accepts)
//! within a few seconds, and few unproven ones are taken at once.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// The largest packet a frame may carry (as for UDP datagrams).
pub const MAX_FRAME: usize = 2000;
/// Connections open at once; more are refused.
const MAX_CONNECTIONS: usize = 2048;
/// Connections not yet proven (no STUN check naming a session's
/// credentials has come on them) open at once; more are refused.
pub const MAX_UNPROVEN: usize = 64;
/// How long a new connection has to prove itself before it is closed.
pub const PROVE_WITHIN: Duration = Duration::from_secs(5);
/// Frames queued toward one slow connection before its newest are dropped.
const QUEUE: usize = 256;
/// Events queued toward the SFU's task; past this a connection's frames are
/// dropped (the remote peers cannot make the SFU's queue grow without end).
pub const EVENT_QUEUE: usize = 4096;

pub enum TcpEvent {
    Opened {
        from: SocketAddr,
        frames: mpsc::Sender<Vec<u8>>,
        /// Set by the SFU's task once a packet from `from` was accepted by
        /// a session's peer connection.
        proven: Arc<AtomicBool>,
    },
    Frame {
        from: SocketAddr,
        data: Vec<u8>,
    },
    Closed {
        from: SocketAddr,
    },
}

/// A packet as a frame: its length (big-endian u16), then itself.
pub fn frame(packet: &[u8]) -> Option<Vec<u8>> {
    let len = u16::try_from(packet.len()).ok()?;
    let mut out = Vec::with_capacity(packet.len() + 2);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(packet);
    Some(out)
}

/// The next frame's packet; `None` at a clean end, an error for a frame
/// that is empty or too large, or a stream cut mid-frame.
pub async fn read_frame<R: AsyncRead + Unpin>(r: &mut R) -> std::io::Result<Option<Vec<u8>>> {
    let mut len = [0u8; 2];
    match r.read_exact(&mut len).await {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let len = u16::from_be_bytes(len) as usize;
    if len == 0 || len > MAX_FRAME {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("an ICE-TCP frame of {len} bytes"),
        ));
    }
    let mut packet = vec![0u8; len];
    r.read_exact(&mut packet).await?;
    Ok(Some(packet))
}

/// Accepts connections for ever, reporting each one's frames.
pub async fn serve(listener: TcpListener, events: mpsc::Sender<TcpEvent>) {
    let open = Arc::new(AtomicUsize::new(0));
    let unproven = Arc::new(AtomicUsize::new(0));
    loop {
        let Ok((stream, from)) = listener.accept().await else {
            continue;
        };
        if open.load(Ordering::Relaxed) >= MAX_CONNECTIONS
            || unproven.load(Ordering::Relaxed) >= MAX_UNPROVEN
        {
            continue; // dropped: closes it
        }
        let _ = stream.set_nodelay(true);
        open.fetch_add(1, Ordering::Relaxed);
        unproven.fetch_add(1, Ordering::Relaxed);
        let (mut reader, mut writer) = stream.into_split();
        let (tx, mut rx) = mpsc::channel::<Vec<u8>>(QUEUE);
        let proven = Arc::new(AtomicBool::new(false));
        let opened = TcpEvent::Opened {
            from,
            frames: tx,
            proven: proven.clone(),
        };
        if events.send(opened).await.is_err() {
            return; // the SFU has stopped
        }
        tokio::spawn(async move {
            while let Some(framed) = rx.recv().await {
                if writer.write_all(&framed).await.is_err() {
                    break;
                }
            }
        });
        let events = events.clone();
        let (open, unproven) = (open.clone(), unproven.clone());
        tokio::spawn(async move {
            let deadline = tokio::time::sleep(PROVE_WITHIN);
            tokio::pin!(deadline);
            let mut counted = true;
            loop {
                if counted && proven.load(Ordering::Relaxed) {
                    unproven.fetch_sub(1, Ordering::Relaxed);
                    counted = false;
                }
                let data = tokio::select! {
                    read = read_frame(&mut reader) => match read {
                        Ok(Some(data)) => data,
                        _ => break,
                    },
                    _ = &mut deadline, if counted => break,
                };
                // A full queue drops this frame: only this peer loses.
                if let Err(mpsc::error::TrySendError::Closed(_)) =
                    events.try_send(TcpEvent::Frame { from, data })
                {
                    break;
                }
            }
            if counted {
                unproven.fetch_sub(1, Ordering::Relaxed);
            }
            open.fetch_sub(1, Ordering::Relaxed);
            let _ = events.send(TcpEvent::Closed { from }).await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn frames_round_trip_and_bad_framing_is_an_error() {
        let mut bytes = frame(b"stun").unwrap();
        bytes.extend(frame(&[7u8; 1500]).unwrap());
        let mut r = bytes.as_slice();
        assert_eq!(read_frame(&mut r).await.unwrap().unwrap(), b"stun");
        assert_eq!(read_frame(&mut r).await.unwrap().unwrap().len(), 1500);
        assert!(read_frame(&mut r).await.unwrap().is_none(), "a clean end");

        for bad in [vec![0u8, 0], vec![0xff, 0xff, 1, 2], vec![0, 9, 1, 2, 3]] {
            let mut r = bad.as_slice();
            assert!(read_frame(&mut r).await.is_err(), "{bad:?}");
        }
        assert!(frame(&vec![0u8; 70_000]).is_none(), "too long to frame");
    }
}
