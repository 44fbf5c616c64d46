//! What happens to an S3 request before and after s3s: permissive auth, request
//! ids on every response, and AWS's full error body (Resource, RequestId).
//!
//! Permissive auth (the default, as in the tools users migrate from) accepts
//! any credentials but still rejects a malformed `Authorization` header. s3s
//! can only verify signatures, which needs the client's secret, so in this
//! mode the edge checks the header's shape, honours presigned-URL expiry, and
//! decodes aws-chunked bodies itself (see `docs/s3.md`).

use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderValue, Request, Response, StatusCode};
use lakestack_storage::Storage;
use s3s::auth::{S3Auth, SecretKey};
use s3s::{Body, S3Error, S3ErrorCode, S3Result};

use crate::ingest::EdgeTrailers;
use crate::{LocalHosts, S3Api};

#[derive(Clone, Default)]
pub enum AuthMode {
    /// Any credentials; malformed Authorization headers are still refused.
    #[default]
    Permissive,
    /// SigV4 verified against the secret this lookup gives an access key
    /// (the configured pairs, and keys IAM and STS issued since).
    Strict(KeyLookup),
}

/// The secret of an access key, if it is one lakestack accepts now.
pub type KeyLookup = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

impl std::fmt::Debug for AuthMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Permissive => "Permissive",
            Self::Strict(_) => "Strict",
        })
    }
}

#[derive(Debug, Clone)]
pub struct S3Settings {
    pub region: String,
    pub account_id: String,
    pub auth: AuthMode,
    /// Extra base domains for virtual-hosted-style addressing.
    pub hosts: Vec<String>,
    /// Where event notifications go (the root package's services).
    pub destinations: Option<Arc<dyn crate::notify::Destinations>>,
}

/// The largest file a browser POST upload may carry: 64 MiB. s3s holds a
/// POST's file in memory to check the policy before the object is written,
/// so this bounds that memory; a larger file answers `EntityTooLarge`.
pub const POST_MAX_FILE_SIZE: u64 = 64 << 20;

/// S3's largest single PUT and largest part: 5 GiB.
pub const MAX_PUT_SIZE: u64 = 5 << 30;

impl Default for S3Settings {
    fn default() -> Self {
        Self {
            region: "us-east-1".into(),
            account_id: "000000000000".into(),
            auth: AuthMode::Permissive,
            hosts: Vec::new(),
            destinations: None,
        }
    }
}

struct KeyStore(KeyLookup);

#[async_trait::async_trait]
impl S3Auth for KeyStore {
    async fn get_secret_key(&self, access_key: &str) -> S3Result<SecretKey> {
        (self.0)(access_key).map(SecretKey::from).ok_or_else(|| {
            S3Error::with_message(
                S3ErrorCode::InvalidAccessKeyId,
                "The AWS Access Key Id you provided does not exist in our records.",
            )
        })
    }
}

/// The S3 service as the router mounts it.
#[derive(Clone)]
pub struct S3Service {
    inner: s3s::service::S3Service,
    permissive: bool,
    storage: Arc<Storage>,
    hosts: LocalHosts,
}

impl std::fmt::Debug for S3Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Service")
            .field("permissive", &self.permissive)
            .finish_non_exhaustive()
    }
}

impl S3Service {
    pub fn build(storage: Arc<Storage>, settings: S3Settings) -> Self {
        let api = S3Api::new(
            Arc::clone(&storage),
            &settings.region,
            &settings.account_id,
            settings.destinations.clone(),
        );
        let mut b = s3s::service::S3ServiceBuilder::new(api);
        let hosts = LocalHosts::new(&settings.hosts);
        b.set_host(hosts.clone());
        let mut config = s3s::config::S3Config::default();
        config.post_object_max_file_size = POST_MAX_FILE_SIZE;
        b.set_config(Arc::new(s3s::config::StaticConfigProvider::new(Arc::new(config))));
        let permissive = match &settings.auth {
            AuthMode::Permissive => true,
            AuthMode::Strict(keys) => {
                b.set_auth(KeyStore(Arc::clone(keys)));
                false
            }
        };
        Self {
            inner: b.build(),
            permissive,
            storage,
            hosts,
        }
    }

    /// The S3 operation a request names, for the request log.
    pub fn operation_of<B>(&self, req: &Request<B>) -> &'static str {
        let host = req.headers().get(http::header::HOST).and_then(|h| h.to_str().ok());
        let vhost = host.and_then(|h| self.hosts.bucket_of(h)).is_some();
        let mut segs = req.uri().path().trim_start_matches('/').splitn(2, '/');
        let first = segs.next().is_some_and(|s| !s.is_empty());
        let second = segs.next().is_some_and(|s| !s.is_empty());
        let (bucket, key) = if vhost { (true, first) } else { (first, second) };
        let copy = req.headers().contains_key("x-amz-copy-source");
        crate::operation::operation_name(req.method(), bucket, key, req.uri().query().unwrap_or_default(), copy)
    }

    /// The bucket a request addresses, virtual-hosted or path style.
    fn bucket_of(&self, req: &Request<Body>) -> Option<String> {
        let host = req.headers().get(http::header::HOST).and_then(|h| h.to_str().ok());
        if let Some(b) = host.and_then(|h| self.hosts.bucket_of(h)) {
            return Some(b.to_owned());
        }
        let first = req.uri().path().trim_start_matches('/').split('/').next()?;
        (!first.is_empty()).then(|| lakestack_compat::percent::form_decode(first))
    }

    /// Serves one request; never fails: errors become S3 error responses.
    pub async fn handle(&self, mut req: Request<Body>) -> Response<Body> {
        let request_id = new_request_id();
        let resource = req.uri().path().to_owned();
        let head_request = req.method() == http::Method::HEAD;
        let origin = req
            .headers()
            .get(http::header::ORIGIN)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bucket = self.bucket_of(&req);
        if req.method() == http::Method::OPTIONS {
            let resp = crate::cors::preflight(&self.storage, bucket.as_deref(), req.headers());
            return finish(resp, &request_id, &resource, false);
        }
        let method = req.method().clone();
        if let Err(e) = self.check_declared_size(&req) {
            return finish(
                e.to_http_response().unwrap_or_else(|_| plain_500()),
                &request_id,
                &resource,
                head_request,
            );
        }
        if !self.permissive
            && let Err(e) = strict(&req)
        {
            return finish(
                e.to_http_response().unwrap_or_else(|_| plain_500()),
                &request_id,
                &resource,
                head_request,
            );
        }
        if method == http::Method::POST
            && let Err(e) = crate::post_form::rewrite(&mut req, self.permissive).await
        {
            return finish(
                e.to_http_response().unwrap_or_else(|_| plain_500()),
                &request_id,
                &resource,
                false,
            );
        }
        let mut resp = if self.permissive {
            match permissive(&mut req).await {
                Ok(()) => self.call(req).await,
                Err(e) => e.to_http_response().unwrap_or_else(|_| plain_500()),
            }
        } else {
            self.call(req).await
        };
        if let (Some(origin), Some(bucket)) = (origin, bucket) {
            crate::cors::decorate(&self.storage, &bucket, &method, &origin, &mut resp);
        }
        finish(resp, &request_id, &resource, head_request)
    }

    /// A PutObject or UploadPart declaring more than 5 GiB is refused before
    /// a byte of its body is read, as S3 does.
    fn check_declared_size(&self, req: &Request<Body>) -> S3Result<()> {
        if req.method() != http::Method::PUT || !matches!(self.operation_of(req), "PutObject" | "UploadPart") {
            return Ok(());
        }
        let header = |name: &str| {
            req.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
        };
        // An aws-chunked body's framing is not part of the object.
        let declared = header("x-amz-decoded-content-length").or_else(|| header("content-length"));
        match declared {
            Some(n) if n > MAX_PUT_SIZE => Err(entity_too_large()),
            _ => Ok(()),
        }
    }

    async fn call(&self, req: Request<Body>) -> Response<Body> {
        match self.inner.call(req).await {
            Ok(r) => r,
            Err(e) => {
                tracing::error!(error = ?e, "s3s failed");
                S3Error::with_message(
                    S3ErrorCode::InternalError,
                    "We encountered an internal error. Please try again.",
                )
                .to_http_response()
                .unwrap_or_else(|_| plain_500())
            }
        }
    }
}

pub(crate) fn entity_too_large() -> S3Error {
    S3Error::with_message(
        S3ErrorCode::EntityTooLarge,
        "Your proposed upload exceeds the maximum allowed size",
    )
}

/// How far a SigV2 request's date may be from the server's clock.
const MAX_SKEW: time::Duration = time::Duration::minutes(15);

/// A SigV2 `Date` / `x-amz-date`: RFC 1123 (`Sun, 06 Nov 1994 08:49:37 GMT`)
/// as HTTP clients send it, or the ISO 8601 basic form SigV4 uses.
fn parse_v2_date(v: &str) -> Option<time::OffsetDateTime> {
    use time::format_description::well_known::Rfc2822;
    let v = v.trim();
    if let Ok(t) = time::OffsetDateTime::parse(v, &Rfc2822) {
        return Some(t);
    }
    for zone in [" GMT", " UTC", " UT", " Z"] {
        if let Some(head) = v.strip_suffix(zone)
            && let Ok(t) = time::OffsetDateTime::parse(&format!("{head} +0000"), &Rfc2822)
        {
            return Some(t);
        }
    }
    let fmt = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    time::PrimitiveDateTime::parse(v, &fmt)
        .ok()
        .map(time::PrimitiveDateTime::assume_utc)
}

/// What strict auth checks before s3s verifies a signature, where s3s is
/// weaker than S3: a header-signed SigV2 request must be dated within 15
/// minutes (else it could be replayed forever), and presigned URLs keep S3's
/// bounds on their lifetime (SigV2 `Expires`, SigV4 `X-Amz-Expires` of at
/// most a week).
fn strict(req: &Request<Body>) -> S3Result<()> {
    let headers = req.headers();
    if let Some(auth) = headers.get(http::header::AUTHORIZATION)
        && auth.as_bytes().starts_with(b"AWS ")
    {
        // x-amz-date wins over Date, as SigV2 signs it instead.
        let date = headers
            .get("x-amz-date")
            .or_else(|| headers.get(http::header::DATE))
            .and_then(|v| v.to_str().ok());
        let Some(date) = date else {
            return Err(S3Error::with_message(
                S3ErrorCode::AccessDenied,
                "AWS authentication requires a valid Date or x-amz-date header",
            ));
        };
        let when = parse_v2_date(date).ok_or_else(|| {
            S3Error::with_message(
                S3ErrorCode::AccessDenied,
                "AWS authentication requires a valid Date or x-amz-date header",
            )
        })?;
        if (time::OffsetDateTime::now_utc() - when).abs() > MAX_SKEW {
            return Err(S3Error::with_message(
                S3ErrorCode::RequestTimeTooSkewed,
                "The difference between the request time and the current time is too large.",
            ));
        }
    }
    if let Some(q) = req.uri().query() {
        // Only the checks: s3s verifies the signature over the query as sent.
        check_presigned(q)?;
    }
    Ok(())
}

fn plain_500() -> Response<Body> {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    r
}

fn new_request_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..16].to_ascii_uppercase()
}

fn finish(mut resp: Response<Body>, request_id: &str, resource: &str, head: bool) -> Response<Body> {
    let id2 = crate::checksum::b64(uuid::Uuid::new_v4().as_bytes());
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(request_id) {
        h.insert("x-amz-request-id", v);
    }
    if let Ok(v) = HeaderValue::from_str(&id2) {
        h.insert("x-amz-id-2", v);
    }
    if resp.status().as_u16() >= 400
        && !head
        && let Some(bytes) = resp.body().bytes()
        && let Ok(text) = std::str::from_utf8(&bytes)
        && text.contains("</Error>")
        && !text.contains("<RequestId>")
    {
        let text = with_default_message(text);
        let extra = format!(
            "<Resource>{}</Resource><RequestId>{}</RequestId><HostId>{}</HostId></Error>",
            xml_escape(resource),
            request_id,
            id2
        );
        let body = text.replacen("</Error>", &extra, 1);
        if let Ok(v) = HeaderValue::from_str(&body.len().to_string()) {
            resp.headers_mut().insert(http::header::CONTENT_LENGTH, v);
        }
        *resp.body_mut() = Body::from(Bytes::from(body));
    }
    resp
}

/// s3s leaves some errors without a Message; S3 always sends one.
fn with_default_message(text: &str) -> String {
    if text.contains("<Message>") {
        return text.to_owned();
    }
    let code = text
        .split("<Code>")
        .nth(1)
        .and_then(|s| s.split("</Code>").next())
        .unwrap_or_default();
    let msg = match code {
        "InvalidBucketName" => "The specified bucket is not valid.",
        "InvalidURI" => "Couldn't parse the specified URI.",
        "KeyTooLongError" => "Your key is too long",
        "MethodNotAllowed" => "The specified method is not allowed against this resource.",
        "AccessDenied" => "Access Denied",
        "SignatureDoesNotMatch" => {
            "The request signature we calculated does not match the signature you provided. Check your key and signing method."
        }
        "InvalidAccessKeyId" => "The AWS Access Key Id you provided does not exist in our records.",
        "MissingContentLength" => "You must provide the Content-Length HTTP header.",
        "MalformedXML" => "The XML you provided was not well-formed or did not validate against our published schema",
        "NotImplemented" => "A header you provided implies functionality that is not implemented",
        "NotModified" => "Not Modified",
        _ => return text.to_owned(),
    };
    text.replacen("</Code>", &format!("</Code><Message>{msg}</Message>"), 1)
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn malformed(msg: &str) -> S3Error {
    S3Error::with_message(
        S3ErrorCode::AuthorizationHeaderMalformed,
        format!("The authorization header is malformed; {msg}"),
    )
}

/// Checks the shape of a SigV4 (or SigV2) Authorization header.
fn check_authorization(v: &str) -> S3Result<()> {
    if let Some(rest) = v.strip_prefix("AWS4-HMAC-SHA256") {
        let mut credential = None;
        let mut signed = None;
        let mut signature = None;
        for part in rest.split(',') {
            let Some((k, val)) = part.trim().split_once('=') else {
                return Err(malformed("the Authorization header requires a key=value list."));
            };
            match k.trim() {
                "Credential" => credential = Some(val.trim()),
                "SignedHeaders" => signed = Some(val.trim()),
                "Signature" => signature = Some(val.trim()),
                _ => {}
            }
        }
        let credential = credential.ok_or_else(|| malformed("the Credential parameter is missing."))?;
        let parts: Vec<&str> = credential.split('/').collect();
        if parts.len() != 5
            || parts[4] != "aws4_request"
            || parts[1].len() != 8
            || !parts[1].bytes().all(|b| b.is_ascii_digit())
        {
            return Err(malformed(&format!("incorrect credential format: {credential}.")));
        }
        if signed.is_none_or(str::is_empty) {
            return Err(malformed("the SignedHeaders parameter is missing."));
        }
        let sig = signature.ok_or_else(|| malformed("the Signature parameter is missing."))?;
        if sig.len() != 64 || !sig.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(malformed("the Signature parameter is not a hex SHA-256 signature."));
        }
        return Ok(());
    }
    if let Some(rest) = v.strip_prefix("AWS ") {
        return match rest.split_once(':') {
            Some((ak, sig)) if !ak.is_empty() && !sig.is_empty() => Ok(()),
            _ => Err(malformed("the SigV2 header must be 'AWS AccessKeyId:Signature'.")),
        };
    }
    Err(S3Error::with_message(
        S3ErrorCode::InvalidArgument,
        "Unsupported Authorization Type",
    ))
}

const PRESIGN_V4: [&str; 7] = [
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-Expires",
    "X-Amz-SignedHeaders",
    "X-Amz-Signature",
    "X-Amz-Security-Token",
];
const PRESIGN_V2: [&str; 4] = ["AWSAccessKeyId", "Signature", "Expires", "x-amz-security-token"];

fn expired() -> S3Error {
    S3Error::with_message(S3ErrorCode::AccessDenied, "Request has expired")
}

/// Honours a presigned URL's expiry and removes its auth parameters.
fn check_presigned(query: &str) -> S3Result<Option<String>> {
    let pairs: Vec<(&str, &str)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').unwrap_or((p, "")))
        .collect();
    let get = |k: &str| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| *v);
    let now = time::OffsetDateTime::now_utc();
    if get("X-Amz-Signature").is_some() || get("X-Amz-Algorithm").is_some() {
        let date = get("X-Amz-Date").ok_or_else(|| {
            S3Error::with_message(
                S3ErrorCode::AuthorizationQueryParametersError,
                "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"",
            )
        })?;
        let fmt = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
        let signed = time::PrimitiveDateTime::parse(date, &fmt)
            .map_err(|_| {
                S3Error::with_message(
                    S3ErrorCode::AuthorizationQueryParametersError,
                    "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"",
                )
            })?
            .assume_utc();
        let expires: i64 = get("X-Amz-Expires").and_then(|v| v.parse().ok()).ok_or_else(|| {
            S3Error::with_message(
                S3ErrorCode::AuthorizationQueryParametersError,
                "X-Amz-Expires should be a number",
            )
        })?;
        if !(0..=604_800).contains(&expires) {
            return Err(S3Error::with_message(
                S3ErrorCode::AuthorizationQueryParametersError,
                "X-Amz-Expires must be less than a week (in seconds) that is, the given X-Amz-Expires must be less than 604800 seconds",
            ));
        }
        // checked_add: a date near year 9999 must not overflow.
        if signed
            .checked_add(time::Duration::seconds(expires))
            .is_some_and(|end| now > end)
        {
            return Err(expired());
        }
        let rest: Vec<String> = pairs
            .iter()
            .filter(|(k, _)| !PRESIGN_V4.contains(k))
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        return Ok(Some(rest.join("&")));
    }
    if get("Signature").is_some() && get("AWSAccessKeyId").is_some() {
        let exp: i64 = get("Expires").and_then(|v| v.parse().ok()).ok_or_else(|| {
            S3Error::with_message(
                S3ErrorCode::AccessDenied,
                "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters",
            )
        })?;
        if now.unix_timestamp() > exp {
            return Err(expired());
        }
        let rest: Vec<String> = pairs
            .iter()
            .filter(|(k, _)| !PRESIGN_V2.contains(k))
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        return Ok(Some(rest.join("&")));
    }
    Ok(None)
}

async fn permissive(req: &mut Request<Body>) -> S3Result<()> {
    if let Some(v) = req.headers().get(http::header::AUTHORIZATION) {
        let v = v.to_str().map_err(|_| malformed("it is not valid text."))?;
        check_authorization(v)?;
        req.headers_mut().remove(http::header::AUTHORIZATION);
    }
    if let Some(q) = req.uri().query()
        && let Some(rest) = check_presigned(q)?
    {
        let path = req.uri().path();
        let pq = if rest.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{rest}")
        };
        let mut parts = req.uri().clone().into_parts();
        parts.path_and_query = Some(pq.parse().map_err(|_| S3Error::new(S3ErrorCode::InvalidURI))?);
        *req.uri_mut() = http::Uri::from_parts(parts).map_err(|_| S3Error::new(S3ErrorCode::InvalidURI))?;
    }
    let sha = req
        .headers()
        .get("x-amz-content-sha256")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let chunked_encoding = req
        .headers()
        .get(http::header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case("aws-chunked")));
    if sha.starts_with("STREAMING-") || chunked_encoding {
        let expected = match req.headers().get("x-amz-decoded-content-length") {
            Some(v) => Some(v.to_str().ok().and_then(|s| s.parse::<u64>().ok()).ok_or_else(|| {
                S3Error::with_message(
                    S3ErrorCode::InvalidArgument,
                    "x-amz-decoded-content-length is not a number",
                )
            })?),
            None if sha.starts_with("STREAMING-") => {
                return Err(S3Error::with_message(
                    S3ErrorCode::MissingContentLength,
                    "You must provide the Content-Length HTTP header.",
                ));
            }
            None => None,
        };
        let trailers = EdgeTrailers::default();
        let body = std::mem::take(req.body_mut());
        let decoded = crate::chunked::decode(body, expected, trailers.clone());
        let stream: s3s::stream::DynByteStream = Box::pin(crate::stream::SyncByteStream::new(decoded, expected));
        *req.body_mut() = Body::from(stream);
        let h = req.headers_mut();
        h.remove("x-amz-decoded-content-length");
        h.insert("x-amz-content-sha256", HeaderValue::from_static("UNSIGNED-PAYLOAD"));
        match expected {
            Some(n) => {
                h.insert(http::header::CONTENT_LENGTH, HeaderValue::from(n));
            }
            None => {
                h.remove(http::header::CONTENT_LENGTH);
            }
        }
        req.extensions_mut().insert(trailers);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorization_shapes() {
        let good = "AWS4-HMAC-SHA256 Credential=AK/20240101/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000000000000000000000000000000000000000000000000000000000000000";
        assert!(check_authorization(good).is_ok());
        let e = check_authorization(
            "AWS4-HMAC-SHA256 Credential=AK/2024/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00",
        )
        .unwrap_err();
        assert_eq!(*e.code(), S3ErrorCode::AuthorizationHeaderMalformed);
        assert!(check_authorization("AWS AK:sig").is_ok());
        assert_eq!(
            *check_authorization("Bearer x").unwrap_err().code(),
            S3ErrorCode::InvalidArgument
        );
    }

    #[test]
    fn v2_dates() {
        let t = parse_v2_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(t.unix_timestamp(), 784_111_777);
        assert_eq!(parse_v2_date("Sun, 06 Nov 1994 08:49:37 +0000"), Some(t));
        assert_eq!(parse_v2_date("19941106T084937Z"), Some(t));
        assert_eq!(parse_v2_date("yesterday"), None);
    }

    #[test]
    fn presigned_expiry() {
        let q = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20200101T000000Z&X-Amz-Expires=60&X-Amz-Signature=ab&versionId=3";
        assert_eq!(*check_presigned(q).unwrap_err().code(), S3ErrorCode::AccessDenied);
        let now = time::OffsetDateTime::now_utc();
        let fmt = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
        let q = format!(
            "X-Amz-Date={}&X-Amz-Expires=60&X-Amz-Signature=ab&versionId=3",
            now.format(&fmt).unwrap()
        );
        assert_eq!(check_presigned(&q).unwrap().as_deref(), Some("versionId=3"));
    }
}
