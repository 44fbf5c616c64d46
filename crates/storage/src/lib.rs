//! The lakestack object engine: buckets, keys, versions and multipart uploads.
//!
//! Metadata lives in one SQLite file (WAL) under the data directory; bodies live
//! in files named by an internal id ([`blob`]). Every change that makes data
//! visible is a single SQLite transaction that runs after the body is complete
//! and in place, so a reader sees an object whole or not at all, and a killed
//! process loses nothing it acknowledged.
//!
//! The engine knows nothing of HTTP: the S3 edge (`lakestack-s3-api`) and the
//! [`object_store`] view ([`StorageObjectStore`]) both drive it through
//! [`Storage`].
//!
//! ```no_run
//! # async fn demo() -> lakestack_storage::Result<()> {
//! use lakestack_storage::{ObjectMeta, Storage, WriteCondition};
//! let storage = Storage::open(std::path::Path::new("/tmp/lakestack-demo"))?;
//! storage.create_bucket("demo", "us-east-1").await?;
//! let mut w = storage.begin_write().await?;
//! w.write(b"hello").await?;
//! let blob = w.finish().await?;
//! let v = storage.commit_put("demo", "greeting.txt", blob, ObjectMeta::default(), &WriteCondition::default(), "Put").await?;
//! assert_eq!(v.size, 5);
//! # Ok(()) }
//! ```

mod blob;
mod buckets;
mod db;
mod error;
mod listing;
mod model;
mod multipart;
mod notifications;
mod objects;
mod rows;
mod store;

use std::path::Path;
use std::sync::Arc;
use std::time::SystemTime;

pub use blob::{BlobWriter, FinishedBlob};
pub use error::{ConfigKind, Result, StorageError};
pub use model::*;
pub use notifications::Notification;
pub use objects::BodyStream;
pub use store::StorageObjectStore;

/// The object engine over one data directory.
pub struct Storage {
    db: db::Db,
    blobs: blob::Blobs,
    events: tokio::sync::broadcast::Sender<ObjectEvent>,
    /// Woken when a commit writes to the notification outbox.
    notify: Arc<tokio::sync::Notify>,
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Storage").finish_non_exhaustive()
    }
}

impl Storage {
    /// Opens (or creates) the engine under `dir`. Garbage left by a crash is
    /// swept in the background by [`Storage::sweep`], not here, so start-up
    /// stays fast whatever the store holds.
    pub fn open(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir)?;
        let db = db::Db::open(&dir.join("s3.sqlite"))?;
        let blobs = blob::Blobs::open(dir)?;
        let (events, _) = tokio::sync::broadcast::channel(1024);
        Ok(Self {
            db,
            blobs,
            events,
            notify: Arc::default(),
        })
    }

    /// Removes bodies no committed row refers to (interrupted writes, blobs whose
    /// removal a crash cut short). Only files older than `started` are touched.
    pub fn sweep(&self, started: SystemTime) -> Result<usize> {
        let referenced = self.db.read(rows::all_referenced_blobs)?;
        self.blobs.sweep(&referenced, started)
    }

    /// Every object created or removed from now on, whichever path wrote it.
    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<ObjectEvent> {
        self.events.subscribe()
    }

    fn emit(&self, event: ObjectEvent) {
        // No subscriber is fine: events are a courtesy to the rest of the process.
        let _ = self.events.send(event);
    }

    /// Starts writing a body. Nothing is visible until a `commit_*` call uses it.
    pub async fn begin_write(&self) -> Result<BlobWriter> {
        Ok(self.blobs.create())
    }

    /// Drops a finished body that will not be committed (it failed a check).
    pub fn discard(&self, blob: FinishedBlob) {
        // Its drop guard removes the file: nothing refers to it.
        drop(blob);
    }

    /// An [`object_store::ObjectStore`] whose paths are `bucket/key`.
    pub fn object_store(self: &Arc<Self>) -> StorageObjectStore {
        StorageObjectStore::new(Arc::clone(self))
    }
}

pub(crate) fn now_ms() -> i64 {
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(now.as_millis()).unwrap_or(i64::MAX)
}

/// A version id that carries the row id it will get, so a listing can resume
/// after a version even once that version is deleted (as paging while
/// deleting does). 32 URL-safe characters, like the opaque ids S3 hands out.
pub(crate) fn new_version_id(next_row_id: i64) -> String {
    let random = uuid::Uuid::new_v4().simple().to_string();
    format!("{next_row_id:012x}{}", &random[..20])
}

/// The row position a version id of ours encodes.
pub(crate) fn version_position(version_id: &str) -> Option<i64> {
    // A client-supplied marker may hold any text: `get` never slices inside a
    // multi-byte character, and only our own 32-ASCII-character ids qualify.
    let head = version_id
        .get(..12)
        .filter(|_| version_id.len() == 32 && version_id.is_ascii())?;
    head.bytes()
        .all(|b| b.is_ascii_hexdigit())
        .then(|| i64::from_str_radix(head, 16).ok())
        .flatten()
}

/// `"<hex>"`, the single-PUT ETag.
pub fn quoted_md5(md5: &[u8; 16]) -> String {
    format!("\"{}\"", hex::encode(md5))
}

#[cfg(test)]
mod tests {
    #[test]
    fn version_position_reads_only_our_own_ids() {
        assert_eq!(super::version_position("00000000002a0123456789abcdef0123"), Some(42));
        // 32 bytes whose 12th byte falls inside a multi-byte character.
        let marker = format!("{}é{}", "a".repeat(11), "9".repeat(19));
        assert_eq!(marker.len(), 32);
        assert_eq!(super::version_position(&marker), None);
        assert_eq!(super::version_position("short"), None);
    }
}
