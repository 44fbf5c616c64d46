//! Trino text functions whose results are defined by Java library classes rather than by SQL:
//! the URL functions (`java.net.URI`, `java.net.URLDecoder`, Guava's form-parameter escaper),
//! `format()` (`java.util.Formatter`) and the edit distances of `StringFunctions`.
//!
//! This is logic only, free of DataFusion and Arrow, so the UDF layer can wrap it. `None` stands
//! for SQL NULL and `Err` for a failed query. Behaviour was taken from the Trino sources
//! (`UrlFunctions`, `FormatFunction`, `StringFunctions` and their tests) and the OpenJDK classes
//! they call; where the emulator knowingly differs, the item that differs says so.

use std::fmt;

/// Why a function call fails the query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FunctionError {
    /// Trino raises `INVALID_FUNCTION_ARGUMENT` with exactly this message.
    InvalidArgument(String),
    /// Trino would answer, but the emulator cannot reproduce the answer (for example time-zone
    /// display names, which come from the JDK's locale data).
    NotSupported(String),
}

/// The error of [`format()`]; the same type as every other function here.
pub type FormatError = FunctionError;

impl FunctionError {
    pub fn message(&self) -> &str {
        match self {
            Self::InvalidArgument(message) | Self::NotSupported(message) => message,
        }
    }
}

impl fmt::Display for FunctionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for FunctionError {}

mod distance;
mod format;
mod url;

pub use distance::{hamming_distance, levenshtein_distance};
pub use format::{FormatArg, format};
pub use url::{
    url_decode, url_encode, url_extract_fragment, url_extract_host, url_extract_parameter, url_extract_path,
    url_extract_port, url_extract_protocol, url_extract_query,
};
