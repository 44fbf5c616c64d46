//! What Lambda needs from the rest of lakestack: the endpoint its
//! functions' SDKs call, credentials from STS for their execution roles,
//! CloudWatch Logs for their output, destinations for asynchronous
//! results (queues, topics), and queues to read for event source mappings.

use std::sync::{Arc, OnceLock};

use async_trait::async_trait;
use lakestack_iam::{AssumeRoleRequest, Iam};
use lakestack_lambda::{Credentials, Host};
use lakestack_logs::Logs;
use lakestack_sns::Sns;
use lakestack_sqs::Sqs;

pub struct LambdaHost {
    /// `http://<address>` once the server listens.
    pub endpoint: Arc<OnceLock<String>>,
    pub iam: Arc<Iam>,
    pub logs: Arc<Logs>,
    pub sqs: Arc<Sqs>,
    /// Set once SNS is open, which needs Lambda first (topics invoke functions).
    pub sns: OnceLock<Arc<Sns>>,
    pub kinesis: Arc<lakestack_kinesis::Kinesis>,
}

#[async_trait]
impl Host for LambdaHost {
    fn endpoint(&self) -> String {
        self.endpoint
            .get()
            .cloned()
            .unwrap_or_else(|| "http://127.0.0.1:4566".into())
    }

    async fn credentials(&self, role: &str) -> Credentials {
        let req = AssumeRoleRequest {
            role_arn: role.to_owned(),
            session_name: "lakestack-lambda".into(),
            // An hour, the default every role allows: Lambda starts fresh
            // processes with new credentials well before they expire.
            duration_seconds: None,
            policy: None,
            tags: Vec::new(),
            external_id: None,
        };
        let iam = Arc::clone(&self.iam);
        let assumed = tokio::task::spawn_blocking(move || iam.assume_role(&req)).await;
        match assumed {
            Ok(Ok(a)) => Credentials {
                access_key_id: a.session.id,
                secret_access_key: a.session.secret,
                session_token: Some(a.session.token),
            },
            other => {
                // A role IAM refuses still runs the function, with keys that
                // only permissive mode accepts, as it would have before IAM.
                let why = match other {
                    Ok(Err(e)) => e.to_string(),
                    Err(e) => e.to_string(),
                    Ok(Ok(_)) => String::new(),
                };
                tracing::warn!(role, error = why, "no credentials for a function's role");
                Credentials {
                    access_key_id: "lakestack".into(),
                    secret_access_key: "lakestack".into(),
                    session_token: None,
                }
            }
        }
    }

    fn write_logs(&self, group: &str, stream: &str, events: &[(i64, String)]) {
        if let Err(e) = self.logs.put(group, stream, events) {
            tracing::warn!(group, stream, error = %e, "could not write a function's log lines");
        }
    }

    async fn deliver(&self, target: &str, body: String) -> Result<(), String> {
        match target.split(':').nth(2).unwrap_or_default() {
            "sqs" => self
                .sqs
                .send(
                    target,
                    lakestack_sqs::NewMessage {
                        body,
                        ..Default::default()
                    },
                )
                .await
                .map(drop)
                .map_err(|e| e.to_string()),
            "sns" => {
                let sns = self.sns.get().ok_or("SNS is not open yet")?;
                sns.publish(
                    target,
                    lakestack_sns::PublishInput {
                        message: body,
                        ..Default::default()
                    },
                )
                .await
                .map(drop)
                .map_err(|e| e.to_string())
            }
            other => Err(format!("lakestack does not deliver to {other} destinations yet")),
        }
    }

    fn event_source(&self, arn: &str) -> Option<Arc<dyn lakestack_lambda::mappings::EventSource>> {
        if let Some(stream) = self.kinesis.name_of_arn(arn) {
            self.kinesis.stream(&stream).ok()?;
            return Some(Arc::new(crate::stream_source::StreamSource::new(
                Arc::clone(&self.kinesis),
                stream,
                arn.to_owned(),
            )));
        }
        let queue = self.sqs.queue_by_arn(arn)?;
        Some(Arc::new(crate::queue_source::QueueSource {
            sqs: Arc::clone(&self.sqs),
            arn: queue.arn,
            region: self.sqs.settings().region.clone(),
        }))
    }
}
