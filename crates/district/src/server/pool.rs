//! Register connections for the server's blocking threads.
//!
//! Invariants: at most `size` register calls run at once; a connection is
//! used by one call at a time; a call that failed on the database drops its
//! connection (the next call opens a new one, so a restarted PostgreSQL
//! heals by itself); a connection's rule pack is read again when it is
//! older than [`PACK_AGE`]; [`Pool::pack_hint`] is the pack a connection
//! last used, for judging ahead only (the register judges again whatever
//! was judged with another pack).

use std::sync::Mutex;
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;

use crate::register::{Location, Register, RegisterError, StoredPack};

/// How old a connection's copy of the rule pack may be.
pub const PACK_AGE: Duration = Duration::from_secs(5);

struct Pooled {
    register: Register,
    pack_read: Instant,
}

pub struct Pool {
    location: Location,
    free: Mutex<Vec<Pooled>>,
    permits: Semaphore,
    hint: Mutex<Option<std::sync::Arc<StoredPack>>>,
}

impl Pool {
    pub fn new(location: Location, size: usize) -> Pool {
        Pool {
            location,
            free: Mutex::new(Vec::new()),
            permits: Semaphore::new(size.max(1)),
            hint: Mutex::new(None),
        }
    }

    /// The rule pack a connection last used, once one has.
    pub fn pack_hint(&self) -> Option<std::sync::Arc<StoredPack>> {
        self.hint.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Closes the idle connections on a blocking thread (PostgreSQL's
    /// client must not be dropped on an async one).
    pub async fn close(&self) {
        let idle: Vec<Pooled> =
            std::mem::take(&mut *self.free.lock().unwrap_or_else(|e| e.into_inner()));
        let _ = tokio::task::spawn_blocking(move || drop(idle)).await;
    }

    /// Runs `work` on a register connection on a blocking thread.
    pub async fn run<T, F>(self: &std::sync::Arc<Self>, work: F) -> Result<T, RegisterError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Register) -> Result<T, RegisterError> + Send + 'static,
    {
        let _permit = self
            .permits
            .acquire()
            .await
            .expect("the semaphore is never closed");
        let pool = std::sync::Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let taken = pool.free.lock().unwrap_or_else(|e| e.into_inner()).pop();
            let mut pooled = match taken {
                Some(pooled) => pooled,
                None => {
                    let mut register = Register::open(&pool.location)?;
                    register.for_serving();
                    Pooled {
                        register,
                        pack_read: Instant::now(),
                    }
                }
            };
            if pooled.pack_read.elapsed() > PACK_AGE {
                pooled.register.forget_pack();
                pooled.pack_read = Instant::now();
            }
            let result = work(&mut pooled.register);
            let healthy = !matches!(
                result,
                Err(RegisterError::Sqlite(_) | RegisterError::Postgres(_))
            );
            if let (true, Some(pack)) = (healthy, pooled.register.cached_pack()) {
                let mut hint = pool.hint.lock().unwrap_or_else(|e| e.into_inner());
                if hint.as_ref().is_none_or(|h| h.digest != pack.digest) {
                    *hint = Some(std::sync::Arc::new(pack.clone()));
                }
            }
            if healthy {
                pool.free
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(pooled);
            }
            result
        })
        .await
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic.into_panic()))
    }
}
