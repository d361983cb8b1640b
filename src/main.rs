//! The Belfry server: configuration from the environment, database, serve.

use belfry::server::{app, config::Config, media_role};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(message) => {
            eprintln!("belfry: configuration error: {message}");
            std::process::exit(2);
        }
    };
    belfry::server::telemetry::init(&config.log_filter);
    // `belfry media` (or BELFRY_ROLE=media): only the media server.
    let role = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("BELFRY_ROLE").ok());
    let ran = match role.as_deref() {
        None | Some("" | "app") => app::run(config, belfry::app::shell).await,
        Some("media") => media_role::run(config).await,
        Some(other) => Err(format!(
            "unknown role {other:?}: run `belfry` for the app or `belfry media` for the media server only"
        )),
    };
    if let Err(err) = ran {
        tracing::error!("belfry stopped: {err}");
        eprintln!("belfry: {err}");
        std::process::exit(1);
    }
}
