//! The warm processes of one function version. An invocation takes an idle
//! process, or starts one while fewer than the allowed number run; the
//! warmest idle process is reused first, so a steady trickle of calls
//! keeps one process busy and lets the others go idle and be stopped.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::instance::{Instance, Launch};
use crate::logs::LogWriter;

pub struct Pool {
    pub launch: Launch,
    /// The configuration revision this pool runs; a newer one gets a new pool.
    pub revision: String,
    /// When its launch (and so its processes' credentials) was made.
    pub created: Instant,
    idle: Mutex<Vec<Arc<Instance>>>,
    permits: Arc<Semaphore>,
    /// Reserved concurrency: calls beyond it are throttled rather than queued.
    reserved: bool,
}

/// A process lent to one invocation.
pub struct Lease {
    pub instance: Arc<Instance>,
    /// Started for this invocation.
    pub cold: bool,
    _permit: OwnedSemaphorePermit,
}

pub enum Acquire {
    Got(Lease),
    /// Every permitted process is busy and the function has reserved concurrency.
    Throttled,
    /// The process could not be started: the reason.
    Failed(String),
}

impl Pool {
    /// `permits` bounds the processes at work: the pool's own, or the
    /// function's reserved concurrency, which all its versions share.
    pub fn new(launch: Launch, revision: String, permits: Arc<Semaphore>, reserved: bool) -> Arc<Self> {
        Arc::new(Self {
            launch,
            revision,
            created: Instant::now(),
            idle: Mutex::new(Vec::new()),
            permits,
            reserved,
        })
    }

    pub async fn acquire(&self, writer: &LogWriter) -> Acquire {
        let permit = if self.reserved {
            match Arc::clone(&self.permits).try_acquire_owned() {
                Ok(p) => p,
                Err(_) => return Acquire::Throttled,
            }
        } else {
            match Arc::clone(&self.permits).acquire_owned().await {
                Ok(p) => p,
                Err(_) => return Acquire::Throttled,
            }
        };
        loop {
            let idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner).pop();
            match idle {
                Some(i) if i.alive() => {
                    return Acquire::Got(Lease {
                        instance: i,
                        cold: false,
                        _permit: permit,
                    });
                }
                Some(_) => continue,
                None => break,
            }
        }
        match Instance::start(&self.launch, writer.clone()).await {
            Ok(instance) => Acquire::Got(Lease {
                instance,
                cold: true,
                _permit: permit,
            }),
            Err(e) => Acquire::Failed(e),
        }
    }

    /// Gives a process back after an invocation; one that died or must be
    /// stopped is dropped (which stops it).
    pub fn release(&self, lease: Lease, reuse: bool) {
        if reuse && lease.instance.alive() {
            *lease.instance.idle_since.lock().unwrap_or_else(PoisonError::into_inner) = Instant::now();
            self.idle
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(Arc::clone(&lease.instance));
        } else {
            lease.instance.stop();
        }
    }

    /// Stops the processes idle for longer than `idle`; the number left.
    pub fn reap(&self, idle: Duration) -> usize {
        let mut list = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        list.retain(|i| {
            let since = *i.idle_since.lock().unwrap_or_else(PoisonError::into_inner);
            let keep = i.alive() && since.elapsed() < idle;
            if !keep {
                i.stop();
            }
            keep
        });
        list.len()
    }

    /// Stops every idle process (the function was deleted or changed).
    pub fn stop_idle(&self) {
        for i in self.idle.lock().unwrap_or_else(PoisonError::into_inner).drain(..) {
            i.stop();
        }
    }
}
