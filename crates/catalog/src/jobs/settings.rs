//! How the catalog runs job scripts: which Python, where, with what
//! environment, and where their output lines go.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

/// Where a job run's output lines go: CloudWatch Logs in the process (the
/// root implements it over its Logs service). Lines are `(epoch ms, text)`.
/// Called from a blocking thread, a chunk of lines at a time, in order.
pub trait JobLogs: Send + Sync {
    fn write(&self, group: &str, stream: &str, lines: Vec<(i64, String)>);
}

/// Output nobody keeps: the default, so a catalog needs no logs to run jobs.
#[derive(Debug, Default)]
pub struct NoJobLogs;

impl JobLogs for NoJobLogs {
    fn write(&self, _group: &str, _stream: &str, _lines: Vec<(i64, String)>) {}
}

/// What a job script's process gets.
#[derive(Debug, Clone)]
pub struct JobSettings {
    /// The interpreter that runs Python shell scripts.
    pub python: String,
    /// The server's endpoint, given to scripts as `AWS_ENDPOINT_URL` so that
    /// boto3 talks to lakestack; set once the server listens (it may not be
    /// known when the catalog opens). Unset: the variable is not given.
    pub endpoint: Arc<OnceLock<String>>,
    /// The credentials given to scripts (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`).
    pub access_key_id: String,
    pub secret_access_key: String,
    /// Where runs keep their script and working directory, and where the
    /// `awsglue` package is written; default `<catalog dir>/glue-jobs`
    /// (a temporary directory for an in-memory catalog).
    pub work_dir: Option<PathBuf>,
}

impl Default for JobSettings {
    fn default() -> Self {
        Self {
            python: "python3".into(),
            endpoint: Arc::new(OnceLock::new()),
            access_key_id: "test".into(),
            secret_access_key: "test".into(),
            work_dir: None,
        }
    }
}
