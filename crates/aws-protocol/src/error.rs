//! One error type for every service's edge: the AWS error code, the HTTP
//! status and the message. A service crate keeps its own error enum and
//! names each variant's code once (`impl AwsError for MyError`), so the
//! wire shape of an error is decided in one place per protocol.

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
    /// The awsQuery code of a service that speaks both awsJson and awsQuery
    /// and names its errors differently in each (SQS: `QueueDoesNotExist`
    /// in JSON, `AWS.SimpleQueueService.NonExistentQueue` in awsQuery and
    /// in awsJson's `x-amzn-query-error` header); `None` where they agree.
    pub query_code: Option<Cow<'static, str>>,
}

impl ServiceError {
    pub fn new(code: impl Into<Cow<'static, str>>, status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            status,
            message: message.into(),
            query_code: None,
        }
    }

    /// The same error with its own awsQuery code.
    pub fn with_query_code(mut self, code: impl Into<Cow<'static, str>>) -> Self {
        self.query_code = Some(code.into());
        self
    }

    /// The code awsQuery answers: the query code where the service has one,
    /// else the code without a Smithy namespace (`com.amazonaws.sqs#InternalError`
    /// is `InternalError`), so errors the kit raises for an awsJson service
    /// read right in its awsQuery form too.
    pub fn query_code(&self) -> &str {
        match &self.query_code {
            Some(q) => q,
            None => self.code.rsplit_once('#').map_or(&*self.code, |(_, shape)| shape),
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

/// A service crate's error enum as its service answers it: each variant's
/// code and status; the message is the error's own `Display`. Implementing
/// it is what lets `?` turn the error into a [`ServiceError`].
pub trait AwsError: fmt::Display {
    /// The AWS error code (`EntityNotFoundException`).
    fn code(&self) -> &'static str;

    /// Most errors are the caller's; a service's own failure answers 500.
    fn status(&self) -> StatusCode {
        StatusCode::BAD_REQUEST
    }

    /// The awsQuery code, where it differs from [`code`](Self::code)
    /// (see [`ServiceError::query_code`]).
    fn query_code(&self) -> Option<&'static str> {
        None
    }
}

impl<E: AwsError> From<E> for ServiceError {
    fn from(e: E) -> Self {
        let err = Self::new(e.code(), e.status(), e.to_string());
        match e.query_code() {
            Some(q) => err.with_query_code(q),
            None => err,
        }
    }
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for ServiceError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    enum ExampleError {
        Missing(String),
        Broken,
    }

    impl fmt::Display for ExampleError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            match self {
                Self::Missing(m) => f.write_str(m),
                Self::Broken => f.write_str("internal example error: disk"),
            }
        }
    }

    impl AwsError for ExampleError {
        fn code(&self) -> &'static str {
            match self {
                Self::Missing(_) => "ResourceNotFoundException",
                Self::Broken => "InternalServerException",
            }
        }

        fn status(&self) -> StatusCode {
            match self {
                Self::Broken => StatusCode::INTERNAL_SERVER_ERROR,
                _ => StatusCode::BAD_REQUEST,
            }
        }
    }

    fn fails(e: ExampleError) -> Result<(), ServiceError> {
        Err(e)?
    }

    #[test]
    fn domain_errors_become_service_errors_with_their_codes() {
        let e = fails(ExampleError::Missing("Table t not found.".into())).unwrap_err();
        assert_eq!(
            e,
            ServiceError::new(
                "ResourceNotFoundException",
                StatusCode::BAD_REQUEST,
                "Table t not found."
            )
        );
        assert_eq!(e.fault(), Fault::Sender);
        let e = ServiceError::from(ExampleError::Broken);
        assert_eq!(
            e,
            ServiceError::new(
                "InternalServerException",
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal example error: disk"
            )
        );
        assert_eq!(e.fault(), Fault::Receiver);
        assert_eq!(e.query_code(), "InternalServerException");
    }

    #[test]
    fn a_query_code_travels_with_the_error() {
        struct Gone;
        impl fmt::Display for Gone {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("The specified queue does not exist.")
            }
        }
        impl AwsError for Gone {
            fn code(&self) -> &'static str {
                "com.amazonaws.sqs#QueueDoesNotExist"
            }
            fn query_code(&self) -> Option<&'static str> {
                Some("AWS.SimpleQueueService.NonExistentQueue")
            }
        }
        let e = ServiceError::from(Gone);
        assert_eq!(e.code, "com.amazonaws.sqs#QueueDoesNotExist");
        assert_eq!(e.query_code(), "AWS.SimpleQueueService.NonExistentQueue");
        // Without one, a shape id's name stands for it.
        let internal = ServiceError::new(
            "com.amazonaws.sqs#InternalError",
            StatusCode::INTERNAL_SERVER_ERROR,
            "x",
        );
        assert_eq!(internal.query_code(), "InternalError");
        assert_eq!(
            ServiceError::client("InvalidParameter", "x").query_code(),
            "InvalidParameter"
        );
    }
}
