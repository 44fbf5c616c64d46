//! S3 object keys as Firehose forms them, and the `CreateDeliveryStream` /
//! `UpdateDestination` rules on the members that shape them (`Prefix`,
//! `ErrorOutputPrefix`, `FileExtension`, `CustomTimeZone`).
//!
//! Pure code: no I/O, no clock, no randomness except [`random_string`]; the
//! delivery loop passes the instant, the zone, the partition keys and the
//! random strings in a [`KeyContext`], so the same inputs always give the same
//! key and the fixtures under `tests/fixtures/keys_*.json` pin the layout.
//!
//! # Layout
//!
//! "Configure Amazon S3 object name format" (Firehose developer guide): a key
//! is `<evaluated prefix><suffix>`, the suffix being
//! `<stream name>-<stream version>-<year>-<month>-<day>-<hour>-<minute>-<second>-<uuid><file extension>`
//! ([`object_name`]). The version starts at 1 and grows by one with every
//! configuration change. "By default, the time zone used for time prefix and
//! suffix is in UTC", and `CustomTimeZone` (an IANA zone such as `Asia/Tokyo`)
//! changes both. "Custom Prefixes for Amazon S3 Objects": the time is "the
//! approximate arrival timestamp of the oldest record" in the object, and every
//! `timestamp` expression in one prefix evaluates to that same instant.
//!
//! # When `YYYY/MM/dd/HH/` is added
//!
//! The guide gives two rules that disagree: the custom-prefix page says "Custom
//! prefix you specify will override the default prefix of `YYYY/MM/dd/HH`",
//! while its older "Semantic rules" say the time is appended to a prefix
//! holding no `timestamp` expression. Its own dynamic-partitioning example
//! (`customer_id=!{partitionKeyFromQuery:customer_id}/...` delivering to
//! `customer_id=1234567890/.../my-delivery-stream-2019-...`) has no timestamp
//! and gets nothing appended, and keys captured from the live service
//! (floci-io/floci#1857) agree: **the time prefix is appended only when the
//! prefix holds no expression at all**, by plain concatenation (`logs` gives
//! `logs2018/08/27/10/...`; no `/` is inserted).
//!
//! Failed records go under `ErrorOutputPrefix`. When it is absent (allowed only
//! if `Prefix` holds no expression) or holds no expression, the guide's rule is
//! `<prefix><error-output-type>` then the time; the guide's example shows a `/`
//! after the type (`myFirehosePrefix/processing-failed/2018/08/27/`), so the
//! layout here is `<prefix><error-output-type>/YYYY/MM/dd/HH/`. An
//! `ErrorOutputPrefix` with expressions is evaluated as written.
//!
//! # Expressions
//!
//! `!{namespace:value}` with `namespace` one of:
//! - `timestamp`: a Java `DateTimeFormatter` pattern (see `keys/pattern.rs`
//!   for the letters, quoting and the assumptions about locale and zone names);
//! - `firehose:random-string`: "a random string of 11 characters", a new one
//!   for every instance; the guide's example output `046b6c7f-0b` is the head
//!   of a UUID, which is what [`random_string`] makes;
//! - `firehose:error-output-type`: only in `ErrorOutputPrefix`; one of
//!   [`ErrorOutputType`]. The guide lists `processing-failed`,
//!   `AmazonOpenSearchService-failed` (formerly `elasticsearch-failed`),
//!   `splunk-failed`, `format-conversion-failed` and `http-endpoint-failed`;
//!   records that dynamic partitioning cannot place go to
//!   `partitioning-failed`, which the AWS CDK's integration test against the
//!   live service asserts (`error-output/partitioning-failed/`);
//! - `partitionKeyFromQuery:<key>` / `partitionKeyFromLambda:<key>` ("Dynamic
//!   partitioning" page): keys from the jq `MetadataExtraction` processor or
//!   from the Lambda's `metadata.partitionKeys`; only in `Prefix` and only with
//!   dynamic partitioning enabled. AWS documents no escaping of key values, so
//!   they are inserted verbatim (a `/` in a value makes a deeper "folder"); a
//!   missing key fails the record, which then belongs under
//!   `partitioning-failed`.
//!
//! # Validation
//!
//! Messages are AWS's. Sources: (G) the developer guide; (R) error text
//! reported by users of the live service (terraform-provider-aws PR #13416,
//! serverless #6015, terraform-provider-aws #29092) or quoted as the
//! CloudFormation message in the AWS CDK source; (C) a third-party catalogue
//! of service responses, not confirmed elsewhere; (M) the API model
//! (botocore `firehose/2015-08-04`); (F) captured by floci-io/floci#2328.
//!
//! | Rule | Code | Message |
//! |---|---|---|
//! | `Prefix`/`ErrorOutputPrefix` ≤ 1024 (M) | `ValidationException` | `1 validation error detected: Value '…' at 'extendedS3DestinationConfiguration.prefix' failed to satisfy constraint: Member must have length less than or equal to 1024` |
//! | `!{` only opens `!{namespace:value}` (G, C) | `InvalidArgumentException` | `Invalid expression usage` |
//! | known namespace (C) | `InvalidArgumentException` | `Namespace to the left of colon (foo) is an invalid keyword!` |
//! | `firehose` values, `timestamp` letters (C) | `InvalidArgumentException` | `Invalid conversion character used in the value of the expression in Prefix` |
//! | no `error-output-type` in `Prefix` (G, C) | `InvalidArgumentException` | `Prefix must not contain any occurrence of !{firehose:error-output-type}` |
//! | partition keys need dynamic partitioning (R) | `InvalidArgumentException` | `Dynamic Partitioning Namespaces can only be part of a prefix expression when Dynamic Partitioning is enabled.` |
//! | no partition keys in `ErrorOutputPrefix` (G, C) | `InvalidArgumentException` | `Dynamic Partitioning Namespaces can't be part of an error prefix expression` |
//! | dynamic partitioning needs a partition key in `Prefix` (R) | `InvalidArgumentException` | `S3 Prefix should contain Dynamic Partitioning namespaces when Dynamic Partitioning is enabled` |
//! | `ErrorOutputPrefix` required when `Prefix` has expressions (G, R) | `InvalidArgumentException` | `Ths supplied prefix(es) do not satisfy the following constraint: ErrorOutputPrefix cannot be null or empty when Prefix contains expressions` (AWS's typo kept) |
//! | `ErrorOutputPrefix` with expressions needs `error-output-type` (G, C) | `InvalidArgumentException` | `ErrorOutputPrefix must contain at least one occurrence of !{firehose:error-output-type}` |
//! | evaluated prefix ≤ 512 characters (G, C) | `InvalidArgumentException` | `Length of evaluated prefix cannot be greater than 512` (`... evaluated ErrorOutputPrefix ...`) |
//! | jq keys all used in `Prefix` (C) | `InvalidArgumentException` | `MetaDataExtraction JQ Query can't contain keys that are not present in the S3 Prefix expression` |
//! | `FileExtension` ≤ 128, pattern (M, F) | `ValidationException` | `... Member must satisfy regular expression pattern: ^(\|\.[0-9a-z!\-_.*'()]+)$` |
//! | `CustomTimeZone` ≤ 50, pattern (M) | `ValidationException` | `... Member must satisfy regular expression pattern: ^$\|[a-zA-Z/_]+` |
//! | no S3 compression with format conversion (C) | `InvalidArgumentException` | `The S3 destination's compression format must be set to UNCOMPRESSED when data format conversion is enabled` |
//!
//! The create-time 512 check uses a lower bound (every literal character plus
//! one per expression), as the service cannot know the values yet; at
//! delivery the whole evaluated prefix is checked again. A zone that matches
//! the pattern but is no IANA zone is refused with a message of ours (AWS's
//! wording for that case is unknown). No rule was found that forbids a
//! leading `/`, so none is applied. S3 keys are at most 1024 bytes.
//!
//! # Extensions
//!
//! "Configure Amazon S3 object name format" tables the extension Firehose adds:
//! `.parquet` / `.orc` for record format conversion (which requires
//! `CompressionFormat` `UNCOMPRESSED`, so no compression extension is added to
//! them), `.gz`, `.zip`, `.snappy`, and none for uncompressed data. The table
//! gives `.hsnappy` for `HADOOP_SNAPPY`, but objects delivered by the service
//! carry `.snappy` (floci-io/floci#2328, seen on two dates); the service wins.
//! A `FileExtension` replaces the default outright.

mod pattern;
#[cfg(test)]
mod tests;

use std::fmt;

use chrono::{DateTime, Offset, Utc};
use chrono_tz::{OffsetName, Tz};

use crate::compress::Compression;
pub use pattern::{PatternProblem, PrintProblem};
use pattern::{TimePattern, ZonedTime};

/// `Prefix` and `ErrorOutputPrefix` length in the API model.
pub const MAX_PREFIX_LENGTH: usize = 1024;
/// "Neither Prefix nor ErrorOutputPrefix can be greater than 512 characters
/// after they're evaluated."
pub const MAX_EVALUATED_PREFIX_LENGTH: usize = 512;
/// S3's limit on a key, in UTF-8 bytes.
pub const MAX_OBJECT_KEY_BYTES: usize = 1024;
/// `FileExtension` length in the API model.
pub const MAX_FILE_EXTENSION_LENGTH: usize = 128;
/// `CustomTimeZone` length in the API model.
pub const MAX_CUSTOM_TIME_ZONE_LENGTH: usize = 50;
/// Length of `!{firehose:random-string}`.
pub const RANDOM_STRING_LENGTH: usize = 11;
/// Expressions in one prefix. The 1024-character cap already bounds them
/// (the shortest valid expression takes 13 characters); this bounds parse and
/// render work even if a caller skips the length check.
pub const MAX_EXPRESSIONS: usize = 128;

/// The time prefix added to a prefix without expressions.
const DEFAULT_TIME_PREFIX: &str = "yyyy/MM/dd/HH/";
/// `FileExtension` pattern as the service prints it (floci-io/floci#2328);
/// the published model writes it `^$|\.[0-9a-z!\-_.*'()]+`.
const FILE_EXTENSION_PATTERN: &str = r"^(|\.[0-9a-z!\-_.*'()]+)$";
const CUSTOM_TIME_ZONE_PATTERN: &str = "^$|[a-zA-Z/_]+";

/// Which prefix a template is: they take different expressions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrefixRole {
    /// `Prefix`: where delivered records go.
    Data,
    /// `ErrorOutputPrefix`: where failed records go.
    Error,
}

impl PrefixRole {
    /// The API member name, as AWS's messages spell it.
    pub fn field_name(self) -> &'static str {
        match self {
            Self::Data => "Prefix",
            Self::Error => "ErrorOutputPrefix",
        }
    }

    fn member(self) -> Member {
        match self {
            Self::Data => Member::Prefix,
            Self::Error => Member::ErrorOutputPrefix,
        }
    }
}

/// The request structure a member arrived in; `ValidationException` messages
/// name it (`extendedS3DestinationConfiguration.prefix`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ApiShape {
    #[default]
    ExtendedS3DestinationConfiguration,
    ExtendedS3DestinationUpdate,
    S3DestinationConfiguration,
    S3DestinationUpdate,
}

impl ApiShape {
    /// The member path's first segment.
    pub fn path(self) -> &'static str {
        match self {
            Self::ExtendedS3DestinationConfiguration => "extendedS3DestinationConfiguration",
            Self::ExtendedS3DestinationUpdate => "extendedS3DestinationUpdate",
            Self::S3DestinationConfiguration => "s3DestinationConfiguration",
            Self::S3DestinationUpdate => "s3DestinationUpdate",
        }
    }
}

/// A member whose model constraints this module checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Member {
    Prefix,
    ErrorOutputPrefix,
    FileExtension,
    CustomTimeZone,
}

impl Member {
    /// The member path's last segment.
    pub fn path(self) -> &'static str {
        match self {
            Self::Prefix => "prefix",
            Self::ErrorOutputPrefix => "errorOutputPrefix",
            Self::FileExtension => "fileExtension",
            Self::CustomTimeZone => "customTimeZone",
        }
    }
}

/// What `!{firehose:error-output-type}` evaluates to: why the records failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorOutputType {
    /// The Lambda processor failed or marked the record `ProcessingFailed`.
    ProcessingFailed,
    /// Record format conversion could not parse or convert the record.
    FormatConversionFailed,
    /// Dynamic partitioning could not extract or evaluate the keys.
    PartitioningFailed,
    /// The OpenSearch destination refused the document.
    AmazonOpenSearchServiceFailed,
    /// The pre-2021 name of the OpenSearch failure.
    ElasticsearchFailed,
    SplunkFailed,
    HttpEndpointFailed,
}

impl ErrorOutputType {
    pub const ALL: [ErrorOutputType; 7] = [
        Self::ProcessingFailed,
        Self::FormatConversionFailed,
        Self::PartitioningFailed,
        Self::AmazonOpenSearchServiceFailed,
        Self::ElasticsearchFailed,
        Self::SplunkFailed,
        Self::HttpEndpointFailed,
    ];

    /// The folder name Firehose writes.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ProcessingFailed => "processing-failed",
            Self::FormatConversionFailed => "format-conversion-failed",
            Self::PartitioningFailed => "partitioning-failed",
            Self::AmazonOpenSearchServiceFailed => "AmazonOpenSearchService-failed",
            Self::ElasticsearchFailed => "elasticsearch-failed",
            Self::SplunkFailed => "splunk-failed",
            Self::HttpEndpointFailed => "http-endpoint-failed",
        }
    }

    /// The inverse of [`as_str`](Self::as_str).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == name)
    }
}

/// Where a partition key comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeySource {
    /// `partitionKeyFromQuery`: the jq `MetadataExtraction` processor.
    Query,
    /// `partitionKeyFromLambda`: the Lambda processor's `partitionKeys`.
    Lambda,
}

impl KeySource {
    /// The expression namespace.
    pub fn namespace(self) -> &'static str {
        match self {
            Self::Query => "partitionKeyFromQuery",
            Self::Lambda => "partitionKeyFromLambda",
        }
    }
}

/// Record format conversion's output (`OutputFormatConfiguration.Serializer`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutputFormat {
    Parquet,
    Orc,
}

/// The error code a validation failure answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// A semantic rule of the service.
    InvalidArgument,
    /// A member outside the API model's constraints.
    Validation,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidArgument => "InvalidArgumentException",
            Self::Validation => "ValidationException",
        }
    }
}

/// Everything that can go wrong with a key: the configuration rules (with
/// AWS's code and message) and the failures of evaluating a prefix for one
/// delivery (no API code; the records go to the error output).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyError {
    /// A member longer than the model allows (UTF-16 units, as Java counts).
    TooLong {
        shape: ApiShape,
        member: Member,
        value: String,
        max: usize,
    },
    /// A member outside the model's pattern.
    PatternMismatch {
        shape: ApiShape,
        member: Member,
        value: String,
        pattern: &'static str,
    },
    /// A `!{` that does not open a well-formed `!{namespace:value}`.
    InvalidExpression {
        role: PrefixRole,
    },
    UnknownNamespace {
        role: PrefixRole,
        namespace: String,
    },
    /// `!{firehose:...}` with a value other than `random-string` and `error-output-type`.
    InvalidFirehoseValue {
        role: PrefixRole,
        value: String,
    },
    InvalidTimestampPattern {
        role: PrefixRole,
        pattern: String,
        problem: PatternProblem,
    },
    ErrorOutputTypeInPrefix,
    PartitionKeyInErrorPrefix,
    PartitioningNotEnabled,
    PartitioningNamespaceMissing,
    ErrorOutputPrefixRequired,
    ErrorOutputTypeRequired,
    /// Even the shortest evaluation of the prefix is over 512 characters.
    EvaluatedPrefixTooLong {
        role: PrefixRole,
        min_length: usize,
    },
    /// A key the jq query extracts that `Prefix` never uses.
    QueryKeyNotInPrefix {
        key: String,
    },
    CompressionWithConversion {
        compression: Compression,
    },
    /// A `CustomTimeZone` of the right shape that names no IANA zone.
    UnknownTimeZone {
        value: String,
    },
    /// Delivery: the record has no such partition key.
    MissingPartitionKey {
        source: KeySource,
        name: String,
    },
    /// Delivery: an error prefix rendered without an error output type.
    MissingErrorOutputType,
    /// Delivery: fewer random strings than `!{firehose:random-string}` expressions.
    MissingRandomString {
        needed: usize,
        given: usize,
    },
    /// Delivery: the pattern compiled but cannot print this instant.
    UnprintableTimestamp {
        pattern: String,
        problem: PrintProblem,
    },
    /// Delivery: the evaluated prefix is over 512 characters.
    RenderedPrefixTooLong {
        role: PrefixRole,
        length: usize,
    },
    /// Delivery: the whole key is over S3's 1024 bytes.
    ObjectKeyTooLong {
        length: usize,
    },
}

impl KeyError {
    /// The API error code, or `None` for failures at delivery time.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Self::TooLong { .. } | Self::PatternMismatch { .. } => Some(ErrorCode::Validation),
            Self::MissingPartitionKey { .. }
            | Self::MissingErrorOutputType
            | Self::MissingRandomString { .. }
            | Self::UnprintableTimestamp { .. }
            | Self::RenderedPrefixTooLong { .. }
            | Self::ObjectKeyTooLong { .. } => None,
            _ => Some(ErrorCode::InvalidArgument),
        }
    }

    /// For a delivery failure that AWS files under a known error output type
    /// ("Troubleshoot dynamic partitioning errors": keys that cannot be
    /// extracted or expressions that cannot be evaluated), that type.
    pub fn error_output_type(&self) -> Option<ErrorOutputType> {
        match self {
            Self::MissingPartitionKey { .. }
            | Self::RenderedPrefixTooLong {
                role: PrefixRole::Data, ..
            } => Some(ErrorOutputType::PartitioningFailed),
            _ => None,
        }
    }

    /// Re-targets a `ValidationException` at the shape the member came in.
    pub fn in_shape(self, shape: ApiShape) -> Self {
        match self {
            Self::TooLong { member, value, max, .. } => Self::TooLong {
                shape,
                member,
                value,
                max,
            },
            Self::PatternMismatch {
                member, value, pattern, ..
            } => Self::PatternMismatch {
                shape,
                member,
                value,
                pattern,
            },
            other => other,
        }
    }

    /// The message, in AWS's words for the configuration rules.
    pub fn message(&self) -> String {
        match self {
            Self::TooLong { shape, member, value, max } => format!(
                "1 validation error detected: Value '{value}' at '{}.{}' failed to satisfy constraint: Member must have length less than or equal to {max}",
                shape.path(),
                member.path()
            ),
            Self::PatternMismatch { shape, member, value, pattern } => format!(
                "1 validation error detected: Value '{value}' at '{}.{}' failed to satisfy constraint: Member must satisfy regular expression pattern: {pattern}",
                shape.path(),
                member.path()
            ),
            Self::InvalidExpression { .. } => "Invalid expression usage".to_owned(),
            Self::UnknownNamespace { namespace, .. } => {
                format!("Namespace to the left of colon ({namespace}) is an invalid keyword!")
            }
            Self::InvalidFirehoseValue { role, .. } | Self::InvalidTimestampPattern { role, .. } => format!(
                "Invalid conversion character used in the value of the expression in {}",
                role.field_name()
            ),
            Self::ErrorOutputTypeInPrefix => {
                "Prefix must not contain any occurrence of !{firehose:error-output-type}".to_owned()
            }
            Self::PartitionKeyInErrorPrefix => {
                "Dynamic Partitioning Namespaces can't be part of an error prefix expression".to_owned()
            }
            Self::PartitioningNotEnabled => "Dynamic Partitioning Namespaces can only be part of a prefix expression when Dynamic Partitioning is enabled.".to_owned(),
            Self::PartitioningNamespaceMissing => {
                "S3 Prefix should contain Dynamic Partitioning namespaces when Dynamic Partitioning is enabled".to_owned()
            }
            Self::ErrorOutputPrefixRequired => "Ths supplied prefix(es) do not satisfy the following constraint: ErrorOutputPrefix cannot be null or empty when Prefix contains expressions".to_owned(),
            Self::ErrorOutputTypeRequired => {
                "ErrorOutputPrefix must contain at least one occurrence of !{firehose:error-output-type}".to_owned()
            }
            Self::EvaluatedPrefixTooLong { role, .. } => format!(
                "Length of evaluated {} cannot be greater than {MAX_EVALUATED_PREFIX_LENGTH}",
                match role {
                    PrefixRole::Data => "prefix",
                    PrefixRole::Error => "ErrorOutputPrefix",
                }
            ),
            Self::QueryKeyNotInPrefix { .. } => {
                "MetaDataExtraction JQ Query can't contain keys that are not present in the S3 Prefix expression"
                    .to_owned()
            }
            Self::CompressionWithConversion { .. } => "The S3 destination's compression format must be set to UNCOMPRESSED when data format conversion is enabled".to_owned(),
            Self::UnknownTimeZone { value } => format!("CustomTimeZone {value} is not a supported time zone"),
            Self::MissingPartitionKey { source, name } => {
                format!("Partition key {name} ({}) is missing from the record", source.namespace())
            }
            Self::MissingErrorOutputType => "No error output type was given for the error prefix".to_owned(),
            Self::MissingRandomString { needed, given } => {
                format!("The prefix needs {needed} random strings but {given} were given")
            }
            Self::UnprintableTimestamp { pattern, problem } => {
                format!("Cannot evaluate !{{timestamp:{pattern}}}: {}", problem.describe())
            }
            Self::RenderedPrefixTooLong { role, length } => format!(
                "Evaluated {} is {length} characters, more than {MAX_EVALUATED_PREFIX_LENGTH}",
                role.field_name()
            ),
            Self::ObjectKeyTooLong { length } => {
                format!("Object key is {length} bytes, more than S3's {MAX_OBJECT_KEY_BYTES}")
            }
        }
    }

    /// More than AWS says, for logs: Java's reason for a pattern refusal.
    pub fn detail(&self) -> Option<String> {
        match self {
            Self::InvalidTimestampPattern { pattern, problem, .. } => {
                Some(format!("!{{timestamp:{pattern}}}: {}", problem.describe()))
            }
            Self::InvalidFirehoseValue { value, .. } => Some(format!("!{{firehose:{value}}}")),
            Self::QueryKeyNotInPrefix { key } => Some(format!("key {key}")),
            _ => None,
        }
    }
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for KeyError {}

/// Java counts string length in UTF-16 units, and so do AWS's limits.
fn java_length(s: &str) -> usize {
    s.encode_utf16().count()
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    Timestamp { pattern: String, compiled: TimePattern },
    RandomString,
    ErrorOutputType,
    PartitionKey { source: KeySource, name: String },
}

/// A parsed `Prefix` or `ErrorOutputPrefix`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prefix {
    role: PrefixRole,
    source: String,
    parts: Vec<Part>,
}

impl Prefix {
    /// Parses a template and applies the rules that concern it alone; the
    /// rules across `Prefix` and `ErrorOutputPrefix` are [`validate`]'s.
    /// `ValidationException`s name `extendedS3DestinationConfiguration`;
    /// see [`KeyError::in_shape`].
    pub fn parse(text: &str, role: PrefixRole, dynamic_partitioning: bool) -> Result<Prefix, KeyError> {
        if java_length(text) > MAX_PREFIX_LENGTH {
            return Err(KeyError::TooLong {
                shape: ApiShape::default(),
                member: role.member(),
                value: text.to_owned(),
                max: MAX_PREFIX_LENGTH,
            });
        }
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut expressions = 0usize;
        let mut rest = text;
        while let Some(start) = rest.find("!{") {
            literal.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let invalid = KeyError::InvalidExpression { role };
            let close = after.find('}').ok_or_else(|| invalid.clone())?;
            let body = &after[..close];
            let (namespace, value) = body.split_once(':').ok_or_else(|| invalid.clone())?;
            if namespace.is_empty() || !namespace.bytes().all(|b| b.is_ascii_alphabetic()) || value.contains('{') {
                return Err(invalid);
            }
            expressions += 1;
            if expressions > MAX_EXPRESSIONS {
                return Err(invalid);
            }
            let part = parse_expression(namespace, value, role, dynamic_partitioning)?;
            if !literal.is_empty() {
                parts.push(Part::Literal(std::mem::take(&mut literal)));
            }
            parts.push(part);
            rest = &after[close + 1..];
        }
        literal.push_str(rest);
        if !literal.is_empty() {
            parts.push(Part::Literal(literal));
        }
        Ok(Prefix {
            role,
            source: text.to_owned(),
            parts,
        })
    }

    pub fn role(&self) -> PrefixRole {
        self.role
    }

    /// The template as configured.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Whether any `!{...}` appears; a prefix without one gets the default
    /// time folders.
    pub fn has_expressions(&self) -> bool {
        self.parts.iter().any(|p| !matches!(p, Part::Literal(_)))
    }

    /// The keys the prefix reads, first use first: (`partitionKeyFromQuery`,
    /// `partitionKeyFromLambda`).
    pub fn partition_keys(&self) -> (Vec<&str>, Vec<&str>) {
        let (mut query, mut lambda) = (Vec::new(), Vec::new());
        for part in &self.parts {
            if let Part::PartitionKey { source, name } = part {
                let list = match source {
                    KeySource::Query => &mut query,
                    KeySource::Lambda => &mut lambda,
                };
                if !list.contains(&name.as_str()) {
                    list.push(name.as_str());
                }
            }
        }
        (query, lambda)
    }

    /// How many random strings [`render`](Self::render) needs in
    /// [`KeyContext::random`].
    pub fn random_strings_needed(&self) -> usize {
        self.parts.iter().filter(|p| matches!(p, Part::RandomString)).count()
    }

    fn uses_error_output_type(&self) -> bool {
        self.parts.iter().any(|p| matches!(p, Part::ErrorOutputType))
    }

    /// The shortest the prefix can evaluate to: every literal character, and
    /// at least one per expression.
    fn min_evaluated_length(&self) -> usize {
        self.parts
            .iter()
            .map(|p| match p {
                Part::Literal(s) => java_length(s),
                _ => 1,
            })
            .sum()
    }

    /// Evaluates the prefix for one object.
    pub fn render(&self, ctx: &KeyContext<'_>) -> Result<String, KeyError> {
        with_zoned(ctx.time, ctx.zone, |zoned| self.render_zoned(ctx, zoned))
    }

    fn render_zoned(&self, ctx: &KeyContext<'_>, zoned: &ZonedTime<'_>) -> Result<String, KeyError> {
        let mut out = String::new();
        let mut random = ctx.random.iter();
        for part in &self.parts {
            match part {
                Part::Literal(text) => out.push_str(text),
                Part::Timestamp { pattern, compiled } => {
                    compiled
                        .format(zoned, &mut out)
                        .map_err(|problem| KeyError::UnprintableTimestamp {
                            pattern: pattern.clone(),
                            problem,
                        })?;
                }
                Part::RandomString => match random.next() {
                    Some(s) => out.push_str(s),
                    None => {
                        return Err(KeyError::MissingRandomString {
                            needed: self.random_strings_needed(),
                            given: ctx.random.len(),
                        });
                    }
                },
                Part::ErrorOutputType => {
                    out.push_str(ctx.error_output_type.ok_or(KeyError::MissingErrorOutputType)?.as_str());
                }
                Part::PartitionKey { source, name } => {
                    let keys = match source {
                        KeySource::Query => ctx.query_keys,
                        KeySource::Lambda => ctx.lambda_keys,
                    };
                    let value = keys.iter().find(|(k, _)| k == name).map(|(_, v)| v);
                    match value {
                        Some(v) => out.push_str(v),
                        None => {
                            return Err(KeyError::MissingPartitionKey {
                                source: *source,
                                name: name.clone(),
                            });
                        }
                    }
                }
            }
        }
        if !self.has_expressions() {
            if self.role == PrefixRole::Error {
                out.push_str(ctx.error_output_type.ok_or(KeyError::MissingErrorOutputType)?.as_str());
                out.push('/');
            }
            let default =
                TimePattern::compile(DEFAULT_TIME_PREFIX).map_err(|problem| KeyError::InvalidTimestampPattern {
                    role: self.role,
                    pattern: DEFAULT_TIME_PREFIX.to_owned(),
                    problem,
                })?;
            default
                .format(zoned, &mut out)
                .map_err(|problem| KeyError::UnprintableTimestamp {
                    pattern: DEFAULT_TIME_PREFIX.to_owned(),
                    problem,
                })?;
        }
        let length = java_length(&out);
        if length > MAX_EVALUATED_PREFIX_LENGTH {
            return Err(KeyError::RenderedPrefixTooLong {
                role: self.role,
                length,
            });
        }
        Ok(out)
    }
}

fn parse_expression(
    namespace: &str,
    value: &str,
    role: PrefixRole,
    dynamic_partitioning: bool,
) -> Result<Part, KeyError> {
    match namespace {
        "timestamp" => match TimePattern::compile(value) {
            Ok(compiled) => Ok(Part::Timestamp {
                pattern: value.to_owned(),
                compiled,
            }),
            Err(problem) => Err(KeyError::InvalidTimestampPattern {
                role,
                pattern: value.to_owned(),
                problem,
            }),
        },
        "firehose" => match value {
            "random-string" => Ok(Part::RandomString),
            "error-output-type" if role == PrefixRole::Data => Err(KeyError::ErrorOutputTypeInPrefix),
            "error-output-type" => Ok(Part::ErrorOutputType),
            _ => Err(KeyError::InvalidFirehoseValue {
                role,
                value: value.to_owned(),
            }),
        },
        "partitionKeyFromQuery" | "partitionKeyFromLambda" => {
            let source = if namespace == "partitionKeyFromQuery" {
                KeySource::Query
            } else {
                KeySource::Lambda
            };
            if role == PrefixRole::Error {
                Err(KeyError::PartitionKeyInErrorPrefix)
            } else if !dynamic_partitioning {
                Err(KeyError::PartitioningNotEnabled)
            } else if value.is_empty() {
                Err(KeyError::InvalidExpression { role })
            } else {
                Ok(Part::PartitionKey {
                    source,
                    name: value.to_owned(),
                })
            }
        }
        _ => Err(KeyError::UnknownNamespace {
            role,
            namespace: namespace.to_owned(),
        }),
    }
}

/// Calls `f` with the instant seen from `zone` (UTC when `None`).
fn with_zoned<T>(time: DateTime<Utc>, zone: Option<Tz>, f: impl FnOnce(&ZonedTime<'_>) -> T) -> T {
    match zone {
        None => f(&ZonedTime {
            local: time.naive_utc(),
            offset: 0,
            zone_id: "UTC",
            abbreviation: Some("UTC"),
        }),
        Some(tz) => {
            let local = time.with_timezone(&tz);
            let offset = local.offset();
            f(&ZonedTime {
                local: local.naive_local(),
                offset: offset.fix().local_minus_utc(),
                zone_id: tz.name(),
                abbreviation: offset.abbreviation(),
            })
        }
    }
}

/// What one object's key is evaluated with.
#[derive(Debug, Clone, Copy)]
pub struct KeyContext<'a> {
    /// Approximate arrival time of the oldest record in the object.
    pub time: DateTime<Utc>,
    /// `CustomTimeZone`; `None` is UTC.
    pub zone: Option<Tz>,
    /// `partitionKeyFromQuery` values of the object's records.
    pub query_keys: &'a [(String, String)],
    /// `partitionKeyFromLambda` values of the object's records.
    pub lambda_keys: &'a [(String, String)],
    /// Why the records failed, for an error prefix.
    pub error_output_type: Option<ErrorOutputType>,
    /// One string per `!{firehose:random-string}`, in order (see [`random_string`]).
    pub random: &'a [String],
}

impl KeyContext<'static> {
    /// A context with only the time set.
    pub fn at(time: DateTime<Utc>) -> Self {
        KeyContext {
            time,
            zone: None,
            query_keys: &[],
            lambda_keys: &[],
            error_output_type: None,
            random: &[],
        }
    }
}

/// A fresh value for `!{firehose:random-string}`: 11 characters, the head of a
/// random UUID as in the guide's example (`046b6c7f-0b`).
pub fn random_string() -> String {
    uuid::Uuid::new_v4()
        .hyphenated()
        .to_string()
        .chars()
        .take(RANDOM_STRING_LENGTH)
        .collect()
}

/// The object name (the key's suffix):
/// `<stream>-<version>-<YYYY>-<MM>-<dd>-<HH>-<mm>-<ss>-<uuid><extension>`, the
/// time read in `zone` (UTC when `None`).
pub fn object_name(
    stream: &str,
    version: u64,
    time: DateTime<Utc>,
    zone: Option<Tz>,
    uuid: &str,
    extension: &str,
) -> String {
    let local = match zone {
        Some(tz) => time.with_timezone(&tz).naive_local(),
        None => time.naive_utc(),
    };
    format!(
        "{stream}-{version}-{}-{uuid}{extension}",
        local.format("%Y-%m-%d-%H-%M-%S")
    )
}

/// The whole key: the evaluated prefix and the object name, at most S3's
/// 1024 bytes.
pub fn object_key(
    prefix: &Prefix,
    ctx: &KeyContext<'_>,
    stream: &str,
    version: u64,
    uuid: &str,
    extension: &str,
) -> Result<String, KeyError> {
    let mut key = prefix.render(ctx)?;
    key.push_str(&object_name(stream, version, ctx.time, ctx.zone, uuid, extension));
    if key.len() > MAX_OBJECT_KEY_BYTES {
        return Err(KeyError::ObjectKeyTooLong { length: key.len() });
    }
    Ok(key)
}

/// The extension Firehose adds when no `FileExtension` is set: the output
/// format's under record format conversion, else the compression's.
pub fn default_extension(compression: Compression, format: Option<OutputFormat>) -> &'static str {
    match format {
        Some(OutputFormat::Parquet) => ".parquet",
        Some(OutputFormat::Orc) => ".orc",
        None => compression.extension(),
    }
}

/// The extension an object gets: `FileExtension` when set and not empty (it
/// replaces the default outright), else [`default_extension`].
pub fn file_extension(custom: Option<&str>, compression: Compression, format: Option<OutputFormat>) -> &str {
    match custom {
        Some(ext) if !ext.is_empty() => ext,
        _ => default_extension(compression, format),
    }
}

/// `FileExtension`'s model constraints: empty, or a `.` followed by
/// `0-9 a-z ! - _ . * ' ( )`, at most 128 characters.
pub fn check_file_extension(ext: &str) -> Result<(), KeyError> {
    if java_length(ext) > MAX_FILE_EXTENSION_LENGTH {
        return Err(KeyError::TooLong {
            shape: ApiShape::default(),
            member: Member::FileExtension,
            value: ext.to_owned(),
            max: MAX_FILE_EXTENSION_LENGTH,
        });
    }
    let allowed = |c: char| c.is_ascii_digit() || c.is_ascii_lowercase() || "!-_.*'()".contains(c);
    let ok = ext.is_empty() || (ext.len() > 1 && ext.starts_with('.') && ext.chars().all(allowed));
    if !ok {
        return Err(KeyError::PatternMismatch {
            shape: ApiShape::default(),
            member: Member::FileExtension,
            value: ext.to_owned(),
            pattern: FILE_EXTENSION_PATTERN,
        });
    }
    Ok(())
}

/// `CustomTimeZone`: empty means UTC (`None`); otherwise an IANA zone of at
/// most 50 characters from `a-z A-Z / _`.
pub fn parse_time_zone(value: &str) -> Result<Option<Tz>, KeyError> {
    if value.is_empty() {
        return Ok(None);
    }
    if java_length(value) > MAX_CUSTOM_TIME_ZONE_LENGTH {
        return Err(KeyError::TooLong {
            shape: ApiShape::default(),
            member: Member::CustomTimeZone,
            value: value.to_owned(),
            max: MAX_CUSTOM_TIME_ZONE_LENGTH,
        });
    }
    if !value.chars().all(|c| c.is_ascii_alphabetic() || c == '/' || c == '_') {
        return Err(KeyError::PatternMismatch {
            shape: ApiShape::default(),
            member: Member::CustomTimeZone,
            value: value.to_owned(),
            pattern: CUSTOM_TIME_ZONE_PATTERN,
        });
    }
    value.parse::<Tz>().map(Some).map_err(|_| KeyError::UnknownTimeZone {
        value: value.to_owned(),
    })
}

/// Record format conversion writes its own compression inside the file, so
/// the destination's must stay `UNCOMPRESSED`.
pub fn check_compression_for_conversion(compression: Compression, conversion_enabled: bool) -> Result<(), KeyError> {
    if conversion_enabled && compression != Compression::Uncompressed {
        return Err(KeyError::CompressionWithConversion { compression });
    }
    Ok(())
}

/// The members [`validate`] looks at.
#[derive(Debug, Clone, Copy, Default)]
pub struct PrefixSettings<'a> {
    pub prefix: Option<&'a str>,
    pub error_output_prefix: Option<&'a str>,
    pub dynamic_partitioning: bool,
    /// The keys of the `MetadataExtraction` processor's jq query, when one is set.
    pub metadata_query_keys: Option<&'a [String]>,
    /// The structure the members came in, for `ValidationException` messages.
    pub shape: ApiShape,
}

/// Both prefixes of a destination, ready to render. `error` is the parsed
/// `ErrorOutputPrefix`, or, when that is absent, `Prefix` read as an error
/// prefix (`<prefix><error-output-type>/YYYY/MM/dd/HH/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prefixes {
    pub data: Prefix,
    pub error: Prefix,
}

/// Applies every rule on `Prefix` and `ErrorOutputPrefix`: the model's
/// lengths first (as AWS reports them before its own rules), then each
/// template, then the rules across both.
pub fn validate(settings: &PrefixSettings<'_>) -> Result<Prefixes, KeyError> {
    let shape = settings.shape;
    let data_text = settings.prefix.unwrap_or("");
    // "ErrorOutputPrefix cannot be null or empty": both mean absent.
    let error_text = settings.error_output_prefix.filter(|t| !t.is_empty());
    for (text, member) in [
        (Some(data_text), Member::Prefix),
        (error_text, Member::ErrorOutputPrefix),
    ] {
        if let Some(text) = text
            && java_length(text) > MAX_PREFIX_LENGTH
        {
            return Err(KeyError::TooLong {
                shape,
                member,
                value: text.to_owned(),
                max: MAX_PREFIX_LENGTH,
            });
        }
    }
    let dp = settings.dynamic_partitioning;
    let data = Prefix::parse(data_text, PrefixRole::Data, dp).map_err(|e| e.in_shape(shape))?;
    let parsed_error = match error_text {
        Some(text) => Some(Prefix::parse(text, PrefixRole::Error, dp).map_err(|e| e.in_shape(shape))?),
        None => None,
    };
    let (query, lambda) = data.partition_keys();
    if dp && query.is_empty() && lambda.is_empty() {
        return Err(KeyError::PartitioningNamespaceMissing);
    }
    if data.has_expressions() && parsed_error.is_none() {
        return Err(KeyError::ErrorOutputPrefixRequired);
    }
    if let Some(error) = &parsed_error
        && error.has_expressions()
        && !error.uses_error_output_type()
    {
        return Err(KeyError::ErrorOutputTypeRequired);
    }
    for prefix in std::iter::once(&data).chain(parsed_error.as_ref()) {
        let min_length = prefix.min_evaluated_length();
        if min_length > MAX_EVALUATED_PREFIX_LENGTH {
            return Err(KeyError::EvaluatedPrefixTooLong {
                role: prefix.role,
                min_length,
            });
        }
    }
    if let Some(keys) = settings.metadata_query_keys
        && let Some(key) = keys.iter().find(|k| !query.contains(&k.as_str()))
    {
        return Err(KeyError::QueryKeyNotInPrefix { key: key.clone() });
    }
    let error = match parsed_error {
        Some(error) => error,
        // `Prefix` has no expression here, so it parses as an error prefix.
        None => Prefix::parse(data_text, PrefixRole::Error, dp).map_err(|e| e.in_shape(shape))?,
    };
    Ok(Prefixes { data, error })
}
