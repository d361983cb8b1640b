//! The suite on PostgreSQL: with `BELFRY_TEST_POSTGRES` set (an admin URL
//! of the throwaway cluster `.ci/postgres` starts), every app a test starts
//! gets a database of its own in that cluster instead of a SQLite file.

use sqlx::{Connection, Executor, PgConnection};

pub fn admin_url() -> Option<String> {
    std::env::var("BELFRY_TEST_POSTGRES")
        .ok()
        .filter(|u| !u.trim().is_empty())
}

/// A new, empty database in the cluster; its URL.
pub async fn fresh_database(admin: &str) -> String {
    use rand::Rng;
    let name = format!("t{:016x}", rand::thread_rng().gen::<u64>());
    let mut conn = PgConnection::connect(admin)
        .await
        .expect("the test PostgreSQL cluster answers (BELFRY_TEST_POSTGRES)");
    conn.execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .expect("a test database is made");
    let _ = conn.close().await;
    let base = admin.rsplit_once('/').map_or(admin, |(base, _)| base);
    format!("{base}/{name}")
}
