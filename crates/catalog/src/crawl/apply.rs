//! Writing a crawl's plan into the catalog as Glue does: new tables and
//! partitions always; changed ones per the SchemaChangePolicy's
//! UpdateBehavior; vanished ones per its DeleteBehavior.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::plan::{Aggregate, PlannedTable};
use super::{Options, Outcome};
use crate::Catalog;
use crate::error::Result;
use crate::infer::{Compression, Format};
use crate::model::{Column, Crawler, Parameters, Partition, SerDeInfo, StorageDescriptor, Table, now_millis};
use crate::store::Store;

const TEXT_INPUT: &str = "org.apache.hadoop.mapred.TextInputFormat";
const TEXT_OUTPUT: &str = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat";
const PARQUET_INPUT: &str = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat";
const PARQUET_OUTPUT: &str = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat";
const PARQUET_SERDE: &str = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe";
const JSON_SERDE: &str = "org.openx.data.jsonserde.JsonSerDe";

/// A planned table with the include path it was found under.
pub(crate) struct Target {
    pub bucket: String,
    pub prefix: String,
    pub table: PlannedTable,
}

fn url(bucket: &str, prefix: &str, segs: &[String]) -> String {
    let mut parts: Vec<&str> = prefix.split('/').filter(|s| !s.is_empty()).collect();
    parts.extend(segs.iter().map(String::as_str));
    if parts.is_empty() {
        format!("s3://{bucket}/")
    } else {
        format!("s3://{bucket}/{}/", parts.join("/"))
    }
}

/// Table and partition locations a crawler wrote before (CRAWL_NEW_FOLDERS_ONLY skips them).
pub(crate) fn known_locations(catalog: &Catalog, db: &str, crawler: &str) -> Result<HashSet<String>> {
    let mut known = HashSet::new();
    let tables = catalog.all_tables(db)?;
    for t in tables.iter().filter(|t| by_crawler(t, crawler)) {
        if t.partition_keys.is_empty() {
            known.extend(t.location().map(str::to_owned));
            continue;
        }
        for p in catalog.all_partitions(db, &t.name, None)? {
            known.extend(p.storage_descriptor.and_then(|sd| sd.location));
        }
    }
    Ok(known)
}

fn by_crawler(t: &Table, crawler: &str) -> bool {
    t.parameters.get("UPDATED_BY_CRAWLER").map(String::as_str) == Some(crawler)
}

fn parameters(agg: &Aggregate, crawler: &str) -> Parameters {
    let mut p = BTreeMap::new();
    let mut set = |k: &str, v: String| {
        p.insert(k.to_owned(), v);
    };
    set("CrawlerSchemaDeserializerVersion", "1.0".into());
    set("CrawlerSchemaSerializerVersion", "1.0".into());
    set("UPDATED_BY_CRAWLER", crawler.to_owned());
    set("averageRecordSize", agg.avg_record_size.to_string());
    set("classification", agg.format.classification().into());
    set("compressionType", agg.compression.as_str().into());
    set("objectCount", agg.objects.to_string());
    set("recordCount", agg.records.to_string());
    set("sizeKey", agg.bytes.to_string());
    set("typeOfData", "file".into());
    if let Format::Csv(csv) = &agg.format {
        set("areColumnsQuoted", csv.quoted.to_string());
        set("columnsOrdered", "true".into());
        set("delimiter", csv.delimiter.to_string());
        if csv.has_header {
            set("skip.header.line.count", "1".into());
        }
    }
    p
}

fn storage(agg: &Aggregate, columns: &[(String, String)], location: String, params: Parameters) -> StorageDescriptor {
    let (input, output, serde) = match &agg.format {
        Format::Parquet => (
            PARQUET_INPUT,
            PARQUET_OUTPUT,
            SerDeInfo {
                serialization_library: Some(PARQUET_SERDE.into()),
                parameters: BTreeMap::from([("serialization.format".to_owned(), "1".to_owned())]),
                ..SerDeInfo::default()
            },
        ),
        Format::Csv(csv) => (
            TEXT_INPUT,
            TEXT_OUTPUT,
            SerDeInfo {
                serialization_library: Some(csv.serde_library.clone()),
                parameters: csv.serde_parameters.iter().cloned().collect(),
                ..SerDeInfo::default()
            },
        ),
        Format::Json => {
            let mut paths: Vec<&str> = columns.iter().map(|(n, _)| n.as_str()).collect();
            paths.sort_unstable();
            (
                TEXT_INPUT,
                TEXT_OUTPUT,
                SerDeInfo {
                    serialization_library: Some(JSON_SERDE.into()),
                    parameters: BTreeMap::from([("paths".to_owned(), paths.join(","))]),
                    ..SerDeInfo::default()
                },
            )
        }
    };
    StorageDescriptor {
        columns: columns.iter().map(|(n, t)| Column::new(n.clone(), t.clone())).collect(),
        location: Some(location),
        input_format: Some(input.into()),
        output_format: Some(output.into()),
        compressed: agg.compression != Compression::None,
        number_of_buckets: -1,
        serde_info: Some(serde),
        parameters: params,
        ..StorageDescriptor::default()
    }
}

/// A short stable suffix Glue-style for names that would collide.
fn hash_suffix(s: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("{:08x}", h as u32)
}

fn same_definition(a: &Table, b: &Table) -> bool {
    a.storage_descriptor == b.storage_descriptor && a.partition_keys == b.partition_keys && a.parameters == b.parameters
}

pub(crate) fn write(
    catalog: &Catalog,
    crawler: &Crawler,
    db: &str,
    options: Options,
    planned: Vec<Target>,
    out: &mut Outcome,
) -> Result<()> {
    let update = crawler.schema_change_policy.update_behavior == "UPDATE_IN_DATABASE";
    let delete = crawler.schema_change_policy.delete_behavior.as_str();
    let new_only = crawler.recrawl_behavior == "CRAWL_NEW_FOLDERS_ONLY";
    let prefix = crawler.table_prefix.clone().unwrap_or_default();
    let mut name_count: HashMap<String, usize> = HashMap::new();
    for t in &planned {
        *name_count
            .entry(format!("{prefix}{}", t.table.name).to_lowercase())
            .or_default() += 1;
    }
    let mut written: HashSet<String> = HashSet::new();
    for Target {
        bucket,
        prefix: inc,
        table: plan,
    } in planned
    {
        let location = url(&bucket, &inc, &plan.root);
        // Glue stores table names lower-cased; a TablePrefix may not be.
        let mut name = format!("{prefix}{}", plan.name).to_lowercase();
        let mut existing = catalog.store.read(|c| Store::get_table(c, db, &name))?;
        let foreign = existing
            .as_ref()
            .is_some_and(|t| t.location() != Some(location.as_str()) && !by_crawler(t, &crawler.name));
        if name_count.get(&name).copied().unwrap_or(0) > 1 || foreign || written.contains(&name) {
            name = format!("{name}_{}", hash_suffix(&location));
            existing = catalog.store.read(|c| Store::get_table(c, db, &name))?;
        }
        written.insert(name.clone());
        let mut columns = plan.agg.columns.clone();
        if options.merge_new_columns
            && let Some(sd) = existing.as_ref().and_then(|t| t.storage_descriptor.as_ref())
        {
            let old: Vec<(String, String)> = sd
                .columns
                .iter()
                .map(|c| (c.name.clone(), c.r#type.clone().unwrap_or_default()))
                .collect();
            columns = old.clone();
            columns.extend(
                plan.agg
                    .columns
                    .iter()
                    .filter(|(n, _)| !old.iter().any(|(o, _)| o == n))
                    .cloned(),
            );
        }
        let params = parameters(&plan.agg, &crawler.name);
        let desired = Table {
            name: name.clone(),
            database_name: db.to_owned(),
            owner: Some("owner".into()),
            retention: 0,
            storage_descriptor: Some(storage(&plan.agg, &columns, location.clone(), params.clone())),
            partition_keys: plan
                .partition_keys
                .iter()
                .map(|k| Column::new(k.clone(), "string"))
                .collect(),
            table_type: Some("EXTERNAL_TABLE".into()),
            parameters: params,
            created_by: Some(
                lakestack_aws_protocol::Arn::new(
                    "sts",
                    "",
                    &catalog.settings.account_id,
                    format!(
                        "assumed-role/{}/AWS-Crawler",
                        crawler.role.rsplit('/').next().unwrap_or(&crawler.role)
                    ),
                )
                .to_string(),
            ),
            ..Table::default()
        };
        match &existing {
            None => {
                catalog.create_table(db, desired.clone())?;
                out.summary.tables_created += 1;
                out.log.push(format!("INFO : Created table {name} in database {db}"));
            }
            Some(current) if new_only || same_definition(current, &desired) => {}
            Some(_) if update => {
                catalog.update_table(db, desired.clone(), None, false)?;
                out.summary.tables_updated += 1;
                out.log.push(format!("INFO : Table {name} in database {db} has been updated with new schema"));
            }
            Some(_) => out.log.push(format!(
                "INFO : The schema of table {name} in database {db} has changed; the table was not updated (UpdateBehavior LOG)"
            )),
        }
        write_partitions(
            catalog,
            db,
            &name,
            &desired,
            &plan,
            &bucket,
            &inc,
            options,
            update && !new_only,
            delete,
            new_only,
            crawler,
            out,
        )?;
    }
    if !new_only {
        handle_vanished(catalog, crawler, db, &written, delete, out)?;
    }
    Ok(())
}

/// Glue's log line for new partitions; a crawl that adds thousands names
/// the first hundred.
fn created_partitions(db: &str, table: &str, created: &[Partition]) -> String {
    const SHOWN: usize = 100;
    let values: Vec<String> = created
        .iter()
        .take(SHOWN)
        .map(|p| format!("[{}]", p.values.join(", ")))
        .collect();
    let more = if created.len() > SHOWN {
        format!(" and {} more", created.len() - SHOWN)
    } else {
        String::new()
    };
    format!(
        "INFO : Created partitions with values [{}]{more} for table {table} in database {db}",
        values.join(", ")
    )
}

#[allow(clippy::too_many_arguments)] // the pieces of one table's write, kept together for readability
fn write_partitions(
    catalog: &Catalog,
    db: &str,
    table: &str,
    desired: &Table,
    plan: &PlannedTable,
    bucket: &str,
    inc: &str,
    options: Options,
    update: bool,
    delete: &str,
    new_only: bool,
    crawler: &Crawler,
    out: &mut Outcome,
) -> Result<()> {
    if plan.partition_keys.is_empty() {
        return Ok(());
    }
    let existing: HashMap<Vec<String>, Partition> = catalog
        .all_partitions(db, table, None)?
        .into_iter()
        .map(|p| (p.values.clone(), p))
        .collect();
    let table_columns: Vec<(String, String)> = desired
        .storage_descriptor
        .as_ref()
        .map(|sd| {
            sd.columns
                .iter()
                .map(|c| (c.name.clone(), c.r#type.clone().unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default();
    let now = now_millis();
    let mut create = Vec::new();
    let mut change = Vec::new();
    let mut seen = HashSet::new();
    for p in &plan.partitions {
        let mut segs = plan.root.clone();
        segs.extend(p.dir.iter().cloned());
        let params = parameters(&p.agg, &crawler.name);
        let columns = if options.partitions_inherit {
            &table_columns
        } else {
            &p.agg.columns
        };
        let partition = Partition {
            values: p.values.clone(),
            database_name: db.to_owned(),
            table_name: table.to_owned(),
            create_time: now,
            storage_descriptor: Some(storage(&p.agg, columns, url(bucket, inc, &segs), params.clone())),
            parameters: params,
            ..Partition::default()
        };
        seen.insert(p.values.clone());
        match existing.get(&p.values) {
            None => create.push(partition),
            Some(cur)
                if cur.storage_descriptor == partition.storage_descriptor && cur.parameters == partition.parameters => {
            }
            Some(_) if update => change.push((p.values.clone(), partition)),
            Some(_) => {}
        }
    }
    if !create.is_empty() {
        out.summary.partitions_created += create.len() as u64;
        out.log.push(created_partitions(db, table, &create));
        catalog.batch_create_partition(db, table, create)?;
    }
    if !change.is_empty() {
        out.summary.partitions_updated += change.len() as u64;
        catalog.batch_update_partition(db, table, change)?;
    }
    let gone: Vec<Vec<String>> = existing.keys().filter(|v| !seen.contains(*v)).cloned().collect();
    if !gone.is_empty() && !new_only {
        if delete == "DELETE_FROM_DATABASE" {
            out.summary.partitions_deleted += gone.len() as u64;
            catalog.batch_delete_partition(db, table, &gone)?;
        } else {
            out.log.push(format!(
                "INFO : {} partitions of table {table} in database {db} no longer have data; kept (DeleteBehavior {delete})",
                gone.len()
            ));
        }
    }
    Ok(())
}

/// Tables this crawler wrote under its include paths that the crawl no longer found.
fn handle_vanished(
    catalog: &Catalog,
    crawler: &Crawler,
    db: &str,
    written: &HashSet<String>,
    delete: &str,
    out: &mut Outcome,
) -> Result<()> {
    let roots: Vec<String> = crawler
        .s3_targets
        .iter()
        .filter_map(|t| super::parse_s3_path(&t.path))
        .map(|(b, p)| url(&b, &p, &[]))
        .collect();
    let tables = catalog.all_tables(db)?;
    for t in tables {
        if written.contains(&t.name) || !by_crawler(&t, &crawler.name) {
            continue;
        }
        if !t
            .location()
            .is_some_and(|l| roots.iter().any(|r| l.starts_with(r.as_str())))
        {
            continue;
        }
        match delete {
            "DELETE_FROM_DATABASE" => {
                catalog.delete_table(db, &t.name)?;
                out.summary.tables_deleted += 1;
                out.log
                    .push(format!("INFO deleted table {db}.{} (no data left)", t.name));
            }
            "DEPRECATE_IN_DATABASE" => {
                if !t.parameters.contains_key("DEPRECATED_BY_CRAWLER") {
                    let mut d = t.clone();
                    d.parameters
                        .insert("DEPRECATED_BY_CRAWLER".into(), (now_millis() / 1000).to_string());
                    catalog.update_table(db, d, None, false)?;
                    out.summary.tables_deleted += 1;
                    out.log
                        .push(format!("INFO deprecated table {db}.{} (no data left)", t.name));
                }
            }
            _ => out.log.push(format!(
                "INFO : Table {} in database {db} has no data left; kept (DeleteBehavior LOG)",
                t.name
            )),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_end_with_a_slash() {
        assert_eq!(url("b", "", &[]), "s3://b/");
        assert_eq!(url("b", "events", &["year=2024".into()]), "s3://b/events/year=2024/");
        assert_eq!(hash_suffix("x").len(), 8);
    }
}
