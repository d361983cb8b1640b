//! The Belfry server: configuration from the environment, database, serve.

use belfry::server::{app, backup, config::Config, media_role};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    // `belfry openapi`: the API's description, needing no configuration.
    if std::env::args().nth(1).as_deref() == Some("openapi") {
        println!("{:#}", belfry::api_document());
        return;
    }
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(message) => {
            eprintln!("belfry: configuration error: {message}");
            std::process::exit(2);
        }
    };
    belfry::server::telemetry::init(&config.log_filter, config.log_format);
    // `belfry media` (or BELFRY_ROLE=media): only the media server.
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("backup") {
        match backup::run(&config, args.get(2).map_or("", String::as_str)).await {
            Ok(said) => println!("belfry: {said}"),
            Err(err) => {
                eprintln!("belfry backup: {err}");
                std::process::exit(1);
            }
        }
        return;
    }
    let role = args
        .get(1)
        .cloned()
        .or_else(|| std::env::var("BELFRY_ROLE").ok());
    let ran = match role.as_deref() {
        None | Some("" | "app") => app::run(config, belfry::app::shell, belfry::api::described::all).await,
        Some("media") => media_role::run(config).await,
        Some(other) => Err(format!(
            "unknown role {other:?}: run `belfry` for the app, `belfry media` for the media server only, `belfry backup PATH`, or `belfry openapi`"
        )),
    };
    if let Err(err) = ran {
        tracing::error!("belfry stopped: {err}");
        eprintln!("belfry: {err}");
        std::process::exit(1);
    }
}
