//! What SendMessage checks before it accepts a message: the body's
//! characters, message and system attributes (at most 10; names, types and
//! values as the SQS Developer Guide's "Amazon SQS message attributes"
//! describes them), FIFO group and deduplication ids, the size against the
//! queue's MaximumMessageSize, and batch entry ids.

use crate::attributes;
use crate::error::{Result, SqsError};
use crate::model::{MessageAttributeValue, MessageAttributes};

pub const MAX_ATTRIBUTES: usize = 10;
const MAX_ATTRIBUTE_NAME: usize = 256;
const MAX_DATA_TYPE: usize = 256;
const MAX_ID: usize = 128;
/// Number attributes hold up to 38 significant digits.
const MAX_NUMBER_DIGITS: usize = 38;
pub const MAX_BATCH_ENTRIES: usize = 10;
/// A batch's messages and attributes together (the 1 MiB payload limit).
pub const MAX_BATCH_BYTES: usize = 1_048_576;

/// `#x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF`;
/// Rust strings hold no surrogates, so only control characters and
/// U+FFFE/U+FFFF can break it.
fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
}

pub fn check_body(body: &str) -> Result<()> {
    if body.is_empty() {
        return Err(SqsError::MissingParameter("MessageBody"));
    }
    match body.chars().find(|c| !allowed(*c)) {
        Some(c) => Err(SqsError::InvalidMessageContents(c as u32)),
        None => Ok(()),
    }
}

fn user(message: String) -> SqsError {
    SqsError::InvalidRequest(message)
}

/// Checks message attributes; answers the bytes they count toward the
/// message size (names, types and values).
pub fn check_message_attributes(attrs: &MessageAttributes) -> Result<usize> {
    if attrs.len() > MAX_ATTRIBUTES {
        return Err(user(format!(
            "Number of message attributes [{}] exceeds the allowed maximum [{MAX_ATTRIBUTES}].",
            attrs.len()
        )));
    }
    let mut size = 0;
    for (name, value) in attrs {
        check_attribute_name(name)?;
        size += name.len() + check_value(name, value)?;
    }
    Ok(size)
}

fn check_attribute_name(name: &str) -> Result<()> {
    if name.is_empty() {
        return Err(user(
            "The request must contain non-empty message (user) attribute names.".into(),
        ));
    }
    if name.len() > MAX_ATTRIBUTE_NAME {
        return Err(user(format!(
            "Message (user) attribute name must be shorter than {MAX_ATTRIBUTE_NAME} bytes."
        )));
    }
    let lower = name.to_ascii_lowercase();
    if lower.starts_with("aws.") || lower.starts_with("amazon.") {
        return Err(user(format!(
            "Message (user) attribute name '{name}' is reserved for use by Amazon. Names starting with AWS. or Amazon. are not allowed."
        )));
    }
    let chars_ok = name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    if !chars_ok || name.starts_with('.') || name.ends_with('.') || name.contains("..") {
        return Err(user(format!(
            "Message (user) attribute name '{name}' is invalid. The attribute name can contain only A-Z, a-z, 0-9, underscore (_), hyphen (-), and period (.) characters, and cannot start or end with a period or contain successive periods."
        )));
    }
    Ok(())
}

/// Checks one attribute's type and value; answers the bytes of both.
fn check_value(name: &str, v: &MessageAttributeValue) -> Result<usize> {
    let dt = v.data_type.as_str();
    if dt.is_empty() {
        return Err(user(format!(
            "The message (user) attribute '{name}' must contain a non-empty attribute type."
        )));
    }
    if dt.len() > MAX_DATA_TYPE {
        return Err(user(format!(
            "Message (user) attribute type must be shorter than {MAX_DATA_TYPE} bytes."
        )));
    }
    let base = ["String", "Number", "Binary"].into_iter().find(|b| {
        dt == *b
            || dt
                .strip_prefix(b)
                .is_some_and(|rest| rest.starts_with('.') && rest.len() > 1)
    });
    let Some(base) = base else {
        return Err(user(format!(
            "The type of message (user) attribute '{name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String."
        )));
    };
    let empty = || {
        user(format!(
            "Message (user) attribute '{name}' must contain a non-empty value of message attribute type '{base}'."
        ))
    };
    let value_len = if base == "Binary" {
        match &v.binary_value {
            Some(b) if !b.is_empty() => b.len(),
            _ => return Err(empty()),
        }
    } else {
        let s = v.string_value.as_deref().filter(|s| !s.is_empty()).ok_or_else(empty)?;
        if let Some(c) = s.chars().find(|c| !allowed(*c)) {
            return Err(SqsError::InvalidMessageContents(c as u32));
        }
        if base == "Number" && !is_number(s) {
            return Err(user(format!(
                "Could not cast message attribute '{name}' value to number."
            )));
        }
        s.len()
    };
    Ok(dt.len() + value_len)
}

/// A decimal number as SQS takes Number attributes: sign, digits, an
/// optional fraction and exponent, at most 38 significant digits.
fn is_number(s: &str) -> bool {
    let s = s.trim();
    let s = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits_ok = |d: &str| d.bytes().all(|b| b.is_ascii_digit());
    if (int.is_empty() && frac.is_empty()) || !digits_ok(int) || !digits_ok(frac) {
        return false;
    }
    if let Some(e) = exponent {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        if e.is_empty() || e.len() > 4 || !digits_ok(e) {
            return false;
        }
    }
    let significant = format!("{int}{frac}");
    let significant = significant.trim_start_matches('0').trim_end_matches('0');
    significant.len() <= MAX_NUMBER_DIGITS
}

/// Message system attributes: only `AWSTraceHeader`, a String.
pub fn check_system_attributes(attrs: &MessageAttributes) -> Result<usize> {
    let mut size = 0;
    for (name, value) in attrs {
        if name != "AWSTraceHeader" {
            return Err(user(format!("Message system attribute name '{name}' is invalid.")));
        }
        if value.data_type != "String" {
            return Err(user(format!(
                "The data type of message system attribute '{name}' must be String."
            )));
        }
        size += name.len() + check_value(name, value)?;
    }
    Ok(size)
}

/// MessageGroupId and MessageDeduplicationId: 1–128 characters, letters,
/// digits and punctuation (`!`–`~`).
pub fn check_id(parameter: &str, value: &str) -> Result<()> {
    let ok = !value.is_empty() && value.len() <= MAX_ID && value.bytes().all(|b| b.is_ascii_graphic());
    if ok {
        return Ok(());
    }
    Err(SqsError::parameter(
        parameter,
        value,
        format!("{parameter} can only include alphanumeric and punctuation characters. 1 to 128 in length."),
    ))
}

/// A batch's entry ids: present, 1–80 of `[A-Za-z0-9_-]`, distinct; the
/// batch itself 1–10 entries.
pub fn check_batch<'a>(entry: &'static str, ids: impl ExactSizeIterator<Item = Option<&'a str>>) -> Result<()> {
    use lakestack_aws_protocol::batch::{BatchIdError, check_entry_ids};
    check_entry_ids(ids, MAX_BATCH_ENTRIES).map_err(|e| match e {
        BatchIdError::Empty => SqsError::EmptyBatchRequest(entry),
        BatchIdError::TooMany(n) => SqsError::TooManyEntriesInBatchRequest(n),
        BatchIdError::Invalid => SqsError::InvalidBatchEntryId,
        BatchIdError::Duplicate(id) => SqsError::BatchEntryIdsNotDistinct(id),
    })
}

/// DelaySeconds of a message: 0–900, and not on FIFO queues.
pub(crate) fn check_delay(d: i64, fifo: bool) -> Result<u32> {
    if !(0..=i64::from(attributes::MAX_DELAY)).contains(&d) {
        return Err(SqsError::parameter(
            "DelaySeconds",
            d,
            "DelaySeconds must be >= 0 and <= 900.",
        ));
    }
    if fifo && d != 0 {
        return Err(SqsError::parameter(
            "DelaySeconds",
            d,
            "The request include parameter that is not valid for this queue type.",
        ));
    }
    Ok(d as u32)
}

/// MaxNumberOfMessages: 1–10.
pub(crate) fn check_max_messages(n: i64) -> Result<usize> {
    if (1..=10).contains(&n) {
        Ok(n as usize)
    } else {
        Err(SqsError::parameter(
            "MaxNumberOfMessages",
            n,
            "Must be between 1 and 10, if provided.",
        ))
    }
}

/// A visibility timeout: 0–43,200 seconds.
pub(crate) fn check_visibility(s: i64) -> Result<u32> {
    if (0..=i64::from(attributes::MAX_VISIBILITY)).contains(&s) {
        Ok(s as u32)
    } else {
        Err(SqsError::parameter(
            "VisibilityTimeout",
            s,
            "Must be between 0 and 43200, if provided.",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::MessageAttributeValue as V;

    fn one(name: &str, v: V) -> MessageAttributes {
        [(name.to_owned(), v)].into_iter().collect()
    }

    #[test]
    fn bodies_allow_the_xml_character_set() {
        assert!(check_body("tab\tnewline\ncr\r ok \u{D7FF}\u{E000}\u{10FFFF}").is_ok());
        assert_eq!(
            check_body("a\u{1}b").unwrap_err().to_string(),
            "Invalid binary character '#x1' was found in the message body, the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF"
        );
        assert!(matches!(
            check_body("\u{FFFF}"),
            Err(SqsError::InvalidMessageContents(0xFFFF))
        ));
        assert!(matches!(check_body(""), Err(SqsError::MissingParameter("MessageBody"))));
    }

    #[test]
    fn attributes_are_named_typed_and_sized() {
        let ok = one("trace.id-1", V::string("Number.float", "1.5e3"));
        assert_eq!(check_message_attributes(&ok).unwrap(), 10 + 12 + 5);
        let bin = one("b", V::binary("Binary.gz", vec![1, 2, 3]));
        assert_eq!(check_message_attributes(&bin).unwrap(), 1 + 9 + 3);
        for (name, v) in [
            ("", V::string("String", "x")),
            ("AWS.x", V::string("String", "x")),
            ("amazon.x", V::string("String", "x")),
            (".a", V::string("String", "x")),
            ("a..b", V::string("String", "x")),
            ("a b", V::string("String", "x")),
            ("a", V::string("Text", "x")),
            ("a", V::string("String.", "x")),
            ("a", V::string("", "x")),
            ("a", V::string("String", "")),
            ("a", V::binary("Binary", vec![])),
            ("a", V::string("Binary", "x")),
            ("a", V::string("Number", "1x")),
            ("a", V::string("Number", "1".repeat(39))),
        ] {
            assert!(check_message_attributes(&one(name, v.clone())).is_err(), "{name} {v:?}");
        }
        let many: MessageAttributes = (0..11).map(|i| (format!("a{i}"), V::string("String", "v"))).collect();
        assert_eq!(
            check_message_attributes(&many).unwrap_err().to_string(),
            "Number of message attributes [11] exceeds the allowed maximum [10]."
        );
        assert_eq!(
            check_message_attributes(&one("a", V::string("String", "")))
                .unwrap_err()
                .to_string(),
            "Message (user) attribute 'a' must contain a non-empty value of message attribute type 'String'."
        );
    }

    #[test]
    fn numbers() {
        for good in [
            "0",
            "-1",
            "+2.5",
            ".5",
            "5.",
            "1e10",
            "1E-3",
            &"9".repeat(38),
            "0.000001",
        ] {
            assert!(is_number(good), "{good}");
        }
        for bad in ["", "-", ".", "e5", "1e", "1.2.3", "0x10", "NaN", "1e99999"] {
            assert!(!is_number(bad), "{bad}");
        }
    }

    #[test]
    fn system_attributes_are_the_trace_header_only() {
        assert!(check_system_attributes(&one("AWSTraceHeader", V::string("String", "Root=1-5"))).is_ok());
        assert!(check_system_attributes(&one("Other", V::string("String", "x"))).is_err());
        assert!(check_system_attributes(&one("AWSTraceHeader", V::string("Number", "1"))).is_err());
    }

    #[test]
    fn group_and_dedup_ids() {
        assert!(check_id("MessageGroupId", "g-1:!~").is_ok());
        assert_eq!(
            check_id("MessageGroupId", "has space").unwrap_err().to_string(),
            "Value has space for parameter MessageGroupId is invalid. Reason: MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length."
        );
        assert!(check_id("MessageDeduplicationId", &"x".repeat(129)).is_err());
        assert!(check_id("MessageDeduplicationId", "").is_err());
    }

    #[test]
    fn batches() {
        let ids = |v: &[&'static str]| v.iter().map(|s| Some(*s)).collect::<Vec<_>>();
        assert!(check_batch("E", ids(&["a", "b_1", "C-2"]).into_iter()).is_ok());
        assert!(matches!(
            check_batch("E", ids(&[]).into_iter()),
            Err(SqsError::EmptyBatchRequest("E"))
        ));
        assert!(matches!(
            check_batch("E", ids(&["a"; 11]).into_iter()),
            Err(SqsError::TooManyEntriesInBatchRequest(11))
        ));
        assert!(matches!(
            check_batch("E", ids(&["a", "a"]).into_iter()),
            Err(SqsError::BatchEntryIdsNotDistinct(_))
        ));
        assert!(matches!(
            check_batch("E", ids(&["invalid:id"]).into_iter()),
            Err(SqsError::InvalidBatchEntryId)
        ));
        assert!(matches!(
            check_batch("E", vec![None].into_iter()),
            Err(SqsError::InvalidBatchEntryId)
        ));
    }
}
