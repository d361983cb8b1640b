//! ICE-TCP connections, as the listener task reports them to the driver.

use std::sync::atomic::Ordering;
use std::time::Instant;

use str0m::net::Protocol;

use super::super::ice_tcp::TcpEvent;
use super::super::sfu::Datagram;
use super::Driver;

impl Driver {
    /// An ICE-TCP connection opened, sent a frame, or closed.
    pub(super) fn on_tcp(&mut self, event: TcpEvent) -> Option<Instant> {
        match event {
            TcpEvent::Opened {
                from,
                frames,
                proven,
            } => {
                self.tcp_peers.insert(from, (frames, proven));
                None
            }
            TcpEvent::Closed { from } => {
                self.tcp_peers.remove(&from);
                None
            }
            TcpEvent::Frame { from, data } => {
                let local = self.tcp_local?;
                let d = Datagram {
                    proto: Protocol::Tcp,
                    source: from,
                    destination: local,
                    data: &data,
                };
                let wake = self.sfu.handle_receive(Instant::now(), d);
                if self.sfu.is_routed(from) {
                    if let Some((_, proven)) = self.tcp_peers.get(&from) {
                        proven.store(true, Ordering::Relaxed);
                    }
                }
                Some(wake)
            }
        }
    }
}
