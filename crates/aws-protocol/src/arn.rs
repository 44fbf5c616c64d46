//! Amazon Resource Names: `arn:partition:service:region:account:resource`.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arn {
    pub partition: String,
    pub service: String,
    pub region: String,
    pub account: String,
    /// Everything after the fifth colon (`table/db/t`, `stateMachine:name`).
    pub resource: String,
}

impl Arn {
    /// An ARN in the `aws` partition.
    pub fn new(service: &str, region: &str, account: &str, resource: impl Into<String>) -> Self {
        Self {
            partition: "aws".into(),
            service: service.into(),
            region: region.into(),
            account: account.into(),
            resource: resource.into(),
        }
    }

    /// Splits an ARN into its parts; `None` when it has fewer than six.
    pub fn parse(s: &str) -> Option<Self> {
        let mut parts = s.splitn(6, ':');
        if parts.next()? != "arn" {
            return None;
        }
        let partition = parts.next()?;
        let service = parts.next()?;
        let region = parts.next()?;
        let account = parts.next()?;
        let resource = parts.next()?;
        (!partition.is_empty() && !service.is_empty()).then(|| Self {
            partition: partition.into(),
            service: service.into(),
            region: region.into(),
            account: account.into(),
            resource: resource.into(),
        })
    }
}

impl fmt::Display for Arn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "arn:{}:{}:{}:{}:{}",
            self.partition, self.service, self.region, self.account, self.resource
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let s = "arn:aws:states:us-east-1:123456789012:execution:m:e";
        let a = Arn::parse(s).unwrap();
        assert_eq!(a.service, "states");
        assert_eq!(a.resource, "execution:m:e");
        assert_eq!(a.to_string(), s);
        assert_eq!(
            Arn::new("glue", "us-east-1", "000000000000", "table/db/t").to_string(),
            "arn:aws:glue:us-east-1:000000000000:table/db/t"
        );
        assert!(Arn::parse("arn:aws").is_none());
        assert!(Arn::parse("nope:aws:s3:::b").is_none());
    }
}
