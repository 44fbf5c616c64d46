//! Compressed text: which codec an object uses (magic bytes first, then the
//! name), and decoding a prefix of it so classifiers see plain text even
//! when only the object's first megabyte was read.

use std::io::Read;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Bzip2,
    Zstd,
    Snappy,
}

/// A decoded prefix: `complete` when the whole object was decoded, and
/// `consumed` compressed bytes it took (to scale estimates to the object).
#[derive(Debug)]
pub struct Decoded {
    pub bytes: Vec<u8>,
    pub complete: bool,
    pub consumed: usize,
}

const SNAPPY_FRAME_MAGIC: &[u8] = b"\xff\x06\x00\x00sNaPpY";

impl Compression {
    /// Glue's `compressionType` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Gzip => "gzip",
            Self::Bzip2 => "bzip2",
            Self::Zstd => "zstd",
            Self::Snappy => "snappy",
        }
    }

    pub fn detect(key: &str, head: &[u8]) -> Self {
        if head.starts_with(&[0x1f, 0x8b]) {
            return Self::Gzip;
        }
        if head.starts_with(b"BZh") {
            return Self::Bzip2;
        }
        if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            return Self::Zstd;
        }
        if head.starts_with(SNAPPY_FRAME_MAGIC) {
            return Self::Snappy;
        }
        let k = key.to_ascii_lowercase();
        if k.ends_with(".snappy") || k.ends_with(".sz") {
            return Self::Snappy;
        }
        Self::None
    }

    /// Decodes at most `limit` bytes from the start of `raw`. `whole` says
    /// `raw` is the entire object, so a truncated stream means corruption.
    pub fn decode_prefix(self, raw: &[u8], whole: bool, limit: usize) -> Result<Decoded, String> {
        let mut counter = Counting { inner: raw, pos: 0 };
        let result = match self {
            Self::None => {
                let n = raw.len().min(limit);
                return Ok(Decoded {
                    bytes: raw[..n].to_vec(),
                    complete: whole && n == raw.len(),
                    consumed: n,
                });
            }
            Self::Gzip => read_up_to(flate2::read::MultiGzDecoder::new(&mut counter), limit),
            Self::Bzip2 => read_up_to(bzip2::read::MultiBzDecoder::new(&mut counter), limit),
            Self::Zstd => match zstd::stream::read::Decoder::new(&mut counter) {
                Ok(d) => read_up_to(d, limit),
                Err(e) => (Vec::new(), Some(e)),
            },
            Self::Snappy => return snappy(raw, whole, limit),
        };
        let (bytes, err) = result;
        let consumed = counter.pos;
        match err {
            None => Ok(Decoded {
                complete: whole && bytes.len() < limit,
                bytes,
                consumed,
            }),
            // A prefix of a bigger object ends mid-stream: that is expected.
            Some(_) if !whole && !bytes.is_empty() => Ok(Decoded {
                bytes,
                complete: false,
                consumed,
            }),
            Some(e) => Err(format!("corrupt {} data: {e}", self.as_str())),
        }
    }
}

struct Counting<'a> {
    inner: &'a [u8],
    pos: usize,
}

impl Read for Counting<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = (&self.inner[self.pos..]).read(buf)?;
        self.pos += n;
        Ok(n)
    }
}

fn read_up_to(mut r: impl Read, limit: usize) -> (Vec<u8>, Option<std::io::Error>) {
    let mut out = Vec::with_capacity(limit.min(1 << 20));
    let mut buf = vec![0u8; 64 << 10];
    while out.len() < limit {
        match r.read(&mut buf) {
            Ok(0) => return (out, None),
            Ok(n) => out.extend_from_slice(&buf[..n.min(limit - out.len())]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return (out, Some(e)),
        }
    }
    (out, None)
}

/// Snappy comes framed (`sNaPpY` stream), in Hadoop's block format
/// (big-endian lengths before each block), or raw.
fn snappy(raw: &[u8], whole: bool, limit: usize) -> Result<Decoded, String> {
    if raw.starts_with(SNAPPY_FRAME_MAGIC) {
        let mut counter = Counting { inner: raw, pos: 0 };
        let (bytes, err) = read_up_to(snap::read::FrameDecoder::new(&mut counter), limit);
        return match err {
            Some(e) if whole || bytes.is_empty() => Err(format!("corrupt snappy data: {e}")),
            _ => Ok(Decoded {
                complete: whole && bytes.len() < limit,
                bytes,
                consumed: counter.pos,
            }),
        };
    }
    if let Some(d) = hadoop_snappy(raw, whole, limit) {
        return Ok(d);
    }
    if whole {
        let bytes = snap::raw::Decoder::new()
            .decompress_vec(raw)
            .map_err(|e| format!("corrupt snappy data: {e}"))?;
        return Ok(Decoded {
            complete: bytes.len() <= limit,
            bytes,
            consumed: raw.len(),
        });
    }
    Err("cannot decode a prefix of a raw snappy object".into())
}

fn hadoop_snappy(raw: &[u8], whole: bool, limit: usize) -> Option<Decoded> {
    let be32 = |b: &[u8]| -> Option<usize> { Some(u32::from_be_bytes(b.get(..4)?.try_into().ok()?) as usize) };
    let mut pos = 0;
    let mut out = Vec::new();
    let mut dec = snap::raw::Decoder::new();
    while pos < raw.len() && out.len() < limit {
        let total = be32(&raw[pos..])?;
        pos += 4;
        let mut produced = 0;
        while produced < total {
            let Some(len) = raw.get(pos..).and_then(be32) else {
                return (!whole && !out.is_empty()).then(|| Decoded {
                    bytes: std::mem::take(&mut out),
                    complete: false,
                    consumed: pos,
                });
            };
            let Some(block) = raw.get(pos + 4..pos + 4 + len) else {
                return (!whole && !out.is_empty()).then(|| Decoded {
                    bytes: std::mem::take(&mut out),
                    complete: false,
                    consumed: pos,
                });
            };
            let chunk = dec.decompress_vec(block).ok()?;
            produced += chunk.len();
            out.extend_from_slice(&chunk);
            pos += 4 + len;
        }
    }
    Some(Decoded {
        complete: whole && pos >= raw.len(),
        bytes: out,
        consumed: pos,
    })
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    const TEXT: &[u8] = b"a,b\n1,2\n3,4\n";

    #[test]
    fn gzip_bzip2_zstd_and_snappy_decode() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(TEXT).unwrap();
        let gz = gz.finish().unwrap();
        let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
        bz.write_all(TEXT).unwrap();
        let bz = bz.finish().unwrap();
        let zs = zstd::stream::encode_all(TEXT, 3).unwrap();
        let mut framed = snap::write::FrameEncoder::new(Vec::new());
        framed.write_all(TEXT).unwrap();
        let framed = framed.into_inner().unwrap();
        let block = snap::raw::Encoder::new().compress_vec(TEXT).unwrap();
        let mut hadoop = (TEXT.len() as u32).to_be_bytes().to_vec();
        hadoop.extend_from_slice(&(block.len() as u32).to_be_bytes());
        hadoop.extend_from_slice(&block);
        for (name, data, want) in [
            ("x.csv.gz", gz, Compression::Gzip),
            ("x.csv.bz2", bz, Compression::Bzip2),
            ("x.csv.zst", zs, Compression::Zstd),
            ("x.csv", framed, Compression::Snappy),
            ("x.csv.snappy", hadoop, Compression::Snappy),
        ] {
            let c = Compression::detect(name, &data);
            assert_eq!(c, want, "{name}");
            let d = c.decode_prefix(&data, true, 1 << 20).unwrap();
            assert_eq!(d.bytes, TEXT, "{name}");
            assert!(d.complete, "{name}");
        }
    }

    #[test]
    fn a_truncated_prefix_is_partial_but_a_truncated_whole_object_is_corrupt() {
        let big: Vec<u8> = (0..200_000)
            .flat_map(|i: u32| format!("{i},{}\n", i * 7).into_bytes())
            .collect();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&big).unwrap();
        let gz = gz.finish().unwrap();
        let cut = &gz[..gz.len() / 2];
        let d = Compression::Gzip.decode_prefix(cut, false, 1 << 30).unwrap();
        assert!(!d.complete);
        assert!(big.starts_with(&d.bytes) && !d.bytes.is_empty());
        assert!(Compression::Gzip.decode_prefix(cut, true, 1 << 30).is_err());
        assert!(Compression::Gzip.decode_prefix(b"\x1f\x8bgarbage", true, 100).is_err());
    }
}
