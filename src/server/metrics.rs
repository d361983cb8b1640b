//! `/metrics`: Prometheus's text format, for a volunteer's Grafana or any
//! scraper. Calls by status, people rung, Web Push outcomes, live sockets,
//! rate-limit refusals, how long the database takes to answer, and the
//! embedded SFU's rooms, participants, tracks, traffic, loss and jitter.
//! With `BELFRY_METRICS_TOKEN` set, only a scraper with that bearer token
//! is answered.

use std::fmt::Write;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::db;
use super::histogram::{DATABASE, RING_DELIVERY};
use super::state::AppState;
use crate::media::driver::{Admin, Command};

pub async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = &state.config.metrics_token {
        let given = (headers.get(header::AUTHORIZATION))
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if !given.is_some_and(|g| same(g, token)) {
            return (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Bearer")],
                "/metrics needs the bearer token set in BELFRY_METRICS_TOKEN.\n",
            )
                .into_response();
        }
    }
    let body = render(&state).await;
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
        .into_response()
}

/// Equal, in time that does not depend on where they differ (their
/// digests are compared whole).
fn same(a: &str, b: &str) -> bool {
    use sha2::{Digest, Sha256};
    let (a, b) = (Sha256::digest(a.as_bytes()), Sha256::digest(b.as_bytes()));
    a.iter().zip(b.iter()).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

/// One metric: its help line, type and samples.
fn family(out: &mut String, name: &str, kind: &str, help: &str, samples: &[(&str, f64)]) {
    let _ = writeln!(out, "# HELP belfry_{name} {help}");
    let _ = writeln!(out, "# TYPE belfry_{name} {kind}");
    for (labels, value) in samples {
        let _ = writeln!(out, "belfry_{name}{labels} {value}");
    }
}

pub async fn render(state: &AppState) -> String {
    let mut out = String::new();
    let started = Instant::now();
    let answered = tokio::time::timeout(Duration::from_secs(2), db::ping(&state.db)).await;
    let up = matches!(answered, Ok(Ok(())));
    family(
        &mut out,
        "database_up",
        "gauge",
        "Whether the database answered within 2 s.",
        &[("", f64::from(u8::from(up)))],
    );
    family(
        &mut out,
        "database_ping_seconds",
        "gauge",
        "How long the database took to answer a trivial query.",
        &[("", started.elapsed().as_secs_f64())],
    );
    let statuses = ["RINGING", "ACTIVE", "ENDED", "MISSED", "DECLINED"];
    let counts = db::calls::count_by_status(&state.db)
        .await
        .unwrap_or_default();
    let labels: Vec<String> = statuses
        .iter()
        .map(|s| format!("{{status=\"{}\"}}", s.to_lowercase()))
        .collect();
    let calls: Vec<(&str, f64)> = (statuses.iter().zip(&labels))
        .map(|(s, l)| {
            let n = counts.iter().find(|(c, _)| c == s).map_or(0, |(_, n)| *n);
            (l.as_str(), n as f64)
        })
        .collect();
    family(&mut out, "calls", "gauge", "Calls by status.", &calls);
    let push = &state.push.counters;
    let read = |a: &std::sync::atomic::AtomicU64| a.load(Ordering::Relaxed) as f64;
    family(
        &mut out,
        "rings_total",
        "counter",
        "People rung (each callee of each call).",
        &[("", read(&push.rings))],
    );
    family(
        &mut out,
        "pushes_total",
        "counter",
        "Web Push messages by outcome.",
        &[
            ("{outcome=\"sent\"}", read(&push.sent)),
            ("{outcome=\"failed\"}", read(&push.failed)),
            ("{outcome=\"gone\"}", read(&push.gone)),
        ],
    );
    let limits = &state.limits;
    family(
        &mut out,
        "rate_limited_total",
        "counter",
        "Requests refused with 429.",
        &[("", read(&limits.refused))],
    );
    family(
        &mut out,
        "live_sockets",
        "gauge",
        "Open live-event sockets (browser tabs).",
        &[("", limits.event_sockets.total() as f64)],
    );
    family(
        &mut out,
        "rtc_sessions",
        "gauge",
        "Open media signalling sessions.",
        &[("", limits.rtc_sessions.total() as f64)],
    );
    RING_DELIVERY.render(
        &mut out,
        "ring_delivery_seconds",
        "From a call's start to its ring written to a callee's open tab.",
    );
    DATABASE.render(
        &mut out,
        "database_query_seconds",
        "Database statements, from the call to the answer.",
    );
    if let Some(host) = &state.host {
        sfu(&mut out, host).await;
    }
    out
}

async fn sfu(out: &mut String, host: &crate::media::server_api::MediaHost) {
    let (din, bin, dout, bout) = host.server.counters.read();
    for (name, what, (i, o)) in [
        ("datagrams", "Datagrams", (din, dout)),
        ("bytes", "Bytes", (bin, bout)),
    ] {
        let help = format!("{what} through the embedded SFU's UDP socket.");
        let samples = [
            ("{direction=\"in\"}", i as f64),
            ("{direction=\"out\"}", o as f64),
        ];
        family(
            out,
            &format!("sfu_{name}_total"),
            "counter",
            &help,
            &samples,
        );
    }
    let asked = host
        .server
        .ask(|reply| Command::Admin(Admin::Stats { reply }));
    let Ok(Some(g)) = tokio::time::timeout(Duration::from_secs(2), asked).await else {
        return;
    };
    family(
        out,
        "sfu_rooms",
        "gauge",
        "Rooms with someone in them.",
        &[("", g.rooms as f64)],
    );
    family(
        out,
        "sfu_participants",
        "gauge",
        "People connected to the SFU.",
        &[("", g.participants as f64)],
    );
    family(
        out,
        "sfu_tracks",
        "gauge",
        "Published audio tracks.",
        &[("", g.tracks as f64)],
    );
    family(
        out,
        "sfu_loss_ratio",
        "gauge",
        "Packet loss last reported, mean over participants.",
        &[("", f64::from(g.loss))],
    );
    family(
        out,
        "sfu_jitter_seconds",
        "gauge",
        "Worst jitter last reported by a participant.",
        &[("", f64::from(g.jitter_ms) / 1000.0)],
    );
}
