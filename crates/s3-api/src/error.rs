//! The one place where storage errors become S3 error codes.

use lakestack_storage::StorageError;
use s3s::{S3Error, S3ErrorCode};

pub(crate) fn s3_error(e: StorageError) -> S3Error {
    use S3ErrorCode as C;
    let (code, msg): (C, String) = match &e {
        StorageError::NoSuchBucket(_) => (C::NoSuchBucket, "The specified bucket does not exist".into()),
        StorageError::BucketAlreadyExists(_) => (
            C::BucketAlreadyOwnedByYou,
            "Your previous request to create the named bucket succeeded and you already own it.".into(),
        ),
        StorageError::BucketNotEmpty(_) => {
            (C::BucketNotEmpty, "The bucket you tried to delete is not empty".into())
        }
        StorageError::NoSuchKey { .. } => (C::NoSuchKey, "The specified key does not exist.".into()),
        StorageError::NoSuchVersion { .. } => {
            (C::NoSuchVersion, "The specified version does not exist.".into())
        }
        StorageError::DeleteMarker { .. } => (C::NoSuchKey, "The specified key does not exist.".into()),
        StorageError::NoSuchUpload(_) => (
            C::NoSuchUpload,
            "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.".into(),
        ),
        StorageError::InvalidPart(_) => (
            C::InvalidPart,
            "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.".into(),
        ),
        StorageError::InvalidPartOrder => (
            C::InvalidPartOrder,
            "The list of parts was not in ascending order. Parts must be ordered by part number.".into(),
        ),
        StorageError::EntityTooSmall { .. } => {
            (C::EntityTooSmall, "Your proposed upload is smaller than the minimum allowed object size.".into())
        }
        StorageError::PreconditionFailed => {
            (C::PreconditionFailed, "At least one of the pre-conditions you specified did not hold".into())
        }
        StorageError::NoSuchConfig(kind) => (no_config_code(*kind), no_config_message(*kind).into()),
        StorageError::IncompleteBody => (
            C::IncompleteBody,
            "You did not provide the number of bytes specified by the Content-Length HTTP header.".into(),
        ),
        StorageError::Internal(_) => {
            tracing::error!(error = %e, "storage failure");
            (C::InternalError, "We encountered an internal error. Please try again.".into())
        }
    };
    S3Error::with_message(code, msg)
}

fn no_config_code(kind: lakestack_storage::ConfigKind) -> S3ErrorCode {
    use lakestack_storage::ConfigKind as K;
    match kind {
        K::Cors => S3ErrorCode::NoSuchCORSConfiguration,
        K::Tagging => S3ErrorCode::NoSuchTagSet,
        K::Policy => S3ErrorCode::NoSuchBucketPolicy,
        K::Lifecycle => S3ErrorCode::NoSuchLifecycleConfiguration,
        K::Encryption => S3ErrorCode::ServerSideEncryptionConfigurationNotFoundError,
        K::Notification => S3ErrorCode::InvalidRequest,
    }
}

fn no_config_message(kind: lakestack_storage::ConfigKind) -> &'static str {
    use lakestack_storage::ConfigKind as K;
    match kind {
        K::Cors => "The CORS configuration does not exist",
        K::Tagging => "The TagSet does not exist",
        K::Policy => "The bucket policy does not exist",
        K::Lifecycle => "The lifecycle configuration does not exist",
        K::Encryption => "The server side encryption configuration was not found",
        K::Notification => "The notification configuration does not exist",
    }
}

pub(crate) fn invalid_argument(msg: impl Into<String>) -> S3Error {
    S3Error::with_message(S3ErrorCode::InvalidArgument, msg.into())
}

pub(crate) fn internal(e: impl std::fmt::Display) -> S3Error {
    tracing::error!(error = %e, "internal failure");
    S3Error::with_message(
        S3ErrorCode::InternalError,
        "We encountered an internal error. Please try again.",
    )
}
