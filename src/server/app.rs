//! The HTTP application: routes, middleware, start-up and shutdown.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::handler::Handler;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{any, get};
use axum::Router;
use leptos::config::LeptosOptions;
use leptos::prelude::{provide_context, use_context, IntoView};
use leptos::server_fn::error::SERVER_FN_ERROR_HEADER;
use leptos_axum::LeptosRoutes;
use tower::ServiceBuilder;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use super::config::Config;
use super::error::AppError;
use super::live::LiveHub;
use super::push::{self, Push};
use super::sign_in_code::SignInCode;
use super::state::AppState;
use super::{
    boot, calls, compression, db, live_socket, media_link, rtc_routes, seed, voice_routes,
};
use crate::contract::{wire, ApiError, ErrorKind};
use crate::media::control::MediaControl;
use tokio::sync::mpsc;

/// Largest request body a server function accepts.
const MAX_BODY: usize = 64 * 1024;

/// Opens the database, migrates, seeds, starts the media side (the
/// embedded SFU, or the link to a LiveKit server) and builds the shared
/// state.
pub async fn prepare(config: Config) -> Result<AppState, String> {
    build(config, None).await
}

/// `prepare`, with the given stand-in behind call control's commands (the
/// SFU still runs and reports who comes and goes).
pub async fn prepare_with_media(
    config: Config,
    media: Arc<dyn MediaControl>,
) -> Result<AppState, String> {
    build(config, Some(media)).await
}

async fn build(
    config: Config,
    stand_in: Option<Arc<dyn MediaControl>>,
) -> Result<AppState, String> {
    let db = db::connect(&config.database_url).await?;
    db::migrate(&db).await?;
    spawn_checkpoints(&db);
    if config.demo {
        seed::demo(&db, config.demo_password.as_deref())
            .await
            .map_err(|e| format!("seeding the demo: {e}"))?;
    }
    seed::ensure_community(&db, &config.community_name)
        .await
        .map_err(|e| format!("creating the community: {e}"))?;
    let leptos = LeptosOptions::builder()
        .output_name("belfry")
        .site_root(config.site_root.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .site_addr(config.addr)
        .build();
    let keys = calls::rooms::media_keys(&db, &config).await?;
    let (presence, comings_and_goings) = mpsc::unbounded_channel();
    let media = media_link::start(&config, &keys, presence.clone()).await?;
    let push = Push::start(&db, config.push.clone(), config.ring_timeout.as_secs()).await?;
    let epoch = db::now_ms() as u64;
    let sign_in_code = Arc::new(SignInCode::read(&config.site_root));
    super::hashing::configure(config.limits.password_hashes);
    let limits = Arc::new(super::limits::Limits::new(config.limits.clone()));
    let state = AppState {
        db,
        live: Arc::new(LiveHub::new(epoch)),
        config: Arc::new(config),
        leptos,
        media: stand_in.unwrap_or(media.control),
        keys,
        people: Arc::default(),
        sessions: Arc::default(),
        push,
        host: media.host,
        livekit: media.livekit,
        presence,
        sign_in_code,
        limits,
        webhooks: Arc::default(),
        stopping: Default::default(),
    };
    // Start-up reconciliation is safe beside other instances: it expires
    // overdue rings and ends only active calls nobody is connected to,
    // which no instance is serving; versioned writes dedupe the rest.
    calls::timers::reconcile(&state).await?;
    calls::rejoin::await_returns(state.clone());
    calls::presence::follow(state.clone(), comings_and_goings);
    super::webhooks::deliver::start(state.clone());
    if let db::Db::Postgres(pool) = &state.db {
        // Other instances may share this database: their live events reach
        // this instance's tabs, and rings they set time out here too.
        let instance = rand::random::<u64>();
        super::live_relay::start(pool.clone(), state.live.clone(), instance).await?;
        state.push.tabs.share(pool.clone(), instance as i64);
        calls::timers::sweep_overdue(state.clone());
    }
    if state.livekit.is_some() {
        calls::media_reconcile::start(state.clone());
    }
    Ok(state)
}

/// The app's page shell, which the server renders without knowing the app
/// (`crate::router` hands it `app::shell`).
pub type Shell<V> = fn(LeptosOptions) -> V;

/// The server functions' descriptions (`api::described::all`), which the
/// server cannot name: the OpenAPI document and API tokens' scopes.
pub type ServerFns = fn() -> Vec<super::openapi::Operation>;

pub fn router<V: IntoView + 'static>(
    state: AppState,
    shell: Shell<V>,
    server_fns: ServerFns,
) -> Router {
    super::openapi::describe_server_fns(server_fns);
    let leptos = state.leptos.clone();
    let app = move || shell(leptos.clone());
    let page_state = state.clone();
    let context = move || {
        provide_context(page_state.clone());
        // A page request carries its boot data (`boot::attach`).
        let boot = use_context::<http::request::Parts>().and_then(|parts| {
            parts
                .extensions
                .get::<crate::contract::boot::Boot>()
                .cloned()
        });
        if let Some(boot) = boot {
            provide_context(boot);
        }
    };
    // Every address that is not a file or an API is the app's: it says
    // which page that is (`app::router`), and "not found" with a 404.
    // A page carries its reader's data (the boot data, the messages it is
    // rendered with): browsers may keep it, asking each time whether it is
    // current, but no shared cache on the way may.
    let pages = leptos_axum::render_app_to_stream_with_context(context.clone(), app.clone())
        .layer(middleware::from_fn_with_state(state.clone(), boot::attach))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-cache"),
        ));
    // The site's files (WASM, JS, CSS, icons) in the compressed copy the
    // browser accepts, answering "has it changed?" with a 304; anything else
    // is a page.
    //
    // The files keep their names from one release to the next, so the
    // browser must ask each time whether its copy is still current. Left to
    // guess from Last-Modified, it would keep an old WASM for hours after an
    // upgrade, against a server that renders pages for the new one, and
    // hydration would fail. Which copy is sent depends on Accept-Encoding,
    // so caches on the way must key on it.
    let site_files = ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::VARY,
            HeaderValue::from_static("accept-encoding"),
        ))
        .service(
            ServeDir::new(&state.config.site_root)
                .precompressed_gzip()
                .precompressed_br()
                .append_index_html_on_directories(false)
                .fallback(pages.with_state(state.clone())),
        );
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .route("/metrics", get(super::metrics::metrics))
        .route("/api/events", get(live_socket::events))
        .merge(voice_routes::routes())
        .merge(super::openapi::routes())
        .merge(rtc_routes::routes())
        .merge(super::room_service_routes::routes())
        .merge(super::livekit_webhook::routes())
        .merge(push::routes::routes())
        .route("/api/{*rest}", any(unknown_api))
        // Every server function at /api/<name>, with the pages' context
        // (this also starts Leptos's executor). No page routes are listed:
        // the pages are the fallback's (above).
        .leptos_routes_with_context(&state, Vec::new(), context, app)
        .fallback_service(site_files)
        .layer(middleware::from_fn(server_fn_status))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            super::api_tokens::bearer::layer,
        ))
        .layer(middleware::from_fn(super::cross_site::guard))
        .layer(middleware::from_fn(outdated_wire))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            preload_sign_in_code,
        ))
        .layer(RequestBodyLimitLayer::new(MAX_BODY))
        .layer(middleware::from_fn(security_headers))
        .layer(middleware::from_fn(compression::mark))
        .layer(compression::layer())
        .with_state(state)
}

async fn unknown_api() -> AppError {
    AppError::not_found("No such API endpoint.")
}

/// Server functions report failure as a 500 whose body is the encoded error.
/// Ours is an `ApiError` that knows its status: give the response that status,
/// so a bad request is a 400, not a 500.
async fn server_fn_status(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    let from_server_fn = res.headers().contains_key(SERVER_FN_ERROR_HEADER);
    if res.status() != StatusCode::INTERNAL_SERVER_ERROR || !from_server_fn {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_BODY)
        .await
        .unwrap_or_default();
    // The error is in the form the request asked for (`api::wire`), and
    // labelled so.
    let postcard = wire::headers_ask(&parts.headers, header::CONTENT_TYPE) == wire::Asks::Postcard;
    let err = if postcard {
        wire::from_postcard::<ApiError>(&bytes).ok()
    } else {
        serde_json::from_slice::<ApiError>(&bytes).ok()
    };
    if let Some(err) = err {
        parts.status =
            StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// A tab still running an earlier build asks for postcard in that build's
/// layout (`api::wire`): answer, in the one part of the layout every build
/// shares, that it must reload, rather than run a request whose answer it
/// would misread.
async fn outdated_wire(req: Request, next: Next) -> Response {
    let outdated = req.uri().path().starts_with("/api/")
        && [header::ACCEPT, header::CONTENT_TYPE]
            .into_iter()
            .any(|name| wire::headers_ask(req.headers(), name) == wire::Asks::OtherLayout);
    if !outdated {
        return next.run(req).await;
    }
    let err = ApiError::new(
        ErrorKind::Conflict,
        "Belfry has been updated. Reload this page to carry on.",
    );
    let body = postcard::to_allocvec(&err).unwrap_or_default();
    let mut res = Response::new(Body::from(body));
    *res.status_mut() = StatusCode::CONFLICT;
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(wire::POSTCARD),
    );
    res
}

/// The sign-in pages hydrate only with their own chunk: the browser is told
/// to fetch it beside the main WASM, not after it.
async fn preload_sign_in_code(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let sign_in_page = matches!(req.uri().path(), "/signin" | "/signup");
    let mut res = next.run(req).await;
    if sign_in_page && res.status().is_success() {
        if let Some(link) = state.sign_in_code.preload() {
            res.headers_mut().append(header::LINK, link);
        }
    }
    res
}

async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    res
}

/// Runs until Ctrl-C or SIGTERM.
pub async fn run<V: IntoView + 'static>(
    config: Config,
    shell: Shell<V>,
    server_fns: ServerFns,
) -> Result<(), String> {
    let addr = config.addr;
    let state = prepare(config).await?;
    spawn_housekeeping(state.clone());
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let local: SocketAddr = listener.local_addr().map_err(|e| e.to_string())?;
    tracing::info!("Belfry is listening on http://{local}");
    // The peer's address is kept for the limits keyed by address.
    let app = router(state.clone(), shell, server_fns)
        .into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown_signal().await;
            drain(&state).await;
        })
        .await
        .map_err(|e| format!("server error: {e}"))
}

/// The server is stopping: refuse new calls, tell tabs and everyone in a
/// room to reconnect, and give those goodbyes a moment (`stopping.rs`).
pub async fn drain(state: &AppState) {
    super::stopping::drain(&state.stopping, state.host.as_ref()).await;
}

/// SQLite's checkpoint, every second for as long as the runtime runs.
fn spawn_checkpoints(db: &db::Db) {
    if !matches!(db, db::Db::Sqlite(_)) {
        return;
    }
    let db = db.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = db::checkpoint(&db).await {
                tracing::warn!("checkpointing the database: {e}");
            }
        }
    });
}

/// Periodic clean-up: expired sessions, idle live feeds.
pub fn spawn_housekeeping(state: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            state.live.sweep();
            state.limits.sweep();
            if let Err(e) = db::sessions::delete_expired(&state.db).await {
                tracing::warn!("clearing expired sessions: {e}");
            }
        }
    });
}

pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}

/// `/readyz`: 200 when this instance can serve calls (its database answers
/// within 2 s, and its embedded media server, if it runs one, is running),
/// else 503; the JSON says which part is not. `/healthz` only says the
/// process is up.
async fn ready(State(state): State<AppState>) -> Response {
    let database = matches!(
        tokio::time::timeout(Duration::from_secs(2), super::db::ping(&state.db)).await,
        Ok(Ok(()))
    );
    let media = state.host.as_ref().is_none_or(|h| h.server.running());
    let word = |ok: bool| if ok { "ok" } else { "unavailable" };
    let status = if database && media {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = serde_json::json!({"database": word(database), "media": word(media)});
    axum::response::IntoResponse::into_response((status, axum::Json(body)))
}
