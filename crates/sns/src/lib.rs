//! SNS for lakestack: topics (standard and FIFO), subscriptions with their
//! confirmation handshake, filter policies on message attributes and
//! bodies (`filter`, an adapter over `lakestack_patterns`, the language SNS
//! shares with EventBridge), and delivery, durable and asynchronous, to SQS
//! queues, Lambda functions and HTTP endpoints, with retries on the
//! server's clock and dead-letter queues (`delivery`). Email, SMS and
//! mobile push messages are not sent but recorded (`record`).
//!
//! The binary serves [`SnsApi`] (awsQuery, signing name `sns`) over one
//! [`Sns`], which it opens with a [`Host`] that reaches the other services
//! in-process, and [`Sns::start`]s. In-process publishers (S3 event
//! notifications, Step Functions' `sns:publish`) call [`Sns::publish`].
//!
//! ```no_run
//! # async fn example(host: std::sync::Arc<dyn lakestack_sns::Host>) -> lakestack_sns::Result<()> {
//! use lakestack_sns::{PublishInput, Settings, Sns, SnsApi};
//! let sns = Sns::open(Settings::default(), host)?;
//! sns.start();
//! let api = SnsApi::new(sns.clone());
//! # let _ = api;
//! let out = sns
//!     .publish("arn:aws:sns:us-east-1:000000000000:orders", PublishInput::text("hello"))
//!     .await?;
//! # let _ = out;
//! # Ok(()) }
//! ```

pub mod api;
mod arns;
mod delivery;
pub mod envelope;
pub mod error;
pub mod filter;
pub mod host;
pub mod message;
pub mod model;
mod publish;
pub mod record;
mod service;
mod store;
mod subscriptions;
mod topics;

pub use api::{SPEC as SNS_SPEC, SnsApi};
pub use error::{Result, SnsError};
pub use host::{DeliveryError, Host, QueueMessage};
pub use lakestack_aws_protocol::Clock;
pub use message::{Attribute, AttributeValue, MessageAttributeValue, PublishInput, Published};
pub use record::{RecordedAttribute, RecordedFilter, RecordedMessage};
pub use service::{Settings, Sns};

/// Parser entry points for the fuzz targets in `fuzz/`; not an API.
#[doc(hidden)]
pub mod fuzzing {
    pub use crate::filter::{FilterPolicy, PolicyError, Scope, parse as parse_filter_policy};
}
