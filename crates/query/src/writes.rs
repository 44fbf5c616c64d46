//! Statements that write data: `CREATE TABLE ... AS SELECT` and `INSERT
//! INTO`. DataFusion writes the files (Parquet, JSON or text) under the
//! table's location, Hive-partitioned; the catalog then learns the table
//! and its new partitions through the same code as DDL.

use datafusion::arrow::array::{Array, UInt64Array};
use datafusion::common::config::{CsvOptions, JsonOptions, TableParquetOptions};
use datafusion::common::parsers::CompressionTypeVariant;
use datafusion::dataframe::{DataFrame, DataFrameWriteOptions};
use datafusion::prelude::{SessionContext, cast, ident};
use futures::TryStreamExt;
use lakestack_catalog::{Catalog, CatalogError};
use object_store::ObjectStore;
use object_store::path::Path;

use crate::ddl::parse::{ColumnDef, CreateTable, Ctas, Ddl, Insert, Unload};
use crate::ddl::{self};
use crate::errors::{athena_error, athena_error_at};
use crate::execution::AthenaError;
use crate::table::STORE_URL;
use crate::types::{arrow_type, hive_type};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Format {
    Parquet,
    Json,
    Text,
}

fn user(message: String) -> AthenaError {
    AthenaError {
        category: 2,
        error_type: 1000,
        retryable: false,
        message,
    }
}

fn format_of(name: Option<&str>) -> Result<Format, AthenaError> {
    match name.map(str::to_uppercase).as_deref() {
        None | Some("PARQUET") => Ok(Format::Parquet),
        Some("JSON") => Ok(Format::Json),
        Some("TEXTFILE") => Ok(Format::Text),
        Some(other) => Err(user(format!(
            "NOT_SUPPORTED: lakestack does not write the {other} format yet (PARQUET, JSON and TEXTFILE it does)"
        ))),
    }
}

/// `s3://bucket/prefix/` as the URL DataFusion writes to.
fn write_url(location: &str) -> Option<String> {
    let rest = location.strip_prefix("s3://")?.trim_end_matches('/');
    Some(format!("{STORE_URL}/{rest}/"))
}

/// How text rows are written: Hive's LazySimpleSerDe (the table's field
/// delimiter, `\N` for NULL, nothing quoted) or OpenCSVSerde (its separator,
/// every field quoted).
#[derive(Debug, Clone, Copy)]
struct TextLayout {
    delimiter: u8,
    quoted: bool,
}

impl TextLayout {
    /// What Athena's CTAS and UNLOAD write: `\x01`-delimited LazySimpleSerDe text.
    const HIVE: TextLayout = TextLayout {
        delimiter: 1,
        quoted: false,
    };

    /// A table's own layout, from its SerDe and parameters.
    fn of_table(sd: &lakestack_catalog::model::StorageDescriptor) -> Self {
        let params = sd.serde_info.as_ref().map(|s| &s.parameters);
        let param = |k: &str| params.and_then(|p| p.get(k)).and_then(|v| v.bytes().next());
        if sd.serde_library().to_lowercase().contains("opencsv") {
            TextLayout {
                delimiter: param("separatorChar").unwrap_or(b','),
                quoted: true,
            }
        } else {
            TextLayout {
                delimiter: param("field.delim")
                    .or_else(|| param("serialization.format"))
                    .unwrap_or(1),
                quoted: false,
            }
        }
    }
}

/// Writes a query's result under `location`; answers the rows written and
/// the `s3://` URLs of the objects the write added (Athena's data manifest).
#[allow(clippy::too_many_arguments, reason = "one write's settings, passed once")]
async fn write(
    objects: &dyn ObjectStore,
    df: DataFrame,
    format: Format,
    location: &str,
    partition_by: Vec<String>,
    compression: Option<&str>,
    text: TextLayout,
    sql: &str,
) -> Result<(u64, Vec<String>), AthenaError> {
    let before = listed(objects, location).await;
    let url = write_url(location).ok_or_else(|| user(format!("Invalid location {location}")))?;
    let options = DataFrameWriteOptions::new().with_partition_by(partition_by);
    let fail = |e: datafusion::error::DataFusionError| athena_error(&e, sql);
    let counts = match format {
        Format::Parquet => {
            let mut opts = TableParquetOptions::default();
            // Athena's default for Parquet written by CTAS is GZIP.
            let codec = match compression.unwrap_or("gzip").to_lowercase().as_str() {
                "gzip" => "gzip(6)".to_owned(),
                "zstd" => "zstd(3)".to_owned(),
                "none" => "uncompressed".to_owned(),
                other => other.to_owned(),
            };
            opts.global.compression = Some(codec);
            df.write_parquet(&url, options, Some(opts)).await.map_err(fail)?
        }
        Format::Json => {
            let opts = JsonOptions {
                compression: text_codec(compression)?,
                ..JsonOptions::default()
            };
            df.write_json(&url, options, Some(opts)).await.map_err(fail)?
        }
        Format::Text => {
            let opts = CsvOptions {
                has_header: Some(false),
                delimiter: text.delimiter,
                quote_style: if text.quoted {
                    datafusion::common::parsers::CsvQuoteStyle::Always
                } else {
                    datafusion::common::parsers::CsvQuoteStyle::Never
                },
                null_value: (!text.quoted).then(|| "\\N".to_owned()),
                compression: text_codec(compression)?,
                ..CsvOptions::default()
            };
            df.write_csv(&url, options, Some(opts)).await.map_err(fail)?
        }
    };
    let rows = counts
        .iter()
        .filter_map(|b| {
            b.column(0)
                .as_any()
                .downcast_ref::<UInt64Array>()
                .map(|a| (0..a.len()).map(|i| a.value(i)).sum::<u64>())
        })
        .sum();
    let written = listed(objects, location)
        .await
        .into_iter()
        .filter(|k| !before.contains(k))
        .collect();
    Ok((rows, written))
}

/// The codec of text and JSON output; uncompressed unless asked.
fn text_codec(name: Option<&str>) -> Result<CompressionTypeVariant, AthenaError> {
    Ok(match name.map(str::to_lowercase).as_deref() {
        None | Some("none") => CompressionTypeVariant::UNCOMPRESSED,
        Some("gzip") => CompressionTypeVariant::GZIP,
        Some("bzip2") => CompressionTypeVariant::BZIP2,
        Some("zstd") => CompressionTypeVariant::ZSTD,
        Some(other) => {
            return Err(user(format!(
                "NOT_SUPPORTED: lakestack does not write {other}-compressed text (GZIP, BZIP2 and ZSTD it does)"
            )));
        }
    })
}

async fn is_empty(objects: &dyn ObjectStore, location: &str) -> bool {
    let Some(prefix) = location
        .strip_prefix("s3://")
        .map(|p| p.trim_end_matches('/').to_owned())
    else {
        return true;
    };
    objects
        .list(Some(&Path::from(prefix.as_str())))
        .try_next()
        .await
        .map_or(true, |first| first.is_none())
}

/// Athena requires the partition columns last, in partitioned_by's order.
fn partitions_last(schema: &datafusion::arrow::datatypes::Schema, partition_by: &[String]) -> Result<(), AthenaError> {
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    if !partition_by.is_empty()
        && names[names.len().saturating_sub(partition_by.len())..]
            != partition_by.iter().map(String::as_str).collect::<Vec<_>>()[..]
    {
        return Err(user(format!(
            "HIVE_COLUMN_ORDER_MISMATCH: Partition keys must be the last columns in the table and in the same order as the table properties: {}",
            partition_by.join(", ")
        )));
    }
    Ok(())
}

fn partition_list(properties: &std::collections::BTreeMap<String, String>) -> Vec<String> {
    properties
        .get("partitioned_by")
        .map(|p| p.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect())
        .unwrap_or_default()
}

/// Runs `UNLOAD`: the query's result written under `TO` in the given
/// format, no table registered. Returns the rows written and the objects
/// written, for the manifest Athena leaves beside the query's result.
pub async fn unload(
    ctx: &SessionContext,
    objects: &dyn ObjectStore,
    u: Unload,
    statement: &str,
) -> Result<(u64, Vec<String>), AthenaError> {
    let Some(format) = u.properties.get("format") else {
        return Err(user("INVALID_TABLE_PROPERTY: UNLOAD needs the format property".into()));
    };
    let format = format_of(Some(format))?;
    let location = if u.location.ends_with('/') {
        u.location.clone()
    } else {
        format!("{}/", u.location)
    };
    let partition_by = partition_list(&u.properties);
    // Partitioned UNLOADs may add to a location; others need it empty.
    if partition_by.is_empty() && !is_empty(objects, &location).await {
        return Err(user(format!(
            "HIVE_PATH_ALREADY_EXISTS: Target directory for UNLOAD already exists: {location}"
        )));
    }
    let df = crate::trino::plan(ctx, &u.query)
        .await
        .map_err(|e| athena_error_at(&e, statement, u.query_at))?;
    partitions_last(df.schema().as_arrow(), &partition_by)?;
    let delimiter = u
        .properties
        .get("field_delimiter")
        .and_then(|d| d.bytes().next())
        .unwrap_or(1);
    write(
        objects,
        df,
        format,
        &location,
        partition_by,
        u.properties.get("compression").map(String::as_str),
        TextLayout {
            delimiter,
            quoted: false,
        },
        &u.query,
    )
    .await
}

/// The `s3://` URLs of the objects under a location.
async fn listed(objects: &dyn ObjectStore, location: &str) -> Vec<String> {
    let Some(prefix) = location
        .strip_prefix("s3://")
        .map(|p| p.trim_end_matches('/').to_owned())
    else {
        return Vec::new();
    };
    let mut out: Vec<String> = objects
        .list(Some(&Path::from(prefix.as_str())))
        .map_ok(|m| format!("s3://{}", m.location))
        .try_collect()
        .await
        .unwrap_or_default();
    out.sort();
    out
}

/// Runs a CTAS; returns the rows written and the objects written.
pub async fn ctas(
    ctx: &SessionContext,
    catalog: &Catalog,
    objects: &dyn ObjectStore,
    c: Ctas,
    statement: &str,
    default_db: &str,
    default_location: String,
) -> Result<(u64, Vec<String>), AthenaError> {
    let db = c.database.clone().unwrap_or_else(|| default_db.to_owned());
    match catalog.get_table(&db, &c.name) {
        Ok(_) if c.if_not_exists => return Ok((0, Vec::new())),
        Ok(_) => {
            return Err(user(format!(
                "TABLE_ALREADY_EXISTS: Table awsdatacatalog.{db}.{} already exists",
                c.name
            )));
        }
        Err(CatalogError::NotFound(_)) => {}
        Err(e) => return Err(user(format!("GENERIC_INTERNAL_ERROR: {e}"))),
    }
    if catalog.get_database(&db).is_err() {
        return Err(user(format!("SCHEMA_NOT_FOUND: Schema {db} does not exist")));
    }
    let format = format_of(c.properties.get("format").map(String::as_str))?;
    let location = c
        .properties
        .get("external_location")
        .cloned()
        .unwrap_or(default_location);
    let location = if location.ends_with('/') {
        location
    } else {
        format!("{location}/")
    };
    if !is_empty(objects, &location).await {
        return Err(user(format!(
            "HIVE_PATH_ALREADY_EXISTS: Target directory for table '{db}.{}' already exists: {location}",
            c.name
        )));
    }
    let partition_by = partition_list(&c.properties);
    let mut df = crate::trino::plan(ctx, &c.query)
        .await
        .map_err(|e| athena_error_at(&e, statement, c.query_at))?;
    if !c.with_data {
        df = df
            .limit(0, Some(0))
            .map_err(|e| athena_error_at(&e, statement, c.query_at))?;
    }
    let schema = df.schema().as_arrow().clone();
    partitions_last(&schema, &partition_by)?;
    let columns: Vec<ColumnDef> = schema
        .fields()
        .iter()
        .map(|f| ColumnDef {
            name: f.name().to_lowercase(),
            ty: hive_type(f.data_type()),
            comment: None,
        })
        .collect();
    let (data_cols, part_cols) = columns.split_at(columns.len() - partition_by.len());
    let (rows, written) = write(
        objects,
        df,
        format,
        &location,
        partition_by.clone(),
        c.properties.get("write_compression").map(String::as_str),
        TextLayout::HIVE,
        &c.query,
    )
    .await?;
    let mut properties = std::collections::BTreeMap::new();
    properties.insert("has_encrypted_data".to_owned(), "false".to_owned());
    let table = CreateTable {
        database: Some(db.clone()),
        name: c.name.clone(),
        external: true,
        columns: data_cols.to_vec(),
        partitions: part_cols.to_vec(),
        stored_as: Some(match format {
            Format::Parquet => "PARQUET".into(),
            Format::Json => "JSONFILE".into(),
            Format::Text => "TEXTFILE".into(),
        }),
        field_delim: (format == Format::Text).then(|| "\u{1}".to_owned()),
        location: Some(location),
        properties,
        ..CreateTable::default()
    };
    ddl::run(catalog, objects, Ddl::CreateTable(Box::new(table)), &db).await?;
    if !partition_by.is_empty() {
        ddl::run(
            catalog,
            objects,
            Ddl::MsckRepair {
                database: Some(db.clone()),
                table: c.name.clone(),
            },
            &db,
        )
        .await?;
    }
    Ok((rows, written))
}

/// Runs an INSERT INTO; returns the rows written and the objects added.
pub async fn insert(
    ctx: &SessionContext,
    catalog: &Catalog,
    objects: &dyn ObjectStore,
    i: Insert,
    statement: &str,
    default_db: &str,
) -> Result<(u64, Vec<String>), AthenaError> {
    let db = i.database.clone().unwrap_or_else(|| default_db.to_owned());
    let table = catalog.get_table(&db, &i.table).map_err(|_| {
        user(format!(
            "TABLE_NOT_FOUND: Table 'awsdatacatalog.{db}.{}' does not exist",
            i.table
        ))
    })?;
    let sd = table.storage_descriptor.clone().unwrap_or_default();
    let serde = sd.serde_library();
    let format = if serde.contains("parquet") {
        Format::Parquet
    } else if serde.contains("json") {
        Format::Json
    } else if serde.contains("lazysimple") || serde.contains("opencsv") {
        Format::Text
    } else {
        return Err(user(format!(
            "NOT_SUPPORTED: lakestack cannot insert into a table with SerDe {serde}"
        )));
    };
    let targets: Vec<(String, String)> = sd
        .columns
        .iter()
        .chain(&table.partition_keys)
        .map(|c| (c.name.clone(), c.r#type.clone().unwrap_or_else(|| "string".into())))
        .collect();
    let df = crate::trino::plan(ctx, &i.query)
        .await
        .map_err(|e| athena_error_at(&e, statement, i.query_at))?;
    let fields = df.schema().as_arrow().fields().clone();
    // Values go to the named columns, or to all columns in order; the others are NULL.
    let order: Vec<String> = if i.columns.is_empty() {
        targets.iter().map(|(n, _)| n.clone()).collect()
    } else {
        i.columns.clone()
    };
    if fields.len() != order.len() {
        return Err(user(format!(
            "SYNTAX_ERROR: Insert query has mismatched column sizes: Table has {} column(s) but query has {} column(s)",
            order.len(),
            fields.len()
        )));
    }
    let mut exprs = Vec::with_capacity(targets.len());
    for (name, ty) in &targets {
        let t = arrow_type(ty).map_err(|e| user(format!("GENERIC_INTERNAL_ERROR: {e}")))?;
        let expr = match order.iter().position(|n| n == name) {
            Some(pos) => cast(ident(fields[pos].name()), t),
            None => cast(datafusion::prelude::lit(datafusion::common::ScalarValue::Null), t),
        };
        exprs.push(expr.alias(name));
    }
    let df = df
        .select(exprs)
        .map_err(|e| athena_error_at(&e, statement, i.query_at))?;
    let keys: Vec<String> = table.partition_keys.iter().map(|c| c.name.clone()).collect();
    let location = sd.location.clone().unwrap_or_default();
    let layout = TextLayout::of_table(&sd);
    let (rows, written) = write(objects, df, format, &location, keys.clone(), None, layout, &i.query).await?;
    if !keys.is_empty() {
        ddl::run(
            catalog,
            objects,
            Ddl::MsckRepair {
                database: Some(db.clone()),
                table: i.table.clone(),
            },
            &db,
        )
        .await?;
    }
    Ok((rows, written))
}
