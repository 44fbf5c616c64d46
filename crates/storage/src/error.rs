use std::fmt;

/// Everything the storage engine can refuse or fail at, in domain words.
///
/// The S3 edge maps each variant to an AWS error code exactly once.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("bucket {0} does not exist")]
    NoSuchBucket(String),
    #[error("bucket {0} already exists")]
    BucketAlreadyExists(String),
    #[error("bucket {0} is not empty")]
    BucketNotEmpty(String),
    #[error("key {key} does not exist in bucket {bucket}")]
    NoSuchKey { bucket: String, key: String },
    #[error("version {version_id} of {key} does not exist")]
    NoSuchVersion { key: String, version_id: String },
    #[error("the requested version is a delete marker")]
    DeleteMarker {
        version_id: String,
        last_modified_ms: i64,
        is_latest: bool,
    },
    #[error("multipart upload {0} does not exist")]
    NoSuchUpload(String),
    #[error("part {0} was not uploaded or its ETag does not match")]
    InvalidPart(i32),
    #[error("the list of parts was not in ascending order")]
    InvalidPartOrder,
    #[error("part {part_number} is {size} bytes, smaller than the 5 MiB minimum for all parts but the last")]
    EntityTooSmall { part_number: i32, size: u64 },
    #[error("a precondition on the write did not hold")]
    PreconditionFailed,
    #[error("no configuration of kind {0}")]
    NoSuchConfig(ConfigKind),
    #[error("the body was shorter or longer than announced")]
    IncompleteBody,
    #[error("internal storage error: {0}")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

pub type Result<T, E = StorageError> = std::result::Result<T, E>;

impl From<rusqlite::Error> for StorageError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Internal(Box::new(e))
    }
}

impl From<std::io::Error> for StorageError {
    fn from(e: std::io::Error) -> Self {
        Self::Internal(Box::new(e))
    }
}

impl From<serde_json::Error> for StorageError {
    fn from(e: serde_json::Error) -> Self {
        Self::Internal(Box::new(e))
    }
}

/// Bucket sub-configurations that are stored as opaque documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigKind {
    Cors,
    Tagging,
    Notification,
    Policy,
    Lifecycle,
    Encryption,
}

impl ConfigKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Cors => "cors",
            Self::Tagging => "tagging",
            Self::Notification => "notification",
            Self::Policy => "policy",
            Self::Lifecycle => "lifecycle",
            Self::Encryption => "encryption",
        }
    }
}

impl fmt::Display for ConfigKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
