//! Grouping classified files into tables and partitions, as Glue does:
//! under an include path, folders whose files are compatible (same format,
//! compression and text layout) and whose schemas are similar become the
//! partitions of one table rooted at the common folder; otherwise each
//! folder is a table of its own, named after it.

use std::collections::BTreeMap;

use crate::infer::{self, Compression, FileSchema, Format, json, text};
use crate::names;

/// Schemas sharing at least this share of their columns are similar (Glue's 70%).
const SIMILARITY: f64 = 0.7;

/// One classified object under an include path.
#[derive(Debug, Clone)]
pub struct File {
    /// Folders between the include path and the object.
    pub dir: Vec<String>,
    pub size: u64,
    pub schema: FileSchema,
}

/// What the crawl will write for one table or one partition.
#[derive(Debug, Clone, PartialEq)]
pub struct Aggregate {
    pub format: Format,
    pub compression: Compression,
    pub columns: Vec<(String, String)>,
    pub records: u64,
    pub bytes: u64,
    pub objects: u64,
    pub avg_record_size: u64,
}

#[derive(Debug, Clone)]
pub struct PlannedPartition {
    pub values: Vec<String>,
    /// Folders below the table root.
    pub dir: Vec<String>,
    pub agg: Aggregate,
}

#[derive(Debug, Clone)]
pub struct PlannedTable {
    pub name: String,
    /// Folders from the include path to the table root.
    pub root: Vec<String>,
    pub partition_keys: Vec<String>,
    pub agg: Aggregate,
    pub partitions: Vec<PlannedPartition>,
}

/// How tables are formed, from the crawler's `Configuration`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Grouping {
    /// `CombineCompatibleSchemas`: ignore similarity, require only compatibility.
    pub combine_compatible: bool,
    /// `TableLevelConfiguration`, as a depth below the include path.
    pub table_depth: Option<usize>,
}

fn compatible(a: &Aggregate, b: &FileSchema) -> bool {
    a.compression == b.compression
        && match (&a.format, &b.format) {
            (Format::Parquet, Format::Parquet) | (Format::Json, Format::Json) => true,
            (Format::Csv(x), Format::Csv(y)) => text::merge_text(x, y).is_some(),
            _ => false,
        }
}

fn aggregate<'a>(files: impl IntoIterator<Item = &'a File>) -> Option<Aggregate> {
    let mut agg: Option<Aggregate> = None;
    let mut weighted = 0u128;
    for f in files {
        let s = &f.schema;
        weighted += u128::from(s.records) * u128::from(s.avg_record_size);
        match agg.as_mut() {
            None => {
                agg = Some(Aggregate {
                    format: s.format.clone(),
                    compression: s.compression,
                    columns: s.columns.clone(),
                    records: s.records,
                    bytes: f.size,
                    objects: 1,
                    avg_record_size: 0,
                });
            }
            Some(a) => {
                if !compatible(a, s) {
                    return None;
                }
                if let (Format::Csv(x), Format::Csv(y)) = (&a.format, &s.format)
                    && let Some(m) = text::merge_text(x, y)
                {
                    a.columns = m.columns.clone();
                    a.format = Format::Csv(m);
                } else if matches!(a.format, Format::Json) {
                    // JSON merges nested structs field by field, not by whole type.
                    let x = json::JsonSchema {
                        columns: std::mem::take(&mut a.columns),
                        rows_sampled: 0,
                    };
                    let y = json::JsonSchema {
                        columns: s.columns.clone(),
                        rows_sampled: 0,
                    };
                    a.columns = json::merge_json(&x, &y).columns;
                } else {
                    a.columns = infer::merge_columns(&a.columns, &s.columns);
                }
                a.records += s.records;
                a.bytes += f.size;
                a.objects += 1;
            }
        }
    }
    if let Some(a) = agg.as_mut() {
        a.avg_record_size = if a.format == Format::Parquet {
            // Parquet's record size is its share of the file, as Glue reports it.
            a.bytes.checked_div(a.records).unwrap_or(0)
        } else {
            u64::try_from(weighted.checked_div(u128::from(a.records)).unwrap_or(0)).unwrap_or(0)
        };
    }
    agg
}

/// The share of the smaller schema's columns that the other has too, so a
/// schema that only gained columns (evolution) stays similar to its past.
fn similarity(a: &[(String, String)], b: &[(String, String)]) -> f64 {
    let common = a.iter().filter(|(n, _)| b.iter().any(|(m, _)| m == n)).count();
    let smaller = a.len().min(b.len());
    if smaller == 0 {
        1.0
    } else {
        common as f64 / smaller as f64
    }
}

/// "When the majority of schemas at a folder level are similar": each child
/// folder's merged schema is compared with the most common column set among them.
fn similar_children(files: &[&File], depth: usize) -> bool {
    let mut children: BTreeMap<&str, Vec<&File>> = BTreeMap::new();
    for f in files {
        children.entry(f.dir[depth].as_str()).or_default().push(f);
    }
    if children.len() < 2 {
        return true;
    }
    let Some(schemas) = children
        .values()
        .map(|fs| aggregate(fs.iter().copied()).map(|a| a.columns))
        .collect::<Option<Vec<_>>>()
    else {
        return false;
    };
    // Ordered, so ties between column sets break the same way on every crawl.
    let mut counts: BTreeMap<Vec<&str>, usize> = BTreeMap::new();
    for cols in &schemas {
        let mut key: Vec<&str> = cols.iter().map(|(n, _)| n.as_str()).collect();
        key.sort_unstable();
        *counts.entry(key).or_default() += 1;
    }
    let Some((dominant, _)) = counts.iter().max_by_key(|(k, n)| (**n, k.len())) else {
        return false;
    };
    let dominant: Vec<(String, String)> = dominant.iter().map(|n| ((*n).to_owned(), String::new())).collect();
    let similar = schemas
        .iter()
        .filter(|cols| similarity(cols, &dominant) >= SIMILARITY)
        .count();
    similar * 2 > schemas.len()
}

/// One table at `root` (depth `depth`) if the files allow it.
fn as_table(files: &[&File], depth: usize, grouping: Grouping, force: bool) -> Option<PlannedTable> {
    let levels = files.first()?.dir.len().checked_sub(depth)?;
    if files.iter().any(|f| f.dir.len() != depth + levels) {
        return None;
    }
    let agg = aggregate(files.iter().copied())?;
    // Leaf folders, each with its own schema.
    let mut leaves: BTreeMap<&[String], Vec<&File>> = BTreeMap::new();
    for f in files {
        leaves.entry(&f.dir[depth..]).or_default().push(f);
    }
    let leaf_aggs: Vec<(&[String], Aggregate)> = leaves
        .iter()
        .map(|(dir, fs)| aggregate(fs.iter().copied()).map(|a| (*dir, a)))
        .collect::<Option<_>>()?;
    if !force && !grouping.combine_compatible && levels > 0 && !similar_children(files, depth) {
        return None;
    }
    let root = files[0].dir[..depth].to_vec();
    // Per level: the key name, and whether its folders are `key=value`.
    let (partition_keys, hive): (Vec<String>, Vec<bool>) = (0..levels)
        .map(|i| {
            let mut key: Option<&str> = None;
            let hive = leaf_aggs.iter().all(|(dir, _)| match dir[i].split_once('=') {
                Some((k, _)) if !k.is_empty() => *key.get_or_insert(k) == k,
                _ => false,
            });
            match (hive, key) {
                (true, Some(k)) => (k.to_lowercase(), true),
                _ => (format!("partition_{i}"), false),
            }
        })
        .unzip();
    let partitions = leaf_aggs
        .into_iter()
        .filter(|(dir, _)| !dir.is_empty())
        .map(|(dir, agg)| PlannedPartition {
            values: dir
                .iter()
                .zip(&hive)
                .map(|(seg, h)| {
                    if *h {
                        seg.split_once('=').map_or(seg.as_str(), |(_, v)| v).to_owned()
                    } else {
                        seg.clone()
                    }
                })
                .collect(),
            dir: dir.to_vec(),
            agg,
        })
        .collect();
    Some(PlannedTable {
        name: String::new(),
        root,
        partition_keys,
        agg,
        partitions,
    })
}

/// Plans the tables for the files of one include path. `root_name` names a
/// table rooted at the include path itself. Files that fit no table are returned.
pub fn plan(files: &[File], root_name: &str, grouping: Grouping) -> (Vec<PlannedTable>, Vec<String>) {
    let mut tables = Vec::new();
    let mut rejected = Vec::new();
    let refs: Vec<&File> = files.iter().collect();
    match grouping.table_depth {
        Some(d) => {
            let mut groups: BTreeMap<Vec<String>, Vec<&File>> = BTreeMap::new();
            for f in &refs {
                let depth = d.min(f.dir.len());
                groups.entry(f.dir[..depth].to_vec()).or_default().push(f);
            }
            for (root, fs) in groups {
                match as_table(&fs, root.len(), grouping, true) {
                    Some(mut t) => {
                        t.name = root
                            .last()
                            .map_or_else(|| root_name.to_owned(), |s| names::from_folder(s));
                        tables.push(t);
                    }
                    None => rejected.push(format!(
                        "files under {:?} are not compatible with each other or are at different depths",
                        root.join("/")
                    )),
                }
            }
        }
        None => split(&refs, 0, root_name, grouping, &mut tables, &mut rejected),
    }
    (tables, rejected)
}

fn split(
    files: &[&File],
    depth: usize,
    name: &str,
    grouping: Grouping,
    out: &mut Vec<PlannedTable>,
    rejected: &mut Vec<String>,
) {
    if files.is_empty() {
        return;
    }
    if let Some(mut t) = as_table(files, depth, grouping, false) {
        t.name = name.to_owned();
        out.push(t);
        return;
    }
    let (here, below): (Vec<&File>, Vec<&File>) = files.iter().partition(|f| f.dir.len() == depth);
    if !here.is_empty() {
        // Loose files beside folders form a table of their own when they agree.
        match as_table(&here, depth, grouping, false) {
            Some(mut t) => {
                t.name = name.to_owned();
                out.push(t);
            }
            None => {
                // Incompatible files in one folder: each format becomes its own table.
                let mut by_format: BTreeMap<(&str, &str), Vec<&File>> = BTreeMap::new();
                for f in here {
                    by_format
                        .entry((f.schema.format.classification(), f.schema.compression.as_str()))
                        .or_default()
                        .push(f);
                }
                for ((format, _), fs) in by_format {
                    match as_table(&fs, depth, grouping, true) {
                        Some(mut t) => {
                            t.name = format!("{name}_{format}");
                            out.push(t);
                        }
                        None => rejected.push(format!(
                            "{} {format} files in {name:?} have incompatible layouts",
                            fs.len()
                        )),
                    }
                }
            }
        }
    }
    let mut children: BTreeMap<&str, Vec<&File>> = BTreeMap::new();
    for f in below {
        children.entry(f.dir[depth].as_str()).or_default().push(f);
    }
    for (child, fs) in children {
        split(&fs, depth + 1, &names::from_folder(child), grouping, out, rejected);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, cols: &[&str]) -> File {
        let mut dir: Vec<String> = path.split('/').map(str::to_owned).collect();
        dir.pop();
        File {
            dir,
            size: 100,
            schema: FileSchema {
                format: Format::Parquet,
                compression: Compression::None,
                columns: cols.iter().map(|c| ((*c).to_owned(), "string".to_owned())).collect(),
                records: 10,
                avg_record_size: 10,
            },
        }
    }

    #[test]
    fn hive_folders_become_partitions_of_one_table() {
        let files = vec![
            file("year=2024/month=01/a.parquet", &["a", "b"]),
            file("year=2024/month=02/a.parquet", &["a", "b"]),
            file("year=2025/month=01/a.parquet", &["a", "b", "c"]),
        ];
        let (tables, rejected) = plan(&files, "sales", Grouping::default());
        assert!(rejected.is_empty());
        assert_eq!(tables.len(), 1);
        let t = &tables[0];
        assert_eq!(t.name, "sales");
        assert_eq!(t.partition_keys, ["year", "month"]);
        assert_eq!(t.agg.columns.len(), 3);
        assert_eq!(t.agg.records, 30);
        let values: Vec<_> = t.partitions.iter().map(|p| p.values.join("/")).collect();
        assert_eq!(values, ["2024/01", "2024/02", "2025/01"]);
    }

    #[test]
    fn unnamed_folders_are_partition_n_and_dissimilar_folders_split() {
        let files = vec![
            file("t1/p1/a.parquet", &["a", "b", "c"]),
            file("t1/p2/a.parquet", &["a", "b", "c"]),
            file("t2/p3/a.parquet", &["x", "y", "z"]),
            file("t2/p4/a.parquet", &["x", "y", "z"]),
        ];
        let (tables, _) = plan(&files, "root", Grouping::default());
        let names: Vec<_> = tables.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["t1", "t2"]);
        assert_eq!(tables[0].partition_keys, ["partition_0"]);
        let similar = vec![
            file("t1/p1/a.parquet", &["a", "b", "c"]),
            file("t2/p4/a.parquet", &["a", "b", "c"]),
        ];
        let (tables, _) = plan(&similar, "root", Grouping::default());
        assert_eq!(tables.len(), 1);
        assert_eq!(tables[0].partition_keys, ["partition_0", "partition_1"]);
        let combined = Grouping {
            combine_compatible: true,
            table_depth: None,
        };
        assert_eq!(plan(&files, "root", combined).0.len(), 1);
    }

    #[test]
    fn table_level_forces_the_table_roots() {
        let files = vec![
            file("a/x=1/f.parquet", &["a"]),
            file("a/x=2/f.parquet", &["a"]),
            file("b/x=1/f.parquet", &["a"]),
        ];
        let g = Grouping {
            combine_compatible: false,
            table_depth: Some(1),
        };
        let (tables, _) = plan(&files, "root", g);
        let names: Vec<_> = tables.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(tables[0].partition_keys, ["x"]);
    }
}
