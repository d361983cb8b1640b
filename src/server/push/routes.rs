//! The push endpoints a page (or its service worker) calls:
//! `GET /api/push/key`, `POST /api/push/subscribe`,
//! `POST /api/push/unsubscribe`; and `GET /sw.js`, the service worker
//! stamped with this build's version.

use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::devices::{self, DeviceSubscription};
use crate::server::auth;
use crate::server::error::{AppError, AppResult};
use crate::server::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/push/key", get(key))
        .route("/api/push/subscribe", post(subscribe))
        .route("/api/push/unsubscribe", post(unsubscribe))
        .route("/sw.js", get(service_worker))
}

#[derive(Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Key {
    pub public_key: String,
}

/// The server's VAPID public key, for `pushManager.subscribe`.
async fn key(State(state): State<AppState>, headers: HeaderMap) -> AppResult<Json<Key>> {
    auth::authenticate(&state, &headers).await?;
    Ok(Json(Key {
        public_key: state.push.public_key().to_string(),
    }))
}

#[derive(Deserialize, schemars::JsonSchema)]
pub(crate) struct Keys {
    pub p256dh: String,
    pub auth: String,
}

/// `PushSubscription.toJSON()`, plus the device id the page keeps.
#[derive(Deserialize, schemars::JsonSchema)]
pub(crate) struct NewSubscription {
    pub endpoint: String,
    pub keys: Keys,
    pub device: String,
}

#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct Subscribed {
    pub subscribed: bool,
}

fn json_body<T>(body: Result<Json<T>, JsonRejection>, shape: &str) -> AppResult<T> {
    body.map(|Json(v)| v).map_err(|e| {
        AppError::bad_request(format!("Expected JSON like {shape}: {}", e.body_text()))
    })
}

async fn subscribe(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Json<NewSubscription>, JsonRejection>,
) -> AppResult<Json<Subscribed>> {
    let me = auth::authenticate(&state, &headers).await?;
    let s = json_body(
        body,
        r#"{"endpoint":…,"keys":{"p256dh":…,"auth":…},"device":…}"#,
    )?;
    let device = DeviceSubscription {
        endpoint: &s.endpoint,
        p256dh: &s.keys.p256dh,
        auth: &s.keys.auth,
        device: &s.device,
    };
    devices::subscribe(&state, me.user.id, device).await?;
    Ok(Json(Subscribed { subscribed: true }))
}

#[derive(Deserialize, schemars::JsonSchema)]
pub(crate) struct Unsubscribe {
    pub endpoint: String,
}

#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct Removed {
    pub removed: bool,
}

async fn unsubscribe(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Json<Unsubscribe>, JsonRejection>,
) -> AppResult<Json<Removed>> {
    let me = auth::authenticate(&state, &headers).await?;
    let u = json_body(body, r#"{"endpoint":…}"#)?;
    Ok(Json(Removed {
        removed: devices::unsubscribe(&state, me.user.id, &u.endpoint).await?,
    }))
}

/// The service worker, with `__BELFRY_VERSION__` replaced by a digest of
/// the files it caches, so every new build installs afresh and drops the
/// old cache, and `__BELFRY_SIGN_IN_CODE__` by the sign-in page's chunk
/// (its name changes with each build). Never cached by HTTP itself.
async fn service_worker(State(state): State<AppState>) -> Response {
    let script = state
        .push
        .service_worker
        .get_or_init(|| {
            // Read once, off the async threads (a slow disk must not hold
            // up other requests).
            let root = state.config.site_root.clone();
            let sign_in = serde_json::to_string(state.sign_in_code.paths()).expect("strings");
            async move {
                tokio::task::spawn_blocking(move || build_service_worker(&root, &sign_in))
                    .await
                    .ok()
                    .flatten()
            }
        })
        .await;
    match script {
        Some(js) => (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/javascript; charset=utf-8"),
                ),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            ],
            js.clone(),
        )
            .into_response(),
        None => AppError::not_found("No service worker in this build.").into_response(),
    }
}

/// The service worker as served: the template in `root` with this build's
/// version and sign-in chunks written in.
fn build_service_worker(root: &std::path::Path, sign_in: &str) -> Option<String> {
    let template = std::fs::read_to_string(root.join("sw.js")).ok()?;
    let mut digest = Sha256::new();
    for file in [
        "pkg/belfry.js",
        "pkg/__wasm_split.js",
        "pkg/belfry_bg.wasm",
        "pkg/belfry.wasm",
        "pkg/belfry.css",
        "pkg/pages.css",
    ] {
        if let Ok(bytes) = std::fs::read(root.join(file)) {
            digest.update(&bytes);
        }
    }
    digest.update(template.as_bytes());
    let version = B64.encode(&digest.finalize()[..9]);
    Some(
        template
            .replace("__BELFRY_VERSION__", &version)
            .replace("__BELFRY_SIGN_IN_CODE__", sign_in),
    )
}
