//! The REST routes, as the API describes them. Their handlers answer the
//! same types named here (`voice_shapes`, `push::routes`).

use axum::http::Method;
use schemars::{generate::SchemaGenerator, JsonSchema, Schema};

use super::{Access, Operation, Param};
use crate::calls::ids::{CallId, StudioId};
use crate::contract::api_tokens::ApiScope;
use crate::contract::call_types::RoomAccess;
use crate::server::push::routes::{Key, NewSubscription, Removed, Subscribed, Unsubscribe};
use crate::server::voice_shapes::{Active, CallToken, Deleted};

fn schema<T: JsonSchema>(g: &mut SchemaGenerator) -> Schema {
    g.subschema_for::<T>()
}

fn studio_param() -> Param {
    Param {
        name: "id",
        place: "path",
        schema: schema::<StudioId>,
        description: "The studio's id.",
    }
}

pub fn all() -> Vec<Operation> {
    let op = |method, path, access, tag, summary: &str| Operation {
        method,
        path,
        access,
        tag,
        summary: summary.into(),
        params: Vec::new(),
        body: None,
        answer: (200, None),
        errors: &[],
    };
    vec![
        Operation {
            answer: (200, Some(schema::<Active>)),
            ..op(
                Method::GET,
                "/api/voice/active",
                Access::Token(ApiScope::Read),
                "voice",
                "The newest call ringing me, or null (the polling fallback for clients without the live stream)",
            )
        },
        Operation {
            params: vec![Param {
                name: "callId",
                place: "query",
                schema: schema::<CallId>,
                description: "The call's id.",
            }],
            answer: (200, Some(schema::<CallToken>)),
            errors: &[400, 404, 409, 503],
            ..op(
                Method::GET,
                "/api/voice/token",
                Access::Token(ApiScope::Calls),
                "voice",
                "A 10-minute LiveKit token for a live call's room I may join, and the media server's URL",
            )
        },
        Operation {
            params: vec![studio_param()],
            answer: (200, Some(schema::<RoomAccess>)),
            errors: &[400, 404, 409, 503],
            ..op(
                Method::POST,
                "/api/studio/{id}/voice",
                Access::Token(ApiScope::Calls),
                "voice",
                "Gets or opens the studio's drop-in voice room, with a token for it (members only)",
            )
        },
        Operation {
            params: vec![studio_param()],
            answer: (200, Some(schema::<Deleted>)),
            errors: &[400, 404, 503],
            ..op(
                Method::DELETE,
                "/api/studio/{id}/voice",
                Access::Token(ApiScope::Calls),
                "voice",
                "Closes the studio's voice room (its owner, or whoever opened it)",
            )
        },
        Operation {
            answer: (101, None),
            errors: &[400, 405, 426],
            ..op(
                Method::GET,
                "/api/events",
                Access::Token(ApiScope::Read),
                "live",
                "The live event stream: a WebSocket (JSON frames) of calls, messages and changes that concern me",
            )
        },
        Operation {
            answer: (200, Some(schema::<Key>)),
            ..op(
                Method::GET,
                "/api/push/key",
                Access::Session,
                "push",
                "The server's VAPID public key, for pushManager.subscribe",
            )
        },
        Operation {
            body: Some(schema::<NewSubscription>),
            answer: (200, Some(schema::<Subscribed>)),
            errors: &[400, 415],
            ..op(
                Method::POST,
                "/api/push/subscribe",
                Access::Session,
                "push",
                "Subscribes this device to Web Push (PushSubscription.toJSON() plus the device id)",
            )
        },
        Operation {
            body: Some(schema::<Unsubscribe>),
            answer: (200, Some(schema::<Removed>)),
            errors: &[400, 415],
            ..op(
                Method::POST,
                "/api/push/unsubscribe",
                Access::Session,
                "push",
                "Removes a Web Push subscription of mine",
            )
        },
        Operation {
            answer: (200, Some(|_| schemars::json_schema!({"type": "object"}))),
            ..op(
                Method::GET,
                "/api/openapi.json",
                Access::Public,
                "meta",
                "This document",
            )
        },
    ]
}
