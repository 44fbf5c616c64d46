//! The five S3 checksum algorithms: which one a request asks for, computing
//! it while the body streams in, and checking it against what the client sent.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use lakestack_storage::StoredChecksum;
use s3s::crypto::{Checksum as _, Crc32, Crc32c, Crc64Nvme, Sha1, Sha256};
use s3s::{S3Error, S3ErrorCode};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Algo {
    Crc32,
    Crc32c,
    Crc64Nvme,
    Sha1,
    Sha256,
}

pub(crate) const ALL: [Algo; 5] = [Algo::Crc32, Algo::Crc32c, Algo::Crc64Nvme, Algo::Sha1, Algo::Sha256];

impl Algo {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Crc32 => "CRC32",
            Self::Crc32c => "CRC32C",
            Self::Crc64Nvme => "CRC64NVME",
            Self::Sha1 => "SHA1",
            Self::Sha256 => "SHA256",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Self> {
        ALL.into_iter().find(|a| a.name().eq_ignore_ascii_case(s))
    }

    pub(crate) fn header(self) -> &'static str {
        match self {
            Self::Crc32 => "x-amz-checksum-crc32",
            Self::Crc32c => "x-amz-checksum-crc32c",
            Self::Crc64Nvme => "x-amz-checksum-crc64nvme",
            Self::Sha1 => "x-amz-checksum-sha1",
            Self::Sha256 => "x-amz-checksum-sha256",
        }
    }

    fn digest_len(self) -> usize {
        match self {
            Self::Crc32 | Self::Crc32c => 4,
            Self::Crc64Nvme => 8,
            Self::Sha1 => 20,
            Self::Sha256 => 32,
        }
    }

    pub(crate) fn is_crc(self) -> bool {
        matches!(self, Self::Crc32 | Self::Crc32c | Self::Crc64Nvme)
    }

    pub(crate) fn hasher(self) -> Hasher {
        match self {
            Self::Crc32 => Hasher::Crc32(Crc32::new()),
            Self::Crc32c => Hasher::Crc32c(Crc32c::new()),
            Self::Crc64Nvme => Hasher::Crc64Nvme(Crc64Nvme::new()),
            Self::Sha1 => Hasher::Sha1(Sha1::new()),
            Self::Sha256 => Hasher::Sha256(Sha256::new()),
        }
    }

    /// Decodes a base64 digest, refusing values of the wrong length as S3 does.
    pub(crate) fn decode(self, value: &str) -> Result<Vec<u8>, S3Error> {
        match B64.decode(value.trim()) {
            Ok(v) if v.len() == self.digest_len() => Ok(v),
            _ => Err(S3Error::with_message(
                S3ErrorCode::InvalidRequest,
                format!("Value for {} header is invalid.", self.header()),
            )),
        }
    }
}

pub(crate) enum Hasher {
    Crc32(Crc32),
    Crc32c(Crc32c),
    Crc64Nvme(Crc64Nvme),
    Sha1(Sha1),
    Sha256(Sha256),
}

impl Hasher {
    pub(crate) fn update(&mut self, data: &[u8]) {
        match self {
            Self::Crc32(h) => h.update(data),
            Self::Crc32c(h) => h.update(data),
            Self::Crc64Nvme(h) => h.update(data),
            Self::Sha1(h) => h.update(data),
            Self::Sha256(h) => h.update(data),
        }
    }

    pub(crate) fn finish(self) -> Vec<u8> {
        match self {
            Self::Crc32(h) => h.finalize().as_ref().to_vec(),
            Self::Crc32c(h) => h.finalize().as_ref().to_vec(),
            Self::Crc64Nvme(h) => h.finalize().as_ref().to_vec(),
            Self::Sha1(h) => h.finalize().as_ref().to_vec(),
            Self::Sha256(h) => h.finalize().as_ref().to_vec(),
        }
    }
}

pub(crate) fn b64(bytes: &[u8]) -> String {
    B64.encode(bytes)
}

pub(crate) fn b64_decode(s: &str) -> Option<Vec<u8>> {
    B64.decode(s.trim()).ok()
}

/// What the client told us about the checksum of a body.
#[derive(Debug, Clone)]
pub(crate) struct Requested {
    pub algo: Algo,
    /// None when the value comes later, in an aws-chunked trailer.
    pub value: Option<Vec<u8>>,
}

/// Works out the checksum a write carries, from the `x-amz-checksum-*`
/// headers, `x-amz-sdk-checksum-algorithm` and `x-amz-trailer`.
pub(crate) fn requested(headers: &http::HeaderMap, sdk_algorithm: Option<&str>) -> Result<Option<Requested>, S3Error> {
    let mut found: Option<Requested> = None;
    for algo in ALL {
        if let Some(v) = headers.get(algo.header()) {
            if found.is_some() {
                return Err(S3Error::with_message(
                    S3ErrorCode::InvalidRequest,
                    "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.",
                ));
            }
            let v = v.to_str().map_err(|_| {
                S3Error::with_message(
                    S3ErrorCode::InvalidRequest,
                    format!("Value for {} header is invalid.", algo.header()),
                )
            })?;
            found = Some(Requested {
                algo,
                value: Some(algo.decode(v)?),
            });
        }
    }
    let trailer = headers
        .get("x-amz-trailer")
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_ascii_lowercase())
        .filter(|s| s.starts_with("x-amz-checksum-"));
    if let Some(t) = trailer {
        let algo = ALL.into_iter().find(|a| a.header() == t).ok_or_else(|| {
            S3Error::with_message(
                S3ErrorCode::InvalidRequest,
                "The value specified in the x-amz-trailer header is not supported",
            )
        })?;
        if found.as_ref().is_some_and(|f| f.algo != algo) {
            return Err(S3Error::with_message(
                S3ErrorCode::InvalidRequest,
                "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.",
            ));
        }
        if found.is_none() {
            found = Some(Requested { algo, value: None });
        }
    }
    if let Some(name) = sdk_algorithm {
        let algo = Algo::parse(name).ok_or_else(|| {
            S3Error::with_message(
                S3ErrorCode::InvalidRequest,
                "Value for x-amz-sdk-checksum-algorithm header is invalid.",
            )
        })?;
        match &found {
            Some(f) if f.algo != algo => {
                return Err(S3Error::with_message(
                    S3ErrorCode::InvalidRequest,
                    "Value for x-amz-sdk-checksum-algorithm header is invalid.",
                ));
            }
            Some(_) => {}
            // Only the algorithm is named: S3 computes and stores it.
            None => found = Some(Requested { algo, value: None }),
        }
    }
    Ok(found)
}

pub(crate) fn mismatch(algo: Algo) -> S3Error {
    S3Error::with_message(
        S3ErrorCode::BadDigest,
        format!(
            "The {} you specified did not match the calculated checksum.",
            algo.name()
        ),
    )
}

pub(crate) fn stored(algo: Algo, digest: &[u8], kind: &str) -> StoredChecksum {
    StoredChecksum {
        algorithm: algo.name().to_owned(),
        value: b64(digest),
        kind: kind.to_owned(),
    }
}

/// The checksum of a multipart object from its parts' checksums: the digest
/// of the concatenated part digests ("COMPOSITE"), or for CRCs asked as
/// FULL_OBJECT the CRC of the whole object, combined from the parts.
pub(crate) fn combine_parts(algo: Algo, full_object: bool, parts: &[(Vec<u8>, u64)]) -> Option<StoredChecksum> {
    if full_object && algo.is_crc() {
        let crc_algo = match algo {
            Algo::Crc32 => crc_fast::CrcAlgorithm::Crc32IsoHdlc,
            Algo::Crc32c => crc_fast::CrcAlgorithm::Crc32Iscsi,
            _ => crc_fast::CrcAlgorithm::Crc64Nvme,
        };
        let mut acc: Option<u64> = None;
        for (digest, len) in parts {
            let v = digest.iter().fold(0u64, |a, b| (a << 8) | u64::from(*b));
            acc = Some(match acc {
                None => v,
                Some(a) => crc_fast::checksum_combine(crc_algo, a, v, *len),
            });
        }
        let v = acc?;
        let bytes = if algo == Algo::Crc64Nvme {
            v.to_be_bytes().to_vec()
        } else {
            (v as u32).to_be_bytes().to_vec()
        };
        return Some(stored(algo, &bytes, "FULL_OBJECT"));
    }
    let mut h = algo.hasher();
    for (digest, _) in parts {
        h.update(digest);
    }
    Some(stored(algo, &h.finish(), "COMPOSITE"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_of_known_input() {
        let mut h = Algo::Crc32.hasher();
        h.update(b"123456789");
        assert_eq!(h.finish(), 0xCBF4_3926u32.to_be_bytes().to_vec());
    }

    #[test]
    fn full_object_crc_combines_like_one_pass() {
        for algo in [Algo::Crc32, Algo::Crc32c, Algo::Crc64Nvme] {
            let mut whole = algo.hasher();
            whole.update(b"hello world");
            let whole = whole.finish();
            let mut a = algo.hasher();
            a.update(b"hello ");
            let mut b = algo.hasher();
            b.update(b"world");
            let c = combine_parts(algo, true, &[(a.finish(), 6), (b.finish(), 5)]).unwrap();
            assert_eq!(c.value, b64(&whole), "{algo:?}");
        }
    }

    #[test]
    fn wrong_length_is_invalid() {
        assert!(Algo::Crc32.decode("AAAA").is_err());
        assert!(Algo::Crc32.decode("AAAAAA==").is_ok());
    }
}
