//! Mapping between SQLite rows and domain types.

use std::collections::HashSet;

use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::error::Result;
use crate::model::{ObjectMeta, ObjectVersion, PartInfo, Segment};

/// Every column but the inline body, which only reads of one object load.
pub(crate) const OBJECT_COLUMNS: &str = "id, bucket, key, version_id, is_latest, is_delete_marker, size, etag, \
     last_modified_ms, meta, parts, segments, inline_body IS NOT NULL";

const WITH_BODY: &str = "id, bucket, key, version_id, is_latest, is_delete_marker, size, etag, \
     last_modified_ms, meta, parts, segments, inline_body IS NOT NULL, inline_body";

/// An object row with its rowid, which orders versions of one key.
pub(crate) struct ObjectRow {
    pub id: i64,
    pub version: ObjectVersion,
}

pub(crate) fn key_string(bytes: Vec<u8>) -> rusqlite::Result<String> {
    String::from_utf8(bytes)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Blob, e.into()))
}

fn json_col<T: serde::de::DeserializeOwned>(idx: usize, s: &str) -> rusqlite::Result<T> {
    serde_json::from_str(s)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, e.into()))
}

pub(crate) fn object_row(row: &Row<'_>) -> rusqlite::Result<ObjectRow> {
    let meta: String = row.get(9)?;
    let parts: Option<String> = row.get(10)?;
    let segments: String = row.get(11)?;
    Ok(ObjectRow {
        id: row.get(0)?,
        version: ObjectVersion {
            bucket: row.get(1)?,
            key: key_string(row.get(2)?)?,
            version_id: row.get(3)?,
            is_latest: row.get(4)?,
            is_delete_marker: row.get(5)?,
            size: row.get::<_, i64>(6)? as u64,
            etag: row.get(7)?,
            last_modified_ms: row.get(8)?,
            meta: json_col::<ObjectMeta>(9, &meta)?,
            parts: match parts {
                Some(p) => json_col::<Vec<PartInfo>>(10, &p)?,
                None => Vec::new(),
            },
            segments: json_col::<Vec<Segment>>(11, &segments)?,
            is_inline: row.get(12)?,
            inline: match row.as_ref().column_count() {
                14 => row.get::<_, Option<Vec<u8>>>(13)?.map(bytes::Bytes::from),
                _ => None,
            },
            row_id: row.get(0)?,
        },
    })
}

/// The current version of a key; `body` also loads an inline body.
pub(crate) fn latest(conn: &Connection, bucket: &str, key: &str, body: bool) -> Result<Option<ObjectRow>> {
    let cols = if body { WITH_BODY } else { OBJECT_COLUMNS };
    let sql = format!("SELECT {cols} FROM objects WHERE bucket = ?1 AND key = ?2 AND is_latest = 1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row(params![bucket, key.as_bytes()], object_row)
        .optional()?)
}

pub(crate) fn by_version(
    conn: &Connection,
    bucket: &str,
    key: &str,
    version_id: &str,
    body: bool,
) -> Result<Option<ObjectRow>> {
    let cols = if body { WITH_BODY } else { OBJECT_COLUMNS };
    let sql = format!("SELECT {cols} FROM objects WHERE bucket = ?1 AND key = ?2 AND version_id = ?3");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row(params![bucket, key.as_bytes(), version_id], object_row)
        .optional()?)
}

pub(crate) fn blobs_of(segments: &[Segment]) -> impl Iterator<Item = String> + '_ {
    segments.iter().map(|s| s.blob.clone())
}

pub(crate) fn all_referenced_blobs(conn: &Connection) -> Result<HashSet<String>> {
    let mut set = HashSet::new();
    let mut stmt = conn.prepare("SELECT segments FROM objects")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let s: String = row.get(0)?;
        let segs: Vec<Segment> = serde_json::from_str(&s)?;
        set.extend(segs.into_iter().map(|s| s.blob));
    }
    let mut stmt = conn.prepare("SELECT blob FROM upload_parts")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        set.insert(row.get(0)?);
    }
    Ok(set)
}

pub(crate) fn inline_body(conn: &Connection, row_id: i64) -> Result<Option<bytes::Bytes>> {
    let body: Option<Option<Vec<u8>>> = conn
        .prepare_cached("SELECT inline_body FROM objects WHERE id = ?1")?
        .query_row([row_id], |r| r.get(0))
        .optional()?;
    Ok(body.flatten().map(bytes::Bytes::from))
}
