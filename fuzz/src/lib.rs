//! What the fuzz targets that speak to a server share: one real Belfry in
//! this process (SQLite in a temporary folder, the embedded SFU on a
//! loopback port, generous rate limits), alice and bob signed in, a direct
//! channel between them, and a runtime to drive requests from the
//! synchronous fuzz loop.
//!
//! A panic anywhere, in a request handler's task too, aborts the process
//! (libFuzzer's panic hook), so a crash is a crash whatever task it was in.

use std::net::SocketAddr;
use std::sync::OnceLock;

use belfry::contract::call_types::RoomAccess;
use belfry::server::config::Config;
use belfry::server::{app, limits::LimitsConfig};
use serde_json::{json, Value};
use tokio::runtime::Runtime;

pub mod frames;

pub struct Server {
    pub rt: Runtime,
    pub base: String,
    pub alice: reqwest::Client,
    pub bob: reqwest::Client,
    pub direct: i64,
    pub bob_id: i64,
    _dir: tempfile::TempDir,
}

/// The one server, started on first use.
pub fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(start)
}

fn start() -> Server {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let dir = tempfile::tempdir().expect("a temp folder");
    let mut config = Config::from_lookup(|_| None).expect("default config");
    config.database_url = format!("sqlite://{}", dir.path().join("fuzz.db").display());
    config.site_root = dir.path().join("site");
    config.media.udp_bind = "127.0.0.1:0".parse().unwrap();
    config.media.tcp_bind = None;
    config.limits = LimitsConfig::generous();
    let addr = rt.block_on(async move {
        let state = app::prepare(config).await.expect("the app starts");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let router = belfry::router(state).into_make_service_with_connect_info::<SocketAddr>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        addr
    });
    let base = format!("http://{addr}");
    let client =
        || (reqwest::Client::builder().cookie_store(true).build()).expect("an HTTP client");
    let (alice, bob) = (client(), client());
    let (direct, bob_id) = rt.block_on(async {
        for (who, name) in [(&alice, "alice"), (&bob, "bob")] {
            let body =
                json!({"username": name, "display_name": name, "password": "fuzz-password-1"});
            let res = post_json(who, &base, "sign_up", &body).await;
            assert!(res.0 < 300, "sign up {name}: {res:?}");
        }
        let me = post_json(&bob, &base, "current_user", &json!({})).await.1;
        let bob_id = me["id"].as_i64().expect("bob's id");
        let body = json!({"user_id": bob_id});
        let channel = post_json(&alice, &base, "open_direct_channel", &body)
            .await
            .1;
        (channel["id"].as_i64().expect("a direct channel"), bob_id)
    });
    Server {
        rt,
        base,
        alice,
        bob,
        direct,
        bob_id,
        _dir: dir,
    }
}

/// A server function called with a JSON body: the status and the reply.
pub async fn post_json(
    who: &reqwest::Client,
    base: &str,
    name: &str,
    body: &Value,
) -> (u16, Value) {
    let res = post(
        who,
        base,
        name,
        "application/json",
        body.to_string().into_bytes(),
    )
    .await;
    (res.0, serde_json::from_slice(&res.1).unwrap_or(Value::Null))
}

/// A POST to `/api/{name}` with any body: the status and the reply's bytes.
pub async fn post(
    who: &reqwest::Client,
    base: &str,
    name: &str,
    content_type: &str,
    body: Vec<u8>,
) -> (u16, Vec<u8>) {
    let res = who
        .post(format!("{base}/api/{name}"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("the server answers");
    let status = res.status().as_u16();
    (
        status,
        res.bytes().await.map(|b| b.to_vec()).unwrap_or_default(),
    )
}

/// Any answer but a server error: bad input is the client's fault (4xx).
pub fn assert_handled(what: &str, status: u16, body: &[u8]) {
    assert!(
        status < 500 || status == 503,
        "{what}: {status} {}",
        String::from_utf8_lossy(body)
    );
}

impl Server {
    /// Alice's access to a live call with bob: the current one, or a new
    /// one when the last ended (a fuzzed leave ends a 1:1 call).
    pub async fn room_access(&self) -> RoomAccess {
        let channel = json!({"channel_id": self.direct});
        let live = post_json(&self.alice, &self.base, "active_call", &channel)
            .await
            .1;
        if let Some(id) = live["id"].as_i64() {
            let (status, access) = post_json(
                &self.alice,
                &self.base,
                "call_token",
                &json!({"call_id": id}),
            )
            .await;
            if status < 300 {
                return serde_json::from_value(access).expect("room access");
            }
            let _ = post_json(&self.alice, &self.base, "end_call", &json!({"call_id": id})).await;
        }
        let body = json!({"channel_id": self.direct});
        let (status, call) = post_json(&self.alice, &self.base, "initiate_call", &body).await;
        assert!(status < 300, "initiate: {status} {call}");
        let id = json!({"call_id": call["id"]});
        let (status, _) = post_json(&self.bob, &self.base, "answer_call", &id).await;
        assert!(status < 300, "answer: {status}");
        let (status, access) = post_json(&self.alice, &self.base, "call_token", &id).await;
        assert!(status < 300, "call token: {status}");
        serde_json::from_value(access).expect("room access")
    }
}
