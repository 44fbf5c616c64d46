//! The entry ids of batch operations (SQS's SendMessageBatch and friends,
//! SNS's PublishBatch): the same rules in both services, each answering
//! with its own error codes.

use std::collections::HashSet;

/// Why a batch's entry ids are refused, in the order the services check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchIdError {
    Empty,
    /// More entries than the operation takes; how many came.
    TooMany(usize),
    /// An id that is empty, longer than 80 characters, or not made of
    /// letters, digits, `-` and `_`.
    Invalid,
    /// The first id seen twice.
    Duplicate(String),
}

/// The longest entry id.
pub const MAX_ENTRY_ID: usize = 80;

/// Checks a batch of `ids` (a missing id counts as empty) against at most `max` entries.
pub fn check_entry_ids<'a>(
    ids: impl ExactSizeIterator<Item = Option<&'a str>>,
    max: usize,
) -> Result<(), BatchIdError> {
    match ids.len() {
        0 => return Err(BatchIdError::Empty),
        n if n > max => return Err(BatchIdError::TooMany(n)),
        _ => {}
    }
    let mut seen = HashSet::new();
    for id in ids {
        let id = id.unwrap_or_default();
        let valid = (1..=MAX_ENTRY_ID).contains(&id.len())
            && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !valid {
            return Err(BatchIdError::Invalid);
        }
        if !seen.insert(id) {
            return Err(BatchIdError::Duplicate(id.to_owned()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(ids: &[Option<&str>]) -> Result<(), BatchIdError> {
        check_entry_ids(ids.iter().copied(), 10)
    }

    #[test]
    fn ids_are_checked_as_sqs_and_sns_check_them() {
        assert_eq!(check(&[Some("a-1"), Some("b_2")]), Ok(()));
        assert_eq!(check(&[]), Err(BatchIdError::Empty));
        assert_eq!(check(&[Some("a"); 11]), Err(BatchIdError::TooMany(11)));
        assert_eq!(check(&[Some("a"), None]), Err(BatchIdError::Invalid));
        assert_eq!(check(&[Some("a.b")]), Err(BatchIdError::Invalid));
        assert_eq!(check(&[Some(&"x".repeat(81))]), Err(BatchIdError::Invalid));
        assert_eq!(
            check(&[Some("a"), Some("b"), Some("a")]),
            Err(BatchIdError::Duplicate("a".into()))
        );
    }
}
