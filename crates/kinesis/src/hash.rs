//! Where a record goes: the MD5 of its partition key read as a 128-bit
//! big-endian number (or an explicit hash key) picks the open shard whose
//! range holds it; a new stream's shards split the key space evenly
//! (the last one ends at 2^128 - 1), as AWS divides it.

use md5::{Digest, Md5};

use crate::model::MAX_HASH_KEY;

/// The hash key of a partition key.
pub fn of_partition_key(key: &str) -> u128 {
    u128::from_be_bytes(Md5::digest(key.as_bytes()).into())
}

/// An `ExplicitHashKey`: a decimal number from 0 to 2^128 - 1.
pub fn parse_explicit(text: &str) -> Option<u128> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) || (text.len() > 1 && text.starts_with('0')) {
        return None;
    }
    text.parse().ok()
}

/// `n` even ranges covering the key space, in order.
pub fn even_ranges(n: u32) -> Vec<(u128, u128)> {
    even_ranges_within(0, MAX_HASH_KEY, n)
}

/// `n` even ranges covering `start..=end`; the last takes the remainder.
pub fn even_ranges_within(start: u128, end: u128, n: u32) -> Vec<(u128, u128)> {
    if n <= 1 {
        return vec![(start, end)];
    }
    let n = u128::from(n);
    // The span is end - start + 1, which may be 2^128: compute the width
    // from end - start so nothing overflows.
    let width = (end - start) / n + u128::from((end - start) % n == n - 1);
    (0..n)
        .map(|i| {
            let s = start + width * i;
            let e = if i == n - 1 { end } else { s + width - 1 };
            (s, e)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_keys_hash_as_aws_does() {
        // MD5("a") = 0cc175b9c0f1b6a831c399e269772661
        assert_eq!(of_partition_key("a"), 0x0cc175b9c0f1b6a831c399e269772661);
    }

    #[test]
    fn four_shards_split_the_space_as_aws_does() {
        let r = even_ranges(4);
        assert_eq!(r[0], (0, 85070591730234615865843651857942052863));
        assert_eq!(r[1].0, 85070591730234615865843651857942052864);
        assert_eq!(r[3].1, MAX_HASH_KEY);
        assert_eq!(even_ranges(1), vec![(0, MAX_HASH_KEY)]);
        let three = even_ranges(3);
        assert_eq!(three[0].1 + 1, three[1].0);
        assert_eq!(three[2].1, MAX_HASH_KEY);
    }

    #[test]
    fn explicit_hash_keys() {
        assert_eq!(parse_explicit("0"), Some(0));
        assert_eq!(
            parse_explicit("340282366920938463463374607431768211455"),
            Some(MAX_HASH_KEY)
        );
        assert_eq!(parse_explicit("340282366920938463463374607431768211456"), None);
        assert_eq!(parse_explicit("01"), None);
        assert_eq!(parse_explicit("-1"), None);
        assert_eq!(parse_explicit(""), None);
    }
}
