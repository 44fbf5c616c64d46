//! Step Functions for lakestack: Amazon States Language parsed and
//! validated (`asl`), interpreted for real (`exec`) with the data flow of
//! `path`, `intrinsics` and `choice`, executions persisted in SQLite
//! (`store`), and the Step Functions API (`api`). Task states reach other
//! services only through the [`Integrations`] trait, which the root
//! package implements over S3, Glue and Athena in-process.

pub mod api;
pub mod asl;
mod choice;
pub mod error;
pub mod exec;
pub mod history;
pub mod integration;
mod intrinsics;
pub mod logging;
pub mod mock;
mod path;
mod query;
pub mod records;
pub mod service;
mod store;

pub use api::{SPEC as STATES_SPEC, StepFunctionsApi};
pub use error::{Result, StepFnError};
pub use exec::MAX_PAYLOAD_BYTES;
pub use integration::{Integrations, Pattern, Resource, TaskError};
pub use lakestack_aws_protocol::Clock;
pub use service::{ExecutionEvent, Settings, StepFunctions};

/// Parser entry points for the fuzz targets in `fuzz/`; not an API.
#[doc(hidden)]
pub mod fuzzing {
    pub use crate::intrinsics::{evaluate as evaluate_intrinsic, parse as parse_intrinsic};
    pub use crate::path::Path;
}
