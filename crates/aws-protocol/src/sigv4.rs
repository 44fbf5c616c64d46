//! SigV4 verification for the JSON services (Glue, Athena, Step Functions)
//! under `--auth strict`; S3 verifies through `s3s` instead.
//!
//! The failures answer as AWS's JSON services do: no signature →
//! `MissingAuthenticationTokenException`, an unknown key →
//! `UnrecognizedClientException`, a wrong or stale signature →
//! `InvalidSignatureException`, all 403.

use std::time::{Duration, SystemTime};

use hmac::{Hmac, KeyInit, Mac};
use http::request::Parts;
use sha2::{Digest, Sha256};

/// How far a request's `X-Amz-Date` may be from our clock, as AWS allows.
const MAX_SKEW: Duration = Duration::from_secs(15 * 60);

/// Why a request's signature was refused: an awsJson error code and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureError {
    pub code: &'static str,
    pub message: String,
}

fn refuse(code: &'static str, message: impl Into<String>) -> SignatureError {
    SignatureError {
        code,
        message: message.into(),
    }
}

fn mismatch() -> SignatureError {
    refuse(
        "InvalidSignatureException",
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
    )
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// Characters SigV4 leaves unencoded in paths and query strings.
fn encode(s: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            b'/' if keep_slash => out.push('/'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(v) = s.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn canonical_query(q: &str) -> String {
    let mut pairs: Vec<(String, String)> = q
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (encode(&decode(k), false), encode(&decode(v), false))
        })
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// `20240101T120000Z` → seconds since the epoch.
fn parse_amz_date(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, m, d) = (num(0..4)?, num(4..6)?, num(6..8)?);
    let (hh, mm, ss) = (num(9..11)?, num(11..13)?, num(13..15)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    // Days from civil (proleptic Gregorian), after Howard Hinnant's algorithm.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    u64::try_from(days * 86_400 + hh * 3600 + mm * 60 + ss).ok()
}

/// Verifies the `Authorization` header of a request whose body is `body`:
/// the signature must cover these very bytes (see the payload hash below).
/// `secret_for` maps an access key id to its secret.
pub fn verify(
    parts: &Parts,
    body: &[u8],
    secret_for: impl Fn(&str) -> Option<String>,
    now: SystemTime,
) -> Result<(), SignatureError> {
    let Some(auth) = parts
        .headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return Err(refuse(
            "MissingAuthenticationTokenException",
            "Missing Authentication Token",
        ));
    };
    let rest = auth.strip_prefix("AWS4-HMAC-SHA256").ok_or_else(|| {
        refuse(
            "IncompleteSignatureException",
            format!("Unsupported authorization scheme in {auth:?}"),
        )
    })?;
    let mut credential = None;
    let mut signed = None;
    let mut signature = None;
    for field in rest.split(',') {
        match field.trim().split_once('=') {
            Some(("Credential", v)) => credential = Some(v),
            Some(("SignedHeaders", v)) => signed = Some(v),
            Some(("Signature", v)) => signature = Some(v),
            _ => {}
        }
    }
    let (Some(credential), Some(signed), Some(signature)) = (credential, signed, signature) else {
        return Err(refuse(
            "IncompleteSignatureException",
            "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.",
        ));
    };
    let scope: Vec<&str> = credential.split('/').collect();
    let [access_key, date, region, service, "aws4_request"] = scope.as_slice() else {
        return Err(refuse(
            "IncompleteSignatureException",
            format!("Credential should be scoped to a valid region, service and aws4_request: {credential}"),
        ));
    };
    let secret = secret_for(access_key).ok_or_else(|| {
        refuse(
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        )
    })?;
    let amz_date = parts
        .headers
        .get("x-amz-date")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            refuse(
                "IncompleteSignatureException",
                "Authorization requires an X-Amz-Date header.",
            )
        })?;
    let signed_at = parse_amz_date(amz_date)
        .ok_or_else(|| refuse("IncompleteSignatureException", format!("Invalid X-Amz-Date {amz_date}")))?;
    let now_secs = now.duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    if signed_at.abs_diff(now_secs) > MAX_SKEW.as_secs() {
        return Err(refuse(
            "InvalidSignatureException",
            format!("Signature expired: {amz_date} is now earlier or later than 15 minutes from the server's time."),
        ));
    }
    if !amz_date.starts_with(date) {
        return Err(mismatch());
    }
    let mut canonical_headers = String::new();
    for name in signed.split(';') {
        let values: Vec<String> = parts
            .headers
            .get_all(name)
            .iter()
            .map(|v| {
                String::from_utf8_lossy(v.as_bytes())
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        if values.is_empty() && name != "host" {
            return Err(mismatch());
        }
        let value = if values.is_empty() {
            parts.uri.authority().map(ToString::to_string).unwrap_or_default()
        } else {
            values.join(",")
        };
        canonical_headers.push_str(&format!("{name}:{value}\n"));
    }
    // The JSON and query services sign the body itself: the canonical request
    // ends in the hash of the bytes received, never in a client's claim about
    // them, so a signed request replayed with another body fails. (Only S3
    // reads `x-amz-content-sha256`, and S3 is verified by s3s.) A signed
    // `x-amz-content-sha256` that names other bytes is refused outright.
    let payload = hex::encode(Sha256::digest(body));
    let claimed = parts
        .headers
        .get("x-amz-content-sha256")
        .map(http::HeaderValue::as_bytes);
    if let Some(claimed) = claimed
        && signed.split(';').any(|h| h == "x-amz-content-sha256")
        && !claimed.eq_ignore_ascii_case(payload.as_bytes())
    {
        return Err(mismatch());
    }
    let path = parts.uri.path();
    let canonical = format!(
        "{}\n{}\n{}\n{canonical_headers}\n{signed}\n{payload}",
        parts.method,
        encode(&decode(if path.is_empty() { "/" } else { path }), true),
        canonical_query(parts.uri.query().unwrap_or_default()),
    );
    let to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{date}/{region}/{service}/aws4_request\n{}",
        hex::encode(Sha256::digest(canonical.as_bytes()))
    );
    let mut key = hmac(format!("AWS4{secret}").as_bytes(), date.as_bytes());
    for part in [*region, *service, "aws4_request"] {
        key = hmac(&key, part.as_bytes());
    }
    let expected = hex::encode(hmac(&key, to_sign.as_bytes()));
    let matches = expected.len() == signature.len()
        && expected
            .bytes()
            .zip(signature.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    if matches { Ok(()) } else { Err(mismatch()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// AWS's documented example (IAM ListUsers, "get-vanilla"-style), signed with the
    /// example key pair from the SigV4 documentation.
    fn example() -> (Parts, &'static str) {
        let req = http::Request::builder()
            .method("GET")
            .uri("https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08")
            .header("host", "iam.amazonaws.com")
            .header("content-type", "application/x-www-form-urlencoded; charset=utf-8")
            .header("x-amz-date", "20150830T123600Z")
            .header(
                "authorization",
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
            )
            .body(())
            .unwrap();
        (req.into_parts().0, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    }

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn the_documented_example_verifies() {
        let (parts, secret) = example();
        let when = at(parse_amz_date("20150830T123600Z").unwrap());
        assert_eq!(parse_amz_date("20150830T123600Z"), Some(1_440_938_160));
        verify(&parts, b"", |k| (k == "AKIDEXAMPLE").then(|| secret.to_owned()), when).unwrap();
        let wrong = verify(&parts, b"", |_| Some("other".into()), when).unwrap_err();
        assert_eq!(wrong.code, "InvalidSignatureException");
        let unknown = verify(&parts, b"", |_| None, when).unwrap_err();
        assert_eq!(unknown.code, "UnrecognizedClientException");
        let stale = verify(&parts, b"", |_| Some(secret.to_owned()), at(1_440_938_160 + 3600)).unwrap_err();
        assert!(stale.message.starts_with("Signature expired"), "{stale:?}");
    }

    /// AWS's SigV4 test suite, `post-x-www-form-urlencoded`: a POST whose body
    /// `Param1=value1` is part of the signature.
    fn post_example() -> Parts {
        let req = http::Request::builder()
            .method("POST")
            .uri("https://example.amazonaws.com/")
            .header("host", "example.amazonaws.com")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("x-amz-date", "20150830T123600Z")
            .header(
                "authorization",
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a",
            )
            .body(())
            .unwrap();
        req.into_parts().0
    }

    #[test]
    fn the_body_is_signed_whatever_x_amz_content_sha256_claims() {
        let secret = |_: &str| Some("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".to_owned());
        let when = at(1_440_938_160);
        let mut parts = post_example();
        verify(&parts, b"Param1=value1", secret, when).unwrap();
        let e = verify(&parts, b"Param1=value2", secret, when).unwrap_err();
        assert_eq!(e.code, "InvalidSignatureException");
        // A replay that adds (unsigned) the hash of the body it was signed for
        // must not get the new body past the check.
        let original = hex::encode(Sha256::digest(b"Param1=value1"));
        assert_eq!(
            original,
            "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e"
        );
        parts
            .headers
            .insert("x-amz-content-sha256", http::HeaderValue::from_str(&original).unwrap());
        verify(&parts, b"Param1=value1", secret, when).unwrap();
        let e = verify(&parts, b"Param1=value2", secret, when).unwrap_err();
        assert_eq!(e, mismatch());
        parts.headers.insert(
            "x-amz-content-sha256",
            http::HeaderValue::from_static("UNSIGNED-PAYLOAD"),
        );
        verify(&parts, b"Param1=value1", secret, when).unwrap();
        let e = verify(&parts, b"Param1=value2", secret, when).unwrap_err();
        assert_eq!(e, mismatch());
        // Signed, it must name the body received.
        parts.headers.insert(
            http::header::AUTHORIZATION,
            http::HeaderValue::from_static(
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date, Signature=00",
            ),
        );
        let e = verify(&parts, b"Param1=value1", secret, when).unwrap_err();
        assert_eq!(e, mismatch());
    }

    #[test]
    fn missing_or_malformed_authorization() {
        let (mut parts, _) = example();
        parts.headers.remove(http::header::AUTHORIZATION);
        let e = verify(&parts, b"", |_| None, SystemTime::now()).unwrap_err();
        assert_eq!(e.code, "MissingAuthenticationTokenException");
        parts.headers.insert(
            http::header::AUTHORIZATION,
            http::HeaderValue::from_static("AWS4-HMAC-SHA256 Credential=x"),
        );
        let e = verify(&parts, b"", |_| None, SystemTime::now()).unwrap_err();
        assert_eq!(e.code, "IncompleteSignatureException");
    }
}
