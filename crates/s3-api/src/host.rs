//! Virtual-hosted-style addressing: `bucket.localhost:4566`,
//! `bucket.s3.localhost`, `bucket.s3.us-east-1.localhost.localstack.cloud`.
//! Anything else (an IP, `localhost`, a container name) is path style.

use s3s::S3Result;
use s3s::host::{S3Host, VirtualHost};

#[derive(Debug, Clone)]
pub struct LocalHosts {
    /// Base domains under which the first labels name a bucket.
    bases: Vec<String>,
}

impl LocalHosts {
    pub fn new(extra: &[String]) -> Self {
        let mut bases: Vec<String> = vec!["localhost.localstack.cloud".into(), "localhost".into()];
        bases.extend(extra.iter().map(|s| s.to_ascii_lowercase()));
        // Longest first, so `localhost.localstack.cloud` wins over `localhost`.
        bases.sort_by_key(|b| std::cmp::Reverse(b.len()));
        Self { bases }
    }

    /// The bucket named by a Host header, if it is virtual-hosted style.
    pub fn bucket_of<'a>(&self, host: &'a str) -> Option<&'a str> {
        let host = strip_port(host);
        for base in &self.bases {
            let Some(rest) = host.strip_suffix(base.as_str()).and_then(|h| h.strip_suffix('.')) else {
                continue;
            };
            // Drop an `s3` or `s3.<region>` / `s3-<region>` service label.
            let is_service = |l: &&str| *l == "s3" || l.starts_with("s3-");
            let mut labels: Vec<&str> = rest.split('.').collect();
            // `s3.localhost`, `s3.us-east-1.localhost...`: the service endpoint itself.
            if labels.first().is_some_and(is_service) {
                return None;
            }
            if let Some(pos) = labels.iter().rposition(is_service) {
                labels.truncate(pos);
            }
            if labels.is_empty() {
                return None;
            }
            let bucket_len = labels.iter().map(|l| l.len()).sum::<usize>() + labels.len() - 1;
            return Some(&rest[..bucket_len]);
        }
        None
    }
}

fn strip_port(host: &str) -> &str {
    if host.starts_with('[') {
        return host.split_once(']').map_or(host, |(h, _)| &h[1..]);
    }
    match host.rsplit_once(':') {
        Some((h, p)) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => host,
    }
}

impl S3Host for LocalHosts {
    fn parse_host_header<'a>(&'a self, host: &'a str) -> S3Result<VirtualHost<'a>> {
        Ok(match self.bucket_of(host) {
            Some(b) => VirtualHost::new(strip_port(host)).with_bucket(b),
            None => VirtualHost::new(strip_port(host)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_virtual_hosted_forms() {
        let h = LocalHosts::new(&[]);
        assert_eq!(h.bucket_of("mybucket.localhost:4566"), Some("mybucket"));
        assert_eq!(h.bucket_of("my.dotted.bucket.s3.localhost"), Some("my.dotted.bucket"));
        assert_eq!(h.bucket_of("b.s3.us-east-1.localhost.localstack.cloud:4566"), Some("b"));
        assert_eq!(h.bucket_of("b.s3-eu-west-1.localhost"), Some("b"));
        assert_eq!(h.bucket_of("localhost:4566"), None);
        assert_eq!(h.bucket_of("s3.localhost:4566"), None);
        assert_eq!(h.bucket_of("127.0.0.1:4566"), None);
        assert_eq!(h.bucket_of("lakestack:4566"), None);
    }
}
