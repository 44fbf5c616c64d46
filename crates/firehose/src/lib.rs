//! Amazon Data Firehose for lakestack: delivery streams that buffer records
//! (put directly, or read from a Kinesis stream) and write them to S3 as
//! AWS lays them out: the default `YYYY/MM/dd/HH/` layout or custom
//! prefixes, compression, dynamic partitioning (a jq query or a Lambda's
//! keys, one buffer per partition), a Lambda transformer, record format
//! conversion to Parquet or ORC with a Glue table's schema, error output
//! and source backup. awsJson 1.1 under `Firehose_20150804`.
//!
//! - [`Firehose`] is the service; `engine` its per-stream runners.
//! - [`keys`], [`compress`] and [`convert`] are the pure parts: object keys,
//!   compression formats and the JSON to Parquet/ORC converter.
//! - [`api`] is the wire edge ([`FirehoseApi`], [`FIREHOSE_SPEC`]).
//! - [`host::Host`] is what the root package provides: Lambda and Kinesis.

pub mod api;
pub mod compress;
pub mod convert;
mod engine;
pub mod error;
pub mod host;
pub mod keys;
pub mod model;
mod plan;
mod service;
mod store;

pub use api::{FirehoseApi, SPEC as FIREHOSE_SPEC};
pub use error::FirehoseError;
pub use service::Firehose;
