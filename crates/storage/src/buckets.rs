//! Buckets and their stored configurations.

use rusqlite::{OptionalExtension, params};

use crate::error::{ConfigKind, Result, StorageError};
use crate::model::{BucketInfo, Versioning};
use crate::{Storage, now_ms};

fn bucket_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<BucketInfo> {
    let versioning: Option<String> = row.get(3)?;
    Ok(BucketInfo {
        name: row.get(0)?,
        region: row.get(1)?,
        created_ms: row.get(2)?,
        versioning: Versioning::from_db(versioning.as_deref()),
    })
}

pub(crate) fn get_bucket(conn: &rusqlite::Connection, name: &str) -> Result<BucketInfo> {
    conn.prepare_cached("SELECT name, region, created_ms, versioning FROM buckets WHERE name = ?1")?
        .query_row([name], bucket_row)
        .optional()?
        .ok_or_else(|| StorageError::NoSuchBucket(name.to_owned()))
}

impl Storage {
    pub async fn create_bucket(&self, name: &str, region: &str) -> Result<BucketInfo> {
        let name_w = name.to_owned();
        let region_w = region.to_owned();
        self.db
            .write(move |tx| {
                let name = name_w.as_str();
                let region = region_w.as_str();
                let created_ms = now_ms();
                let n = tx.execute(
                    "INSERT INTO buckets (name, region, created_ms) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
                    params![name, region, created_ms],
                )?;
                if n == 0 {
                    return Err(StorageError::BucketAlreadyExists(name.to_owned()));
                }
                Ok(BucketInfo {
                    name: name.to_owned(),
                    region: region.to_owned(),
                    created_ms,
                    versioning: Versioning::Unversioned,
                })
            })
            .await
    }

    pub fn bucket(&self, name: &str) -> Result<BucketInfo> {
        self.db.read(|c| get_bucket(c, name))
    }

    pub fn list_buckets(&self) -> Result<Vec<BucketInfo>> {
        self.db.read(|c| {
            let mut stmt =
                c.prepare_cached("SELECT name, region, created_ms, versioning FROM buckets ORDER BY name")?;
            let rows = stmt.query_map([], bucket_row)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    /// Refuses while any version or delete marker remains; pending multipart
    /// uploads go with the bucket.
    pub async fn delete_bucket(&self, name: &str) -> Result<()> {
        let name_w = name.to_owned();
        let gc = self.blobs.gc();
        self.db
            .write_then(
                move |tx| {
                    let name = name_w.as_str();
                    get_bucket(tx, name)?;
                    let has_objects: bool =
                        tx.query_row("SELECT EXISTS (SELECT 1 FROM objects WHERE bucket = ?1)", [name], |r| {
                            r.get(0)
                        })?;
                    if has_objects {
                        return Err(StorageError::BucketNotEmpty(name.to_owned()));
                    }
                    let mut stmt = tx.prepare(
                    "SELECT p.blob FROM upload_parts p JOIN uploads u ON u.upload_id = p.upload_id WHERE u.bucket = ?1",
                )?;
                    let garbage = stmt
                        .query_map([name], |r| r.get::<_, String>(0))?
                        .collect::<rusqlite::Result<Vec<_>>>()?;
                    tx.execute("DELETE FROM uploads WHERE bucket = ?1", [name])?;
                    tx.execute("DELETE FROM buckets WHERE name = ?1", [name])?;
                    Ok(garbage)
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

    pub async fn set_versioning(&self, name: &str, versioning: Versioning) -> Result<()> {
        let name_w = name.to_owned();
        self.db
            .write(move |tx| {
                let name = name_w.as_str();
                get_bucket(tx, name)?;
                tx.execute(
                    "UPDATE buckets SET versioning = ?2 WHERE name = ?1",
                    params![name, versioning.to_db()],
                )?;
                Ok(())
            })
            .await
    }

    pub async fn put_bucket_config(&self, name: &str, kind: ConfigKind, body: &str) -> Result<()> {
        let name_w = name.to_owned();
        let body_w = body.to_owned();
        self.db
            .write(move |tx| {
                let name = name_w.as_str();
                let body = body_w.as_str();
                get_bucket(tx, name)?;
                tx.execute(
                    "INSERT INTO bucket_configs (bucket, kind, body) VALUES (?1, ?2, ?3)
                 ON CONFLICT (bucket, kind) DO UPDATE SET body = excluded.body",
                    params![name, kind.as_str(), body],
                )?;
                Ok(())
            })
            .await
    }

    pub fn bucket_config(&self, name: &str, kind: ConfigKind) -> Result<Option<String>> {
        self.db.read(|c| {
            get_bucket(c, name)?;
            Ok(
                c.prepare_cached("SELECT body FROM bucket_configs WHERE bucket = ?1 AND kind = ?2")?
                    .query_row(params![name, kind.as_str()], |r| r.get(0))
                    .optional()?,
            )
        })
    }

    pub async fn delete_bucket_config(&self, name: &str, kind: ConfigKind) -> Result<()> {
        let name_w = name.to_owned();
        self.db
            .write(move |tx| {
                let name = name_w.as_str();
                get_bucket(tx, name)?;
                tx.execute(
                    "DELETE FROM bucket_configs WHERE bucket = ?1 AND kind = ?2",
                    params![name, kind.as_str()],
                )?;
                Ok(())
            })
            .await
    }
}
