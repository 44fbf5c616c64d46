//! Amazon Kinesis Data Streams for lakestack: streams of shards that hold
//! records in order, in `kinesis.sqlite` under the data directory. awsJson
//! 1.1 under `Kinesis_20131202`, in JSON (boto3, the CLI) and in CBOR (the
//! Java SDKs and so the KCL); both decode to the same typed requests.
//!
//! - [`Kinesis`] is the service: streams, puts, iterators, reads,
//!   resharding ([`reshard`]), retention on the server's clock.
//! - [`api`] is the wire edge ([`KinesisApi`], [`KINESIS_SPEC`]).
//! - [`readers`] lets other services read a stream as a consumer with a
//!   checkpoint per shard (Lambda event source mappings, Firehose).

pub mod api;
pub mod error;
pub mod hash;
pub mod iterator;
pub mod model;
pub mod readers;
mod reshard;
pub mod seq;
mod service;
mod store;
mod streams;

pub use api::{KinesisApi, SPEC as KINESIS_SPEC};
pub use error::KinesisError;
pub use service::{Kinesis, Placed, Position, Records};
