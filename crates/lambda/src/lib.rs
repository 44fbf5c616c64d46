//! Lambda for lakestack: functions whose code really runs, as local
//! processes, with no container. lakestack serves the Lambda Runtime API
//! to each process ([`runtime`]), so any runtime that speaks it works: a
//! `provided.*` function's own `bootstrap`, and small runtime clients of
//! ours for `python3.x` and `nodejs*` run with the interpreters on the
//! machine. Packages are kept and extracted safely ([`code`]); functions,
//! versions, aliases and layers live in SQLite ([`store`]); invocations
//! write Lambda's log lines through the [`Host`] (CloudWatch Logs, in the
//! root package), and asynchronous ones are queued durably and retried
//! ([`asynq`]). The restJson1 API is [`api`].

pub mod api;
pub mod asynq;
pub mod code;
pub mod error;
pub mod functions;
pub mod host;
pub mod invoke;
pub mod logs;
pub mod mappings;
pub mod model;
pub mod runtime;
pub mod service;
mod store;

pub use api::{LambdaApi, SPEC as LAMBDA_SPEC};
pub use error::{LambdaError, Result};
pub use host::{Credentials, Host};
pub use service::{Invoked, Lambda, Settings};
