//! Athena for lakestack: the Athena API ([`AthenaService`]) over a query
//! engine ([`QueryEngine`]) that runs every statement for real on Apache
//! DataFusion, in-process. Tables and partitions come from the Glue catalog's
//! Rust API; objects are read through an `object_store::ObjectStore` whose
//! paths are `bucket/key`, so no HTTP hop. Results are written where Athena
//! writes them: `<OutputLocation>/<QueryExecutionId>.csv`, streamed.

mod api;
pub mod counting;
mod ddl;
mod engine;
pub mod error;
mod errors;
mod execution;
mod explain;
mod naming;
mod projection;
mod provider;
mod render;
mod resources;
mod result_metadata;
mod sandbox;
mod table;
pub mod trino;
mod types;
mod views;
mod writes;

/// The DataFusion this crate runs on, for programs that compare against it.
pub use datafusion;

pub use api::{AthenaOp, AthenaService, SPEC as ATHENA_SPEC};
pub use counting::{CountingStore, ScanCounts};
pub use engine::{QueryEngine, ResultPage, StartRequest};
pub use error::{QueryError, Result};
pub use execution::{AthenaError, Execution, QueryEvent, ResultColumn};
pub use resources::{NamedQuery, PreparedStatement, WorkGroup};
pub use sandbox::QueryLimits;

/// Parser entry points for the fuzz targets in `fuzz/`; not an API.
#[doc(hidden)]
pub mod fuzzing {
    pub use crate::ddl::parse::{parse as parse_ddl, parse_ctas, parse_insert, parse_unload, parse_view};
    pub use crate::explain::options as explain_options;
    pub use crate::trino::fuzz_json_path as json_path;
    pub use crate::types::arrow_type;
}
