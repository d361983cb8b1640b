//! The server's cost per Web Push message: RFC 8291 encryption (a fresh
//! ECDH key pair, HKDF, AES-128-GCM) and an RFC 8292 VAPID token (ES256),
//! for a payload the size of a ring. One core, release build.
//!
//! Run with `make bench-push`. Numbers go to stdout.

use std::time::Instant;

use aws_lc_rs::agreement::{PrivateKey, ECDH_P256};
use belfry::server::push::{ece, vapid};

const ROUNDS: usize = 5_000;

fn main() {
    let browser = PrivateKey::generate(&ECDH_P256).expect("key");
    let ua_public = browser
        .compute_public_key()
        .expect("public")
        .as_ref()
        .to_vec();
    let auth = [7u8; 16];
    let payload = br#"{"kind":"ring","callId":123456,"tag":"call-123456","title":"Incoming call from Margaret Okonkwo-Smith","body":"Group call in Parish choir","url":"/?callId=123456","badge":2,"ringUntil":1795000000000}"#;
    let keys = vapid::Vapid::from_private(
        &vapid::generate_private().expect("key"),
        "mailto:bench@example.org",
    )
    .expect("vapid");

    let mut bytes = 0;
    let start = Instant::now();
    for _ in 0..ROUNDS {
        bytes += ece::encrypt(&ua_public, &auth, payload)
            .expect("encrypt")
            .len();
    }
    let encrypt = start.elapsed().as_secs_f64() / ROUNDS as f64;

    let start = Instant::now();
    for i in 0..ROUNDS {
        let header = keys
            .authorization("https://fcm.googleapis.com", 1_795_000_000 + i as i64)
            .expect("sign");
        std::hint::black_box(header);
    }
    let sign = start.elapsed().as_secs_f64() / ROUNDS as f64;

    println!(
        "push message crypto ({ROUNDS} rounds, {} byte payload, {} byte body)",
        payload.len(),
        bytes / ROUNDS
    );
    println!("  encrypt (RFC 8291):  {:>7.1} µs", encrypt * 1e6);
    println!("  VAPID token (ES256): {:>7.1} µs", sign * 1e6);
    println!(
        "  both, per message:   {:>7.1} µs  ({:.0} messages/s on one core)",
        (encrypt + sign) * 1e6,
        1.0 / (encrypt + sign)
    );
}
