//! Shard iterators: an opaque token naming a stream, a shard and the place
//! of the next record to read, stamped with the time it was made (an
//! iterator expires five minutes later, on the server's clock, as AWS's do).
//! The token is URL-safe base64 of its fields; a token we did not write,
//! or one for another stream, is an invalid argument.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::seq::Place;

/// How long an iterator is good for.
pub const LIFETIME_MS: i64 = 300_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Iterator {
    pub stream: String,
    /// The stream's creation time: an iterator of a deleted and re-created
    /// stream of the same name is not taken for one of the new stream.
    pub stream_created_ms: i64,
    pub shard_key: u64,
    pub next: Place,
    pub made_ms: i64,
}

const TAG: &str = "lk1";

impl Iterator {
    pub fn encode(&self) -> String {
        let text = format!(
            "{TAG}|{}|{}|{}|{}|{}",
            self.stream_created_ms, self.shard_key, self.next, self.made_ms, self.stream
        );
        URL_SAFE_NO_PAD.encode(text)
    }

    pub fn decode(token: &str) -> Option<Self> {
        // Far longer than any token we write: not worth decoding.
        if token.len() > 1024 {
            return None;
        }
        let text = String::from_utf8(URL_SAFE_NO_PAD.decode(token).ok()?).ok()?;
        let mut parts = text.splitn(6, '|');
        if parts.next()? != TAG {
            return None;
        }
        Some(Self {
            stream_created_ms: parts.next()?.parse().ok()?,
            shard_key: parts.next()?.parse().ok()?,
            next: parts.next()?.parse().ok()?,
            made_ms: parts.next()?.parse().ok()?,
            stream: parts.next()?.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let it = Iterator {
            stream: "a|b".into(),
            stream_created_ms: 5,
            shard_key: 2,
            next: 9,
            made_ms: 1_700_000_000_000,
        };
        assert_eq!(Iterator::decode(&it.encode()), Some(it));
        assert_eq!(Iterator::decode("nonsense"), None);
        assert_eq!(Iterator::decode(""), None);
    }
}
