//! The Parquet or ORC writer behind a converter, created with the first batch
//! so that a converter that gets no rows leaves its sink untouched.

use std::io::Write;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, GzipLevel};
use parquet::file::properties::{WriterProperties, WriterVersion};

use super::error::ConvertError;
use super::options::{OrcCompression, OrcSerDe, ParquetCompression, ParquetSerDe, ParquetWriterVersion, Serializer};

/// The largest row group (Parquet) or stripe (ORC) kept in memory before it
/// is written, whatever `BlockSizeBytes`/`StripeSizeBytes` ask: a converting
/// stream's buffer is 128 MiB at most, so a larger group would only be a
/// larger allocation.
pub(crate) const MAX_GROUP_BYTES: usize = 128 * 1024 * 1024;

pub(crate) enum Output<W: Write + Send> {
    /// No batch yet.
    Idle(W),
    Parquet(Box<ArrowWriter<W>>),
    Orc {
        orc: OrcThread,
        sink: W,
    },
}

/// orc-rust's writer is not `Send` (its column encoders are plain trait
/// objects), and a converter must be, to live in an async task. So it lives
/// on a thread of its own, which the converter drives synchronously: one
/// message, then the bytes it wrote (passed on to the sink as they come)
/// and its result. The converter's sink never leaves the converter.
pub(crate) struct OrcThread {
    to: SyncSender<ToOrc>,
    from: Receiver<FromOrc>,
}

enum ToOrc {
    Batch(RecordBatch),
    Finish,
}

enum FromOrc {
    Bytes(Vec<u8>),
    Done(Result<(), orc_rust::error::OrcError>),
}

/// The writer's output, sent back to the converter in the chunks written.
struct Chunks(SyncSender<FromOrc>);

impl Write for Chunks {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .send(FromOrc::Bytes(buf.to_vec()))
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::BrokenPipe))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl OrcThread {
    /// Starts the writer (which writes the file's magic) and waits for it.
    fn start<W: Write>(o: &OrcSerDe, schema: SchemaRef, sink: &mut W) -> Result<OrcThread, ConvertError> {
        // One message in flight each way at a time: the converter waits for
        // each answer, draining chunks meanwhile, so neither side blocks.
        let (to, inbox) = sync_channel::<ToOrc>(1);
        let (outbox, from) = sync_channel::<FromOrc>(1);
        let builder = orc_builder(o, Chunks(outbox.clone()), schema);
        std::thread::Builder::new().name("firehose-orc".into()).spawn(move || {
            let mut writer = match builder.try_build() {
                Ok(w) => {
                    if outbox.send(FromOrc::Done(Ok(()))).is_err() {
                        return;
                    }
                    w
                }
                Err(e) => {
                    let _ = outbox.send(FromOrc::Done(Err(e)));
                    return;
                }
            };
            // Ends when the converter is dropped (its sender with it).
            while let Ok(msg) = inbox.recv() {
                match msg {
                    ToOrc::Batch(batch) => {
                        if outbox.send(FromOrc::Done(writer.write(&batch))).is_err() {
                            return;
                        }
                    }
                    ToOrc::Finish => {
                        let _ = outbox.send(FromOrc::Done(writer.close()));
                        return;
                    }
                }
            }
        })?;
        let orc = OrcThread { to, from };
        orc.answer(sink)?;
        Ok(orc)
    }

    fn call<W: Write>(&self, msg: ToOrc, sink: &mut W) -> Result<(), ConvertError> {
        self.to.send(msg).map_err(|_| gone())?;
        self.answer(sink)
    }

    fn answer<W: Write>(&self, sink: &mut W) -> Result<(), ConvertError> {
        loop {
            match self.from.recv().map_err(|_| gone())? {
                FromOrc::Bytes(b) => sink.write_all(&b)?,
                FromOrc::Done(result) => return Ok(result?),
            }
        }
    }
}

fn gone() -> ConvertError {
    std::io::Error::other("the ORC writer stopped").into()
}

fn parquet_properties(p: &ParquetSerDe) -> WriterProperties {
    let compression = match p.compression {
        ParquetCompression::Uncompressed => Compression::UNCOMPRESSED,
        ParquetCompression::Gzip => Compression::GZIP(GzipLevel::default()),
        ParquetCompression::Snappy => Compression::SNAPPY,
    };
    let version = match p.writer_version {
        ParquetWriterVersion::V1 => WriterVersion::PARQUET_1_0,
        ParquetWriterVersion::V2 => WriterVersion::PARQUET_2_0,
    };
    let group = usize::try_from(p.block_size_bytes)
        .unwrap_or(MAX_GROUP_BYTES)
        .clamp(1, MAX_GROUP_BYTES);
    WriterProperties::builder()
        .set_compression(compression)
        .set_writer_version(version)
        .set_dictionary_enabled(p.enable_dictionary_compression)
        .set_data_page_size_limit(usize::try_from(p.page_size_bytes).unwrap_or(1024 * 1024))
        .set_max_row_group_bytes(Some(group))
        .build()
}

fn orc_builder<W: Write>(o: &OrcSerDe, sink: W, schema: SchemaRef) -> orc_rust::ArrowWriterBuilder<W> {
    let stripe = usize::try_from(o.stripe_size_bytes)
        .unwrap_or(MAX_GROUP_BYTES)
        .clamp(1, MAX_GROUP_BYTES);
    let builder = orc_rust::ArrowWriterBuilder::new(sink, schema).with_stripe_byte_size(stripe);
    match o.compression {
        OrcCompression::None => builder,
        OrcCompression::Zlib => builder.with_compression(orc_rust::compression::CompressionType::Zlib),
        OrcCompression::Snappy => builder.with_compression(orc_rust::compression::CompressionType::Snappy),
    }
}

impl<W: Write + Send> Output<W> {
    /// Writes a batch, creating the writer first if this is the first one.
    pub(crate) fn write(
        self,
        batch: &RecordBatch,
        schema: &SchemaRef,
        serializer: &Serializer,
    ) -> Result<Output<W>, ConvertError> {
        let mut out = match self {
            Output::Idle(sink) => match serializer {
                Serializer::Parquet(p) => Output::Parquet(Box::new(ArrowWriter::try_new(
                    sink,
                    schema.clone(),
                    Some(parquet_properties(p)),
                )?)),
                Serializer::Orc(o) => {
                    let mut sink = sink;
                    let orc = OrcThread::start(o, schema.clone(), &mut sink)?;
                    Output::Orc { orc, sink }
                }
            },
            other => other,
        };
        match &mut out {
            Output::Idle(_) => {}
            Output::Parquet(w) => w.write(batch)?,
            Output::Orc { orc, sink } => orc.call(ToOrc::Batch(batch.clone()), sink)?,
        }
        Ok(out)
    }

    /// Ends the file (footer and all) and gives the sink back.
    pub(crate) fn finish(self) -> Result<W, ConvertError> {
        match self {
            Output::Idle(sink) => Ok(sink),
            Output::Parquet(w) => {
                let mut sink = w.into_inner()?;
                sink.flush()?;
                Ok(sink)
            }
            Output::Orc { orc, mut sink } => {
                orc.call(ToOrc::Finish, &mut sink)?;
                sink.flush()?;
                Ok(sink)
            }
        }
    }
}
