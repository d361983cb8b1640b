//! A consistent copy of a SQLite database while Belfry runs (`VACUUM
//! INTO`: one read transaction, so the copy is the database as it was at
//! one moment, compacted, and writers are not held up). PostgreSQL has its
//! own tools (`pg_dump`).

use std::path::Path;

use super::Db;

/// Writes the copy to `to`, a file that must not exist yet; returns its
/// size in bytes.
pub async fn backup(db: &Db, to: &Path) -> Result<u64, String> {
    let pool = match db {
        Db::Sqlite(db) => &db.pool,
        Db::Postgres(_) => {
            return Err(
                "this database is PostgreSQL: back it up with pg_dump (README, \"Backups\")".into(),
            )
        }
    };
    if to.exists() {
        return Err(format!(
            "{} already exists: name a new file, so no earlier backup is overwritten",
            to.display()
        ));
    }
    if let Some(dir) = to.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create the folder {}: {e}", dir.display()))?;
    }
    let path = to
        .to_str()
        .ok_or_else(|| format!("{} is not a UTF-8 path", to.display()))?;
    sqlx::query("VACUUM INTO $1")
        .bind(path)
        .execute(pool)
        .await
        .map_err(|e| format!("cannot write the backup to {}: {e}", to.display()))?;
    std::fs::metadata(to)
        .map(|m| m.len())
        .map_err(|e| format!("the backup at {} cannot be read: {e}", to.display()))
}
