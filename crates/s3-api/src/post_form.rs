//! Browser POST uploads. Two things s3s does not do are done here, on the
//! form fields before the file:
//! - `${filename}` in the `key` field becomes the uploaded file's name, as S3 does;
//! - under permissive auth, the signature fields are removed: s3s verifies a
//!   POST signature only with an auth provider (it needs the secret key), and
//!   an unsigned form is an anonymous POST whose policy (expiration,
//!   conditions) s3s still enforces.
//!
//! Only the fields before the file part are buffered (S3 requires the file
//! to be the last field); the file streams through untouched. Under strict
//! auth a form without a signature field is refused here, before its file is
//! read: s3s would read the whole file into memory before refusing it.

use bytes::{Bytes, BytesMut};
use futures::StreamExt;
use http::Request;
use s3s::{Body, S3Error, S3ErrorCode, S3Result};

/// S3's limit on the form fields before the file.
const MAX_PRE_DATA: usize = 20 * 1024;
const SIGNATURE_FIELDS: [&str; 2] = ["x-amz-signature", "signature"];

fn boundary(content_type: &str) -> Option<String> {
    let (kind, params) = content_type.split_once(';')?;
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.split(';').find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_owned())
    })
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// The field name of the part whose delimiter starts at `at`, if its headers are complete.
fn part_name(buf: &[u8], at: usize, delim: &[u8]) -> Option<Option<String>> {
    let headers_start = at + delim.len();
    let end = find(buf, b"\r\n\r\n", headers_start)?;
    let headers = String::from_utf8_lossy(&buf[headers_start..end]).to_ascii_lowercase();
    let name = headers
        .lines()
        .find(|l| l.starts_with("content-disposition"))
        .and_then(|l| {
            l.split(';')
                .map(str::trim)
                .find_map(|kv| kv.strip_prefix("name=").map(|v| v.trim_matches('"').to_owned()))
        });
    Some(name)
}

/// Splits the buffered form at the file part; None means "read more".
fn split_at_file(buf: &[u8], delim: &[u8]) -> Option<usize> {
    let mut at = find(buf, delim, 0)?;
    loop {
        match part_name(buf, at, delim)? {
            Some(n) if n == "file" => return Some(at),
            _ => at = find(buf, delim, at + delim.len())?,
        }
    }
}

/// The `filename` of the part at `at`, as the client wrote it.
fn part_filename(buf: &[u8], at: usize, delim: &[u8]) -> Option<String> {
    let headers_start = at + delim.len();
    let end = find(buf, b"\r\n\r\n", headers_start)?;
    let headers = String::from_utf8_lossy(&buf[headers_start..end]).into_owned();
    let line = headers
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("content-disposition"))?;
    line.split(';')
        .map(str::trim)
        .find_map(|kv| kv.strip_prefix("filename=").map(|v| v.trim_matches('"').to_owned()))
}

/// Whether the fields before the file include a POST signature.
fn has_signature(prefix: &[u8], delim: &[u8]) -> bool {
    let mut from = 0;
    while let Some(p) = find(prefix, delim, from) {
        if part_name(prefix, p, delim)
            .flatten()
            .is_some_and(|n| SIGNATURE_FIELDS.contains(&n.as_str()))
        {
            return true;
        }
        from = p + delim.len();
    }
    false
}

fn rewrite_fields(prefix: &[u8], delim: &[u8], strip_signatures: bool, filename: Option<&str>) -> Vec<u8> {
    let mut starts = Vec::new();
    let mut from = 0;
    while let Some(p) = find(prefix, delim, from) {
        starts.push(p);
        from = p + delim.len();
    }
    let mut out = Vec::with_capacity(prefix.len());
    out.extend_from_slice(&prefix[..starts.first().copied().unwrap_or(prefix.len())]);
    for (i, &s) in starts.iter().enumerate() {
        let e = starts.get(i + 1).copied().unwrap_or(prefix.len());
        let name = part_name(prefix, s, delim).flatten();
        let is_signature = name.as_deref().is_some_and(|n| SIGNATURE_FIELDS.contains(&n));
        if strip_signatures && is_signature {
            continue;
        }
        let part = &prefix[s..e];
        match (name.as_deref(), filename) {
            (Some("key"), Some(f)) if find(part, b"${filename}", 0).is_some() => {
                let text = String::from_utf8_lossy(part).replace("${filename}", f);
                out.extend_from_slice(text.as_bytes());
            }
            _ => out.extend_from_slice(part),
        }
    }
    out
}

pub(crate) async fn rewrite(req: &mut Request<Body>, strip_signatures: bool) -> S3Result<()> {
    let Some(b) = req
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(boundary)
    else {
        return Ok(());
    };
    let delim = format!("--{b}").into_bytes();
    let mut body = std::mem::take(req.body_mut());
    let mut buf = BytesMut::new();
    let split = loop {
        if let Some(at) = split_at_file(&buf, &delim) {
            break at;
        }
        if buf.len() > MAX_PRE_DATA {
            let mut e = S3Error::with_message(
                S3ErrorCode::Custom("MaxPostPreDataLengthExceeded".into()),
                "Your POST request fields preceding the upload file were too large.",
            );
            e.set_status_code(http::StatusCode::BAD_REQUEST);
            return Err(e);
        }
        match body.next().await {
            Some(Ok(chunk)) => buf.extend_from_slice(&chunk),
            Some(Err(_)) => return Err(S3Error::new(S3ErrorCode::IncompleteBody)),
            None => break buf.len(),
        }
    };
    if !strip_signatures && !has_signature(&buf[..split], &delim) {
        return Err(S3Error::with_message(S3ErrorCode::AccessDenied, "Access Denied"));
    }
    let filename = part_filename(&buf, split, &delim);
    let rest = buf.split_off(split).freeze();
    let prefix = rewrite_fields(&buf, &delim, strip_signatures, filename.as_deref());
    let len = req
        .headers()
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .filter(|n| *n < u64::MAX / 2)
        .map(|n| (n + prefix.len() as u64).checked_sub(buf.len() as u64))
        .map(|n| n.ok_or_else(|| S3Error::new(S3ErrorCode::IncompleteBody)))
        .transpose()?;
    let head = futures::stream::iter([Ok::<Bytes, s3s::StdError>(Bytes::from(prefix)), Ok(rest)]);
    let stream = head.chain(body);
    let dyn_stream: s3s::stream::DynByteStream = Box::pin(crate::stream::SyncByteStream::new(stream, len));
    *req.body_mut() = Body::from(dyn_stream);
    if let Some(n) = len {
        req.headers_mut()
            .insert(http::header::CONTENT_LENGTH, http::HeaderValue::from(n));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(fields: &[(&str, &str)], file: &str) -> Vec<u8> {
        let mut out = String::new();
        for (k, v) in fields {
            out.push_str(&format!(
                "--XB\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
            ));
        }
        out.push_str(&format!(
            "--XB\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f.txt\"\r\nContent-Type: text/plain\r\n\r\n{file}\r\n--XB--\r\n"
        ));
        out.into_bytes()
    }

    #[test]
    fn signature_fields_are_removed_and_the_rest_kept() {
        let f = form(
            &[("key", "up/${filename}"), ("x-amz-signature", "abc"), ("policy", "p")],
            "DATA",
        );
        let at = split_at_file(&f, b"--XB").unwrap();
        assert_eq!(part_filename(&f, at, b"--XB").as_deref(), Some("f.txt"));
        let prefix = rewrite_fields(&f[..at], b"--XB", true, Some("f.txt"));
        let text = String::from_utf8(prefix).unwrap();
        assert!(text.contains("name=\"key\"\r\n\r\nup/f.txt\r\n"), "{text}");
        assert!(text.contains("name=\"policy\""));
        assert!(!text.contains("x-amz-signature"));
        assert!(String::from_utf8_lossy(&f[at..]).contains("DATA"));
    }

    #[test]
    fn signature_fields_are_found() {
        let signed = form(&[("key", "k"), ("x-amz-signature", "abc")], "DATA");
        let at = split_at_file(&signed, b"--XB").unwrap();
        assert!(has_signature(&signed[..at], b"--XB"));
        let v2 = form(&[("key", "k"), ("Signature", "abc")], "DATA");
        let at = split_at_file(&v2, b"--XB").unwrap();
        assert!(has_signature(&v2[..at], b"--XB"));
        let anonymous = form(&[("key", "k"), ("policy", "p")], "x-amz-signature");
        let at = split_at_file(&anonymous, b"--XB").unwrap();
        assert!(!has_signature(&anonymous[..at], b"--XB"));
    }

    #[test]
    fn boundary_parsing() {
        assert_eq!(
            boundary("multipart/form-data; boundary=\"ab cd\"").as_deref(),
            Some("ab cd")
        );
        assert_eq!(boundary("multipart/form-data; boundary=xyz").as_deref(), Some("xyz"));
        assert_eq!(boundary("text/plain"), None);
    }
}
