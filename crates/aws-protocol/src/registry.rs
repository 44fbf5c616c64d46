//! The registry of services on the one port: which service, in which
//! protocol, a request is for. Adding a service is one `register` call.

use std::sync::Arc;

use http::HeaderMap;
use http::request::Parts;

use crate::protocol::Protocol;
use crate::service::Service;
use crate::{Target, credential_service};

/// Where a request goes.
pub enum Routed {
    /// To a registered service, in this protocol.
    Service(Arc<dyn Service>, Protocol),
    /// An awsJson target no registered service owns.
    UnknownTarget,
    /// Signed for an awsQuery service that is not registered.
    UnknownQueryService(String),
    /// Everything else is S3's.
    S3,
}

#[derive(Default, Clone)]
pub struct Registry {
    services: Vec<Arc<dyn Service>>,
}

impl Registry {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn register(mut self, service: Arc<dyn Service>) -> Self {
        self.services.push(service);
        self
    }

    pub fn services(&self) -> impl Iterator<Item = &Arc<dyn Service>> {
        self.services.iter()
    }

    /// Decides by, in order: `X-Amz-Target` (awsJson), a restJson1 route,
    /// the credential scope's signing name (awsQuery), else S3.
    pub fn route(&self, parts: &Parts) -> Routed {
        self.route_headers(&parts.headers, parts.uri.path())
    }

    pub fn route_headers(&self, headers: &HeaderMap, path: &str) -> Routed {
        if let Some(target) = headers.get("x-amz-target") {
            let prefix = target.to_str().ok().and_then(Target::parse).map(|t| t.prefix);
            for s in &self.services {
                let spec = s.spec();
                if prefix.is_some() && spec.target_prefix == prefix {
                    let protocol = spec
                        .protocols
                        .iter()
                        .copied()
                        .find(|p| matches!(p, Protocol::AwsJson1_0 | Protocol::AwsJson1_1))
                        .unwrap_or(Protocol::AwsJson1_1);
                    return Routed::Service(Arc::clone(s), protocol);
                }
            }
            return Routed::UnknownTarget;
        }
        for s in &self.services {
            if s.spec().speaks(Protocol::RestJson1) && crate::rest::claims(s.spec().routes, path) {
                return Routed::Service(Arc::clone(s), Protocol::RestJson1);
            }
        }
        match credential_service(headers) {
            Some(name) if name != "s3" && name != "s3express" => self
                .services
                .iter()
                .find(|s| s.spec().signing_name == name && s.spec().speaks(Protocol::AwsQuery))
                .map(|s| Routed::Service(Arc::clone(s), Protocol::AwsQuery))
                .unwrap_or(Routed::UnknownQueryService(name)),
            _ => Routed::S3,
        }
    }
}
