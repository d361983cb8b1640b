//! How the site reaches the browser: its files in the compressed copy made at
//! build time that the browser accepts, and revalidated on every load; pages
//! and the answers that hold what a page shows (a chat's messages) compressed
//! as they are sent; the JSON that carries room tokens never.

use crate::common;

use std::io::Read;

use common::Parish;
use reqwest::header::{
    ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, IF_MODIFIED_SINCE, LAST_MODIFIED, VARY,
};
use serde_json::json;

/// Writes `pkg/NAME` and its `.gz` / `.br` copies, each with different bytes,
/// so a response tells which one was sent.
fn site_file(root: &std::path::Path, name: &str) -> [Vec<u8>; 3] {
    let pkg = root.join("pkg");
    std::fs::create_dir_all(&pkg).expect("pkg dir");
    let copies = [
        b"plain wasm bytes".to_vec(),
        b"gzip copy".to_vec(),
        b"brotli copy".to_vec(),
    ];
    for (suffix, bytes) in ["", ".gz", ".br"].iter().zip(&copies) {
        std::fs::write(pkg.join(format!("{name}{suffix}")), bytes).expect("write");
    }
    copies
}

#[tokio::test]
async fn site_files_are_sent_in_the_compressed_copy_the_browser_accepts() {
    let p = Parish::new().await;
    let [plain, gz, br] = site_file(&p.app.state.config.site_root, "belfry_bg.wasm");
    let url = p.app.url("/pkg/belfry_bg.wasm");
    let http = reqwest::Client::new();
    for (accept, body, encoding) in [
        (Some("gzip, deflate, br, zstd"), &br, Some("br")),
        (Some("gzip"), &gz, Some("gzip")),
        (None, &plain, None),
    ] {
        let mut req = http.get(&url);
        if let Some(accept) = accept {
            req = req.header(ACCEPT_ENCODING, accept);
        }
        let res = req.send().await.expect("sent");
        assert_eq!(res.status(), 200, "{accept:?}");
        let got = res
            .headers()
            .get(CONTENT_ENCODING)
            .map(|v| v.to_str().unwrap().to_string());
        assert_eq!(got.as_deref(), encoding, "{accept:?}");
        assert_eq!(res.headers()[VARY], "accept-encoding", "{accept:?}");
        assert_eq!(
            &res.bytes().await.expect("body").to_vec(),
            body,
            "{accept:?}"
        );
    }
}

#[tokio::test]
async fn site_files_are_revalidated_so_an_upgrade_reaches_every_browser() {
    let p = Parish::new().await;
    site_file(&p.app.state.config.site_root, "belfry.css");
    let url = p.app.url("/pkg/belfry.css");
    let http = reqwest::Client::new();
    let first = http.get(&url).send().await.expect("sent");
    assert_eq!(first.status(), 200);
    assert_eq!(first.headers()[CACHE_CONTROL], "no-cache");
    let stamp = first.headers()[LAST_MODIFIED].clone();
    let again = http
        .get(&url)
        .header(IF_MODIFIED_SINCE, stamp)
        .send()
        .await
        .expect("sent");
    assert_eq!(again.status(), 304, "the copy it has is current");
    assert!(again.bytes().await.expect("body").is_empty());
}

#[tokio::test]
async fn pages_are_gzipped_when_asked_and_arrive_whole() {
    let p = Parish::new().await;
    let url = p.app.url("/signin");
    let plain = reqwest::get(&url).await.expect("sent");
    assert!(plain.headers().get(CONTENT_ENCODING).is_none());
    let plain = plain.text().await.expect("body");
    assert!(plain.contains("</html>"), "a whole page: {plain:.200}");

    let res = reqwest::Client::new()
        .get(&url)
        .header(ACCEPT_ENCODING, "gzip")
        .send()
        .await
        .expect("sent");
    assert_eq!(res.headers()[CONTENT_ENCODING], "gzip");
    assert!(res.headers()[VARY]
        .to_str()
        .unwrap()
        .contains("accept-encoding"));
    let zipped = res.bytes().await.expect("body");
    let mut page = String::new();
    flate2::read::GzDecoder::new(&zipped[..])
        .read_to_string(&mut page)
        .expect("valid gzip");
    // The same page (only its per-response script nonce differs).
    assert!(
        page.contains("Sign in to Belfry") && page.contains("</html>"),
        "{page:.200}"
    );
    assert_eq!(page.len(), plain.len());
    assert!(
        zipped.len() * 2 < page.len(),
        "{} -> {}",
        page.len(),
        zipped.len()
    );
}

#[tokio::test]
async fn a_chats_messages_come_gzipped_when_asked_and_read_back_the_same() {
    let p = Parish::new().await;
    let ask = |encoding: &'static str| {
        p.alice
            .http
            .post(p.app.url("/api/list_messages"))
            .header("content-type", "application/json")
            .header(ACCEPT_ENCODING, encoding)
            .body(json!({ "channel_id": p.choir }).to_string())
            .send()
    };
    for n in 0..20 {
        if n == 3 {
            // A chat of a few messages is not worth it: it comes as it is.
            let short = ask("gzip").await.expect("sent");
            assert_eq!(short.status(), 200);
            assert!(short.headers().get(CONTENT_ENCODING).is_none());
            let short: serde_json::Value = short.json().await.expect("JSON");
            assert_eq!(short["messages"].as_array().map(Vec::len), Some(3));
        }
        let _: serde_json::Value = p
            .alice
            .ok(
                "send_message",
                json!({ "channel_id": p.choir, "body": format!("Rehearsal {n}: bring the Gloria") }),
            )
            .await;
    }
    let plain = ask("identity").await.expect("sent");
    assert_eq!(plain.status(), 200);
    assert!(plain.headers().get(CONTENT_ENCODING).is_none());
    let plain: serde_json::Value = plain.json().await.expect("JSON");
    assert_eq!(plain["messages"].as_array().map(Vec::len), Some(20));

    let res = ask("gzip").await.expect("sent");
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()[CONTENT_ENCODING], "gzip");
    // Caches on the way key on what was accepted (Vary may come twice).
    assert!(
        res.headers()
            .get_all(VARY)
            .iter()
            .any(|v| v.to_str().unwrap().contains("accept-encoding")),
        "{:?}",
        res.headers()
    );
    let zipped = res.bytes().await.expect("body");
    let mut text = String::new();
    flate2::read::GzDecoder::new(&zipped[..])
        .read_to_string(&mut text)
        .expect("valid gzip");
    let read: serde_json::Value = serde_json::from_str(&text).expect("JSON inside");
    assert_eq!(read, plain);
    assert!(
        zipped.len() * 2 < text.len(),
        "{} -> {}",
        text.len(),
        zipped.len()
    );
    // Opening the chat answers with the same messages, compressed too.
    let opened = p
        .alice
        .http
        .post(p.app.url("/api/open_chat"))
        .header("content-type", "application/json")
        .header(ACCEPT_ENCODING, "gzip")
        .body(json!({ "channel_id": p.choir }).to_string())
        .send()
        .await
        .expect("sent");
    assert_eq!(opened.headers()[CONTENT_ENCODING], "gzip");
    let mut text = String::new();
    flate2::read::GzDecoder::new(&opened.bytes().await.expect("body")[..])
        .read_to_string(&mut text)
        .expect("valid gzip");
    let read: serde_json::Value = serde_json::from_str(&text).expect("JSON inside");
    assert_eq!(read["page"], plain, "the same newest page");
}

#[tokio::test]
async fn json_with_a_room_token_is_never_compressed() {
    let p = Parish::new().await;
    let call = p.choir_call_all_in().await;
    let res = p
        .alice
        .http
        .post(p.app.url("/api/call_token"))
        .header("content-type", "application/json")
        .header(ACCEPT_ENCODING, "gzip, br")
        .body(json!({ "call_id": call.id }).to_string())
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), 200);
    assert!(res.headers().get(CONTENT_ENCODING).is_none());
    let body: serde_json::Value = res.json().await.expect("plain JSON");
    assert!(
        body["token"].as_str().is_some_and(|t| t.len() > 100),
        "{body}"
    );
}
