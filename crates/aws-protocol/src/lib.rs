//! The service kit: everything a lakestack service needs at its edge, so a
//! service is its operations and nothing else. A service declares a
//! [`ServiceSpec`] (names, protocols, target prefix or routes), a typed
//! operation enum ([`operations!`]) and implements [`Service`]; the kit
//! routes requests to it ([`Registry`]), verifies signatures ([`sigv4`]),
//! decodes awsJson, CBOR, awsQuery forms and restJson1 routes, and writes
//! answers and errors as each protocol shapes them ([`protocol`]). Beside
//! that: request ids, a crate's error enum as AWS codes ([`AwsError`]),
//! AWS's validation messages ([`validation`]), key-based paging tokens
//! ([`paging`]), timestamps ([`timestamp`]) and ARNs ([`arn`]).
//!
//! ```
//! use lakestack_aws_protocol::Target;
//! let t = Target::parse("AWSGlue.GetDatabases").unwrap();
//! assert_eq!((t.prefix, t.operation), ("AWSGlue", "GetDatabases"));
//! ```

pub mod arn;
pub mod batch;
pub mod cbor;
pub mod clock;
pub mod delivery;
mod error;
pub mod form;
pub mod operation;
pub mod paging;
pub mod protocol;
pub mod query;
mod registry;
pub mod rest;
mod service;
mod settings;
pub mod sigv4;
mod spec;
pub mod timestamp;
pub mod transcript;
pub mod validation;

pub use arn::Arn;
pub use clock::Clock;
pub use delivery::DeliveryError;
pub use error::{AwsError, Fault, ServiceError};
pub use operation::UnknownOperation;
pub use protocol::{Encoding, Output, Protocol};
pub use registry::{Registry, Routed};
pub use service::{Call, SecretLookup, Service, encoding_of, error_response, invoke, invoke_body, serve};
pub use settings::ServiceSettings;
pub use spec::{CborShapes, DEFAULT, Route, ServiceSpec};

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Response, StatusCode};

/// `X-Amz-Target: <ServicePrefix>.<Operation>` of an awsJson request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target<'a> {
    pub prefix: &'a str,
    pub operation: &'a str,
}

impl<'a> Target<'a> {
    pub fn parse(s: &'a str) -> Option<Self> {
        let (prefix, operation) = s.rsplit_once('.')?;
        (!prefix.is_empty() && !operation.is_empty()).then_some(Self { prefix, operation })
    }

    /// The service (as its SigV4 signing name) that owns a target prefix.
    pub fn service(&self) -> &'a str {
        match self.prefix {
            "AWSGlue" => "glue",
            "AmazonAthena" => "athena",
            "AWSStepFunctions" => "states",
            "AmazonSQS" => "sqs",
            "DynamoDB_20120810" => "dynamodb",
            "Kinesis_20131202" => "kinesis",
            "AWSEvents" => "events",
            "Logs_20140328" => "logs",
            "TrentService" => "kms",
            "secretsmanager" => "secretsmanager",
            "AmazonSSM" => "ssm",
            "AWSLakeFormation" => "lakeformation",
            other => other,
        }
    }
}

/// The service named in a SigV4 `Authorization` header's credential scope.
pub fn credential_service(headers: &HeaderMap) -> Option<String> {
    let auth = headers.get(http::header::AUTHORIZATION)?.to_str().ok()?;
    let cred = auth.split("Credential=").nth(1)?;
    let scope = cred.split([',', ' ']).next()?;
    scope.split('/').nth(3).map(str::to_owned)
}

/// A fresh request id in the form AWS JSON services use (a UUID).
pub fn request_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// An awsJson error: `__type` in the body and `x-amzn-ErrorType`, as the SDKs read them.
pub fn json_error(status: StatusCode, code: &str, message: &str, request_id: &str) -> Response<Bytes> {
    let body = serde_json::json!({ "__type": code, "message": message });
    let mut resp = Response::new(Bytes::from(body.to_string()));
    *resp.status_mut() = status;
    let h = resp.headers_mut();
    h.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-amz-json-1.1"),
    );
    if let Ok(v) = HeaderValue::from_str(code) {
        h.insert("x-amzn-ErrorType", v);
    }
    if let Ok(v) = HeaderValue::from_str(request_id) {
        h.insert("x-amzn-RequestId", v);
    }
    resp
}

/// Why an awsJson request body could not be read as the operation's input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonBodyError {
    /// Valid JSON of the wrong shape (a missing or mistyped member): the
    /// service's validation error.
    Shape(String),
    /// Not JSON at all: `SerializationException`.
    Syntax(String),
}

/// Reads an awsJson request body; an empty body is `{}`, as the SDKs send it.
pub fn parse_json_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, JsonBodyError> {
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|e| {
        if e.is_data() {
            JsonBodyError::Shape(e.to_string())
        } else {
            JsonBodyError::Syntax(format!("Request body is not valid JSON: {e}"))
        }
    })
}

/// A successful awsJson 1.1 answer.
pub fn json_ok(value: &serde_json::Value, request_id: &str) -> Response<Bytes> {
    let mut resp = Response::new(Bytes::from(value.to_string()));
    let h = resp.headers_mut();
    h.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-amz-json-1.1"),
    );
    if let Ok(v) = HeaderValue::from_str(request_id) {
        h.insert("x-amzn-RequestId", v);
    }
    resp
}

/// A query-protocol (STS, SQS-query, IAM) error document.
pub fn query_error(status: StatusCode, code: &str, message: &str, request_id: &str) -> Response<Bytes> {
    let body = format!(
        "<ErrorResponse><Error><Type>Sender</Type><Code>{}</Code><Message>{}</Message></Error><RequestId>{}</RequestId></ErrorResponse>",
        escape(code),
        escape(message),
        request_id
    );
    let mut resp = Response::new(Bytes::from(body));
    *resp.status_mut() = status;
    resp.headers_mut()
        .insert(http::header::CONTENT_TYPE, HeaderValue::from_static("text/xml"));
    if let Ok(v) = HeaderValue::from_str(request_id) {
        resp.headers_mut().insert("x-amzn-RequestId", v);
    }
    resp
}

use query::xml_escape as escape;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_name_their_service() {
        assert_eq!(
            Target::parse("AmazonAthena.StartQueryExecution").unwrap().service(),
            "athena"
        );
        assert_eq!(
            Target::parse("AWSStepFunctions.StartExecution").unwrap().service(),
            "states"
        );
        assert!(Target::parse("NoDot").is_none());
    }

    #[test]
    fn credential_scope_service() {
        let mut h = HeaderMap::new();
        h.insert(
            http::header::AUTHORIZATION,
            HeaderValue::from_static(
                "AWS4-HMAC-SHA256 Credential=AK/20240101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=ab",
            ),
        );
        assert_eq!(credential_service(&h).as_deref(), Some("sts"));
    }
}
