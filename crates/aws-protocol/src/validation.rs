//! AWS's validation messages, worded as the services word them:
//! `1 validation error detected: Value 'x' at 'name' failed to satisfy
//! constraint: Member must have length less than or equal to 255`.
//! Which code carries them differs per service (ValidationException,
//! InvalidInputException, InvalidRequestException), so this module only
//! builds the message; a service's spec names the code
//! (`ServiceSpec::violation_code`) and `ServiceSpec::violation` the error.

use std::fmt::{self, Write as _};

/// How the offending value is shown: AWS writes `Value null at` for a
/// missing member and leaves long or secret values out (`Value at`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shown {
    Null,
    Hidden,
    Value(String),
}

/// One broken constraint on one member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub member: String,
    pub value: Shown,
    pub constraint: String,
}

impl Violation {
    pub fn new(member: impl Into<String>, value: Shown, constraint: impl Into<String>) -> Self {
        Self {
            member: member.into(),
            value,
            constraint: constraint.into(),
        }
    }

    /// A required member is missing.
    pub fn null(member: &str) -> Self {
        Self::new(member, Shown::Null, "Member must not be null")
    }

    pub fn min_len(member: &str, value: Shown, min: usize) -> Self {
        Self::new(
            member,
            value,
            format!("Member must have length greater than or equal to {min}"),
        )
    }

    pub fn max_len(member: &str, value: Shown, max: usize) -> Self {
        Self::new(
            member,
            value,
            format!("Member must have length less than or equal to {max}"),
        )
    }

    pub fn len_between(member: &str, value: Shown, min: usize, max: usize) -> Self {
        Self::new(
            member,
            value,
            format!("Member must have length between {min} and {max}"),
        )
    }

    pub fn len_eq(member: &str, value: Shown, len: usize) -> Self {
        Self::new(member, value, format!("Member must have length equal to {len}"))
    }

    pub fn range(member: &str, value: impl fmt::Display, min: i64, max: i64) -> Self {
        Self::new(
            member,
            Shown::Value(value.to_string()),
            format!("Member must have value between {min} and {max}"),
        )
    }

    pub fn at_most(member: &str, value: impl fmt::Display, max: i64) -> Self {
        Self::new(
            member,
            Shown::Value(value.to_string()),
            format!("Member must have value less than or equal to {max}"),
        )
    }

    pub fn at_least(member: &str, value: impl fmt::Display, min: i64) -> Self {
        Self::new(
            member,
            Shown::Value(value.to_string()),
            format!("Member must have value greater than or equal to {min}"),
        )
    }

    pub fn pattern(member: &str, value: Shown, pattern: &str) -> Self {
        Self::new(
            member,
            value,
            format!("Member must satisfy regular expression pattern: {pattern}"),
        )
    }

    pub fn one_of(member: &str, value: impl fmt::Display, allowed: &[&str]) -> Self {
        Self::new(
            member,
            Shown::Value(value.to_string()),
            format!("Member must satisfy enum value set: [{}]", allowed.join(", ")),
        )
    }

    /// This violation alone, as the whole message.
    pub fn message(&self) -> String {
        message(std::slice::from_ref(self))
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.value {
            Shown::Null => f.write_str("Value null")?,
            Shown::Hidden => f.write_str("Value")?,
            Shown::Value(v) => write!(f, "Value '{v}'")?,
        }
        write!(
            f,
            " at '{}' failed to satisfy constraint: {}",
            self.member, self.constraint
        )
    }
}

/// `N validation error(s) detected: a; b`, AWS's joined form.
pub fn message(violations: &[Violation]) -> String {
    let n = violations.len();
    let mut out = format!("{n} validation error{} detected: ", if n == 1 { "" } else { "s" });
    for (i, v) in violations.iter().enumerate() {
        if i > 0 {
            out.push_str("; ");
        }
        let _ = write!(out, "{v}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_read_as_aws_writes_them() {
        assert_eq!(
            Violation::null("name").message(),
            "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null"
        );
        assert_eq!(
            Violation::at_most("maxResults", 2000, 1000).message(),
            "1 validation error detected: Value '2000' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000"
        );
        assert_eq!(
            message(&[
                Violation::len_between("queryString", Shown::Hidden, 1, 262144),
                Violation::one_of("level", "X", &["INFO", "DEBUG"]),
            ]),
            "2 validation errors detected: Value at 'queryString' failed to satisfy constraint: Member must have length between 1 and 262144; Value 'X' at 'level' failed to satisfy constraint: Member must satisfy enum value set: [INFO, DEBUG]"
        );
    }
}
