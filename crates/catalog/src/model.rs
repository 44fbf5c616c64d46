//! The catalog's domain types: databases, tables, partitions, crawlers,
//! classifiers, jobs and job runs, triggers, workflows and their runs as the
//! catalog keeps them.
//!
//! They follow Glue's data model field for field, but they are not the wire
//! shapes: the API edge converts (api/convert.rs). The serde derive here is
//! the persisted form inside SQLite (snake_case JSON, see `store.rs`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub type Parameters = BTreeMap<String, String>;

/// Milliseconds since the Unix epoch.
pub type Millis = i64;

pub fn now_millis() -> Millis {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Database {
    pub name: String,
    pub description: Option<String>,
    pub location_uri: Option<String>,
    pub parameters: Parameters,
    pub create_time: Millis,
    /// Fields of Glue's `DatabaseInput` we keep but do not interpret
    /// (`CreateTableDefaultPermissions`, `TargetDatabase`, `FederatedDatabase`).
    pub opaque: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Column {
    pub name: String,
    pub r#type: Option<String>,
    pub comment: Option<String>,
    pub parameters: Parameters,
}

impl Column {
    pub fn new(name: impl Into<String>, ty: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            r#type: Some(ty.into()),
            ..Self::default()
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SerDeInfo {
    pub name: Option<String>,
    pub serialization_library: Option<String>,
    pub parameters: Parameters,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SortOrder {
    pub column: String,
    pub sort_order: i32,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StorageDescriptor {
    pub columns: Vec<Column>,
    pub location: Option<String>,
    pub additional_locations: Vec<String>,
    pub input_format: Option<String>,
    pub output_format: Option<String>,
    pub compressed: bool,
    pub number_of_buckets: i32,
    pub serde_info: Option<SerDeInfo>,
    pub bucket_columns: Vec<String>,
    pub sort_columns: Vec<SortOrder>,
    pub parameters: Parameters,
    pub stored_as_sub_directories: bool,
    /// `SkewedInfo` and `SchemaReference`, kept as given.
    pub opaque: BTreeMap<String, serde_json::Value>,
}

impl StorageDescriptor {
    /// The SerDe class, lower-cased, or "" when there is none.
    pub fn serde_library(&self) -> String {
        self.serde_info
            .as_ref()
            .and_then(|s| s.serialization_library.as_deref())
            .unwrap_or_default()
            .to_lowercase()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Table {
    pub name: String,
    pub database_name: String,
    pub description: Option<String>,
    pub owner: Option<String>,
    pub create_time: Millis,
    pub update_time: Millis,
    pub last_access_time: Option<Millis>,
    pub last_analyzed_time: Option<Millis>,
    pub retention: i32,
    pub storage_descriptor: Option<StorageDescriptor>,
    pub partition_keys: Vec<Column>,
    pub view_original_text: Option<String>,
    pub view_expanded_text: Option<String>,
    pub table_type: Option<String>,
    pub parameters: Parameters,
    pub created_by: Option<String>,
    /// Glue's table version: "0" at creation, +1 per archived update.
    pub version_id: i64,
    /// `TargetTable`, `ViewDefinition` and other inputs kept as given.
    pub opaque: BTreeMap<String, serde_json::Value>,
}

impl Table {
    pub fn location(&self) -> Option<&str> {
        self.storage_descriptor.as_ref()?.location.as_deref()
    }

    /// Partition keys as (name, type) pairs, the form partition predicates bind to.
    pub fn key_types(&self) -> Vec<(String, String)> {
        self.partition_keys
            .iter()
            .map(|c| (c.name.clone(), c.r#type.clone().unwrap_or_else(|| "string".into())))
            .collect()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Partition {
    pub values: Vec<String>,
    pub database_name: String,
    pub table_name: String,
    pub create_time: Millis,
    pub last_access_time: Option<Millis>,
    pub last_analyzed_time: Option<Millis>,
    pub storage_descriptor: Option<StorageDescriptor>,
    pub parameters: Parameters,
}

/// A custom classifier a crawler can name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Classifier {
    Csv(CsvClassifier),
    Json(JsonClassifier),
}

impl Classifier {
    pub fn name(&self) -> &str {
        match self {
            Self::Csv(c) => &c.name,
            Self::Json(j) => &j.name,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CsvClassifier {
    pub name: String,
    pub delimiter: Option<String>,
    pub quote_symbol: Option<String>,
    /// PRESENT, ABSENT or UNKNOWN.
    pub contains_header: Option<String>,
    pub header: Vec<String>,
    pub disable_value_trimming: bool,
    pub allow_single_column: bool,
    pub custom_datatype_configured: bool,
    pub custom_datatypes: Vec<String>,
    pub serde: Option<String>,
    pub creation_time: Millis,
    pub last_updated: Millis,
    pub version: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct JsonClassifier {
    pub name: String,
    pub json_path: String,
    pub creation_time: Millis,
    pub last_updated: Millis,
    pub version: i64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum CrawlerState {
    #[default]
    Ready,
    Running,
    Stopping,
}

impl CrawlerState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ready => "READY",
            Self::Running => "RUNNING",
            Self::Stopping => "STOPPING",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct S3Target {
    pub path: String,
    pub exclusions: Vec<String>,
    pub sample_size: Option<i32>,
    pub connection_name: Option<String>,
    pub event_queue_arn: Option<String>,
    pub dlq_event_queue_arn: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SchemaChangePolicy {
    /// UPDATE_IN_DATABASE or LOG.
    pub update_behavior: String,
    /// DEPRECATE_IN_DATABASE, DELETE_FROM_DATABASE or LOG.
    pub delete_behavior: String,
}

impl Default for SchemaChangePolicy {
    fn default() -> Self {
        Self {
            update_behavior: "UPDATE_IN_DATABASE".into(),
            delete_behavior: "DEPRECATE_IN_DATABASE".into(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LastCrawl {
    /// SUCCEEDED, CANCELLED or FAILED.
    pub status: String,
    pub error_message: Option<String>,
    pub log_group: String,
    pub log_stream: String,
    pub message_prefix: String,
    pub start_time: Millis,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CrawlerSchedule {
    pub expression: String,
    /// SCHEDULED or NOT_SCHEDULED.
    pub state: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Crawler {
    pub name: String,
    pub role: String,
    pub database_name: Option<String>,
    pub description: Option<String>,
    pub s3_targets: Vec<S3Target>,
    /// Targets of other kinds (JDBC, DynamoDB, catalog, Delta, Iceberg...), kept as given.
    pub other_targets: BTreeMap<String, serde_json::Value>,
    pub schedule: Option<CrawlerSchedule>,
    pub classifiers: Vec<String>,
    pub table_prefix: Option<String>,
    pub schema_change_policy: SchemaChangePolicy,
    /// CRAWL_EVERYTHING, CRAWL_NEW_FOLDERS_ONLY or CRAWL_EVENT_MODE.
    pub recrawl_behavior: String,
    pub lineage_settings: Option<String>,
    pub configuration: Option<String>,
    pub security_configuration: Option<String>,
    pub opaque: BTreeMap<String, serde_json::Value>,
    pub state: CrawlerState,
    pub creation_time: Millis,
    pub last_updated: Millis,
    pub last_crawl: Option<LastCrawl>,
    pub crawl_elapsed_ms: i64,
    pub version: i64,
}

/// One run of a crawler, as ListCrawls reports it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Crawl {
    pub crawl_id: String,
    /// RUNNING, COMPLETED, FAILED or STOPPED.
    pub state: String,
    pub start_time: Millis,
    pub end_time: Option<Millis>,
    pub error_message: Option<String>,
    pub summary: CrawlSummary,
    /// What the crawl would have written to its CloudWatch log stream.
    pub log: Vec<String>,
    /// The trigger that started the crawl, if one did (only such crawls
    /// fire the conditional triggers watching their crawler).
    pub trigger_name: Option<String>,
    /// The workflow run the crawl belongs to, if any.
    pub workflow_name: Option<String>,
    pub workflow_run_id: Option<String>,
}

impl Crawl {
    /// The crawl's state as triggers and workflow graphs name it
    /// (`CrawlState`): SUCCEEDED, FAILED, CANCELLED or RUNNING.
    pub fn crawl_state(&self) -> &str {
        match self.state.as_str() {
            "COMPLETED" => "SUCCEEDED",
            "STOPPED" => "CANCELLED",
            other => other,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CrawlSummary {
    pub tables_created: u64,
    pub tables_updated: u64,
    pub tables_deleted: u64,
    pub partitions_created: u64,
    pub partitions_updated: u64,
    pub partitions_deleted: u64,
    pub files_scanned: u64,
    pub files_skipped: u64,
}

/// The kinds of job Glue runs (`Command.Name`).
pub const JOB_COMMANDS: [&str; 4] = ["glueetl", "pythonshell", "gluestreaming", "glueray"];

/// What a job runs: its kind and its script.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct JobCommand {
    /// glueetl, pythonshell, gluestreaming or glueray.
    pub name: String,
    /// `s3://bucket/key` of the script.
    pub script_location: Option<String>,
    pub python_version: Option<String>,
    pub runtime: Option<String>,
}

/// A job definition, as CreateJob and UpdateJob leave it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Job {
    pub name: String,
    pub description: Option<String>,
    pub log_uri: Option<String>,
    pub role: String,
    pub command: JobCommand,
    /// `ExecutionProperty.MaxConcurrentRuns`; Glue's default is 1.
    pub max_concurrent_runs: Option<i32>,
    pub default_arguments: Parameters,
    pub non_overridable_arguments: Parameters,
    pub connections: Vec<String>,
    pub max_retries: i32,
    pub allocated_capacity: Option<i32>,
    /// Minutes.
    pub timeout: Option<i32>,
    pub max_capacity: Option<f64>,
    pub worker_type: Option<String>,
    pub number_of_workers: Option<i32>,
    pub security_configuration: Option<String>,
    /// `NotificationProperty.NotifyDelayAfter`, minutes.
    pub notify_delay_after: Option<i32>,
    pub glue_version: Option<String>,
    pub execution_class: Option<String>,
    /// `JobMode`, `CodeGenConfigurationNodes`, `SourceControlDetails`,
    /// `MaintenanceWindow` and other inputs kept as given.
    pub opaque: BTreeMap<String, serde_json::Value>,
    pub created_on: Millis,
    pub last_modified_on: Millis,
}

impl Job {
    /// Glue's default timeout, in minutes, for jobs that do not set one:
    /// 2,880 (48 hours) for batch jobs, none for streaming ones.
    pub const DEFAULT_TIMEOUT_MINUTES: i32 = 2880;

    pub fn max_concurrent_runs(&self) -> i32 {
        self.max_concurrent_runs.unwrap_or(1)
    }

    pub fn is_python_shell(&self) -> bool {
        self.command.name == "pythonshell"
    }

    /// Whether Glue keeps job bookmarks for this kind of job (Spark jobs only).
    pub fn has_bookmarks(&self) -> bool {
        matches!(self.command.name.as_str(), "glueetl" | "gluestreaming")
    }

    /// The timeout a run gets when StartJobRun sets none, in minutes.
    pub fn effective_timeout(&self) -> Option<i32> {
        let default = match self.command.name.as_str() {
            "gluestreaming" | "glueray" => None,
            _ => Some(Self::DEFAULT_TIMEOUT_MINUTES),
        };
        self.timeout.or(default)
    }

    /// The DPUs a run gets when neither it nor the job says: 0.0625 for a
    /// Python shell job, 10 for a Spark job without workers.
    pub fn effective_max_capacity(&self) -> Option<f64> {
        if self.max_capacity.is_some() || self.worker_type.is_some() {
            return self.max_capacity;
        }
        match self.command.name.as_str() {
            "pythonshell" => Some(0.0625),
            "glueetl" | "gluestreaming" => Some(10.0),
            _ => None,
        }
    }
}

/// Where a job run is in its life, as Glue names it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum JobRunState {
    #[default]
    Starting,
    Running,
    Stopping,
    Stopped,
    Succeeded,
    Failed,
    Timeout,
}

impl JobRunState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Starting => "STARTING",
            Self::Running => "RUNNING",
            Self::Stopping => "STOPPING",
            Self::Stopped => "STOPPED",
            Self::Succeeded => "SUCCEEDED",
            Self::Failed => "FAILED",
            Self::Timeout => "TIMEOUT",
        }
    }

    /// A run in this state will not change again.
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Stopped | Self::Succeeded | Self::Failed | Self::Timeout)
    }
}

impl std::fmt::Display for JobRunState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One run of a job.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct JobRun {
    pub id: String,
    pub job_name: String,
    /// 0 for the first try, +1 for each retry Glue starts after a failure.
    pub attempt: i32,
    pub previous_run_id: Option<String>,
    pub trigger_name: Option<String>,
    pub state: JobRunState,
    /// The run's own arguments, as StartJobRun gave them.
    pub arguments: Parameters,
    pub error_message: Option<String>,
    pub started_on: Millis,
    pub last_modified_on: Millis,
    pub completed_on: Option<Millis>,
    /// Seconds the run consumed resources.
    pub execution_time: i64,
    /// Minutes.
    pub timeout: Option<i32>,
    pub max_capacity: Option<f64>,
    pub worker_type: Option<String>,
    pub number_of_workers: Option<i32>,
    pub security_configuration: Option<String>,
    pub notify_delay_after: Option<i32>,
    pub glue_version: Option<String>,
    pub execution_class: Option<String>,
    pub log_group_name: Option<String>,
    /// The workflow run the job run belongs to, if any: its script gets
    /// `--WORKFLOW_NAME` and `--WORKFLOW_RUN_ID`, as Glue passes them.
    pub workflow_name: Option<String>,
    pub workflow_run_id: Option<String>,
}

/// The bookmark Glue keeps for a Spark job.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct JobBookmark {
    pub job_name: String,
    pub version: i32,
    pub run: i32,
    pub attempt: i32,
    pub previous_run_id: Option<String>,
    pub run_id: Option<String>,
    /// The bookmark's state, JSON text.
    pub job_bookmark: String,
}

/// How a trigger fires (`Type`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TriggerType {
    /// On a `cron(...)` schedule.
    Scheduled,
    /// When the jobs and crawlers it watches end as its predicate asks.
    Conditional,
    /// When StartTrigger (or StartWorkflowRun) fires it.
    #[default]
    OnDemand,
    /// When EventBridge events reach its workflow (in batches).
    Event,
}

impl TriggerType {
    pub const NAMES: [&'static str; 4] = ["SCHEDULED", "CONDITIONAL", "ON_DEMAND", "EVENT"];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Scheduled => "SCHEDULED",
            Self::Conditional => "CONDITIONAL",
            Self::OnDemand => "ON_DEMAND",
            Self::Event => "EVENT",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "SCHEDULED" => Some(Self::Scheduled),
            "CONDITIONAL" => Some(Self::Conditional),
            "ON_DEMAND" => Some(Self::OnDemand),
            "EVENT" => Some(Self::Event),
            _ => None,
        }
    }

    /// A trigger of this kind starts its workflow's runs (a workflow has one);
    /// conditional triggers fire within a run.
    pub fn starts_workflow(self) -> bool {
        self != Self::Conditional
    }
}

/// Where a trigger is in its life. Glue also names transitional states
/// (CREATING, ACTIVATING...) that lakestack passes through at once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TriggerState {
    #[default]
    Created,
    Activated,
    Deactivated,
}

impl TriggerState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "CREATED",
            Self::Activated => "ACTIVATED",
            Self::Deactivated => "DEACTIVATED",
        }
    }
}

/// One condition of a predicate: a job whose run, or a crawler whose crawl,
/// ends in a state.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Condition {
    /// EQUALS, the only operator Glue has.
    pub logical_operator: Option<String>,
    pub job_name: Option<String>,
    /// The job run state watched; Glue listens for SUCCEEDED, STOPPED, FAILED and TIMEOUT.
    pub state: Option<String>,
    pub crawler_name: Option<String>,
    /// The crawl state watched; Glue listens for SUCCEEDED, FAILED and CANCELLED.
    pub crawl_state: Option<String>,
}

impl Condition {
    /// The job or crawler watched.
    pub fn watched(&self) -> Option<(NodeType, &str)> {
        match (&self.job_name, &self.crawler_name) {
            (Some(j), _) => Some((NodeType::Job, j)),
            (None, Some(c)) => Some((NodeType::Crawler, c)),
            (None, None) => None,
        }
    }

    /// The state that satisfies the condition.
    pub fn wanted(&self) -> Option<&str> {
        if self.job_name.is_some() {
            self.state.as_deref()
        } else {
            self.crawl_state.as_deref()
        }
    }
}

/// When a conditional trigger fires: all (`AND`) or any (`ANY`) of its conditions.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Predicate {
    /// AND or ANY; optional with one condition, when AND is meant.
    pub logical: Option<String>,
    pub conditions: Vec<Condition>,
}

impl Predicate {
    pub fn is_any(&self) -> bool {
        self.logical.as_deref() == Some("ANY")
    }

    /// Whether a condition watches this job or crawler.
    pub fn watches(&self, kind: NodeType, name: &str) -> bool {
        self.conditions.iter().any(|c| c.watched() == Some((kind, name)))
    }
}

/// What a trigger starts when it fires: a job run (with its own arguments
/// and settings) or a crawl.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TriggerAction {
    pub job_name: Option<String>,
    pub arguments: Parameters,
    /// Minutes.
    pub timeout: Option<i32>,
    pub security_configuration: Option<String>,
    /// `NotificationProperty.NotifyDelayAfter`, minutes.
    pub notify_delay_after: Option<i32>,
    pub crawler_name: Option<String>,
}

impl TriggerAction {
    /// The job or crawler started.
    pub fn target(&self) -> Option<(NodeType, &str)> {
        match (&self.job_name, &self.crawler_name) {
            (Some(j), _) => Some((NodeType::Job, j)),
            (None, Some(c)) => Some((NodeType::Crawler, c)),
            (None, None) => None,
        }
    }
}

/// How many EventBridge events an EVENT trigger waits for, and for how long
/// after the first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventBatchingCondition {
    /// 1 to 100.
    pub batch_size: i32,
    /// Seconds, 1 to 900; Glue's default is 900.
    pub batch_window: Option<i32>,
}

impl EventBatchingCondition {
    /// Glue's batch window when none is given: "the maximum length, 900 seconds".
    pub const DEFAULT_WINDOW_SECONDS: i32 = 900;

    pub fn window_seconds(&self) -> i32 {
        self.batch_window.unwrap_or(Self::DEFAULT_WINDOW_SECONDS)
    }
}

/// A trigger, as CreateTrigger and UpdateTrigger leave it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Trigger {
    pub name: String,
    pub workflow_name: Option<String>,
    pub trigger_type: TriggerType,
    pub state: TriggerState,
    pub description: Option<String>,
    /// `cron(...)`, for SCHEDULED triggers.
    pub schedule: Option<String>,
    pub actions: Vec<TriggerAction>,
    /// For CONDITIONAL triggers.
    pub predicate: Option<Predicate>,
    /// For EVENT triggers; without one a trigger fires on every event.
    pub event_batching_condition: Option<EventBatchingCondition>,
}

/// What a trigger keeps between firings: the events an EVENT trigger has
/// received towards its next batch, and the ends that last fired a
/// conditional trigger (so that the same ends never fire it twice).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TriggerProgress {
    pub events: Vec<String>,
    /// When the first of `events` arrived: the batch window runs from there.
    pub first_event_at: Option<Millis>,
    pub fired_for: Option<String>,
}

/// A workflow: a name its triggers (and through them its jobs and crawlers)
/// belong to, and what each of its runs starts with.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Workflow {
    pub name: String,
    pub description: Option<String>,
    /// Each run's properties before it sets any.
    pub default_run_properties: Parameters,
    /// None: no limit.
    pub max_concurrent_runs: Option<i32>,
    pub created_on: Millis,
    pub last_modified_on: Millis,
}

/// What a node of a workflow's graph stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum NodeType {
    Trigger,
    Job,
    Crawler,
}

impl NodeType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Trigger => "TRIGGER",
            Self::Job => "JOB",
            Self::Crawler => "CRAWLER",
        }
    }
}

/// Where a workflow run is in its life, as Glue names it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum WorkflowRunStatus {
    #[default]
    Running,
    Completed,
    Stopping,
    Stopped,
    Error,
}

impl WorkflowRunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "RUNNING",
            Self::Completed => "COMPLETED",
            Self::Stopping => "STOPPING",
            Self::Stopped => "STOPPED",
            Self::Error => "ERROR",
        }
    }

    /// A run in this state may still start or end actions.
    pub fn is_live(self) -> bool {
        matches!(self, Self::Running | Self::Stopping)
    }
}

impl std::fmt::Display for WorkflowRunStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One job run or crawl a workflow run started (an "action").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RunAction {
    pub kind: NodeType,
    pub name: String,
    /// The trigger that started it.
    pub trigger: String,
    /// The job run's ids, one per attempt, or the crawl's id; none before it
    /// starts, or when it could not.
    pub ids: Vec<String>,
    /// A job run state for a job, a crawl state (RUNNING, SUCCEEDED, FAILED,
    /// CANCELLED) for a crawler; WAITING until it starts, ERROR if it could not.
    pub state: String,
    pub error_message: Option<String>,
    /// Copied from the run this one resumed: shown in the graph, not run again.
    pub copied: bool,
}

impl Default for RunAction {
    fn default() -> Self {
        Self {
            kind: NodeType::Job,
            name: String::new(),
            trigger: String::new(),
            ids: Vec::new(),
            state: RunAction::WAITING.into(),
            error_message: None,
            copied: false,
        }
    }
}

impl RunAction {
    pub const WAITING: &'static str = "WAITING";
    pub const ERROR: &'static str = "ERROR";

    /// Not over yet: waiting to start, or under way.
    pub fn is_live(&self) -> bool {
        !matches!(
            self.state.as_str(),
            "SUCCEEDED" | "FAILED" | "TIMEOUT" | "STOPPED" | "CANCELLED" | "ERROR" | "EXPIRED"
        )
    }
}

/// Which batch condition started a run: `batch_size` when that many events
/// arrived, `batch_window` (seconds) when the window ran out first.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct StartingEventBatch {
    pub batch_size: Option<i32>,
    pub batch_window: Option<i32>,
}

/// One run of a workflow.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WorkflowRun {
    pub workflow_name: String,
    pub id: String,
    /// The run this one resumed.
    pub previous_run_id: Option<String>,
    /// The run's properties: the workflow's defaults, those StartWorkflowRun
    /// gave, and those its jobs put since.
    pub properties: Parameters,
    pub started_on: Millis,
    pub completed_on: Option<Millis>,
    pub status: WorkflowRunStatus,
    pub error_message: Option<String>,
    pub starting_event_batch: Option<StartingEventBatch>,
    /// The workflow's triggers when the run started: "AWS Glue takes a
    /// snapshot of the workflow design graph", and changes to triggers
    /// affect later runs only.
    pub triggers: Vec<Trigger>,
    /// Triggers of the snapshot that fired in this run (each fires once).
    pub fired: Vec<String>,
    pub actions: Vec<RunAction>,
}

impl WorkflowRun {
    /// Whether an action of this run has not ended yet.
    pub fn has_live_actions(&self) -> bool {
        self.actions.iter().any(|a| !a.copied && a.is_live())
    }
}

/// How a workflow run's actions stand (`Statistics`). Actions copied from
/// the run a resumed run continues are not counted: they did not run in it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WorkflowRunStatistics {
    pub total_actions: i32,
    pub timeout_actions: i32,
    pub failed_actions: i32,
    pub stopped_actions: i32,
    pub succeeded_actions: i32,
    pub running_actions: i32,
    pub errored_actions: i32,
    pub waiting_actions: i32,
}

impl WorkflowRun {
    pub fn statistics(&self) -> WorkflowRunStatistics {
        let mut s = WorkflowRunStatistics::default();
        for a in self.actions.iter().filter(|a| !a.copied) {
            s.total_actions += 1;
            let bucket = match a.state.as_str() {
                "SUCCEEDED" => &mut s.succeeded_actions,
                "FAILED" => &mut s.failed_actions,
                "TIMEOUT" => &mut s.timeout_actions,
                "STOPPED" | "CANCELLED" => &mut s.stopped_actions,
                RunAction::ERROR => &mut s.errored_actions,
                RunAction::WAITING => &mut s.waiting_actions,
                _ => &mut s.running_actions,
            };
            *bucket += 1;
        }
        s
    }
}
