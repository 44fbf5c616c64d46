//! Firehose's `CompressionFormat`: the names the API takes and a streaming
//! encoder that writes a buffer of records as the object Firehose would put.
//!
//! `ExtendedS3DestinationConfiguration` (API reference) takes `UNCOMPRESSED |
//! GZIP | ZIP | Snappy | HADOOP_SNAPPY`, spelled exactly so (`SNAPPY` is
//! refused), default `UNCOMPRESSED`. A bad value is a model violation
//! (`ValidationException`) whose enum list the service prints as
//! `[ZIP, HADOOP_SNAPPY, Snappy, GZIP, UNCOMPRESSED]` (floci-io/floci#2328).
//!
//! The guide does not say what the containers are; these come from objects
//! the live service delivered (floci-io/floci#2328, decoded and reproduced
//! byte for byte with snappy-java):
//! - `GZIP`: a gzip stream (`.gz`, `Content-Encoding: gzip`).
//! - `ZIP`: a zip archive holding one deflated entry whose name is a UUID
//!   unrelated to the object key (`.zip`, `Content-Encoding: zip`). The caller
//!   passes the entry name.
//! - `Snappy`: **not** the official Snappy framing format but snappy-java's
//!   stream format (`Content-Encoding: snappy-java`): the 8-byte magic
//!   `0x82 "SNAPPY" 0x00`, two big-endian `i32`s (version 1, compatible
//!   version 1), then for every block of at most 32 KiB of input a big-endian
//!   `i32` compressed length and the raw Snappy block. The header is written
//!   even for an empty object. Readers of the framing format
//!   (`snap::read::FrameDecoder`) refuse it; snappy-java's `SnappyInputStream`
//!   reads it.
//! - `HADOOP_SNAPPY`: Hadoop's block format (`Content-Encoding:
//!   hadoop-snappy`), what Hadoop's and Spark's `SnappyCodec` read: for every
//!   block of at most 32 KiB of input, a big-endian `u32` uncompressed length,
//!   a big-endian `u32` compressed length and the raw Snappy block; no header,
//!   so an empty object is empty.
//!
//! Both Snappy kinds cut blocks where snappy-java does (every 32 KiB of
//! input, whatever the write sizes), but `flush` does not cut a block early
//! as snappy-java's does: the object comes out the same however the caller
//! flushes. The raw Snappy bytes may differ from the native library's; any
//! reader decodes both.
//!
//! The encoder streams: only one Snappy block (32 KiB) or the deflate window is
//! held. Zip needs no `Seek`: it is written with data descriptors
//! (`ZipWriter::new_stream`), so any `Write` works; entries over 4 GiB are
//! refused with an error (Firehose objects are far smaller).

use std::fmt;
use std::io::{self, Write};
use std::str::FromStr;

use flate2::write::GzEncoder;
use zip::write::{SimpleFileOptions, StreamWriter};
use zip::{CompressionMethod, ZipWriter};

use crate::keys::ApiShape;

/// Input bytes per Snappy block, as snappy-java cuts them.
pub const SNAPPY_BLOCK_SIZE: usize = 32 * 1024;

/// snappy-java's stream header: magic, version 1, compatible version 1.
const SNAPPY_JAVA_HEADER: [u8; 16] = [0x82, b'S', b'N', b'A', b'P', b'P', b'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1];

/// `CompressionFormat`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Compression {
    #[default]
    Uncompressed,
    Gzip,
    Zip,
    Snappy,
    HadoopSnappy,
}

impl Compression {
    pub const ALL: [Compression; 5] = [
        Self::Uncompressed,
        Self::Gzip,
        Self::Zip,
        Self::Snappy,
        Self::HadoopSnappy,
    ];

    /// The API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Uncompressed => "UNCOMPRESSED",
            Self::Gzip => "GZIP",
            Self::Zip => "ZIP",
            Self::Snappy => "Snappy",
            Self::HadoopSnappy => "HADOOP_SNAPPY",
        }
    }

    /// Parses the API spelling, case and all.
    pub fn parse(value: &str) -> Result<Compression, UnknownCompression> {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str() == value)
            .ok_or_else(|| UnknownCompression {
                value: value.to_owned(),
                shape: ApiShape::default(),
            })
    }

    /// The extension the key gets when no `FileExtension` is set (see
    /// `keys::default_extension` for record format conversion).
    pub fn extension(self) -> &'static str {
        match self {
            Self::Uncompressed => "",
            Self::Gzip => ".gz",
            Self::Zip => ".zip",
            Self::Snappy | Self::HadoopSnappy => ".snappy",
        }
    }

    /// The `Content-Encoding` the service sets on the object.
    pub fn content_encoding(self) -> Option<&'static str> {
        match self {
            Self::Uncompressed => None,
            Self::Gzip => Some("gzip"),
            Self::Zip => Some("zip"),
            Self::Snappy => Some("snappy-java"),
            Self::HadoopSnappy => Some("hadoop-snappy"),
        }
    }
}

impl fmt::Display for Compression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Compression {
    type Err = UnknownCompression;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// A `CompressionFormat` outside the enum (`ValidationException`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownCompression {
    pub value: String,
    /// The structure the member came in, for the message.
    pub shape: ApiShape,
}

impl UnknownCompression {
    pub const CODE: &'static str = "ValidationException";

    /// Re-targets the message at the shape the member came in.
    pub fn in_shape(self, shape: ApiShape) -> Self {
        UnknownCompression { shape, ..self }
    }

    /// AWS's message.
    pub fn message(&self) -> String {
        format!(
            "1 validation error detected: Value '{}' at '{}.compressionFormat' failed to satisfy constraint: Member must satisfy enum value set: [ZIP, HADOOP_SNAPPY, Snappy, GZIP, UNCOMPRESSED]",
            self.value,
            self.shape.path()
        )
    }
}

impl fmt::Display for UnknownCompression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for UnknownCompression {}

/// Starts compressing into `inner`. `entry_name` names the zip entry (AWS
/// uses a fresh UUID) and is ignored by the other formats. Nothing is written
/// until the first write or [`Encoder::finish`].
pub fn encoder<W: Write>(compression: Compression, inner: W, entry_name: &str) -> Encoder<W> {
    let state = match compression {
        Compression::Uncompressed => State::Plain(inner),
        Compression::Gzip => State::Gzip(Box::new(GzEncoder::new(inner, flate2::Compression::default()))),
        Compression::Zip => State::Zip(Box::new(ZipStream {
            writer: ZipWriter::new_stream(inner),
            entry: entry_name.to_owned(),
            started: false,
        })),
        Compression::Snappy => State::Snappy(Box::new(SnappyStream::new(inner, SnappyKind::Java))),
        Compression::HadoopSnappy => State::Snappy(Box::new(SnappyStream::new(inner, SnappyKind::Hadoop))),
    };
    Encoder { state }
}

/// A compressing writer; [`finish`](Encoder::finish) completes the object and
/// gives the inner writer back. Without `finish` the object may be incomplete
/// (a Snappy stream loses its last block) and errors go unseen.
pub struct Encoder<W: Write> {
    state: State<W>,
}

enum State<W: Write> {
    Plain(W),
    Gzip(Box<GzEncoder<W>>),
    Zip(Box<ZipStream<W>>),
    Snappy(Box<SnappyStream<W>>),
}

impl<W: Write> Encoder<W> {
    /// Writes what is still buffered and the format's trailer.
    pub fn finish(self) -> io::Result<W> {
        match self.state {
            State::Plain(w) => Ok(w),
            State::Gzip(gz) => gz.finish(),
            State::Zip(zip) => zip.finish(),
            State::Snappy(snappy) => snappy.finish(),
        }
    }
}

impl<W: Write> Write for Encoder<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.state {
            State::Plain(w) => w.write(buf),
            State::Gzip(gz) => gz.write(buf),
            State::Zip(zip) => zip.write(buf),
            State::Snappy(snappy) => snappy.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.state {
            State::Plain(w) => w.flush(),
            State::Gzip(gz) => gz.flush(),
            State::Zip(zip) => zip.writer.flush(),
            State::Snappy(snappy) => snappy.inner.flush(),
        }
    }
}

struct ZipStream<W: Write> {
    writer: ZipWriter<StreamWriter<W>>,
    entry: String,
    started: bool,
}

impl<W: Write> ZipStream<W> {
    fn start(&mut self) -> io::Result<()> {
        if !self.started {
            let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
            self.writer.start_file(self.entry.as_str(), options)?;
            self.started = true;
        }
        Ok(())
    }

    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.start()?;
        self.writer.write(buf)
    }

    fn finish(mut self) -> io::Result<W> {
        // An empty object is still an archive with its one (empty) entry.
        self.start()?;
        Ok(self.writer.finish()?.into_inner())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SnappyKind {
    /// snappy-java's `SnappyOutputStream` (`Snappy`).
    Java,
    /// snappy-java's `SnappyHadoopCompatibleOutputStream` (`HADOOP_SNAPPY`).
    Hadoop,
}

struct SnappyStream<W: Write> {
    inner: W,
    kind: SnappyKind,
    header_written: bool,
    /// Input not yet compressed: less than one block.
    pending: Vec<u8>,
    compressed: Vec<u8>,
    encoder: snap::raw::Encoder,
}

impl<W: Write> SnappyStream<W> {
    fn new(inner: W, kind: SnappyKind) -> Self {
        SnappyStream {
            inner,
            kind,
            header_written: false,
            pending: Vec::with_capacity(SNAPPY_BLOCK_SIZE),
            compressed: vec![0; snap::raw::max_compress_len(SNAPPY_BLOCK_SIZE)],
            encoder: snap::raw::Encoder::new(),
        }
    }

    fn write_header(&mut self) -> io::Result<()> {
        if !self.header_written {
            if self.kind == SnappyKind::Java {
                self.inner.write_all(&SNAPPY_JAVA_HEADER)?;
            }
            self.header_written = true;
        }
        Ok(())
    }

    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let room = SNAPPY_BLOCK_SIZE - self.pending.len();
        let taken = room.min(buf.len());
        self.pending.extend_from_slice(&buf[..taken]);
        if self.pending.len() == SNAPPY_BLOCK_SIZE {
            self.emit_block()?;
        }
        Ok(taken)
    }

    fn emit_block(&mut self) -> io::Result<()> {
        self.write_header()?;
        if self.pending.is_empty() {
            return Ok(());
        }
        let size = self
            .encoder
            .compress(&self.pending, &mut self.compressed)
            .map_err(io::Error::other)?;
        // Blocks are at most 32 KiB, so both lengths fit in 32 bits.
        let block_len = |n: usize| u32::try_from(n).map_err(io::Error::other);
        if self.kind == SnappyKind::Hadoop {
            self.inner.write_all(&block_len(self.pending.len())?.to_be_bytes())?;
        }
        self.inner.write_all(&block_len(size)?.to_be_bytes())?;
        self.inner.write_all(&self.compressed[..size])?;
        self.pending.clear();
        Ok(())
    }

    fn finish(mut self) -> io::Result<W> {
        self.emit_block()?;
        self.inner.flush()?;
        Ok(self.inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Read};

    fn compress(compression: Compression, data: &[u8], chunk: usize) -> Vec<u8> {
        let mut enc = encoder(compression, Vec::new(), "entry");
        for piece in data.chunks(chunk.max(1)) {
            enc.write_all(piece).unwrap();
        }
        enc.finish().unwrap()
    }

    /// Splits a snappy-java or Hadoop stream into (uncompressed length, raw block).
    fn snappy_blocks(kind: SnappyKind, bytes: &[u8]) -> Vec<(Option<u32>, Vec<u8>)> {
        let mut rest = bytes;
        if kind == SnappyKind::Java {
            assert_eq!(&rest[..16], &SNAPPY_JAVA_HEADER);
            rest = &rest[16..];
        }
        let mut blocks = Vec::new();
        let take_u32 = |r: &mut &[u8]| {
            let (head, tail) = r.split_at(4);
            *r = tail;
            u32::from_be_bytes(head.try_into().unwrap())
        };
        while !rest.is_empty() {
            let raw_len = (kind == SnappyKind::Hadoop).then(|| take_u32(&mut rest));
            let len = take_u32(&mut rest) as usize;
            let (block, tail) = rest.split_at(len);
            rest = tail;
            blocks.push((raw_len, block.to_vec()));
        }
        blocks
    }

    fn snappy_decode(kind: SnappyKind, bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        for (raw_len, block) in snappy_blocks(kind, bytes) {
            let plain = snap::raw::Decoder::new().decompress_vec(&block).unwrap();
            if let Some(n) = raw_len {
                assert_eq!(n as usize, plain.len());
            }
            assert!(plain.len() <= SNAPPY_BLOCK_SIZE);
            out.extend(plain);
        }
        out
    }

    fn sample(len: usize) -> Vec<u8> {
        let mut data = Vec::with_capacity(len);
        let mut i = 0u32;
        while data.len() < len {
            data.extend_from_slice(format!("{{\"id\":{i},\"name\":\"record {}\"}}\n", i % 97).as_bytes());
            i += 1;
        }
        data.truncate(len);
        data
    }

    #[test]
    fn api_names_round_trip() {
        for c in Compression::ALL {
            assert_eq!(Compression::parse(c.as_str()), Ok(c));
            assert_eq!(c.to_string().parse::<Compression>(), Ok(c));
        }
        assert_eq!(Compression::default(), Compression::Uncompressed);
        let err = Compression::parse("SNAPPY").unwrap_err();
        assert_eq!(
            err.message(),
            "1 validation error detected: Value 'SNAPPY' at 'extendedS3DestinationConfiguration.compressionFormat' failed to satisfy constraint: Member must satisfy enum value set: [ZIP, HADOOP_SNAPPY, Snappy, GZIP, UNCOMPRESSED]"
        );
        assert!(
            err.in_shape(ApiShape::S3DestinationUpdate)
                .message()
                .contains("'s3DestinationUpdate.compressionFormat'")
        );
        assert!(Compression::parse("gzip").is_err());
    }

    #[test]
    fn extensions_and_encodings() {
        let ext: Vec<_> = Compression::ALL.iter().map(|c| c.extension()).collect();
        assert_eq!(ext, ["", ".gz", ".zip", ".snappy", ".snappy"]);
        assert_eq!(Compression::Snappy.content_encoding(), Some("snappy-java"));
        assert_eq!(Compression::HadoopSnappy.content_encoding(), Some("hadoop-snappy"));
        assert_eq!(Compression::Uncompressed.content_encoding(), None);
    }

    #[test]
    fn uncompressed_passes_through() {
        let data = sample(1000);
        assert_eq!(compress(Compression::Uncompressed, &data, 7), data);
        assert!(compress(Compression::Uncompressed, b"", 1).is_empty());
    }

    #[test]
    fn gzip_round_trip() {
        for data in [sample(100_000), Vec::new()] {
            let bytes = compress(Compression::Gzip, &data, 4096);
            assert_eq!(&bytes[..2], &[0x1f, 0x8b]);
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(&bytes[..]).read_to_end(&mut out).unwrap();
            assert_eq!(out, data);
        }
    }

    #[test]
    fn zip_holds_one_named_deflated_entry() {
        let entry = "6f1c2c84-3c64-4f57-9a53-0d6b7c0a1b2e";
        for data in [sample(70_000), Vec::new()] {
            let mut enc = encoder(Compression::Zip, Vec::new(), entry);
            enc.write_all(&data).unwrap();
            let bytes = enc.finish().unwrap();
            let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
            assert_eq!(archive.len(), 1);
            let mut file = archive.by_index(0).unwrap();
            assert_eq!(file.name().unwrap(), entry);
            assert_eq!(file.compression(), CompressionMethod::Deflated);
            let mut out = Vec::new();
            file.read_to_end(&mut out).unwrap();
            assert_eq!(out, data);
        }
    }

    #[test]
    fn snappy_java_bytes_for_a_small_input() {
        let bytes = compress(Compression::Snappy, b"hello", 5);
        let mut expected = SNAPPY_JAVA_HEADER.to_vec();
        // Block length 7: the varint length 5, a literal tag (5-1)<<2, "hello".
        expected.extend_from_slice(&[0, 0, 0, 7, 0x05, 0x10, b'h', b'e', b'l', b'l', b'o']);
        assert_eq!(bytes, expected);
    }

    #[test]
    fn hadoop_snappy_bytes_for_a_small_input() {
        let bytes = compress(Compression::HadoopSnappy, b"hello", 2);
        assert_eq!(
            bytes,
            [0, 0, 0, 5, 0, 0, 0, 7, 0x05, 0x10, b'h', b'e', b'l', b'l', b'o']
        );
    }

    #[test]
    fn snappy_empty_input() {
        assert_eq!(compress(Compression::Snappy, b"", 1), SNAPPY_JAVA_HEADER);
        assert!(compress(Compression::HadoopSnappy, b"", 1).is_empty());
    }

    #[test]
    fn snappy_blocks_are_cut_every_32_kib_whatever_the_writes() {
        let data = sample(100_000);
        for (compression, kind) in [
            (Compression::Snappy, SnappyKind::Java),
            (Compression::HadoopSnappy, SnappyKind::Hadoop),
        ] {
            let one_write = compress(compression, &data, data.len());
            let small_writes = compress(compression, &data, 1000);
            assert_eq!(one_write, small_writes);
            let blocks = snappy_blocks(kind, &one_write);
            assert_eq!(blocks.len(), 4, "100000 bytes is three full blocks and one of 1696");
            if kind == SnappyKind::Hadoop {
                let raw: Vec<_> = blocks.iter().map(|(n, _)| n.unwrap()).collect();
                assert_eq!(raw, [32768, 32768, 32768, 1696]);
            }
            assert_eq!(snappy_decode(kind, &one_write), data);
        }
    }

    #[test]
    fn snappy_java_is_not_the_framing_format() {
        let bytes = compress(Compression::Snappy, &sample(500), 500);
        let mut out = Vec::new();
        assert!(snap::read::FrameDecoder::new(&bytes[..]).read_to_end(&mut out).is_err());
    }

    #[test]
    fn exact_block_multiple_leaves_no_empty_block() {
        let data = sample(SNAPPY_BLOCK_SIZE * 2);
        let bytes = compress(Compression::HadoopSnappy, &data, 10_000);
        assert_eq!(snappy_blocks(SnappyKind::Hadoop, &bytes).len(), 2);
        assert_eq!(snappy_decode(SnappyKind::Hadoop, &bytes), data);
    }

    #[test]
    fn flush_does_not_change_the_object() {
        let data = sample(5000);
        let mut enc = encoder(Compression::Snappy, Vec::new(), "e");
        for piece in data.chunks(100) {
            enc.write_all(piece).unwrap();
            enc.flush().unwrap();
        }
        assert_eq!(enc.finish().unwrap(), compress(Compression::Snappy, &data, data.len()));
    }
}
