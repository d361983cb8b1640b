//! Which page each address gets from the server: the page, a 302 to where
//! the visitor belongs, or the app's "not found" page with a 404 (the
//! browser's side of the same table is `src/app/router.rs`).

use crate::common;

use std::sync::Arc;

use belfry::contract::boot::{ChatData, PageData};
use belfry::contract::ids::ChannelId;
use common::Parish;

/// GETs `path` as a browser would (asking for HTML), following no redirect.
async fn page(http: &reqwest::Client, p: &Parish, path: &str) -> (u16, Option<String>, String) {
    let res = http
        .get(p.app.url(path))
        .header("accept", "text/html")
        .send()
        .await
        .expect("sent");
    let status = res.status().as_u16();
    let location = res
        .headers()
        .get("location")
        .map(|v| v.to_str().expect("ascii").to_string());
    (status, location, res.text().await.expect("body"))
}

fn not_following(jar: Option<Arc<reqwest::cookie::Jar>>) -> reqwest::Client {
    let builder = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none());
    match jar {
        Some(jar) => builder.cookie_provider(jar),
        None => builder,
    }
    .build()
    .expect("client")
}

#[tokio::test]
async fn each_address_answers_with_its_page_a_redirect_or_a_404() {
    let p = Parish::new().await;
    let stranger = not_following(None);
    let signed_out = [
        "/",
        "/calls",
        &format!("/c/{}", p.choir),
        &format!("/s/{}", p.studio),
    ];
    for path in signed_out {
        let (status, location, _) = page(&stranger, &p, path).await;
        assert_eq!(
            (status, location.as_deref()),
            (302, Some("/signin")),
            "{path}"
        );
    }
    for (path, heading) in [
        ("/signin", "Sign in to Belfry"),
        ("/signup", "Create your account"),
    ] {
        let (status, _, body) = page(&stranger, &p, path).await;
        assert_eq!(status, 200, "{path}");
        assert!(body.contains(heading), "{path}: {body:.300}");
    }

    let alice = not_following(Some(p.alice.jar.clone()));
    for path in ["/signin", "/signup"] {
        let (status, location, _) = page(&alice, &p, path).await;
        assert_eq!((status, location.as_deref()), (302, Some("/")), "{path}");
    }
    for (path, shows) in [
        ("/".to_string(), "class=\"welcome\""),
        (format!("/c/{}", p.choir), "id=\"chat-title\""),
        (format!("/s/{}", p.studio), "id=\"studio-title\""),
        ("/calls?callId=12".to_string(), "id=\"calls-title\""),
    ] {
        let (status, _, body) = page(&alice, &p, &path).await;
        assert_eq!(status, 200, "{path}");
        assert!(body.contains(shows), "{path}: {body:.300}");
    }
    // Addresses that are no page, for anyone: the app's own 404 page.
    for who in [&stranger, &alice] {
        for path in ["/nope", "/c/", "/c/1/x", "/calls/", "/pkg/missing.wasm"] {
            let (status, _, body) = page(who, &p, path).await;
            assert_eq!(status, 404, "{path}");
            assert!(body.contains("There is no page at this address."), "{path}");
        }
    }
}

/// The boot data written into a page (`app::boot`), read back.
fn boot_of(page: &str) -> belfry::app::Boot {
    let text = page
        .split("<script id=\"boot\" type=\"application/octet-stream\">")
        .nth(1)
        .and_then(|rest| rest.split("</script>").next())
        .expect("the page has boot data");
    belfry::app::Boot::decode(text).expect("boot data reads back")
}

fn chat_of(page: Option<PageData>) -> (Option<ChannelId>, ChatData) {
    match page {
        Some(PageData::Chat(at, data)) => (at, *data),
        _ => panic!("not a chat page's data"),
    }
}

#[tokio::test]
async fn a_chat_page_comes_with_its_data_only_for_those_who_may_see_it() {
    use belfry::contract::ErrorKind;
    let p = Parish::new().await;
    let _: serde_json::Value = p
        .alice
        .ok(
            "send_message",
            serde_json::json!({"channel_id": p.direct, "body": "Just between us"}),
        )
        .await;
    let path = format!("/c/{}", p.direct);

    let bob = not_following(Some(p.bob.jar.clone()));
    let (status, _, body) = page(&bob, &p, &path).await;
    assert_eq!(status, 200);
    assert!(body.contains("Just between us"), "{body:.300}");
    let boot = boot_of(&body);
    assert_eq!(boot.user.expect("read").expect("signed in").id, p.bob.id());
    let spaces = boot.spaces.expect("signed in").expect("read");
    assert!(spaces.channels.iter().any(|c| c.id == p.direct));
    let (at, chat) = chat_of(boot.page);
    assert_eq!(at, Some(p.direct));
    let open = chat.expect("bob may read it");
    let (detail, messages) = (open.detail, open.page);
    assert!(open.call.is_none(), "no call is live there");
    assert_eq!(detail.channel.id, p.direct);
    assert!(messages
        .messages
        .iter()
        .any(|m| m.body == "Just between us"));

    // His page is his: no shared cache may keep it.
    let res = bob
        .get(p.app.url(&path))
        .header("accept", "text/html")
        .send()
        .await
        .expect("sent");
    assert_eq!(
        res.headers().get("cache-control").map(|v| v.as_bytes()),
        Some(&b"private, no-cache"[..])
    );

    // Carol is not in it: the page says so, and carries none of it.
    let carol = not_following(Some(p.carol.jar.clone()));
    let (status, _, body) = page(&carol, &p, &path).await;
    assert_eq!(status, 200);
    assert!(body.contains("No access"), "{body:.300}");
    let boot = boot_of(&body);
    assert_eq!(
        boot.user.expect("read").expect("signed in").id,
        p.carol.id()
    );
    let (at, chat) = chat_of(boot.page);
    assert_eq!(at, Some(p.direct));
    assert_eq!(chat.expect_err("not hers").kind, ErrorKind::Forbidden);

    // An id that is no number, and one that is no channel.
    for path in ["/c/general", "/c/999999"] {
        let (status, _, body) = page(&carol, &p, path).await;
        assert_eq!(status, 200, "{path}");
        assert!(body.contains("Not found"), "{path}: {body:.300}");
        let (_, chat) = chat_of(boot_of(&body).page);
        assert_eq!(chat.expect_err("none").kind, ErrorKind::NotFound, "{path}");
    }

    // Signed out, nothing is gathered: the page sends the visitor away.
    let stranger = not_following(None);
    let (status, location, _) = page(&stranger, &p, &path).await;
    assert_eq!((status, location.as_deref()), (302, Some("/signin")));
}

#[tokio::test]
async fn studio_and_calls_pages_come_with_their_data() {
    use belfry::contract::ErrorKind;
    let p = Parish::new().await;
    let path = format!("/s/{}", p.studio);
    let carol = not_following(Some(p.carol.jar.clone()));
    let (status, _, body) = page(&carol, &p, &path).await;
    assert_eq!(status, 200);
    let Some(PageData::Studio(Some(at), packed)) = boot_of(&body).page else {
        panic!("carol's studio");
    };
    let detail = packed.open().expect("reads back").expect("hers to see");
    assert_eq!((at, detail.studio.name.as_str()), (p.studio, "Studio A"));
    // Dave is no collaborator: "No access", and no studio in the page.
    let dave = not_following(Some(p.dave.jar.clone()));
    let (status, _, body) = page(&dave, &p, &path).await;
    assert_eq!(status, 200);
    assert!(body.contains("No access"), "{body:.300}");
    let Some(PageData::Studio(_, packed)) = boot_of(&body).page else {
        panic!("not the studio page's data");
    };
    let e = packed.open().expect("reads back").expect_err("not his");
    assert_eq!(e.kind, ErrorKind::Forbidden);

    // The calls page: the history, and which call a link pointed at.
    let call = p.choir_call_all_in().await;
    // A chat with a live call comes with it, in the page and from open_chat.
    let choir_path = format!("/c/{}", p.choir);
    let (_, _, body) = page(&not_following(Some(p.bob.jar.clone())), &p, &choir_path).await;
    let (_, chat) = chat_of(boot_of(&body).page);
    assert_eq!(chat.expect("his").call.map(|c| c.id), Some(call.id));
    let opened: belfry::app::boot::ChatOpen = p
        .carol
        .ok("open_chat", serde_json::json!({"channel_id": p.choir}))
        .await;
    assert_eq!(opened.call.map(|c| c.id), Some(call.id));
    assert_eq!(opened.detail.channel.id, p.choir);
    let _: serde_json::Value = p
        .alice
        .ok("end_call", serde_json::json!({"call_id": call.id}))
        .await;
    let bob = not_following(Some(p.bob.jar.clone()));
    let (status, _, body) = page(&bob, &p, &format!("/calls?callId={}", call.id)).await;
    assert_eq!(status, 200);
    let Some(PageData::Calls(linked, packed)) = boot_of(&body).page else {
        panic!("bob's calls");
    };
    let history = packed.open().expect("reads back").expect("his calls");
    assert_eq!(linked, Some(call.id));
    assert_eq!(history.calls.first().map(|c| c.id), Some(call.id));
    // Dave was not in it: the link gets him his own (empty) history.
    let (_, _, body) = page(&dave, &p, &format!("/calls?callId={}", call.id)).await;
    let Some(PageData::Calls(_, packed)) = boot_of(&body).page else {
        panic!("dave's calls");
    };
    let history = packed.open().expect("reads back").expect("his calls");
    assert!(history.calls.is_empty(), "{:?}", history.calls);
    assert!(body.contains("No calls yet."));
}

#[tokio::test]
async fn a_page_carries_its_icon_and_the_icon_is_the_apps() {
    let p = Parish::new().await;
    let (status, _, body) = page(&not_following(None), &p, "/signin").await;
    assert_eq!(status, 200);
    let start = body
        .find("rel=\"icon\" href=\"")
        .map(|i| i + "rel=\"icon\" href=\"".len())
        .unwrap_or_else(|| panic!("no icon link: {body:.600}"));
    let href = &body[start..start + body[start..].find('"').expect("closed")];
    let encoded = href
        .strip_prefix("data:image/svg+xml,")
        .unwrap_or_else(|| panic!("not inline: {href}"));
    // Nothing in it that would end the attribute or the URL early.
    assert!(!encoded.contains(['"', '#', '<', '>', '\n']), "{encoded}");
    let mut svg = Vec::new();
    let mut bytes = encoded.bytes();
    while let Some(b) = bytes.next() {
        if b == b'%' {
            let hex: String = [bytes.next(), bytes.next()]
                .map(|h| h.expect("two hex digits") as char)
                .iter()
                .collect();
            svg.push(u8::from_str_radix(&hex, 16).expect("hex"));
        } else {
            svg.push(b);
        }
    }
    let file = std::fs::read_to_string("public/favicon.svg").expect("public/favicon.svg");
    assert_eq!(String::from_utf8(svg).expect("utf-8"), file.trim());
}
