//! `belfry backup PATH`: a consistent copy of the running server's SQLite
//! database, safe to take while calls go on (README, "Backups").

use std::path::Path;
use std::str::FromStr;

use sqlx::sqlite::SqliteConnectOptions;

use super::config::Config;
use super::db;

/// Copies the database named by `BELFRY_DATABASE_URL` to `to`; returns
/// what to tell the person who ran it.
pub async fn run(config: &Config, to: &str) -> Result<String, String> {
    if to.trim().is_empty() {
        return Err("name the file to write: belfry backup PATH".into());
    }
    let url = &config.database_url;
    // The file SQLite would open, read as the server reads the URL: a
    // backup of a database that is not there is refused, not made empty.
    let sqlite = url.starts_with("sqlite:") && !url.contains(":memory:");
    if let Some(options) = sqlite
        .then(|| SqliteConnectOptions::from_str(url).ok())
        .flatten()
    {
        let file = options.get_filename();
        if !file.exists() {
            return Err(format!(
                "there is no database at {} (BELFRY_DATABASE_URL)",
                file.display()
            ));
        }
    }
    let database = db::connect(url).await?;
    let to = Path::new(to);
    let bytes = db::backup::backup(&database, to).await;
    database.close().await;
    Ok(format!("backed up {} bytes to {}", bytes?, to.display()))
}
