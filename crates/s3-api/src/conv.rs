//! Conversions between s3s wire DTOs and storage domain types.

use std::collections::HashMap;

use lakestack_compat::percent;
use lakestack_storage::{ObjectMeta, ObjectVersion, StoredChecksum};
use s3s::dto::{ETag, Timestamp, TimestampFormat};
use s3s::{S3Error, S3ErrorCode};

pub(crate) fn timestamp(ms: i64) -> Timestamp {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    Timestamp::from(t)
}

pub(crate) fn ms_of(ts: &Timestamp) -> i64 {
    let t: time::OffsetDateTime = ts.clone().into();
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(0)
}

pub(crate) fn http_date(ts: &Timestamp) -> String {
    let mut buf = Vec::new();
    let _ = ts.format(TimestampFormat::HttpDate, &mut buf);
    String::from_utf8(buf).unwrap_or_default()
}

pub(crate) fn parse_http_date(s: &str) -> Option<Timestamp> {
    Timestamp::parse(TimestampFormat::HttpDate, s).ok()
}

/// Our ETags are stored quoted, as S3 sends them; s3s wants the bare value.
pub(crate) fn etag(quoted: &str) -> ETag {
    ETag::Strong(quoted.trim_matches('"').to_owned())
}

pub(crate) fn etag_matches(cond: &s3s::dto::ETagCondition, quoted: &str) -> bool {
    match cond {
        s3s::dto::ETagCondition::Any => true,
        s3s::dto::ETagCondition::ETag(e) => e.value() == quoted.trim_matches('"'),
    }
}

pub(crate) fn version_id(v: &ObjectVersion) -> Option<String> {
    (v.version_id != lakestack_storage::NULL_VERSION).then(|| v.version_id.clone())
}

pub(crate) fn metadata(meta: &ObjectMeta) -> Option<HashMap<String, String>> {
    (!meta.user.is_empty()).then(|| meta.user.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
}

pub(crate) fn user_metadata(m: Option<HashMap<String, String>>) -> std::collections::BTreeMap<String, String> {
    m.unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v))
        .collect()
}

/// `aws-chunked` is transfer framing, not a property of the object: S3 drops it.
pub(crate) fn content_encoding(v: Option<&str>) -> Option<String> {
    let kept: Vec<&str> = v?
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty() && !t.eq_ignore_ascii_case("aws-chunked"))
        .collect();
    (!kept.is_empty()).then(|| kept.join(","))
}

/// Parses `x-amz-tagging` (URL query syntax) into a tag set, checking S3's limits.
pub(crate) fn parse_tagging_header(s: &str) -> Result<Vec<(String, String)>, S3Error> {
    let tags: Vec<(String, String)> = serde_urlencoded_pairs(s);
    check_tags(&tags)?;
    Ok(tags)
}

fn serde_urlencoded_pairs(s: &str) -> Vec<(String, String)> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent::form_decode(k), percent::form_decode(v))
        })
        .collect()
}

pub(crate) fn check_tags(tags: &[(String, String)]) -> Result<(), S3Error> {
    if tags.len() > 10 {
        let mut e = S3Error::with_message(
            S3ErrorCode::Custom("BadRequest".into()),
            "Object tags cannot be greater than 10",
        );
        e.set_status_code(http::StatusCode::BAD_REQUEST);
        return Err(e);
    }
    let mut seen = std::collections::HashSet::new();
    for (k, v) in tags {
        if k.is_empty() || k.chars().count() > 128 {
            return Err(S3Error::with_message(
                S3ErrorCode::InvalidTag,
                "The TagKey you have provided is invalid",
            ));
        }
        if v.chars().count() > 256 {
            return Err(S3Error::with_message(
                S3ErrorCode::InvalidTag,
                "The TagValue you have provided is invalid",
            ));
        }
        if !seen.insert(k) {
            return Err(S3Error::with_message(
                S3ErrorCode::InvalidTag,
                "Cannot provide multiple Tags with the same key",
            ));
        }
    }
    Ok(())
}

/// The `x-amz-checksum-*` value as S3 returns it: composite values carry `-N`.
pub(crate) fn checksum_value(c: &StoredChecksum, parts: usize) -> String {
    if c.kind == "COMPOSITE" && parts > 0 {
        format!("{}-{}", c.value, parts)
    } else {
        c.value.clone()
    }
}

/// Fills the five checksum fields of any output DTO that has them.
macro_rules! set_checksum {
    ($out:expr, $c:expr, $parts:expr) => {
        if let Some(c) = $c {
            let v = Some($crate::conv::checksum_value(c, $parts));
            match c.algorithm.as_str() {
                "CRC32" => $out.checksum_crc32 = v,
                "CRC32C" => $out.checksum_crc32c = v,
                "CRC64NVME" => $out.checksum_crc64nvme = v,
                "SHA1" => $out.checksum_sha1 = v,
                "SHA256" => $out.checksum_sha256 = v,
                _ => {}
            }
        }
    };
}
pub(crate) use set_checksum;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tagging_header_decodes_percent_and_plus() {
        let t = parse_tagging_header("a=1&b%20c=x+y&d=").unwrap();
        assert_eq!(
            t,
            vec![
                ("a".into(), "1".into()),
                ("b c".into(), "x y".into()),
                ("d".into(), String::new())
            ]
        );
    }

    #[test]
    fn duplicate_tag_keys_are_refused() {
        assert!(parse_tagging_header("a=1&a=2").is_err());
    }
}
