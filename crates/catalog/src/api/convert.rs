//! Wire shapes to domain types and back; the only place that knows both.

use serde_json::{Map, Value};

use super::dto;
use crate::model;

fn opaque_in(extra: Map<String, Value>) -> std::collections::BTreeMap<String, Value> {
    extra.into_iter().collect()
}

fn opaque_out(o: &std::collections::BTreeMap<String, Value>) -> Map<String, Value> {
    o.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

pub fn column_in(c: dto::Column) -> model::Column {
    model::Column {
        name: c.name,
        r#type: c.r#type,
        comment: c.comment,
        parameters: c.parameters.unwrap_or_default(),
    }
}

pub fn column_out(c: &model::Column) -> dto::Column {
    dto::Column {
        name: c.name.clone(),
        r#type: c.r#type.clone(),
        comment: c.comment.clone(),
        parameters: (!c.parameters.is_empty()).then(|| c.parameters.clone()),
    }
}

pub fn sd_in(sd: dto::StorageDescriptor) -> model::StorageDescriptor {
    model::StorageDescriptor {
        columns: sd.columns.into_iter().map(column_in).collect(),
        location: sd.location,
        additional_locations: sd.additional_locations,
        input_format: sd.input_format,
        output_format: sd.output_format,
        compressed: sd.compressed,
        number_of_buckets: sd.number_of_buckets,
        serde_info: sd.serde_info.map(|s| model::SerDeInfo {
            name: s.name,
            serialization_library: s.serialization_library,
            parameters: s.parameters.unwrap_or_default(),
        }),
        bucket_columns: sd.bucket_columns,
        sort_columns: sd
            .sort_columns
            .into_iter()
            .map(|o| model::SortOrder {
                column: o.column,
                sort_order: o.sort_order,
            })
            .collect(),
        parameters: sd.parameters,
        stored_as_sub_directories: sd.stored_as_sub_directories,
        opaque: opaque_in(sd.extra),
    }
}

pub fn sd_out(sd: &model::StorageDescriptor) -> dto::StorageDescriptor {
    dto::StorageDescriptor {
        columns: sd.columns.iter().map(column_out).collect(),
        location: sd.location.clone(),
        additional_locations: sd.additional_locations.clone(),
        input_format: sd.input_format.clone(),
        output_format: sd.output_format.clone(),
        compressed: sd.compressed,
        number_of_buckets: sd.number_of_buckets,
        serde_info: sd.serde_info.as_ref().map(|s| dto::SerDeInfo {
            name: s.name.clone(),
            serialization_library: s.serialization_library.clone(),
            parameters: Some(s.parameters.clone()),
        }),
        bucket_columns: sd.bucket_columns.clone(),
        sort_columns: sd
            .sort_columns
            .iter()
            .map(|o| dto::Order {
                column: o.column.clone(),
                sort_order: o.sort_order,
            })
            .collect(),
        parameters: sd.parameters.clone(),
        stored_as_sub_directories: sd.stored_as_sub_directories,
        extra: opaque_out(&sd.opaque),
    }
}

pub fn database_in(d: dto::DatabaseInput) -> model::Database {
    model::Database {
        name: d.name,
        description: d.description,
        location_uri: d.location_uri,
        parameters: d.parameters,
        create_time: 0,
        opaque: opaque_in(d.extra),
    }
}

pub fn database_out(d: &model::Database, catalog_id: &str) -> dto::Database {
    let mut extra = opaque_out(&d.opaque);
    extra.entry("CreateTableDefaultPermissions").or_insert_with(|| {
        serde_json::json!([{
            "Principal": {"DataLakePrincipalIdentifier": "IAM_ALLOWED_PRINCIPALS"},
            "Permissions": ["ALL"]
        }])
    });
    dto::Database {
        name: d.name.clone(),
        description: d.description.clone(),
        location_uri: d.location_uri.clone(),
        parameters: d.parameters.clone(),
        create_time: d.create_time,
        catalog_id: catalog_id.to_owned(),
        extra,
    }
}

pub fn table_in(t: dto::TableInput) -> model::Table {
    model::Table {
        name: t.name,
        description: t.description,
        owner: t.owner,
        last_access_time: t.last_access_time,
        last_analyzed_time: t.last_analyzed_time,
        retention: t.retention,
        storage_descriptor: t.storage_descriptor.map(sd_in),
        partition_keys: t.partition_keys.into_iter().map(column_in).collect(),
        view_original_text: t.view_original_text,
        view_expanded_text: t.view_expanded_text,
        table_type: t.table_type,
        parameters: t.parameters,
        opaque: opaque_in(t.extra),
        ..model::Table::default()
    }
}

pub fn table_out(t: &model::Table, catalog_id: &str) -> dto::Table {
    dto::Table {
        name: t.name.clone(),
        database_name: t.database_name.clone(),
        description: t.description.clone(),
        owner: t.owner.clone(),
        create_time: t.create_time,
        update_time: t.update_time,
        last_access_time: t.last_access_time,
        last_analyzed_time: t.last_analyzed_time,
        retention: t.retention,
        storage_descriptor: t.storage_descriptor.as_ref().map(sd_out),
        partition_keys: t.partition_keys.iter().map(column_out).collect(),
        view_original_text: t.view_original_text.clone(),
        view_expanded_text: t.view_expanded_text.clone(),
        table_type: t.table_type.clone(),
        parameters: t.parameters.clone(),
        created_by: t.created_by.clone(),
        is_registered_with_lake_formation: false,
        catalog_id: catalog_id.to_owned(),
        version_id: t.version_id.to_string(),
        is_multi_dialect_view: false,
        extra: opaque_out(&t.opaque),
    }
}

pub fn partition_in(p: dto::PartitionInput) -> model::Partition {
    model::Partition {
        values: p.values,
        last_access_time: p.last_access_time,
        last_analyzed_time: p.last_analyzed_time,
        storage_descriptor: p.storage_descriptor.map(sd_in),
        parameters: p.parameters,
        ..model::Partition::default()
    }
}

pub fn partition_out(p: &model::Partition, catalog_id: &str) -> dto::Partition {
    dto::Partition {
        values: p.values.clone(),
        database_name: p.database_name.clone(),
        table_name: p.table_name.clone(),
        creation_time: p.create_time,
        last_access_time: p.last_access_time,
        last_analyzed_time: p.last_analyzed_time,
        storage_descriptor: p.storage_descriptor.as_ref().map(sd_out),
        parameters: p.parameters.clone(),
        catalog_id: catalog_id.to_owned(),
    }
}

pub fn crawler_out(c: &model::Crawler) -> dto::Crawler {
    dto::Crawler {
        name: c.name.clone(),
        role: c.role.clone(),
        targets: dto::CrawlerTargets {
            s3_targets: c
                .s3_targets
                .iter()
                .map(|t| dto::S3Target {
                    path: t.path.clone(),
                    exclusions: t.exclusions.clone(),
                    connection_name: t.connection_name.clone(),
                    sample_size: t.sample_size,
                    event_queue_arn: t.event_queue_arn.clone(),
                    dlq_event_queue_arn: t.dlq_event_queue_arn.clone(),
                })
                .collect(),
            other: opaque_out(&c.other_targets),
        },
        database_name: c.database_name.clone(),
        description: c.description.clone(),
        classifiers: c.classifiers.clone(),
        recrawl_policy: dto::RecrawlPolicy {
            recrawl_behavior: Some(c.recrawl_behavior.clone()),
        },
        schema_change_policy: dto::SchemaChangePolicy {
            update_behavior: Some(c.schema_change_policy.update_behavior.clone()),
            delete_behavior: Some(c.schema_change_policy.delete_behavior.clone()),
        },
        lineage_configuration: dto::LineageConfiguration {
            crawler_lineage_settings: Some(c.lineage_settings.clone().unwrap_or_else(|| "DISABLE".into())),
        },
        state: c.state.as_str().to_owned(),
        table_prefix: c.table_prefix.clone(),
        schedule: c.schedule.as_ref().map(|s| dto::Schedule {
            schedule_expression: s.expression.clone(),
            state: s.state.clone(),
        }),
        crawl_elapsed_time: c.crawl_elapsed_ms,
        creation_time: c.creation_time,
        last_updated: c.last_updated,
        last_crawl: c.last_crawl.as_ref().map(|l| dto::LastCrawlInfo {
            status: l.status.clone(),
            error_message: l.error_message.clone(),
            log_group: l.log_group.clone(),
            log_stream: l.log_stream.clone(),
            message_prefix: l.message_prefix.clone(),
            start_time: l.start_time,
        }),
        version: c.version,
        configuration: c.configuration.clone(),
        crawler_security_configuration: c.security_configuration.clone(),
        lake_formation_configuration: c
            .opaque
            .get("LakeFormationConfiguration")
            .cloned()
            .unwrap_or_else(|| serde_json::json!({"UseLakeFormationCredentials": false, "AccountId": ""})),
    }
}

pub fn crawl_out(crawler: &str, c: &model::Crawl) -> dto::CrawlerHistory {
    let s = &c.summary;
    let changes = |add, update, delete| dto::Changes {
        add: dto::Count { count: add },
        update: dto::Count { count: update },
        delete: dto::Count { count: delete },
    };
    let summary = dto::CrawlSummary {
        table: changes(s.tables_created, s.tables_updated, s.tables_deleted),
        partition: changes(s.partitions_created, s.partitions_updated, s.partitions_deleted),
        files: dto::Files {
            scanned: s.files_scanned,
            skipped: s.files_skipped,
        },
    };
    dto::CrawlerHistory {
        crawl_id: c.crawl_id.clone(),
        state: c.state.clone(),
        start_time: c.start_time,
        end_time: c.end_time,
        summary: serde_json::to_string(&summary).unwrap_or_default(),
        error_message: c.error_message.clone(),
        log_group: "/aws-glue/crawlers".into(),
        log_stream: crawler.to_owned(),
        message_prefix: c.crawl_id.clone(),
        dpu_hour: 0.0,
    }
}

pub fn classifier_out(c: &model::Classifier) -> dto::Classifier {
    match c {
        model::Classifier::Csv(c) => dto::Classifier::CsvClassifier(dto::CsvClassifier {
            name: c.name.clone(),
            creation_time: c.creation_time,
            last_updated: c.last_updated,
            version: c.version,
            delimiter: c.delimiter.clone(),
            quote_symbol: c.quote_symbol.clone(),
            contains_header: c.contains_header.clone().unwrap_or_else(|| "UNKNOWN".into()),
            header: c.header.clone(),
            disable_value_trimming: c.disable_value_trimming,
            allow_single_column: c.allow_single_column,
            custom_datatype_configured: c.custom_datatype_configured,
            custom_datatypes: c.custom_datatypes.clone(),
            serde: c.serde.clone().unwrap_or_else(|| "None".into()),
        }),
        model::Classifier::Json(j) => dto::Classifier::JsonClassifier(dto::JsonClassifier {
            name: j.name.clone(),
            creation_time: j.creation_time,
            last_updated: j.last_updated,
            version: j.version,
            json_path: j.json_path.clone(),
        }),
    }
}

pub fn csv_classifier_in(c: dto::CsvClassifierInput) -> model::CsvClassifier {
    model::CsvClassifier {
        name: c.name,
        delimiter: c.delimiter,
        quote_symbol: c.quote_symbol,
        contains_header: c.contains_header,
        header: c.header,
        disable_value_trimming: c.disable_value_trimming.unwrap_or(false),
        allow_single_column: c.allow_single_column.unwrap_or(false),
        custom_datatype_configured: c.custom_datatype_configured.unwrap_or(false),
        custom_datatypes: c.custom_datatypes,
        serde: c.serde,
        ..model::CsvClassifier::default()
    }
}

pub fn json_classifier_in(j: dto::JsonClassifierInput) -> model::JsonClassifier {
    model::JsonClassifier {
        name: j.name,
        json_path: j.json_path,
        ..model::JsonClassifier::default()
    }
}

pub fn error_detail(code: &str, message: String) -> dto::ErrorDetail {
    dto::ErrorDetail {
        error_code: code.to_owned(),
        error_message: message,
    }
}

pub fn partition_error_out(e: crate::PartitionError) -> dto::PartitionError {
    dto::PartitionError {
        partition_values: e.values,
        error_detail: error_detail(e.code, e.message),
    }
}

pub fn table_version_out(t: &model::Table, catalog_id: &str) -> dto::TableVersion {
    dto::TableVersion {
        table: table_out(t, catalog_id),
        version_id: t.version_id.to_string(),
    }
}

pub fn crawler_metrics_out(m: crate::CrawlerMetrics) -> dto::CrawlerMetrics {
    dto::CrawlerMetrics {
        crawler_name: m.crawler_name,
        time_left_seconds: m.time_left_seconds,
        still_estimating: m.still_estimating,
        last_runtime_seconds: m.last_runtime_seconds,
        median_runtime_seconds: m.median_runtime_seconds,
        tables_created: m.tables_created,
        tables_updated: m.tables_updated,
        tables_deleted: m.tables_deleted,
    }
}

/// A job from CreateJob's members or UpdateJob's JobUpdate: what is left
/// out takes Glue's default.
pub fn job_in(name: String, i: dto::JobInput) -> model::Job {
    let command = i.command.unwrap_or_default();
    model::Job {
        name,
        description: i.description,
        log_uri: i.log_uri,
        role: i.role.unwrap_or_default(),
        command: model::JobCommand {
            name: command.name.unwrap_or_default(),
            script_location: command.script_location,
            python_version: command.python_version,
            runtime: command.runtime,
        },
        max_concurrent_runs: i.execution_property.and_then(|e| e.max_concurrent_runs),
        default_arguments: i.default_arguments.unwrap_or_default(),
        non_overridable_arguments: i.non_overridable_arguments.unwrap_or_default(),
        connections: i.connections.map(|c| c.connections).unwrap_or_default(),
        max_retries: i.max_retries.unwrap_or(0),
        allocated_capacity: i.allocated_capacity,
        timeout: i.timeout,
        max_capacity: i.max_capacity,
        worker_type: i.worker_type,
        number_of_workers: i.number_of_workers,
        security_configuration: i.security_configuration,
        notify_delay_after: i.notification_property.and_then(|n| n.notify_delay_after),
        glue_version: i.glue_version,
        execution_class: i.execution_class,
        opaque: opaque_in(i.extra),
        created_on: 0,
        last_modified_on: 0,
    }
}

pub fn job_out(j: &model::Job) -> dto::Job {
    let mut extra = opaque_out(&j.opaque);
    // "When the JobMode field is missing or null, SCRIPT is assigned as the default value."
    extra.entry("JobMode").or_insert_with(|| Value::from("SCRIPT"));
    let max_capacity = j.effective_max_capacity();
    dto::Job {
        name: j.name.clone(),
        description: j.description.clone(),
        log_uri: j.log_uri.clone(),
        role: j.role.clone(),
        created_on: j.created_on,
        last_modified_on: j.last_modified_on,
        execution_property: dto::ExecutionProperty {
            max_concurrent_runs: Some(j.max_concurrent_runs()),
        },
        command: dto::JobCommand {
            name: Some(j.command.name.clone()),
            script_location: j.command.script_location.clone(),
            python_version: j.command.python_version.clone(),
            runtime: j.command.runtime.clone(),
        },
        default_arguments: j.default_arguments.clone(),
        non_overridable_arguments: j.non_overridable_arguments.clone(),
        connections: (!j.connections.is_empty()).then(|| dto::ConnectionsList {
            connections: j.connections.clone(),
        }),
        max_retries: j.max_retries,
        allocated_capacity: allocated_capacity(j.allocated_capacity, max_capacity),
        timeout: j.effective_timeout(),
        max_capacity,
        worker_type: j.worker_type.clone(),
        number_of_workers: j.number_of_workers,
        security_configuration: j.security_configuration.clone(),
        notification_property: j.notify_delay_after.map(|n| dto::NotificationProperty {
            notify_delay_after: Some(n),
        }),
        glue_version: j.glue_version.clone(),
        execution_class: j.execution_class.clone(),
        extra,
    }
}

/// The deprecated `AllocatedCapacity`: the whole DPUs of MaxCapacity (0 for
/// a Python shell job's fraction of one) unless it was given.
fn allocated_capacity(given: Option<i32>, max_capacity: Option<f64>) -> i32 {
    given.unwrap_or_else(|| max_capacity.map_or(0, |c| c.trunc() as i32))
}

pub fn job_run_out(r: &model::JobRun) -> dto::JobRun {
    dto::JobRun {
        id: r.id.clone(),
        attempt: r.attempt,
        previous_run_id: r.previous_run_id.clone(),
        trigger_name: r.trigger_name.clone(),
        job_name: r.job_name.clone(),
        started_on: r.started_on,
        last_modified_on: r.last_modified_on,
        completed_on: r.completed_on,
        job_run_state: r.state.as_str().to_owned(),
        arguments: r.arguments.clone(),
        error_message: r.error_message.clone(),
        predecessor_runs: Vec::new(),
        allocated_capacity: allocated_capacity(None, r.max_capacity),
        execution_time: r.execution_time,
        timeout: r.timeout,
        max_capacity: r.max_capacity,
        worker_type: r.worker_type.clone(),
        number_of_workers: r.number_of_workers,
        security_configuration: r.security_configuration.clone(),
        log_group_name: r.log_group_name.clone(),
        notification_property: r.notify_delay_after.map(|n| dto::NotificationProperty {
            notify_delay_after: Some(n),
        }),
        glue_version: r.glue_version.clone(),
        execution_class: r.execution_class.clone(),
    }
}

pub fn job_bookmark_out(b: &model::JobBookmark) -> dto::JobBookmarkEntry {
    dto::JobBookmarkEntry {
        job_name: b.job_name.clone(),
        version: b.version,
        run: b.run,
        attempt: b.attempt,
        previous_run_id: b.previous_run_id.clone(),
        run_id: b.run_id.clone(),
        job_bookmark: b.job_bookmark.clone(),
    }
}

pub fn condition_in(c: dto::Condition) -> model::Condition {
    model::Condition {
        logical_operator: c.logical_operator,
        job_name: c.job_name,
        state: c.state,
        crawler_name: c.crawler_name,
        crawl_state: c.crawl_state,
    }
}

pub fn predicate_in(p: dto::Predicate) -> model::Predicate {
    model::Predicate {
        logical: p.logical,
        conditions: p.conditions.into_iter().map(condition_in).collect(),
    }
}

pub fn action_in(a: dto::Action) -> model::TriggerAction {
    model::TriggerAction {
        job_name: a.job_name,
        arguments: a.arguments.unwrap_or_default(),
        timeout: a.timeout,
        security_configuration: a.security_configuration,
        notify_delay_after: a.notification_property.and_then(|n| n.notify_delay_after),
        crawler_name: a.crawler_name,
    }
}

/// An input's batching condition; its required BatchSize checked.
pub fn batching_in(
    b: dto::EventBatchingCondition,
) -> Result<model::EventBatchingCondition, lakestack_aws_protocol::ServiceError> {
    Ok(model::EventBatchingCondition {
        batch_size: super::SPEC.required(b.batch_size, "eventBatchingCondition.batchSize")?,
        batch_window: b.batch_window,
    })
}

pub fn trigger_out(t: &model::Trigger) -> dto::Trigger {
    dto::Trigger {
        name: t.name.clone(),
        workflow_name: t.workflow_name.clone(),
        r#type: t.trigger_type.as_str().to_owned(),
        state: t.state.as_str().to_owned(),
        description: t.description.clone(),
        schedule: t.schedule.clone(),
        actions: t
            .actions
            .iter()
            .map(|a| dto::Action {
                job_name: a.job_name.clone(),
                arguments: (!a.arguments.is_empty()).then(|| a.arguments.clone()),
                timeout: a.timeout,
                security_configuration: a.security_configuration.clone(),
                notification_property: a.notify_delay_after.map(|n| dto::NotificationProperty {
                    notify_delay_after: Some(n),
                }),
                crawler_name: a.crawler_name.clone(),
            })
            .collect(),
        predicate: t.predicate.as_ref().map(|p| dto::Predicate {
            logical: p.logical.clone(),
            conditions: p
                .conditions
                .iter()
                .map(|c| dto::Condition {
                    logical_operator: c.logical_operator.clone(),
                    job_name: c.job_name.clone(),
                    state: c.state.clone(),
                    crawler_name: c.crawler_name.clone(),
                    crawl_state: c.crawl_state.clone(),
                })
                .collect(),
        }),
        event_batching_condition: t.event_batching_condition.map(|b| dto::EventBatchingCondition {
            batch_size: Some(b.batch_size),
            batch_window: b.batch_window,
        }),
    }
}

pub fn workflow_out(
    w: &model::Workflow,
    last_run: Option<dto::WorkflowRun>,
    graph: Option<dto::WorkflowGraph>,
) -> dto::Workflow {
    dto::Workflow {
        name: w.name.clone(),
        description: w.description.clone(),
        default_run_properties: w.default_run_properties.clone(),
        created_on: w.created_on,
        last_modified_on: w.last_modified_on,
        last_run,
        graph,
        max_concurrent_runs: w.max_concurrent_runs,
    }
}

pub fn workflow_run_out(r: &model::WorkflowRun, graph: Option<dto::WorkflowGraph>) -> dto::WorkflowRun {
    let s = r.statistics();
    dto::WorkflowRun {
        name: r.workflow_name.clone(),
        workflow_run_id: r.id.clone(),
        previous_run_id: r.previous_run_id.clone(),
        workflow_run_properties: r.properties.clone(),
        started_on: r.started_on,
        completed_on: r.completed_on,
        status: r.status.as_str().to_owned(),
        error_message: r.error_message.clone(),
        statistics: dto::WorkflowRunStatistics {
            total_actions: s.total_actions,
            timeout_actions: s.timeout_actions,
            failed_actions: s.failed_actions,
            stopped_actions: s.stopped_actions,
            succeeded_actions: s.succeeded_actions,
            running_actions: s.running_actions,
            errored_actions: s.errored_actions,
            waiting_actions: s.waiting_actions,
        },
        graph,
        starting_event_batch_condition: r.starting_event_batch.map(|b| dto::EventBatchingCondition {
            batch_size: b.batch_size,
            batch_window: b.batch_window,
        }),
    }
}

pub fn graph_out(g: &crate::WorkflowGraph) -> dto::WorkflowGraph {
    dto::WorkflowGraph {
        nodes: g
            .nodes
            .iter()
            .map(|n| dto::Node {
                r#type: n.node_type.as_str().to_owned(),
                name: n.name.clone(),
                unique_id: n.unique_id.clone(),
                trigger_details: n.trigger.as_ref().map(|t| dto::TriggerNodeDetails {
                    trigger: trigger_out(t),
                }),
                job_details: n.job_runs.as_ref().map(|runs| dto::JobNodeDetails {
                    job_runs: runs.iter().map(job_run_out).collect(),
                }),
                crawler_details: n.crawls.as_ref().map(|crawls| dto::CrawlerNodeDetails {
                    crawls: crawls
                        .iter()
                        .map(|k| dto::Crawl {
                            state: k.crawl_state().to_owned(),
                            started_on: k.start_time,
                            completed_on: k.end_time,
                            error_message: k.error_message.clone(),
                            log_group: "/aws-glue/crawlers".into(),
                            log_stream: n.name.clone(),
                        })
                        .collect(),
                }),
            })
            .collect(),
        edges: g
            .edges
            .iter()
            .map(|(from, to)| dto::Edge {
                source_id: from.clone(),
                destination_id: to.clone(),
            })
            .collect(),
    }
}
