//! Janus (Debian's `janus`, 1.1.2) for the side-by-side benchmark: started
//! with a generated configuration (VideoRoom and the HTTP transport only,
//! ICE on the benchmark's own link only, one event loop), in the SFU's
//! network namespace, pinned to the SFU's core; driven over its HTTP API
//! (one session, a long poll for its events); stopped by its PID when
//! dropped. Publishers `joinandconfigure` with their offer; subscribers
//! `join` with the feeds they hear and `start` with their answer.

use std::collections::HashMap;
use std::net::IpAddr;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use tokio::sync::oneshot;

const LIBS: &str = "/usr/lib/x86_64-linux-gnu/janus";

type Waiting = Arc<Mutex<HashMap<String, oneshot::Sender<Value>>>>;

pub struct Janus {
    child: Child,
    pub pid: u32,
    _dir: tempfile::TempDir,
    http: reqwest::Client,
    /// `http://ip:port/janus/<session>`.
    session: String,
    waiting: Waiting,
    next: AtomicU64,
}

fn config(dir: &std::path::Path, iface: &str, ip: IpAddr, port: u16) -> std::io::Result<()> {
    let d = dir.display();
    // One event loop for every handle (BENCH_JANUS_LOOPS=0: Janus's
    // default, a thread per handle).
    let loops = std::env::var("BENCH_JANUS_LOOPS").unwrap_or_else(|_| "1".into());
    let others = |kind: &str, keep: &str| -> String {
        let names: Vec<String> = std::fs::read_dir(format!("{LIBS}/{kind}"))
            .map(|r| {
                r.filter_map(|e| e.ok()?.file_name().into_string().ok())
                    .filter(|n| n.ends_with(".so") && n != keep)
                    .collect()
            })
            .unwrap_or_default();
        names.join(",")
    };
    std::fs::write(
        dir.join("janus.jcfg"),
        format!(
            "general: {{\n configs_folder = \"{d}\"\n plugins_folder = \"{LIBS}/plugins\"\n \
             transports_folder = \"{LIBS}/transports\"\n events_folder = \"{LIBS}/events\"\n \
             loggers_folder = \"{LIBS}/loggers\"\n debug_level = 2\n session_timeout = 0\n \
             event_loops = {loops}\n}}\n\
             media: {{\n rtp_port_range = \"20000-40000\"\n}}\n\
             nat: {{\n ice_enforce_list = \"{iface}\"\n ignore_mdns = true\n}}\n\
             plugins: {{\n disable = \"{}\"\n}}\n\
             transports: {{\n disable = \"{}\"\n}}\n\
             events: {{\n broadcast = false\n}}\n\
             loggers: {{\n disable = \"libjanus_jsonlog.so\"\n}}\n",
            others("plugins", "libjanus_videoroom.so"),
            others("transports", "libjanus_http.so"),
        ),
    )?;
    std::fs::write(
        dir.join("janus.transport.http.jcfg"),
        format!(
            "general: {{\n json = \"plain\"\n base_path = \"/janus\"\n http = true\n \
             port = {port}\n ip = \"{ip}\"\n https = false\n}}\nadmin: {{\n admin_http = false\n}}\n"
        ),
    )?;
    std::fs::write(dir.join("janus.plugin.videoroom.jcfg"), "general: {\n}\n")
}

impl Janus {
    /// Starts Janus in network namespace `ns` on `iface`/`ip`, pinned to
    /// `core`, and opens a session.
    pub async fn start(ns: &str, iface: &str, ip: IpAddr, core: usize) -> Result<Janus, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let port = 8188;
        config(dir.path(), iface, ip, port).map_err(|e| format!("janus config: {e}"))?;
        let log = std::fs::File::create(dir.path().join("janus.log")).map_err(|e| e.to_string())?;
        let child = Command::new("ip")
            .args([
                "netns",
                "exec",
                ns,
                "taskset",
                "-c",
                &core.to_string(),
                "janus",
            ])
            .arg("-F")
            .arg(dir.path())
            .arg("-C")
            .arg(dir.path().join("janus.jcfg"))
            .args(["-o", "-N", "-L"])
            .arg(dir.path().join("janus.log"))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(|e| format!("janus: {e} (apt-get install janus)"))?;
        let pid = child.id();
        let http = reqwest::Client::builder()
            .no_proxy()
            .pool_max_idle_per_host(64)
            .build()
            .map_err(|e| e.to_string())?;
        let base = format!("http://{ip}:{port}/janus");
        let mut janus = Janus {
            child,
            pid,
            _dir: dir,
            http,
            session: base.clone(),
            waiting: Arc::default(),
            next: AtomicU64::new(1),
        };
        let mut created = None;
        for _ in 0..100 {
            if let Ok(v) = janus.post(&base, json!({"janus": "create"})).await {
                created = v["data"]["id"].as_u64();
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let Some(id) = created else {
            let log =
                std::fs::read_to_string(janus._dir.path().join("janus.log")).unwrap_or_default();
            return Err(format!(
                "Janus did not answer: {}",
                log.lines().rev().take(5).collect::<Vec<_>>().join(" | ")
            ));
        };
        janus.session = format!("{base}/{id}");
        tokio::spawn(poll(
            janus.http.clone(),
            janus.session.clone(),
            janus.waiting.clone(),
        ));
        Ok(janus)
    }

    async fn post(&self, url: &str, mut body: Value) -> Result<Value, String> {
        let t = self.next.fetch_add(1, Ordering::Relaxed).to_string();
        body["transaction"] = json!(t);
        let res = self
            .http
            .post(url)
            .json(&body)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let v: Value = res.json().await.map_err(|e| e.to_string())?;
        if v["janus"] == "error" {
            return Err(format!("janus: {}", v["error"]));
        }
        Ok(v)
    }

    /// A new VideoRoom handle.
    pub async fn attach(&self) -> Result<u64, String> {
        let v = self
            .post(
                &self.session,
                json!({"janus": "attach", "plugin": "janus.plugin.videoroom"}),
            )
            .await?;
        v["data"]["id"]
            .as_u64()
            .ok_or_else(|| format!("attach: {v}"))
    }

    /// A plugin request: its synchronous answer, or the event that answers
    /// it (with any JSEP).
    async fn request(
        &self,
        handle: u64,
        body: Value,
        jsep: Option<Value>,
    ) -> Result<Value, String> {
        let t = self.next.fetch_add(1, Ordering::Relaxed).to_string();
        let (tx, rx) = oneshot::channel();
        self.waiting.lock().unwrap().insert(t.clone(), tx);
        let mut msg = json!({"janus": "message", "transaction": t, "body": body});
        if let Some(jsep) = jsep {
            msg["jsep"] = jsep;
        }
        let url = format!("{}/{handle}", self.session);
        let res = self
            .http
            .post(&url)
            .json(&msg)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let v: Value = res.json().await.map_err(|e| e.to_string())?;
        if v["janus"] == "success" {
            self.waiting.lock().unwrap().remove(&t);
            return Ok(v);
        }
        if v["janus"] != "ack" {
            return Err(format!("janus: {v}"));
        }
        let event = tokio::time::timeout(Duration::from_secs(20), rx)
            .await
            .map_err(|_| "no answer from Janus in 20 s".to_string())?
            .map_err(|_| "Janus's event poll stopped".to_string())?;
        let data = &event["plugindata"]["data"];
        if data["error"].is_string() {
            return Err(format!("videoroom: {}", data["error"]));
        }
        Ok(event)
    }

    /// An audio-only Opus room for `publishers` speakers.
    pub async fn create_room(
        &self,
        handle: u64,
        room: u64,
        publishers: usize,
    ) -> Result<(), String> {
        let v = self
            .request(
                handle,
                json!({"request": "create", "room": room, "publishers": publishers + 1,
                       "audiocodec": "opus", "videocodec": "vp8", "notify_joining": false,
                       "audiolevel_ext": true, "audiolevel_event": false,
                       "videoorient_ext": false, "playoutdelay_ext": false,
                       "transport_wide_cc_ext": false}),
                None,
            )
            .await?;
        match v["plugindata"]["data"]["videoroom"].as_str() {
            Some("created") => Ok(()),
            _ => Err(format!("create room: {v}")),
        }
    }

    /// Joins `room` as publisher `feed` with `offer`; Janus's answer.
    pub async fn publish(&self, room: u64, feed: u64, offer: String) -> Result<String, String> {
        let handle = self.attach().await?;
        let v = self
            .request(
                handle,
                json!({"request": "joinandconfigure", "room": room, "ptype": "publisher",
                       "id": feed, "display": format!("peer {feed}"), "audio": true, "video": false}),
                Some(json!({"type": "offer", "sdp": offer})),
            )
            .await?;
        v["jsep"]["sdp"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("publish: no answer in {v}"))
    }

    /// Subscribes a new handle to `feeds` of `room`: the handle and Janus's
    /// offer.
    pub async fn subscribe(&self, room: u64, feeds: &[u64]) -> Result<(u64, String), String> {
        let handle = self.attach().await?;
        let streams: Vec<Value> = feeds.iter().map(|f| json!({"feed": f})).collect();
        let v = self
            .request(
                handle,
                json!({"request": "join", "room": room, "ptype": "subscriber", "streams": streams}),
                None,
            )
            .await?;
        let offer = v["jsep"]["sdp"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("subscribe: no offer in {v}"))?;
        Ok((handle, offer))
    }

    /// Starts a subscription with the subscriber's answer.
    pub async fn start_subscription(&self, handle: u64, answer: String) -> Result<(), String> {
        self.request(
            handle,
            json!({"request": "start"}),
            Some(json!({"type": "answer", "sdp": answer})),
        )
        .await
        .map(|_| ())
    }
}

/// Janus's events for the session, each handed to the request waiting for
/// its transaction.
async fn poll(http: reqwest::Client, session: String, waiting: Waiting) {
    loop {
        let res = http.get(format!("{session}?maxev=50")).send().await;
        let Ok(res) = res else {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        let Ok(v) = res.json::<Value>().await else {
            continue;
        };
        let events = match v {
            Value::Array(list) => list,
            one => vec![one],
        };
        for event in events {
            let Some(t) = event["transaction"].as_str() else {
                continue;
            };
            if let Some(tx) = waiting.lock().unwrap().remove(t) {
                let _ = tx.send(event);
            }
        }
    }
}

impl Drop for Janus {
    fn drop(&mut self) {
        // The process this benchmark started (`ip netns exec` and `taskset`
        // exec into it: the child's PID is Janus's).
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
