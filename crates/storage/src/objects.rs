//! Writing, reading and deleting object versions.

use std::pin::Pin;

use bytes::Bytes;
use futures::Stream;
use rusqlite::{Transaction, params};

use crate::blob::FinishedBlob;
use crate::buckets::get_bucket;
use crate::error::{Result, StorageError};
use crate::model::{
    DeleteOutcome, NULL_VERSION, ObjectEvent, ObjectMeta, ObjectVersion, PartInfo, Segment, Versioning, WriteCondition,
};
use crate::notifications::{self, Subject};
use crate::rows::{self, ObjectRow};
use crate::{Storage, new_version_id, now_ms, quoted_md5};

pub type BodyStream = Pin<Box<dyn Stream<Item = std::io::Result<Bytes>> + Send + 'static>>;

/// The body and facts of a new version, before it is committed.
pub(crate) struct NewVersion {
    pub size: u64,
    pub etag: String,
    pub meta: ObjectMeta,
    pub parts: Vec<PartInfo>,
    pub segments: Vec<Segment>,
    pub inline: Option<bytes::Bytes>,
}

fn strip_quotes(s: &str) -> &str {
    s.trim().trim_matches('"')
}

pub(crate) fn check_condition(
    current: Option<&ObjectRow>,
    cond: &WriteCondition,
    bucket: &str,
    key: &str,
) -> Result<()> {
    let live = current.filter(|r| !r.version.is_delete_marker);
    if cond.if_none_match_any && live.is_some() {
        return Err(StorageError::PreconditionFailed);
    }
    if let Some(want) = &cond.if_match {
        let Some(row) = live else {
            return Err(StorageError::NoSuchKey {
                bucket: bucket.to_owned(),
                key: key.to_owned(),
            });
        };
        if want.trim() != "*" && strip_quotes(want) != strip_quotes(&row.version.etag) {
            return Err(StorageError::PreconditionFailed);
        }
    }
    Ok(())
}

/// Inserts a new latest version of `key`, demoting or replacing the current
/// one as the bucket's versioning state says. Returns the blobs that no row
/// refers to any more, to remove once the transaction has committed.
pub(crate) fn insert_version(
    tx: &Transaction<'_>,
    bucket: &str,
    key: &str,
    new: NewVersion,
    delete_marker: bool,
    cond: &WriteCondition,
) -> Result<(ObjectVersion, Vec<String>)> {
    let info = get_bucket(tx, bucket)?;
    let current = rows::latest(tx, bucket, key, false)?;
    check_condition(current.as_ref(), cond, bucket, key)?;
    let mut garbage = Vec::new();
    let version_id = match info.versioning {
        Versioning::Enabled => {
            // AUTOINCREMENT: the next row id is the sequence plus one.
            let next: i64 = tx.query_row(
                "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'objects'), 0) + 1",
                [],
                |r| r.get(0),
            )?;
            new_version_id(next)
        }
        Versioning::Unversioned | Versioning::Suspended => NULL_VERSION.to_owned(),
    };
    if version_id == NULL_VERSION
        && let Some(old) = rows::by_version(tx, bucket, key, NULL_VERSION, false)?
    {
        garbage.extend(rows::blobs_of(&old.version.segments));
        tx.execute("DELETE FROM objects WHERE id = ?1", [old.id])?;
    }
    tx.execute(
        "UPDATE objects SET is_latest = 0 WHERE bucket = ?1 AND key = ?2 AND is_latest = 1",
        params![bucket, key.as_bytes()],
    )?;
    let last_modified_ms = now_ms();
    let parts_json = if new.parts.is_empty() {
        None
    } else {
        Some(serde_json::to_string(&new.parts)?)
    };
    tx.prepare_cached(
        "INSERT INTO objects (bucket, key, version_id, is_latest, is_delete_marker, size, etag, last_modified_ms, meta, parts, segments, inline_body)
         VALUES (?1, ?2, ?3, 1, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        bucket,
        key.as_bytes(),
        version_id,
        delete_marker,
        new.size as i64,
        new.etag,
        last_modified_ms,
        serde_json::to_string(&new.meta)?,
        parts_json,
        serde_json::to_string(&new.segments)?,
        new.inline.as_deref(),
    ])?;
    let row_id = tx.last_insert_rowid();
    let version = ObjectVersion {
        bucket: bucket.to_owned(),
        key: key.to_owned(),
        version_id,
        is_latest: true,
        is_delete_marker: delete_marker,
        size: new.size,
        etag: new.etag,
        last_modified_ms,
        meta: new.meta,
        parts: new.parts,
        segments: new.segments,
        is_inline: new.inline.is_some(),
        inline: new.inline,
        row_id,
    };
    Ok((version, garbage))
}

/// Why a key or version was not found: the bucket may be missing too.
fn missing(c: &rusqlite::Connection, bucket: &str, key: &str, version_id: Option<&str>) -> StorageError {
    if let Err(e) = get_bucket(c, bucket) {
        return e;
    }
    match version_id {
        None => StorageError::NoSuchKey {
            bucket: bucket.to_owned(),
            key: key.to_owned(),
        },
        Some(v) => StorageError::NoSuchVersion {
            key: key.to_owned(),
            version_id: v.to_owned(),
        },
    }
}

impl Storage {
    /// Makes a finished body the new current version of `key`, atomically.
    /// `how` names the S3 event (`Put`, `Copy`, `Post`, ...).
    pub async fn commit_put(
        &self,
        bucket: &str,
        key: &str,
        blob: FinishedBlob,
        meta: ObjectMeta,
        cond: &WriteCondition,
        how: &'static str,
    ) -> Result<ObjectVersion> {
        let new = NewVersion {
            size: blob.size,
            etag: quoted_md5(&blob.md5),
            meta,
            parts: Vec::new(),
            segments: if blob.inline.is_some() {
                Vec::new()
            } else {
                vec![Segment {
                    blob: blob.id.clone(),
                    size: blob.size,
                }]
            },
            inline: blob.inline.clone(),
        };
        let (b, k, c) = (bucket.to_owned(), key.to_owned(), cond.clone());
        let mut blob = blob;
        let new_id = blob.disarm();
        let gc = self.blobs.gc();
        let (version, _, recorded) = self
            .db
            .write_then(
                move |tx| {
                    let (v, garbage) = insert_version(tx, &b, &k, new, false, &c)?;
                    let event = format!("ObjectCreated:{how}");
                    let recorded = notifications::record(tx, &b, &k, &event, Subject::created(&v))?;
                    Ok((v, garbage, recorded))
                },
                move |r| match r {
                    Ok((_, garbage, _)) => gc.remove(garbage),
                    Err(_) => gc.remove(&[new_id]),
                },
            )
            .await?;
        self.wake_if(recorded);
        self.emit_created(&version, how);
        Ok(version)
    }

    pub(crate) fn emit_created(&self, v: &ObjectVersion, how: &'static str) {
        self.emit(ObjectEvent::Created {
            bucket: v.bucket.clone(),
            key: v.key.clone(),
            size: v.size,
            etag: v.etag.clone(),
            version_id: (v.version_id != NULL_VERSION).then(|| v.version_id.clone()),
            how,
        });
    }

    /// The current version, or the named one. A delete marker comes back as
    /// [`StorageError::DeleteMarker`] so the edge can answer as S3 does.
    pub fn head(&self, bucket: &str, key: &str, version_id: Option<&str>) -> Result<ObjectVersion> {
        self.db.read(|c| {
            let row = match version_id {
                None => rows::latest(c, bucket, key, true)?,
                Some(v) => rows::by_version(c, bucket, key, v, true)?,
            };
            let Some(row) = row else {
                return Err(missing(c, bucket, key, version_id));
            };
            if row.version.is_delete_marker {
                return Err(StorageError::DeleteMarker {
                    version_id: row.version.version_id,
                    last_modified_ms: row.version.last_modified_ms,
                    is_latest: row.version.is_latest,
                });
            }
            Ok(row.version)
        })
    }

    /// Streams bytes `[start, end)` of a version returned by [`Storage::head`].
    /// The files are opened before this returns, so a concurrent overwrite or
    /// delete cannot cut the stream short.
    pub async fn read(&self, version: &ObjectVersion, start: u64, end: u64) -> Result<BodyStream> {
        if version.is_inline {
            let body =
                match &version.inline {
                    Some(b) => b.clone(),
                    // A version from a listing carries no body: load it by row.
                    None => self.db.read(|c| rows::inline_body(c, version.row_id))?.ok_or_else(|| {
                        StorageError::NoSuchKey {
                            bucket: version.bucket.clone(),
                            key: version.key.clone(),
                        }
                    })?,
                };
            let (s, e) = (
                start.min(body.len() as u64) as usize,
                end.min(body.len() as u64) as usize,
            );
            let piece = body.slice(s..e);
            return Ok(Box::pin(futures::stream::once(async move { Ok(piece) })));
        }
        let segs: Vec<(String, u64)> = version.segments.iter().map(|s| (s.blob.clone(), s.size)).collect();
        self.blobs.read(&segs, start, end).await
    }

    /// Bytes of several ranges of a version returned by [`Storage::head`], read
    /// at once; each range must lie within the object.
    pub async fn read_ranges(&self, version: &ObjectVersion, ranges: Vec<std::ops::Range<u64>>) -> Result<Vec<Bytes>> {
        if version.is_inline {
            let mut out = Vec::with_capacity(ranges.len());
            for r in ranges {
                let mut body = self.read(version, r.start, r.end).await?;
                out.push(
                    futures::StreamExt::next(&mut body)
                        .await
                        .transpose()?
                        .unwrap_or_default(),
                );
            }
            return Ok(out);
        }
        let segs: Vec<(String, u64)> = version.segments.iter().map(|s| (s.blob.clone(), s.size)).collect();
        self.blobs.read_ranges(&segs, ranges).await
    }

    /// Deletes as S3's DeleteObject does: without a version id it removes the
    /// current object (unversioned) or stacks a delete marker (versioned);
    /// with one it removes exactly that version.
    pub async fn delete(&self, bucket: &str, key: &str, version_id: Option<&str>) -> Result<DeleteOutcome> {
        let bucket_w = bucket.to_owned();
        let key_w = key.to_owned();
        let version_id_w = version_id.map(str::to_owned);
        let gc = self.blobs.gc();
        let (outcome, _, removed) = self.db.write_then(move |tx| {
            let bucket = bucket_w.as_str();
            let key = key_w.as_str();
            let version_id = version_id_w.as_deref();
            let info = get_bucket(tx, bucket)?;
            if let Some(vid) = version_id {
                let Some(row) = rows::by_version(tx, bucket, key, vid, false)? else {
                    return Ok((DeleteOutcome { delete_marker: false, version_id: Some(vid.to_owned()) }, vec![], None));
                };
                tx.execute("DELETE FROM objects WHERE id = ?1", [row.id])?;
                if row.version.is_latest {
                    tx.execute(
                        "UPDATE objects SET is_latest = 1 WHERE id = (SELECT max(id) FROM objects WHERE bucket = ?1 AND key = ?2)",
                        params![bucket, key.as_bytes()],
                    )?;
                }
                let garbage = rows::blobs_of(&row.version.segments).collect();
                let recorded = notifications::record(tx, bucket, key, "ObjectRemoved:Delete", Subject::version(Some(vid)))?;
                return Ok((
                    DeleteOutcome { delete_marker: row.version.is_delete_marker, version_id: Some(vid.to_owned()) },
                    garbage,
                    Some(recorded),
                ));
            }
            match info.versioning {
                Versioning::Unversioned => {
                    let Some(row) = rows::latest(tx, bucket, key, false)? else {
                        return Ok((DeleteOutcome::default(), vec![], None));
                    };
                    tx.execute("DELETE FROM objects WHERE id = ?1", [row.id])?;
                    let recorded = notifications::record(tx, bucket, key, "ObjectRemoved:Delete", Subject::version(None))?;
                    Ok((DeleteOutcome::default(), rows::blobs_of(&row.version.segments).collect(), Some(recorded)))
                }
                Versioning::Enabled | Versioning::Suspended => {
                    let marker = NewVersion {
                        size: 0,
                        etag: String::new(),
                        meta: ObjectMeta::default(),
                        parts: Vec::new(),
                        segments: Vec::new(),
                        inline: None,
                    };
                    let (v, garbage) = insert_version(tx, bucket, key, marker, true, &WriteCondition::default())?;
                    let recorded = notifications::record(
                        tx,
                        bucket,
                        key,
                        "ObjectRemoved:DeleteMarkerCreated",
                        Subject::version(Some(&v.version_id)),
                    )?;
                    Ok((DeleteOutcome { delete_marker: true, version_id: Some(v.version_id) }, garbage, Some(recorded)))
                }
            }
        }, move |r| if let Ok((_, garbage, _)) = r {
            gc.remove(garbage);
        }).await?;
        if let Some(recorded) = removed {
            self.wake_if(recorded);
            self.emit(ObjectEvent::Removed {
                bucket: bucket.to_owned(),
                key: key.to_owned(),
                version_id: outcome.version_id.clone().filter(|v| v != NULL_VERSION),
                delete_marker: outcome.delete_marker,
            });
        }
        Ok(outcome)
    }

    /// Replaces the tag set of one version (the current one if `version_id` is None).
    /// `event` is the notification it makes (`ObjectTagging:Put` or `:Delete`).
    pub async fn set_tags(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
        tags: Vec<(String, String)>,
        event: &'static str,
    ) -> Result<String> {
        let bucket_w = bucket.to_owned();
        let key_w = key.to_owned();
        let version_id_w = version_id.map(str::to_owned);
        let (version_id, recorded) = self
            .db
            .write(move |tx| {
                let bucket = bucket_w.as_str();
                let key = key_w.as_str();
                let version_id = version_id_w.as_deref();
                let row = match version_id {
                    None => rows::latest(tx, bucket, key, false)?,
                    Some(v) => rows::by_version(tx, bucket, key, v, false)?,
                };
                let row = match row {
                    Some(r) if !r.version.is_delete_marker => r,
                    Some(_) | None => {
                        return Err(missing(tx, bucket, key, version_id));
                    }
                };
                let mut meta = row.version.meta;
                meta.tags = tags;
                tx.execute(
                    "UPDATE objects SET meta = ?2 WHERE id = ?1",
                    params![row.id, serde_json::to_string(&meta)?],
                )?;
                let subject = Subject {
                    etag: Some(&row.version.etag),
                    ..Subject::version(Some(&row.version.version_id))
                };
                let recorded = notifications::record(tx, bucket, key, event, subject)?;
                Ok((row.version.version_id, recorded))
            })
            .await?;
        self.wake_if(recorded);
        Ok(version_id)
    }
}
