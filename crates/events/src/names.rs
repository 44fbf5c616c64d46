//! Names and ARNs of buses, rules and targets, of schedules and schedule
//! groups, and the rules AWS puts on them.

/// The bus every account has, and the one AWS services send to.
pub const DEFAULT_BUS: &str = "default";

/// The schedule group every account has, which schedules join when they name none.
pub const DEFAULT_GROUP: &str = "default";

/// `schedule/<group>/<name>`: a schedule's name is unique in its group only.
pub fn schedule_arn(region: &str, account: &str, group: &str, name: &str) -> String {
    format!("arn:aws:scheduler:{region}:{account}:schedule/{group}/{name}")
}

pub fn schedule_group_arn(region: &str, account: &str, group: &str) -> String {
    format!("arn:aws:scheduler:{region}:{account}:schedule-group/{group}")
}

/// A schedule's or schedule group's name: `[0-9a-zA-Z-_.]+`, 1 to 64 characters.
pub fn valid_schedule_name(name: &str) -> bool {
    (1..=64).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
}

pub fn bus_arn(region: &str, account: &str, bus: &str) -> String {
    format!("arn:aws:events:{region}:{account}:event-bus/{bus}")
}

/// `rule/<name>` on the default bus, `rule/<bus>/<name>` on the others.
pub fn rule_arn(region: &str, account: &str, bus: &str, rule: &str) -> String {
    if bus == DEFAULT_BUS {
        format!("arn:aws:events:{region}:{account}:rule/{rule}")
    } else {
        format!("arn:aws:events:{region}:{account}:rule/{bus}/{rule}")
    }
}

/// The bus a request names, by name or by ARN (`EventBusName` takes either).
pub fn bus_name(name_or_arn: &str) -> &str {
    match name_or_arn.strip_prefix("arn:") {
        Some(rest) => rest.split_once(":event-bus/").map_or(name_or_arn, |(_, name)| name),
        None => name_or_arn,
    }
}

/// A rule's or target's name: `[\.\-_A-Za-z0-9]+`, 1 to 64 characters.
pub fn valid_rule_name(name: &str) -> bool {
    (1..=64).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}

/// A custom bus's name: `[/\.\-_A-Za-z0-9]+`, 1 to 256 characters.
pub fn valid_bus_name(name: &str) -> bool {
    (1..=256).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"/._-".contains(&b))
}

/// What an ARN names, as far as delivery cares: its service, region,
/// account and resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArnParts<'a> {
    pub service: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    pub resource: &'a str,
}

pub fn arn_parts(arn: &str) -> Option<ArnParts<'_>> {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(_partition), Some(service), Some(region), Some(account), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    Some(ArnParts {
        service,
        region,
        account,
        resource,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_and_names() {
        assert_eq!(
            rule_arn("us-east-1", "1", "default", "r"),
            "arn:aws:events:us-east-1:1:rule/r"
        );
        assert_eq!(
            rule_arn("us-east-1", "1", "b", "r"),
            "arn:aws:events:us-east-1:1:rule/b/r"
        );
        assert_eq!(bus_name("arn:aws:events:us-east-1:1:event-bus/orders"), "orders");
        assert_eq!(bus_name("orders"), "orders");
        assert!(valid_rule_name("a.b-c_9"));
        assert!(!valid_rule_name("a/b"));
        assert!(!valid_rule_name(""));
        let p = arn_parts("arn:aws:sqs:us-east-1:000000000000:q").unwrap();
        assert_eq!((p.service, p.resource), ("sqs", "q"));
        assert_eq!(
            arn_parts("arn:aws:logs:r:1:log-group:/a/b:*").unwrap().resource,
            "log-group:/a/b:*"
        );
        assert_eq!(
            schedule_arn("eu-west-3", "1", "default", "s"),
            "arn:aws:scheduler:eu-west-3:1:schedule/default/s"
        );
        assert!(valid_schedule_name("nightly-job_1.v2"));
        assert!(!valid_schedule_name("a/b"));
        assert!(!valid_schedule_name(&"x".repeat(65)));
    }
}
