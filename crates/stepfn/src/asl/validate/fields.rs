//! Which fields each object of the language accepts, and the numeric limits AWS enforces.

pub(super) const ROOT_FIELDS: &[&str] = &[
    "Comment",
    "StartAt",
    "States",
    "TimeoutSeconds",
    "Version",
    "QueryLanguage",
];
pub(super) const BRANCH_FIELDS: &[&str] = &["Comment", "StartAt", "States"];
pub(super) const PROCESSOR_FIELDS: &[&str] = &["Comment", "StartAt", "States", "ProcessorConfig"];
/// AWS lists missing top-level fields in this order.
pub(super) const MACHINE_REQUIRED: &[&str] = &["States", "StartAt"];

pub(super) const STATE_TYPES: &[&str] = &["Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"];

pub(super) const JSONPATH_ONLY: &[&str] = &[
    "InputPath",
    "OutputPath",
    "ResultPath",
    "Parameters",
    "ResultSelector",
    "Result",
    "ItemsPath",
    "TimeoutSecondsPath",
    "HeartbeatSecondsPath",
    "SecondsPath",
    "TimestampPath",
    "MaxConcurrencyPath",
    "ToleratedFailurePercentagePath",
    "ToleratedFailureCountPath",
    "ErrorPath",
    "CausePath",
];
pub(super) const JSONATA_ONLY: &[&str] = &["Arguments", "Output", "Items"];

pub(super) const STATE_COMMON: &[&str] = &["Type", "Comment", "QueryLanguage"];

/// Fields each state type accepts in either query language, as measured against AWS.
pub(super) fn type_fields(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Pass => &[
            "InputPath",
            "OutputPath",
            "Result",
            "ResultPath",
            "Parameters",
            "Output",
            "Assign",
            "Next",
            "End",
        ],
        Kind::Task => &[
            "InputPath",
            "OutputPath",
            "ResultPath",
            "Parameters",
            "Arguments",
            "Output",
            "Assign",
            "Resource",
            "Credentials",
            "ResultSelector",
            "Retry",
            "Catch",
            "TimeoutSeconds",
            "TimeoutSecondsPath",
            "HeartbeatSeconds",
            "HeartbeatSecondsPath",
            "Next",
            "End",
        ],
        Kind::Wait => &[
            "InputPath",
            "OutputPath",
            "Output",
            "Assign",
            "Seconds",
            "Timestamp",
            "SecondsPath",
            "TimestampPath",
            "Next",
            "End",
        ],
        Kind::Parallel => &[
            "InputPath",
            "OutputPath",
            "ResultPath",
            "Parameters",
            "Arguments",
            "Output",
            "Assign",
            "ResultSelector",
            "Retry",
            "Catch",
            "Branches",
            "Next",
            "End",
        ],
        Kind::Map => &[
            "InputPath",
            "OutputPath",
            "ResultPath",
            "Parameters",
            "Output",
            "Assign",
            "ResultSelector",
            "Retry",
            "Catch",
            "ItemProcessor",
            "Iterator",
            "ItemsPath",
            "Items",
            "ItemSelector",
            "ItemReader",
            "ItemBatcher",
            "ResultWriter",
            "MaxConcurrency",
            "MaxConcurrencyPath",
            "ToleratedFailurePercentage",
            "ToleratedFailurePercentagePath",
            "ToleratedFailureCount",
            "ToleratedFailureCountPath",
            "Label",
            "Next",
            "End",
        ],
        Kind::Choice => &["InputPath", "OutputPath", "Output", "Assign", "Choices", "Default"],
        Kind::Succeed => &["InputPath", "OutputPath", "Output"],
        Kind::Fail => &["Error", "Cause", "ErrorPath", "CausePath"],
    }
}

pub(super) const RETRIER_FIELDS: &[&str] = &[
    "ErrorEquals",
    "IntervalSeconds",
    "MaxAttempts",
    "BackoffRate",
    "MaxDelaySeconds",
    "JitterStrategy",
    "Comment",
];
pub(super) const CATCHER_FIELDS: &[&str] = &["ErrorEquals", "Next", "ResultPath", "Comment", "Assign", "Output"];
pub(super) const ITEM_READER_FIELDS: &[&str] = &["Resource", "ReaderConfig", "Parameters", "Arguments"];
pub(super) const READER_CONFIG_FIELDS: &[&str] = &[
    "InputType",
    "CSVHeaderLocation",
    "CSVHeaders",
    "CSVDelimiter",
    "ManifestType",
    "ItemsPointer",
    "MaxItems",
    "MaxItemsPath",
];
pub(super) const ITEM_BATCHER_FIELDS: &[&str] = &[
    "MaxItemsPerBatch",
    "MaxItemsPerBatchPath",
    "MaxInputBytesPerBatch",
    "MaxInputBytesPerBatchPath",
    "BatchInput",
];
pub(super) const RESULT_WRITER_FIELDS: &[&str] = &["Resource", "Parameters", "Arguments", "WriterConfig"];
pub(super) const WAIT_FIELDS: &[&str] = &["SecondsPath", "Seconds", "TimestampPath", "Timestamp"];

/// The 39 data-test operators, in the order they are listed in diagnostics.
pub(crate) const COMPARISON_OPERATORS: &[&str] = &[
    "StringEquals",
    "StringEqualsPath",
    "StringLessThan",
    "StringLessThanPath",
    "StringGreaterThan",
    "StringGreaterThanPath",
    "StringLessThanEquals",
    "StringLessThanEqualsPath",
    "StringGreaterThanEquals",
    "StringGreaterThanEqualsPath",
    "StringMatches",
    "NumericEquals",
    "NumericEqualsPath",
    "NumericLessThan",
    "NumericLessThanPath",
    "NumericGreaterThan",
    "NumericGreaterThanPath",
    "NumericLessThanEquals",
    "NumericLessThanEqualsPath",
    "NumericGreaterThanEquals",
    "NumericGreaterThanEqualsPath",
    "BooleanEquals",
    "BooleanEqualsPath",
    "TimestampEquals",
    "TimestampEqualsPath",
    "TimestampLessThan",
    "TimestampLessThanPath",
    "TimestampGreaterThan",
    "TimestampGreaterThanPath",
    "TimestampLessThanEquals",
    "TimestampLessThanEqualsPath",
    "TimestampGreaterThanEquals",
    "TimestampGreaterThanEqualsPath",
    "IsNull",
    "IsPresent",
    "IsNumeric",
    "IsString",
    "IsBoolean",
    "IsTimestamp",
];
pub(super) const RULE_SELECTORS: &[&str] = &["And", "Or", "Not", "Variable"];

pub(super) const MAX_STATE_NAME_LENGTH: usize = 80;
pub(super) const MAX_SECONDS: u64 = 99_999_999;
pub(super) const MAX_READER_ITEMS: u64 = 100_000_000;
pub(super) const MAX_RETRY_DELAY_SECONDS: u64 = 31_622_400;

/// A state's `Type`, named as in [`STATE_TYPES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Pass,
    Task,
    Choice,
    Wait,
    Succeed,
    Fail,
    Parallel,
    Map,
}

impl Kind {
    pub(super) fn from_name(name: &str) -> Option<Kind> {
        Some(match name {
            "Pass" => Kind::Pass,
            "Task" => Kind::Task,
            "Choice" => Kind::Choice,
            "Wait" => Kind::Wait,
            "Succeed" => Kind::Succeed,
            "Fail" => Kind::Fail,
            "Parallel" => Kind::Parallel,
            "Map" => Kind::Map,
            _ => return None,
        })
    }
}
