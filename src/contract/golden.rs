//! The wire version's guard. One value of each type the browser receives
//! (every field set, every variant that changes the bytes) is encoded as
//! it travels, and compared with the committed copy in `golden.txt`. A
//! change to the format fails here until `WIRE_VERSION` is bumped and the
//! copies are written again:
//!
//! ```sh
//! BELFRY_BLESS_WIRE=1 cargo test --features ssr --lib contract::golden
//! ```
//!
//! Also here: the serde attributes postcard cannot carry (it writes fields
//! in order, with no names or tags) are refused on the contract's types.

use super::boot::{Boot, ChatOpen, Packed, PageData};
use super::call_types::RoomAccess;
use super::call_types::{Answered, CallHistoryPage, CallParticipantView, CallState, CallView};
use super::events::{LiveEvent, LiveFrame};
use super::ids::{CallId, ChannelId, CommunityId, MessageId, StudioId, UserId};
use super::types::{
    ChannelDetail, ChannelKind, ChannelSummary, CommunityView, MessageKind, MessagePage,
    MessageView, Role, Spaces, StudioDetail, StudioSummary, UserView,
};
use super::wire::WIRE_VERSION;
use super::{ApiError, ErrorKind};
use crate::calls::{CallChange, CallKind, CallStatus, DeclineReason, EndReason, ParticipantStatus};

const GOLDEN: &str = include_str!("golden.txt");

fn user(id: i64) -> UserView {
    UserView {
        id: UserId(id),
        username: format!("user{id}"),
        display_name: format!("User {id}"),
        avatar_color: "#1d4ed8".into(),
    }
}

fn channel() -> ChannelSummary {
    ChannelSummary {
        id: ChannelId(4),
        community_id: CommunityId(1),
        kind: ChannelKind::Group,
        name: "Choir".into(),
        member_count: 3,
        unread: 2,
        latest: Some("Carol: Rehearsal moves to Thursday".into()),
        archived: true,
    }
}

fn studio() -> StudioSummary {
    StudioSummary {
        id: StudioId(2),
        name: "Studio A".into(),
        member_count: 2,
    }
}

fn message() -> MessageView {
    MessageView {
        id: MessageId(11),
        channel_id: ChannelId(4),
        author: Some(user(1)),
        body: "Rehearsal moves to Thursday".into(),
        created_at: 1_700_000_000_000,
        client_nonce: Some("n-1".into()),
        kind: MessageKind::Call,
        call_id: Some(CallId(9)),
    }
}

fn call() -> CallView {
    CallView {
        id: CallId(9),
        channel_id: ChannelId(4),
        channel_kind: ChannelKind::Parish,
        channel_name: "Parish hall".into(),
        kind: CallKind::Group,
        status: CallStatus::Ended,
        initiator: user(1),
        created_at: 1_000,
        started_at: Some(2_000),
        ended_at: Some(9_000),
        duration_ms: 7_000,
        end_reason: Some(EndReason::Hangup),
        participants: vec![CallParticipantView {
            user: user(2),
            status: ParticipantStatus::Disconnected,
            decline_reason: Some(DeclineReason::Removed),
            joined_at: Some(2_000),
            left_at: Some(5_000),
        }],
    }
}

fn access() -> RoomAccess {
    RoomAccess {
        room_url: "wss://parish.example".into(),
        token: "eyJ.token".into(),
        room_name: "call-abc".into(),
        expires_at: 600_000,
    }
}

fn spaces() -> Spaces {
    Spaces {
        communities: vec![CommunityView {
            id: CommunityId(1),
            name: "Our Parish".into(),
            role: Role::Coordinator,
        }],
        channels: vec![channel()],
        studios: vec![studio()],
    }
}

fn error() -> ApiError {
    ApiError::new(ErrorKind::Forbidden, "No access.")
}

fn pc<T: serde::Serialize>(value: &T) -> Vec<u8> {
    postcard::to_allocvec(value).expect("encodes")
}

/// (name, bytes as they travel) for every fixture.
fn fixtures() -> Vec<(&'static str, Vec<u8>)> {
    let every_change = vec![
        CallChange::Incoming {
            users: vec![UserId(2)],
        },
        CallChange::Busy {
            users: vec![UserId(3)],
        },
        CallChange::Answered { user: UserId(2) },
        CallChange::Declined { user: UserId(3) },
        CallChange::Joined { user: UserId(4) },
        CallChange::Left { user: UserId(4) },
        CallChange::Removed { user: UserId(2) },
        CallChange::Missed {
            users: vec![UserId(3)],
        },
        CallChange::Cancelled,
        CallChange::Ended {
            by: Some(UserId(1)),
        },
    ];
    let frames = [
        LiveFrame::Hello {
            epoch: 7,
            head: 42,
            resync: true,
        },
        LiveFrame::Event {
            seq: 43,
            event: LiveEvent::MessagePosted { message: message() },
        },
        LiveFrame::Event {
            seq: 44,
            event: LiveEvent::SpacesChanged,
        },
        LiveFrame::Event {
            seq: 45,
            event: LiveEvent::Call {
                call: Box::new(call()),
                changes: every_change,
            },
        },
        LiveFrame::Event {
            seq: 46,
            event: LiveEvent::ChannelRead {
                channel_id: ChannelId(4),
                unread: 1,
            },
        },
        LiveFrame::Heartbeat,
    ];
    let kinds = [
        ErrorKind::BadRequest,
        ErrorKind::Unauthorized,
        ErrorKind::Forbidden,
        ErrorKind::NotFound,
        ErrorKind::Conflict,
        ErrorKind::PayloadTooLarge,
        ErrorKind::Internal,
        ErrorKind::Network,
        ErrorKind::TooManyRequests,
        ErrorKind::UnsupportedMediaType,
        ErrorKind::Unavailable,
    ];
    let mut out = vec![
        ("user_view", pc(&Some(user(1)))),
        ("spaces", pc(&spaces())),
        (
            "channel_detail",
            pc(&ChannelDetail {
                channel: channel(),
                members: vec![user(1), user(2)],
            }),
        ),
        (
            "message_page",
            pc(&MessagePage {
                messages: vec![message()],
                has_more: true,
            }),
        ),
        (
            "studio_detail",
            pc(&StudioDetail {
                studio: studio(),
                members: vec![user(1)],
                manages: true,
            }),
        ),
        ("call_view", pc(&call())),
        ("room_access", pc(&access())),
        (
            "answered",
            pc(&Answered {
                call: call(),
                access: access(),
            }),
        ),
        (
            "call_state",
            pc(&CallState {
                incoming: vec![call()],
                missed: 3,
                current: Some(call()),
            }),
        ),
        (
            "call_history_page",
            pc(&CallHistoryPage {
                calls: vec![call()],
                next_before: Some(CallId(8)),
            }),
        ),
        ("api_error", pc(&error())),
        ("error_kinds", pc(&kinds)),
        (
            "boot",
            pc(&Boot {
                user: Ok(Some(user(1))),
                spaces: Some(Ok(spaces())),
                page: Some(PageData::Chat(
                    Some(ChannelId(4)),
                    Box::new(Ok(ChatOpen {
                        detail: ChannelDetail {
                            channel: channel(),
                            members: vec![user(1)],
                        },
                        page: MessagePage {
                            messages: vec![message()],
                            has_more: false,
                        },
                        call: Some(call()),
                    })),
                )),
            }),
        ),
        (
            "boot_pages",
            pc(&[
                PageData::Studio(Some(StudioId(2)), Packed::new(&Err(error()))),
                PageData::Calls(
                    None,
                    Packed::new(&Ok(CallHistoryPage {
                        calls: vec![],
                        next_before: None,
                    })),
                ),
            ]),
        ),
    ];
    for (i, frame) in frames.iter().enumerate() {
        let name = [
            "frame_hello",
            "frame_message",
            "frame_spaces",
            "frame_call",
            "frame_read",
            "frame_heartbeat",
        ][i];
        out.push((name, frame.to_postcard()));
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn written() -> String {
    let mut text = String::from(
        "# The postcard bytes of one value of each type the browser receives,\n\
         # written by src/contract/golden.rs. Do not edit: bump WIRE_VERSION and\n\
         # regenerate (BELFRY_BLESS_WIRE=1 cargo test --features ssr --lib contract::golden).\n",
    );
    text.push_str(&format!("version {WIRE_VERSION}\n"));
    for (name, bytes) in fixtures() {
        text.push_str(&format!("{name} {}\n", hex(&bytes)));
    }
    text
}

#[test]
fn the_encoded_contract_matches_its_golden_copy_at_this_wire_version() {
    if std::env::var_os("BELFRY_BLESS_WIRE").is_some() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/contract/golden.txt");
        std::fs::write(path, written()).expect("golden.txt written");
        return;
    }
    let committed = |key: &str| {
        GOLDEN
            .lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix(' '))
            .map(str::to_string)
    };
    let version = committed("version").and_then(|v| v.parse::<u64>().ok());
    assert_eq!(
        version,
        Some(WIRE_VERSION),
        "WIRE_VERSION was bumped: write the golden copies again \
         (BELFRY_BLESS_WIRE=1 cargo test --features ssr --lib contract::golden)"
    );
    let mut changed = Vec::new();
    for (name, bytes) in fixtures() {
        if committed(name).as_deref() != Some(hex(&bytes).as_str()) {
            changed.push(name);
        }
    }
    assert!(
        changed.is_empty(),
        "the wire format of {changed:?} changed without a new WIRE_VERSION: \
         bump it in src/contract/wire.rs (tabs of the old build then reload \
         instead of misreading), and write the golden copies again"
    );
}

/// Serde attributes that need a self-describing format, which postcard is
/// not. Internally tagged enums are allowed only where their postcard goes
/// through a flat twin (`events_wire`, `change_wire`) and they say so with
/// `try_from`.
#[test]
fn no_contract_type_leans_on_what_postcard_cannot_carry() {
    let sources = [
        ("types.rs", include_str!("types.rs")),
        ("call_types.rs", include_str!("call_types.rs")),
        ("events.rs", include_str!("events.rs")),
        ("error.rs", include_str!("error.rs")),
        ("boot.rs", include_str!("boot.rs")),
        ("push.rs", include_str!("push.rs")),
        ("calls/ids.rs", include_str!("../calls/ids.rs")),
        ("calls/state.rs", include_str!("../calls/state.rs")),
        ("calls/machine.rs", include_str!("../calls/machine.rs")),
    ];
    let mut refused = Vec::new();
    for (file, text) in sources {
        for attr in text.split("#[serde(").skip(1) {
            let attr = &attr[..attr.find(")]").unwrap_or(attr.len())];
            let flat_twin = attr.contains("try_from =");
            for bad in ["untagged", "flatten", "skip_serializing", "content ="] {
                if attr.contains(bad) {
                    refused.push(format!("{file}: {bad}"));
                }
            }
            if attr.contains("tag =") && !flat_twin {
                refused.push(format!("{file}: tag without a flat postcard twin"));
            }
        }
    }
    assert!(refused.is_empty(), "postcard cannot carry: {refused:?}");
}

#[test]
fn the_attribute_check_would_catch_a_flattened_field() {
    let probe = "#[serde(flatten)]\n    pub extra: Extra,";
    let attr = probe.split("#[serde(").nth(1).unwrap();
    assert!(attr[..attr.find(")]").unwrap()].contains("flatten"));
}
