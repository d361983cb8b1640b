//! SQLite's readers: a few connections held out of sqlx's pool, lent to
//! one statement at a time.
//!
//! sqlx pings a connection each time it goes back to its pool: for SQLite a
//! second trip to the connection's thread (two more context switches) for
//! every statement, which `make bench` showed to be a large share of a
//! call's cost on two cores. A connection lent from here comes back without
//! one. What a ping was for, a connection left mid-statement by a dropped
//! future, does not arise: SQLite's connection thread runs each command to
//! its end (or stops it once nobody reads its rows) before the next.
//! Transactions (`begin`) still go through the pool.

use std::sync::{Arc, Mutex};

use futures::future::BoxFuture;
use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};
use sqlx::pool::PoolConnection;
use sqlx::sqlite::{SqliteQueryResult, SqliteRow, SqliteStatement, SqliteTypeInfo};
use sqlx::{Either, Execute, Executor, Sqlite, SqliteConnection, SqlitePool, Transaction};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Connections for statements outside the calls' write turn.
#[derive(Debug)]
pub struct Readers {
    pool: SqlitePool,
    idle: Mutex<Vec<PoolConnection<Sqlite>>>,
    /// One per connection lent; none (and every statement goes through the
    /// pool) when `held` is 0.
    permits: Arc<Semaphore>,
    held: usize,
}

/// A connection lent for one statement.
enum Lease<'a> {
    Held {
        conn: Option<PoolConnection<Sqlite>>,
        home: &'a Readers,
        _permit: OwnedSemaphorePermit,
    },
    Pooled(PoolConnection<Sqlite>),
}

impl Lease<'_> {
    fn conn(&mut self) -> &mut SqliteConnection {
        match self {
            Lease::Held { conn, .. } => conn.as_mut().expect("a lease holds its connection"),
            Lease::Pooled(conn) => conn,
        }
    }
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        if let Lease::Held { conn, home, .. } = self {
            // After `close`, the connection goes back to the pool (which
            // waits for it to close).
            if let Some(conn) = conn.take().filter(|_| !home.permits.is_closed()) {
                home.idle
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(conn);
            }
        }
    }
}

impl Readers {
    /// Up to `held` connections taken from `pool` as they are first needed.
    pub fn new(pool: SqlitePool, held: usize) -> Self {
        Readers {
            pool,
            idle: Mutex::new(Vec::with_capacity(held)),
            permits: Arc::new(Semaphore::new(held)),
            held,
        }
    }

    async fn lease(&self) -> Result<Lease<'_>, sqlx::Error> {
        if self.held == 0 {
            return Ok(Lease::Pooled(self.pool.acquire().await?));
        }
        let permit =
            (self.permits.clone().acquire_owned().await).map_err(|_| sqlx::Error::PoolClosed)?;
        let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let conn = match idle {
            Some(conn) => conn,
            None => self.pool.acquire().await?,
        };
        Ok(Lease::Held {
            conn: Some(conn),
            home: self,
            _permit: permit,
        })
    }

    /// A transaction, on a connection of the pool.
    pub async fn begin(&self) -> Result<Transaction<'static, Sqlite>, sqlx::Error> {
        self.pool.begin().await
    }

    /// Gives the held connections back to the pool and lends no more.
    pub fn close(&self) {
        self.permits.close();
        self.idle.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

impl<'c> Executor<'c> for &'c Readers {
    type Database = Sqlite;

    fn fetch_many<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxStream<'e, Result<Either<SqliteQueryResult, SqliteRow>, sqlx::Error>>
    where
        'c: 'e,
        E: 'q + Execute<'q, Sqlite>,
    {
        // The rows are read whole, then handed on: the lease ends with the
        // statement, whatever the caller does with the stream.
        let all = async move {
            let mut lease = match self.lease().await {
                Ok(lease) => lease,
                Err(e) => return vec![Err(e)],
            };
            let mut out = Vec::new();
            let mut rows = lease.conn().fetch_many(query);
            loop {
                match rows.try_next().await {
                    Ok(Some(step)) => out.push(Ok(step)),
                    Ok(None) => break,
                    Err(e) => {
                        out.push(Err(e));
                        break;
                    }
                }
            }
            out
        };
        stream::once(all).flat_map(stream::iter).boxed()
    }

    fn fetch_optional<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxFuture<'e, Result<Option<SqliteRow>, sqlx::Error>>
    where
        'c: 'e,
        E: 'q + Execute<'q, Sqlite>,
    {
        Box::pin(async move { self.lease().await?.conn().fetch_optional(query).await })
    }

    fn prepare_with<'e, 'q: 'e>(
        self,
        sql: &'q str,
        parameters: &'e [SqliteTypeInfo],
    ) -> BoxFuture<'e, Result<SqliteStatement<'q>, sqlx::Error>>
    where
        'c: 'e,
    {
        Box::pin(async move {
            self.lease()
                .await?
                .conn()
                .prepare_with(sql, parameters)
                .await
        })
    }

    fn describe<'e, 'q: 'e>(
        self,
        sql: &'q str,
    ) -> BoxFuture<'e, Result<sqlx::Describe<Sqlite>, sqlx::Error>>
    where
        'c: 'e,
    {
        Box::pin(async move { self.lease().await?.conn().describe(sql).await })
    }
}
