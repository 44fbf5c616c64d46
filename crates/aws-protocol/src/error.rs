//! One error type for every service's edge: the AWS error code, the HTTP
//! status and the message. A service crate keeps its own error enum and
//! maps it here (`impl From<MyError> for ServiceError`), so the wire shape
//! of an error is decided in one place per protocol.

use std::borrow::Cow;
use std::fmt;

use http::StatusCode;

/// Who AWS blames for an error: awsQuery writes it as `<Type>`, and SQS's
/// `x-amzn-query-error` header carries it after the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    Sender,
    Receiver,
}

impl Fault {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sender => "Sender",
            Self::Receiver => "Receiver",
        }
    }
}

/// An error as the client sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceError {
    pub code: Cow<'static, str>,
    pub status: StatusCode,
    pub message: String,
}

impl ServiceError {
    pub fn new(code: impl Into<Cow<'static, str>>, status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            status,
            message: message.into(),
        }
    }

    /// A 400 with the given code: most service errors.
    pub fn client(code: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Self {
        Self::new(code, StatusCode::BAD_REQUEST, message)
    }

    /// The body is not of the protocol's syntax (not JSON, not CBOR).
    pub fn serialization(message: impl Into<String>) -> Self {
        Self::client("SerializationException", message)
    }

    /// Server faults are 5xx; everything else is the caller's.
    pub fn fault(&self) -> Fault {
        if self.status.is_server_error() {
            Fault::Receiver
        } else {
            Fault::Sender
        }
    }
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for ServiceError {}
