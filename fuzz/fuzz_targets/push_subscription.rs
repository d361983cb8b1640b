//! Push subscriptions: what a page sends `push_subscribe` and a service
//! worker `/api/push/subscribe` (an endpoint URL, two keys, a device),
//! made by the fuzzer, JSON-shaped or not. Any answer but a 500; a
//! subscription refused is never stored (unsubscribing it finds nothing).
#![no_main]

use arbitrary::Arbitrary;
use belfry_fuzz::{assert_handled, post, post_json, server};
use libfuzzer_sys::fuzz_target;
use serde_json::json;

#[derive(Arbitrary, Debug)]
enum Input {
    Shaped {
        endpoint: String,
        p256dh: String,
        auth: String,
        device: String,
    },
    Raw(Vec<u8>),
}

fuzz_target!(|input: Input| {
    let s = server();
    s.rt.block_on(async {
        match input {
            Input::Shaped { endpoint, p256dh, auth, device } => {
                // The page's server function, then the service worker's route.
                let flat = json!({"endpoint": endpoint, "p256dh": p256dh, "auth": auth, "device": device});
                let nested = json!({
                    "endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}, "device": device,
                });
                for (name, body) in [("push_subscribe", flat), ("push/subscribe", nested)] {
                    let (status, reply) = post_json(&s.alice, &s.base, name, &body).await;
                    assert_handled(name, status, reply.to_string().as_bytes());
                    let stored = status < 300;
                    let body = json!({"endpoint": endpoint});
                    let (status, reply) = post_json(&s.alice, &s.base, "push_unsubscribe", &body).await;
                    assert_handled("push_unsubscribe", status, reply.to_string().as_bytes());
                    if !stored && status < 300 {
                        assert_ne!(reply, json!(true), "a refused subscription was stored: {endpoint:?}");
                    }
                }
            }
            Input::Raw(bytes) => {
                for name in ["push_subscribe", "push/subscribe"] {
                    let body = bytes.clone();
                    let (status, reply) = post(&s.alice, &s.base, name, "application/json", body).await;
                    assert_handled(name, status, &reply);
                }
            }
        }
    });
});
