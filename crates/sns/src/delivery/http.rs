//! POSTs to HTTP and HTTPS subscribers, as SNS makes them
//! (<https://docs.aws.amazon.com/sns/latest/dg/http-header.html>): the
//! message type, message id, topic and subscription in `x-amz-sns-*`
//! headers, `x-amz-sns-rawdelivery: true` for raw messages, SNS's user
//! agent, and the delivery policy's content type. A 2xx answer within 15
//! seconds is a delivery; anything else is retried under the policy.
//!
//! `https://` endpoints are reached over rustls and their certificates are
//! verified as AWS verifies them
//! (<https://docs.aws.amazon.com/sns/latest/dg/sns-http-https-endpoint-as-subscriber.html>):
//! the chain must lead to a trusted root and name the endpoint's host. A
//! self-signed certificate therefore fails the delivery, with rustls's
//! reason, like any endpoint that cannot be reached. The roots are the
//! system's (`SSL_CERT_FILE` and `SSL_CERT_DIR` honoured, as curl and
//! OpenSSL honour them, so a local CA can be trusted), read on the first
//! https delivery rather than at start-up, which they would slow by
//! milliseconds that a server that never delivers to https would pay for
//! nothing.

use std::error::Error as _;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use rustls::pki_types::CertificateDer;
use serde::{Deserialize, Serialize};
use tokio::sync::OnceCell;

use crate::host::DeliveryError;

/// How long an endpoint has to answer, in real time: a network bound, not
/// a service timer, so the clock's scale does not apply.
pub(crate) const TIMEOUT: Duration = Duration::from_secs(15);

pub(crate) const USER_AGENT: &str = "Amazon Simple Notification Service Agent";

/// One POST to an endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct HttpRequest {
    pub url: String,
    pub message_type: String,
    pub message_id: String,
    pub topic_arn: String,
    /// Absent from a SubscriptionConfirmation.
    pub subscription_arn: Option<String>,
    pub raw: bool,
    pub content_type: String,
    pub body: String,
}

type HttpsClient = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

pub(crate) struct HttpSender {
    http: Client<HttpConnector, Full<Bytes>>,
    /// Built on the first `https://` delivery; an error (no root could be
    /// read) is kept too and fails every https delivery with its reason,
    /// until the server restarts.
    https: OnceCell<Result<HttpsClient, String>>,
    /// Trusted besides the system's roots.
    extra_roots: Vec<CertificateDer<'static>>,
}

impl HttpSender {
    pub fn new() -> Self {
        Self::with_roots(Vec::new())
    }

    /// A sender that also trusts `extra_roots`: how tests trust the
    /// certificate of their own HTTPS endpoint without changing the
    /// process's environment.
    pub fn with_roots(extra_roots: Vec<CertificateDer<'static>>) -> Self {
        Self {
            http: Client::builder(TokioExecutor::new()).build(connector()),
            https: OnceCell::new(),
            extra_roots,
        }
    }

    async fn https(&self) -> Result<&HttpsClient, DeliveryError> {
        let client = self
            .https
            .get_or_init(|| async {
                let extra = self.extra_roots.clone();
                // Reading and parsing the system's bundle is blocking file
                // work: it runs beside the runtime's workers.
                let config = tokio::task::spawn_blocking(move || tls_config(extra))
                    .await
                    .unwrap_or_else(|e| Err(format!("the trusted certificates could not be read: {e}")))?;
                let mut inner = connector();
                // The scheme is hyper-rustls's to check.
                inner.enforce_http(false);
                let https = hyper_rustls::HttpsConnectorBuilder::new()
                    .with_tls_config(config)
                    .https_only()
                    .enable_http1()
                    .wrap_connector(inner);
                Ok(Client::builder(TokioExecutor::new()).build(https))
            })
            .await;
        client.as_ref().map_err(|e| DeliveryError::Transient(e.clone()))
    }

    pub async fn post(&self, r: &HttpRequest) -> Result<(), DeliveryError> {
        let mut req = http::Request::post(r.url.as_str())
            .header("x-amz-sns-message-type", r.message_type.as_str())
            .header("x-amz-sns-message-id", r.message_id.as_str())
            .header("x-amz-sns-topic-arn", r.topic_arn.as_str())
            .header(http::header::CONTENT_TYPE, r.content_type.as_str())
            .header(http::header::USER_AGENT, USER_AGENT);
        if let Some(s) = &r.subscription_arn {
            req = req.header("x-amz-sns-subscription-arn", s.as_str());
        }
        if r.raw {
            req = req.header("x-amz-sns-rawdelivery", "true");
        }
        let req = req
            .body(Full::new(Bytes::from(r.body.clone())))
            .map_err(|e| DeliveryError::Permanent(format!("the endpoint {} is not a valid URL: {e}", r.url)))?;
        let sent = if r.url.starts_with("https://") {
            let client = self.https().await?;
            tokio::time::timeout(TIMEOUT, client.request(req)).await
        } else {
            tokio::time::timeout(TIMEOUT, self.http.request(req)).await
        };
        match sent {
            Err(_) => Err(DeliveryError::Transient(format!(
                "the endpoint did not answer within {} seconds",
                TIMEOUT.as_secs()
            ))),
            Ok(Err(e)) => Err(DeliveryError::Transient(format!(
                "the endpoint could not be reached: {}",
                with_sources(&e)
            ))),
            // The body is not read: SNS looks at the status only.
            Ok(Ok(resp)) if resp.status().is_success() => Ok(()),
            Ok(Ok(resp)) => Err(DeliveryError::Transient(format!(
                "the endpoint answered HTTP {}",
                resp.status().as_u16()
            ))),
        }
    }
}

fn connector() -> HttpConnector {
    let mut connector = HttpConnector::new();
    connector.set_connect_timeout(Some(TIMEOUT));
    connector
}

/// The client side of TLS: rustls on ring, TLS 1.2 and 1.3, the system's
/// roots and `extra` as the trust anchors, no client certificate.
fn tls_config(extra: Vec<CertificateDer<'static>>) -> Result<rustls::ClientConfig, String> {
    let native = rustls_native_certs::load_native_certs();
    for e in &native.errors {
        tracing::warn!(error = %e, "some of the system's trusted certificates could not be read");
    }
    let mut roots = rustls::RootCertStore::empty();
    let (added, ignored) = roots.add_parsable_certificates(native.certs);
    if ignored > 0 {
        tracing::warn!(ignored, "some of the system's trusted certificates could not be parsed");
    }
    let (extra_added, _) = roots.add_parsable_certificates(extra);
    tracing::debug!(
        system = added,
        extra = extra_added,
        "SNS loaded its trusted certificates for https"
    );
    if roots.is_empty() {
        let why: Vec<String> = native.errors.iter().map(ToString::to_string).collect();
        return Err(format!(
            "no trusted root certificate was found to verify https endpoints with (set SSL_CERT_FILE or SSL_CERT_DIR){}",
            if why.is_empty() {
                String::new()
            } else {
                format!(": {}", why.join("; "))
            }
        ));
    }
    rustls::ClientConfig::builder_with_provider(crypto())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS could not be set up: {e}"))
        .map(|b| b.with_root_certificates(roots).with_no_client_auth())
}

/// rustls's cryptography on ring. Named rather than taken from the process
/// default, which is ambiguous (a panic) if another crate ever enables
/// aws-lc-rs too.
#[expect(
    deprecated,
    reason = "rustls 0.23.48 deprecates its ring provider for lacking post-quantum key exchange; \
              aws-lc-rs, which has it, needs cmake and a long C build, and no endpoint requires it"
)]
pub(crate) fn crypto() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// An error with its causes: the client's own says only "client error
/// (Connect)", while the reason a subscriber needs (the refused
/// connection, the certificate rustls rejected) is in its sources.
fn with_sources(e: &hyper_util::client::legacy::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let part = s.to_string();
        // Some errors print their source as part of themselves.
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = s.source();
    }
    text
}
