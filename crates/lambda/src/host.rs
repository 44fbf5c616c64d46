//! What Lambda needs from the rest of lakestack, which the root package
//! provides: where the function's SDKs should send their calls, the
//! credentials a function's role hands it, and where its log lines go.

use async_trait::async_trait;

/// The credentials a function's process gets in `AWS_ACCESS_KEY_ID` and friends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
}

#[async_trait]
pub trait Host: Send + Sync + 'static {
    /// The URL a function's SDKs reach lakestack at (`AWS_ENDPOINT_URL`).
    fn endpoint(&self) -> String;

    /// Credentials for code running as `role` (the function's execution role).
    async fn credentials(&self, role: &str) -> Credentials;

    /// Appends events (epoch ms, message) to a CloudWatch Logs stream,
    /// creating the group and stream if need be. Called off the async
    /// workers, in batches.
    fn write_logs(&self, group: &str, stream: &str, events: &[(i64, String)]);

    /// Delivers a record of an asynchronous invocation to a destination or
    /// dead-letter target that is not a Lambda function (an SQS queue, an
    /// SNS topic, an EventBridge bus); the error says why it could not.
    async fn deliver(&self, target: &str, body: String) -> Result<(), String>;

    /// The queue or stream an event source mapping reads, if lakestack
    /// serves it and it exists.
    fn event_source(&self, arn: &str) -> Option<std::sync::Arc<dyn crate::mappings::EventSource>> {
        let _ = arn;
        None
    }
}
