//! Receipt handles. A handle names one receive of one message: the queue
//! (by its row id, never reused, so a handle outlives neither its queue nor
//! a queue of the same name made later), the message and the receive's
//! stamp, a random number drawn at each receive. Deleting with a handle
//! finds the message by it; changing visibility (and, on FIFO queues,
//! deleting) needs the stamp of the current receive, as AWS wants the most
//! recent handle. Opaque to clients: URL-safe base64 of 20 bytes.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Receipt {
    pub queue: u64,
    pub seq: u64,
    pub stamp: u32,
}

const LEN: usize = 20;

impl Receipt {
    pub fn encode(&self) -> String {
        let mut bytes = [0u8; LEN];
        bytes[..8].copy_from_slice(&self.queue.to_be_bytes());
        bytes[8..16].copy_from_slice(&self.seq.to_be_bytes());
        bytes[16..].copy_from_slice(&self.stamp.to_be_bytes());
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// A handle as a client sent it; `None` for anything this service did
    /// not write.
    pub fn parse(handle: &str) -> Option<Self> {
        // 20 bytes are 27 characters; anything longer is not ours, and
        // decoding it would only cost time.
        if handle.len() != 27 {
            return None;
        }
        let bytes = URL_SAFE_NO_PAD.decode(handle).ok()?;
        let bytes: [u8; LEN] = bytes.try_into().ok()?;
        let u64_at = |i: usize| bytes[i..i + 8].try_into().map(u64::from_be_bytes);
        Some(Self {
            queue: u64_at(0).ok()?,
            seq: u64_at(8).ok()?,
            stamp: bytes[16..].try_into().map(u32::from_be_bytes).ok()?,
        })
    }
}

/// A fresh receive stamp: never 0, which marks a message never received.
pub fn new_stamp() -> u32 {
    rand::random::<u32>().max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_round_trip_and_refuse_what_we_did_not_write() {
        let r = Receipt {
            queue: 7,
            seq: u64::MAX - 3,
            stamp: 0xdead_beef,
        };
        let h = r.encode();
        assert_eq!(h.len(), 27);
        assert_eq!(Receipt::parse(&h), Some(r));
        for bad in [
            "",
            "x",
            "not a handle at all, really!",
            &format!("{h}A"),
            "***************************",
        ] {
            assert_eq!(Receipt::parse(bad), None, "{bad}");
        }
        assert!(new_stamp() > 0);
    }
}
