//! CloudWatch Logs for lakestack: log groups and streams, batches of
//! events kept in SQLite under AWS's rules, reads by stream with forward
//! and backward tokens, filters by group in AWS's filter pattern syntax
//! (`pattern`), retention on the server's clock, tags, and the API
//! (`api`). In-process writers (Lambda, crawlers, state machines) call
//! [`Logs::put`].

pub mod api;
pub mod error;
pub mod model;
pub mod names;
mod pattern;
pub mod service;
mod store;

pub use api::{LogsApi, SPEC as LOGS_SPEC};
pub use error::{LogsError, Result};
pub use lakestack_aws_protocol::Clock;
pub use pattern::{FilterPattern, PatternError};
pub use service::{Logs, Settings};

/// Parser entry points for the fuzz targets in `fuzz/`; not an API.
#[doc(hidden)]
pub mod fuzzing {
    pub use crate::pattern::FilterPattern;
}
