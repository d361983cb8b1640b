//! `belfry backup PATH`: a consistent copy of the running server's SQLite
//! database, safe to take while calls go on (README, "Backups").

use std::path::Path;

use super::config::Config;
use super::db;

/// Copies the database named by `BELFRY_DATABASE_URL` to `to`; returns
/// what to tell the person who ran it.
pub async fn run(config: &Config, to: &str) -> Result<String, String> {
    if to.trim().is_empty() {
        return Err("name the file to write: belfry backup PATH".into());
    }
    let url = &config.database_url;
    if url.starts_with("sqlite:") {
        let file = url
            .trim_start_matches("sqlite:")
            .trim_start_matches("//")
            .split('?')
            .next()
            .unwrap_or_default();
        if !file.contains(":memory:") && !Path::new(file).exists() {
            return Err(format!(
                "there is no database at {file} (BELFRY_DATABASE_URL)"
            ));
        }
    }
    let database = db::connect(url).await?;
    let to = Path::new(to);
    let bytes = db::backup::backup(&database, to).await;
    database.close().await;
    Ok(format!("backed up {} bytes to {}", bytes?, to.display()))
}
