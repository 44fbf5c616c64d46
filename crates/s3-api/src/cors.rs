//! Bucket CORS as S3 applies it: OPTIONS preflight answers, and
//! `Access-Control-*` headers on actual requests whose Origin a rule allows.

use http::{HeaderMap, HeaderValue, Method, Response, StatusCode};
use lakestack_storage::{ConfigKind, Storage};
use s3s::Body;
use s3s::dto::{CORSConfiguration, CORSRule};

/// `*` matches any run of characters; S3 allows one wildcard per pattern.
fn wildcard(pattern: &str, value: &str, ignore_case: bool) -> bool {
    let (p, v) = if ignore_case {
        (pattern.to_ascii_lowercase(), value.to_ascii_lowercase())
    } else {
        (pattern.to_owned(), value.to_owned())
    };
    match p.split_once('*') {
        None => p == v,
        Some((pre, post)) => v.len() >= pre.len() + post.len() && v.starts_with(pre) && v.ends_with(post),
    }
}

fn rules(storage: &Storage, bucket: &str) -> Option<Vec<CORSRule>> {
    let xml = storage.bucket_config(bucket, ConfigKind::Cors).ok()??;
    let c: CORSConfiguration = crate::buckets::from_xml(&xml).ok()?;
    Some(c.cors_rules)
}

fn find<'r>(rules: &'r [CORSRule], origin: &str, method: &str, headers: &[String]) -> Option<&'r CORSRule> {
    rules.iter().find(|r| {
        r.allowed_origins.iter().any(|o| wildcard(o, origin, false))
            && r.allowed_methods.iter().any(|m| m == method)
            && headers.iter().all(|h| {
                r.allowed_headers
                    .as_ref()
                    .is_some_and(|ah| ah.iter().any(|a| wildcard(a, h, true)))
            })
    })
}

fn set(h: &mut HeaderMap, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        h.insert(name, v);
    }
}

fn allow_headers(h: &mut HeaderMap, rule: &CORSRule, origin: &str) {
    let any = rule.allowed_origins.iter().any(|o| o == "*");
    set(h, "access-control-allow-origin", if any { "*" } else { origin });
    if !any {
        set(h, "access-control-allow-credentials", "true");
    }
    set(h, "access-control-allow-methods", &rule.allowed_methods.join(", "));
    if let Some(e) = rule.expose_headers.as_ref().filter(|e| !e.is_empty()) {
        set(h, "access-control-expose-headers", &e.join(", "));
    }
    if let Some(age) = rule.max_age_seconds {
        set(h, "access-control-max-age", &age.to_string());
    }
}

fn forbidden(msg: &str, method: &str) -> Response<Body> {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessForbidden</Code><Message>{msg}</Message><Method>{method}</Method><ResourceType>OBJECT</ResourceType></Error>"
    );
    xml(StatusCode::FORBIDDEN, body)
}

fn xml(status: StatusCode, body: String) -> Response<Body> {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(http::header::CONTENT_TYPE, HeaderValue::from_static("application/xml"));
    r
}

/// Answers an OPTIONS preflight for `bucket`.
pub(crate) fn preflight(storage: &Storage, bucket: Option<&str>, req: &HeaderMap) -> Response<Body> {
    let get = |n: &str| req.get(n).and_then(|v| v.to_str().ok());
    let Some(origin) = get("origin") else {
        return xml(
            StatusCode::BAD_REQUEST,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>BadRequest</Code><Message>Insufficient information. Origin request header needed.</Message></Error>".into(),
        );
    };
    let Some(method) = get("access-control-request-method") else {
        return xml(
            StatusCode::BAD_REQUEST,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>BadRequest</Code><Message>Invalid Access-Control-Request-Method: null</Message></Error>".into(),
        );
    };
    let requested: Vec<String> = get("access-control-request-headers")
        .map(|h| {
            h.split(',')
                .map(|s| s.trim().to_ascii_lowercase())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let Some(rules) = bucket.and_then(|b| rules(storage, b)) else {
        return forbidden("CORSResponse: CORS is not enabled for this bucket.", method);
    };
    let Some(rule) = find(&rules, origin, method, &requested) else {
        return forbidden(
            "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.",
            method,
        );
    };
    let mut r = Response::new(Body::empty());
    let h = r.headers_mut();
    allow_headers(h, rule, origin);
    if !requested.is_empty() {
        set(h, "access-control-allow-headers", &requested.join(", "));
    }
    set(
        h,
        "vary",
        "Origin, Access-Control-Request-Headers, Access-Control-Request-Method",
    );
    r
}

/// Adds CORS headers to the answer of an actual cross-origin request.
pub(crate) fn decorate(storage: &Storage, bucket: &str, method: &Method, origin: &str, resp: &mut Response<Body>) {
    let Some(rules) = rules(storage, bucket) else { return };
    if let Some(rule) = find(&rules, origin, method.as_str(), &[]) {
        allow_headers(resp.headers_mut(), rule, origin);
        set(
            resp.headers_mut(),
            "vary",
            "Origin, Access-Control-Request-Headers, Access-Control-Request-Method",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::wildcard;

    #[test]
    fn wildcards() {
        assert!(wildcard("*", "https://a.example", false));
        assert!(wildcard("https://*.example.com", "https://app.example.com", false));
        assert!(!wildcard("https://*.example.com", "http://app.example.com", false));
        assert!(wildcard("x-amz-*", "X-Amz-Date", true));
        assert!(!wildcard("https://a.com", "https://b.com", false));
    }
}
