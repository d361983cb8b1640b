//! The soak: the real server binary (`SOAK_BIN`, a release build) on a
//! SQLite file, for `SOAK_MINUTES` (10) with
//! - `SOAK_STREAMS` (500) people holding their live event streams open;
//! - `SOAK_CALLS` (100) calls live at once, each between two of them:
//!   initiate, answer, room tokens, both join the embedded SFU and send
//!   audio (str0m peers on loopback, `tests/it/voice_peer.rs`), 20–40 s of
//!   talk, hang up, again;
//!
//! and reports failed requests, calls without audio both ways, dropped
//! streams or participants, the server's memory (VmRSS) at each minute and
//! its growth from minute 2 to the end, and the calls' states at the end
//! (all ended, none live). Exits non-zero when any check fails.
//! `make soak` builds everything and runs it; not part of `make test`.

#[path = "common/people.rs"]
mod people;
#[path = "sfu/procfs.rs"]
mod procfs;
#[path = "../tests/it/voice_peer.rs"]
mod voice_peer;

use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use belfry::contract::call_types::RoomAccess;
use belfry::contract::ids::ChannelId;
use belfry::media::control::RecordingMedia;
use belfry::server::config::Config;
use belfry::server::{app, db};
use futures_util::StreamExt;
use people::{direct_pairs, make_people, Person};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use voice_peer::VoicePeer;

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// What every worker reports into.
struct Soak {
    base: String,
    http: reqwest::Client,
    people: Vec<Person>,
    deadline: Instant,
    requests: AtomicU64,
    calls: AtomicU64,
    failures: AtomicU64,
    /// The first failures, as said.
    said: Mutex<Vec<String>>,
}

impl Soak {
    fn fail(&self, what: String) {
        self.failures.fetch_add(1, Ordering::Relaxed);
        let mut said = self.said.lock().unwrap();
        if said.len() < 20 {
            said.push(what);
        }
    }

    /// A server function as the browser calls it; the failure is counted.
    async fn post(&self, who: usize, name: &str, body: Value) -> Option<Value> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let res = self
            .http
            .post(format!("{}/api/{name}", self.base))
            .header("cookie", &self.people[who].cookie)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await;
        match res {
            Ok(r) if r.status().is_success() => r.json().await.ok(),
            Ok(r) => {
                let status = r.status();
                let text = r.text().await.unwrap_or_default();
                self.fail(format!("{name}: {status} {text}"));
                None
            }
            Err(e) => {
                self.fail(format!("{name}: {e}"));
                None
            }
        }
    }
}

/// One call after another between `a` and `b` until the deadline.
async fn caller(soak: Arc<Soak>, a: usize, b: usize, ch: ChannelId, n: u64) {
    let mut round = n;
    while Instant::now() < soak.deadline {
        round += 7;
        if call_once(&soak, a, b, ch, 20 + round % 21).await.is_none() {
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
}

async fn call_once(soak: &Soak, a: usize, b: usize, ch: ChannelId, talk: u64) -> Option<()> {
    let call = soak
        .post(a, "initiate_call", json!({"channel_id": ch}))
        .await?;
    let id = call["id"].clone();
    let hang_up = || soak.post(a, "end_call", json!({"call_id": id}));
    if soak
        .post(b, "answer_call", json!({"call_id": id}))
        .await
        .is_none()
    {
        hang_up().await;
        return None;
    }
    let token = |who| soak.post(who, "call_token", json!({"call_id": id}));
    let (Some(ta), Some(tb)) = (token(a).await, token(b).await) else {
        hang_up().await;
        return None;
    };
    let (ta, tb): (RoomAccess, RoomAccess) = (
        serde_json::from_value(ta).ok()?,
        serde_json::from_value(tb).ok()?,
    );
    let (alice, bob) = match (VoicePeer::join(&ta).await, VoicePeer::join(&tb).await) {
        (Ok(x), Ok(y)) => (x, y),
        (Err(e), _) | (_, Err(e)) => {
            soak.fail(format!("join: {e}"));
            hang_up().await;
            return None;
        }
    };
    let ten = Duration::from_secs(10);
    let (x, y) = tokio::join!(alice.hears(25, ten), bob.hears(25, ten));
    if !(x && y) {
        soak.fail(format!("call {id}: no audio (a {x}, b {y})"));
    }
    tokio::time::sleep(Duration::from_secs(talk)).await;
    if alice.gone() || bob.gone() {
        soak.fail(format!("call {id}: a participant was dropped"));
    }
    tokio::join!(alice.leave(), bob.leave());
    hang_up().await?;
    soak.calls.fetch_add(1, Ordering::Relaxed);
    Some(())
}

fn start_server(dir: &std::path::Path, url: &str, port: u16) -> Child {
    let bin = std::env::var("SOAK_BIN").expect("SOAK_BIN: the belfry binary (make soak sets it)");
    let log = std::fs::File::create(dir.join("server.log")).unwrap();
    Command::new(bin)
        .env("BELFRY_ADDR", format!("127.0.0.1:{port}"))
        .env("BELFRY_DATABASE_URL", url)
        .env("BELFRY_SITE_ROOT", dir.join("site"))
        .env("BELFRY_MEDIA_UDP", "127.0.0.1:0")
        .env("BELFRY_MEDIA_TCP", "off")
        .env("BELFRY_LOG", "warn")
        .env("BELFRY_RINGS_PER_MINUTE", "1000")
        .env("BELFRY_RING_SECONDS", "60")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("the server starts")
}

#[tokio::main]
async fn main() {
    let (streams, calls, minutes) = (
        setting("SOAK_STREAMS", 500) as usize,
        setting("SOAK_CALLS", 100) as usize,
        setting("SOAK_MINUTES", 10),
    );
    assert!(
        2 * calls <= streams,
        "SOAK_CALLS is at most SOAK_STREAMS / 2"
    );
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("soak.db").display());
    let mut config = Config::from_lookup(|_| None).unwrap();
    (config.database_url, config.site_root) = (url.clone(), dir.path().join("site"));
    config.media.udp_bind = "127.0.0.1:0".parse().unwrap();
    config.media.tcp_bind = None;
    let state = app::prepare_with_media(config, Arc::new(RecordingMedia::default()))
        .await
        .unwrap();
    let people = make_people(&state, streams).await;
    let pairs = direct_pairs(&state, &people, calls).await;
    drop(state);

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = start_server(dir.path(), &url, port);
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    while http.get(format!("{base}/readyz")).send().await.is_err() {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let started = Instant::now();
    let soak = Arc::new(Soak {
        base,
        http,
        people,
        deadline: started + Duration::from_secs(minutes * 60),
        requests: AtomicU64::new(0),
        calls: AtomicU64::new(0),
        failures: AtomicU64::new(0),
        said: Mutex::new(Vec::new()),
    });
    let events = Arc::new(AtomicU64::new(0));
    for who in 0..streams {
        open_stream(&soak, who, port, events.clone()).await;
    }
    println!("{streams} live streams open; {calls} callers starting");
    let mut workers = Vec::new();
    for (n, &(a, b, ch)) in pairs.iter().enumerate() {
        workers.push(tokio::spawn(caller(soak.clone(), a, b, ch, n as u64)));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let mut rss = Vec::new();
    for minute in 1..=minutes {
        tokio::time::sleep_until((started + Duration::from_secs(minute * 60)).into()).await;
        let kib = procfs::rss_kib(server.id());
        rss.push(kib);
        println!(
            "minute {minute:>2}: server RSS {:>7.1} MiB, calls done {:>5}, requests {:>6}, events {:>7}, failures {}",
            kib as f64 / 1024.0,
            soak.calls.load(Ordering::Relaxed),
            soak.requests.load(Ordering::Relaxed),
            events.load(Ordering::Relaxed),
            soak.failures.load(Ordering::Relaxed),
        );
    }
    for w in workers {
        w.await.unwrap();
    }
    let ok = report(&soak, &url, &rss, minutes).await;
    let _ = server.kill();
    let _ = server.wait();
    if !ok {
        let log = std::fs::read_to_string(dir.path().join("server.log")).unwrap_or_default();
        let tail: Vec<_> = log.lines().rev().take(20).collect();
        println!("server log, last lines:\n{}", tail.join("\n"));
        std::process::exit(1);
    }
}

/// Person `who`'s live event stream, held open; each frame counted, an
/// early close counted as a failure.
async fn open_stream(soak: &Arc<Soak>, who: usize, port: u16, events: Arc<AtomicU64>) {
    let mut req = format!("ws://127.0.0.1:{port}/api/events")
        .into_client_request()
        .unwrap();
    let cookie = soak.people[who].cookie.parse().unwrap();
    req.headers_mut().insert("cookie", cookie);
    let Ok((mut socket, _)) = tokio_tungstenite::connect_async(req).await else {
        soak.fail(format!("stream {who} did not open"));
        return;
    };
    let soak = soak.clone();
    tokio::spawn(async move {
        while let Some(Ok(_)) = socket.next().await {
            events.fetch_add(1, Ordering::Relaxed);
        }
        if Instant::now() < soak.deadline {
            soak.fail(format!("stream {who} closed"));
        }
    });
}

/// Prints the figures; whether every check passed.
async fn report(soak: &Soak, url: &str, rss: &[u64], minutes: u64) -> bool {
    tokio::time::sleep(Duration::from_secs(3)).await;
    let db = db::connect(url).await.unwrap();
    let by_status = db::calls::count_by_status(&db).await.unwrap();
    let live = db::calls::live_ids(&db).await.unwrap();
    let metrics = (soak.http.get(format!("{}/metrics", soak.base)).send().await)
        .unwrap()
        .text()
        .await
        .unwrap();
    let gauge = |name: &str| {
        (metrics.lines())
            .find_map(|l| l.strip_prefix(name)?.trim().parse::<f64>().ok())
            .unwrap_or(-1.0)
    };
    let (rooms, participants) = (
        gauge("belfry_sfu_rooms "),
        gauge("belfry_sfu_participants "),
    );
    let done = soak.calls.load(Ordering::Relaxed);
    let failures = soak.failures.load(Ordering::Relaxed);
    let ended: i64 = (by_status.iter())
        .filter(|(s, _)| s == "ENDED")
        .map(|(_, n)| n)
        .sum();
    let from = rss.get(1).copied().unwrap_or(0).max(1);
    let last = rss.last().copied().unwrap_or(0);
    let growth = (last as f64 - from as f64) / from as f64 * 100.0;
    println!("--- soak, {minutes} min ---");
    println!(
        "requests {}, failed {failures}",
        soak.requests.load(Ordering::Relaxed)
    );
    for said in soak.said.lock().unwrap().iter() {
        println!("  failure: {said}");
    }
    println!("calls completed {done}; calls by state at the end: {by_status:?}; live {live:?}");
    println!("SFU at the end: rooms {rooms}, participants {participants}");
    if minutes >= 3 {
        println!(
            "server RSS minute 2 {:.1} MiB, minute {minutes} {:.1} MiB: growth {growth:+.2} %",
            from as f64 / 1024.0,
            last as f64 / 1024.0
        );
    }
    let checks = [
        ("no failures", failures == 0),
        ("no call live at the end", live.is_empty()),
        ("every completed call ENDED", ended as u64 == done),
        ("the SFU is empty", rooms == 0.0 && participants == 0.0),
        ("memory growth under 5 %", minutes < 3 || growth < 5.0),
    ];
    let mut ok = true;
    for (what, passed) in checks {
        println!("{} {what}", if passed { "PASS" } else { "FAIL" });
        ok &= passed;
    }
    ok
}
