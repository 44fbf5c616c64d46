//! A function as lakestack keeps it: one record per version (`$LATEST` and
//! each published one), stored as JSON in the service's SQLite file.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The unpublished version every function has.
pub const LATEST: &str = "$LATEST";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Function {
    pub name: String,
    /// `$LATEST` or a published version's number.
    pub version: String,
    pub runtime: String,
    pub role: String,
    pub handler: String,
    pub description: String,
    /// Seconds, 1..=900.
    pub timeout: u32,
    /// MB, 128..=10240.
    pub memory_size: u32,
    pub environment: Map<String, Value>,
    pub layers: Vec<LayerRef>,
    pub code: Code,
    pub architectures: Vec<String>,
    pub ephemeral_storage: u32,
    /// `2024-01-01T00:00:00.000+0000`, as Lambda writes it.
    pub last_modified: String,
    pub revision_id: String,
    pub dead_letter_target: Option<String>,
    pub log_group: String,
    pub log_format: String,
    /// Members stored and answered as sent, with no behaviour behind them
    /// here (VpcConfig, TracingConfig, KMSKeyArn, SnapStart, ...).
    pub stored: Map<String, Value>,
}

/// A deployment package: its zip lives under `code/<key>.zip`, named by its
/// SHA-256, so identical uploads share one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Code {
    /// Hex SHA-256: the file's name.
    pub key: String,
    /// Base64 SHA-256, as `CodeSha256` carries it.
    pub sha256: String,
    pub size: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerRef {
    pub arn: String,
    pub code: Code,
}

/// A published layer version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayerVersion {
    pub name: String,
    pub version: u64,
    pub description: String,
    pub created: String,
    pub compatible_runtimes: Vec<String>,
    pub compatible_architectures: Vec<String>,
    pub license_info: Option<String>,
    pub code: Code,
}

/// An alias: a name for a version, with an optional weighted second one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alias {
    pub function: String,
    pub name: String,
    pub version: String,
    pub description: String,
    /// Version → weight (0..1) of AWS's RoutingConfig.
    pub additional_weights: Map<String, Value>,
    pub revision_id: String,
}

/// What happens to asynchronous invocations of a function (or one of its
/// qualifiers): PutFunctionEventInvokeConfig.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventInvokeConfig {
    pub maximum_retry_attempts: u32,
    pub maximum_event_age_seconds: u32,
    pub on_success: Option<String>,
    pub on_failure: Option<String>,
    pub last_modified: f64,
}

impl Default for EventInvokeConfig {
    fn default() -> Self {
        Self {
            maximum_retry_attempts: 2,
            maximum_event_age_seconds: 21_600,
            on_success: None,
            on_failure: None,
            last_modified: 0.0,
        }
    }
}
