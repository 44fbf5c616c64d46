//! The ARNs SNS reads, checked as SNS checks them, and the names of its
//! resources. A member that is not an ARN at all is refused naming how
//! many parts it has (`An ARN must have at least 6 elements, not 1`); an
//! ARN of another service, region or account is `Invalid parameter:
//! <member>`.

use lakestack_aws_protocol::Arn;

use crate::error::{Result, SnsError};

/// Topic names: letters, digits, hyphens and underscores, 1 to 256
/// characters, `.fifo` included for FIFO topics.
pub const MAX_TOPIC_NAME: usize = 256;

/// The ARN `value` of `member`, with at least SNS's six elements.
pub(crate) fn parse(member: &str, value: &str) -> Result<Arn> {
    let elements = value.split(':').count();
    match Arn::parse(value) {
        Some(arn) if elements >= 6 => Ok(arn),
        _ if elements < 6 => Err(SnsError::invalid(format!(
            "{member} Reason: An ARN must have at least 6 elements, not {elements}"
        ))),
        _ => Err(SnsError::invalid(member)),
    }
}

/// Where this server's SNS resources live.
#[derive(Debug, Clone)]
pub(crate) struct Home {
    pub region: String,
    pub account: String,
}

impl Home {
    /// An ARN of SNS in this region and account.
    fn ours(&self, arn: &Arn) -> bool {
        arn.service == "sns" && arn.region == self.region && arn.account == self.account
    }

    pub fn topic_arn(&self, name: &str) -> String {
        Arn::new("sns", &self.region, &self.account, name).to_string()
    }

    /// A topic ARN read from `member`: SNS's, in our region and account,
    /// naming a topic (not a subscription or an endpoint).
    pub fn topic(&self, member: &str, value: &str) -> Result<String> {
        let arn = parse(member, value)?;
        if !self.ours(&arn) || arn.resource.is_empty() || arn.resource.contains([':', '/']) {
            return Err(SnsError::invalid(member));
        }
        Ok(value.to_owned())
    }

    /// A subscription ARN (`<topic ARN>:<id>`) read from `member`.
    pub fn subscription(&self, member: &str, value: &str) -> Result<String> {
        if value.is_empty() {
            return Err(SnsError::invalid(format!(
                "{member} Reason: no value for required parameter"
            )));
        }
        let arn = parse(member, value)?;
        if !self.ours(&arn) {
            return Err(SnsError::invalid(member));
        }
        let Some((_, id)) = arn.resource.split_once(':') else {
            return Err(SnsError::invalid("SubscriptionId"));
        };
        if uuid::Uuid::parse_str(id).is_err() {
            return Err(SnsError::invalid("SubscriptionId"));
        }
        Ok(value.to_owned())
    }
}

/// A topic name as CreateTopic accepts it; `fifo` topics end in `.fifo`.
pub(crate) fn check_topic_name(name: &str, fifo: bool) -> Result<()> {
    let stem = name.strip_suffix(".fifo");
    let chars_ok = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if fifo {
        match stem {
            Some(stem) if chars_ok(stem) && name.len() <= MAX_TOPIC_NAME => Ok(()),
            _ => Err(SnsError::invalid(
                "Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.",
            )),
        }
    } else if chars_ok(name) && name.len() <= MAX_TOPIC_NAME {
        Ok(())
    } else {
        Err(SnsError::invalid("Topic Name"))
    }
}

/// An SQS queue ARN (`arn:aws:sqs:<region>:<account>:<name>`).
pub(crate) fn is_queue_arn(s: &str) -> bool {
    Arn::parse(s).is_some_and(|a| {
        a.service == "sqs" && !a.region.is_empty() && !a.account.is_empty() && valid_queue_name(&a.resource)
    })
}

fn valid_queue_name(name: &str) -> bool {
    let stem = name.strip_suffix(".fifo").unwrap_or(name);
    (1..=80).contains(&name.len())
        && !stem.is_empty()
        && stem
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A Lambda function ARN, qualified or not.
pub(crate) fn is_function_arn(s: &str) -> bool {
    Arn::parse(s).is_some_and(|a| {
        let mut parts = a.resource.split(':');
        a.service == "lambda"
            && parts.next() == Some("function")
            && parts.next().is_some_and(|n| !n.is_empty())
            && parts.next().is_none_or(|q| !q.is_empty())
            && parts.next().is_none()
    })
}

/// A Firehose delivery stream ARN.
pub(crate) fn is_stream_arn(s: &str) -> bool {
    Arn::parse(s).is_some_and(|a| {
        a.service == "firehose"
            && a.resource
                .strip_prefix("deliverystream/")
                .is_some_and(|n| !n.is_empty())
    })
}

/// A mobile platform endpoint ARN (`arn:aws:sns:...:endpoint/<platform>/<app>/<id>`).
pub(crate) fn is_platform_endpoint_arn(s: &str) -> bool {
    Arn::parse(s).is_some_and(|a| a.service == "sns" && a.resource.starts_with("endpoint/"))
}

/// A phone number in E.164 form: `+`, then up to 15 digits not starting with 0.
pub(crate) fn is_phone_number(s: &str) -> bool {
    let digits = s.strip_prefix('+').unwrap_or(s);
    (2..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) && !digits.starts_with('0')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn home() -> Home {
        Home {
            region: "us-east-1".into(),
            account: "000000000000".into(),
        }
    }

    #[test]
    fn arns_are_refused_in_snss_words() {
        let msg = |r: Result<String>| r.unwrap_err().to_string();
        assert_eq!(
            msg(home().topic("TopicArn", "")),
            "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1"
        );
        assert_eq!(
            msg(home().topic("TopicArn", "arn:aws:sns:us-east-1:000000000000")),
            "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 5"
        );
        assert_eq!(
            msg(home().topic("TopicArn", "arn:aws:sns:eu-west-1:000000000000:t")),
            "Invalid parameter: TopicArn"
        );
        assert_eq!(
            home()
                .topic("TopicArn", "arn:aws:sns:us-east-1:000000000000:t")
                .unwrap(),
            "arn:aws:sns:us-east-1:000000000000:t"
        );
        assert_eq!(
            msg(home().subscription("SubscriptionArn", "arn:aws:sns:us-east-1:000000000000:t")),
            "Invalid parameter: SubscriptionId"
        );
        assert_eq!(
            msg(home().subscription("SubscriptionArn", "arn:aws:sns:us-east-1:000000000000:t:nope")),
            "Invalid parameter: SubscriptionId"
        );
        assert_eq!(
            msg(home().subscription("SubscriptionArn", "")),
            "Invalid parameter: SubscriptionArn Reason: no value for required parameter"
        );
    }

    #[test]
    fn names_and_endpoints() {
        assert!(check_topic_name("a-b_C9", false).is_ok());
        assert!(check_topic_name(&"a".repeat(256), false).is_ok());
        assert!(check_topic_name(&"a".repeat(257), false).is_err());
        assert!(check_topic_name("a.fifo", false).is_err());
        assert!(check_topic_name("a.fifo", true).is_ok());
        assert!(check_topic_name("a", true).is_err());
        assert!(check_topic_name(".fifo", true).is_err());
        assert!(check_topic_name("a b", false).is_err());
        assert!(is_queue_arn("arn:aws:sqs:us-east-1:000000000000:q.fifo"));
        assert!(!is_queue_arn("http://localhost:4566/000000000000/q"));
        assert!(is_function_arn("arn:aws:lambda:us-east-1:000000000000:function:f"));
        assert!(is_function_arn("arn:aws:lambda:us-east-1:000000000000:function:f:live"));
        assert!(!is_function_arn("arn:aws:lambda:us-east-1:000000000000:layer:f"));
        assert!(is_stream_arn(
            "arn:aws:firehose:us-east-1:000000000000:deliverystream/s"
        ));
        assert!(is_phone_number("+15551234567"));
        assert!(!is_phone_number("NAA+15551234567"));
        assert!(!is_phone_number("+1a234"));
    }
}
