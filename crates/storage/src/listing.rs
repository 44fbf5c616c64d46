//! Listing keys and versions in UTF-8 byte order, with delimiter roll-up.
//!
//! Common prefixes are skipped with an index seek (to the prefix followed by
//! 0xFF, a byte no UTF-8 key contains), so a listing costs one seek per
//! returned entry however many keys hide under a prefix.

use rusqlite::{Connection, OptionalExtension, params};

use crate::Storage;
use crate::buckets::get_bucket;
use crate::error::Result;
use crate::model::{ListPage, ListQuery, VersionListPage, VersionListQuery};
use crate::rows::{OBJECT_COLUMNS, ObjectRow, object_row};

/// The smallest byte string greater than every string that starts with `prefix`,
/// or None when no such bound is needed (empty prefix).
fn prefix_upper(prefix: &[u8]) -> Option<Vec<u8>> {
    if prefix.is_empty() {
        return None;
    }
    let mut up = prefix.to_vec();
    up.push(0xFF);
    Some(up)
}

/// If `key` rolls up under `delimiter` after `prefix`, the common prefix.
fn common_prefix<'a>(key: &'a str, prefix: &str, delimiter: Option<&str>) -> Option<&'a str> {
    let d = delimiter.filter(|d| !d.is_empty())?;
    let rest = &key[prefix.len()..];
    rest.find(d).map(|i| &key[..prefix.len() + i + d.len()])
}

/// Where to resume after `after`: a common prefix is skipped whole.
fn resume_point(after: &str, prefix: &str, delimiter: Option<&str>) -> Vec<u8> {
    let mut v = after.as_bytes().to_vec();
    if after.starts_with(prefix) && common_prefix(after, prefix, delimiter) == Some(after) {
        v.push(0xFF);
    }
    v
}

/// Versions strictly after `cursor` (or from `prefix` inclusive) within the prefix, newest first per key.
fn next_rows(
    c: &Connection,
    bucket: &str,
    prefix: &[u8],
    cursor: Option<&[u8]>,
    limit: usize,
) -> Result<Vec<ObjectRow>> {
    let upper = prefix_upper(prefix).unwrap_or_else(|| vec![0xFF; 1]);
    let (lower_op, lower): (&str, &[u8]) = match cursor {
        Some(cur) if cur >= prefix => (">", cur),
        _ => (">=", prefix),
    };
    // Keys beginning with 0xFF cannot occur (invalid UTF-8), so 0xFF bounds everything.
    let sql = format!(
        "SELECT {OBJECT_COLUMNS} FROM objects WHERE bucket = ?1 AND key {lower_op} ?2 AND key < ?3 ORDER BY key, id DESC LIMIT ?4"
    );
    let mut stmt = c.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![bucket, lower, upper, limit as i64], object_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// What to do after visiting a row.
enum Flow {
    Next,
    /// Stop this scan and query again from the updated cursor.
    Reseek,
    Done,
}

/// Visits rows after `cursor` lazily, so a scan that stops early (a common
/// prefix, a full page) decodes only the rows it looked at. Returns whether
/// the scan ran out of rows and the last flow.
fn visit_rows(
    c: &Connection,
    bucket: &str,
    prefix: &[u8],
    cursor: Option<&[u8]>,
    mut f: impl FnMut(ObjectRow) -> Flow,
) -> Result<(bool, Flow)> {
    let upper = prefix_upper(prefix).unwrap_or_else(|| vec![0xFF; 1]);
    let (lower_op, lower): (&str, &[u8]) = match cursor {
        Some(cur) if cur >= prefix => (">", cur),
        _ => (">=", prefix),
    };
    let sql = format!(
        "SELECT {OBJECT_COLUMNS} FROM objects WHERE bucket = ?1 AND is_latest = 1 AND key {lower_op} ?2 AND key < ?3 ORDER BY key"
    );
    let mut stmt = c.prepare_cached(&sql)?;
    let mut rows = stmt.query(params![bucket, lower, upper])?;
    while let Some(row) = rows.next()? {
        match f(object_row(row)?) {
            Flow::Next => {}
            flow => return Ok((false, flow)),
        }
    }
    Ok((true, Flow::Next))
}

impl Storage {
    /// Current, non-deleted objects in key order (ListObjects / ListObjectsV2).
    pub fn list(&self, bucket: &str, q: &ListQuery) -> Result<ListPage> {
        self.db.read(|c| {
            get_bucket(c, bucket)?;
            let mut page = ListPage::default();
            let delimiter = q.delimiter.as_deref();
            let mut cursor: Option<Vec<u8>> = q.after.as_deref().map(|a| resume_point(a, &q.prefix, delimiter));
            if q.max_keys == 0 {
                return Ok(page);
            }
            loop {
                let (exhausted, flow) = visit_rows(c, bucket, q.prefix.as_bytes(), cursor.clone().as_deref(), |row| {
                    let v = row.version;
                    if page.objects.len() + page.common_prefixes.len() == q.max_keys {
                        // One more entry exists beyond the page, unless it is a delete marker;
                        // a marker here is skipped and the search goes on.
                        if v.is_delete_marker {
                            cursor = Some(v.key.into_bytes());
                            return Flow::Next;
                        }
                        page.is_truncated = true;
                        return Flow::Done;
                    }
                    if let Some(cp) = common_prefix(&v.key, &q.prefix, delimiter) {
                        if v.is_delete_marker {
                            // A prefix holding only delete markers is not listed; look
                            // within it rather than past it.
                            cursor = Some(v.key.into_bytes());
                            return Flow::Next;
                        }
                        let cp = cp.to_owned();
                        let mut seek = cp.clone().into_bytes();
                        seek.push(0xFF);
                        page.next_after = Some(cp.clone());
                        page.common_prefixes.push(cp);
                        cursor = Some(seek);
                        return Flow::Reseek;
                    }
                    cursor = Some(v.key.as_bytes().to_vec());
                    if !v.is_delete_marker {
                        page.next_after = Some(v.key.clone());
                        page.objects.push(v);
                    }
                    Flow::Next
                })?;
                if exhausted || matches!(flow, Flow::Done) {
                    break;
                }
            }
            Ok(page)
        })
    }

    /// Every version and delete marker, keys ascending, newest version first.
    pub fn list_versions(&self, bucket: &str, q: &VersionListQuery) -> Result<VersionListPage> {
        self.db.read(|c| {
            get_bucket(c, bucket)?;
            let mut page = VersionListPage::default();
            if q.max_keys == 0 {
                return Ok(page);
            }
            let delimiter = q.delimiter.as_deref();
            let mut cursor: Option<Vec<u8>> = None;
            // Resume inside a key's version history when a version marker is given.
            if let Some(km) = &q.key_marker {
                match &q.version_id_marker {
                    Some(vm) if !vm.is_empty() => {
                        let found: Option<i64> = c
                            .query_row(
                                "SELECT id FROM objects WHERE bucket = ?1 AND key = ?2 AND version_id = ?3",
                                params![bucket, km.as_bytes(), vm],
                                |r| r.get(0),
                            )
                            .optional()?;
                        // A marker version deleted since the last page still says where it stood.
                        let marker_id = found.or_else(|| crate::version_position(vm));
                        if let Some(mid) = marker_id {
                            let sql = format!(
                                "SELECT {OBJECT_COLUMNS} FROM objects WHERE bucket = ?1 AND key = ?2 AND id < ?3 ORDER BY id DESC"
                            );
                            let mut stmt = c.prepare_cached(&sql)?;
                            let rows = stmt.query_map(params![bucket, km.as_bytes(), mid], object_row)?;
                            for row in rows {
                                let v = row?.version;
                                if page.versions.len() == q.max_keys {
                                    page.is_truncated = true;
                                    return Ok(page);
                                }
                                page.next_key_marker = Some(v.key.clone());
                                page.next_version_id_marker = Some(v.version_id.clone());
                                page.versions.push(v);
                            }
                        }
                        cursor = Some(km.as_bytes().to_vec());
                    }
                    _ => cursor = Some(resume_point(km, &q.prefix, delimiter)),
                }
            }
            let batch = (q.max_keys + 1).clamp(2, 1001);
            'outer: loop {
                let rows = next_rows(c, bucket, q.prefix.as_bytes(), cursor.as_deref(), batch)?;
                if rows.is_empty() {
                    break;
                }
                let mut last_key: Option<Vec<u8>> = None;
                let n = rows.len();
                for row in rows {
                    let v = row.version;
                    if page.versions.len() + page.common_prefixes.len() == q.max_keys {
                        page.is_truncated = true;
                        break 'outer;
                    }
                    if let Some(cp) = common_prefix(&v.key, &q.prefix, delimiter) {
                        let cp = cp.to_owned();
                        let mut seek = cp.clone().into_bytes();
                        seek.push(0xFF);
                        page.next_key_marker = Some(cp.clone());
                        page.next_version_id_marker = None;
                        page.common_prefixes.push(cp);
                        cursor = Some(seek);
                        continue 'outer;
                    }
                    page.next_key_marker = Some(v.key.clone());
                    page.next_version_id_marker = Some(v.version_id.clone());
                    last_key = Some(v.key.as_bytes().to_vec());
                    page.versions.push(v);
                }
                if n < batch {
                    break;
                }
                // The batch may have cut one key's history in two: fetch the rest of
                // that key before moving on.
                if let Some(k) = last_key {
                    let last_vid = page.next_version_id_marker.clone().unwrap_or_default();
                    let key = String::from_utf8(k.clone()).unwrap_or_default();
                    let rest = self.versions_after(c, bucket, &key, &last_vid)?;
                    for v in rest {
                        if page.versions.len() + page.common_prefixes.len() == q.max_keys {
                            page.is_truncated = true;
                            break 'outer;
                        }
                        page.next_version_id_marker = Some(v.version_id.clone());
                        page.versions.push(v);
                    }
                    cursor = Some(k);
                }
            }
            if !page.is_truncated {
                page.next_key_marker = None;
                page.next_version_id_marker = None;
            }
            Ok(page)
        })
    }

    fn versions_after(
        &self,
        c: &Connection,
        bucket: &str,
        key: &str,
        version_id: &str,
    ) -> Result<Vec<crate::ObjectVersion>> {
        let sql = format!(
            "SELECT {OBJECT_COLUMNS} FROM objects WHERE bucket = ?1 AND key = ?2 AND id < \
             (SELECT id FROM objects WHERE bucket = ?1 AND key = ?2 AND version_id = ?3) ORDER BY id DESC"
        );
        let mut stmt = c.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![bucket, key.as_bytes(), version_id], object_row)?;
        Ok(rows
            .map(|r| r.map(|r| r.version))
            .collect::<rusqlite::Result<Vec<_>>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_prefix_rolls_up_after_the_prefix() {
        assert_eq!(common_prefix("a/b/c", "a/", Some("/")), Some("a/b/"));
        assert_eq!(common_prefix("a/b", "a/", Some("/")), None);
        assert_eq!(common_prefix("a/b", "", None), None);
        assert_eq!(common_prefix("x--y--z", "", Some("--")), Some("x--"));
    }

    #[test]
    fn resuming_after_a_common_prefix_skips_it() {
        assert_eq!(resume_point("a/", "", Some("/")), b"a/\xFF".to_vec());
        assert_eq!(resume_point("a/b", "", Some("/")), b"a/b".to_vec());
        assert_eq!(resume_point("a/", "", None), b"a/".to_vec());
    }
}
