//! The integration-test harness: `TestApp` starts the real server on an
//! ephemeral loopback port with a fresh SQLite file, and `Person` is a
//! signed-in HTTP client (cookies kept) that calls its API.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;

use belfry::contract::call_types::CallView;
use belfry::contract::events::LiveFrame;
use belfry::contract::ids::{ChannelId, StudioId, UserId};
use belfry::contract::types::{ChannelSummary, UserView};
use belfry::contract::ApiError;
use belfry::media::control::RecordingMedia;
use belfry::server::config::Config;
use belfry::server::state::AppState;
use belfry::server::{app, db};
use reqwest::cookie::{CookieStore, Jar};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use tempfile::TempDir;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

pub const PASSWORD: &str = "correct horse battery";

mod live_socket;
pub mod pg;
pub use live_socket::LiveSocket;

/// Another process's hold on a SQLite database's write lock (for tests of
/// writes that fail and are tried again), until it commits.
pub async fn sqlite_write_lock(url: &str) -> sqlx::SqliteConnection {
    use sqlx::Connection;
    let mut lock = sqlx::SqliteConnection::connect(url).await.unwrap();
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut lock)
        .await
        .unwrap();
    lock
}

/// A temporary folder, and a fresh database: a SQLite file in the folder,
/// or, when the suite runs on PostgreSQL, a new database in its cluster.
pub async fn fresh() -> (Arc<TempDir>, String) {
    let dir = Arc::new(tempfile::tempdir().expect("temp dir"));
    let url = match pg::admin_url() {
        Some(admin) => pg::fresh_database(&admin).await,
        None => format!("sqlite://{}", dir.path().join("belfry.db").display()),
    };
    (dir, url)
}

pub struct TestApp {
    pub addr: SocketAddr,
    pub state: AppState,
    /// Records the commands call control sends the media server (the
    /// embedded SFU still runs and reports who comes and goes).
    pub media: Arc<RecordingMedia>,
    /// The app's database: a SQLite file in `_dir`, or a fresh database in
    /// the test PostgreSQL cluster (`pg.rs`).
    pub database_url: String,
    _dir: Arc<TempDir>,
}

impl TestApp {
    pub async fn new() -> Self {
        Self::with_config(|_| {}).await
    }

    pub async fn with_config(adjust: impl FnOnce(&mut Config)) -> Self {
        let (dir, url) = fresh().await;
        Self::start(dir, url, adjust, false).await
    }

    /// An app on an existing database (another instance, or a restart).
    pub async fn start_on(database_url: String, adjust: impl FnOnce(&mut Config)) -> Self {
        let dir = Arc::new(tempfile::tempdir().expect("temp dir"));
        Self::start(dir, database_url, adjust, false).await
    }

    /// A second server process on this app's database (a restart).
    pub async fn restart(&self, adjust: impl FnOnce(&mut Config)) -> Self {
        Self::start(self._dir.clone(), self.database_url.clone(), adjust, false).await
    }

    /// The app with call control's commands going to the real SFU (evict,
    /// mute, close a room), as in production; `media` then records nothing.
    /// A second server process with its own embedded SFU on this app's
    /// database (a restart of a server that carries the audio).
    pub async fn restart_with_sfu(&self, adjust: impl FnOnce(&mut Config)) -> Self {
        Self::start(self._dir.clone(), self.database_url.clone(), adjust, true).await
    }

    pub async fn with_sfu(adjust: impl FnOnce(&mut Config)) -> Self {
        let (dir, url) = fresh().await;
        Self::start(dir, url, adjust, true).await
    }

    async fn start(
        dir: Arc<TempDir>,
        database_url: String,
        adjust: impl FnOnce(&mut Config),
        sfu: bool,
    ) -> Self {
        let mut config = Config::from_lookup(|_| None).expect("default config");
        config.database_url = database_url.clone();
        config.site_root = dir.path().join("site");
        // Each test's SFU on its own ephemeral loopback port.
        config.media.udp_bind = "127.0.0.1:0".parse().expect("addr");
        config.media.tcp_bind = Some("127.0.0.1:0".parse().expect("addr"));
        // Tests of something else never meet a rate limit; the limits' own
        // tests set them back (`tests/it/security/limits.rs`).
        config.limits = belfry::server::limits::LimitsConfig::generous();
        adjust(&mut config);
        let media = Arc::new(RecordingMedia::default());
        let state = if sfu {
            app::prepare(config).await
        } else {
            app::prepare_with_media(config, media.clone()).await
        }
        .expect("app starts");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let router = belfry::router(state.clone())
            .into_make_service_with_connect_info::<std::net::SocketAddr>();
        tokio::spawn(async move { axum::serve(listener, router).await });
        Self {
            addr,
            state,
            media,
            database_url,
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// A client with no session.
    pub fn visitor(&self) -> Person {
        let jar = Arc::new(Jar::default());
        let http = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .build()
            .expect("client");
        Person {
            http,
            jar,
            base: self.url(""),
            user: None,
        }
    }

    /// Signs up `username` (display name: capitalised) and returns them signed in.
    pub async fn person(&self, username: &str) -> Person {
        let mut p = self.visitor();
        let display = format!("{}{} Test", username[..1].to_uppercase(), &username[1..]);
        let user: UserView = p
            .ok(
                "sign_up",
                json!({"username": username, "display_name": display, "password": PASSWORD}),
            )
            .await;
        p.user = Some(user);
        p
    }
}

/// A parish of four (alice the admin, bob, carol, dave), with the parish
/// hall, a "Choir" group (alice, bob, carol), a direct channel alice-bob, and
/// a studio (alice, carol).
pub struct Parish {
    pub app: TestApp,
    pub alice: Person,
    pub bob: Person,
    pub carol: Person,
    pub dave: Person,
    pub hall: ChannelId,
    pub choir: ChannelId,
    pub direct: ChannelId,
    pub studio: StudioId,
}

impl Parish {
    pub async fn new() -> Self {
        Self::in_app(TestApp::new().await).await
    }

    /// The same parish on an app configured by the test.
    pub async fn in_app(app: TestApp) -> Self {
        let alice = app.person("alice").await;
        let bob = app.person("bob").await;
        let carol = app.person("carol").await;
        let dave = app.person("dave").await;
        let spaces: Value = alice.ok("my_spaces", json!({})).await;
        let community = spaces["communities"][0]["id"]
            .as_i64()
            .expect("a community");
        // bob coordinates; carol and dave are plain members.
        let role = belfry::contract::types::Role::Coordinator;
        let id = belfry::contract::ids::CommunityId(community);
        db::communities::add_member(&app.state.db, id, bob.id(), role)
            .await
            .expect("bob coordinates");
        let hall = ChannelId(
            spaces["channels"][0]["id"]
                .as_i64()
                .expect("the parish hall"),
        );
        let choir: ChannelSummary = alice
            .ok(
                "create_group_channel",
                json!({"community_id": community, "name": "Choir", "member_ids": [bob.id(), carol.id()]}),
            )
            .await;
        let direct: ChannelSummary = alice
            .ok("open_direct_channel", json!({"user_id": bob.id()}))
            .await;
        let db = &app.state.db;
        let studio = db::studios::insert(db, "Studio A", alice.id())
            .await
            .expect("studio");
        db::studios::add_member(db, studio, alice.id(), true)
            .await
            .expect("owner");
        db::studios::add_member(db, studio, carol.id(), false)
            .await
            .expect("member");
        Self {
            app,
            alice,
            bob,
            carol,
            dave,
            hall,
            choir: choir.id,
            direct: direct.id,
            studio,
        }
    }
}

impl Parish {
    /// A choir call alice started and bob and carol answered.
    /// Alice (an admin) takes `who` out of the parish, `community`.
    pub async fn remove_from_parish(&self, community: impl serde::Serialize, who: &Person) {
        let () = self
            .alice
            .ok(
                "remove_community_member",
                json!({"community_id": community, "user_id": who.id()}),
            )
            .await;
    }

    pub async fn choir_call_all_in(&self) -> CallView {
        let call: CallView = self
            .alice
            .ok("initiate_call", json!({"channel_id": self.choir}))
            .await;
        for who in [&self.bob, &self.carol] {
            let _: CallView = who.ok("answer_call", json!({"call_id": call.id})).await;
        }
        call
    }
}

#[derive(Clone)]
pub struct Person {
    pub http: reqwest::Client,
    pub jar: Arc<Jar>,
    pub base: String,
    pub user: Option<UserView>,
}

impl Person {
    pub fn id(&self) -> UserId {
        self.user.as_ref().expect("signed in").id
    }

    /// POSTs raw bytes to a server function.
    pub async fn post_raw(&self, name: &str, body: impl Into<reqwest::Body>) -> reqwest::Response {
        self.http
            .post(format!("{}/api/{name}", self.base))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("request sent")
    }

    /// Calls a server function: Ok(value) on 2xx, Err((status, error)) otherwise.
    pub async fn call<T: DeserializeOwned>(
        &self,
        name: &str,
        args: Value,
    ) -> Result<T, (u16, ApiError)> {
        let res = self.post_raw(name, args.to_string()).await;
        let status = res.status().as_u16();
        let text = res.text().await.expect("body");
        if (200..300).contains(&status) {
            Ok(serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{name}: bad body {text:?}: {e}")))
        } else {
            let err = serde_json::from_str(&text).unwrap_or_else(|e| {
                panic!("{name}: {status} without an ApiError body {text:?}: {e}")
            });
            Err((status, err))
        }
    }

    pub async fn ok<T: DeserializeOwned>(&self, name: &str, args: Value) -> T {
        match self.call(name, args.clone()).await {
            Ok(v) => v,
            Err((status, e)) => panic!("{name}({args}) failed with {status}: {e:?}"),
        }
    }

    /// The newest message in a channel.
    pub async fn last_message(&self, channel: ChannelId) -> belfry::contract::types::MessageView {
        let page: belfry::contract::types::MessagePage = self
            .ok("list_messages", json!({"channel_id": channel}))
            .await;
        page.messages
            .last()
            .cloned()
            .expect("the channel has messages")
    }

    /// Calls a server function that must fail; returns its status and error.
    pub async fn fails(&self, name: &str, args: Value) -> (u16, ApiError) {
        match self.call::<Value>(name, args.clone()).await {
            Ok(v) => panic!("{name}({args}) should have failed, got {v}"),
            Err(e) => e,
        }
    }

    pub fn cookie_header(&self) -> Option<String> {
        let url = self.base.parse().expect("url");
        self.jar
            .cookies(&url)
            .map(|v| v.to_str().expect("ascii").to_string())
    }

    /// An open live stream with its hello already read.
    pub async fn listen(&self) -> LiveSocket {
        let mut socket = self.live("").await.expect("live stream");
        assert!(matches!(socket.next().await, LiveFrame::Hello { .. }));
        socket
    }

    /// Opens the live event stream (`query` like "?epoch=1&after=2").
    pub async fn live(
        &self,
        query: &str,
    ) -> Result<LiveSocket, tokio_tungstenite::tungstenite::Error> {
        let url = format!("{}/api/events{query}", self.base.replacen("http", "ws", 1));
        let mut req = url.into_client_request()?;
        if let Some(cookie) = self.cookie_header() {
            req.headers_mut()
                .insert("cookie", cookie.parse().expect("header"));
        }
        let (socket, _) = tokio_tungstenite::connect_async(req).await?;
        Ok(LiveSocket { socket })
    }
}
