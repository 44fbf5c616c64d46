//! Queue names, ARNs and URLs. A queue is named by its account and name;
//! its URL is `http://<host>/<account>/<name>` with the host the request
//! came to, and a URL is read by its path's last two segments whatever
//! host it names, so AWS-style (`https://sqs.us-east-1.amazonaws.com/…`)
//! and LocalStack-style URLs both reach the queue.

use crate::error::{Result, SqsError};

/// The host in queue URLs when a request names none (in-process calls).
pub const DEFAULT_HOST: &str = "localhost:4566";

const MAX_NAME: usize = 80;

/// Checks a queue name as CreateQueue does: 1–80 characters of
/// `[A-Za-z0-9_-]`, a FIFO queue's ending in `.fifo` (counted in the 80).
pub fn check_queue_name(name: &str, fifo: bool) -> Result<()> {
    let stem = if fifo { name.strip_suffix(".fifo") } else { Some(name) };
    let ok = stem.is_some_and(|s| {
        !s.is_empty()
            && name.len() <= MAX_NAME
            && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    });
    if ok {
        return Ok(());
    }
    Err(SqsError::InvalidRequest(if fifo {
        "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.".into()
    } else {
        "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length".into()
    }))
}

/// `arn:aws:sqs:<region>:<account>:<name>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueArn<'a> {
    pub region: &'a str,
    pub account: &'a str,
    pub name: &'a str,
}

impl<'a> QueueArn<'a> {
    pub fn parse(arn: &'a str) -> Option<Self> {
        let mut parts = arn.splitn(6, ':');
        let (arn_, partition, service) = (parts.next()?, parts.next()?, parts.next()?);
        let (region, account, name) = (parts.next()?, parts.next()?, parts.next()?);
        let valid = arn_ == "arn"
            && partition.starts_with("aws")
            && service == "sqs"
            && !region.is_empty()
            && !account.is_empty()
            && !name.is_empty()
            && name.len() <= MAX_NAME;
        valid.then_some(Self { region, account, name })
    }
}

pub fn queue_arn(region: &str, account: &str, name: &str) -> String {
    format!("arn:aws:sqs:{region}:{account}:{name}")
}

pub fn queue_url(host: &str, account: &str, name: &str) -> String {
    format!("http://{host}/{account}/{name}")
}

/// The account and queue name a QueueUrl names (its path's last two
/// segments); `None` when it names no queue.
pub fn parse_queue_url(url: &str) -> Option<(&str, &str)> {
    let path = match url.find("://") {
        Some(i) => {
            let rest = &url[i + 3..];
            &rest[rest.find('/')?..]
        }
        None => url,
    };
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let mut segments = path.rsplit('/').filter(|s| !s.is_empty());
    let name = segments.next()?;
    let account = segments.next()?;
    Some((account, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_aws_rules() {
        assert!(check_queue_name("orders_1-a", false).is_ok());
        assert!(check_queue_name(&"q".repeat(80), false).is_ok());
        assert!(check_queue_name(&"q".repeat(81), false).is_err());
        assert!(check_queue_name("", false).is_err());
        assert!(check_queue_name("has.dot", false).is_err());
        assert!(check_queue_name("a.fifo", false).is_err());
        assert!(check_queue_name("a.fifo", true).is_ok());
        assert!(check_queue_name(&format!("{}.fifo", "q".repeat(75)), true).is_ok());
        assert!(check_queue_name(&format!("{}.fifo", "q".repeat(76)), true).is_err());
        assert!(check_queue_name(".fifo", true).is_err());
        assert_eq!(
            check_queue_name("a", true).unwrap_err().to_string(),
            "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length."
        );
    }

    #[test]
    fn urls_are_read_by_their_last_two_segments() {
        assert_eq!(
            parse_queue_url("https://sqs.us-east-1.amazonaws.com/123456789012/q"),
            Some(("123456789012", "q"))
        );
        assert_eq!(
            parse_queue_url("http://localhost:4566/000000000000/q.fifo"),
            Some(("000000000000", "q.fifo"))
        );
        assert_eq!(
            parse_queue_url("http://localhost:4566/queue/us-east-1/000000000000/q"),
            Some(("000000000000", "q"))
        );
        assert_eq!(parse_queue_url("/000000000000/q/"), Some(("000000000000", "q")));
        assert_eq!(parse_queue_url("q"), None);
        assert_eq!(parse_queue_url("http://localhost:4566"), None);
        assert_eq!(parse_queue_url("http://localhost:4566/q"), None);
        assert_eq!(
            queue_url(DEFAULT_HOST, "000000000000", "q"),
            "http://localhost:4566/000000000000/q"
        );
    }

    #[test]
    fn arns_name_a_queue() {
        let a = QueueArn::parse("arn:aws:sqs:eu-west-1:000000000000:dlq").unwrap();
        assert_eq!((a.region, a.account, a.name), ("eu-west-1", "000000000000", "dlq"));
        for bad in [
            "dummy",
            "arn:aws:sns:us-east-1:0:t",
            "arn:aws:sqs:us-east-1:0:",
            "arn:aws:sqs::0:q",
        ] {
            assert!(QueueArn::parse(bad).is_none(), "{bad}");
        }
    }
}
