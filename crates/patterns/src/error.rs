//! Why a pattern is refused, in the words of the service that refuses it.
//!
//! EventBridge answers event-ruler's reason behind `Event pattern is not valid. Reason: `,
//! followed, when the reason came from its JSON reader (Jackson), by where the reader stood:
//! `\n at [Source: (String)"<pattern>"; line: 1, column: 11]`. SNS answers the reason behind
//! `FilterPolicy: ` and never a location.

use std::fmt;

use crate::Dialect;
use crate::limits::{MAX_EVENT_PATTERN_CHARS, SNS_MAX_POLICY_BYTES};

/// Where in the pattern's text a reason was found, as Jackson's parser reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters, just past what the reader had consumed.
    pub column: usize,
    /// Jackson's description of the text: `(String)"…"`, cut after 500 characters.
    source: String,
}

/// Jackson quotes at most this many characters of the text in a location.
const SOURCE_SNIPPET_CHARS: usize = 500;

impl Location {
    /// The location `offset` bytes into `text` (an offset on a character boundary).
    pub(crate) fn at(text: &str, offset: usize) -> Self {
        let before = &text[..offset.min(text.len())];
        // Jackson counts "\r\n", "\r" and "\n" each as one line break.
        let mut line = 1;
        let mut row_start = 0;
        let bytes = before.as_bytes();
        for (i, b) in bytes.iter().enumerate() {
            let breaks = *b == b'\n' || (*b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
            if breaks {
                line += 1;
                row_start = i + 1;
            }
        }
        let column = before[row_start..].chars().count() + 1;
        let total = text.chars().count();
        let source = if total <= SOURCE_SNIPPET_CHARS {
            format!("(String)\"{text}\"")
        } else {
            let head: String = text.chars().take(SOURCE_SNIPPET_CHARS).collect();
            format!("(String)\"{head}\"[truncated {} chars]", total - SOURCE_SNIPPET_CHARS)
        };
        Self { line, column, source }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "[Source: {}; line: {}, column: {}]",
            self.source, self.line, self.column
        )
    }
}

/// Why [`crate::parse`] refused a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatternError {
    /// The text is not JSON, or its top level is not an object.
    Json {
        dialect: Dialect,
        reason: String,
        /// Where the reader stood; empty when the reason carries none. event-ruler
        /// sometimes reports the same place twice (a reason re-raised), and so does this.
        at: Vec<Location>,
    },
    /// A rule or a limit the service refuses.
    Invalid {
        dialect: Dialect,
        reason: String,
        at: Vec<Location>,
    },
    /// A nested key in an SNS policy of scope MessageAttributes.
    NestedAttributes,
    /// Longer than the service takes (SNS: bytes, EventBridge: characters).
    TooLarge { dialect: Dialect, limit: usize },
}

impl PatternError {
    pub(crate) fn json(dialect: Dialect, reason: impl Into<String>, at: Vec<Location>) -> Self {
        Self::Json {
            dialect,
            reason: reason.into(),
            at,
        }
    }

    pub(crate) fn invalid(dialect: Dialect, reason: impl Into<String>, at: Vec<Location>) -> Self {
        Self::Invalid {
            dialect,
            reason: reason.into(),
            at,
        }
    }

    pub(crate) fn too_large(dialect: Dialect) -> Self {
        let limit = match dialect {
            Dialect::EventPattern => MAX_EVENT_PATTERN_CHARS,
            Dialect::SnsAttributes | Dialect::SnsBody => SNS_MAX_POLICY_BYTES,
        };
        Self::TooLarge { dialect, limit }
    }

    /// The message AWS answers for the dialect. EventBridge: the whole message of its
    /// `InvalidEventPatternException` (or, for [`PatternError::TooLarge`], of its
    /// `ValidationException`, naming the parameter `eventPattern`). SNS: the part after the
    /// operation's own prefix (`Invalid parameter: ` or `Invalid parameter: Attributes Reason: `).
    pub fn message(&self) -> String {
        match self {
            Self::Json {
                dialect: Dialect::EventPattern,
                reason,
                at,
            }
            | Self::Invalid {
                dialect: Dialect::EventPattern,
                reason,
                at,
            } => {
                let mut out = format!("Event pattern is not valid. Reason: {reason}");
                for location in at {
                    out.push_str(&format!("\n at {location}"));
                }
                out
            }
            Self::Json { reason, .. } => format!("FilterPolicy: failed to parse JSON. {reason}"),
            Self::Invalid { reason, .. } => format!("FilterPolicy: {reason}"),
            Self::NestedAttributes => {
                "Filter policy scope MessageAttributes does not support nested filter policy".into()
            }
            Self::TooLarge {
                dialect: Dialect::EventPattern,
                limit,
            } => format!(
                "1 validation error detected: Value at 'eventPattern' failed to satisfy constraint: \
                 Member must have length less than or equal to {limit}"
            ),
            Self::TooLarge { .. } => "FilterPolicy: Filter policy is too large".into(),
        }
    }

    /// The error code AWS answers with the message.
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooLarge {
                dialect: Dialect::EventPattern,
                ..
            } => "ValidationException",
            Self::Json {
                dialect: Dialect::EventPattern,
                ..
            }
            | Self::Invalid {
                dialect: Dialect::EventPattern,
                ..
            } => "InvalidEventPatternException",
            _ => "InvalidParameter",
        }
    }

    /// Whether the text was refused as JSON (not JSON, or not an object) rather than as a
    /// pattern: SNS words the two differently.
    pub fn is_json(&self) -> bool {
        matches!(self, Self::Json { .. })
    }

    /// The reason alone, without the service's wording around it or a location.
    pub fn reason(&self) -> String {
        match self {
            Self::Json { reason, .. } | Self::Invalid { reason, .. } => reason.clone(),
            Self::NestedAttributes | Self::TooLarge { .. } => self.message(),
        }
    }
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for PatternError {}
