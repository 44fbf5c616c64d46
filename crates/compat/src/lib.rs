//! What several lakestack services reproduce alike, in one place: the AWS services behind them
//! share their Java runtime and their wire conventions, so Step Functions, Athena (Trino), Glue
//! and S3 print doubles, count days and percent-code text the same way.
//!
//! - [`java_double`]: Java's `Double.toString` and `Float.toString`.
//! - [`civil`]: proleptic Gregorian dates as days since 1970-01-01.
//! - [`percent`]: `%XX` decoding and form encoding.
//! - [`cron`]: AWS's six-field `cron(...)` schedules (Glue, EventBridge) and their next fire time.
//!
//! This crate depends on no other lakestack crate, so that every one of them may use it.

pub mod civil;
pub mod cron;
pub mod java_double;
pub mod percent;
