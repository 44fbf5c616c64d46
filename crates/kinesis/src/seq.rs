//! Sequence numbers as AWS writes them: 56 decimal digits, growing within
//! a shard, which clients compare as big integers (the KCL does). AWS does
//! not document their layout; ours is `49`, then the shard's key in 24
//! digits, then the record's place in its shard in 30: so a shard created
//! later (a reshard's child) numbers above its parents, and a sequence
//! number says which shard it belongs to, as AWS's do.

/// A record's place in its shard: the first record is 1; 0 is the shard's
/// `StartingSequenceNumber`.
pub type Place = u64;

const PREFIX: &str = "49";
const KEY_DIGITS: usize = 24;
const PLACE_DIGITS: usize = 30;
pub const LEN: usize = PREFIX.len() + KEY_DIGITS + PLACE_DIGITS;

pub fn format(shard_key: u64, place: Place) -> String {
    format!("{PREFIX}{shard_key:0KEY_DIGITS$}{place:0PLACE_DIGITS$}")
}

/// The shard key and place a sequence number we wrote holds.
pub fn parse(text: &str) -> Option<(u64, Place)> {
    if text.len() != LEN || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let rest = text.strip_prefix(PREFIX)?;
    let (key, place) = rest.split_at(KEY_DIGITS);
    Some((key.parse().ok()?, place.parse().ok()?))
}

/// Whether text is a sequence number at all (digits, at most 128 of them),
/// as AWS's model constrains the member; [`parse`] then says whether we wrote it.
pub fn well_formed(text: &str) -> bool {
    !text.is_empty() && text.len() <= 128 && text.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_order() {
        let a = format(3, 17);
        assert_eq!(a.len(), 56);
        assert_eq!(parse(&a), Some((3, 17)));
        assert!(format(3, 18) > a);
        // A later shard numbers above an earlier one.
        assert!(format(4, 0) > format(3, u64::MAX));
        assert_eq!(parse("49x"), None);
        assert_eq!(parse(&"1".repeat(56)), None);
        assert!(well_formed("123") && !well_formed("12a"));
    }
}
