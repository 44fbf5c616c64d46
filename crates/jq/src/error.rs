//! The crate's error types, one per concern: [`ParseError`] for query text that is not
//! in the supported subset, [`EvalError`] for a run that failed or hit a bound, and
//! [`PartitionError`] for a run whose result cannot become Firehose partition keys.

use std::fmt;

/// Query text that could not be parsed: a syntax error, a jq feature outside the
/// supported subset, or a bound on the text (length, nesting) exceeded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    offset: usize,
    line: usize,
    column: usize,
    message: String,
}

impl ParseError {
    /// An error at byte `offset` of `text`; line and column (1-based, the column in
    /// characters) are worked out here so every caller reports them alike.
    pub(crate) fn at(text: &str, offset: usize, message: impl Into<String>) -> Self {
        let offset = offset.min(text.len());
        let before = text.get(..offset).unwrap_or(text);
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
        ParseError {
            offset,
            line,
            column,
            message: message.into(),
        }
    }

    /// Byte offset in the query text where the problem was found.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// 1-based line of [`offset`](Self::offset).
    pub fn line(&self) -> usize {
        self.line
    }

    /// 1-based column (in characters) of [`offset`](Self::offset).
    pub fn column(&self) -> usize {
        self.column
    }

    /// What is wrong, without the position.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "jq: error at line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for ParseError {}

/// The bound a run exceeded (see [`crate::limits`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// The evaluation step budget ([`crate::limits::MAX_STEPS`]).
    Steps,
    /// The number of outputs of one run ([`crate::limits::MAX_OUTPUTS`]).
    Outputs,
    /// The length of one string ([`crate::limits::MAX_STRING_BYTES`]).
    StringLength,
    /// The length of one array ([`crate::limits::MAX_ARRAY_LEN`]).
    ArrayLength,
    /// The nesting depth of the input record ([`crate::limits::MAX_INPUT_DEPTH`]).
    InputDepth,
}

impl Limit {
    fn describe(self) -> String {
        use crate::limits::*;
        match self {
            Limit::Steps => format!("the step budget ({MAX_STEPS} steps)"),
            Limit::Outputs => format!("the output limit ({MAX_OUTPUTS} outputs)"),
            Limit::StringLength => format!("the string length limit ({MAX_STRING_BYTES} bytes)"),
            Limit::ArrayLength => format!("the array length limit ({MAX_ARRAY_LEN} elements)"),
            Limit::InputDepth => format!("the input nesting limit ({MAX_INPUT_DEPTH} levels)"),
        }
    }
}

/// A run that did not produce its outputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvalError {
    /// An error jq itself would report (a type error, `error(...)`, a bad date...),
    /// not caught by `try`. The message is worded as jq 1.6 words it where practical.
    Runtime(String),
    /// A bound on work or memory was exceeded; `try` cannot catch this.
    LimitExceeded(Limit),
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EvalError::Runtime(message) => write!(f, "jq: error: {message}"),
            EvalError::LimitExceeded(limit) => write!(f, "jq: query exceeded {}", limit.describe()),
        }
    }
}

impl std::error::Error for EvalError {}

/// Why a record's query result cannot serve as Firehose partition keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartitionError {
    /// The query failed.
    Eval(EvalError),
    /// The query produced no output for the record.
    NoOutput,
    /// The query produced more than one output (how many).
    MultipleOutputs(usize),
    /// The output was not a JSON object (its jq type name).
    NotAnObject(&'static str),
    /// The object has more keys than [`crate::limits::MAX_PARTITION_KEYS`] (how many).
    TooManyKeys(usize),
    /// A key's value is null or the empty string.
    NullOrEmptyValue {
        /// The partition key.
        key: String,
    },
    /// A key's value is an array or object (its jq type name).
    NotAScalar {
        /// The partition key.
        key: String,
        /// `"array"` or `"object"`.
        kind: &'static str,
    },
}

impl fmt::Display for PartitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PartitionError::Eval(e) => e.fmt(f),
            PartitionError::NoOutput => f.write_str("the metadata extraction query produced no output"),
            PartitionError::MultipleOutputs(n) => {
                write!(
                    f,
                    "the metadata extraction query produced {n} outputs, expected one object"
                )
            }
            PartitionError::NotAnObject(kind) => {
                write!(f, "the metadata extraction query produced {kind}, expected an object")
            }
            PartitionError::TooManyKeys(n) => write!(
                f,
                "the metadata extraction query produced {n} partition keys, more than the {} allowed",
                crate::limits::MAX_PARTITION_KEYS
            ),
            PartitionError::NullOrEmptyValue { key } => {
                write!(f, "partition key {key:?}: the value must not be null or empty")
            }
            PartitionError::NotAScalar { key, kind } => {
                write!(
                    f,
                    "partition key {key:?}: the value is {kind}, expected a string, number or boolean"
                )
            }
        }
    }
}

impl std::error::Error for PartitionError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            PartitionError::Eval(e) => Some(e),
            _ => None,
        }
    }
}

impl From<EvalError> for PartitionError {
    fn from(e: EvalError) -> Self {
        PartitionError::Eval(e)
    }
}
