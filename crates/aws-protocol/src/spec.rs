//! What a service declares about itself: names, protocols, routes, and
//! the codes of the errors the kit raises on its behalf.

use http::{Method, StatusCode};

use crate::ServiceError;
use crate::protocol::Protocol;

/// A service's declaration. One `static` per service.
#[derive(Debug)]
pub struct ServiceSpec {
    /// The name the health endpoint reports (`glue`, `stepfunctions`).
    pub name: &'static str,
    /// The name in messages (`Glue`, `Step Functions`).
    pub title: &'static str,
    /// The SigV4 signing name (`glue`, `states`): awsQuery requests are
    /// routed by it.
    pub signing_name: &'static str,
    /// The protocols the service answers, the preferred one first.
    pub protocols: &'static [Protocol],
    /// awsJson's `X-Amz-Target` prefix (`AWSGlue`).
    pub target_prefix: Option<&'static str>,
    /// restJson1 routes.
    pub routes: &'static [Route],
    /// awsQuery's XML namespace (`https://sts.amazonaws.com/doc/2011-06-15/`).
    pub xml_namespace: Option<&'static str>,
    /// awsQuery lists as repeated elements (SQS) instead of `<member>`s.
    pub xml_flattened_lists: bool,
    /// Add `x-amzn-query-error` to awsJson errors (SQS's `awsQueryCompatible`).
    pub query_compatible: bool,
    /// Members that CBOR writes as byte strings and timestamps.
    pub cbor: Option<CborShapes>,
    /// The code for a body of the right syntax and the wrong shape (a
    /// member of the wrong type): services differ.
    pub invalid_input_code: &'static str,
    /// The code and message of the service's own 500.
    pub internal_error: (&'static str, &'static str),
    /// Largest request body read.
    pub body_limit: usize,
}

/// Member names whose values CBOR carries as byte strings (blobs, which
/// JSON writes as base64) or as tag-1 epoch timestamps.
#[derive(Debug, Clone, Copy)]
pub struct CborShapes {
    pub blobs: &'static [&'static str],
    pub timestamps: &'static [&'static str],
}

impl CborShapes {
    pub const NONE: Self = Self {
        blobs: &[],
        timestamps: &[],
    };
}

/// One restJson1 route: `{Label}` matches one path segment, `{Label+}`
/// the rest of the path.
#[derive(Debug, Clone)]
pub struct Route {
    pub method: Method,
    pub path: &'static str,
    pub operation: &'static str,
}

impl ServiceSpec {
    /// The error for an operation the service does not implement, naming it.
    pub fn not_implemented(&self, operation: &str) -> ServiceError {
        ServiceError::new(
            "NotImplemented",
            StatusCode::NOT_IMPLEMENTED,
            format!(
                "lakestack does not implement the {} operation {operation} yet",
                self.title
            ),
        )
    }

    /// The service's own 500.
    pub fn internal_error(&self) -> ServiceError {
        let (code, message) = self.internal_error;
        ServiceError::new(code, StatusCode::INTERNAL_SERVER_ERROR, message)
    }

    /// The error for a member of the wrong type or a missing body member.
    pub fn invalid_input(&self, message: impl Into<String>) -> ServiceError {
        ServiceError::client(self.invalid_input_code, message)
    }

    pub fn speaks(&self, p: Protocol) -> bool {
        self.protocols.contains(&p)
    }
}

/// A spec's defaults, for `..DEFAULT` in a service's declaration.
pub const DEFAULT: ServiceSpec = ServiceSpec {
    name: "",
    title: "",
    signing_name: "",
    protocols: &[],
    target_prefix: None,
    routes: &[],
    xml_namespace: None,
    xml_flattened_lists: false,
    query_compatible: false,
    cbor: None,
    invalid_input_code: "ValidationException",
    internal_error: (
        "InternalFailure",
        "The request processing has failed because of an unknown error, exception or failure.",
    ),
    body_limit: 32 << 20,
};
