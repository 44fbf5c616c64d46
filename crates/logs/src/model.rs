//! The domain's records, apart from the wire shapes of `api`.

/// A log group as DescribeLogGroups reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct LogGroup {
    pub name: String,
    pub created_ms: i64,
    pub retention_days: Option<i64>,
    pub class: String,
    pub kms_key_id: Option<String>,
    pub stored_bytes: i64,
}

/// A log stream as DescribeLogStreams reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct LogStream {
    pub name: String,
    pub created_ms: i64,
    pub first_event_ms: Option<i64>,
    pub last_event_ms: Option<i64>,
    pub last_ingestion_ms: Option<i64>,
    /// How many batches were written: the stream's upload sequence token.
    pub uploads: i64,
    pub stored_bytes: i64,
}

/// One stored event. `id` orders events ingested at the same timestamp
/// and makes the event id unique.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub id: i64,
    pub stream: String,
    pub timestamp: i64,
    pub ingestion_ms: i64,
    pub message: String,
}

impl Event {
    pub fn position(&self) -> Position {
        Position {
            timestamp: self.timestamp,
            id: self.id,
        }
    }

    /// The 56-digit event id AWS writes, unique and stable per event.
    pub fn event_id(&self) -> String {
        format!("{:020}{:036}", self.timestamp, self.id)
    }
}

/// A place in a stream's or group's order of events (timestamp, then
/// ingestion): paging continues after or before one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub timestamp: i64,
    pub id: i64,
}

/// Which events of a group a FilterLogEvents call searches.
#[derive(Debug, Clone, Default)]
pub enum Streams {
    #[default]
    All,
    Named(Vec<String>),
    Prefix(String),
}

/// What PutLogEvents left out, as indexes into its batch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rejected {
    /// The first event too far in the future (inclusive).
    pub too_new_start: Option<usize>,
    /// The end of the events older than 14 days (exclusive).
    pub too_old_end: Option<usize>,
    /// The end of the events older than the group's retention (exclusive).
    pub expired_end: Option<usize>,
}

impl Rejected {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}
