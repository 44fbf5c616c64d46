//! What AWS accepts as names and settings, checked in the domain so that
//! in-process writers (Lambda, crawlers) get the same answers as clients:
//! group names of 1 to 512 characters of `[\.\-_/#A-Za-z0-9]`, stream
//! names of 1 to 512 characters without `:` or `*`, the retention periods
//! PutRetentionPolicy allows, and log group ARNs.

use lakestack_aws_protocol::Arn;
use lakestack_aws_protocol::validation::{Shown, Violation};

use crate::error::{LogsError, Result};

pub const GROUP_PATTERN: &str = r"[\.\-_/#A-Za-z0-9]+";
pub const STREAM_PATTERN: &str = "[^:*]*";
pub const MAX_NAME: usize = 512;

/// The retention periods AWS allows, in days.
pub const RETENTION_DAYS: [i64; 22] = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

fn shown(v: &str) -> Shown {
    Shown::Value(v.to_owned())
}

fn length(member: &str, value: &str) -> Result<()> {
    let n = value.chars().count();
    if n < 1 {
        return Err(LogsError::violation(Violation::min_len(member, shown(value), 1)));
    }
    if n > MAX_NAME {
        return Err(LogsError::violation(Violation::max_len(member, shown(value), MAX_NAME)));
    }
    Ok(())
}

pub fn group_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '/' | '#')
}

/// A log group name (or a prefix of one, as `member` names it).
pub fn check_group(member: &str, name: &str) -> Result<()> {
    length(member, name)?;
    if !name.chars().all(group_char) {
        return Err(LogsError::violation(Violation::pattern(
            member,
            shown(name),
            GROUP_PATTERN,
        )));
    }
    Ok(())
}

/// A log stream name (or a prefix of one).
pub fn check_stream(member: &str, name: &str) -> Result<()> {
    length(member, name)?;
    if name.contains([':', '*']) {
        return Err(LogsError::violation(Violation::pattern(
            member,
            shown(name),
            STREAM_PATTERN,
        )));
    }
    Ok(())
}

pub fn check_retention(days: i64) -> Result<()> {
    if RETENTION_DAYS.contains(&days) {
        return Ok(());
    }
    let allowed: Vec<String> = RETENTION_DAYS.iter().map(i64::to_string).collect();
    let allowed: Vec<&str> = allowed.iter().map(String::as_str).collect();
    Err(LogsError::violation(Violation::one_of(
        "retentionInDays",
        days,
        &allowed,
    )))
}

/// The log group an ARN names: `arn:aws:logs:<region>:<account>:log-group:<name>`,
/// with or without the `:*` that DescribeLogGroups' `arn` member ends with.
pub fn group_of_arn(arn: &str) -> Option<String> {
    let a = Arn::parse(arn)?;
    if a.service != "logs" {
        return None;
    }
    let name = a.resource.strip_prefix("log-group:")?;
    let name = name.strip_suffix(":*").unwrap_or(name);
    (!name.is_empty() && name.chars().all(group_char)).then(|| name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_arns() {
        assert!(check_group("logGroupName", "/aws/lambda/f-1_#.x").is_ok());
        assert_eq!(
            check_group("logGroupName", "a:b").unwrap_err().to_string(),
            r"1 validation error detected: Value 'a:b' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\.\-_/#A-Za-z0-9]+"
        );
        assert!(check_group("logGroupName", "").is_err());
        assert!(check_group("logGroupName", &"a".repeat(513)).is_err());
        assert!(check_stream("logStreamName", "2024/01/01/[$LATEST]abc").is_ok());
        assert!(check_stream("logStreamName", "a*").is_err());
        assert!(check_retention(14).is_ok());
        assert!(check_retention(2).unwrap_err().to_string().ends_with("3288, 3653]"));
        assert_eq!(
            group_of_arn("arn:aws:logs:us-east-1:000000000000:log-group:/aws/x:*").as_deref(),
            Some("/aws/x")
        );
        assert_eq!(
            group_of_arn("arn:aws:logs:us-east-1:0:log-group:g").as_deref(),
            Some("g")
        );
        assert_eq!(group_of_arn("arn:aws:s3:::b"), None);
        assert_eq!(group_of_arn("nope"), None);
    }
}
