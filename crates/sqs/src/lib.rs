//! SQS for lakestack: standard and FIFO queues, long polling, visibility
//! timeouts, dead-letter redrive and message move tasks, deduplication,
//! tags, and the API in both protocols SQS clients speak (awsJson 1.0 and
//! awsQuery). Messages are kept in SQLite (`sqs.sqlite`) and indexed in
//! memory; every acknowledged send is committed before it is answered.
//!
//! Other services call the in-process API on [`Sqs`]:
//!
//! ```no_run
//! # async fn demo() -> lakestack_sqs::Result<()> {
//! use lakestack_sqs::{NewMessage, Settings, Sqs};
//! let sqs = Sqs::open(Settings::default())?;
//! let arn = "arn:aws:sqs:us-east-1:000000000000:orders";
//! let sent = sqs
//!     .send(arn, NewMessage { body: "hello".into(), ..Default::default() })
//!     .await?;
//! assert_eq!(sent.md5_of_body, "5d41402abc4b2a76b9719d911017c592");
//! # Ok(()) }
//! ```

mod admin;
pub mod api;
pub mod attributes;
mod digest;
pub mod error;
mod index;
mod messaging;
pub mod model;
mod moves;
pub mod names;
mod queue;
mod receipt;
pub mod service;
mod store;
mod validate;

pub use api::{SPEC as SQS_SPEC, SqsApi, SqsOp};
pub use error::{Result, SqsError};
pub use lakestack_aws_protocol::Clock;
pub use model::{MessageAttributeValue, MessageAttributes, NewMessage, QueueRef, Received, Sent};
pub use service::{Settings, Sqs};

/// Parser entry points for the fuzz targets in `fuzz/`; not an API.
#[doc(hidden)]
pub mod fuzzing {
    use crate::api::SqsOp;

    /// Reads a RedrivePolicy attribute value.
    pub fn redrive_policy(text: &str) {
        let _ = crate::attributes::parse_redrive_policy(text);
        let _ = crate::attributes::parse_redrive_allow_policy(text);
    }

    /// Reads an awsQuery form as every SQS operation's input.
    pub fn query_form(form: &[u8]) {
        if let Ok(f) = lakestack_aws_protocol::query::parse_form(form) {
            for op in SqsOp::ALL {
                let _ = crate::api::normalize_query(*op, f.params.clone(), Some("http://h/0/q"));
            }
        }
    }

    /// Reads a receipt handle and a queue URL.
    pub fn handle_and_url(text: &str) {
        let _ = crate::receipt::Receipt::parse(text);
        let _ = crate::names::parse_queue_url(text);
        let _ = crate::names::QueueArn::parse(text);
    }
}
