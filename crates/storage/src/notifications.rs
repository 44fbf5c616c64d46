//! The outbox of S3 event notifications. A change to an object in a bucket
//! that has a notification configuration writes a row here inside the
//! transaction that makes the change, so the event exists exactly when the
//! change does; the deliverer (the root package) reads rows in order and
//! removes each once it has been handed to its destinations. Rows left by a
//! stop are delivered after the next start: at least once, as S3 promises.

use std::sync::Arc;

use rusqlite::{OptionalExtension, Transaction, params};

use crate::error::Result;
use crate::{NULL_VERSION, ObjectVersion, Storage, now_ms};

/// One event waiting for delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// The outbox's order, which is also the event's `sequencer`: it grows
    /// with every change, so it orders the events of one key as S3's does.
    pub seq: i64,
    pub bucket: String,
    pub key: String,
    /// S3's event name without the `s3:` prefix (`ObjectCreated:Put`).
    pub event: String,
    pub size: Option<u64>,
    /// Unquoted, as event records carry it.
    pub etag: Option<String>,
    /// Only for versions of a versioned bucket.
    pub version_id: Option<String>,
    pub time_ms: i64,
}

/// What an event says about the object.
pub(crate) struct Subject<'a> {
    pub size: Option<u64>,
    pub etag: Option<&'a str>,
    pub version_id: Option<&'a str>,
}

impl<'a> Subject<'a> {
    /// A new version: its size, ETag and version.
    pub(crate) fn created(v: &'a ObjectVersion) -> Self {
        Self {
            size: Some(v.size),
            etag: Some(v.etag.as_str()),
            version_id: Some(v.version_id.as_str()),
        }
    }

    /// A removal or a change of a version's metadata: the version alone.
    pub(crate) fn version(version_id: Option<&'a str>) -> Self {
        Self {
            size: None,
            etag: None,
            version_id,
        }
    }
}

/// Writes the event if the bucket asks to be notified; true if it did.
pub(crate) fn record(tx: &Transaction<'_>, bucket: &str, key: &str, event: &str, s: Subject<'_>) -> Result<bool> {
    let configured = tx
        .prepare_cached("SELECT 1 FROM bucket_configs WHERE bucket = ?1 AND kind = 'notification'")?
        .query_row([bucket], |_| Ok(()))
        .optional()?
        .is_some();
    if !configured {
        return Ok(false);
    }
    tx.prepare_cached(
        "INSERT INTO notifications (bucket, key, event, size, etag, version_id, time_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        bucket,
        key.as_bytes(),
        event,
        s.size.map(|n| n as i64),
        s.etag.map(|e| e.trim_matches('"')),
        s.version_id.filter(|v| *v != NULL_VERSION),
        now_ms(),
    ])?;
    Ok(true)
}

impl Storage {
    /// Events written after `after`, oldest first, at most `limit`.
    pub fn pending_notifications(&self, after: i64, limit: usize) -> Result<Vec<Notification>> {
        self.db.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT seq, bucket, key, event, size, etag, version_id, time_ms FROM notifications
                 WHERE seq > ?1 ORDER BY seq LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![after, limit as i64], |r| {
                let key: Vec<u8> = r.get(2)?;
                Ok(Notification {
                    seq: r.get(0)?,
                    bucket: r.get(1)?,
                    key: String::from_utf8_lossy(&key).into_owned(),
                    event: r.get(3)?,
                    size: r.get::<_, Option<i64>>(4)?.map(|n| n as u64),
                    etag: r.get(5)?,
                    version_id: r.get(6)?,
                    time_ms: r.get(7)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    /// Forgets events that have been handed to their destinations.
    pub async fn notifications_delivered(&self, seqs: Vec<i64>) -> Result<()> {
        if seqs.is_empty() {
            return Ok(());
        }
        self.db
            .write(move |tx| {
                let mut stmt = tx.prepare_cached("DELETE FROM notifications WHERE seq = ?1")?;
                for s in seqs {
                    stmt.execute([s])?;
                }
                Ok(())
            })
            .await
    }

    /// Woken after every commit that wrote an event.
    pub fn notifications_ready(&self) -> Arc<tokio::sync::Notify> {
        Arc::clone(&self.notify)
    }

    /// Wakes the deliverer if a write recorded an event.
    pub(crate) fn wake_if(&self, recorded: bool) {
        if recorded {
            self.notify.notify_one();
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{ConfigKind, ObjectMeta, Storage, Versioning, WriteCondition};

    async fn put(s: &Storage, bucket: &str, key: &str, body: &[u8]) {
        let mut w = s.begin_write().await.unwrap();
        w.write(body).await.unwrap();
        let blob = w.finish().await.unwrap();
        s.commit_put(
            bucket,
            key,
            blob,
            ObjectMeta::default(),
            &WriteCondition::default(),
            "Put",
        )
        .await
        .unwrap();
    }

    #[tokio::test]
    async fn only_configured_buckets_record_events_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let s = Storage::open(dir.path()).unwrap();
        s.create_bucket("quiet", "us-east-1").await.unwrap();
        s.create_bucket("loud", "us-east-1").await.unwrap();
        s.put_bucket_config("loud", ConfigKind::Notification, "<NotificationConfiguration/>")
            .await
            .unwrap();
        put(&s, "quiet", "k", b"x").await;
        put(&s, "loud", "a b", b"hello").await;
        s.set_tags("loud", "a b", None, vec![("t".into(), "1".into())], "ObjectTagging:Put")
            .await
            .unwrap();
        s.delete("loud", "a b", None).await.unwrap();
        let got = s.pending_notifications(0, 10).unwrap();
        let summary: Vec<_> = got
            .iter()
            .map(|n| {
                (
                    n.bucket.as_str(),
                    n.key.as_str(),
                    n.event.as_str(),
                    n.size,
                    n.etag.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                (
                    "loud",
                    "a b",
                    "ObjectCreated:Put",
                    Some(5),
                    Some("5d41402abc4b2a76b9719d911017c592")
                ),
                (
                    "loud",
                    "a b",
                    "ObjectTagging:Put",
                    None,
                    Some("5d41402abc4b2a76b9719d911017c592")
                ),
                ("loud", "a b", "ObjectRemoved:Delete", None, None),
            ]
        );
        assert!(got.windows(2).all(|w| w[0].seq < w[1].seq));
        assert_eq!(s.pending_notifications(got[1].seq, 10).unwrap().len(), 1);
        s.notifications_delivered(vec![got[0].seq, got[1].seq]).await.unwrap();
        assert_eq!(s.pending_notifications(0, 10).unwrap().len(), 1);
        // The outbox survives a reopen: delivery resumes after a restart.
        drop(s);
        let s = Storage::open(dir.path()).unwrap();
        assert_eq!(s.pending_notifications(0, 10).unwrap()[0].event, "ObjectRemoved:Delete");
    }

    #[tokio::test]
    async fn versioned_buckets_name_versions_and_markers() {
        let dir = tempfile::tempdir().unwrap();
        let s = Storage::open(dir.path()).unwrap();
        s.create_bucket("v", "us-east-1").await.unwrap();
        s.set_versioning("v", Versioning::Enabled).await.unwrap();
        s.put_bucket_config("v", ConfigKind::Notification, "<NotificationConfiguration/>")
            .await
            .unwrap();
        put(&s, "v", "k", b"x").await;
        let marker = s.delete("v", "k", None).await.unwrap();
        let got = s.pending_notifications(0, 10).unwrap();
        assert_eq!(got[0].event, "ObjectCreated:Put");
        assert!(got[0].version_id.is_some());
        assert_eq!(got[1].event, "ObjectRemoved:DeleteMarkerCreated");
        assert_eq!(got[1].version_id, marker.version_id);
    }
}
