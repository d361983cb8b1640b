//! Every server function, as the API's description (`server::openapi`)
//! and its bearer-token rule (`server::api_tokens::bearer`) know it: its arguments (the JSON
//! body's fields), its answer and who may call it. `described!` checks
//! each entry against the function when this compiles: the server
//! function's own argument struct is built from the listed arguments (so
//! their names and types are its fields, all of them), and the function is
//! called with them expecting the listed answer.

use axum::http::Method;
use schemars::JsonSchema;

use crate::calls::ids::{
    CallId, ChannelId, CommunityId, InvitationId, MessageId, StudioId, UserId,
};
use crate::contract::api_tokens::{ApiScope, ApiTokenView, ApiTokens, NewApiToken};
use crate::contract::boot::ChatOpen;
use crate::contract::call_types::{Answered, CallHistoryPage, CallState, CallView, RoomAccess};
use crate::contract::groups::GroupsOverview;
use crate::contract::invitations::{
    InvitationPreview, InvitationView, InvitationsOverview, NewInvitation,
};
use crate::contract::types::{
    ChannelDetail, ChannelSummary, MemberDirectory, MessagePage, MessageView, Role, Spaces,
    StudioDetail, UserView,
};
use crate::contract::webhooks::{NewWebhook, Webhooks};
use crate::contract::ApiError;
use crate::server::openapi::{Access, Operation};

/// Schema patterns for the rules the server checks on arguments, so that
/// what the document allows is what the server takes (the few rules no
/// schema can say, such as "a parish call needs invitees", stay in words).
const NOT_BLANK: &str = r"\S";
const USERNAME: &str = r"^\s*[A-Za-z0-9._-]{3,32}\s*$";

const READ: Access = Access::Token(ApiScope::Read);
const CALLS: Access = Access::Token(ApiScope::Calls);
const ADMIN: Access = Access::Token(ApiScope::Admin);
const SESSION: Access = Access::Session;
const VISITOR: Access = Access::Visitor;
const PUBLIC: Access = Access::Public;

/// The answer's schema: `()` answers JSON `null`.
fn answer<T: JsonSchema>(g: &mut schemars::generate::SchemaGenerator) -> schemars::Schema {
    g.subschema_for::<T>()
}

macro_rules! described {
    ($(
        $access:ident $module:ident :: $name:ident / $Args:ident
            ( $( $(#[$rule:meta])* $arg:ident : $ty:ty ),* ) -> $out:ty;
    )*) => {
        /// The server functions' operations.
        pub fn all() -> Vec<Operation> {
            vec![$({
                #[derive(JsonSchema)]
                #[schemars(inline)]
                #[allow(dead_code)]
                struct Body { $( $(#[$rule])* $arg: $ty ),* }
                Operation {
                    method: Method::POST,
                    path: concat!("/api/", stringify!($name)),
                    access: $access,
                    tag: stringify!($module),
                    summary: stringify!($name).replace('_', " "),
                    params: Vec::new(),
                    body: Some(|g| g.subschema_for::<Body>()),
                    answer: (200, Some(answer::<$out>)),
                    errors: &[400, 404, 409, 415, 503],
                }
            }),*]
        }

        /// Fails to compile when an entry does not match its function.
        #[allow(dead_code, unused_variables, clippy::too_many_arguments)]
        mod signatures {
            use super::*;
            use super::super as api;
            $(
                pub fn $name($($arg: $ty),*) -> (
                    api::$module::$Args,
                    impl std::future::Future<Output = Result<$out, ApiError>>,
                ) {
                    (
                        api::$module::$Args { $($arg: $arg.clone()),* },
                        api::$module::$name($($arg),*),
                    )
                }
            )*
        }
    };
}

described! {
    VISITOR accounts::sign_up/SignUp(#[schemars(regex(pattern = USERNAME))] username: String, #[schemars(regex(pattern = NOT_BLANK), length(max = 64))] display_name: String, #[schemars(length(min = 8, max = 256))] password: String, invite_code: Option<String>, invitation: Option<String>) -> UserView;
    VISITOR accounts::sign_in/SignIn(username: String, password: String) -> UserView;
    VISITOR accounts::sign_out/SignOut() -> ();
    PUBLIC accounts::current_user/CurrentUser() -> Option<UserView>;

    CALLS calls::initiate_call/InitiateCall(channel_id: ChannelId, invitees: Option<Vec<UserId>>) -> CallView;
    CALLS calls::answer_call/AnswerCall(call_id: CallId) -> CallView;
    CALLS calls::answer_and_join/AnswerAndJoin(call_id: CallId) -> Answered;
    CALLS calls::decline_call/DeclineCall(call_id: CallId) -> CallView;
    CALLS calls::cancel_call/CancelCall(call_id: CallId) -> CallView;
    CALLS calls::leave_call/LeaveCall(call_id: CallId) -> CallView;
    CALLS calls::end_call/EndCall(call_id: CallId) -> CallView;
    CALLS calls::add_participant/AddParticipant(call_id: CallId, user_id: UserId) -> CallView;
    CALLS calls::mute_participant/MuteParticipant(call_id: CallId, user_id: UserId, muted: Option<bool>) -> CallView;
    CALLS calls::remove_participant/RemoveParticipant(call_id: CallId, user_id: UserId) -> CallView;
    CALLS calls::call_token/CallToken(call_id: CallId) -> RoomAccess;
    READ calls::active_call/ActiveCall(channel_id: ChannelId) -> Option<CallView>;
    READ calls::incoming_calls/IncomingCalls() -> Vec<CallView>;
    READ calls::my_calls/MyCalls() -> CallState;
    READ calls::calls_page/CallsPage(linked: Option<CallId>) -> CallHistoryPage;
    READ calls::call_history/CallHistory(channel_id: Option<ChannelId>, before: Option<CallId>, #[schemars(range(min = 1, max = 100))] limit: Option<u32>) -> CallHistoryPage;
    ADMIN calls::remove_channel_member/RemoveChannelMember(channel_id: ChannelId, user_id: UserId) -> ();
    ADMIN calls::remove_studio_member/RemoveStudioMember(studio_id: StudioId, user_id: UserId) -> ();
    CALLS calls::join_studio_voice/JoinStudioVoice(studio_id: StudioId) -> RoomAccess;
    READ calls::missed_calls/MissedCalls() -> u32;
    CALLS calls::mark_calls_seen/MarkCallsSeen() -> ();
    READ calls::get_call/GetCall(call_id: CallId) -> CallView;

    READ chat::my_spaces/MySpaces() -> Spaces;
    READ chat::get_channel/GetChannel(channel_id: ChannelId) -> ChannelDetail;
    READ chat::open_chat/OpenChat(channel_id: ChannelId) -> ChatOpen;
    READ chat::list_messages/ListMessages(channel_id: ChannelId, before: Option<MessageId>, #[schemars(range(min = 1, max = 200))] limit: Option<u32>) -> MessagePage;
    ADMIN chat::send_message/SendMessage(channel_id: ChannelId, #[schemars(regex(pattern = NOT_BLANK), length(max = 4000))] body: String, #[schemars(length(min = 1, max = 64))] client_nonce: Option<String>) -> MessageView;
    ADMIN chat::mark_read/MarkRead(channel_id: ChannelId, message_id: MessageId) -> u32;
    ADMIN chat::open_direct_channel/OpenDirectChannel(user_id: UserId) -> ChannelSummary;
    ADMIN chat::create_group_channel/CreateGroupChannel(community_id: CommunityId, #[schemars(regex(pattern = NOT_BLANK), length(max = 64))] name: String, member_ids: Vec<UserId>) -> ChannelSummary;
    READ chat::community_members/CommunityMembers(community_id: CommunityId) -> Vec<UserView>;
    READ chat::people_page/PeoplePage() -> MemberDirectory;
    READ chat::get_studio/GetStudio(studio_id: StudioId) -> StudioDetail;

    ADMIN community::set_member_role/SetMemberRole(community_id: CommunityId, user_id: UserId, role: Role) -> ();
    ADMIN community::remove_community_member/RemoveCommunityMember(community_id: CommunityId, user_id: UserId) -> ();
    READ community::list_invitations/ListInvitations(community_id: CommunityId) -> InvitationsOverview;
    ADMIN community::create_invitation/CreateInvitation(community_id: CommunityId, #[schemars(extend("enum" = [24, 168, 720]))] hours: u32, #[schemars(range(min = 1, max = 100))] max_uses: u32) -> NewInvitation;
    ADMIN community::revoke_invitation/RevokeInvitation(invitation_id: InvitationId) -> InvitationView;
    PUBLIC community::preview_invitation/PreviewInvitation(code: String) -> InvitationPreview;
    ADMIN community::join_invitation/JoinInvitation(code: String) -> InvitationPreview;
    SESSION community::list_webhooks/ListWebhooks(community_id: CommunityId) -> Webhooks;
    SESSION community::create_webhook/CreateWebhook(community_id: CommunityId, url: String) -> NewWebhook;
    SESSION community::delete_webhook/DeleteWebhook(webhook_id: i64) -> ();

    READ groups::my_groups/MyGroups() -> GroupsOverview;
    ADMIN groups::rename_group/RenameGroup(channel_id: ChannelId, #[schemars(regex(pattern = NOT_BLANK), length(max = 64))] name: String) -> ChannelSummary;
    ADMIN groups::add_group_members/AddGroupMembers(channel_id: ChannelId, user_ids: Vec<UserId>) -> Vec<UserView>;
    ADMIN groups::archive_group/ArchiveGroup(channel_id: ChannelId, archived: bool) -> ChannelSummary;

    ADMIN profile::update_profile/UpdateProfile(#[schemars(regex(pattern = NOT_BLANK), length(max = 64))] display_name: String, #[schemars(extend("enum" = ["#1d4ed8", "#b91c1c", "#047857", "#7c3aed", "#b45309", "#be185d", "#0f766e", "#4338ca"]))] avatar_color: String) -> UserView;
    SESSION profile::change_password/ChangePassword(current: String, #[schemars(length(min = 8, max = 256))] new: String) -> u64;
    SESSION profile::sign_out_elsewhere/SignOutElsewhere() -> u64;
    SESSION profile::list_api_tokens/ListApiTokens() -> ApiTokens;
    SESSION profile::create_api_token/CreateApiToken(#[schemars(regex(pattern = NOT_BLANK), length(max = 60))] name: String, scope: ApiScope, #[schemars(extend("enum" = [7, 30, 90, 365, null]))] expires_in_days: Option<u32>) -> NewApiToken;
    SESSION profile::revoke_api_token/RevokeApiToken(token_id: i64) -> ApiTokenView;

    READ push::push_key/PushKey() -> String;
    SESSION push::push_subscribe/PushSubscribe(endpoint: String, p256dh: String, auth: String, device: String) -> ();
    SESSION push::push_unsubscribe/PushUnsubscribe(endpoint: String) -> bool;

    READ studios::studio_candidates/StudioCandidates(studio_id: StudioId) -> Vec<UserView>;
    ADMIN studios::add_studio_member/AddStudioMember(studio_id: StudioId, user_id: UserId) -> Vec<UserView>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_server_function_is_described_once() {
        let described: Vec<&str> = all().iter().map(|op| op.path).collect();
        let unique: std::collections::HashSet<&str> = described.iter().copied().collect();
        assert_eq!(unique.len(), described.len(), "no function twice");
        let registered: Vec<String> = leptos::server_fn::axum::server_fn_paths()
            .map(|(path, _)| path.to_string())
            .collect();
        assert!(registered.len() > 50, "the server functions are registered");
        for path in &registered {
            assert!(
                unique.contains(path.as_str()),
                "{path} has no entry in src/api/described.rs"
            );
        }
        assert_eq!(
            registered.len(),
            described.len(),
            "nothing described that is not served"
        );
    }

    #[test]
    fn token_management_is_the_sessions_alone_and_signing_in_the_visitors() {
        let session: std::collections::BTreeSet<&str> = all()
            .iter()
            .filter(|op| op.access == Access::Session)
            .map(|op| op.path.trim_start_matches("/api/"))
            .collect();
        let expected: std::collections::BTreeSet<&str> = [
            "change_password",
            "sign_out_elsewhere",
            "list_api_tokens",
            "create_api_token",
            "revoke_api_token",
            "push_subscribe",
            "push_unsubscribe",
            "list_webhooks",
            "create_webhook",
            "delete_webhook",
        ]
        .into_iter()
        .collect();
        assert_eq!(session, expected);
        let visitor: Vec<&str> = all()
            .iter()
            .filter(|op| op.access == Access::Visitor)
            .map(|op| op.path)
            .collect();
        assert_eq!(visitor, ["/api/sign_up", "/api/sign_in", "/api/sign_out"]);
    }
}
