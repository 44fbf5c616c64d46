//! Classifying one object and inferring its schema, as Glue's built-in and
//! custom classifiers do: Parquet from the footer only; CSV-family text and
//! JSON from a sample of at most 1 MiB read from the start of the object
//! (decompressed when gzip, bzip2, zstd or snappy).

mod compression;
pub mod json;
pub mod parquet;
pub mod text;

use object_store::path::Path;
use object_store::{GetOptions, GetRange, ObjectStore};

pub use compression::Compression;

use crate::model::Classifier;

/// How much of a text object the classifiers look at, as Glue does (1 MB).
const SAMPLE_BYTES: u64 = 1 << 20;
/// The first read of an object that may be Parquet: most footers fit.
const TAIL_BYTES: u64 = 64 << 10;
/// The largest footer read into memory: thousands of row groups fit easily,
/// a corrupt length of gigabytes does not get allocated.
const MAX_FOOTER_BYTES: u64 = 64 << 20;

/// What the classifiers decided for one file.
#[derive(Debug, Clone, PartialEq)]
pub struct FileSchema {
    pub format: Format,
    pub compression: Compression,
    pub columns: Vec<(String, String)>,
    /// Exact for Parquet, estimated from the sample for text.
    pub records: u64,
    /// Uncompressed bytes per record, from the sample.
    pub avg_record_size: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Format {
    Parquet,
    Csv(text::TextSchema),
    Json,
}

impl Format {
    pub fn classification(&self) -> &'static str {
        match self {
            Self::Parquet => "parquet",
            Self::Csv(_) => "csv",
            Self::Json => "json",
        }
    }
}

/// Hints from the object's name, so a lake of Parquet files costs one read each.
fn looks_like_text(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    [
        ".csv", ".tsv", ".txt", ".json", ".jsonl", ".ndjson", ".gz", ".gzip", ".bz2", ".zst", ".zstd", ".snappy",
        ".psv",
    ]
    .iter()
    .any(|ext| k.ends_with(ext))
        && !k.ends_with(".parquet")
        && !k.contains(".parquet.")
}

async fn get_range(store: &dyn ObjectStore, path: &Path, range: std::ops::Range<u64>) -> Result<bytes::Bytes, String> {
    let opts = GetOptions {
        range: Some(GetRange::Bounded(range)),
        ..GetOptions::default()
    };
    let r = store.get_opts(path, opts).await.map_err(|e| e.to_string())?;
    r.bytes().await.map_err(|e| e.to_string())
}

/// Classifies one object of `size` bytes. Custom classifiers run first, in
/// the crawler's order, then the built-ins (Parquet, JSON, CSV).
pub async fn classify(
    store: &dyn ObjectStore,
    path: &Path,
    size: u64,
    classifiers: &[Classifier],
) -> Result<FileSchema, String> {
    if size == 0 {
        return Err("the object is empty".into());
    }
    let key = path.as_ref();
    let mut head: Option<bytes::Bytes> = None;
    if !looks_like_text(key) && size >= 12 {
        let start = size.saturating_sub(TAIL_BYTES);
        let tail = get_range(store, path, start..size).await?;
        if tail.ends_with(b"PAR1") {
            return classify_parquet(store, path, size, tail).await;
        }
        if start == 0 {
            head = Some(tail);
        }
    }
    let sample = match head {
        Some(h) => h.slice(..h.len().min(SAMPLE_BYTES as usize)),
        None => get_range(store, path, 0..size.min(SAMPLE_BYTES)).await?,
    };
    let whole = sample.len() as u64 >= size;
    // Decompressing and parsing a megabyte is CPU work: keep it off the
    // reactor so both cores classify while other objects are being read.
    let key = key.to_owned();
    let classifiers = classifiers.to_vec();
    tokio::task::spawn_blocking(move || classify_text(&key, &sample, whole, size, &classifiers))
        .await
        .map_err(|e| format!("classification failed: {e}"))?
}

async fn classify_parquet(
    store: &dyn ObjectStore,
    path: &Path,
    size: u64,
    mut tail: bytes::Bytes,
) -> Result<FileSchema, String> {
    let span = parquet::metadata_span(&tail[tail.len() - parquet::FOOTER_LEN..])? as u64;
    if span > size {
        return Err(format!(
            "corrupt Parquet footer: metadata of {span} bytes in a {size}-byte file"
        ));
    }
    if span > MAX_FOOTER_BYTES {
        return Err(format!(
            "unsupported Parquet footer: metadata of {span} bytes is more than the {MAX_FOOTER_BYTES} bytes lakestack reads"
        ));
    }
    if span > tail.len() as u64 {
        tail = get_range(store, path, size - span..size).await?;
    }
    let schema = parquet::decode(&tail)?;
    Ok(FileSchema {
        format: Format::Parquet,
        compression: Compression::None,
        columns: schema.columns,
        records: schema.rows,
        avg_record_size: size.checked_div(schema.rows).unwrap_or(0),
    })
}

fn classify_text(
    key: &str,
    raw: &[u8],
    whole: bool,
    size: u64,
    classifiers: &[Classifier],
) -> Result<FileSchema, String> {
    if raw.starts_with(b"Obj\x01") {
        return Err("Avro files are not supported by lakestack crawlers yet".into());
    }
    if raw.starts_with(b"ORC") {
        return Err("ORC files are not supported by lakestack crawlers yet".into());
    }
    let compression = Compression::detect(key, raw);
    let decoded = compression.decode_prefix(raw, whole, 2 * SAMPLE_BYTES as usize)?;
    let text = utf8_prefix(&decoded.bytes).ok_or("the object is not text (not UTF-8)")?;
    let complete = decoded.complete;
    // Classifiers look at up to 1000 records, but the sample holds more: count
    // its complete lines to estimate records and their size over the object.
    let body = if complete {
        text
    } else {
        text.rfind('\n').map_or("", |i| &text[..=i])
    };
    let lines = body.lines().filter(|l| !l.trim().is_empty()).count() as u64;
    // `rows`: the JSON classifier counts every record of the sample; the CSV
    // classifier stops at 1000, so CSV counts lines (less the header) instead.
    let scale = |rows: Option<u64>, header: bool| -> (u64, u64) {
        let rows = rows.unwrap_or_else(|| lines.saturating_sub(u64::from(header))).max(1);
        let avg = (body.len() as u64 / rows).max(1);
        if complete {
            (rows, avg)
        } else {
            let consumed = decoded.consumed.max(1) as f64;
            let share = body.len() as f64 / decoded.bytes.len().max(1) as f64;
            ((rows as f64 * size as f64 / (consumed * share)).round() as u64, avg)
        }
    };
    for c in classifiers {
        match c {
            Classifier::Json(j) => {
                if let Some(s) = json::classify_json(text, complete, Some(&j.json_path)) {
                    let (records, avg) = scale(Some(s.rows_sampled), false);
                    return Ok(json_file(s, compression, records, avg));
                }
            }
            Classifier::Csv(c) => {
                if let Some(s) = text::classify_csv(text, complete, &csv_options(c)) {
                    let (records, avg) = scale(None, s.has_header);
                    return Ok(csv_file(s, compression, records, avg));
                }
            }
        }
    }
    if let Some(s) = json::classify_json(text, complete, None) {
        let (records, avg) = scale(Some(s.rows_sampled), false);
        return Ok(json_file(s, compression, records, avg));
    }
    if let Some(s) = text::classify_csv(text, complete, &text::CsvOptions::default()) {
        let (records, avg) = scale(None, s.has_header);
        return Ok(csv_file(s, compression, records, avg));
    }
    Err("no classifier recognized the object's format".into())
}

fn json_file(s: json::JsonSchema, compression: Compression, records: u64, avg: u64) -> FileSchema {
    FileSchema {
        format: Format::Json,
        compression,
        columns: s.columns,
        records,
        avg_record_size: avg,
    }
}

fn csv_file(s: text::TextSchema, compression: Compression, records: u64, avg: u64) -> FileSchema {
    FileSchema {
        columns: s.columns.clone(),
        format: Format::Csv(s),
        compression,
        records,
        avg_record_size: avg,
    }
}

pub fn csv_options(c: &crate::model::CsvClassifier) -> text::CsvOptions {
    text::CsvOptions {
        delimiter: c.delimiter.as_deref().and_then(|d| d.chars().next()),
        quote: c.quote_symbol.as_deref().and_then(|d| d.chars().next()),
        contains_header: c.contains_header.as_deref().map(|h| match h {
            "PRESENT" => text::HeaderMode::Present,
            "ABSENT" => text::HeaderMode::Absent,
            _ => text::HeaderMode::Unknown,
        }),
        header: (!c.header.is_empty()).then(|| c.header.clone()),
        disable_value_trimming: c.disable_value_trimming,
        allow_single_column: c.allow_single_column,
    }
}

/// The longest valid UTF-8 prefix, allowing a character cut at the sample's end.
fn utf8_prefix(b: &[u8]) -> Option<&str> {
    match std::str::from_utf8(b) {
        Ok(s) => Some(s),
        Err(e) if e.error_len().is_none() || e.valid_up_to() + 4 >= b.len() => {
            std::str::from_utf8(&b[..e.valid_up_to()]).ok()
        }
        Err(_) => None,
    }
}

/// Merges the column lists of two files of one table: union by name in
/// first-seen order, numeric types widened, other conflicts resolved to string.
pub fn merge_columns(a: &[(String, String)], b: &[(String, String)]) -> Vec<(String, String)> {
    let mut out = a.to_vec();
    for (name, ty) in b {
        match out.iter_mut().find(|(n, _)| n == name) {
            None => out.push((name.clone(), ty.clone())),
            Some((_, existing)) if existing != ty => *existing = widen(existing, ty),
            Some(_) => {}
        }
    }
    out
}

fn widen(a: &str, b: &str) -> String {
    const ORDER: [&str; 6] = ["tinyint", "smallint", "int", "bigint", "float", "double"];
    match (ORDER.iter().position(|t| *t == a), ORDER.iter().position(|t| *t == b)) {
        (Some(x), Some(y)) => ORDER[x.max(y)].to_owned(),
        _ => "string".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merging_widens_numbers_and_appends_new_columns() {
        let a = vec![
            ("id".to_owned(), "int".to_owned()),
            ("name".to_owned(), "string".to_owned()),
        ];
        let b = vec![
            ("id".to_owned(), "bigint".to_owned()),
            ("extra".to_owned(), "double".to_owned()),
        ];
        assert_eq!(
            merge_columns(&a, &b),
            vec![
                ("id".to_owned(), "bigint".to_owned()),
                ("name".to_owned(), "string".to_owned()),
                ("extra".to_owned(), "double".to_owned()),
            ]
        );
        assert_eq!(widen("date", "int"), "string");
    }

    #[test]
    fn utf8_prefix_tolerates_a_cut_character() {
        let s = "héllo".as_bytes();
        assert_eq!(utf8_prefix(&s[..2]), Some("h"));
        assert_eq!(utf8_prefix(&[0xff, 0xfe, b'a', b'b', b'c', b'd', b'e', b'f']), None);
    }
}
