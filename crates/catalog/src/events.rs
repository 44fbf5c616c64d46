//! What the catalog announces on its in-process bus ([`CatalogEvent`]), and
//! how an announcement reads as the EventBridge event AWS Glue sends for it
//! ([`CatalogEvent::eventbridge`]), so the process's event bus can forward
//! them as AWS would.
//!
//! AWS's rules, which the catalog applies when it announces:
//! - "Glue Data Catalog Database State Change" for CreateDatabase,
//!   DeleteDatabase, CreateTable, DeleteTable and BatchDeleteTable, its
//!   `typeOfChange` the operation's name, `changedTables` up to 100 names per
//!   event (more make several events);
//! - "Glue Data Catalog Table State Change" for UpdateTable, CreatePartition,
//!   BatchCreatePartition, UpdatePartition, DeletePartition,
//!   BatchUpdatePartition and BatchDeletePartition, `changedPartitions` up to
//!   100 per event, each written as Java prints a list (`[2024, 01]`);
//! - "Glue Job State Change" for SUCCEEDED, FAILED, TIMEOUT and STOPPED runs
//!   only; the catalog announces every state a run passes through (Step
//!   Functions' `.sync` waits on them), and [`CatalogEvent::eventbridge`]
//!   answers `None` for the others;
//! - no event for workflow runs: the catalog announces their states for the
//!   process's own use ([`CatalogEvent::WorkflowRunStateChanged`]).

use serde_json::{Value, json};

use crate::model::{JobRunState, WorkflowRunStatus};

/// At most this many tables or partitions are named by one event; AWS sends
/// several events for larger changes.
pub const MAX_CHANGED_PER_EVENT: usize = 100;

/// What the catalog announces on the in-process bus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CatalogEvent {
    /// A crawler changed state (`RUNNING`, `STOPPING`, `READY`); `outcome` is
    /// the last crawl's status once it is back to `READY`.
    CrawlerStateChanged {
        crawler: String,
        state: &'static str,
        outcome: Option<String>,
    },
    /// A job run changed state; every state is announced, final or not.
    JobRunStateChanged {
        job_name: String,
        run_id: String,
        state: JobRunState,
        /// `INFO`, `WARN` (a timeout) or `ERROR` (a failure), as the event's `severity`.
        severity: &'static str,
        /// The event's `message`: "Job run succeeded", the run's ErrorMessage...
        message: String,
        attempt: i32,
        previous_run_id: Option<String>,
    },
    /// A workflow run changed status: RUNNING when it starts (or ERROR when
    /// it could not), STOPPING, then COMPLETED or STOPPED.
    WorkflowRunStateChanged {
        workflow_name: String,
        run_id: String,
        status: WorkflowRunStatus,
    },
    /// A database, or the set of its tables, changed.
    DatabaseStateChanged {
        /// The operation: CreateDatabase, DeleteDatabase, CreateTable, DeleteTable, BatchDeleteTable.
        type_of_change: &'static str,
        database_name: String,
        changed_tables: Vec<String>,
    },
    /// A table's definition or partitions changed.
    TableStateChanged {
        /// The operation: UpdateTable, CreatePartition, BatchCreatePartition,
        /// UpdatePartition, DeletePartition, BatchUpdatePartition, BatchDeletePartition.
        type_of_change: &'static str,
        database_name: String,
        table_name: String,
        /// The values of each partition changed.
        changed_partitions: Vec<Vec<String>>,
    },
}

/// An announcement as AWS's EventBridge event (`source` is `aws.glue`).
#[derive(Debug, Clone, PartialEq)]
pub struct GlueEvent {
    pub detail_type: &'static str,
    pub resources: Vec<String>,
    pub detail: Value,
}

/// A partition's values as Glue's events name it: the Java list's text.
pub fn partition_text(values: &[String]) -> String {
    format!("[{}]", values.join(", "))
}

/// The `severity` and `message` of a job run's state event: AWS's words for
/// the final states, the ErrorMessage of a failure.
pub fn job_run_severity(state: JobRunState, error_message: Option<&str>) -> (&'static str, String) {
    match state {
        JobRunState::Succeeded => ("INFO", "Job run succeeded".into()),
        JobRunState::Failed => ("ERROR", error_message.unwrap_or("Job run failed").to_owned()),
        JobRunState::Timeout => ("WARN", "Job run timed out".into()),
        JobRunState::Stopped => ("INFO", "Job run stopped".into()),
        JobRunState::Starting => ("INFO", "Job run is starting".into()),
        JobRunState::Running => ("INFO", "Job run is running".into()),
        JobRunState::Stopping => ("INFO", "Job run is stopping".into()),
    }
}

impl CatalogEvent {
    /// The EventBridge event AWS sends for this announcement, with the ARNs
    /// `arn` makes from a resource (`table/db/t`); `None` where AWS sends none
    /// (crawlers are announced by the process's own rules, a job run's
    /// passing states are not sent, nor are workflow runs').
    pub fn eventbridge(&self, arn: impl Fn(&str) -> String) -> Option<GlueEvent> {
        match self {
            Self::CrawlerStateChanged { .. } | Self::WorkflowRunStateChanged { .. } => None,
            Self::JobRunStateChanged {
                job_name,
                run_id,
                state,
                severity,
                message,
                ..
            } => state.is_terminal().then(|| GlueEvent {
                detail_type: "Glue Job State Change",
                resources: Vec::new(),
                detail: json!({
                    "jobName": job_name,
                    "severity": severity,
                    "state": state.as_str(),
                    "jobRunId": run_id,
                    "message": message,
                }),
            }),
            Self::DatabaseStateChanged {
                type_of_change,
                database_name,
                changed_tables,
            } => {
                let resources = if changed_tables.is_empty() {
                    vec![arn(&format!("database/{database_name}"))]
                } else {
                    changed_tables
                        .iter()
                        .map(|t| arn(&format!("table/{database_name}/{t}")))
                        .collect()
                };
                let mut detail = json!({"databaseName": database_name, "typeOfChange": type_of_change});
                if !changed_tables.is_empty() {
                    detail["changedTables"] = json!(changed_tables);
                }
                Some(GlueEvent {
                    detail_type: "Glue Data Catalog Database State Change",
                    resources,
                    detail,
                })
            }
            Self::TableStateChanged {
                type_of_change,
                database_name,
                table_name,
                changed_partitions,
            } => {
                let mut detail = json!({
                    "databaseName": database_name,
                    "typeOfChange": type_of_change,
                    "tableName": table_name,
                });
                if !changed_partitions.is_empty() {
                    let texts: Vec<String> = changed_partitions.iter().map(|p| partition_text(p)).collect();
                    detail["changedPartitions"] = json!(texts);
                }
                Some(GlueEvent {
                    detail_type: "Glue Data Catalog Table State Change",
                    resources: vec![arn(&format!("table/{database_name}/{table_name}"))],
                    detail,
                })
            }
        }
    }
}

impl crate::Catalog {
    /// Announces a change to a database's tables, 100 tables an event.
    pub(crate) fn emit_database_change(&self, op: &'static str, database: &str, tables: Vec<String>) {
        if tables.is_empty() {
            if matches!(op, "CreateDatabase" | "DeleteDatabase") {
                self.emit(CatalogEvent::DatabaseStateChanged {
                    type_of_change: op,
                    database_name: database.to_owned(),
                    changed_tables: Vec::new(),
                });
            }
            return;
        }
        for chunk in tables.chunks(MAX_CHANGED_PER_EVENT) {
            self.emit(CatalogEvent::DatabaseStateChanged {
                type_of_change: op,
                database_name: database.to_owned(),
                changed_tables: chunk.to_vec(),
            });
        }
    }

    /// Announces a change to a table (UpdateTable names no partition) or to
    /// its partitions, 100 partitions an event; nothing if no partition changed.
    pub(crate) fn emit_table_change(
        &self,
        op: &'static str,
        database: &str,
        table: &str,
        partitions: Vec<Vec<String>>,
    ) {
        let event = |changed: Vec<Vec<String>>| CatalogEvent::TableStateChanged {
            type_of_change: op,
            database_name: database.to_owned(),
            table_name: table.to_owned(),
            changed_partitions: changed,
        };
        if op == "UpdateTable" {
            self.emit(event(Vec::new()));
            return;
        }
        for chunk in partitions.chunks(MAX_CHANGED_PER_EVENT) {
            self.emit(event(chunk.to_vec()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arn(r: &str) -> String {
        format!("arn:aws:glue:us-east-1:000000000000:{r}")
    }

    #[test]
    fn partitions_read_as_java_lists_and_passing_run_states_send_nothing() {
        let e = CatalogEvent::TableStateChanged {
            type_of_change: "BatchCreatePartition",
            database_name: "d1".into(),
            table_name: "t1".into(),
            changed_partitions: vec![vec!["C.pdf".into(), "dir3".into()]],
        };
        let got = e.eventbridge(arn).unwrap();
        assert_eq!(got.detail["changedPartitions"], json!(["[C.pdf, dir3]"]));
        assert_eq!(got.resources, vec![arn("table/d1/t1")]);
        let running = CatalogEvent::JobRunStateChanged {
            job_name: "j".into(),
            run_id: "jr_1".into(),
            state: JobRunState::Running,
            severity: "INFO",
            message: String::new(),
            attempt: 0,
            previous_run_id: None,
        };
        assert_eq!(running.eventbridge(arn), None);
    }

    /// The catalog's changes, each as (typeOfChange, table, names changed).
    fn changes(
        events: &mut tokio::sync::broadcast::Receiver<CatalogEvent>,
    ) -> Vec<(&'static str, String, Vec<String>)> {
        let mut out = Vec::new();
        while let Ok(e) = events.try_recv() {
            match e {
                CatalogEvent::DatabaseStateChanged {
                    type_of_change,
                    changed_tables,
                    ..
                } => out.push((type_of_change, String::new(), changed_tables)),
                CatalogEvent::TableStateChanged {
                    type_of_change,
                    table_name,
                    changed_partitions,
                    ..
                } => out.push((
                    type_of_change,
                    table_name,
                    changed_partitions.iter().map(|p| partition_text(p)).collect(),
                )),
                _ => {}
            }
        }
        out
    }

    #[test]
    fn catalog_operations_announce_what_they_changed() {
        use crate::model::{Column, Database, Partition, Table};
        let objects = std::sync::Arc::new(object_store::memory::InMemory::new());
        let c = crate::Catalog::in_memory(objects, crate::CatalogSettings::default()).unwrap();
        let mut events = c.subscribe();
        let part = |v: &str| Partition {
            values: vec![v.to_owned()],
            ..Partition::default()
        };
        c.create_database(Database {
            name: "Sales".into(),
            ..Database::default()
        })
        .unwrap();
        let table = |name: &str| Table {
            name: name.into(),
            partition_keys: vec![Column::new("day", "string")],
            ..Table::default()
        };
        c.create_table("sales", table("Orders")).unwrap();
        c.create_table("sales", table("t2")).unwrap();
        c.create_partition("sales", "orders", part("1")).unwrap();
        // The duplicate is an error entry, not a change.
        c.batch_create_partition("sales", "orders", vec![part("1"), part("2")])
            .unwrap();
        let many: Vec<_> = (0..150).map(|i| part(&format!("x{i}"))).collect();
        c.batch_create_partition("sales", "orders", many).unwrap();
        c.update_partition("sales", "orders", &["2".into()], part("3")).unwrap();
        c.delete_partition("sales", "orders", &["3".into()]).unwrap();
        c.batch_delete_partition("sales", "orders", &[vec!["1".into()], vec!["nope".into()]])
            .unwrap();
        c.update_table("sales", table("orders"), None, false).unwrap();
        c.batch_delete_table("sales", &["orders".into(), "nope".into(), "t2".into()])
            .unwrap();
        c.delete_database("sales").unwrap();
        let got = changes(&mut events);
        let summary: Vec<(&str, &str, usize)> = got.iter().map(|(op, t, n)| (*op, t.as_str(), n.len())).collect();
        assert_eq!(
            summary,
            [
                ("CreateDatabase", "", 0),
                ("CreateTable", "", 1),
                ("CreateTable", "", 1),
                ("CreatePartition", "orders", 1),
                ("BatchCreatePartition", "orders", 1),
                ("BatchCreatePartition", "orders", 100),
                ("BatchCreatePartition", "orders", 50),
                ("UpdatePartition", "orders", 1),
                ("DeletePartition", "orders", 1),
                ("BatchDeletePartition", "orders", 1),
                ("UpdateTable", "orders", 0),
                ("BatchDeleteTable", "", 2),
                ("DeleteDatabase", "", 0),
            ]
        );
        assert_eq!(got[1].2, ["orders"]);
        assert_eq!(got[4].2, ["[2]"]);
        assert_eq!(got[7].2, ["[2]"], "UpdatePartition names the partition it updated");
        assert_eq!(got[11].2, ["orders", "t2"]);
        let create = CatalogEvent::DatabaseStateChanged {
            type_of_change: "CreateTable",
            database_name: "sales".into(),
            changed_tables: vec!["orders".into()],
        };
        assert_eq!(
            create.eventbridge(arn).unwrap(),
            GlueEvent {
                detail_type: "Glue Data Catalog Database State Change",
                resources: vec![arn("table/sales/orders")],
                detail: json!({"databaseName": "sales", "typeOfChange": "CreateTable", "changedTables": ["orders"]}),
            }
        );
    }
}
