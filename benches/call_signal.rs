//! Call signalling under load, against the real server on loopback:
//! 1. N idle users hold their live event streams open (N = 1,000);
//! 2. delay from `initiate_call` returning to the callee's stream receiving
//!    the incoming-call event (p50 / p99);
//! 3. initiate + answer + end cycles per second, over HTTP and at the
//!    service layer.
//!
//! On SQLite by default; on PostgreSQL with `BENCH_DATABASE_URL` set (an
//! empty database: `make bench-pg` starts a throwaway cluster for it).
//! Run with `make bench` (release build). Numbers go to stdout.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use belfry::calls::CallChange;
use belfry::contract::events::{LiveEvent, LiveFrame};
use belfry::contract::ids::{CallId, ChannelId, UserId};
use belfry::media::control::RecordingMedia;
use belfry::server::config::Config;
use belfry::server::db;
use belfry::server::state::AppState;
use belfry::server::{app, calls};
use futures_util::StreamExt;
use serde_json::{json, Value};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

#[path = "common/people.rs"]
mod people;

use people::{direct_pairs, make_people, Person};

const USERS: usize = 1_000;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
const SAMPLES: usize = 300;
const CYCLE_SECONDS: u64 = 5;

#[tokio::main]
async fn main() {
    // BENCH_SQL_LOG=FILE: every statement the bench makes, to count them.
    if let Ok(path) = std::env::var("BENCH_SQL_LOG") {
        let file = std::fs::File::create(path).unwrap();
        tracing_subscriber::fmt()
            .with_env_filter("sqlx::query=debug")
            .with_writer(std::sync::Mutex::new(file))
            .with_ansi(false)
            .init();
    }
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::from_lookup(|_| None).unwrap();
    config.media.udp_bind = "127.0.0.1:0".parse().unwrap();
    config.media.tcp_bind = None;
    config.database_url = std::env::var("BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}", dir.path().join("bench.db").display()));
    println!("database: {}", db::redact(&config.database_url));
    config.site_root = dir.path().join("site");
    config.ring_timeout = Duration::from_secs(300);
    // Measuring throughput, not the per-person limits.
    config.limits = belfry::server::limits::LimitsConfig::generous();
    let on_postgres = config.database_url.starts_with("postgres");
    let config_b = config.clone();
    let (state, addr) = serve(config).await;
    // On PostgreSQL, a second instance on the same database: the callees'
    // streams are on B, so each ring crosses instances.
    let (state_b, addr_b) = if on_postgres {
        let (b, addr_b) = serve(config_b).await;
        println!("instances: 2 (callers' streams on A, callees' on B)");
        (Some(b), addr_b)
    } else {
        (None, addr)
    };

    let people = make_people(&state, USERS).await;
    // Pairs (i, i + USERS/2) share a direct channel.
    let pairs = direct_pairs(&state, &people, USERS / 2).await;

    // 1. Every user's live stream, idle.
    let (tx, mut incoming) = mpsc::unbounded_channel::<(UserId, CallId, Instant)>();
    let measuring = Arc::new(AtomicBool::new(true));
    let started = Instant::now();
    for (i, person) in people.iter().enumerate() {
        let at = if i >= USERS / 2 { addr_b } else { addr };
        let mut req = format!("ws://{at}/api/events")
            .into_client_request()
            .unwrap();
        req.headers_mut()
            .insert("cookie", person.cookie.parse().unwrap());
        // A small read buffer: the default 128 KiB is zero-filled on each
        // read, which would make the harness, not the server, the cost.
        let config = WebSocketConfig::default().read_buffer_size(16 * 1024);
        let (mut socket, _) =
            tokio_tungstenite::connect_async_with_config(req, Some(config), false)
                .await
                .expect("stream opens");
        let (tx, me, measuring) = (tx.clone(), person.id, measuring.clone());
        tokio::spawn(async move {
            while let Some(Ok(msg)) = socket.next().await {
                let Ok(text) = msg.into_text() else { continue };
                let Ok(LiveFrame::Event {
                    event: LiveEvent::Call { call, changes },
                    ..
                }) = serde_json::from_str(&text)
                else {
                    continue;
                };
                let rung = changes
                    .iter()
                    .any(|c| matches!(c, CallChange::Incoming { users } if users.contains(&me)));
                if rung && measuring.load(Ordering::Relaxed) {
                    let _ = tx.send((me, call.id, Instant::now()));
                }
            }
        });
    }
    // The server subscribes each stream just after its handshake.
    let open = || {
        state.live.subscriber_count() + state_b.as_ref().map_or(0, |b| b.live.subscriber_count())
    };
    while open() < USERS && started.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    println!(
        "live streams open: {} (connected in {:.1} s)",
        open(),
        started.elapsed().as_secs_f64()
    );
    // 2. Delivery delay of the incoming-call event.
    let http = reqwest::Client::new();
    let post = |who: &Person, name: &str, body: Value| {
        http.post(format!("http://{addr}/api/{name}"))
            .header("cookie", &who.cookie)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
    };
    let mut after_return = Vec::new();
    let mut from_request = Vec::new();
    for &(a, b, ch) in pairs.iter().cycle().take(SAMPLES) {
        let sent = Instant::now();
        let res = post(&people[a], "initiate_call", json!({"channel_id": ch}))
            .await
            .unwrap();
        let returned = Instant::now();
        assert!(res.status().is_success(), "initiate: {}", res.status());
        let call: Value = res.json().await.unwrap();
        let call_id = CallId(call["id"].as_i64().unwrap());
        let (who, got, at) = tokio::time::timeout(Duration::from_secs(5), incoming.recv())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (who, got),
            (people[b].id, call_id),
            "the callee's own stream got it"
        );
        after_return.push(signed_ms(at, returned));
        from_request.push(at.duration_since(sent).as_secs_f64() * 1e3);
        let res = post(&people[a], "cancel_call", json!({"call_id": call_id}))
            .await
            .unwrap();
        assert!(res.status().is_success());
    }
    measuring.store(false, Ordering::Relaxed);
    report(
        "incoming event after initiate_call returned",
        &mut after_return,
    );
    report(
        "incoming event after initiate_call was sent",
        &mut from_request,
    );

    // 3a. Cycles over HTTP.
    let people = Arc::new(people);
    let (shared_people, shared_http) = (people.clone(), http.clone());
    let cycles = run_workers(&pairs, move |a, b, ch| {
        let (people, http) = (shared_people.clone(), shared_http.clone());
        async move {
            let call = |who: usize, name: &'static str, body: Value| {
                let req = http
                    .post(format!("http://{addr}/api/{name}"))
                    .header("cookie", &people[who].cookie)
                    .header("content-type", "application/json")
                    .body(body.to_string());
                async move {
                    let res = req.send().await.unwrap();
                    assert!(res.status().is_success(), "{name}: {}", res.status());
                    res.json::<Value>().await.unwrap()
                }
            };
            let started = call(a, "initiate_call", json!({"channel_id": ch})).await;
            let id = started["id"].clone();
            call(b, "answer_call", json!({"call_id": id})).await;
            call(a, "end_call", json!({"call_id": id})).await;
        }
    })
    .await;
    println!(
        "initiate+answer+end over HTTP, {} concurrent: {cycles:.0} cycles/s",
        workers()
    );

    // 3b. Cycles at the service layer (no HTTP, no JSON).
    let (shared_state, shared_people) = (state.clone(), people.clone());
    let cycles = run_workers(&pairs, move |a, b, ch| {
        let (state, people) = (shared_state.clone(), shared_people.clone());
        async move {
            let call = calls::ops::initiate_call(&state, &people[a].view, ch, None)
                .await
                .unwrap();
            calls::ops::answer_call(&state, &people[b].view, call.id)
                .await
                .unwrap();
            calls::ops::end_call(&state, &people[a].view, call.id)
                .await
                .unwrap();
        }
    })
    .await;
    println!(
        "initiate+answer+end in-process, {} concurrent: {cycles:.0} cycles/s",
        workers()
    );
}

/// Concurrent callers in the cycle runs (`BENCH_WORKERS`, default 8).
fn workers() -> usize {
    std::env::var("BENCH_WORKERS")
        .ok()
        .and_then(|w| w.parse().ok())
        .filter(|w| (1..=USERS / 2).contains(w))
        .unwrap_or(8)
}

/// An instance of the app on `config`, serving on a loopback port.
async fn serve(mut config: Config) -> (AppState, std::net::SocketAddr) {
    config.media.udp_bind = "127.0.0.1:0".parse().unwrap();
    let state = app::prepare_with_media(config, Arc::new(RecordingMedia::default()))
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = belfry::router(state.clone());
    tokio::spawn(async move { axum::serve(listener, router).await });
    (state, addr)
}

/// Runs cycles for `CYCLE_SECONDS` with `workers()` concurrent callers;
/// cycles/s. Worker `w` takes pairs w, w + workers, w + 2 * workers, ...
/// in turn: no two workers share a pair, and the calls spread over all
/// the channels as real traffic does (one channel's calls a second are
/// few, whatever the deployment's size).
async fn run_workers<F, Fut>(pairs: &[(usize, usize, ChannelId)], cycle: F) -> f64
where
    F: Fn(usize, usize, ChannelId) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let deadline = Instant::now() + Duration::from_secs(CYCLE_SECONDS);
    let started = Instant::now();
    let workers = workers();
    let mut tasks = Vec::new();
    for w in 0..workers {
        let mine: Vec<_> = pairs.iter().skip(w).step_by(workers).copied().collect();
        let cycle = cycle.clone();
        tasks.push(tokio::spawn(async move {
            let mut done = 0u64;
            for &(a, b, ch) in mine.iter().cycle() {
                if Instant::now() >= deadline {
                    break;
                }
                cycle(a, b, ch).await;
                done += 1;
            }
            done
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.unwrap();
    }
    total as f64 / started.elapsed().as_secs_f64()
}

fn signed_ms(at: Instant, from: Instant) -> f64 {
    if at >= from {
        at.duration_since(from).as_secs_f64() * 1e3
    } else {
        -(from.duration_since(at).as_secs_f64() * 1e3)
    }
}

fn report(what: &str, samples: &mut [f64]) {
    samples.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let pick = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    println!(
        "{what} (n={}): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms (negative: the event arrived first)",
        samples.len(),
        pick(0.50),
        pick(0.99),
        samples[samples.len() - 1]
    );
}
