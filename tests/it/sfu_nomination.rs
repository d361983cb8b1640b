//! Early nomination: the SFU's ICE-lite connections send on the path of
//! the browser's first authenticated check, so DTLS does not wait for the
//! browser's nominating check (Chrome's comes ~48 ms later).

use crate::sfu_world;

use std::net::SocketAddr;
use std::time::Duration;

use sfu_world::{Setup, World, SFU};

/// The transcript of one connection: (index of its first check, of its
/// first nominating check, of the SFU's first DTLS to it).
fn setup_of(w: &World, peer: SocketAddr) -> (usize, Option<usize>, usize) {
    let sfu: SocketAddr = SFU.parse().unwrap();
    let t = &w.transcript;
    let first_check = t
        .iter()
        .position(|s| s.from == peer && matches!(s.what, Setup::Check { .. }))
        .expect("the peer checked");
    let nominated = t
        .iter()
        .position(|s| s.from == peer && s.what == Setup::Check { nominating: true });
    let dtls = t
        .iter()
        .position(|s| s.from == sfu && s.to == peer && s.what == Setup::Dtls)
        .expect("the SFU spoke DTLS");
    (first_check, nominated, dtls)
}

#[test]
fn a_call_is_up_before_the_browsers_nominate() {
    let mut w = World::new();
    // The peers' nominating checks are lost for the first 400 ms: as if
    // they nominated late, as Chrome does (~48 ms after its first check).
    w.lose_nominations_until = Some(w.now + Duration::from_millis(400));
    let a = w.join("room", "alice");
    let b = w.join("room", "bob");
    w.run(300, &[a, b]);
    assert!(w.nominations_lost > 0, "the peers tried to nominate");
    // Both of each peer's connections are up: each hears the other.
    assert!(
        w.heard(a, b) > 5 && w.heard(b, a) > 5,
        "alice heard {}, bob heard {}",
        w.heard(a, b),
        w.heard(b, a)
    );
    for peer in [&w.peers[a], &w.peers[b]] {
        for addr in [peer.pub_addr, peer.sub_addr] {
            let (first_check, nominated, dtls) = setup_of(&w, addr);
            assert_eq!(nominated, None, "{addr}: no nomination reached the SFU");
            assert!(dtls > first_check);
        }
    }
}
