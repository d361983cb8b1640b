//! Sending the SFU's datagrams in batches: one `sendmmsg(2)` carries up to
//! 64 of them, where `send_to` would make a system call each (one incoming
//! audio packet goes out to everyone else in the room).

use std::io::{self, IoSlice};
use std::net::SocketAddr;
use std::os::fd::AsRawFd;

use nix::sys::socket::{sendmmsg, ControlMessage, MsgFlags, MultiHeaders, SockaddrStorage};
use tokio::io::Interest;
use tokio::net::UdpSocket;

/// The most datagrams handed to one system call.
const MAX_BATCH: usize = 64;

/// Sends every datagram, in order. One the kernel refuses (an unreachable
/// destination, say) is logged and skipped; the others still go.
pub async fn send_all(socket: &UdpSocket, datagrams: &[(SocketAddr, &[u8])]) {
    let mut from = 0;
    while from < datagrams.len() {
        let chunk = &datagrams[from..datagrams.len().min(from + MAX_BATCH)];
        match socket.try_io(Interest::WRITABLE, || send_some(socket, chunk)) {
            Ok(sent) => from += sent.max(1),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                if socket.writable().await.is_err() {
                    return;
                }
            }
            Err(e) => {
                tracing::debug!(to = %chunk[0].0, "media send: {e}");
                from += 1;
            }
        }
    }
}

/// One `sendmmsg`: how many of `chunk` (from its start) went out.
fn send_some(socket: &UdpSocket, chunk: &[(SocketAddr, &[u8])]) -> io::Result<usize> {
    let slices: Vec<[IoSlice; 1]> = chunk.iter().map(|(_, d)| [IoSlice::new(d)]).collect();
    let addrs: Vec<Option<SockaddrStorage>> = chunk
        .iter()
        .map(|(to, _)| Some(SockaddrStorage::from(*to)))
        .collect();
    let mut headers = MultiHeaders::<SockaddrStorage>::preallocate(chunk.len(), None);
    let none: [ControlMessage; 0] = [];
    let sent = sendmmsg(
        socket.as_raw_fd(),
        &mut headers,
        &slices,
        &addrs,
        none,
        MsgFlags::empty(),
    )?;
    Ok(sent.count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_batch_arrives_whole_and_in_order_past_a_refused_datagram() {
        let rx = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let tx = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let to = rx.local_addr().unwrap();
        // Port 0 cannot be sent to: that one is skipped, the rest go.
        let nowhere: SocketAddr = "127.0.0.1:0".parse().unwrap();
        let bodies: Vec<Vec<u8>> = (0..150u8).map(|i| vec![i; 20 + usize::from(i)]).collect();
        let mut datagrams: Vec<(SocketAddr, &[u8])> =
            bodies.iter().map(|b| (to, b.as_slice())).collect();
        datagrams.insert(70, (nowhere, b"lost"));
        send_all(&tx, &datagrams).await;
        let mut buf = [0u8; 512];
        for body in &bodies {
            let (n, from) = rx.recv_from(&mut buf).await.unwrap();
            assert_eq!(from, tx.local_addr().unwrap());
            assert_eq!(&buf[..n], body.as_slice());
        }
    }
}
