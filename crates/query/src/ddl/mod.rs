//! Athena's DDL and utility statements, applied to the Glue catalog: CREATE
//! DATABASE / EXTERNAL TABLE, DROP, ALTER TABLE ADD / DROP PARTITION, MSCK
//! REPAIR TABLE, SHOW and DESCRIBE. Their output is text rows (Athena writes
//! it to `<id>.txt`, tab-separated, without a header).

pub mod parse;

use std::collections::{BTreeMap, BTreeSet};

use futures::TryStreamExt;
use lakestack_catalog::model::{Column, Database, Partition, SerDeInfo, StorageDescriptor, Table};
use lakestack_catalog::{Catalog, CatalogError};
use object_store::ObjectStore;
use object_store::path::Path;

use self::parse::{CreateTable, Ddl, PartitionSpec};
use crate::execution::{AthenaError, ResultColumn};
use crate::provider::CATALOG_NAME;
use crate::types::arrow_type;

/// What a DDL statement answers: its columns and text rows.
#[derive(Debug, Default)]
pub struct DdlOutput {
    pub columns: Vec<ResultColumn>,
    pub rows: Vec<Vec<String>>,
}

fn failed(message: impl Into<String>) -> AthenaError {
    AthenaError {
        category: 2,
        error_type: 1003,
        retryable: false,
        message: format!("FAILED: {}", message.into()),
    }
}

/// An error of a statement Trino (not Hive) runs in Athena: no `FAILED:`.
fn trino_failed(message: String) -> AthenaError {
    AthenaError {
        category: 2,
        error_type: 1000,
        retryable: false,
        message,
    }
}

fn internal(e: &CatalogError) -> AthenaError {
    AthenaError {
        category: 1,
        error_type: 204,
        retryable: false,
        message: format!("GENERIC_INTERNAL_ERROR: {e}"),
    }
}

fn varchar(names: &[&str]) -> Vec<ResultColumn> {
    names
        .iter()
        .map(|n| ResultColumn {
            name: (*n).to_owned(),
            type_name: "varchar".into(),
            precision: 2_147_483_647,
            scale: 0,
        })
        .collect()
}

/// Hive's `LIKE` patterns for SHOW: `*` any, `|` alternatives, case-insensitive.
fn show_matches(pattern: Option<&str>, name: &str) -> bool {
    let Some(p) = pattern else { return true };
    p.split('|').any(|alt| {
        let re = format!("(?i)^{}$", regex::escape(alt.trim()).replace("\\*", ".*"));
        regex::Regex::new(&re).is_ok_and(|r| r.is_match(name))
    })
}

fn table_not_found(db: &str, t: &str) -> AthenaError {
    failed(format!("SemanticException [Error 10001]: Table not found {db}.{t}"))
}

fn get_table(catalog: &Catalog, db: &str, t: &str) -> Result<Table, AthenaError> {
    match catalog.get_table(db, t) {
        Ok(t) => Ok(t),
        Err(CatalogError::NotFound(_)) => Err(table_not_found(db, t)),
        Err(e) => Err(internal(&e)),
    }
}

fn all_partitions(catalog: &Catalog, db: &str, t: &str) -> Result<Vec<Partition>, AthenaError> {
    catalog.all_partitions(db, t, None).map_err(|e| internal(&e))
}

/// The storage descriptor a CREATE TABLE describes, as Athena registers it.
/// A DDL column as Glue keeps it.
fn glue_column(c: &parse::ColumnDef) -> Column {
    Column {
        name: c.name.clone(),
        r#type: Some(c.ty.clone()),
        comment: c.comment.clone(),
        ..Column::default()
    }
}

fn storage_of(t: &CreateTable) -> StorageDescriptor {
    const TEXT_IN: &str = "org.apache.hadoop.mapred.TextInputFormat";
    const TEXT_OUT: &str = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat";
    let (mut input, mut output, mut serde) = match t.stored_as.as_deref() {
        Some("PARQUET") => (
            "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
            "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
            "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
        ),
        Some("ORC") => (
            "org.apache.hadoop.hive.ql.io.orc.OrcInputFormat",
            "org.apache.hadoop.hive.ql.io.orc.OrcOutputFormat",
            "org.apache.hadoop.hive.ql.io.orc.OrcSerde",
        ),
        Some("AVRO") => (
            "org.apache.hadoop.hive.ql.io.avro.AvroContainerInputFormat",
            "org.apache.hadoop.hive.ql.io.avro.AvroContainerOutputFormat",
            "org.apache.hadoop.hive.serde2.avro.AvroSerDe",
        ),
        Some("JSONFILE" | "JSON") => (TEXT_IN, TEXT_OUT, "org.openx.data.jsonserde.JsonSerDe"),
        _ => (TEXT_IN, TEXT_OUT, "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"),
    };
    if let Some(s) = &t.serde {
        serde = s;
    }
    if let Some(i) = &t.input_format {
        input = i;
    }
    if let Some(o) = &t.output_format {
        output = o;
    }
    let mut params = t.serde_properties.clone();
    if let Some(d) = &t.field_delim {
        params.insert("field.delim".into(), d.clone());
        params.insert("serialization.format".into(), d.clone());
    }
    if let Some(e) = &t.escape {
        params.insert("escape.delim".into(), e.clone());
    }
    if let Some(l) = &t.line_delim {
        params.insert("line.delim".into(), l.clone());
    }
    if let Some(c) = &t.collection_delim {
        params.insert("collection.delim".into(), c.clone());
    }
    if let Some(m) = &t.map_key_delim {
        params.insert("mapkey.delim".into(), m.clone());
    }
    if serde.contains("ParquetHiveSerDe") && params.is_empty() {
        params.insert("serialization.format".into(), "1".into());
    }
    StorageDescriptor {
        columns: t.columns.iter().map(glue_column).collect(),
        location: t.location.clone(),
        input_format: Some(input.to_owned()),
        output_format: Some(output.to_owned()),
        compressed: false,
        number_of_buckets: -1,
        serde_info: Some(SerDeInfo {
            serialization_library: Some(serde.to_owned()),
            parameters: params,
            ..SerDeInfo::default()
        }),
        ..StorageDescriptor::default()
    }
}

fn partition_values(table: &Table, spec: &PartitionSpec) -> Result<Vec<String>, AthenaError> {
    let given: BTreeMap<&str, &str> = spec.values.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let keys: Vec<&str> = table.partition_keys.iter().map(|c| c.name.as_str()).collect();
    if given.len() != keys.len() || keys.iter().any(|k| !given.contains_key(k)) {
        return Err(failed(format!(
            "SemanticException [Error 10098]: Invalid partition spec for table {}: the keys are ({})",
            table.name,
            keys.join(", ")
        )));
    }
    Ok(keys.iter().map(|k| given[k].to_owned()).collect())
}

fn partition_name(table: &Table, values: &[String]) -> String {
    table
        .partition_keys
        .iter()
        .zip(values)
        .map(|(k, v)| format!("{}={v}", k.name))
        .collect::<Vec<_>>()
        .join("/")
}

fn partition_of(table: &Table, values: Vec<String>, location: String) -> Partition {
    let mut sd = table.storage_descriptor.clone().unwrap_or_default();
    sd.location = Some(location);
    Partition {
        values,
        storage_descriptor: Some(sd),
        ..Partition::default()
    }
}

fn with_slash(s: &str) -> String {
    if s.ends_with('/') {
        s.to_owned()
    } else {
        format!("{s}/")
    }
}

/// Runs one DDL statement against the catalog.
pub async fn run(
    catalog: &Catalog,
    objects: &dyn ObjectStore,
    ddl: Ddl,
    default_db: &str,
) -> Result<DdlOutput, AthenaError> {
    let db_of = |d: Option<String>| d.unwrap_or_else(|| default_db.to_owned());
    let require_db = |db: &str| -> Result<(), AthenaError> {
        match catalog.get_database(db) {
            Ok(_) => Ok(()),
            Err(CatalogError::NotFound(_)) => Err(failed(format!(
                "SemanticException [Error 10072]: Database does not exist: {db}"
            ))),
            Err(e) => Err(internal(&e)),
        }
    };
    let mut out = DdlOutput::default();
    match ddl {
        Ddl::CreateDatabase {
            name,
            if_not_exists,
            comment,
            location,
            properties,
        } => {
            let db = Database {
                name: name.clone(),
                description: comment,
                location_uri: location,
                parameters: properties,
                ..Database::default()
            };
            match catalog.create_database(db) {
                Ok(_) => {}
                Err(CatalogError::AlreadyExists(_)) if if_not_exists => {}
                Err(CatalogError::AlreadyExists(_)) => {
                    return Err(failed(format!(
                        "AlreadyExistsException: Database {name} already exists"
                    )));
                }
                Err(e) => return Err(internal(&e)),
            }
        }
        Ddl::DropDatabase {
            name,
            if_exists,
            cascade,
        } => {
            if catalog.get_database(&name).is_err() {
                if if_exists {
                    return Ok(out);
                }
                return Err(failed(format!(
                    "SemanticException [Error 10072]: Database does not exist: {name}"
                )));
            }
            let (tables, _) = catalog
                .get_tables(&name, None, None, Some(1))
                .map_err(|e| internal(&e))?;
            if !tables.is_empty() && !cascade {
                return Err(failed(format!(
                    "InvalidOperationException(message:Database {name} is not empty. One or more tables exist.)"
                )));
            }
            catalog.delete_database(&name).map_err(|e| internal(&e))?;
        }
        Ddl::CreateTable(t) => {
            let db = db_of(t.database.clone());
            require_db(&db)?;
            if !t.external
                && !t
                    .properties
                    .get("table_type")
                    .is_some_and(|v| v.eq_ignore_ascii_case("iceberg"))
            {
                return Err(failed("SemanticException Only external table creation is supported."));
            }
            if t.properties
                .get("table_type")
                .is_some_and(|v| v.eq_ignore_ascii_case("iceberg"))
            {
                return Err(failed("NOT_SUPPORTED: lakestack does not create Iceberg tables yet."));
            }
            let Some(location) = t.location.clone() else {
                return Err(failed("SemanticException CREATE EXTERNAL TABLE must have a LOCATION."));
            };
            if !location.starts_with("s3://") {
                return Err(failed(format!(
                    "SemanticException Invalid LOCATION {location}: it must be an s3:// path"
                )));
            }
            for c in t.columns.iter().chain(&t.partitions) {
                arrow_type(&c.ty).map_err(|e| {
                    failed(format!(
                        "ParseException: line 1:0 cannot recognize input near '{}': {e}",
                        c.ty
                    ))
                })?;
            }
            let mut params = t.properties.clone();
            params.insert("EXTERNAL".into(), "TRUE".into());
            let table = Table {
                name: t.name.clone(),
                description: t.comment.clone(),
                owner: Some("hadoop".into()),
                storage_descriptor: Some(storage_of(&t)),
                partition_keys: t.partitions.iter().map(glue_column).collect(),
                table_type: Some("EXTERNAL_TABLE".into()),
                parameters: params,
                ..Table::default()
            };
            match catalog.create_table(&db, table) {
                Ok(_) => {}
                Err(CatalogError::AlreadyExists(_)) if t.if_not_exists => {}
                Err(CatalogError::AlreadyExists(_)) => {
                    return Err(failed(format!(
                        "AlreadyExistsException: Table {db}.{} already exists",
                        t.name
                    )));
                }
                Err(e) => return Err(internal(&e)),
            }
        }
        Ddl::DropTable {
            database,
            name,
            if_exists,
        } => {
            let db = db_of(database);
            match catalog.delete_table(&db, &name) {
                Ok(()) => {}
                Err(CatalogError::NotFound(_)) if if_exists => {}
                Err(CatalogError::NotFound(_)) => return Err(table_not_found(&db, &name)),
                Err(e) => return Err(internal(&e)),
            }
        }
        Ddl::AddPartitions {
            database,
            table,
            if_not_exists,
            partitions,
        } => {
            let db = db_of(database);
            let t = get_table(catalog, &db, &table)?;
            let base = with_slash(t.location().unwrap_or_default());
            let mut inputs = Vec::new();
            for spec in &partitions {
                let values = partition_values(&t, spec)?;
                let location = spec
                    .location
                    .clone()
                    .unwrap_or_else(|| format!("{base}{}/", partition_name(&t, &values)));
                inputs.push(partition_of(&t, values, location));
            }
            let errors = catalog
                .batch_create_partition(&db, &table, inputs)
                .map_err(|e| internal(&e))?;
            if let Some(e) = errors
                .iter()
                .find(|e| !(if_not_exists && e.code == "AlreadyExistsException"))
            {
                return Err(failed(format!("{}: {}", e.code, e.message)));
            }
        }
        Ddl::DropPartitions {
            database,
            table,
            if_exists,
            partitions,
        } => {
            let db = db_of(database);
            let t = get_table(catalog, &db, &table)?;
            let keys = partitions
                .iter()
                .map(|p| partition_values(&t, p))
                .collect::<Result<Vec<_>, _>>()?;
            let errors = catalog
                .batch_delete_partition(&db, &table, &keys)
                .map_err(|e| internal(&e))?;
            if !if_exists && let Some(e) = errors.first() {
                return Err(failed(format!(
                    "SemanticException [Error 10006]: Partition not found {}",
                    partition_name(&t, &e.values)
                )));
            }
        }
        Ddl::MsckRepair { database, table } => {
            let db = db_of(database);
            let t = get_table(catalog, &db, &table)?;
            out.rows = msck_repair(catalog, objects, &db, &t).await?;
        }
        Ddl::ShowDatabases { like } => {
            out.columns = varchar(&["database_name"]);
            out.rows = catalog
                .all_databases()
                .map_err(|e| internal(&e))?
                .into_iter()
                .filter(|d| show_matches(like.as_deref(), &d.name))
                .map(|d| vec![d.name])
                .collect();
        }
        Ddl::ShowTables { database, like } => {
            let db = db_of(database);
            require_db(&db)?;
            out.columns = varchar(&["tab_name"]);
            out.rows = catalog
                .all_tables(&db)
                .map_err(|e| internal(&e))?
                .into_iter()
                .filter(|t| show_matches(like.as_deref(), &t.name))
                .map(|t| vec![t.name])
                .collect();
        }
        Ddl::ShowPartitions { database, table } => {
            let db = db_of(database);
            let t = get_table(catalog, &db, &table)?;
            if t.partition_keys.is_empty() {
                return Err(failed(format!(
                    "SemanticException [Error 10241]: Table {table} is not a partitioned table"
                )));
            }
            out.columns = varchar(&["partition"]);
            out.rows = all_partitions(catalog, &db, &table)?
                .iter()
                .map(|p| vec![partition_name(&t, &p.values)])
                .collect();
        }
        Ddl::ShowColumns { database, table } => {
            let db = db_of(database);
            let t = get_table(catalog, &db, &table)?;
            out.columns = varchar(&["field"]);
            let sd = t.storage_descriptor.clone().unwrap_or_default();
            out.rows = sd
                .columns
                .iter()
                .chain(&t.partition_keys)
                .map(|c| vec![c.name.clone()])
                .collect();
        }
        Ddl::DropView {
            database,
            name,
            if_exists,
        } => {
            let db = db_of(database);
            match catalog.get_table(&db, &name) {
                Ok(t) if crate::views::is_view(&t) => catalog.delete_table(&db, &name).map_err(|e| internal(&e))?,
                Ok(_) | Err(CatalogError::NotFound(_)) if if_exists => {}
                Ok(_) | Err(CatalogError::NotFound(_)) => {
                    return Err(trino_failed(format!(
                        "TABLE_NOT_FOUND: line 1:1: View '{CATALOG_NAME}.{db}.{name}' does not exist"
                    )));
                }
                Err(e) => return Err(internal(&e)),
            }
        }
        Ddl::ShowViews { database, like } => {
            let db = db_of(database);
            require_db(&db)?;
            out.columns = varchar(&["views"]);
            out.rows = catalog
                .all_tables(&db)
                .map_err(|e| internal(&e))?
                .into_iter()
                .filter(|t| crate::views::is_view(t) && show_matches(like.as_deref(), &t.name))
                .map(|t| vec![t.name])
                .collect();
        }
        Ddl::ShowCreateView { database, name } => {
            let db = db_of(database);
            let t = get_table(catalog, &db, &name)?;
            let def = crate::views::definition(&t).map_err(|_| {
                trino_failed(format!(
                    "NOT_SUPPORTED: line 1:1: Relation '{CATALOG_NAME}.{db}.{name}' is a table, not a view"
                ))
            })?;
            out.columns = varchar(&["Create View"]);
            let text = format!("CREATE VIEW {CATALOG_NAME}.{db}.{name} AS\n{}", def.original_sql);
            out.rows = text.lines().map(|l| vec![l.to_owned()]).collect();
        }
        Ddl::ShowCreateTable { database, table } => {
            let db = db_of(database);
            let t = get_table(catalog, &db, &table)?;
            out.columns = varchar(&["createtab_stmt"]);
            out.rows = show_create(&db, &t).into_iter().map(|l| vec![l]).collect();
        }
        Ddl::Describe { database, table } => {
            let db = db_of(database);
            let t = get_table(catalog, &db, &table)?;
            out.columns = varchar(&["col_name", "data_type", "comment"]);
            let sd = t.storage_descriptor.clone().unwrap_or_default();
            let row = |c: &Column| {
                vec![
                    c.name.clone(),
                    c.r#type.clone().unwrap_or_default(),
                    c.comment.clone().unwrap_or_default(),
                ]
            };
            out.rows = sd.columns.iter().chain(&t.partition_keys).map(row).collect();
            if !t.partition_keys.is_empty() {
                out.rows.push(vec![String::new(), String::new(), String::new()]);
                out.rows
                    .push(vec!["# Partition Information".into(), String::new(), String::new()]);
                out.rows
                    .push(vec!["# col_name".into(), "data_type".into(), "comment".into()]);
                out.rows.push(vec![String::new(), String::new(), String::new()]);
                out.rows.extend(t.partition_keys.iter().map(row));
            }
        }
    }
    Ok(out)
}

/// Adds partitions for the `key=value/` folders under the table's location
/// that the catalog does not know yet, and says what it did as Athena does.
async fn msck_repair(
    catalog: &Catalog,
    objects: &dyn ObjectStore,
    db: &str,
    t: &Table,
) -> Result<Vec<Vec<String>>, AthenaError> {
    if t.partition_keys.is_empty() {
        return Err(failed(format!(
            "SemanticException [Error 10241]: Table {} is not a partitioned table",
            t.name
        )));
    }
    let location = with_slash(t.location().unwrap_or_default());
    let Some(prefix) = location
        .strip_prefix("s3://")
        .map(|p| p.trim_end_matches('/').to_owned())
    else {
        return Ok(Vec::new());
    };
    let listed: Vec<object_store::ObjectMeta> = objects
        .list(Some(&Path::from(prefix.as_str())))
        .try_collect()
        .await
        .map_err(|e| failed(format!("Could not list {location}: {e}")))?;
    let keys: Vec<&str> = t.partition_keys.iter().map(|c| c.name.as_str()).collect();
    let mut found: BTreeSet<Vec<String>> = BTreeSet::new();
    for m in listed {
        let full = lakestack_compat::percent::decode_lossy(m.location.as_ref());
        let Some(rel) = full.strip_prefix(&format!("{prefix}/")) else {
            continue;
        };
        let segs: Vec<&str> = rel.split('/').collect();
        if segs.len() <= keys.len() {
            continue;
        }
        let values: Option<Vec<String>> = keys
            .iter()
            .zip(&segs)
            .map(|(k, seg)| {
                seg.split_once('=')
                    .filter(|(sk, _)| sk.eq_ignore_ascii_case(k))
                    .map(|(_, v)| v.to_owned())
            })
            .collect();
        if let Some(v) = values {
            found.insert(v);
        }
    }
    let known: BTreeSet<Vec<String>> = all_partitions(catalog, db, &t.name)?
        .into_iter()
        .map(|p| p.values)
        .collect();
    let missing: Vec<Vec<String>> = found.into_iter().filter(|v| !known.contains(v)).collect();
    let mut rows = Vec::new();
    if missing.is_empty() {
        return Ok(rows);
    }
    rows.push(vec![format!(
        "Partitions not in metastore:\t{}",
        missing
            .iter()
            .map(|v| format!("{}:{}", t.name, partition_name(t, v)))
            .collect::<Vec<_>>()
            .join("\t")
    )]);
    let inputs: Vec<Partition> = missing
        .iter()
        .map(|v| partition_of(t, v.clone(), format!("{location}{}/", partition_name(t, v))))
        .collect();
    for chunk in inputs.chunks(100) {
        catalog
            .batch_create_partition(db, &t.name, chunk.to_vec())
            .map_err(|e| internal(&e))?;
    }
    for v in &missing {
        rows.push(vec![format!(
            "Repair: Added partition to metastore {}:{}",
            t.name,
            partition_name(t, v)
        )]);
    }
    Ok(rows)
}

fn show_create(db: &str, t: &Table) -> Vec<String> {
    let sd = t.storage_descriptor.clone().unwrap_or_default();
    let col = |c: &Column| format!("  `{}` {}", c.name, c.r#type.clone().unwrap_or_else(|| "string".into()));
    let mut lines = vec![format!("CREATE EXTERNAL TABLE `{db}`.`{}`(", t.name)];
    let cols: Vec<String> = sd.columns.iter().map(col).collect();
    lines.push(cols.join(",\n"));
    lines.push(")".into());
    if !t.partition_keys.is_empty() {
        lines.push("PARTITIONED BY ( ".into());
        lines.push(t.partition_keys.iter().map(col).collect::<Vec<_>>().join(",\n"));
        lines.push(")".into());
    }
    if let Some(s) = &sd.serde_info {
        lines.push("ROW FORMAT SERDE ".into());
        lines.push(format!("  '{}' ", s.serialization_library.clone().unwrap_or_default()));
        if !s.parameters.is_empty() {
            lines.push("WITH SERDEPROPERTIES ( ".into());
            let props: Vec<String> = s.parameters.iter().map(|(k, v)| format!("  '{k}'='{v}'")).collect();
            lines.push(format!("{}) ", props.join(", \n")));
        }
    }
    lines.push("STORED AS INPUTFORMAT ".into());
    lines.push(format!("  '{}' ", sd.input_format.clone().unwrap_or_default()));
    lines.push("OUTPUTFORMAT ".into());
    lines.push(format!("  '{}'", sd.output_format.clone().unwrap_or_default()));
    lines.push("LOCATION".into());
    lines.push(format!("  '{}'", sd.location.unwrap_or_default()));
    if !t.parameters.is_empty() {
        lines.push("TBLPROPERTIES (".into());
        let props: Vec<String> = t.parameters.iter().map(|(k, v)| format!("  '{k}'='{v}'")).collect();
        lines.push(format!("{})", props.join(", \n")));
    }
    lines.join("\n").split('\n').map(str::to_owned).collect()
}
