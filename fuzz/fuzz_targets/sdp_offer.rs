//! SDP offers: Belfry's client-side offer rewrite (`room::sdp::voice_offer`)
//! and the embedded SFU's publisher-offer path (str0m's parser, the
//! answer, the DTX echo). An offer is refused or answered; an answer is
//! SDP that parses; nothing panics.
#![no_main]

use std::sync::OnceLock;
use std::time::Instant;

use arbitrary::Arbitrary;
use belfry::media::sfu::Sfu;
use belfry_fuzz::frames::{real_offer, Sdp};
use libfuzzer_sys::fuzz_target;
use str0m::change::SdpAnswer;

#[derive(Arbitrary, Debug)]
struct Input {
    sdp: Sdp,
    red: bool,
    rewritten: bool,
}

fn offer() -> &'static str {
    static OFFER: OnceLock<String> = OnceLock::new();
    OFFER.get_or_init(|| {
        str0m::crypto::from_feature_flags().install_process_default();
        real_offer()
    })
}

fuzz_target!(|input: Input| {
    let base = offer();
    let mut sdp = input.sdp.text(base);
    let rewritten = belfry::room::sdp::voice_offer(&sdp, input.red);
    if input.rewritten {
        sdp = rewritten;
    }
    let now = Instant::now();
    let mut sfu = Sfu::new("127.0.0.1:7882".parse().unwrap());
    let session = sfu.join(now, "room", "alice", "Alice");
    let _ = sfu.add_track(session, "mic", false);
    if let Ok(answer) = sfu.publisher_offer(now, session, &sdp) {
        assert!(
            SdpAnswer::from_sdp_string(&answer).is_ok(),
            "an answer the browser cannot read:\n{answer}"
        );
    }
    sfu.handle_timeout(now);
});
