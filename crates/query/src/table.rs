//! A Glue table as a DataFusion `TableProvider`: its columns then its
//! partition keys, as Athena orders them. A scan asks the catalog only for
//! the partitions its filters allow (the filters become a Glue partition
//! expression), lists the files under each partition's location, and reads
//! them as Parquet, CSV or JSON with the partition values attached.

use std::sync::Arc;

use async_trait::async_trait;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Schema, SchemaRef};
use datafusion::catalog::Session;
use datafusion::common::config::CsvOptions;
use datafusion::common::stats::Precision;
use datafusion::common::{DataFusionError, Result, ScalarValue, Statistics};
use datafusion::datasource::TableProvider;
use datafusion::datasource::file_format::FileFormat;
use datafusion::datasource::file_format::file_compression_type::FileCompressionType;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::PartitionedFile;
use datafusion::datasource::physical_plan::parquet::CachedParquetFileReaderFactory;
use datafusion::datasource::physical_plan::parquet::metadata::DFParquetMetadata;
use datafusion::datasource::physical_plan::{
    CsvSource, FileGroup, FileScanConfigBuilder, FileSource, JsonSource, ParquetSource,
};
use datafusion::datasource::source::DataSourceExec;
use datafusion::datasource::table_schema::TableSchema;
use datafusion::execution::cache::cache_manager::{CacheManager, CachedFileMetadata, FileMetadataCache};
use datafusion::execution::cache::{SchemaFingerprint, TableScopedPath};
use datafusion::execution::object_store::ObjectStoreUrl;
use datafusion::logical_expr::{Expr, Operator, TableProviderFilterPushDown, TableType};
use datafusion::physical_expr::PhysicalExpr;
use datafusion::physical_expr::expressions::{CaseExpr, Column, Literal, TryCastExpr, binary, lit};
use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_plan::empty::EmptyExec;
use datafusion::physical_plan::projection::{ProjectionExec, ProjectionExpr};
use datafusion::physical_plan::union::UnionExec;
use std::collections::BTreeMap;

use futures::{StreamExt, TryStreamExt};
use lakestack_catalog::Catalog;
use lakestack_catalog::model::{Partition, Table};
use object_store::ObjectStore;
use object_store::path::Path;

use crate::projection::{self, Projection};
use crate::types::arrow_type;

/// The URL under which the query's object store is registered; paths below it are `bucket/key`.
pub const STORE_URL: &str = "lakestack://objects";

const HIVE_NULL: &str = "__HIVE_DEFAULT_PARTITION__";

#[derive(Debug, Clone)]
enum Format {
    Parquet,
    Csv {
        delimiter: u8,
        quote: Option<u8>,
        header: bool,
    },
    Json,
}

#[derive(Debug)]
pub struct GlueTable {
    table: Table,
    catalog: Arc<Catalog>,
    objects: Arc<dyn ObjectStore>,
    schema: SchemaRef,
    file_schema: SchemaRef,
    partition_fields: Vec<FieldRef>,
    format: Format,
    compression: FileCompressionType,
    /// `projection.enabled` tables compute their partitions (or why they cannot).
    projection: Option<std::result::Result<Projection, String>>,
    /// The files `refine_nullability` listed while planning, for the scan to
    /// reuse rather than list the location again.
    listed: Option<Vec<object_store::ObjectMeta>>,
}

fn err(msg: impl Into<String>) -> DataFusionError {
    DataFusionError::Plan(msg.into())
}

fn s3_to_path(location: &str) -> Option<String> {
    let rest = location
        .strip_prefix("s3://")
        .or_else(|| location.strip_prefix("s3a://"))?;
    Some(rest.trim_end_matches('/').to_owned())
}

impl GlueTable {
    pub fn new(table: Table, catalog: Arc<Catalog>, objects: Arc<dyn ObjectStore>) -> Result<Self> {
        let sd = table.storage_descriptor.clone().unwrap_or_default();
        let field = |name: &str, ty: Option<&str>| -> Result<Field> {
            let t =
                arrow_type(ty.unwrap_or("string")).map_err(|e| err(format!("column {name} of {}: {e}", table.name)))?;
            Ok(Field::new(name.to_lowercase(), t, true))
        };
        let file_fields = sd
            .columns
            .iter()
            .map(|c| field(&c.name, c.r#type.as_deref()))
            .collect::<Result<Vec<_>>>()?;
        let partition_fields: Vec<FieldRef> = table
            .partition_keys
            .iter()
            .map(|c| field(&c.name, c.r#type.as_deref()).map(Arc::new))
            .collect::<Result<_>>()?;
        let serde = sd.serde_library();
        let params = |k: &str| -> Option<String> {
            sd.serde_info
                .as_ref()
                .and_then(|s| s.parameters.get(k).cloned())
                .or_else(|| table.parameters.get(k).cloned())
        };
        let input = sd.input_format.clone().unwrap_or_default().to_lowercase();
        let classification = table.parameters.get("classification").cloned().unwrap_or_default();
        let format = if serde.contains("parquet") || input.contains("parquet") || classification == "parquet" {
            Format::Parquet
        } else if serde.contains("json") || classification == "json" {
            Format::Json
        } else {
            let byte = |s: Option<String>, default: u8| s.and_then(|d| d.bytes().next()).unwrap_or(default);
            let header = params("skip.header.line.count").is_some_and(|n| n.trim() != "0");
            if serde.contains("opencsv") {
                Format::Csv {
                    delimiter: byte(params("separatorChar"), b','),
                    quote: Some(byte(params("quoteChar"), b'"')),
                    header,
                }
            } else {
                Format::Csv {
                    delimiter: byte(params("field.delim").or_else(|| params("delimiter")), 1),
                    quote: None,
                    header,
                }
            }
        };
        let compression = match table.parameters.get("compressionType").map(String::as_str) {
            Some("gzip") => FileCompressionType::GZIP,
            Some("bzip2") => FileCompressionType::BZIP2,
            Some("zstd") => FileCompressionType::ZSTD,
            _ => FileCompressionType::UNCOMPRESSED,
        };
        // Parquet strings are read as views, as DataFusion reads them by
        // default: no copy into one buffer, and faster to group and compare.
        let file_fields: Vec<Field> = match format {
            Format::Parquet => file_fields
                .into_iter()
                .map(|f| match f.data_type() {
                    DataType::Utf8 => f.with_data_type(DataType::Utf8View),
                    _ => f,
                })
                .collect(),
            _ => file_fields,
        };
        let mut all: Vec<FieldRef> = file_fields.iter().cloned().map(Arc::new).collect();
        all.extend(partition_fields.iter().cloned());
        let keys: Vec<String> = partition_fields.iter().map(|f| f.name().clone()).collect();
        let projection = projection::of(&table.parameters, &keys);
        Ok(Self {
            listed: None,
            projection,
            schema: Arc::new(Schema::new(all)),
            file_schema: Arc::new(Schema::new(file_fields)),
            partition_fields,
            table,
            catalog,
            objects,
            format,
            compression,
        })
    }

    fn is_partition_column(&self, name: &str) -> bool {
        self.partition_fields.iter().any(|f| f.name() == name)
    }

    /// A Glue partition expression for the filters that only touch partition keys.
    fn partition_expression(&self, filters: &[Expr]) -> Option<String> {
        let parts: Vec<String> = filters.iter().filter_map(|f| self.to_glue(f)).collect();
        (!parts.is_empty()).then(|| parts.join(" AND "))
    }

    fn to_glue(&self, e: &Expr) -> Option<String> {
        match e {
            Expr::BinaryExpr(b) => {
                let op = match b.op {
                    Operator::And => {
                        return Some(format!(
                            "({}) AND ({})",
                            self.to_glue(&b.left)?,
                            self.to_glue(&b.right)?
                        ));
                    }
                    Operator::Or => {
                        return Some(format!("({}) OR ({})", self.to_glue(&b.left)?, self.to_glue(&b.right)?));
                    }
                    Operator::Eq => "=",
                    Operator::NotEq => "<>",
                    Operator::Lt => "<",
                    Operator::LtEq => "<=",
                    Operator::Gt => ">",
                    Operator::GtEq => ">=",
                    _ => return None,
                };
                match (&*b.left, &*b.right) {
                    (Expr::Column(c), Expr::Literal(v, _)) if self.is_partition_column(&c.name) => {
                        Some(format!("`{}` {op} {}", c.name, glue_literal(v)?))
                    }
                    (Expr::Literal(v, _), Expr::Column(c)) if self.is_partition_column(&c.name) => {
                        let flipped = match op {
                            "<" => ">",
                            "<=" => ">=",
                            ">" => "<",
                            ">=" => "<=",
                            o => o,
                        };
                        Some(format!("`{}` {flipped} {}", c.name, glue_literal(v)?))
                    }
                    _ => None,
                }
            }
            Expr::Not(inner) => Some(format!("NOT ({})", self.to_glue(inner)?)),
            Expr::InList(l) => {
                let Expr::Column(c) = &*l.expr else { return None };
                if !self.is_partition_column(&c.name) {
                    return None;
                }
                let values: Vec<String> = l
                    .list
                    .iter()
                    .map(|v| match v {
                        Expr::Literal(v, _) => glue_literal(v),
                        _ => None,
                    })
                    .collect::<Option<_>>()?;
                let not = if l.negated { "NOT " } else { "" };
                Some(format!("`{}` {not}IN ({})", c.name, values.join(", ")))
            }
            Expr::Between(b) => {
                let Expr::Column(c) = &*b.expr else { return None };
                let (Expr::Literal(lo, _), Expr::Literal(hi, _)) = (&*b.low, &*b.high) else {
                    return None;
                };
                if !self.is_partition_column(&c.name) {
                    return None;
                }
                let not = if b.negated { "NOT " } else { "" };
                Some(format!(
                    "`{}` {not}BETWEEN {} AND {}",
                    c.name,
                    glue_literal(lo)?,
                    glue_literal(hi)?
                ))
            }
            _ => None,
        }
    }

    /// The (values, location) of each partition the filters leave: from the
    /// catalog, or computed by partition projection.
    fn partitions(&self, filters: &[Expr]) -> Result<Vec<(Vec<String>, String)>> {
        let (db, name) = (&self.table.database_name, &self.table.name);
        let expression = self.partition_expression(filters);
        if let Some(projection) = &self.projection {
            let projection = projection.as_ref().map_err(|e| DataFusionError::Execution(e.clone()))?;
            // A predicate the Glue grammar cannot bind only loses pruning.
            let bound = expression
                .as_deref()
                .and_then(|e| lakestack_catalog::expr::parse(e).ok())
                .and_then(|e| e.bind(&self.table.key_types()).ok());
            let location = self.table.location().unwrap_or_default();
            let projected = projection
                .partitions(location, &self.injected(filters), |values| {
                    bound.as_ref().is_none_or(|b| b.matches(values))
                })
                .map_err(DataFusionError::Execution)?;
            return Ok(projected.into_iter().map(|p| (p.values, p.location)).collect());
        }
        let found = match self.catalog.all_partitions(db, name, expression.as_deref()) {
            Ok(p) => p,
            // An expression Glue cannot evaluate only loses pruning, never rows.
            Err(_) if expression.is_some() => self
                .catalog
                .all_partitions(db, name, None)
                .map_err(|e| DataFusionError::External(Box::new(e)))?,
            Err(e) => return Err(DataFusionError::External(Box::new(e))),
        };
        Ok(found
            .into_iter()
            .filter_map(|p: Partition| Some((p.values, p.storage_descriptor?.location?)))
            .collect())
    }

    /// What the planner may assume of a scan reading `bytes` of files: their
    /// size, and rows in proportion to the crawler's `recordCount` over its
    /// `sizeKey`. Without these a join cannot tell the small side.
    fn estimate(&self, bytes: u64) -> Statistics {
        let mut stats = Statistics::new_unknown(&self.schema);
        stats.total_byte_size = Precision::Inexact(bytes as usize);
        let param = |k: &str| self.table.parameters.get(k).and_then(|v| v.parse::<f64>().ok());
        if let (Some(rows), Some(size)) = (param("recordCount"), param("sizeKey"))
            && size > 0.0
        {
            stats.num_rows = Precision::Inexact((rows * bytes as f64 / size).round() as usize);
        }
        stats
    }

    /// Values the filters pin partition keys to (`k = v`, `k IN (...)`), for
    /// projection's injected keys.
    fn injected(&self, filters: &[Expr]) -> BTreeMap<String, Vec<String>> {
        let mut out = BTreeMap::new();
        for f in filters {
            let (column, values) = match f {
                Expr::BinaryExpr(b) if b.op == Operator::Eq => match (&*b.left, &*b.right) {
                    (Expr::Column(c), Expr::Literal(v, _)) | (Expr::Literal(v, _), Expr::Column(c)) => {
                        (c, vec![literal_text(v)])
                    }
                    _ => continue,
                },
                Expr::InList(l) if !l.negated => match &*l.expr {
                    Expr::Column(c) => (
                        c,
                        l.list
                            .iter()
                            .map(|e| match e {
                                Expr::Literal(v, _) => literal_text(v),
                                _ => None,
                            })
                            .collect(),
                    ),
                    _ => continue,
                },
                _ => continue,
            };
            let values: Option<Vec<String>> = values.into_iter().collect();
            if let (true, Some(values)) = (self.is_partition_column(&column.name), values) {
                out.insert(column.name.clone(), values);
            }
        }
        out
    }

    async fn files_under(&self, location: &str) -> Result<Vec<object_store::ObjectMeta>> {
        let Some(prefix) = s3_to_path(location) else {
            return Err(err(format!("unsupported location {location}")));
        };
        let prefix = Path::from(prefix);
        let mut metas: Vec<object_store::ObjectMeta> = self
            .objects
            .list(Some(&prefix))
            .try_collect()
            .await
            .map_err(|e| DataFusionError::ObjectStore(Box::new(e)))?;
        metas.retain(|m| {
            let name = m.location.filename().unwrap_or_default();
            m.size > 0 && !name.starts_with(['_', '.'])
        });
        metas.sort_by(|a, b| a.location.cmp(&b.location));
        Ok(metas)
    }

    /// Marks the columns every file declares REQUIRED as not nullable, as a
    /// listing table infers it from the footers. Only unpartitioned Parquet
    /// tables, whose few files are listed here anyway; it changes no result,
    /// but lets `NOT IN` skip the null-aware anti join and build on the small side.
    pub async fn refine_nullability(&mut self, caches: &CacheManager) -> Result<()> {
        if !matches!(self.format, Format::Parquet) || !self.partition_fields.is_empty() {
            return Ok(());
        }
        let location = self.table.location().unwrap_or_default().to_owned();
        let files = self.files_under(&location).await?;
        self.listed = Some(files.clone());
        if files.is_empty() {
            return Ok(());
        }
        let cache = caches.get_file_metadata_cache();
        let schemas: Vec<Schema> = futures::stream::iter(
            files
                .into_iter()
                .map(|meta| footer_schema(Arc::clone(&self.objects), meta, Arc::clone(&cache))),
        )
        .buffered(8)
        .try_collect()
        .await?;
        let required = |name: &str| {
            schemas.iter().all(|s| {
                s.fields()
                    .iter()
                    .any(|f| f.name().eq_ignore_ascii_case(name) && !f.is_nullable())
            })
        };
        let refine = |fields: &[FieldRef]| -> Vec<FieldRef> {
            fields
                .iter()
                .map(|f| match required(f.name()) {
                    true => Arc::new(f.as_ref().clone().with_nullable(false)),
                    false => Arc::clone(f),
                })
                .collect()
        };
        self.file_schema = Arc::new(Schema::new(refine(self.file_schema.fields())));
        self.schema = Arc::new(Schema::new(refine(self.schema.fields())));
        Ok(())
    }

    /// Attaches each Parquet file's statistics from its footer, as a
    /// listing table collects them: the planner then knows exact row counts
    /// for joins, and files whose min/max exclude the filters are never opened.
    /// Footers and statistics come from the engine's caches once read.
    async fn with_parquet_statistics(
        &self,
        state: &dyn Session,
        files: Vec<PartitionedFile>,
    ) -> Result<Vec<PartitionedFile>> {
        let runtime = state.runtime_env();
        let store = runtime.object_store(ObjectStoreUrl::parse(STORE_URL)?)?;
        let cache = runtime.cache_manager.get_file_statistic_cache();
        let fingerprint = Arc::new(SchemaFingerprint::from_schema(&self.file_schema));
        let format = ParquetFormat::default();
        let (store, cache, fingerprint, format) = (&store, &cache, &fingerprint, &format);
        futures::stream::iter(files.into_iter().map(|file| async move {
            let key = TableScopedPath {
                table: None,
                path: file.object_meta.location.clone(),
            };
            if let Some(hit) = cache.as_ref().and_then(|c| c.get(&key))
                && hit.is_valid_for(&file.object_meta, fingerprint)
            {
                return Ok(file.with_statistics(Arc::clone(&hit.statistics)));
            }
            let found = format
                .infer_stats_and_ordering(state, store, Arc::clone(&self.file_schema), &file.object_meta)
                .await?;
            let statistics = Arc::new(found.statistics);
            if let Some(cache) = cache {
                let entry = CachedFileMetadata::new(
                    file.object_meta.clone(),
                    Arc::clone(fingerprint),
                    Arc::clone(&statistics),
                    None,
                );
                cache.put(&key, entry);
            }
            Ok(file.with_statistics(statistics))
        }))
        .buffered(16)
        .try_collect()
        .await
    }

    /// Text is read as strings and converted after (`text_to_types`), as
    /// Hive's SerDes do: `\N` and values that do not parse are NULL.
    fn read_schema(&self) -> SchemaRef {
        match self.format {
            Format::Csv { .. } => Arc::new(Schema::new(
                self.file_schema
                    .fields()
                    .iter()
                    .map(|f| Field::new(f.name(), DataType::Utf8, true))
                    .collect::<Vec<_>>(),
            )),
            _ => Arc::clone(&self.file_schema),
        }
    }

    /// Converts the string columns a text scan produced to the table's types.
    fn text_to_types(&self, scan: Arc<dyn ExecutionPlan>) -> Result<Arc<dyn ExecutionPlan>> {
        let input = scan.schema();
        // LazySimpleSerDe writes NULL as `\N`; OpenCSVSerde has no NULL marker.
        let marker = if matches!(self.format, Format::Csv { quote: None, .. }) {
            "\\N"
        } else {
            "\u{0}\u{0}"
        };
        let mut exprs: Vec<(Arc<dyn PhysicalExpr>, String)> = Vec::new();
        for (i, f) in input.fields().iter().enumerate() {
            let column: Arc<dyn PhysicalExpr> = Arc::new(Column::new(f.name(), i));
            let target = self
                .file_schema
                .field_with_name(f.name())
                .ok()
                .map(|t| t.data_type().clone());
            let expr: Arc<dyn PhysicalExpr> = match target {
                Some(t) if t != DataType::Utf8 => {
                    let is_null = binary(Arc::clone(&column), Operator::Eq, lit(marker), &input)?;
                    let null: Arc<dyn PhysicalExpr> = Arc::new(Literal::new(ScalarValue::try_from(&t)?));
                    Arc::new(CaseExpr::try_new(
                        None,
                        vec![(is_null, null)],
                        Some(Arc::new(TryCastExpr::new(Arc::clone(&column), t))),
                    )?)
                }
                Some(_) => {
                    let is_null = binary(Arc::clone(&column), Operator::Eq, lit(marker), &input)?;
                    let null: Arc<dyn PhysicalExpr> = Arc::new(Literal::new(ScalarValue::Utf8(None)));
                    Arc::new(CaseExpr::try_new(None, vec![(is_null, null)], Some(column))?)
                }
                None => column,
            };
            exprs.push((expr, f.name().clone()));
        }
        let exprs: Vec<ProjectionExpr> = exprs
            .into_iter()
            .map(|(expr, alias)| ProjectionExpr { expr, alias })
            .collect();
        Ok(Arc::new(ProjectionExec::try_new(exprs, scan)?))
    }

    fn file_source(&self, state: &dyn Session) -> Result<Arc<dyn FileSource>> {
        let schema = TableSchema::builder(self.read_schema())
            .with_table_partition_cols(self.partition_fields.clone())
            .build();
        Ok(match &self.format {
            Format::Parquet => {
                // Footers come from the engine's cache, as a listing table reads them.
                let runtime = state.runtime_env();
                let store = runtime.object_store(ObjectStoreUrl::parse(STORE_URL)?)?;
                let cache = runtime.cache_manager.get_file_metadata_cache();
                let factory = CachedParquetFileReaderFactory::new(store, cache);
                Arc::new(ParquetSource::new(schema).with_parquet_file_reader_factory(Arc::new(factory)))
            }
            Format::Json => Arc::new(JsonSource::new(schema)),
            Format::Csv {
                delimiter,
                quote,
                header,
            } => {
                let options = CsvOptions {
                    has_header: Some(*header),
                    delimiter: *delimiter,
                    quote: quote.unwrap_or(0),
                    // Files written before a column was added have fewer fields.
                    truncated_rows: Some(true),
                    ..CsvOptions::default()
                };
                Arc::new(CsvSource::new(schema).with_csv_options(options))
            }
        })
    }
}

/// The Arrow schema in a Parquet file's footer, through the footer cache.
async fn footer_schema(
    store: Arc<dyn ObjectStore>,
    meta: object_store::ObjectMeta,
    cache: Arc<FileMetadataCache>,
) -> Result<Schema> {
    DFParquetMetadata::new(store.as_ref(), &meta)
        .with_file_metadata_cache(Some(cache))
        .fetch_schema()
        .await
}

/// The codec a text file's extension names, as Hadoop's codec factory picks one.
fn codec_of(path: &str) -> Option<FileCompressionType> {
    let ext = path.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match ext.as_str() {
        "gz" | "gzip" => FileCompressionType::GZIP,
        "bz2" => FileCompressionType::BZIP2,
        "zst" | "zstd" => FileCompressionType::ZSTD,
        "xz" => FileCompressionType::XZ,
        _ => return None,
    })
}

/// A literal as partition text (no quotes).
fn literal_text(v: &ScalarValue) -> Option<String> {
    match v {
        ScalarValue::Utf8(Some(s)) | ScalarValue::Utf8View(Some(s)) | ScalarValue::LargeUtf8(Some(s)) => {
            Some(s.clone())
        }
        v if v.is_null() => None,
        v => Some(v.to_string()),
    }
}

fn glue_literal(v: &ScalarValue) -> Option<String> {
    match v {
        ScalarValue::Utf8(Some(s)) | ScalarValue::LargeUtf8(Some(s)) | ScalarValue::Utf8View(Some(s)) => {
            Some(format!("'{}'", s.replace('\'', "''")))
        }
        ScalarValue::Int8(Some(n)) => Some(n.to_string()),
        ScalarValue::Int16(Some(n)) => Some(n.to_string()),
        ScalarValue::Int32(Some(n)) => Some(n.to_string()),
        ScalarValue::Int64(Some(n)) => Some(n.to_string()),
        ScalarValue::Date32(Some(_)) => Some(format!("'{v}'")),
        _ => None,
    }
}

/// A partition value as the key's type; Hive's default partition is NULL.
fn partition_value(raw: &str, t: &DataType) -> Result<ScalarValue> {
    if raw == HIVE_NULL {
        return ScalarValue::try_from(t);
    }
    ScalarValue::Utf8(Some(raw.to_owned()))
        .cast_to(t)
        .or_else(|_| ScalarValue::try_from(t))
}

#[async_trait]
impl TableProvider for GlueTable {
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    fn supports_filters_pushdown(&self, filters: &[&Expr]) -> Result<Vec<TableProviderFilterPushDown>> {
        // Inexact: we prune partitions (and Parquet prunes row groups), and
        // DataFusion still filters the rows.
        Ok(vec![TableProviderFilterPushDown::Inexact; filters.len()])
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let mut files: Vec<PartitionedFile> = Vec::new();
        if self.partition_fields.is_empty() {
            let location = self.table.location().unwrap_or_default().to_owned();
            let metas = match &self.listed {
                Some(listed) => listed.clone(),
                None => self.files_under(&location).await?,
            };
            for m in metas {
                files.push(PartitionedFile::new_from_meta(m));
            }
        } else {
            let partitions = self.partitions(filters)?;
            // Partitions are listed concurrently: a month of days is 30 listings.
            let listed: Vec<(Vec<ScalarValue>, Vec<object_store::ObjectMeta>)> =
                futures::stream::iter(partitions.into_iter().map(|(raw, location)| async move {
                    let values: Vec<ScalarValue> = self
                        .partition_fields
                        .iter()
                        .zip(&raw)
                        .map(|(f, v)| partition_value(v, f.data_type()))
                        .collect::<Result<_>>()?;
                    Ok::<_, DataFusionError>((values, self.files_under(&location).await?))
                }))
                .buffered(16)
                .try_collect()
                .await?;
            for (values, metas) in listed {
                for m in metas {
                    let mut pf = PartitionedFile::new_from_meta(m);
                    pf.partition_values.clone_from(&values);
                    files.push(pf);
                }
            }
        }
        if files.is_empty() {
            let schema = match projection {
                Some(p) => Arc::new(self.schema.project(p)?),
                None => Arc::clone(&self.schema),
            };
            return Ok(Arc::new(EmptyExec::new(schema)));
        }
        if matches!(self.format, Format::Parquet) {
            files = self.with_parquet_statistics(state, files).await?;
        }
        let target = state.config().target_partitions().max(1);
        // Text files are decompressed by their own extension (as Hive picks
        // a codec per file), else by the table's compressionType.
        let mut by_codec: Vec<(FileCompressionType, Vec<PartitionedFile>)> = Vec::new();
        for f in files {
            let codec = match self.format {
                Format::Parquet => FileCompressionType::UNCOMPRESSED,
                _ => codec_of(f.object_meta.location.as_ref()).unwrap_or(self.compression),
            };
            match by_codec
                .iter_mut()
                .find(|(c, _)| c.get_variant() == codec.get_variant())
            {
                Some((_, v)) => v.push(f),
                None => by_codec.push((codec, vec![f])),
            }
        }
        let mut scans: Vec<Arc<dyn ExecutionPlan>> = Vec::with_capacity(by_codec.len());
        for (codec, files) in by_codec {
            let bytes: u64 = files.iter().map(|f| f.object_meta.size).sum();
            let mut groups: Vec<Vec<PartitionedFile>> = (0..target.min(files.len())).map(|_| Vec::new()).collect();
            let n = groups.len();
            for (i, f) in files.into_iter().enumerate() {
                groups[i % n].push(f);
            }
            let statistics = match self.format {
                // Every file's footer statistics are at hand (see `with_parquet_statistics`).
                Format::Parquet => Statistics::try_merge_iter(
                    groups.iter().flatten().filter_map(|f| f.statistics.as_deref()),
                    &self.schema,
                )?,
                _ => self.estimate(bytes),
            };
            let groups: Vec<FileGroup> = groups.into_iter().map(FileGroup::new).collect();
            let config = FileScanConfigBuilder::new(ObjectStoreUrl::parse(STORE_URL)?, self.file_source(state)?)
                .with_statistics(statistics)
                .with_file_groups(groups)
                .with_projection_indices(projection.cloned())?
                .with_limit(limit)
                .with_file_compression_type(codec)
                .build();
            scans.push(DataSourceExec::from_data_source(config));
        }
        let scan = UnionExec::try_new(scans)?;
        match self.format {
            Format::Csv { .. } => self.text_to_types(scan),
            _ => Ok(scan),
        }
    }
}
