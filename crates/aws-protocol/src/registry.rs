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
        // A signed request names its service; only an unsigned one (or one
        // signed for this service) may be taken by a route, so an S3 key
        // that looks like a Lambda path stays S3's.
        let signed_for = credential_service(headers);
        for s in &self.services {
            let spec = s.spec();
            if spec.speaks(Protocol::RestJson1)
                && signed_for.as_deref().is_none_or(|n| n == spec.signing_name)
                && crate::rest::claims(spec.routes, path)
            {
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

#[cfg(test)]
mod tests {
    use async_trait::async_trait;
    use http::{HeaderValue, Method};

    use super::*;
    use crate::{Call, DEFAULT, Output, Route, ServiceError, ServiceSpec};

    static REST: ServiceSpec = ServiceSpec {
        name: "lambda",
        signing_name: "lambda",
        protocols: &[Protocol::RestJson1],
        routes: &[Route {
            method: Method::GET,
            path: "/2015-03-31/functions/{FunctionName}",
            operation: "GetFunction",
        }],
        ..DEFAULT
    };

    struct Rest;

    #[async_trait]
    impl Service for Rest {
        fn spec(&self) -> &'static ServiceSpec {
            &REST
        }
        async fn call(&self, _: Call) -> Result<Output, ServiceError> {
            Ok(Output::empty_members())
        }
    }

    fn signed_for(service: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        let auth = format!(
            "AWS4-HMAC-SHA256 Credential=AK/20240101/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=ab"
        );
        h.insert(http::header::AUTHORIZATION, HeaderValue::from_str(&auth).unwrap());
        h
    }

    #[test]
    fn a_route_takes_only_requests_signed_for_its_service() {
        let r = Registry::new().register(Arc::new(Rest));
        let path = "/2015-03-31/functions/f";
        assert!(matches!(
            r.route_headers(&HeaderMap::new(), path),
            Routed::Service(_, Protocol::RestJson1)
        ));
        assert!(matches!(
            r.route_headers(&signed_for("lambda"), path),
            Routed::Service(..)
        ));
        // An S3 key that looks like a Lambda route stays S3's.
        assert!(matches!(r.route_headers(&signed_for("s3"), path), Routed::S3));
        assert!(matches!(r.route_headers(&HeaderMap::new(), "/bucket/key"), Routed::S3));
    }
}
