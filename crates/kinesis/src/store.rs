//! The file behind Kinesis (`kinesis.sqlite`): streams as JSON (shards and
//! consumers inside), and records. A record's row id is its shard's key
//! shifted left 40 bits plus its place, so a shard's records are one range
//! of the table's own B-tree: read in order without a second index, and a
//! put costs one insert. Checkpoints keep where each reader of a shard
//! (a Lambda event source mapping) has got to.

use rusqlite::{Connection, OptionalExtension, params};

use crate::model::{Record, Stream};
use crate::seq::{self, Place};

pub(crate) const SCHEMA: lakestack_sqlite::Schema<'static> = lakestack_sqlite::Schema {
    name: "Kinesis",
    steps: &["CREATE TABLE streams (name TEXT PRIMARY KEY, body TEXT NOT NULL);
         CREATE TABLE meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
         CREATE TABLE records (
             id INTEGER PRIMARY KEY,
             arrival_ms INTEGER NOT NULL,
             partition_key TEXT NOT NULL,
             data BLOB NOT NULL
         );
         CREATE TABLE checkpoints (
             reader TEXT NOT NULL,
             shard INTEGER NOT NULL,
             place INTEGER NOT NULL,
             PRIMARY KEY (reader, shard)
         );"],
};

/// Places take the low 40 bits of a row id: a trillion records per shard.
const PLACE_BITS: u32 = 40;
pub(crate) const MAX_PLACE: Place = (1 << PLACE_BITS) - 1;
/// Shard keys take the rest of a positive i64.
pub(crate) const MAX_SHARD_KEY: u64 = (1 << (63 - PLACE_BITS)) - 1;

pub(crate) fn row_id(shard_key: u64, place: Place) -> i64 {
    ((shard_key << PLACE_BITS) | place) as i64
}

fn place_of(id: i64) -> Place {
    (id as u64) & MAX_PLACE
}

pub(crate) fn load_streams(c: &Connection) -> rusqlite::Result<Vec<Stream>> {
    let mut st = c.prepare("SELECT body FROM streams ORDER BY name")?;
    let rows = st.query_map([], |r| r.get::<_, String>(0))?;
    let mut out = Vec::new();
    for body in rows {
        match serde_json::from_str(&body?) {
            Ok(s) => out.push(s),
            Err(e) => tracing::error!(error = %e, "a stream in kinesis.sqlite is unreadable; skipped"),
        }
    }
    Ok(out)
}

pub(crate) fn put_stream(c: &Connection, body: &str, name: &str) -> rusqlite::Result<()> {
    c.execute(
        "INSERT INTO streams (name, body) VALUES (?1, ?2)
         ON CONFLICT (name) DO UPDATE SET body = excluded.body",
        params![name, body],
    )?;
    Ok(())
}

pub(crate) fn delete_stream(c: &Connection, name: &str, shard_keys: &[u64]) -> rusqlite::Result<()> {
    c.execute("DELETE FROM streams WHERE name = ?1", params![name])?;
    for &k in shard_keys {
        c.execute(
            "DELETE FROM records WHERE id BETWEEN ?1 AND ?2",
            params![row_id(k, 0), row_id(k, MAX_PLACE)],
        )?;
        c.execute("DELETE FROM checkpoints WHERE shard = ?1", params![k as i64])?;
    }
    Ok(())
}

pub(crate) fn next_shard_key(c: &Connection) -> rusqlite::Result<u64> {
    let v: Option<i64> = c
        .query_row("SELECT value FROM meta WHERE name = 'next_shard_key'", [], |r| r.get(0))
        .optional()?;
    Ok(v.unwrap_or(0) as u64)
}

pub(crate) fn set_next_shard_key(c: &Connection, next: u64) -> rusqlite::Result<()> {
    c.execute(
        "INSERT INTO meta (name, value) VALUES ('next_shard_key', ?1)
         ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        params![next as i64],
    )?;
    Ok(())
}

/// A record on its way to the file.
#[derive(Debug)]
pub(crate) struct Row {
    pub id: i64,
    pub arrival_ms: i64,
    pub partition_key: String,
    pub data: Vec<u8>,
}

pub(crate) fn insert(c: &Connection, rows: &[Row]) -> rusqlite::Result<()> {
    let mut st =
        c.prepare_cached("INSERT INTO records (id, arrival_ms, partition_key, data) VALUES (?1, ?2, ?3, ?4)")?;
    for r in rows {
        st.execute(params![r.id, r.arrival_ms, r.partition_key, r.data])?;
    }
    Ok(())
}

/// The place of a shard's last record, 0 when it has none.
pub(crate) fn last_place(c: &Connection, shard_key: u64) -> rusqlite::Result<Place> {
    let id: Option<i64> = c.query_row(
        "SELECT MAX(id) FROM records WHERE id BETWEEN ?1 AND ?2",
        params![row_id(shard_key, 0), row_id(shard_key, MAX_PLACE)],
        |r| r.get(0),
    )?;
    Ok(id.map_or(0, place_of))
}

/// Up to `limit` records of a shard from place `from` on, no later than
/// `upto`, whose data adds up to at most `max_bytes` (at least one record
/// is read whatever its size).
pub(crate) fn read(
    c: &Connection,
    shard_key: u64,
    from: Place,
    upto: Place,
    limit: usize,
    max_bytes: usize,
) -> rusqlite::Result<Vec<(Place, Record)>> {
    let mut st = c.prepare_cached(
        "SELECT id, arrival_ms, partition_key, data FROM records WHERE id BETWEEN ?1 AND ?2 ORDER BY id LIMIT ?3",
    )?;
    let mut rows = st.query(params![
        row_id(shard_key, from.min(MAX_PLACE)),
        row_id(shard_key, upto.min(MAX_PLACE)),
        limit as i64
    ])?;
    let mut out = Vec::new();
    let mut bytes = 0;
    while let Some(r) = rows.next()? {
        let place = place_of(r.get(0)?);
        let data: Vec<u8> = r.get(3)?;
        let partition_key: String = r.get(2)?;
        bytes += data.len() + partition_key.len();
        if bytes > max_bytes && !out.is_empty() {
            break;
        }
        out.push((
            place,
            Record {
                sequence_number: seq::format(shard_key, place),
                arrival_ms: r.get(1)?,
                partition_key,
                data,
            },
        ));
    }
    Ok(out)
}

/// Records read with their places, and where reading skipped to past
/// expired ones (if it did).
pub(crate) type LiveRead = (Vec<(Place, Record)>, Option<Place>);

/// A shard's records from place `from` up to `end` (exclusive) that have
/// not expired (arrived at or after `cutoff_ms`), as [`read`] limits them;
/// and, when expired records were skipped, the place reading moved to.
pub(crate) fn read_live(
    c: &Connection,
    shard_key: u64,
    from: Place,
    end: Place,
    limit: usize,
    max_bytes: usize,
    cutoff_ms: i64,
) -> rusqlite::Result<LiveRead> {
    if from >= end {
        return Ok((Vec::new(), None));
    }
    let rows = read(c, shard_key, from, end - 1, limit, max_bytes)?;
    // Records past retention may not be removed yet: never served.
    if rows.first().is_some_and(|(_, r)| r.arrival_ms < cutoff_ms) {
        let kept = place_at_time(c, shard_key, cutoff_ms, end)?.max(from);
        let rows = if kept < end {
            read(c, shard_key, kept, end - 1, limit, max_bytes)?
        } else {
            Vec::new()
        };
        return Ok((rows, Some(kept)));
    }
    Ok((rows, None))
}

/// The first record of a shard at or after `from` (its place and arrival).
fn first_at_or_after(c: &Connection, shard_key: u64, from: Place) -> rusqlite::Result<Option<(Place, i64)>> {
    c.query_row(
        "SELECT id, arrival_ms FROM records WHERE id BETWEEN ?1 AND ?2 ORDER BY id LIMIT 1",
        params![row_id(shard_key, from.min(MAX_PLACE)), row_id(shard_key, MAX_PLACE)],
        |r| Ok((place_of(r.get(0)?), r.get(1)?)),
    )
    .optional()
}

/// The place of the first record of a shard that arrived at or after
/// `at_ms`, or `after_last` when none did. Arrival times grow with places
/// (the clock never goes back), so this is a binary search of point reads.
pub(crate) fn place_at_time(c: &Connection, shard_key: u64, at_ms: i64, after_last: Place) -> rusqlite::Result<Place> {
    let (mut lo, mut hi) = (0, after_last);
    // Invariant: every record before `lo` arrived before `at_ms`; the answer is in lo..=hi.
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        match first_at_or_after(c, shard_key, mid)? {
            Some((p, t)) if p < hi => {
                if t >= at_ms {
                    hi = p;
                } else {
                    lo = p + 1;
                }
            }
            _ => hi = mid,
        }
    }
    Ok(lo)
}

/// Removes a shard's records that arrived before `cutoff_ms`; the place of
/// the first one kept.
pub(crate) fn trim(c: &Connection, shard_key: u64, cutoff_ms: i64, after_last: Place) -> rusqlite::Result<Place> {
    let keep = place_at_time(c, shard_key, cutoff_ms, after_last)?;
    if keep > 0 {
        c.execute(
            "DELETE FROM records WHERE id BETWEEN ?1 AND ?2",
            params![row_id(shard_key, 0), row_id(shard_key, keep - 1)],
        )?;
    }
    Ok(keep)
}

pub(crate) fn checkpoint(c: &Connection, reader: &str, shard_key: u64) -> rusqlite::Result<Option<Place>> {
    c.query_row(
        "SELECT place FROM checkpoints WHERE reader = ?1 AND shard = ?2",
        params![reader, shard_key as i64],
        |r| r.get::<_, i64>(0),
    )
    .optional()
    .map(|p| p.map(|p| p as Place))
}

pub(crate) fn set_checkpoint(c: &Connection, reader: &str, shard_key: u64, place: Place) -> rusqlite::Result<()> {
    c.execute(
        "INSERT INTO checkpoints (reader, shard, place) VALUES (?1, ?2, ?3)
         ON CONFLICT (reader, shard) DO UPDATE SET place = excluded.place",
        params![reader, shard_key as i64, place as i64],
    )?;
    Ok(())
}

pub(crate) fn forget_reader(c: &Connection, reader: &str) -> rusqlite::Result<()> {
    c.execute("DELETE FROM checkpoints WHERE reader = ?1", params![reader])?;
    Ok(())
}
