//! What goes wrong in a conversion, and the document Firehose writes for a
//! record that failed.
//!
//! Three kinds of failure, kept apart because the delivery path treats them
//! apart: a [`ConfigError`] rejects the API call that carried the
//! configuration; a [`ConvertError`] fails the whole object (every record of
//! it goes to the error output); a [`RecordError`] fails one record, which
//! goes to the error output while the others are converted.

use std::fmt;

use base64::Engine as _;
use serde_json::{Map, Value};

/// `lastErrorCode` of a record whose JSON could not be parsed.
pub const PARSE_ERROR: &str = "DataFormatConversion.ParseError";
/// `lastErrorCode` of a record that parsed but does not fit the table.
pub const MALFORMED_DATA: &str = "DataFormatConversion.MalformedData";
/// `lastErrorCode` of every record of an object whose table cannot be written.
pub const INVALID_SCHEMA: &str = "DataFormatConversion.InvalidSchema";
/// `lastErrorCode` of every record of an object whose writing failed: an
/// internal failure, which AWS retries and lakestack reports (our own code).
pub const INTERNAL_ERROR: &str = "DataFormatConversion.InternalError";

/// Why one record cannot be converted. It goes to the error output with
/// [`RecordError::code`] and this error's `Display` as `lastErrorMessage`;
/// the converter stays usable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordError {
    /// Nothing but whitespace.
    Empty,
    /// Not JSON; `detail` is the parser's account of where and why.
    MalformedJson { detail: String },
    /// Two keys of one object that the deserializer's key rules make the same
    /// (`URL` and `Url` when keys are case-insensitive, as OpenX refuses them).
    DuplicateKey { key: String },
    /// A string, number, boolean or null where a record's object should be.
    Primitive,
    /// An array where a record's object should be: the documented wrong input
    /// (`[{"a":1}, {"a":2}]`).
    TopLevelArray,
    /// A value that does not fit its column; `column` is its path
    /// (`address.city`).
    Mismatch { column: String, problem: Mismatch },
    /// More values than lakestack converts for one record (a guard against a
    /// small record expanding into a huge row: `{}` elements of an
    /// `array<struct<...>>` of many fields).
    TooLarge { limit: usize },
    /// More bytes than lakestack parses for one record (Firehose's own
    /// records are at most 1,000 KiB; a Lambda's output may be larger).
    TooLong { limit: usize },
}

impl RecordError {
    /// The `lastErrorCode` AWS gives it.
    pub fn code(&self) -> &'static str {
        match self {
            RecordError::MalformedJson { .. } | RecordError::DuplicateKey { .. } => PARSE_ERROR,
            RecordError::Empty
            | RecordError::Primitive
            | RecordError::TopLevelArray
            | RecordError::Mismatch { .. }
            | RecordError::TooLarge { .. }
            | RecordError::TooLong { .. } => MALFORMED_DATA,
        }
    }
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordError::Empty => f.write_str("The record was empty or contained only whitespace."),
            RecordError::MalformedJson { detail } => write!(f, "Encountered malformed JSON. {detail}"),
            RecordError::DuplicateKey { key } => write!(f, "Encountered malformed JSON. Duplicate key \"{key}\""),
            RecordError::Primitive => f.write_str(
                "The input JSON contained a primitive at the top level. The top level must be an object or array.",
            ),
            RecordError::TopLevelArray => f.write_str(
                "Data does not match the schema. An array of JSON documents is not a valid record; \
                 send the documents one after the other instead.",
            ),
            RecordError::Mismatch { column, problem } => match problem {
                // AWS passes Java's NumberFormatException text through unchanged.
                Mismatch::InputString { .. } | Mismatch::EmptyString => {
                    write!(f, "Data does not match the schema. {problem}")
                }
                _ => write!(f, "Data does not match the schema. Column {column}: {problem}"),
            },
            RecordError::TooLong { limit } => {
                write!(
                    f,
                    "The record is too large to convert: it is longer than {limit} bytes."
                )
            }
            RecordError::TooLarge { limit } => write!(
                f,
                "The record is too large to convert: it holds more than {limit} values for the table's columns."
            ),
        }
    }
}

impl std::error::Error for RecordError {}

/// How a value misses its column's type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mismatch {
    /// A string that does not parse as the column's number (Java's wording).
    InputString { text: String },
    /// An empty string for a number column (Java's wording).
    EmptyString,
    /// A number outside the column's type.
    OutOfRange { value: String, glue_type: String },
    /// A JSON value of a kind the column cannot take.
    WrongKind { expected: &'static str, found: JsonKind },
    /// A string or number that is no timestamp the deserializer reads.
    Timestamp { text: String },
    /// A string that is no `yyyy-MM-dd` date.
    Date { text: String },
    /// A `binary` value that is not base64.
    Base64 { text: String },
    /// A time in the second before 1970, which ORC cannot store (ORC-763).
    NotInOrc { text: String },
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mismatch::InputString { text } => write!(f, "For input string: \"{text}\""),
            Mismatch::EmptyString => f.write_str("empty String"),
            Mismatch::OutOfRange { value, glue_type } => write!(f, "value {value} is out of range for {glue_type}"),
            Mismatch::WrongKind { expected, found } => write!(f, "expected {expected}, found {found}"),
            Mismatch::Timestamp { text } => write!(f, "cannot parse \"{text}\" as a timestamp"),
            Mismatch::Date { text } => write!(f, "cannot parse \"{text}\" as a date (yyyy-MM-dd)"),
            Mismatch::Base64 { text } => write!(f, "\"{text}\" is not base64"),
            Mismatch::NotInOrc { text } => {
                write!(f, "\"{text}\" falls in the second before 1970, which ORC cannot store")
            }
        }
    }
}

/// The kind of a JSON value, for [`Mismatch::WrongKind`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonKind {
    Boolean,
    Number,
    String,
    Array,
    Object,
}

impl JsonKind {
    pub(crate) fn of(value: &Value) -> Option<JsonKind> {
        match value {
            Value::Null => None,
            Value::Bool(_) => Some(JsonKind::Boolean),
            Value::Number(_) => Some(JsonKind::Number),
            Value::String(_) => Some(JsonKind::String),
            Value::Array(_) => Some(JsonKind::Array),
            Value::Object(_) => Some(JsonKind::Object),
        }
    }
}

impl fmt::Display for JsonKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            JsonKind::Boolean => "a boolean",
            JsonKind::Number => "a number",
            JsonKind::String => "a string",
            JsonKind::Array => "an array",
            JsonKind::Object => "an object",
        })
    }
}

/// What fails a whole object: every record of it goes to the error output
/// with [`ConvertError::code`].
#[derive(Debug, thiserror::Error)]
pub enum ConvertError {
    #[error("The schema is invalid. The table has no columns.")]
    NoColumns,
    #[error("The schema is invalid. Column {column} of type {glue_type:?}: {problem}")]
    InvalidSchema {
        column: String,
        glue_type: String,
        problem: SchemaProblem,
    },
    #[error("could not write the Parquet object: {0}")]
    Parquet(#[from] parquet::errors::ParquetError),
    #[error("could not write the ORC object: {0}")]
    Orc(#[from] orc_rust::error::OrcError),
    #[error("could not assemble the rows: {0}")]
    Arrow(#[from] arrow_schema::ArrowError),
    #[error("could not write the object: {0}")]
    Io(#[from] std::io::Error),
}

impl ConvertError {
    /// The `lastErrorCode` of the records of the failed object.
    pub fn code(&self) -> &'static str {
        match self {
            ConvertError::NoColumns | ConvertError::InvalidSchema { .. } => INVALID_SCHEMA,
            ConvertError::Parquet(_) | ConvertError::Orc(_) | ConvertError::Arrow(_) | ConvertError::Io(_) => {
                INTERNAL_ERROR
            }
        }
    }
}

/// Why a column cannot be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemaProblem {
    /// The Glue type string does not parse (the parser's reason).
    Unparsable {
        reason: String,
    },
    EmptyName,
    /// Another column (or struct field) has the same name, ignoring case.
    DuplicateName,
    /// `struct<>`: Parquet has no empty groups.
    EmptyStruct,
    /// JSON keys are strings: a map key must be a primitive type.
    MapKey,
    /// lakestack's ORC writer writes primitive types only (no decimal,
    /// array, map or struct).
    NotInOrc,
}

impl fmt::Display for SchemaProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SchemaProblem::Unparsable { reason } => write!(f, "{reason}"),
            SchemaProblem::EmptyName => f.write_str("a column or field has an empty name"),
            SchemaProblem::DuplicateName => f.write_str("another column or field has the same name"),
            SchemaProblem::EmptyStruct => f.write_str("a struct needs at least one field"),
            SchemaProblem::MapKey => f.write_str("map keys must be of a primitive type"),
            SchemaProblem::NotInOrc => {
                f.write_str("lakestack writes ORC for primitive types only (no decimal, array, map or struct)")
            }
        }
    }
}

/// A `DataFormatConversionConfiguration` the API refuses.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    /// A member the configuration needs (`member` is its path below
    /// `DataFormatConversionConfiguration`, in the API's lowerCamelCase).
    #[error("{member} is required when data format conversion is enabled.")]
    Missing { member: String },
    /// Two members of which exactly one must be given.
    #[error("Exactly one of {first} and {second} must be specified in {member}.")]
    Conflict {
        member: String,
        first: &'static str,
        second: &'static str,
    },
    /// A member of the wrong JSON type (AWS answers SerializationException).
    #[error("Expected {expected} for {member}.")]
    WrongType { member: String, expected: &'static str },
    /// A value outside the member's constraints (AWS's ValidationException
    /// wording, without its "1 validation error detected: " lead-in, which
    /// counts all the errors of the request).
    #[error("Value '{value}' at '{member}' failed to satisfy constraint: {constraint}")]
    Constraint {
        member: String,
        value: String,
        constraint: Constraint,
    },
}

/// A constraint of the API's model.
#[derive(Debug, Clone, PartialEq)]
pub enum Constraint {
    AtLeast(i64),
    AtLeastF(f64),
    AtMostF(f64),
    OneOf(&'static [&'static str]),
    MinLength(usize),
    MaxLength(usize),
    Pattern(&'static str),
}

impl fmt::Display for Constraint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Constraint::AtLeast(n) => write!(f, "Member must have value greater than or equal to {n}"),
            Constraint::AtLeastF(n) => write!(f, "Member must have value greater than or equal to {n}"),
            Constraint::AtMostF(n) => write!(f, "Member must have value less than or equal to {n}"),
            Constraint::OneOf(values) => write!(f, "Member must satisfy enum value set: [{}]", values.join(", ")),
            Constraint::MinLength(n) => write!(f, "Member must have length greater than or equal to {n}"),
            Constraint::MaxLength(n) => write!(f, "Member must have length less than or equal to {n}"),
            Constraint::Pattern(p) => write!(f, "Member must satisfy regular expression pattern: {p}"),
        }
    }
}

/// `SchemaConfiguration`'s table, as the error document names it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DataCatalogTable {
    pub catalog_id: Option<String>,
    pub database_name: Option<String>,
    pub table_name: Option<String>,
    pub region: Option<String>,
    /// `LATEST` when the configuration names no version.
    pub version_id: Option<String>,
    pub catalog_arn: Option<String>,
}

/// One line of an object under `format-conversion-failed/`: the document the
/// "Handling errors for data format conversion" page gives, members in its
/// order.
#[derive(Debug, Clone)]
pub struct ErrorDocument<'a> {
    pub attempts_made: u32,
    pub arrival_ms: i64,
    pub code: &'a str,
    pub message: &'a str,
    pub attempt_ending_ms: i64,
    pub raw: &'a [u8],
    /// Kinesis-sourced records only; absent for Direct PUT.
    pub sequence_number: Option<&'a str>,
    pub sub_sequence_number: Option<i64>,
    pub table: &'a DataCatalogTable,
}

impl ErrorDocument<'_> {
    /// The document as a JSON object.
    pub fn to_json(&self) -> Value {
        let opt = |v: &Option<String>| v.as_ref().map_or(Value::Null, |s| Value::String(s.clone()));
        let mut table = Map::new();
        table.insert("catalogId".into(), opt(&self.table.catalog_id));
        table.insert("databaseName".into(), opt(&self.table.database_name));
        table.insert("tableName".into(), opt(&self.table.table_name));
        table.insert("region".into(), opt(&self.table.region));
        table.insert(
            "versionId".into(),
            Value::String(self.table.version_id.clone().unwrap_or_else(|| "LATEST".into())),
        );
        table.insert("catalogArn".into(), opt(&self.table.catalog_arn));
        let mut doc = Map::new();
        doc.insert("attemptsMade".into(), self.attempts_made.into());
        doc.insert("arrivalTimestamp".into(), self.arrival_ms.into());
        doc.insert("lastErrorCode".into(), self.code.into());
        doc.insert("lastErrorMessage".into(), self.message.into());
        doc.insert("attemptEndingTimestamp".into(), self.attempt_ending_ms.into());
        doc.insert(
            "rawData".into(),
            base64::engine::general_purpose::STANDARD.encode(self.raw).into(),
        );
        if let Some(seq) = self.sequence_number {
            doc.insert("sequenceNumber".into(), seq.into());
        }
        if let Some(sub) = self.sub_sequence_number {
            doc.insert("subSequenceNumber".into(), sub.into());
        }
        doc.insert("dataCatalogTable".into(), Value::Object(table));
        Value::Object(doc)
    }

    /// The document as one line of the error object (with its newline).
    pub fn to_line(&self) -> String {
        let mut line = self.to_json().to_string();
        line.push('\n');
        line
    }
}
