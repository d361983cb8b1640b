//! Server-function arguments: any body, JSON or form or neither, to any of
//! Belfry's server functions, as alice (signed in) or as a stranger. The
//! answer is a success or a 4xx with a message, never a 500, never a panic.
#![no_main]

use arbitrary::Arbitrary;
use belfry_fuzz::{assert_handled, post, server};
use libfuzzer_sys::fuzz_target;

const FUNCTIONS: &[&str] = &[
    "active_call",
    "add_participant",
    "answer_and_join",
    "answer_call",
    "call_history",
    "call_token",
    "calls_page",
    "cancel_call",
    "community_members",
    "create_group_channel",
    "current_user",
    "decline_call",
    "end_call",
    "get_call",
    "get_channel",
    "get_studio",
    "incoming_calls",
    "initiate_call",
    "join_studio_voice",
    "leave_call",
    "list_messages",
    "mark_read",
    "mark_calls_seen",
    "missed_calls",
    "mute_participant",
    "my_calls",
    "my_spaces",
    "open_direct_channel",
    "people_page",
    "my_groups",
    "rename_group",
    "add_group_members",
    "archive_group",
    "open_chat",
    "join_invitation",
    "studio_candidates",
    "add_studio_member",
    "set_member_role",
    "remove_community_member",
    "list_invitations",
    "create_invitation",
    "revoke_invitation",
    "preview_invitation",
    "push_key",
    "remove_channel_member",
    "remove_participant",
    "remove_studio_member",
    "send_message",
    "sign_in",
    "sign_up",
    "update_profile",
    "change_password",
];

const TYPES: &[&str] = &[
    "application/json",
    "application/x-www-form-urlencoded",
    "text/plain",
    "",
];

#[derive(Arbitrary, Debug)]
struct Input {
    function: u8,
    content_type: u8,
    stranger: bool,
    body: Vec<u8>,
}

fuzz_target!(|input: Input| {
    let s = server();
    let name = FUNCTIONS[input.function as usize % FUNCTIONS.len()];
    let kind = TYPES[input.content_type as usize % TYPES.len()];
    let who = if input.stranger {
        reqwest::Client::new()
    } else {
        s.alice.clone()
    };
    let (status, body) = s.rt.block_on(post(&who, &s.base, name, kind, input.body));
    assert_handled(name, status, &body);
});
