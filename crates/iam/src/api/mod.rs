//! The IAM and STS edge: awsQuery forms in, XML out, through the kit.
//! `iam` serves IAM (signing name `iam`), `sts` serves STS (signing name
//! `sts`); both read their members into [`dto::Members`] and answer typed
//! responses. Errors get their AWS codes here, once.

mod dto;
mod entities;
mod iam;
mod keys;
mod policies;
mod sts;

use http::StatusCode;
use lakestack_aws_protocol::{AwsError, Call, Output, ServiceError, ServiceSpec, paging};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::IamError;
use crate::checks;

pub use iam::{IAM_SPEC, IamApi, IamOp};
pub use sts::{STS_SPEC, StsApi, StsOp};

/// IAM's and STS's error codes and statuses.
impl AwsError for IamError {
    fn code(&self) -> &'static str {
        match self {
            IamError::NoSuchEntity(_) => "NoSuchEntity",
            IamError::EntityAlreadyExists(_) => "EntityAlreadyExists",
            IamError::DeleteConflict(_) => "DeleteConflict",
            IamError::MalformedPolicyDocument(_) => "MalformedPolicyDocument",
            IamError::LimitExceeded(_) => "LimitExceeded",
            IamError::Validation(_) => "ValidationError",
            IamError::InvalidInput(_) => "InvalidInput",
            IamError::ExpiredToken(_) => "ExpiredToken",
            IamError::InvalidClientTokenId(_) => "InvalidClientTokenId",
            IamError::PackedPolicyTooLarge(_) => "PackedPolicyTooLarge",
            IamError::InvalidIdentityToken(_) => "InvalidIdentityToken",
            IamError::Internal(_) => "ServiceFailure",
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            IamError::NoSuchEntity(_) => StatusCode::NOT_FOUND,
            IamError::EntityAlreadyExists(_) | IamError::DeleteConflict(_) | IamError::LimitExceeded(_) => {
                StatusCode::CONFLICT
            }
            IamError::ExpiredToken(_) | IamError::InvalidClientTokenId(_) => StatusCode::FORBIDDEN,
            IamError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

/// The access key that signed a request: the `Credential=` of its
/// `Authorization` header, or a presigned URL's `X-Amz-Credential`.
pub(crate) fn signing_key(call: &Call) -> Option<String> {
    let scope = match call.header("authorization") {
        Some(auth) => auth.split("Credential=").nth(1)?.to_owned(),
        None => call.query_param("X-Amz-Credential")?,
    };
    let key = scope.split('/').next()?.trim();
    (!key.is_empty()).then(|| key.to_owned())
}

/// The request's members.
pub(crate) fn members(call: &Call) -> Result<dto::Members, ServiceError> {
    call.input()
}

/// One page of a List operation as IAM answers it: `member` holds the
/// items, `IsTruncated` says whether more remain and `Marker` continues.
/// `items` must be in ascending order of `key`.
pub(crate) fn listing<T, O: Serialize>(
    spec: &ServiceSpec,
    member: &str,
    items: Vec<T>,
    key: impl Fn(&T) -> String,
    out: impl Fn(&T) -> O,
    marker: Option<&str>,
    max_items: Option<i64>,
) -> Result<Output, ServiceError> {
    let (page, next) = cut(spec, items, key, marker, max_items)?;
    let list: Vec<O> = page.iter().map(out).collect();
    let mut m = Map::new();
    m.insert(member.to_owned(), serde_json::to_value(list).map_err(internal)?);
    finish(m, next)
}

/// The page of `items` and the marker of the next one.
pub(crate) fn cut<T>(
    spec: &ServiceSpec,
    items: Vec<T>,
    key: impl Fn(&T) -> String,
    marker: Option<&str>,
    max_items: Option<i64>,
) -> Result<(Vec<T>, Option<String>), ServiceError> {
    let max = match max_items {
        None => 100,
        Some(n) if n < 1 => {
            return Err(spec.violation(lakestack_aws_protocol::validation::Violation::at_least(
                "maxItems", n, 1,
            )));
        }
        Some(n) if n > 1000 => {
            return Err(spec.violation(lakestack_aws_protocol::validation::Violation::at_most(
                "maxItems", n, 1000,
            )));
        }
        Some(n) => n as usize,
    };
    paging::page_from(spec, items, key, marker, max)
}

/// Adds `IsTruncated` and `Marker` to a listing's members.
pub(crate) fn finish(mut m: Map<String, Value>, next: Option<String>) -> Result<Output, ServiceError> {
    m.insert("IsTruncated".into(), Value::Bool(next.is_some()));
    if let Some(n) = next {
        m.insert("Marker".into(), Value::String(n));
    }
    Ok(Output::members(Value::Object(m)))
}

pub(crate) fn internal(e: serde_json::Error) -> ServiceError {
    ServiceError::from(IamError::Internal(e.to_string()))
}

/// `{ "<member>": value }`.
pub(crate) fn one(member: &str, value: impl Serialize) -> Result<Output, ServiceError> {
    let mut m = Map::new();
    m.insert(member.to_owned(), serde_json::to_value(value).map_err(internal)?);
    Ok(Output::members(Value::Object(m)))
}

/// A path prefix filter, defaulting to `/`.
pub(crate) fn prefix(p: Option<&str>) -> Result<String, ServiceError> {
    Ok(checks::path_prefix(p)?)
}

#[cfg(test)]
mod tests;
