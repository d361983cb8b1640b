//! The Belfry server: configuration from the environment, database, serve.

use belfry::server::{app, config::Config};

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
    if let Err(err) = app::run(config, belfry::app::shell).await {
        tracing::error!("belfry stopped: {err}");
        eprintln!("belfry: {err}");
        std::process::exit(1);
    }
}
