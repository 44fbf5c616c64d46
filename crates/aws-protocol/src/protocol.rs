//! The wire protocols AWS services speak, and how each one writes an
//! answer and an error. A service declares its protocols in its
//! [`ServiceSpec`](crate::ServiceSpec); handlers return protocol-free
//! [`Output`]s and [`ServiceError`]s, and this module shapes them.

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Response, StatusCode};
use serde::Serialize;
use serde_json::Value;

use crate::ServiceError;
use crate::spec::{CborShapes, ServiceSpec};

/// One protocol of a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// awsJson 1.0: `X-Amz-Target`, JSON body (Step Functions, SQS).
    AwsJson1_0,
    /// awsJson 1.1 (Glue, Athena, Kinesis, Firehose, Logs, EventBridge).
    AwsJson1_1,
    /// awsQuery: a form body with `Action` and `Version`, XML answers
    /// (STS, IAM, SNS, SQS for older clients).
    AwsQuery,
    /// restJson1: the operation is the route (Lambda, Scheduler).
    RestJson1,
}

impl Protocol {
    pub fn json_content_type(self) -> &'static str {
        match self {
            Self::AwsJson1_0 => "application/x-amz-json-1.0",
            Self::RestJson1 => "application/json",
            _ => "application/x-amz-json-1.1",
        }
    }
}

/// How a request's body was encoded, so the answer uses the same one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Json,
    /// `application/x-amz-cbor-1.1` (Kinesis from the Java SDKs).
    Cbor,
    /// awsQuery's form in, XML out.
    QueryXml,
}

pub const CBOR_CONTENT_TYPE: &str = "application/x-amz-cbor-1.1";

/// What an operation answers, before the protocol writes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: OutputBody,
}

#[derive(Debug, Clone, PartialEq)]
pub enum OutputBody {
    /// Structured members: JSON, CBOR or XML by protocol.
    Members(Value),
    /// Bytes sent as they are (a restJson1 payload such as Invoke's).
    Raw { bytes: Bytes, content_type: String },
    /// No body (restJson1 204s).
    Empty,
}

impl Output {
    /// A 200 with these members.
    pub fn members(v: Value) -> Self {
        Self {
            status: StatusCode::OK,
            headers: HeaderMap::new(),
            body: OutputBody::Members(v),
        }
    }

    /// A 200 whose members are a typed response.
    pub fn of(v: &impl Serialize) -> Result<Self, ServiceError> {
        serde_json::to_value(v)
            .map(Self::members)
            .map_err(|e| ServiceError::new("InternalFailure", StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))
    }

    /// `{}`: operations whose output has no members.
    pub fn empty_members() -> Self {
        Self::members(Value::Object(Default::default()))
    }

    pub fn raw(bytes: impl Into<Bytes>, content_type: &str) -> Self {
        Self {
            status: StatusCode::OK,
            headers: HeaderMap::new(),
            body: OutputBody::Raw {
                bytes: bytes.into(),
                content_type: content_type.to_owned(),
            },
        }
    }

    pub fn no_content() -> Self {
        Self {
            status: StatusCode::NO_CONTENT,
            headers: HeaderMap::new(),
            body: OutputBody::Empty,
        }
    }

    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    /// Adds a header; a value that is not a valid header value is dropped.
    pub fn with_header(mut self, name: &'static str, value: &str) -> Self {
        if let Ok(v) = HeaderValue::from_str(value) {
            self.headers.insert(HeaderName::from_static(name), v);
        }
        self
    }
}

fn base(status: StatusCode, content_type: &str, body: Bytes, request_id: &str) -> Response<Bytes> {
    let mut resp = Response::new(body);
    *resp.status_mut() = status;
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(content_type) {
        h.insert(http::header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(request_id) {
        h.insert("x-amzn-RequestId", v);
    }
    resp
}

/// Writes an operation's answer in the request's protocol and encoding.
pub fn answer(
    spec: &ServiceSpec,
    protocol: Protocol,
    encoding: Encoding,
    operation: &str,
    out: Output,
    request_id: &str,
) -> Response<Bytes> {
    let (body, content_type) = match out.body {
        OutputBody::Members(v) => match encoding {
            Encoding::Json => (Bytes::from(v.to_string()), protocol.json_content_type().to_owned()),
            Encoding::Cbor => (
                Bytes::from(crate::cbor::encode(&v, spec.cbor.unwrap_or(CborShapes::NONE))),
                CBOR_CONTENT_TYPE.to_owned(),
            ),
            Encoding::QueryXml => (
                Bytes::from(crate::query::response_xml(spec, operation, &v, request_id)),
                "text/xml".to_owned(),
            ),
        },
        OutputBody::Raw { bytes, content_type } => (bytes, content_type),
        OutputBody::Empty => (Bytes::new(), protocol.json_content_type().to_owned()),
    };
    let mut resp = base(out.status, &content_type, body, request_id);
    if matches!(encoding, Encoding::QueryXml) {
        // awsQuery services name the header without the `n`.
        resp.headers_mut().remove("x-amzn-RequestId");
        if let Ok(v) = HeaderValue::from_str(request_id) {
            resp.headers_mut().insert("x-amz-request-id", v);
        }
    }
    for (k, v) in out.headers.iter() {
        resp.headers_mut().insert(k.clone(), v.clone());
    }
    resp
}

/// Writes an error in the request's protocol and encoding.
pub fn error(
    spec: &ServiceSpec,
    protocol: Protocol,
    encoding: Encoding,
    err: &ServiceError,
    request_id: &str,
) -> Response<Bytes> {
    let mut resp = match encoding {
        Encoding::QueryXml => {
            let body = if err.query_code() == err.code {
                crate::query::error_xml(spec, err, request_id)
            } else {
                let mut as_query = err.clone();
                as_query.code = err.query_code().to_owned().into();
                crate::query::error_xml(spec, &as_query, request_id)
            };
            let mut r = base(err.status, "text/xml", Bytes::from(body), request_id);
            r.headers_mut().remove("x-amzn-RequestId");
            if let Ok(v) = HeaderValue::from_str(request_id) {
                r.headers_mut().insert("x-amz-request-id", v);
            }
            return r;
        }
        Encoding::Cbor => {
            let v = serde_json::json!({ "__type": err.code, "message": err.message });
            let body = crate::cbor::encode(&v, CborShapes::NONE);
            base(err.status, CBOR_CONTENT_TYPE, Bytes::from(body), request_id)
        }
        Encoding::Json => {
            let v = if protocol == Protocol::RestJson1 {
                let kind = if err.status.is_server_error() {
                    "Service"
                } else {
                    "User"
                };
                serde_json::json!({ "Type": kind, "message": err.message })
            } else {
                serde_json::json!({ "__type": err.code, "message": err.message })
            };
            base(
                err.status,
                protocol.json_content_type(),
                Bytes::from(v.to_string()),
                request_id,
            )
        }
    };
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&err.code) {
        h.insert("x-amzn-ErrorType", v);
    }
    if spec.query_compatible
        && let Ok(v) = HeaderValue::from_str(&format!("{};{}", err.query_code(), err.fault().as_str()))
    {
        // SQS over awsJson: the SDKs map this back to the awsQuery error
        // codes older code expects (`AWS.SimpleQueueService.NonExistentQueue`).
        h.insert("x-amzn-query-error", v);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::DEFAULT;

    static COMPATIBLE: ServiceSpec = ServiceSpec {
        protocols: &[Protocol::AwsJson1_0, Protocol::AwsQuery],
        query_compatible: true,
        ..DEFAULT
    };

    fn header<'a>(r: &'a Response<Bytes>, name: &str) -> Option<&'a str> {
        r.headers().get(name).and_then(|v| v.to_str().ok())
    }

    #[test]
    fn a_query_code_names_the_error_in_query_answers_and_the_json_header() {
        let err = ServiceError::client("com.amazonaws.sqs#QueueDoesNotExist", "gone")
            .with_query_code("AWS.SimpleQueueService.NonExistentQueue");
        let json = error(&COMPATIBLE, Protocol::AwsJson1_0, Encoding::Json, &err, "rid");
        assert_eq!(
            json.body().as_ref(),
            br#"{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"gone"}"#
        );
        assert_eq!(
            header(&json, "x-amzn-query-error"),
            Some("AWS.SimpleQueueService.NonExistentQueue;Sender")
        );
        let xml = error(&COMPATIBLE, Protocol::AwsQuery, Encoding::QueryXml, &err, "rid");
        let body = String::from_utf8(xml.body().to_vec()).unwrap();
        assert!(
            body.contains("<Code>AWS.SimpleQueueService.NonExistentQueue</Code>"),
            "{body}"
        );
    }

    #[test]
    fn without_a_query_code_the_header_repeats_the_code() {
        let err = ServiceError::client("InvalidAttributeName", "no");
        let json = error(&COMPATIBLE, Protocol::AwsJson1_0, Encoding::Json, &err, "rid");
        assert_eq!(header(&json, "x-amzn-query-error"), Some("InvalidAttributeName;Sender"));
        let plain = error(&DEFAULT, Protocol::AwsJson1_1, Encoding::Json, &err, "rid");
        assert_eq!(header(&plain, "x-amzn-query-error"), None);
    }
}
