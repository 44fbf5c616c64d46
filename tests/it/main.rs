//! End-to-end tests: each starts the real `lakestack` binary on an ephemeral
//! port and drives it with aws-sdk-rust (and plain HTTP where a browser or
//! curl would). One test binary with a module per area keeps link time down.

mod athena;
mod athena_untrusted;
mod common;
mod demo;
mod events;
mod glue;
mod kinesis;
mod lambda;
mod s3_buckets;
mod s3_crash;
mod s3_errors;
mod s3_listing;
mod s3_multipart;
mod s3_objects;
mod s3_versioning;
mod s3_wire;
mod server;
mod sqs;
mod stepfunctions;
