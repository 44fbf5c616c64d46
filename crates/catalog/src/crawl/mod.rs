//! One crawl: list each S3 target, classify its objects in parallel (reading
//! only Parquet footers and 1 MiB text samples), group them into tables and
//! partitions, and write the result into the crawler's database.

mod apply;
mod glob;
mod plan;

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use futures::{StreamExt, TryStreamExt};
use object_store::ObjectStoreExt as _;
use object_store::path::Path;
use serde_json::Value;

use crate::Catalog;
use crate::infer;
use crate::model::{Classifier, CrawlSummary, Crawler};
use crate::names;

/// How many objects are classified at once.
const PARALLEL_FILES: usize = 32;

/// How a crawl ended.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    pub summary: CrawlSummary,
    pub log: Vec<String>,
    pub error: Option<String>,
    /// StopCrawler ended the crawl before it wrote to the catalog.
    pub stopped: bool,
}

/// `s3://bucket/prefix` → (bucket, prefix without slashes at either end).
pub(crate) fn parse_s3_path(path: &str) -> Option<(String, String)> {
    let rest = path.strip_prefix("s3://").or_else(|| path.strip_prefix("s3a://"))?;
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    if bucket.is_empty() {
        return None;
    }
    Some((bucket.to_owned(), prefix.trim_matches('/').to_owned()))
}

/// The crawler's `Configuration` JSON, the parts that change what it writes.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Options {
    pub combine_compatible: bool,
    /// `TableLevelConfiguration`: absolute level of table roots, the bucket being level 1.
    pub table_level: Option<usize>,
    /// `CrawlerOutput.Tables.AddOrUpdateBehavior = MergeNewColumns`.
    pub merge_new_columns: bool,
    /// `CrawlerOutput.Partitions.AddOrUpdateBehavior = InheritFromTable`.
    pub partitions_inherit: bool,
}

impl Options {
    pub fn parse(conf: Option<&str>) -> Result<Self, String> {
        let Some(conf) = conf.filter(|c| !c.trim().is_empty()) else {
            return Ok(Self::default());
        };
        let v: Value = serde_json::from_str(conf).map_err(|e| format!("Crawler configuration not valid: {e}"))?;
        if !v.is_object() {
            return Err("Crawler configuration not valid: it must be a JSON object".into());
        }
        let s = |p: &str| v.pointer(p).and_then(Value::as_str).map(str::to_owned);
        let mut o = Self::default();
        match s("/Grouping/TableGroupingPolicy").as_deref() {
            None => {}
            Some("CombineCompatibleSchemas") => o.combine_compatible = true,
            Some(other) => {
                return Err(format!(
                    "Crawler configuration not valid: unknown TableGroupingPolicy {other}"
                ));
            }
        }
        if let Some(level) = v.pointer("/Grouping/TableLevelConfiguration") {
            let n = level
                .as_u64()
                .filter(|n| *n >= 1)
                .ok_or("Crawler configuration not valid: TableLevelConfiguration must be a positive integer")?;
            o.table_level = Some(n as usize);
        }
        o.merge_new_columns = s("/CrawlerOutput/Tables/AddOrUpdateBehavior").as_deref() == Some("MergeNewColumns");
        o.partitions_inherit =
            s("/CrawlerOutput/Partitions/AddOrUpdateBehavior").as_deref() == Some("InheritFromTable");
        Ok(o)
    }
}

/// A listed path as the raw `bucket/key` it names (`Path` percent-encodes
/// characters such as `%` and `[` in its parts).
fn decode_path(p: &Path) -> String {
    lakestack_compat::percent::decode_lossy(p.as_ref())
}

/// One include path's objects before classification.
struct Listed {
    /// The path as listed: reading through it needs no re-encoding.
    path: Path,
    bucket: String,
    /// The raw S3 key.
    key: String,
    dir: Vec<String>,
    size: u64,
}

pub(crate) async fn run(catalog: &Catalog, crawler: &Crawler, stop: &AtomicBool) -> Outcome {
    let mut out = Outcome::default();
    if let Err(e) = crawl(catalog, crawler, stop, &mut out).await {
        out.log.push(format!("ERROR : {e}"));
        out.error = Some(e);
    }
    out
}

async fn crawl(catalog: &Catalog, crawler: &Crawler, stop: &AtomicBool, out: &mut Outcome) -> Result<(), String> {
    let database = crawler
        .database_name
        .clone()
        .ok_or("The crawler has no DatabaseName to write tables into")?;
    let database = names::entity(&database, "databaseName").map_err(|e| e.to_string())?;
    catalog
        .get_database(&database)
        .map_err(|_| format!("Database {database} not found."))?;
    let options = Options::parse(crawler.configuration.as_deref())?;
    let mut classifiers: Vec<Classifier> = Vec::new();
    for name in &crawler.classifiers {
        classifiers.push(
            catalog
                .get_classifier(name)
                .map_err(|_| format!("Classifier {name} not found"))?,
        );
    }
    if !crawler.other_targets.is_empty() {
        let kinds: Vec<&str> = crawler.other_targets.keys().map(String::as_str).collect();
        out.log.push(format!(
            "WARN : Targets of kind {} are not crawled by lakestack; only S3Targets are",
            kinds.join(", ")
        ));
    }
    // Folders a previous crawl already wrote, for CRAWL_NEW_FOLDERS_ONLY.
    let known = if crawler.recrawl_behavior == "CRAWL_NEW_FOLDERS_ONLY" {
        apply::known_locations(catalog, &database, &crawler.name).map_err(|e| e.to_string())?
    } else {
        HashSet::new()
    };
    let mut planned = Vec::new();
    for target in &crawler.s3_targets {
        if stop.load(Ordering::SeqCst) {
            out.stopped = true;
            return Ok(());
        }
        let (bucket, prefix) = parse_s3_path(&target.path).ok_or_else(|| format!("Invalid S3 path {}", target.path))?;
        let exclusions = target
            .exclusions
            .iter()
            .map(|p| glob::compile(p))
            .collect::<Result<Vec<_>, _>>()?;
        let listed = list_target(catalog, &bucket, &prefix, &exclusions, &known).await?;
        out.log
            .push(format!("INFO : Listed {} objects under {}", listed.len(), target.path));
        let files = classify_all(catalog, listed, &classifiers, target.sample_size, stop, out).await;
        let root_name = if prefix.is_empty() {
            names::from_folder(&bucket)
        } else {
            names::from_folder(prefix.rsplit('/').next().unwrap_or(&prefix))
        };
        let grouping = plan::Grouping {
            combine_compatible: options.combine_compatible,
            table_depth: options.table_level.map(|level| {
                let include_depth = 1 + prefix.split('/').filter(|s| !s.is_empty()).count();
                level.saturating_sub(include_depth)
            }),
        };
        let (tables, rejected) = plan::plan(&files, &root_name, grouping);
        for r in rejected {
            out.log.push(format!("WARN : {r}"));
        }
        for t in tables {
            planned.push(apply::Target {
                bucket: bucket.clone(),
                prefix: prefix.clone(),
                table: t,
            });
        }
    }
    if stop.load(Ordering::SeqCst) {
        out.log
            .push("INFO : The crawl was stopped before writing to the catalog".into());
        out.stopped = true;
        return Ok(());
    }
    apply::write(catalog, crawler, &database, options, planned, out).map_err(|e| e.to_string())
}

async fn list_target(
    catalog: &Catalog,
    bucket: &str,
    prefix: &str,
    exclusions: &[regex::Regex],
    known: &HashSet<String>,
) -> Result<Vec<Listed>, String> {
    let base = if prefix.is_empty() {
        bucket.to_owned()
    } else {
        format!("{bucket}/{prefix}")
    };
    let base_path = Path::from(base.as_str());
    let mut metas: Vec<object_store::ObjectMeta> = catalog
        .objects
        .list(Some(&base_path))
        .try_collect()
        .await
        .map_err(|e| format!("Listing s3://{base}/ failed: {e}"))?;
    if metas.is_empty() && !prefix.is_empty() {
        // The include path may name one object rather than a folder.
        if let Ok(m) = catalog.objects.head(&base_path).await {
            metas.push(m);
        }
    }
    metas.sort_by(|a, b| a.location.cmp(&b.location));
    let strip = format!("{base}/");
    let mut out = Vec::with_capacity(metas.len());
    for m in metas {
        let full = decode_path(&m.location);
        let rel = full
            .strip_prefix(&strip)
            .unwrap_or_else(|| full.rsplit('/').next().unwrap_or(&full));
        let mut segs: Vec<String> = rel.split('/').map(str::to_owned).collect();
        let file = segs.pop().unwrap_or_default();
        // Hidden and bookkeeping objects (`_SUCCESS`, `.crc`, `_temporary/`) are not data.
        if m.size == 0 || file.starts_with(['_', '.']) || segs.iter().any(|s| s.starts_with(['_', '.'])) {
            continue;
        }
        if glob::excluded(exclusions, rel) {
            continue;
        }
        let key = full[bucket.len() + 1..].to_owned();
        if !known.is_empty() {
            let folder = key.rsplit_once('/').map_or(String::new(), |(d, _)| format!("{d}/"));
            if known.contains(&format!("s3://{bucket}/{folder}")) {
                continue;
            }
        }
        out.push(Listed {
            path: m.location.clone(),
            bucket: bucket.to_owned(),
            key,
            dir: segs,
            size: m.size,
        });
    }
    Ok(out)
}

async fn classify_all(
    catalog: &Catalog,
    listed: Vec<Listed>,
    classifiers: &[Classifier],
    sample_size: Option<i32>,
    stop: &AtomicBool,
    out: &mut Outcome,
) -> Vec<plan::File> {
    // With SampleSize, only the first N objects of each folder are read; the
    // others take the schema of their folder's first object.
    let mut seen: BTreeMap<Vec<String>, usize> = BTreeMap::new();
    let sampled: Vec<bool> = listed
        .iter()
        .map(|l| {
            let n = seen.entry(l.dir.clone()).or_default();
            *n += 1;
            sample_size.is_none_or(|s| *n <= s as usize)
        })
        .collect();
    let futures: Vec<_> = listed
        .iter()
        .enumerate()
        .filter(|(i, _)| sampled[*i])
        .map(|(i, l)| {
            let store = Arc::clone(&catalog.objects);
            let path = l.path.clone();
            let size = l.size;
            async move {
                if stop.load(Ordering::Relaxed) {
                    return (i, Err("crawl stopped".to_owned()));
                }
                (i, infer::classify(store.as_ref(), &path, size, classifiers).await)
            }
        })
        .collect();
    let results: Vec<(usize, Result<infer::FileSchema, String>)> = futures::stream::iter(futures)
        .buffer_unordered(PARALLEL_FILES)
        .collect()
        .await;
    let mut schemas: Vec<Option<infer::FileSchema>> = vec![None; listed.len()];
    for (i, r) in results {
        let l = &listed[i];
        match r {
            Ok(s) => schemas[i] = Some(s),
            Err(e) => {
                out.summary.files_skipped += 1;
                out.log.push(format!("WARN : Skipped s3://{}/{}: {e}", l.bucket, l.key));
            }
        }
    }
    let mut folder_schema: BTreeMap<Vec<String>, infer::FileSchema> = BTreeMap::new();
    let mut files = Vec::with_capacity(listed.len());
    for (i, l) in listed.iter().enumerate() {
        let schema = match schemas[i].take() {
            Some(s) => {
                folder_schema.entry(l.dir.clone()).or_insert_with(|| s.clone());
                s
            }
            None if !sampled[i] => match folder_schema.get(&l.dir) {
                Some(s) => {
                    let mut s = s.clone();
                    s.records = l.size.checked_div(s.avg_record_size.max(1)).unwrap_or(0);
                    s
                }
                None => continue,
            },
            None => continue,
        };
        out.summary.files_scanned += 1;
        files.push(plan::File {
            dir: l.dir.clone(),
            size: l.size,
            schema,
        });
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_paths_and_configuration() {
        assert_eq!(parse_s3_path("s3://b/x/y/"), Some(("b".into(), "x/y".into())));
        assert_eq!(parse_s3_path("s3://b"), Some(("b".into(), String::new())));
        assert_eq!(parse_s3_path("/b/x"), None);
        assert_eq!(parse_s3_path("s3:///x"), None);
        let o = Options::parse(Some(
            r#"{"Version":1.0,"Grouping":{"TableGroupingPolicy":"CombineCompatibleSchemas","TableLevelConfiguration":2},"CrawlerOutput":{"Partitions":{"AddOrUpdateBehavior":"InheritFromTable"},"Tables":{"AddOrUpdateBehavior":"MergeNewColumns"}}}"#,
        ))
        .unwrap();
        assert!(o.combine_compatible && o.merge_new_columns && o.partitions_inherit);
        assert_eq!(o.table_level, Some(2));
        assert!(Options::parse(Some("nope")).is_err());
        assert!(Options::parse(Some(r#"{"Grouping":{"TableGroupingPolicy":"Other"}}"#)).is_err());
    }
}
