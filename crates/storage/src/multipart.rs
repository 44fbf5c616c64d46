//! Multipart uploads: parts are blobs of their own, and completing an upload
//! only writes metadata that lists them in order, so it costs the same for
//! 5 MiB or 5 TiB.

use md5::{Digest, Md5};
use rusqlite::{Connection, OptionalExtension, params};

use crate::blob::FinishedBlob;
use crate::buckets::get_bucket;
use crate::error::{Result, StorageError};
use crate::model::{
    CompletePart, ObjectMeta, ObjectVersion, PartInfo, Segment, StoredChecksum, UploadInfo, UploadListPage,
    UploadListQuery, UploadedPart, WriteCondition,
};
use crate::objects::{NewVersion, insert_version};
use crate::rows::key_string;
use crate::{Storage, now_ms, quoted_md5};

/// S3's floor for every part but the last.
pub const MIN_PART_SIZE: u64 = 5 * 1024 * 1024;

fn upload_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<UploadInfo> {
    let meta: String = row.get(4)?;
    Ok(UploadInfo {
        upload_id: row.get(0)?,
        bucket: row.get(1)?,
        key: key_string(row.get(2)?)?,
        initiated_ms: row.get(3)?,
        meta: serde_json::from_str(&meta)
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(4, rusqlite::types::Type::Text, e.into()))?,
        checksum_algorithm: row.get(5)?,
        checksum_type: row.get(6)?,
    })
}

const UPLOAD_COLUMNS: &str = "upload_id, bucket, key, initiated_ms, meta, checksum_algorithm, checksum_type";

fn get_upload(c: &Connection, bucket: &str, key: &str, upload_id: &str) -> Result<UploadInfo> {
    let sql = format!("SELECT {UPLOAD_COLUMNS} FROM uploads WHERE upload_id = ?1");
    let up = c.prepare_cached(&sql)?.query_row([upload_id], upload_row).optional()?;
    match up {
        Some(u) if u.bucket == bucket && u.key == key => Ok(u),
        _ => {
            get_bucket(c, bucket)?;
            Err(StorageError::NoSuchUpload(upload_id.to_owned()))
        }
    }
}

fn part_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<UploadedPart> {
    let checksum: Option<String> = row.get(5)?;
    Ok(UploadedPart {
        part_number: row.get(0)?,
        blob: row.get(1)?,
        size: row.get::<_, i64>(2)? as u64,
        etag: row.get(3)?,
        last_modified_ms: row.get(4)?,
        checksum: checksum.and_then(|c| serde_json::from_str(&c).ok()),
    })
}

fn parts_of(c: &Connection, upload_id: &str) -> Result<Vec<UploadedPart>> {
    let mut stmt = c.prepare_cached(
        "SELECT part_number, blob, size, etag, last_modified_ms, checksum FROM upload_parts WHERE upload_id = ?1 ORDER BY part_number",
    )?;
    let rows = stmt.query_map([upload_id], part_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

impl Storage {
    pub async fn create_upload(
        &self,
        bucket: &str,
        key: &str,
        meta: &ObjectMeta,
        checksum_algorithm: Option<&str>,
        checksum_type: Option<&str>,
    ) -> Result<UploadInfo> {
        let info = UploadInfo {
            // Long and opaque like S3's, and unguessable.
            upload_id: format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple()),
            bucket: bucket.to_owned(),
            key: key.to_owned(),
            initiated_ms: now_ms(),
            meta: meta.clone(),
            checksum_algorithm: checksum_algorithm.map(str::to_owned),
            checksum_type: checksum_type.map(str::to_owned),
        };
        let row = info.clone();
        self.db
            .write(move |tx| {
                get_bucket(tx, &row.bucket)?;
                tx.execute(
                    "INSERT INTO uploads (upload_id, bucket, key, initiated_ms, meta, checksum_algorithm, checksum_type)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![
                        row.upload_id,
                        row.bucket,
                        row.key.as_bytes(),
                        row.initiated_ms,
                        serde_json::to_string(&row.meta)?,
                        row.checksum_algorithm,
                        row.checksum_type
                    ],
                )?;
                Ok(())
            })
            .await?;
        Ok(info)
    }

    pub fn upload(&self, bucket: &str, key: &str, upload_id: &str) -> Result<UploadInfo> {
        self.db.read(|c| get_upload(c, bucket, key, upload_id))
    }

    /// Stores a part, replacing any earlier part with the same number.
    pub async fn commit_part(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        part_number: i32,
        blob: FinishedBlob,
        checksum: Option<StoredChecksum>,
    ) -> Result<UploadedPart> {
        let etag = quoted_md5(&blob.md5);
        let last_modified_ms = now_ms();
        let checksum_json = checksum.as_ref().map(serde_json::to_string).transpose()?;
        let mut blob = blob;
        let blob_w = blob.disarm();
        let (etag_w, new_id, size) = (etag.clone(), blob_w.clone(), blob.size);
        let gc = self.blobs.gc();
        let bucket_w = bucket.to_owned();
        let key_w = key.to_owned();
        let upload_id_w = upload_id.to_owned();
        let result = self
            .db
            .write_then(
                move |tx| {
                    let bucket = bucket_w.as_str();
                    let key = key_w.as_str();
                    let upload_id = upload_id_w.as_str();
                    get_upload(tx, bucket, key, upload_id)?;
                    let old: Option<String> = tx
                        .query_row(
                            "SELECT blob FROM upload_parts WHERE upload_id = ?1 AND part_number = ?2",
                            params![upload_id, part_number],
                            |r| r.get(0),
                        )
                        .optional()?;
                    tx.execute(
                "INSERT INTO upload_parts (upload_id, part_number, blob, size, etag, last_modified_ms, checksum)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (upload_id, part_number) DO UPDATE SET blob = excluded.blob, size = excluded.size,
                   etag = excluded.etag, last_modified_ms = excluded.last_modified_ms, checksum = excluded.checksum",
                params![upload_id, part_number, blob_w, size as i64, etag_w, last_modified_ms, checksum_json],
            )?;
                    Ok(old)
                },
                move |r| match r {
                    Ok(old) => gc.remove(&old.iter().cloned().collect::<Vec<_>>()),
                    Err(_) => gc.remove(&[new_id]),
                },
            )
            .await;
        match result {
            Ok(_) => Ok(UploadedPart {
                part_number,
                size: blob.size,
                etag,
                last_modified_ms,
                checksum,
                blob: blob.id.clone(),
            }),
            Err(e) => Err(e),
        }
    }

    pub fn list_parts(&self, bucket: &str, key: &str, upload_id: &str) -> Result<(UploadInfo, Vec<UploadedPart>)> {
        self.db.read(|c| {
            let up = get_upload(c, bucket, key, upload_id)?;
            Ok((up, parts_of(c, upload_id)?))
        })
    }

    /// Completes an upload with the parts the client lists, checking them as S3
    /// does. `checksum` computes the object's checksum from the chosen parts
    /// (the edge knows the algorithms); it runs inside the transaction.
    pub async fn complete_upload(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        requested: &[CompletePart],
        cond: &WriteCondition,
        checksum: impl FnOnce(&UploadInfo, &[UploadedPart]) -> Result<Option<StoredChecksum>> + Send + 'static,
    ) -> Result<ObjectVersion> {
        let (bucket, key, upload_id) = (bucket.to_owned(), key.to_owned(), upload_id.to_owned());
        let (requested, cond) = (requested.to_vec(), cond.clone());
        let gc = self.blobs.gc();
        let (version, _, recorded) = self
            .db
            .write_then(
                move |tx| {
                    let (bucket, key, upload_id, requested, cond) =
                        (bucket.as_str(), key.as_str(), upload_id.as_str(), &requested, &cond);
                    let up = get_upload(tx, bucket, key, upload_id)?;
                    let stored = parts_of(tx, upload_id)?;
                    let mut chosen: Vec<UploadedPart> = Vec::with_capacity(requested.len());
                    let mut prev = 0;
                    for req in requested {
                        if req.part_number <= prev {
                            return Err(StorageError::InvalidPartOrder);
                        }
                        prev = req.part_number;
                        let part = stored
                            .iter()
                            .find(|p| p.part_number == req.part_number)
                            .filter(|p| p.etag.trim_matches('"') == req.etag.trim().trim_matches('"'))
                            .ok_or(StorageError::InvalidPart(req.part_number))?;
                        chosen.push(part.clone());
                    }
                    if chosen.is_empty() {
                        return Err(StorageError::InvalidPart(0));
                    }
                    for p in &chosen[..chosen.len() - 1] {
                        if p.size < MIN_PART_SIZE {
                            return Err(StorageError::EntityTooSmall {
                                part_number: p.part_number,
                                size: p.size,
                            });
                        }
                    }
                    let mut md5 = Md5::new();
                    for p in &chosen {
                        md5.update(hex::decode(p.etag.trim_matches('"')).unwrap_or_default());
                    }
                    let etag = format!("\"{}-{}\"", hex::encode(md5.finalize()), chosen.len());
                    let mut meta = up.meta.clone();
                    meta.checksum = checksum(&up, &chosen)?;
                    let new = NewVersion {
                        size: chosen.iter().map(|p| p.size).sum(),
                        etag,
                        meta,
                        parts: chosen
                            .iter()
                            .map(|p| PartInfo {
                                part_number: p.part_number,
                                size: p.size,
                                etag: p.etag.clone(),
                                checksum: p.checksum.clone(),
                            })
                            .collect(),
                        inline: None,
                        segments: chosen
                            .iter()
                            .map(|p| Segment {
                                blob: p.blob.clone(),
                                size: p.size,
                            })
                            .collect(),
                    };
                    let (version, mut garbage) = insert_version(tx, bucket, key, new, false, cond)?;
                    garbage.extend(
                        stored
                            .iter()
                            .filter(|s| !chosen.iter().any(|c| c.part_number == s.part_number))
                            .map(|s| s.blob.clone()),
                    );
                    tx.execute("DELETE FROM uploads WHERE upload_id = ?1", [upload_id])?;
                    let recorded = crate::notifications::record(
                        tx,
                        bucket,
                        key,
                        "ObjectCreated:CompleteMultipartUpload",
                        crate::notifications::Subject::created(&version),
                    )?;
                    Ok((version, garbage, recorded))
                },
                move |r| {
                    if let Ok((_, garbage, _)) = r {
                        gc.remove(garbage);
                    }
                },
            )
            .await?;
        self.wake_if(recorded);
        self.emit_created(&version, "CompleteMultipartUpload");
        Ok(version)
    }

    pub async fn abort_upload(&self, bucket: &str, key: &str, upload_id: &str) -> Result<()> {
        let bucket_w = bucket.to_owned();
        let key_w = key.to_owned();
        let upload_id_w = upload_id.to_owned();
        let gc = self.blobs.gc();
        self.db
            .write_then(
                move |tx| {
                    let bucket = bucket_w.as_str();
                    let key = key_w.as_str();
                    let upload_id = upload_id_w.as_str();
                    get_upload(tx, bucket, key, upload_id)?;
                    let blobs: Vec<String> = parts_of(tx, upload_id)?.into_iter().map(|p| p.blob).collect();
                    tx.execute("DELETE FROM uploads WHERE upload_id = ?1", [upload_id])?;
                    Ok(blobs)
                },
                move |r| {
                    if let Ok(garbage) = r {
                        gc.remove(garbage);
                    }
                },
            )
            .await?;
        Ok(())
    }

    /// In-progress uploads in key order, then initiation order.
    pub fn list_uploads(&self, bucket: &str, q: &UploadListQuery) -> Result<UploadListPage> {
        self.db.read(|c| {
            get_bucket(c, bucket)?;
            let sql =
                format!("SELECT {UPLOAD_COLUMNS} FROM uploads WHERE bucket = ?1 ORDER BY key, initiated_ms, upload_id");
            let mut stmt = c.prepare_cached(&sql)?;
            let all = stmt
                .query_map([bucket], upload_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let mut page = UploadListPage::default();
            let delimiter = q.delimiter.as_deref().filter(|d| !d.is_empty());
            let cp_of = |key: &str| {
                delimiter.and_then(|d| {
                    key.get(q.prefix.len()..)?
                        .find(d)
                        .map(|i| key[..q.prefix.len() + i + d.len()].to_owned())
                })
            };
            // Where the previous page stopped: an upload of the marker key (ordered by
            // initiation time), or the key itself, or a common prefix to skip whole.
            let km = q.key_marker.as_deref();
            let marker_upload = q.upload_id_marker.as_deref().and_then(|um| {
                all.iter()
                    .find(|u| Some(u.key.as_str()) == km && u.upload_id == um)
                    .map(|u| (u.initiated_ms, u.upload_id.clone()))
            });
            let skip_prefix = km.filter(|k| cp_of(k).as_deref() == Some(*k));
            let after_marker = |up: &UploadInfo| match km {
                None => true,
                Some(_) if skip_prefix.is_some_and(|p| up.key.starts_with(p)) => false,
                Some(k) => match &marker_upload {
                    Some((t, id)) if up.key == k => (up.initiated_ms, &up.upload_id) > (*t, id),
                    _ => up.key.as_str() > k,
                },
            };
            for up in all {
                if !up.key.starts_with(&q.prefix) || !after_marker(&up) {
                    continue;
                }
                if let Some(cp) = cp_of(&up.key) {
                    if page.common_prefixes.last() == Some(&cp) {
                        continue;
                    }
                    if page.uploads.len() + page.common_prefixes.len() == q.max_uploads {
                        page.is_truncated = true;
                        break;
                    }
                    page.next_key_marker = Some(cp.clone());
                    page.next_upload_id_marker = None;
                    page.common_prefixes.push(cp);
                    continue;
                }
                if page.uploads.len() + page.common_prefixes.len() == q.max_uploads {
                    page.is_truncated = true;
                    break;
                }
                page.next_key_marker = Some(up.key.clone());
                page.next_upload_id_marker = Some(up.upload_id.clone());
                page.uploads.push(up);
            }
            Ok(page)
        })
    }
}
