//! Each error's codes, once: the JSON `__type` (`com.amazonaws.sqs#` and
//! the model's shape name, as SQS answers awsJson today), the awsQuery code
//! (the model's `awsQueryError` code, which awsJson also carries in the
//! `x-amzn-query-error` header), and the status, all from the current SQS
//! model. Errors the model does not declare (InvalidParameterValue,
//! MissingParameter) are AWS's common errors; their JSON names follow
//! what AWS answers for them (`…Exception`).

use http::StatusCode;
use lakestack_aws_protocol::{AwsError, ServiceError};

use crate::error::SqsError;

/// SQS operations AWS has and lakestack does not implement: they answer
/// the kit's NotImplemented, naming the operation. Any other name is not an
/// SQS action at all.
const NOT_IMPLEMENTED: &[&str] = &["AddPermission", "RemovePermission"];

/// The answer to an operation name that is not one of [`super::SqsOp`]:
/// an AWS operation lakestack lacks keeps the kit's 501 naming it; any
/// other name is AWS's common error for an unknown action (400
/// `InvalidAction`, with AWS's awsQuery wording).
pub(super) fn unknown_operation(name: &str, kit: ServiceError) -> ServiceError {
    if NOT_IMPLEMENTED.contains(&name) {
        return kit.with_query_code("NotImplemented");
    }
    ServiceError::client(
        "InvalidAction",
        format!("The action {name} is not valid for this web service."),
    )
    .with_query_code("InvalidAction")
}

/// Gives an error the kit raised (it knows nothing of SQS's awsQuery
/// codes) the code SQS answers in awsQuery and in awsJson's
/// `x-amzn-query-error`, instead of its JSON `com.amazonaws.sqs#…` name.
/// `SqsError`s carry theirs already.
pub(super) fn query_coded(e: ServiceError) -> ServiceError {
    if e.query_code.is_some() {
        return e;
    }
    let spec = &super::SPEC;
    let code = if e.status.is_server_error() {
        "InternalError"
    } else if [spec.invalid_input_code, spec.violation_code, spec.invalid_token.0].contains(&&*e.code) {
        "InvalidParameterValue"
    } else {
        // Bare codes (SerializationException) read the same in both.
        return match e.code.rsplit_once('#') {
            Some((_, name)) => {
                let name = name.to_owned();
                e.with_query_code(name)
            }
            None => e,
        };
    };
    e.with_query_code(code)
}

/// (JSON `__type`, awsQuery code, status) of each error.
fn codes(e: &SqsError) -> (&'static str, &'static str, StatusCode) {
    use SqsError as E;
    const BAD: StatusCode = StatusCode::BAD_REQUEST;
    match e {
        E::QueueDoesNotExist => (
            "com.amazonaws.sqs#QueueDoesNotExist",
            "AWS.SimpleQueueService.NonExistentQueue",
            BAD,
        ),
        E::QueueNameExists { .. } => ("com.amazonaws.sqs#QueueNameExists", "QueueAlreadyExists", BAD),
        E::QueueDeletedRecently => (
            "com.amazonaws.sqs#QueueDeletedRecently",
            "AWS.SimpleQueueService.QueueDeletedRecently",
            BAD,
        ),
        E::UnknownAttribute(_) | E::InvalidAttributeName(_) => {
            ("com.amazonaws.sqs#InvalidAttributeName", "InvalidAttributeName", BAD)
        }
        E::InvalidAttributeValue(_) => ("com.amazonaws.sqs#InvalidAttributeValue", "InvalidAttributeValue", BAD),
        E::InvalidParameter { .. } | E::InvalidRequest(_) | E::MessageTooLong { .. } => (
            "com.amazonaws.sqs#InvalidParameterValueException",
            "InvalidParameterValue",
            BAD,
        ),
        E::MissingParameter(_) => (
            "com.amazonaws.sqs#MissingRequiredParameterException",
            "MissingParameter",
            BAD,
        ),
        E::InvalidMessageContents(_) => (
            "com.amazonaws.sqs#InvalidMessageContents",
            "InvalidMessageContents",
            BAD,
        ),
        E::ReceiptHandleIsInvalid(_) => (
            "com.amazonaws.sqs#ReceiptHandleIsInvalid",
            "ReceiptHandleIsInvalid",
            StatusCode::NOT_FOUND,
        ),
        E::MessageNotInflight => (
            "com.amazonaws.sqs#MessageNotInflight",
            "AWS.SimpleQueueService.MessageNotInflight",
            BAD,
        ),
        E::PurgeQueueInProgress(_) => (
            "com.amazonaws.sqs#PurgeQueueInProgress",
            "AWS.SimpleQueueService.PurgeQueueInProgress",
            StatusCode::FORBIDDEN,
        ),
        E::EmptyBatchRequest(_) => (
            "com.amazonaws.sqs#EmptyBatchRequest",
            "AWS.SimpleQueueService.EmptyBatchRequest",
            BAD,
        ),
        E::TooManyEntriesInBatchRequest(_) => (
            "com.amazonaws.sqs#TooManyEntriesInBatchRequest",
            "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
            BAD,
        ),
        E::BatchEntryIdsNotDistinct(_) => (
            "com.amazonaws.sqs#BatchEntryIdsNotDistinct",
            "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
            BAD,
        ),
        E::InvalidBatchEntryId => (
            "com.amazonaws.sqs#InvalidBatchEntryId",
            "AWS.SimpleQueueService.InvalidBatchEntryId",
            BAD,
        ),
        E::BatchRequestTooLong { .. } => (
            "com.amazonaws.sqs#BatchRequestTooLong",
            "AWS.SimpleQueueService.BatchRequestTooLong",
            BAD,
        ),
        E::ResourceNotFound(_) => (
            "com.amazonaws.sqs#ResourceNotFoundException",
            "ResourceNotFoundException",
            StatusCode::NOT_FOUND,
        ),
        E::UnsupportedOperation(_) => (
            "com.amazonaws.sqs#UnsupportedOperation",
            "AWS.SimpleQueueService.UnsupportedOperation",
            BAD,
        ),
        E::OverLimit(_) => ("com.amazonaws.sqs#OverLimit", "OverLimit", StatusCode::FORBIDDEN),
        E::Internal(_) => (
            "com.amazonaws.sqs#InternalError",
            "InternalError",
            StatusCode::INTERNAL_SERVER_ERROR,
        ),
    }
}

impl AwsError for SqsError {
    fn code(&self) -> &'static str {
        codes(self).0
    }

    fn query_code(&self) -> Option<&'static str> {
        Some(codes(self).1)
    }

    fn status(&self) -> StatusCode {
        codes(self).2
    }
}

impl SqsError {
    /// The model's shape name (`QueueDoesNotExist`): what the SDKs name the
    /// exception, and what in-process callers (Step Functions' `SQS.`
    /// errors) can name it by.
    pub fn shape(&self) -> &'static str {
        let json = codes(self).0;
        json.rsplit('#').next().unwrap_or(json)
    }

    /// The awsQuery code, which batch result entries carry as `Code`.
    pub fn query_code_text(&self) -> &'static str {
        codes(self).1
    }

    /// Whether the caller is at fault (batch entries' `SenderFault`).
    pub fn sender_fault(&self) -> bool {
        !codes(self).2.is_server_error()
    }
}
