//! One handler per Glue operation: parse the request, call the catalog,
//! shape the answer.

use std::sync::Arc;

use lakestack_aws_protocol::{JsonBodyError, parse_json_body};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::{ApiError, convert, dto};
use crate::model::{self, Classifier, now_millis};
use crate::partitions::PartitionQuery;
use crate::tables::SearchFilter;
use crate::{Catalog, CatalogError};

type Reply = Result<Value, ApiError>;

fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    parse_json_body(body).map_err(|e| match e {
        JsonBodyError::Shape(m) => ApiError::Catalog(CatalogError::InvalidInput(m)),
        JsonBodyError::Syntax(m) => ApiError::Serialization(m),
    })
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct Req {
    name: Option<String>,
    database_name: Option<String>,
    table_name: Option<String>,
    next_token: Option<String>,
    max_results: Option<i64>,
    expression: Option<String>,
    version_id: Option<String>,
    skip_archive: bool,
    partition_values: Vec<String>,
    segment: Option<Segment>,
    exclude_column_schema: bool,
    tables_to_delete: Vec<String>,
    version_ids: Vec<String>,
    partitions_to_get: Vec<PartitionValues>,
    partitions_to_delete: Vec<PartitionValues>,
    #[serde(rename = "CrawlerNameList")]
    crawler_names: Vec<String>,
    crawler_name: Option<String>,
    schedule: Option<String>,
    resource_arn: Option<String>,
    tags_to_add: std::collections::BTreeMap<String, String>,
    tags_to_remove: Vec<String>,
    search_text: Option<String>,
    filters: Vec<Filter>,
    catalog_id: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct Segment {
    segment_number: i64,
    total_segments: i64,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct PartitionValues {
    values: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct Filter {
    key: String,
    value: String,
    comparator: Option<String>,
}

fn required(v: Option<String>, field: &str) -> Result<String, ApiError> {
    v.ok_or_else(|| {
        ApiError::Catalog(CatalogError::InvalidInput(format!(
            "1 validation error detected: Value null at '{field}' failed to satisfy constraint: Member must not be null"
        )))
    })
}

pub(super) fn dispatch(catalog: &Arc<Catalog>, op: &str, body: &[u8]) -> Reply {
    let id = catalog.settings().account_id.clone();
    let r: Req = parse(body)?;
    if let Some(cid) = r.catalog_id.as_deref()
        && cid != id
    {
        return Err(CatalogError::NotFound(format!("Catalog {cid} not found.")).into());
    }
    match op {
        // ---- databases
        "CreateDatabase" => {
            #[derive(Deserialize)]
            #[serde(rename_all = "PascalCase")]
            struct In {
                database_input: dto::DatabaseInput,
                #[serde(default)]
                tags: std::collections::BTreeMap<String, String>,
            }
            let i: In = parse(body)?;
            let db = catalog.create_database(convert::database_in(i.database_input))?;
            if !i.tags.is_empty() {
                catalog.tag_resource(&catalog.database_arn(&db.name), i.tags.into_iter().collect())?;
            }
            Ok(json!({}))
        }
        "GetDatabase" => {
            let db = catalog.get_database(&required(r.name, "name")?)?;
            Ok(json!({ "Database": convert::database_out(&db, &id) }))
        }
        "GetDatabases" => {
            let (dbs, next) = catalog.get_databases(r.next_token.as_deref(), r.max_results)?;
            let list: Vec<_> = dbs.iter().map(|d| convert::database_out(d, &id)).collect();
            Ok(with_token(json!({ "DatabaseList": list }), next))
        }
        "UpdateDatabase" => {
            #[derive(Deserialize)]
            #[serde(rename_all = "PascalCase")]
            struct In {
                name: String,
                database_input: dto::DatabaseInput,
            }
            let i: In = parse(body)?;
            catalog.update_database(&i.name, convert::database_in(i.database_input))?;
            Ok(json!({}))
        }
        "DeleteDatabase" => {
            catalog.delete_database(&required(r.name, "name")?)?;
            Ok(json!({}))
        }
        // ---- tables
        "CreateTable" => {
            #[derive(Deserialize)]
            #[serde(rename_all = "PascalCase")]
            struct In {
                database_name: String,
                table_input: dto::TableInput,
            }
            let i: In = parse(body)?;
            catalog.create_table(&i.database_name, convert::table_in(i.table_input))?;
            Ok(json!({}))
        }
        "GetTable" => {
            let t = catalog.get_table(&required(r.database_name, "databaseName")?, &required(r.name, "name")?)?;
            Ok(json!({ "Table": convert::table_out(&t, &id) }))
        }
        "GetTables" => {
            let (tables, next) = catalog.get_tables(
                &required(r.database_name, "databaseName")?,
                r.expression.as_deref(),
                r.next_token.as_deref(),
                r.max_results,
            )?;
            let list: Vec<_> = tables.iter().map(|t| convert::table_out(t, &id)).collect();
            Ok(with_token(json!({ "TableList": list }), next))
        }
        "UpdateTable" => {
            #[derive(Deserialize)]
            #[serde(rename_all = "PascalCase")]
            struct In {
                database_name: String,
                table_input: dto::TableInput,
                #[serde(default)]
                skip_archive: bool,
                #[serde(default)]
                version_id: Option<String>,
            }
            let i: In = parse(body)?;
            catalog.update_table(
                &i.database_name,
                convert::table_in(i.table_input),
                i.version_id.as_deref(),
                i.skip_archive,
            )?;
            Ok(json!({}))
        }
        "DeleteTable" => {
            catalog.delete_table(&required(r.database_name, "databaseName")?, &required(r.name, "name")?)?;
            Ok(json!({}))
        }
        "BatchDeleteTable" => {
            let errors =
                catalog.batch_delete_table(&required(r.database_name, "databaseName")?, &r.tables_to_delete)?;
            let errors: Vec<_> = errors
                .into_iter()
                .map(|e| dto::TableError {
                    table_name: e.table_name,
                    error_detail: detail(e.code, e.message),
                })
                .collect();
            Ok(json!({ "Errors": errors }))
        }
        "GetTableVersions" => {
            let (versions, next) = catalog.get_table_versions(
                &required(r.database_name, "databaseName")?,
                &required(r.table_name, "tableName")?,
                r.next_token.as_deref(),
                r.max_results,
            )?;
            let list: Vec<_> = versions.iter().map(|t| table_version(t, &id)).collect();
            Ok(with_token(json!({ "TableVersions": list }), next))
        }
        "GetTableVersion" => {
            let t = catalog.get_table_version(
                &required(r.database_name, "databaseName")?,
                &required(r.table_name, "tableName")?,
                r.version_id.as_deref(),
            )?;
            Ok(json!({ "TableVersion": table_version(&t, &id) }))
        }
        "DeleteTableVersion" => {
            catalog.delete_table_version(
                &required(r.database_name, "databaseName")?,
                &required(r.table_name, "tableName")?,
                &required(r.version_id, "versionId")?,
            )?;
            Ok(json!({}))
        }
        "BatchDeleteTableVersion" => {
            let table = required(r.table_name, "tableName")?;
            let errors = catalog.batch_delete_table_version(
                &required(r.database_name, "databaseName")?,
                &table,
                &r.version_ids,
            )?;
            let errors: Vec<_> = errors
                .into_iter()
                .map(|e| dto::TableVersionError {
                    table_name: e.table_name,
                    version_id: e.version_id.unwrap_or_default(),
                    error_detail: detail(e.code, e.message),
                })
                .collect();
            Ok(json!({ "Errors": errors }))
        }
        "SearchTables" => {
            let filters: Vec<SearchFilter> = r
                .filters
                .into_iter()
                .map(|f| SearchFilter {
                    key: f.key,
                    value: f.value,
                    comparator: f.comparator.unwrap_or_else(|| "EQUALS".into()),
                })
                .collect();
            let (tables, next) = catalog.search_tables(
                r.search_text.as_deref(),
                &filters,
                r.next_token.as_deref(),
                r.max_results,
            )?;
            let list: Vec<_> = tables.iter().map(|t| convert::table_out(t, &id)).collect();
            Ok(with_token(json!({ "TableList": list }), next))
        }
        // ---- partitions
        "CreatePartition" => {
            #[derive(Deserialize)]
            #[serde(rename_all = "PascalCase")]
            struct In {
                database_name: String,
                table_name: String,
                partition_input: dto::PartitionInput,
            }
            let i: In = parse(body)?;
            catalog.create_partition(
                &i.database_name,
                &i.table_name,
                convert::partition_in(i.partition_input),
            )?;
            Ok(json!({}))
        }
        "BatchCreatePartition" => {
            #[derive(Deserialize)]
            #[serde(rename_all = "PascalCase")]
            struct In {
                database_name: String,
                table_name: String,
                partition_input_list: Vec<dto::PartitionInput>,
            }
            let i: In = parse(body)?;
            check_batch(i.partition_input_list.len(), 100, "partitionInputList")?;
            let inputs = i.partition_input_list.into_iter().map(convert::partition_in).collect();
            let errors = catalog.batch_create_partition(&i.database_name, &i.table_name, inputs)?;
            Ok(json!({ "Errors": partition_errors(errors) }))
        }
        "GetPartition" => {
            let p = catalog.get_partition(
                &required(r.database_name, "databaseName")?,
                &required(r.table_name, "tableName")?,
                &r.partition_values,
            )?;
            Ok(json!({ "Partition": convert::partition_out(&p, &id) }))
        }
        "GetPartitions" => {
            let q = PartitionQuery {
                expression: r.expression.as_deref(),
                segment: r.segment.as_ref().map(|s| (s.segment_number, s.total_segments)),
                next_token: r.next_token.as_deref(),
                max_results: r.max_results,
                exclude_column_schema: r.exclude_column_schema,
            };
            let page = catalog.get_partitions(
                &required(r.database_name, "databaseName")?,
                &required(r.table_name, "tableName")?,
                &q,
            )?;
            let list: Vec<_> = page.partitions.iter().map(|p| convert::partition_out(p, &id)).collect();
            Ok(with_token(json!({ "Partitions": list }), page.next_token))
        }
        "BatchGetPartition" => {
            check_batch(r.partitions_to_get.len(), 1000, "partitionsToGet")?;
            let keys: Vec<Vec<String>> = r.partitions_to_get.into_iter().map(|p| p.values).collect();
            let found = catalog.batch_get_partition(
                &required(r.database_name, "databaseName")?,
                &required(r.table_name, "tableName")?,
                &keys,
            )?;
            let list: Vec<_> = found.iter().map(|p| convert::partition_out(p, &id)).collect();
            Ok(json!({ "Partitions": list, "UnprocessedKeys": [] }))
        }
        "UpdatePartition" => {
            #[derive(Deserialize)]
            #[serde(rename_all = "PascalCase")]
            struct In {
                database_name: String,
                table_name: String,
                partition_value_list: Vec<String>,
                partition_input: dto::PartitionInput,
            }
            let i: In = parse(body)?;
            catalog.update_partition(
                &i.database_name,
                &i.table_name,
                &i.partition_value_list,
                convert::partition_in(i.partition_input),
            )?;
            Ok(json!({}))
        }
        "BatchUpdatePartition" => {
            #[derive(Deserialize)]
            #[serde(rename_all = "PascalCase")]
            struct Entry {
                partition_value_list: Vec<String>,
                partition_input: dto::PartitionInput,
            }
            #[derive(Deserialize)]
            #[serde(rename_all = "PascalCase")]
            struct In {
                database_name: String,
                table_name: String,
                entries: Vec<Entry>,
            }
            let i: In = parse(body)?;
            check_batch(i.entries.len(), 100, "entries")?;
            let entries = i
                .entries
                .into_iter()
                .map(|e| (e.partition_value_list, convert::partition_in(e.partition_input)))
                .collect();
            let errors = catalog.batch_update_partition(&i.database_name, &i.table_name, entries)?;
            let errors: Vec<_> = errors
                .into_iter()
                .map(|e| json!({ "PartitionValueList": e.values, "ErrorDetail": detail(e.code, e.message) }))
                .collect();
            Ok(json!({ "Errors": errors }))
        }
        "DeletePartition" => {
            catalog.delete_partition(
                &required(r.database_name, "databaseName")?,
                &required(r.table_name, "tableName")?,
                &r.partition_values,
            )?;
            Ok(json!({}))
        }
        "BatchDeletePartition" => {
            check_batch(r.partitions_to_delete.len(), 25, "partitionsToDelete")?;
            let keys: Vec<Vec<String>> = r.partitions_to_delete.into_iter().map(|p| p.values).collect();
            let errors = catalog.batch_delete_partition(
                &required(r.database_name, "databaseName")?,
                &required(r.table_name, "tableName")?,
                &keys,
            )?;
            Ok(json!({ "Errors": partition_errors(errors) }))
        }
        // ---- crawlers
        "CreateCrawler" => {
            let i: dto::CrawlerInput = parse(body)?;
            let tags = i.tags.clone().unwrap_or_default();
            let mut c = model::Crawler {
                name: i.name.clone(),
                ..model::Crawler::default()
            };
            apply_crawler_input(&mut c, i);
            catalog.create_crawler(c, tags.into_iter().collect())?;
            Ok(json!({}))
        }
        "UpdateCrawler" => {
            let i: dto::CrawlerInput = parse(body)?;
            let name = i.name.clone();
            catalog.update_crawler(&name, move |c| {
                apply_crawler_input(c, i);
                Ok(())
            })?;
            Ok(json!({}))
        }
        "GetCrawler" => {
            let c = catalog.get_crawler(&required(r.name, "name")?)?;
            Ok(json!({ "Crawler": convert::crawler_out(&c) }))
        }
        "GetCrawlers" => {
            let (page, next) = page_of(catalog.list_crawlers()?, r.next_token.as_deref(), r.max_results, |c| {
                &c.name
            })?;
            let list: Vec<_> = page.iter().map(convert::crawler_out).collect();
            Ok(with_token(json!({ "Crawlers": list }), next))
        }
        "ListCrawlers" => {
            #[derive(Deserialize, Default)]
            #[serde(rename_all = "PascalCase", default)]
            struct In {
                tags: std::collections::BTreeMap<String, String>,
            }
            let i: In = parse(body)?;
            let mut all = catalog.list_crawlers()?;
            if !i.tags.is_empty() {
                let mut keep = Vec::new();
                for c in all {
                    let tags: std::collections::BTreeMap<_, _> =
                        catalog.get_tags(&catalog.crawler_arn(&c.name))?.into_iter().collect();
                    if i.tags.iter().all(|(k, v)| tags.get(k) == Some(v)) {
                        keep.push(c);
                    }
                }
                all = keep;
            }
            let (page, next) = page_of(all, r.next_token.as_deref(), r.max_results, |c| &c.name)?;
            let names: Vec<_> = page.iter().map(|c| c.name.clone()).collect();
            Ok(with_token(json!({ "CrawlerNames": names }), next))
        }
        "DeleteCrawler" => {
            catalog.delete_crawler(&required(r.name, "name")?)?;
            Ok(json!({}))
        }
        "StartCrawler" => {
            catalog.start_crawler(&required(r.name, "name")?)?;
            Ok(json!({}))
        }
        "StopCrawler" => {
            catalog.stop_crawler(&required(r.name, "name")?)?;
            Ok(json!({}))
        }
        "GetCrawlerMetrics" => {
            let all = catalog.list_crawlers()?;
            let wanted: Vec<_> = all
                .into_iter()
                .filter(|c| r.crawler_names.is_empty() || r.crawler_names.contains(&c.name))
                .collect();
            let (page, next) = page_of(wanted, r.next_token.as_deref(), r.max_results, |c| &c.name)?;
            let mut list = Vec::new();
            for c in &page {
                let m = catalog.crawler_metrics(c)?;
                list.push(dto::CrawlerMetrics {
                    crawler_name: m.crawler_name,
                    time_left_seconds: m.time_left_seconds,
                    still_estimating: m.still_estimating,
                    last_runtime_seconds: m.last_runtime_seconds,
                    median_runtime_seconds: m.median_runtime_seconds,
                    tables_created: m.tables_created,
                    tables_updated: m.tables_updated,
                    tables_deleted: m.tables_deleted,
                });
            }
            Ok(with_token(json!({ "CrawlerMetricsList": list }), next))
        }
        "ListCrawls" => {
            let name = required(r.crawler_name, "crawlerName")?;
            let crawls = catalog.list_crawls(&name)?;
            let limit = crate::paging::page_size(r.max_results, 20, 1000)?;
            let list: Vec<_> = crawls
                .iter()
                .take(limit)
                .map(|c| convert::crawl_out(&name, c))
                .collect();
            Ok(json!({ "Crawls": list }))
        }
        "StartCrawlerSchedule" => {
            catalog.start_crawler_schedule(&required(r.crawler_name, "crawlerName")?)?;
            Ok(json!({}))
        }
        "StopCrawlerSchedule" => {
            catalog.stop_crawler_schedule(&required(r.crawler_name, "crawlerName")?)?;
            Ok(json!({}))
        }
        "UpdateCrawlerSchedule" => {
            let name = required(r.crawler_name, "crawlerName")?;
            catalog.update_crawler_schedule(&name, r.schedule.as_deref())?;
            Ok(json!({}))
        }
        // ---- classifiers
        "CreateClassifier" | "UpdateClassifier" => {
            #[derive(Deserialize, Default)]
            #[serde(rename_all = "PascalCase", default)]
            struct In {
                csv_classifier: Option<dto::CsvClassifierInput>,
                json_classifier: Option<dto::JsonClassifierInput>,
                grok_classifier: Option<Value>,
                #[serde(rename = "XMLClassifier")]
                xml_classifier: Option<Value>,
            }
            let i: In = if op == "UpdateClassifier" {
                // An update names only the fields it changes: lay them over the stored ones.
                let mut given: Value = parse(body)?;
                for kind in ["CsvClassifier", "JsonClassifier"] {
                    let Some(fields) = given.get_mut(kind).and_then(Value::as_object_mut) else {
                        continue;
                    };
                    let name = fields
                        .get("Name")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned();
                    if let Ok(current) = catalog.get_classifier(&name)
                        && let Some(stored) = convert::classifier_out(&current).get(kind).and_then(Value::as_object)
                    {
                        for (k, v) in stored {
                            fields.entry(k.clone()).or_insert_with(|| v.clone());
                        }
                    }
                }
                serde_json::from_value(given)
                    .map_err(|e| ApiError::Catalog(CatalogError::InvalidInput(e.to_string())))?
            } else {
                parse(body)?
            };
            let classifier = match (i.csv_classifier, i.json_classifier) {
                (Some(c), None) => Classifier::Csv(convert::csv_classifier_in(c)),
                (None, Some(j)) => Classifier::Json(model::JsonClassifier {
                    name: j.name,
                    json_path: j.json_path,
                    ..model::JsonClassifier::default()
                }),
                _ if i.grok_classifier.is_some() || i.xml_classifier.is_some() => {
                    return Err(ApiError::NotImplemented(format!("{op} (Grok and XML classifiers)")));
                }
                _ => {
                    return Err(CatalogError::InvalidInput("Exactly one classifier must be specified.".into()).into());
                }
            };
            if op == "CreateClassifier" {
                catalog.create_classifier(classifier)?;
            } else {
                catalog.update_classifier(classifier)?;
            }
            Ok(json!({}))
        }
        "GetClassifier" => {
            let c = catalog.get_classifier(&required(r.name, "name")?)?;
            Ok(json!({ "Classifier": convert::classifier_out(&c) }))
        }
        "GetClassifiers" => {
            let (page, next) = page_of(
                catalog.get_classifiers()?,
                r.next_token.as_deref(),
                r.max_results,
                |c| c.name(),
            )?;
            let list: Vec<_> = page.iter().map(convert::classifier_out).collect();
            Ok(with_token(json!({ "Classifiers": list }), next))
        }
        "DeleteClassifier" => {
            catalog.delete_classifier(&required(r.name, "name")?)?;
            Ok(json!({}))
        }
        // ---- tags
        "TagResource" => {
            let arn = required(r.resource_arn, "resourceArn")?;
            catalog.tag_resource(&arn, r.tags_to_add.into_iter().collect())?;
            Ok(json!({}))
        }
        "UntagResource" => {
            let arn = required(r.resource_arn, "resourceArn")?;
            catalog.untag_resource(&arn, &r.tags_to_remove)?;
            Ok(json!({}))
        }
        "GetTags" => {
            let arn = required(r.resource_arn, "resourceArn")?;
            let tags: serde_json::Map<String, Value> = catalog
                .get_tags(&arn)?
                .into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect();
            Ok(json!({ "Tags": tags }))
        }
        other => Err(ApiError::NotImplemented(other.to_owned())),
    }
}

fn with_token(mut v: Value, next: Option<String>) -> Value {
    if let (Some(t), Some(obj)) = (next, v.as_object_mut()) {
        obj.insert("NextToken".into(), Value::String(t));
    }
    v
}

fn detail(code: &str, message: String) -> dto::ErrorDetail {
    dto::ErrorDetail {
        error_code: code.to_owned(),
        error_message: message,
    }
}

fn partition_errors(errors: Vec<crate::PartitionError>) -> Vec<dto::PartitionError> {
    errors
        .into_iter()
        .map(|e| dto::PartitionError {
            partition_values: e.values,
            error_detail: detail(e.code, e.message),
        })
        .collect()
}

fn table_version(t: &model::Table, id: &str) -> dto::TableVersion {
    dto::TableVersion {
        table: convert::table_out(t, id),
        version_id: t.version_id.to_string(),
    }
}

fn check_batch(n: usize, max: usize, field: &str) -> Result<(), ApiError> {
    if n > max {
        return Err(CatalogError::InvalidInput(format!(
            "1 validation error detected: Value at '{field}' failed to satisfy constraint: Member must have length less than or equal to {max}"
        ))
        .into());
    }
    Ok(())
}

/// Pages a name-ordered list by the name of the last item returned.
fn page_of<T>(
    items: Vec<T>,
    next_token: Option<&str>,
    max: Option<i64>,
    name: impl Fn(&T) -> &str,
) -> Result<(Vec<T>, Option<String>), ApiError> {
    let after = crate::paging::decode(next_token)?;
    let limit = crate::paging::page_size(max, 100, 1000)?;
    let mut page: Vec<T> = items
        .into_iter()
        .filter(|i| after.as_deref().is_none_or(|a| name(i) > a))
        .take(limit + 1)
        .collect();
    let next = (page.len() > limit).then(|| {
        page.truncate(limit);
        crate::paging::encode(name(&page[limit - 1]))
    });
    Ok((page, next))
}

/// Applies the fields a CreateCrawler/UpdateCrawler request carries.
fn apply_crawler_input(c: &mut model::Crawler, i: dto::CrawlerInput) {
    if let Some(role) = i.role {
        c.role = role;
    }
    if i.database_name.is_some() {
        c.database_name = i.database_name;
    }
    if i.description.is_some() {
        c.description = i.description;
    }
    if let Some(t) = i.targets {
        c.s3_targets = t
            .s3_targets
            .into_iter()
            .map(|t| model::S3Target {
                path: t.path,
                exclusions: t.exclusions,
                sample_size: t.sample_size,
                connection_name: t.connection_name,
                event_queue_arn: t.event_queue_arn,
                dlq_event_queue_arn: t.dlq_event_queue_arn,
            })
            .collect();
        c.other_targets = t
            .other
            .into_iter()
            .filter(|(_, v)| v.as_array().is_none_or(|a| !a.is_empty()))
            .collect();
    }
    if let Some(s) = i.schedule {
        c.schedule = (!s.is_empty()).then(|| model::CrawlerSchedule {
            expression: s,
            state: "SCHEDULED".into(),
        });
    }
    if let Some(cl) = i.classifiers {
        c.classifiers = cl;
    }
    if i.table_prefix.is_some() {
        c.table_prefix = i.table_prefix;
    }
    if let Some(p) = i.schema_change_policy {
        let d = model::SchemaChangePolicy::default();
        c.schema_change_policy = model::SchemaChangePolicy {
            update_behavior: p.update_behavior.unwrap_or(d.update_behavior),
            delete_behavior: p.delete_behavior.unwrap_or(d.delete_behavior),
        };
    }
    if let Some(p) = i.recrawl_policy {
        c.recrawl_behavior = p.recrawl_behavior.unwrap_or_else(|| "CRAWL_EVERYTHING".into());
    }
    if let Some(l) = i.lineage_configuration {
        c.lineage_settings = l.crawler_lineage_settings;
    }
    if let Some(lf) = i.lake_formation_configuration {
        c.opaque.insert("LakeFormationConfiguration".into(), lf);
    }
    if i.configuration.is_some() {
        c.configuration = i.configuration;
    }
    if i.crawler_security_configuration.is_some() {
        c.security_configuration = i.crawler_security_configuration;
    }
    c.last_updated = now_millis();
}
