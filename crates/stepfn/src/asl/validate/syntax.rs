//! What the strings in a definition must look like: paths and intrinsic calls in the grammars the
//! interpreter parses (so that what validation accepts is what runs), JSONata expressions, ARNs
//! and timestamps.

use crate::intrinsics;
use crate::path::{Path, Shape};

/// The shape of a JSONPath as definitions may write it; `None` when `text` is none.
pub(super) fn path_shape(text: &str) -> Option<Shape<'_>> {
    Path::shape(text).ok()
}

pub(super) fn is_intrinsic_call(text: &str) -> bool {
    intrinsics::check(text).is_ok()
}

/// The value of a `.$` key: a JSONPath (context and variables allowed) or an intrinsic call.
pub(super) fn is_dynamic_value(text: &str) -> bool {
    path_shape(text).is_some() || is_intrinsic_call(text)
}

pub(super) fn is_jsonata_expression(text: &str) -> bool {
    text.len() >= 4 && text.starts_with("{%") && text.ends_with("%}")
}

/// `arn:partition:service:region:account:resource...`; regions and accounts may be empty, as in
/// `arn:aws:states:::lambda:invoke`.
pub(super) fn is_arn(text: &str) -> bool {
    let parts: Vec<&str> = text.splitn(6, ':').collect();
    parts.len() == 6 && parts[0] == "arn" && !parts[1].is_empty() && !parts[2].is_empty() && !parts[5].is_empty()
}

pub(super) fn is_activity_arn(text: &str) -> bool {
    let parts: Vec<&str> = text.splitn(7, ':').collect();
    parts.len() == 7 && parts[0] == "arn" && parts[2] == "states" && parts[5] == "activity"
}

pub(super) fn is_item_reader_resource(text: &str) -> bool {
    let parts: Vec<&str> = text.split(':').collect();
    match parts.as_slice() {
        ["arn", partition, "states", "", "", "s3", operation] => {
            !partition.is_empty() && matches!(*operation, "getObject" | "listObjectsV2")
        }
        _ => false,
    }
}

/// ASL's RFC 3339 profile: uppercase `T`, and `Z` unless a numeric offset is given.
pub(super) fn is_rfc3339(text: &str) -> bool {
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| bytes.get(range).is_some_and(|b| b.iter().all(u8::is_ascii_digit));
    let shape = bytes.len() >= 20
        && digits(0..4)
        && bytes[4] == b'-'
        && digits(5..7)
        && bytes[7] == b'-'
        && digits(8..10)
        && bytes[10] == b'T'
        && digits(11..13)
        && bytes[13] == b':'
        && digits(14..16)
        && bytes[16] == b':'
        && digits(17..19);
    if !shape {
        return false;
    }
    let mut rest = &text[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let end = fraction.find(|c: char| !c.is_ascii_digit()).unwrap_or(fraction.len());
        if end == 0 {
            return false;
        }
        rest = &fraction[end..];
    }
    let zone = rest == "Z" || {
        let zone = rest.as_bytes();
        zone.len() == 6
            && matches!(zone[0], b'+' | b'-')
            && zone[1..3].iter().all(u8::is_ascii_digit)
            && zone[3] == b':'
            && zone[4..6].iter().all(u8::is_ascii_digit)
    };
    zone && chrono::DateTime::parse_from_rfc3339(text).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_and_timestamps() {
        assert!(is_arn("arn:aws:states:::lambda:invoke"));
        assert!(is_arn("arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST"));
        assert!(!is_arn("arn:aws:lambda"));
        assert!(is_activity_arn("arn:aws:states:us-east-1:123456789012:activity:a"));
        assert!(is_rfc3339("2016-03-14T01:59:00Z"));
        assert!(!is_rfc3339("2016-03-14T01:59:00"));
        assert!(!is_rfc3339("2016-02-30T01:59:00Z"));
    }
}
