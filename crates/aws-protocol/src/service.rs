//! The contract between the kit and a service, and [`serve`], which runs
//! one request through it: read the body within the service's limit,
//! verify the signature, find the operation, decode the input, call the
//! service, and write the answer or error in the request's protocol.

use std::str::FromStr;
use std::time::SystemTime;

use async_trait::async_trait;
use bytes::Bytes;
use http::{HeaderMap, Method, Request, Response, StatusCode, Uri};
use http_body_util::{BodyExt, Limited};
use serde::de::DeserializeOwned;

use crate::operation::UnknownOperation;
use crate::protocol::{self, CBOR_CONTENT_TYPE, Encoding, Output, Protocol};
use crate::spec::ServiceSpec;
use crate::{JsonBodyError, ServiceError, Target, parse_json_body, request_id, sigv4};

/// A service the kit can serve.
#[async_trait]
pub trait Service: Send + Sync + 'static {
    fn spec(&self) -> &'static ServiceSpec;

    /// Runs one operation.
    async fn call(&self, call: Call) -> Result<Output, ServiceError>;
}

/// One request, decoded: the operation's name and its input.
#[derive(Debug)]
pub struct Call {
    pub spec: &'static ServiceSpec,
    pub operation: String,
    pub protocol: Protocol,
    pub method: Method,
    pub uri: Uri,
    pub headers: HeaderMap,
    /// restJson1 path labels.
    pub labels: Vec<(String, String)>,
    /// The input members as JSON, whatever the wire form was (CBOR and
    /// awsQuery forms are transcoded), or a restJson1 payload as sent.
    pub body: Bytes,
    pub request_id: String,
}

impl Call {
    /// The operation as the service's enum names it; any other name is
    /// answered with the service's error naming it.
    pub fn operation<O: FromStr<Err = UnknownOperation>>(&self) -> Result<O, ServiceError> {
        self.operation
            .parse()
            .map_err(|UnknownOperation(op)| self.spec.not_implemented(&op))
    }

    /// The input members as the operation's typed request.
    pub fn input<T: DeserializeOwned>(&self) -> Result<T, ServiceError> {
        parse_json_body(&self.body).map_err(|e| match e {
            JsonBodyError::Shape(m) => self.spec.invalid_input(m),
            JsonBodyError::Syntax(m) => ServiceError::serialization(m),
        })
    }

    pub fn label(&self, name: &str) -> Option<&str> {
        self.labels.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// A query-string parameter, decoded.
    pub fn query_param(&self, name: &str) -> Option<String> {
        form_urlencoded::parse(self.uri.query().unwrap_or_default().as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }
}

/// Looks up the secret of an access key under strict authentication.
pub type SecretLookup<'a> = &'a (dyn Fn(&str) -> Option<String> + Send + Sync);

/// The encoding a request to `protocol` is written in.
pub fn encoding_of(protocol: Protocol, headers: &HeaderMap) -> Encoding {
    let cbor = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(CBOR_CONTENT_TYPE));
    match protocol {
        Protocol::AwsQuery => Encoding::QueryXml,
        Protocol::AwsJson1_1 if cbor => Encoding::Cbor,
        _ => Encoding::Json,
    }
}

/// The answer to a request that failed before reaching the service, or
/// the service's own 500 (a panic, caught by the router).
pub fn error_response(
    service: &dyn Service,
    protocol: Protocol,
    headers: &HeaderMap,
    err: &ServiceError,
) -> Response<Bytes> {
    let encoding = encoding_of(protocol, headers);
    protocol::error(service.spec(), protocol, encoding, err, &request_id())
}

/// Serves one request with `service` in `protocol`; also returns the
/// operation's name for the request log.
pub async fn serve<B>(
    service: &dyn Service,
    protocol: Protocol,
    req: Request<B>,
    secrets: Option<SecretLookup<'_>>,
) -> (String, Response<Bytes>)
where
    B: http_body::Body<Data = Bytes>,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let spec = service.spec();
    let rid = request_id();
    let (parts, body) = req.into_parts();
    let encoding = encoding_of(protocol, &parts.headers);
    let fail = |op: String, e: ServiceError| {
        let resp = protocol::error(spec, protocol, encoding, &e, &rid);
        (op, resp)
    };
    let body = match Limited::new(body, spec.body_limit).collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => {
            return fail(
                format!("{}:unread", spec.signing_name),
                ServiceError::new(
                    "SerializationException",
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "The request body is too large or could not be read",
                ),
            );
        }
    };
    let mut labels = Vec::new();
    let mut input = body.clone();
    let operation = match protocol {
        Protocol::AwsJson1_0 | Protocol::AwsJson1_1 => parts
            .headers
            .get("x-amz-target")
            .and_then(|v| v.to_str().ok())
            .and_then(Target::parse)
            .map(|t| t.operation.to_owned())
            .unwrap_or_default(),
        Protocol::AwsQuery => {
            let form = if body.is_empty() {
                parts.uri.query().unwrap_or_default().as_bytes().to_vec()
            } else {
                body.to_vec()
            };
            match crate::query::parse_form(&form) {
                Ok(f) => {
                    input = Bytes::from(f.params.to_string());
                    f.action
                }
                Err(e) => return fail(format!("{}:unknown", spec.signing_name), e),
            }
        }
        Protocol::RestJson1 => match crate::rest::route(spec.routes, &parts.method, parts.uri.path()) {
            Some(m) => {
                labels = m.labels;
                m.operation.to_owned()
            }
            None => {
                let msg = format!(
                    "lakestack does not know the {} route {} {}",
                    spec.title,
                    parts.method,
                    parts.uri.path()
                );
                return fail(
                    format!("{}:unknown", spec.signing_name),
                    ServiceError::new("UnknownOperationException", StatusCode::NOT_FOUND, msg),
                );
            }
        },
    };
    let op_name = format!("{}:{operation}", spec.signing_name);
    if let Some(secrets) = secrets
        && let Err(e) = sigv4::verify(&parts, &body, secrets, SystemTime::now())
    {
        return fail(op_name, ServiceError::new(e.code, StatusCode::FORBIDDEN, e.message));
    }
    if encoding == Encoding::Cbor && !body.is_empty() {
        match crate::cbor::decode(&body) {
            Ok(v) => input = Bytes::from(v.to_string()),
            Err(e) => {
                return fail(
                    op_name,
                    ServiceError::serialization(format!("Request body is not valid CBOR: {e}")),
                );
            }
        }
    }
    let call = Call {
        spec,
        operation: operation.clone(),
        protocol,
        method: parts.method,
        uri: parts.uri,
        headers: parts.headers,
        labels,
        body: input,
        request_id: rid.clone(),
    };
    match service.call(call).await {
        Ok(out) => (
            op_name,
            protocol::answer(spec, protocol, encoding, &operation, out, &rid),
        ),
        Err(e) => {
            if e.status.is_server_error() && e.status != StatusCode::NOT_IMPLEMENTED {
                tracing::error!(service = spec.name, operation, error = %e.message, "operation failed");
            }
            fail(op_name, e)
        }
    }
}

/// Calls an operation in-process with its input members as JSON, as Step
/// Functions' SDK integrations call Glue and Athena: the same parsing,
/// validation and errors as over the wire, without HTTP.
pub async fn invoke(
    service: &dyn Service,
    operation: &str,
    input: &serde_json::Value,
) -> Result<serde_json::Value, ServiceError> {
    invoke_body(service, operation, Bytes::from(input.to_string())).await
}

/// [`invoke`] with the body as sent, which need not be valid JSON (tests of
/// how a service answers a malformed request).
pub async fn invoke_body(
    service: &dyn Service,
    operation: &str,
    body: Bytes,
) -> Result<serde_json::Value, ServiceError> {
    let spec = service.spec();
    let call = Call {
        spec,
        operation: operation.to_owned(),
        protocol: spec.protocols.first().copied().unwrap_or(Protocol::AwsJson1_1),
        method: Method::POST,
        uri: Uri::from_static("/"),
        headers: HeaderMap::new(),
        labels: Vec::new(),
        body,
        request_id: request_id(),
    };
    match service.call(call).await?.body {
        protocol::OutputBody::Members(v) => Ok(v),
        protocol::OutputBody::Raw { bytes, .. } => {
            Ok(serde_json::from_slice(&bytes).unwrap_or_else(|_| String::from_utf8_lossy(&bytes).into()))
        }
        protocol::OutputBody::Empty => Ok(serde_json::Value::Object(Default::default())),
    }
}
