//! Server functions and the live stream in postcard, for the browser code
//! that asks for it, and in JSON for everyone else; and a tab of an earlier
//! build told to reload instead of being answered in a layout it would
//! misread.

use crate::common;

use belfry::api::chat::{GetChannel, SendMessage};
use belfry::contract::events::{LiveEvent, LiveFrame};
use belfry::contract::ids::ChannelId;
use belfry::contract::types::{ChannelDetail, MessagePage, MessageView};
use belfry::contract::wire::{from_postcard, POSTCARD, POSTCARD_HERE, WIRE_VERSION};
use belfry::contract::{ApiError, ErrorKind};
use common::{Parish, Person};
use serde_json::json;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message;

/// POSTs `body` to a server function as Belfry's browser code does.
async fn post_postcard(who: &Person, name: &str, body: Vec<u8>, layout: &str) -> reqwest::Response {
    who.http
        .post(format!("{}/api/{name}", who.base))
        .header("content-type", layout)
        .header("accept", layout)
        .body(body)
        .send()
        .await
        .expect("request sent")
}

async fn messages(who: &Person, channel: ChannelId) -> Vec<MessageView> {
    let page: MessagePage = who
        .ok("list_messages", json!({"channel_id": channel}))
        .await;
    page.messages
}

fn header(res: &reqwest::Response, name: &str) -> String {
    res.headers()
        .get(name)
        .map(|v| v.to_str().expect("ascii").to_string())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_postcard_answer_says_what_the_json_answer_says() {
    let p = Parish::new().await;
    let args = GetChannel {
        channel_id: p.choir,
    };
    let res = post_postcard(
        &p.bob,
        "get_channel",
        postcard::to_allocvec(&args).unwrap(),
        POSTCARD_HERE,
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "content-type"), POSTCARD_HERE);
    assert!(header(&res, "vary").to_lowercase().contains("accept"));
    let bytes = res.bytes().await.unwrap();
    let in_postcard: ChannelDetail = from_postcard(&bytes).expect("postcard");
    let in_json: ChannelDetail = p
        .bob
        .ok("get_channel", json!({"channel_id": p.choir}))
        .await;
    assert_eq!(in_postcard, in_json);
    assert_eq!(in_postcard.channel.name, "Choir");
    // And smaller: no field names.
    let json_len = serde_json::to_vec(&in_json).unwrap().len();
    assert!(bytes.len() * 2 < json_len, "{} vs {json_len}", bytes.len());
}

#[tokio::test]
async fn a_json_request_still_gets_json() {
    let p = Parish::new().await;
    let res = p
        .bob
        .post_raw("get_channel", json!({"channel_id": p.choir}).to_string())
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "content-type"), "application/json");
    let detail: ChannelDetail = serde_json::from_slice(&res.bytes().await.unwrap()).expect("json");
    assert_eq!(detail.channel.id, p.choir);
    // A refusal too: dave is not in the choir.
    let res = p
        .dave
        .post_raw("get_channel", json!({"channel_id": p.choir}).to_string())
        .await;
    assert!(res.status().is_client_error(), "{}", res.status());
    assert_eq!(header(&res, "content-type"), "application/json");
    let err: ApiError = serde_json::from_slice(&res.bytes().await.unwrap()).expect("json");
    assert!(!err.message.is_empty());
}

#[tokio::test]
async fn a_refusal_in_postcard_keeps_its_status_and_message() {
    let p = Parish::new().await;
    // dave is not in the choir.
    let args = postcard::to_allocvec(&GetChannel {
        channel_id: p.choir,
    })
    .unwrap();
    let res = post_postcard(&p.dave, "get_channel", args, POSTCARD_HERE).await;
    let status = res.status().as_u16();
    assert_eq!(header(&res, "content-type"), POSTCARD_HERE);
    let err: ApiError = from_postcard(&res.bytes().await.unwrap()).expect("a postcard ApiError");
    let (json_status, json_err) = p
        .dave
        .fails("get_channel", json!({"channel_id": p.choir}))
        .await;
    assert_eq!((status, &err), (json_status, &json_err));
    assert!(
        matches!(err.kind, ErrorKind::Forbidden | ErrorKind::NotFound),
        "{err:?}"
    );
}

#[tokio::test]
async fn malformed_postcard_is_a_400_that_says_so_and_changes_nothing() {
    let p = Parish::new().await;
    let before = messages(&p.bob, p.choir).await;
    // A message whose body length runs past the end of the request.
    let mut args = postcard::to_allocvec(&SendMessage {
        channel_id: p.choir,
        body: "Evensong at six".into(),
        client_nonce: None,
    })
    .unwrap();
    args.truncate(args.len() - 4);
    for body in [args, vec![0xff; 12], vec![]] {
        let res = post_postcard(&p.bob, "send_message", body, POSTCARD_HERE).await;
        assert_eq!(res.status(), 400);
        let err: ApiError =
            from_postcard(&res.bytes().await.unwrap()).expect("a postcard ApiError");
        assert_eq!(err.kind, ErrorKind::BadRequest);
        assert!(
            err.message.starts_with("The request could not be read"),
            "{}",
            err.message
        );
    }
    assert_eq!(messages(&p.bob, p.choir).await, before);
}

#[tokio::test]
async fn a_tab_of_an_earlier_build_is_told_to_reload() {
    let p = Parish::new().await;
    let before = messages(&p.bob, p.choir).await;
    let old = format!("{POSTCARD};v={}", WIRE_VERSION ^ 1);
    // Whatever it sends, in whatever layout: nothing is read or done.
    let args = postcard::to_allocvec(&SendMessage {
        channel_id: p.choir,
        body: "From an old tab".into(),
        client_nonce: None,
    })
    .unwrap();
    let res = post_postcard(&p.bob, "send_message", args, &old).await;
    assert_eq!(res.status(), 409);
    let err: ApiError = from_postcard(&res.bytes().await.unwrap()).expect("a postcard ApiError");
    assert_eq!(err.kind, ErrorKind::Conflict);
    assert!(err.message.contains("Reload this page"), "{}", err.message);
    assert_eq!(messages(&p.bob, p.choir).await, before);

    // Its live stream is closed with the code that makes it reload.
    let mut socket = p
        .bob
        .live(&format!("?wire=postcard&v={}", WIRE_VERSION ^ 1))
        .await
        .unwrap();
    match socket.next_message().await {
        Some(Message::Close(Some(frame))) => assert_eq!(frame.code, CloseCode::from(4003)),
        other => panic!("expected a 4003 close, got {other:?}"),
    }
}

#[tokio::test]
async fn live_frames_come_in_the_form_the_tab_asked_for() {
    let p = Parish::new().await;
    let mut json_tab = p.bob.listen().await;
    let mut postcard_tab = p
        .bob
        .live(&format!("?wire=postcard&v={WIRE_VERSION}"))
        .await
        .unwrap();
    assert!(matches!(
        postcard_tab.next_message().await,
        Some(Message::Binary(_))
    ));
    let sent: MessageView = p
        .alice
        .ok(
            "send_message",
            json!({"channel_id": p.choir, "body": "Psalm 23"}),
        )
        .await;
    for tab in [&mut json_tab, &mut postcard_tab] {
        match tab.next().await {
            LiveFrame::Event {
                event: LiveEvent::MessagePosted { message },
                ..
            } => assert_eq!(message, sent),
            other => panic!("expected the message, got {other:?}"),
        }
    }
    // A call event, with its changes, reads back whole.
    let call = p.choir_call_all_in().await;
    let (seen, changes) = postcard_tab.next_call().await;
    assert_eq!(seen.id, call.id);
    assert!(!changes.is_empty());

    // Asking for a form there is none of is refused before the upgrade.
    let err = p.bob.live("?wire=xml").await.expect_err("refused");
    assert!(err.to_string().contains("400"), "{err}");
    for who in [&p.alice, &p.bob, &p.carol] {
        let _ = who
            .call::<serde_json::Value>("leave_call", json!({"call_id": call.id}))
            .await;
    }
}

/// JSON has one kind of number: `12.0` is the channel 12 (as JSON Schema's
/// `integer` says, and as the OpenAPI document's fuzzer sends it); `12.5`
/// is no id, and says so.
#[tokio::test]
async fn a_whole_number_written_with_a_fraction_is_that_number_in_json() {
    let p = Parish::new().await;
    let plain: ChannelDetail = p
        .alice
        .ok("get_channel", json!({"channel_id": p.choir}))
        .await;
    let written = format!(r#"{{"channel_id": {}.0}}"#, p.choir);
    let res = p.alice.post_raw("get_channel", written).await;
    assert_eq!(res.status(), 200);
    let same: ChannelDetail = res.json().await.unwrap();
    assert_eq!(same, plain);
    let (status, err) = p
        .alice
        .fails("get_channel", json!({"channel_id": p.choir.0 as f64 + 0.5}))
        .await;
    assert_eq!(status, 400);
    assert_eq!(err.kind, ErrorKind::BadRequest);
    assert!(err.message.contains("floating point"), "{}", err.message);
    // A list of ids, nested.
    let (status, _) = p
        .alice
        .fails(
            "add_group_members",
            json!({"channel_id": p.choir, "user_ids": [p.bob.id().0 as f64 + 0.25]}),
        )
        .await;
    assert_eq!(status, 400);
}
