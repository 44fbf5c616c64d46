//! Reading request members as Step Functions does: the size limit on an
//! execution's input, and the paging members of lists (`maxResults`,
//! key-based `nextToken`s) with the keys each list is in.

use std::fmt::Write as _;

use lakestack_aws_protocol::validation::{Shown, Violation};
use lakestack_aws_protocol::{Output, ServiceError, paging};

use super::SPEC;

/// What a handler answers.
pub(super) type Answer = Result<Output, ServiceError>;

/// An execution's `input`, at most 256 KiB as the API model and the
/// service quota allow. The value is sensitive, so the message leaves it out.
pub(super) fn execution_input(input: Option<String>) -> Result<Option<String>, ServiceError> {
    match input {
        Some(i) if i.len() > crate::MAX_PAYLOAD_BYTES => {
            Err(SPEC.violation(Violation::max_len("input", Shown::Hidden, crate::MAX_PAYLOAD_BYTES)))
        }
        other => Ok(other),
    }
}

/// Step Functions' page size when `maxResults` is absent or 0.
const DEFAULT_PAGE: usize = 100;
/// The largest `maxResults` Step Functions takes.
const MAX_PAGE: i64 = 1000;

/// One page of a list: `items` in ascending order of `key` (each list
/// builds its key so that this is the order it answers in), at most
/// `maxResults` of them after the item `nextToken` names.
pub(super) fn page<T>(
    items: impl IntoIterator<Item = T>,
    key: impl Fn(&T) -> String,
    max_results: Option<i64>,
    next_token: Option<&str>,
) -> Result<(Vec<T>, Option<String>), ServiceError> {
    // Absent, 0 and (as lakestack has always read them) negative values
    // are the default.
    let max = match max_results {
        Some(n) if n > MAX_PAGE => return Err(SPEC.violation(Violation::at_most("maxResults", n, MAX_PAGE))),
        Some(n) if n > 0 => n as usize,
        _ => DEFAULT_PAGE,
    };
    paging::page_from(&SPEC, items, key, next_token, max)
}

/// A key that sorts like the number `n` (not negative), smallest first.
pub(super) fn ascending_number(n: i64) -> String {
    format!("{n:019}")
}

/// A key that sorts like the number `n` (not negative), largest first.
pub(super) fn descending_number(n: i64) -> String {
    ascending_number(i64::MAX - n)
}

/// A key that sorts like the text `s`, last first: each byte's complement
/// in hex, then `~`, which sorts after every hex digit so that a text
/// comes after the longer texts it begins.
pub(super) fn descending_text(s: &str) -> String {
    let mut out = String::with_capacity(2 * s.len() + 1);
    for b in s.bytes() {
        let _ = write!(out, "{:02x}", !b);
    }
    out.push('~');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descending_keys_reverse_the_order() {
        let mut texts = ["b", "ab", "a", "abc", "", "z~", "é"];
        let mut keys: Vec<String> = texts.iter().map(|t| descending_text(t)).collect();
        texts.sort();
        texts.reverse();
        keys.sort();
        let back: Vec<String> = texts.iter().map(|t| descending_text(t)).collect();
        assert_eq!(keys, back);

        let mut numbers = [0, 9, 10, 1_700_000_000_123, 5];
        let mut keys: Vec<String> = numbers.iter().map(|n| descending_number(*n)).collect();
        keys.sort();
        numbers.sort_by(|a, b| b.cmp(a));
        let back: Vec<String> = numbers.iter().map(|n| descending_number(*n)).collect();
        assert_eq!(keys, back);
    }

    #[test]
    fn max_results_and_tokens() {
        let items = || 0..250;
        let key = |n: &i32| ascending_number(i64::from(*n));
        let (p, t) = page(items(), key, None, None).unwrap();
        assert_eq!((p.len(), t.is_some()), (100, true));
        let (p, _) = page(items(), key, Some(0), None).unwrap();
        assert_eq!(p.len(), 100);
        let (p, t) = page(items(), key, Some(1000), None).unwrap();
        assert_eq!((p.len(), t), (250, None));
        let e = page(items(), key, Some(1001), None).unwrap_err();
        assert_eq!(e.code, "ValidationException");
        assert_eq!(
            e.message,
            "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000"
        );
        let e = page(items(), key, None, Some("***")).unwrap_err();
        assert_eq!(
            (e.code.as_ref(), e.message.as_str()),
            ("InvalidToken", "Invalid Token: '***'")
        );
        let (p1, t) = page(items(), key, Some(200), None).unwrap();
        let (p2, t2) = page(items(), key, Some(200), t.as_deref()).unwrap();
        assert_eq!((p1.len(), p2.len(), p2[0], t2), (200, 50, 200, None));
    }
}
