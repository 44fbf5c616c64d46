//! SigV4 `Authorization` header parsing and verification for the JSON services.
//! Input lines: Authorization, X-Amz-Date, X-Amz-Content-Sha256, path?query, then the body.
#![no_main]

use std::time::{Duration, SystemTime};

use lakestack_aws_protocol::{Target, credential_service, sigv4};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut lines = data.splitn(5, |b| *b == b'\n');
    let auth = lines.next().unwrap_or_default();
    let date = lines.next().unwrap_or_default();
    let sha = lines.next().unwrap_or_default();
    let target = lines.next().unwrap_or_default();
    let body = lines.next().unwrap_or_default();
    let mut req = http::Request::builder()
        .method("POST")
        .uri(
            std::str::from_utf8(target)
                .ok()
                .and_then(|t| t.parse::<http::Uri>().ok())
                .unwrap_or_default(),
        )
        .header("host", "127.0.0.1:4566");
    for (name, value) in [
        ("authorization", auth),
        ("x-amz-date", date),
        ("x-amz-content-sha256", sha),
    ] {
        if let Ok(v) = http::HeaderValue::from_bytes(value) {
            req = req.header(name, v);
        }
    }
    let Ok(req) = req.body(()) else {
        return;
    };
    let (parts, ()) = req.into_parts();
    let _ = credential_service(&parts.headers);
    if let Ok(t) = std::str::from_utf8(auth) {
        let _ = Target::parse(t).map(|t| t.service());
    }
    // The seeds are dated 20150830T123600Z, so verification gets past the clock check.
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_440_938_160);
    let _ = sigv4::verify(&parts, body, |k| (!k.is_empty()).then(|| "secret".to_owned()), now);
});
