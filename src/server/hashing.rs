//! Password hashing on a few threads of its own. Each Argon2 hash holds
//! 19 MiB while it runs; on the blocking pool a burst of sign-ins ran a
//! hundred at once (1.4 GB), and each thread's allocator kept its share
//! afterwards. Here at most `BELFRY_PASSWORD_HASHES` run at once, always on
//! the same threads (so the memory they reuse is bounded too), and a burst
//! beyond what the queue holds is told to come back in a moment.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, SyncSender, TrySendError};
use std::sync::OnceLock;

use tokio::sync::oneshot;

use super::error::{AppError, AppResult};

type Job = Box<dyn FnOnce() + Send>;

/// Hashes waiting for a thread before more are refused.
const QUEUE: usize = 256;

static THREADS: AtomicUsize = AtomicUsize::new(2);
static POOL: OnceLock<SyncSender<Job>> = OnceLock::new();

/// How many hashes run at once; takes effect if called before the first.
pub fn configure(threads: usize) {
    THREADS.store(threads.max(1), Ordering::Relaxed);
}

fn pool() -> &'static SyncSender<Job> {
    POOL.get_or_init(|| {
        let (tx, rx) = mpsc::sync_channel::<Job>(QUEUE);
        let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
        for i in 0..THREADS.load(Ordering::Relaxed) {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("belfry-hash-{i}"))
                .spawn(move || loop {
                    let job = match rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    match job {
                        Ok(job) => job(),
                        Err(_) => return,
                    }
                });
            if let Err(e) = spawned {
                tracing::error!("cannot start a password hashing thread: {e}");
            }
        }
        tx
    })
}

/// Runs `work` on a hashing thread and waits for it.
pub async fn run<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> AppResult<T> {
    let (tx, rx) = oneshot::channel();
    let job: Job = Box::new(move || {
        let _ = tx.send(work());
    });
    match pool().try_send(job) {
        Ok(()) => {}
        Err(TrySendError::Full(_)) => {
            return Err(AppError::too_many(
                "Many people are signing in right now. Try again in a few seconds.",
                5,
            ))
        }
        Err(TrySendError::Disconnected(_)) => {
            return Err(AppError::internal("the password hashing threads stopped"))
        }
    }
    rx.await
        .map_err(|_| AppError::internal("a password hashing job was lost"))
}
