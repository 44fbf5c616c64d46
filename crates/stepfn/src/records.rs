//! What the service keeps: state machines, executions and activities, as
//! the API describes them, in domain words (the wire shapes are in `api`).

use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StateMachine {
    pub arn: String,
    pub name: String,
    /// The definition exactly as given: DescribeStateMachine echoes it.
    pub definition: String,
    pub role_arn: String,
    /// STANDARD or EXPRESS.
    pub kind: String,
    pub created_ms: i64,
    pub updated_ms: Option<i64>,
    pub revision_id: String,
    pub description: Option<String>,
    pub logging_configuration: Value,
    pub tracing_configuration: Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Execution {
    pub arn: String,
    pub state_machine_arn: String,
    pub name: String,
    /// RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED or PENDING_REDRIVE.
    pub status: String,
    pub start_ms: i64,
    pub stop_ms: Option<i64>,
    pub input: String,
    pub output: Option<String>,
    pub error: Option<String>,
    pub cause: Option<String>,
    /// The state machine as it was when the execution started.
    pub definition: String,
    pub role_arn: String,
    pub kind: String,
    pub redrive_count: i64,
    pub redrive_ms: Option<i64>,
    /// The execution that started this one through `states:startExecution`.
    pub parent: Option<String>,
    /// The mock-config test case it runs (`<machine ARN>#<case>` at StartExecution).
    #[serde(default)]
    pub test_case: Option<String>,
}

impl StateMachine {
    /// A machine to create: the service fills in its ARN, dates and revision.
    pub fn new(name: &str, definition: &str, role_arn: &str, kind: &str) -> Self {
        Self {
            arn: String::new(),
            name: name.to_owned(),
            definition: definition.to_owned(),
            role_arn: role_arn.to_owned(),
            kind: kind.to_owned(),
            created_ms: 0,
            updated_ms: None,
            revision_id: String::new(),
            description: None,
            logging_configuration: Value::Null,
            tracing_configuration: Value::Null,
        }
    }
}

impl Execution {
    pub fn is_running(&self) -> bool {
        self.status == "RUNNING"
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    pub arn: String,
    pub name: String,
    pub created_ms: i64,
}

/// A distributed Map's run: DescribeMapRun and ListMapRuns answer it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MapRun {
    pub arn: String,
    pub execution_arn: String,
    /// The children's machine: `<machine ARN>/<label>`.
    pub state_machine_arn: String,
    /// RUNNING, SUCCEEDED, FAILED or ABORTED.
    pub status: String,
    pub start_ms: i64,
    pub stop_ms: Option<i64>,
    pub max_concurrency: u64,
    pub tolerated_failure_percentage: f64,
    pub tolerated_failure_count: u64,
    /// Child executions by state.
    pub counts: MapRunCounts,
    /// Items by state: a batch's items share its child's fate.
    #[serde(default)]
    pub item_counts: MapRunCounts,
}

/// Children, or items, by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MapRunCounts {
    pub pending: u64,
    pub running: u64,
    pub succeeded: u64,
    pub failed: u64,
    pub timed_out: u64,
    pub aborted: u64,
    pub total: u64,
    pub results_written: u64,
}
