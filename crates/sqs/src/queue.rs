//! One queue in memory: its configuration and tags, its message index, the
//! FIFO deduplication window and receive-attempt memory, and the `Notify`
//! long polls wait on. The state sits behind a plain mutex held only for
//! in-memory work (never across an await or a write to the file).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::{Notify, watch};

use crate::attributes::QueueConfig;
use crate::index::{Index, Payload};

pub(crate) struct Queue {
    /// Row id, never reused: receipt handles name it.
    pub id: u64,
    pub name: String,
    pub arn: String,
    pub fifo: bool,
    pub created_ms: i64,
    /// Woken when a message may have become receivable or its wake time
    /// moved (a send, a move, any visibility change, a delete on a FIFO
    /// queue, which may unlock a group) and when the queue is deleted.
    pub notify: Notify,
    state: Mutex<QueueState>,
}

pub(crate) struct QueueState {
    pub config: QueueConfig,
    pub tags: BTreeMap<String, String>,
    pub modified_ms: i64,
    pub index: Index,
    pub dedup: Dedup,
    pub attempts: Attempts,
    pub purged_at: Option<i64>,
    pub deleted: bool,
}

impl Queue {
    pub fn new(
        id: u64,
        name: String,
        arn: String,
        created_ms: i64,
        modified_ms: i64,
        config: QueueConfig,
        tags: BTreeMap<String, String>,
    ) -> Self {
        let fifo = config.fifo;
        Self {
            id,
            name,
            arn,
            fifo,
            created_ms,
            notify: Notify::new(),
            state: Mutex::new(QueueState {
                config,
                tags,
                modified_ms,
                index: Index::new(fifo),
                dedup: Dedup::default(),
                attempts: Attempts::default(),
                purged_at: None,
                deleted: false,
            }),
        }
    }

    /// The state; a lock poisoned by a panic is taken over, as the index
    /// is only ever changed by complete operations.
    pub fn lock(&self) -> MutexGuard<'_, QueueState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// How a send's write ended, as duplicates sent meanwhile learn it: `None`
/// until the write answers, then `Ok` once committed or the error the
/// original's sender was answered.
pub(crate) type Outcome = Option<Result<(), String>>;

/// A FIFO send's deduplication record: a send with the same key within the
/// window answers this instead of queueing again.
#[derive(Debug, Clone)]
pub(crate) struct Deduplicated {
    pub message_id: Arc<str>,
    pub sequence_number: Option<String>,
    pub expires_ms: i64,
    /// While the original's write is not yet committed: its outcome, which
    /// a duplicate waits for, since it may answer Ok only for a message
    /// that was stored. `None` once committed.
    pub pending: Option<watch::Receiver<Outcome>>,
}

/// The deduplication window: keys by when they lapse.
#[derive(Debug, Default)]
pub(crate) struct Dedup {
    keys: HashMap<String, Deduplicated>,
    by_expiry: BTreeSet<(i64, String)>,
}

impl Dedup {
    pub fn get(&self, key: &str, now: i64) -> Option<&Deduplicated> {
        self.keys.get(key).filter(|d| d.expires_ms > now)
    }

    pub fn insert(&mut self, key: String, d: Deduplicated) {
        if let Some(old) = self.keys.get(&key) {
            self.by_expiry.remove(&(old.expires_ms, key.clone()));
        }
        self.by_expiry.insert((d.expires_ms, key.clone()));
        self.keys.insert(key, d);
    }

    /// The original of `key` (message `id`) was committed: duplicates are
    /// answered at once from now on.
    pub fn committed(&mut self, key: &str, id: &str) {
        if let Some(d) = self.keys.get_mut(key)
            && *d.message_id == *id
        {
            d.pending = None;
        }
    }

    /// The original of `key` (message `id`) was not stored: the key is free
    /// again, unless a later send holds it by now.
    pub fn forget(&mut self, key: &str, id: &str) {
        if self.keys.get(key).is_some_and(|d| *d.message_id == *id)
            && let Some(old) = self.keys.remove(key)
        {
            self.by_expiry.remove(&(old.expires_ms, key.to_owned()));
        }
    }

    pub fn expire(&mut self, now: i64) {
        while let Some((at, _)) = self.by_expiry.first() {
            if *at > now {
                break;
            }
            if let Some((_, key)) = self.by_expiry.pop_first() {
                self.keys.remove(&key);
            }
        }
    }

    pub fn clear(&mut self) {
        self.keys.clear();
        self.by_expiry.clear();
    }
}

/// What a FIFO receive with a ReceiveRequestAttemptId handed out, so that a
/// retry within five minutes gets the same messages and handles.
#[derive(Debug, Clone)]
pub(crate) struct Attempt {
    pub expires_ms: i64,
    /// (seq, stamp) of each message, in the order answered.
    pub messages: Vec<(u64, u32)>,
}

/// Attempts remembered per queue: a client retrying within the window is
/// served from here; beyond this many, the oldest are forgotten.
const MAX_ATTEMPTS: usize = 10_000;

#[derive(Debug, Default)]
pub(crate) struct Attempts {
    by_id: HashMap<String, Attempt>,
}

impl Attempts {
    pub fn get(&self, id: &str, now: i64) -> Option<&Attempt> {
        self.by_id.get(id).filter(|a| a.expires_ms > now)
    }

    pub fn insert(&mut self, id: String, attempt: Attempt, now: i64) {
        if self.by_id.len() >= MAX_ATTEMPTS {
            self.expire(now);
        }
        if self.by_id.len() >= MAX_ATTEMPTS
            && let Some(oldest) = self
                .by_id
                .iter()
                .min_by_key(|(_, a)| a.expires_ms)
                .map(|(k, _)| k.clone())
        {
            self.by_id.remove(&oldest);
        }
        self.by_id.insert(id, attempt);
    }

    pub fn expire(&mut self, now: i64) {
        self.by_id.retain(|_, a| a.expires_ms > now);
    }
}

/// How many payload bytes stay in memory beside the index, across queues.
/// Bodies live in the file; keeping recent ones in memory spares a read per
/// received message. The in-memory database keeps no bodies, so there every
/// payload stays (`limit: None`).
pub(crate) struct PayloadBudget {
    limit: Option<usize>,
    used: AtomicUsize,
}

/// What a file-backed server keeps in memory: recent messages of a busy
/// queue are received from memory; the rest are read when received.
pub(crate) const FILE_PAYLOAD_BUDGET: usize = 64 << 20;

impl PayloadBudget {
    pub fn new(limit: Option<usize>) -> Self {
        Self {
            limit,
            used: AtomicUsize::new(0),
        }
    }

    /// Takes room for `p`, answering whether it may stay in memory.
    pub fn admit(&self, p: &Payload) -> bool {
        let Some(limit) = self.limit else { return true };
        let n = p.bytes();
        self.used
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |used| {
                (used + n <= limit).then_some(used + n)
            })
            .is_ok()
    }

    /// Gives back the room a dropped payload held.
    pub fn release(&self, p: Option<&Arc<Payload>>) {
        if self.limit.is_some()
            && let Some(p) = p
        {
            let n = p.bytes();
            let _ = self.used.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |used| {
                Some(used.saturating_sub(n))
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dedup_keys_lapse() {
        let mut d = Dedup::default();
        let rec = |exp| Deduplicated {
            message_id: "m".into(),
            sequence_number: None,
            expires_ms: exp,
            pending: None,
        };
        d.insert("k".into(), rec(100));
        assert!(d.get("k", 99).is_some());
        assert!(d.get("k", 100).is_none());
        d.insert("k".into(), rec(200));
        d.expire(150);
        assert!(d.get("k", 150).is_some());
        d.expire(200);
        assert!(d.get("k", 0).is_none());
    }

    #[test]
    fn only_the_original_settles_its_key() {
        let (_tx, rx) = watch::channel(None);
        let mut d = Dedup::default();
        let rec = |id: &str| Deduplicated {
            message_id: id.into(),
            sequence_number: None,
            expires_ms: 100,
            pending: Some(rx.clone()),
        };
        d.insert("k".into(), rec("a"));
        d.forget("k", "b");
        d.committed("k", "b");
        assert!(d.get("k", 0).is_some_and(|x| x.pending.is_some()));
        d.committed("k", "a");
        assert!(d.get("k", 0).is_some_and(|x| x.pending.is_none()));
        d.forget("k", "a");
        assert!(d.get("k", 0).is_none());
        d.expire(1_000);
        assert!(d.by_expiry.is_empty());
    }

    #[test]
    fn attempts_are_bounded() {
        let mut a = Attempts::default();
        for i in 0..(MAX_ATTEMPTS + 5) {
            a.insert(
                format!("a{i}"),
                Attempt {
                    expires_ms: 1_000 + i as i64,
                    messages: vec![],
                },
                0,
            );
        }
        assert_eq!(a.by_id.len(), MAX_ATTEMPTS);
        assert!(a.get("a0", 0).is_none(), "the oldest went");
        assert!(a.get(&format!("a{}", MAX_ATTEMPTS + 4), 0).is_some());
    }

    #[test]
    fn the_budget_admits_until_full() {
        let p = Payload {
            body: "x".repeat(100),
            md5_of_body: String::new(),
            message_attributes: Default::default(),
            system_attributes: Default::default(),
            sender_id: String::new(),
            dedup_id: None,
            sequence_number: None,
        };
        let b = PayloadBudget::new(Some(p.bytes() * 2));
        assert!(b.admit(&p) && b.admit(&p));
        assert!(!b.admit(&p));
        b.release(Some(&Arc::new(p.clone())));
        assert!(b.admit(&p));
        assert!(PayloadBudget::new(None).admit(&p));
    }
}
