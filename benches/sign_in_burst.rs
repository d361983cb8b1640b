//! What 100 sign-ins at once cost the server: its memory (resident set,
//! sampled every 5 ms, and the kernel's high-water mark) and how long a
//! normal sign-in takes while they run. The server is the real binary in a
//! process of its own, so its memory is its own.
//!
//! Two runs: with the address limit lifted (100 attackers on 100 addresses:
//! every try reaches Argon2), and with the shipped limits (one address:
//! past the free tries it is answered 429 without hashing).
//!
//! `make bench-sign-in` (or `cargo bench --features ssr --bench sign_in_burst`).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

const PASSWORD: &str = "demo-password-for-bench";
const BURST: usize = 100;

struct Server {
    child: Child,
    base: String,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start(extra: &[(&str, &str)]) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_belfry"));
    cmd.env_clear()
        .env("BELFRY_ADDR", format!("127.0.0.1:{port}"))
        .env(
            "BELFRY_DATABASE_URL",
            format!("sqlite://{}/bench.db", dir.path().display()),
        )
        .env("BELFRY_SITE_ROOT", dir.path())
        .env("BELFRY_DEMO", "true")
        .env("BELFRY_DEMO_PASSWORD", PASSWORD)
        .env("BELFRY_MEDIA_UDP", "127.0.0.1:0")
        .env("BELFRY_MEDIA_TCP", "off")
        .env("BELFRY_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for (k, v) in extra {
        cmd.env(k, v);
    }
    let server = Server {
        child: cmd.spawn().expect("the belfry binary starts"),
        base: format!("http://127.0.0.1:{port}"),
        _dir: dir,
    };
    let http = reqwest::Client::new();
    for _ in 0..600 {
        if http
            .get(format!("{}/healthz", server.base))
            .send()
            .await
            .is_ok()
        {
            return server;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server did not come up");
}

/// (resident set, high-water mark) of a process, in MiB.
fn memory(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kib = |key: &str| {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (kib("VmRSS:") / 1024.0, kib("VmHWM:") / 1024.0)
}

async fn sign_in(http: &reqwest::Client, base: &str, user: &str, password: &str) -> u16 {
    http.post(format!("{base}/api/sign_in"))
        .json(&json!({"username": user, "password": password}))
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
}

async fn run(label: &str, extra: &[(&str, &str)]) {
    let server = start(extra).await;
    let pid = server.child.id();
    let http = reqwest::Client::new();
    // Warm up: one good sign-in (the decoy hash and the pool start).
    assert_eq!(sign_in(&http, &server.base, "bob", PASSWORD).await, 200);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (before, _) = memory(pid);

    let sampling = tokio::spawn(async move {
        let mut peak = 0.0f64;
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(120) {
            peak = peak.max(memory(pid).0);
            tokio::time::sleep(Duration::from_millis(5)).await;
            if std::fs::metadata(format!("/proc/{pid}")).is_err() {
                break;
            }
        }
        peak
    });
    let started = Instant::now();
    let mut burst = Vec::new();
    for _ in 0..BURST {
        let (http, base) = (http.clone(), server.base.clone());
        burst.push(tokio::spawn(async move {
            sign_in(&http, &base, "alice", "a wrong password").await
        }));
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    let normal_started = Instant::now();
    let normal = sign_in(&http, &server.base, "carol", PASSWORD).await;
    let normal_ms = normal_started.elapsed().as_secs_f64() * 1000.0;
    let mut statuses = std::collections::BTreeMap::new();
    for b in burst {
        *statuses.entry(b.await.unwrap()).or_insert(0) += 1;
    }
    let burst_ms = started.elapsed().as_secs_f64() * 1000.0;
    let (after, hwm) = memory(pid);
    tokio::time::sleep(Duration::from_secs(10)).await;
    let (later, _) = memory(pid);
    sampling.abort();
    let quiet = Instant::now();
    assert_eq!(sign_in(&http, &server.base, "dave", PASSWORD).await, 200);
    let quiet_ms = quiet.elapsed().as_secs_f64() * 1000.0;

    println!("{label}");
    println!("  burst: {BURST} sign-ins with a wrong password, answered {statuses:?} in {burst_ms:.0} ms");
    println!("  memory: {before:.1} MiB before, peak {hwm:.1} MiB (VmHWM), {after:.1} MiB after, {later:.1} MiB 10 s later");
    println!("  a normal sign-in during the burst: {normal} in {normal_ms:.0} ms (alone: {quiet_ms:.0} ms)");
}

#[tokio::main]
async fn main() {
    // The HTTP client's TLS needs a crypto provider chosen (it talks plain
    // HTTP here, but builds its TLS config all the same).
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    run(
        "100 attackers on 100 addresses (address limit lifted: every try is hashed)",
        &[
            ("BELFRY_SIGNIN_FREE_TRIES", "1000"),
            ("BELFRY_SIGNIN_FREE_TRIES_PER_ADDRESS", "1000"),
        ],
    )
    .await;
    run("one address, the shipped limits", &[]).await;
}
