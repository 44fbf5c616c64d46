//! What a service declares about itself: names, protocols, routes, and
//! the codes of the errors the kit raises on its behalf.

use http::{Method, StatusCode};

use crate::ServiceError;
use crate::protocol::Protocol;
use crate::validation::Violation;

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
    /// The code that carries AWS's validation messages (`1 validation error
    /// detected: ...`) for a member that breaks a constraint of the model:
    /// services differ, and it need not be `invalid_input_code` (Step
    /// Functions answers a mistyped member apart from a missing one).
    pub violation_code: &'static str,
    /// The code and message for a `NextToken` the service did not write;
    /// `{token}` in the message stands for the token as sent.
    pub invalid_token: (&'static str, &'static str),
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

    /// AWS's validation error for one broken constraint.
    pub fn violation(&self, v: Violation) -> ServiceError {
        ServiceError::client(self.violation_code, v.message())
    }

    /// A member the operation cannot go without: absent (or JSON `null`,
    /// which serde reads as absent) is `Value null at '<member>'`.
    pub fn required<T>(&self, value: Option<T>, member: &str) -> Result<T, ServiceError> {
        value.ok_or_else(|| self.violation(Violation::null(member)))
    }

    /// The error for a `NextToken` the service did not write.
    pub fn invalid_token(&self, token: &str) -> ServiceError {
        let (code, message) = self.invalid_token;
        ServiceError::client(code, message.replace("{token}", token))
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
    violation_code: "ValidationException",
    invalid_token: ("ValidationException", "Invalid pagination token"),
    internal_error: (
        "InternalFailure",
        "The request processing has failed because of an unknown error, exception or failure.",
    ),
    body_limit: 32 << 20,
};

#[cfg(test)]
mod tests {
    use super::*;

    static SPEC: ServiceSpec = ServiceSpec {
        title: "Example",
        violation_code: "InvalidInputException",
        invalid_token: ("InvalidToken", "Invalid Token: '{token}'"),
        ..DEFAULT
    };

    #[test]
    fn errors_carry_the_codes_the_service_declares() {
        let e = SPEC.violation(Violation::at_most("maxResults", 2000, 1000));
        assert_eq!(
            (e.code.as_ref(), e.status, e.message.as_str()),
            (
                "InvalidInputException",
                StatusCode::BAD_REQUEST,
                "1 validation error detected: Value '2000' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000"
            )
        );
        assert_eq!(SPEC.required(Some("x"), "name"), Ok("x"));
        assert_eq!(
            SPEC.required(None::<&str>, "name"),
            Err(ServiceError::client(
                "InvalidInputException",
                "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null"
            ))
        );
        assert_eq!(
            SPEC.invalid_token("a{token}b"),
            ServiceError::client("InvalidToken", "Invalid Token: 'a{token}b'")
        );
        assert_eq!(
            DEFAULT.invalid_token("x"),
            ServiceError::client("ValidationException", "Invalid pagination token")
        );
        assert_eq!(DEFAULT.violation(Violation::null("n")).code, "ValidationException");
    }
}
