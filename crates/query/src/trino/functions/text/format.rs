//! `format()`: Trino's `FormatFunction`, which hands its arguments to `java.util.Formatter`.
//!
//! [`formatter`] parses and prints as `Formatter` does, [`number`] holds the digit strings of
//! Java's number formatting and [`temporal`] the `java.time` values `%t` reads its fields from.

use super::{FormatError, FunctionError};

mod formatter;
mod number;
mod temporal;
#[cfg(test)]
mod tests;

/// One argument of `format()`, as Trino's `FormatFunction` hands it to `java.util.Formatter`.
/// The variant decides which conversions accept it and the class name in error messages.
#[derive(Debug, Clone, PartialEq)]
pub enum FormatArg {
    /// SQL NULL (any type), Java `null`: `%s` prints `null`, `%b` prints `false`.
    Null,
    /// BOOLEAN (`java.lang.Boolean`).
    Bool(bool),
    /// TINYINT, SMALLINT, INTEGER and BIGINT alike (`java.lang.Long`), so `%c` never accepts it.
    Int(i64),
    /// REAL (`java.lang.Float`).
    Real(f32),
    /// DOUBLE (`java.lang.Double`).
    Double(f64),
    /// DECIMAL (`java.math.BigDecimal`): `unscaled × 10^-scale`, the scale kept as declared, so
    /// `%s` of a DECIMAL(38,10) zero prints `0E-10` as in Trino.
    Decimal { unscaled: i128, scale: u8 },
    /// VARCHAR, CHAR (already space-padded to its length), JSON (as `json_format` text) and every
    /// other type Trino casts to VARCHAR first (`java.lang.String`).
    Str(String),
    /// DATE (`java.time.LocalDate`), days since 1970-01-01.
    Date { epoch_day: i64 },
    /// TIME (`java.time.LocalTime`), rounded to nanoseconds. TIME WITH TIME ZONE is a `Str`.
    Time { nano_of_day: u64 },
    /// TIMESTAMP (`java.time.LocalDateTime`): the wall-clock fields read as if in UTC.
    Timestamp { epoch_second: i64, nano: u32 },
    /// TIMESTAMP WITH TIME ZONE (`java.time.ZonedDateTime`). `offset_seconds` is the zone's offset
    /// at that instant (the caller resolves region rules); `zone` is the region id (`UTC`,
    /// `America/New_York`) or `None` for a fixed-offset zone key such as `+05:30`.
    TimestampTz {
        epoch_second: i64,
        nano: u32,
        offset_seconds: i32,
        zone: Option<String>,
    },
}

/// Trino's `format(fmt, args...)`: `String.format(Locale.ENGLISH, fmt, args)`.
///
/// Every Java conversion is implemented: `%b %h %s %c %d %o %x %e %f %g %a %t… %n %%` with
/// their upper-case forms, flags `-#+ 0,(<`, width, precision and `n$` indexes. A format or
/// argument error fails with Trino's text, `Invalid format string: <fmt> (<Exception>: <detail>)`.
///
/// Differences from Trino, each returning [`FunctionError::NotSupported`]: `%tZ`/`%tc` of a
/// TIMESTAMP WITH TIME ZONE in a region zone other than `UTC` (Java prints a display name such as
/// `EDT`), `%t` of a BIGINT before the 1582 Gregorian cutover (Java's `Calendar` switches to the
/// Julian calendar) and widths or float precisions above 2^24. `%t` of a BIGINT reads it as epoch
/// milliseconds in UTC, assuming the Trino JVM runs in UTC.
pub fn format(fmt: &str, args: &[FormatArg]) -> Result<String, FormatError> {
    formatter::format(fmt, args).map_err(|failure| match failure {
        formatter::Failure::Java(e) => {
            FunctionError::InvalidArgument(format!("Invalid format string: {fmt} ({}: {})", e.kind, e.detail))
        }
        formatter::Failure::Unsupported(message) => FunctionError::NotSupported(message),
    })
}
