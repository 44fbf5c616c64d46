//! Record format conversion: JSON records to Parquet or ORC with the columns
//! of a Glue table, as a delivery stream with a
//! `DataFormatConversionConfiguration` writes them to S3.
//!
//! Records are pushed one at a time into a [`Converter`], which buffers a
//! bounded batch of converted rows and writes it through the Parquet or ORC
//! writer into its sink; a record that cannot be converted is refused with a
//! [`RecordError`] (code and message as Firehose writes them) and goes to the
//! error output, while the others go on. [`ErrorDocument`] is that error
//! output's line.
//!
//! # What AWS documents, and what this follows
//!
//! From "Convert input data format in Amazon Data Firehose"
//! (record-format-conversion), the API reference pages
//! DataFormatConversionConfiguration, OpenXJsonSerDe, HiveJsonSerDe,
//! ParquetSerDe and OrcSerDe, "Handling errors for data format conversion"
//! (record-format-conversion-error-handling), "Enable record format
//! conversion" and "Configure Amazon S3 object name format":
//!
//! - The input is JSON; a record may hold several documents one after the
//!   other (`{"a": 1}{"b": 1}`, one row each), but an array of documents
//!   (`[{"a":1}, {"a":2}]`) is not a valid input.
//! - The Glue table's columns are the schema; "the converted data will not
//!   contain attributes that are not specified in the schema" (keys no
//!   column names are dropped), nested JSON needs a `struct` column.
//!   A column the record lacks is null (the Hive SerDes' behaviour).
//! - OpenX: `CaseInsensitive` (default true) lowercases JSON keys before
//!   matching; `ColumnToJsonKeyMappings` maps a column to a differently named
//!   key (`{"ts": "timestamp"}`); `ConvertDotsInJsonKeysToUnderscores`
//!   (default false) lets `a.b` fill column `a_b`. Timestamps:
//!   `yyyy-MM-dd'T'HH:mm:ss[.S]'Z'` and `yyyy-[M]M-[d]d HH:mm:ss[.S]` with up
//!   to nine fraction digits, epoch seconds, epoch milliseconds, floating
//!   point epoch seconds.
//! - Hive: `TimestampFormats` are Joda-Time patterns, or `millis` for epoch
//!   milliseconds; without them `java.sql.Timestamp::valueOf` parses.
//! - ParquetSerDe: Compression UNCOMPRESSED | GZIP | SNAPPY (default SNAPPY);
//!   BlockSizeBytes default 256 MiB, at least 64 MiB; PageSizeBytes default
//!   1 MiB, at least 64 KiB; MaxPaddingBytes default 0; WriterVersion V1 | V2
//!   (default V1); EnableDictionaryCompression has no documented default.
//! - OrcSerDe: Compression NONE | ZLIB | SNAPPY (default SNAPPY);
//!   StripeSizeBytes default 64 MiB, at least 8 MiB; BlockSizeBytes as
//!   Parquet's; RowIndexStride default 10,000, at least 1,000; EnablePadding
//!   default false; PaddingTolerance, BloomFilterFalsePositiveProbability
//!   (default 0.05) and DictionaryKeyThreshold from 0 to 1; BloomFilterColumns
//!   default none; FormatVersion V0_11 | V0_12 (default V0_12).
//! - S3 compression is disabled with conversion; the format's own (Snappy by
//!   default) applies. Objects are named `...-<uuid><file extension>`.
//! - A record Firehose cannot parse or deserialize goes to S3 under the error
//!   prefix (`!{firehose:error-output-type}` is `format-conversion-failed`)
//!   as one JSON document per record: `attemptsMade`, `arrivalTimestamp`,
//!   `lastErrorCode`, `lastErrorMessage`, `attemptEndingTimestamp`, `rawData`
//!   (base64), `sequenceNumber`, `subSequenceNumber`, `dataCatalogTable`
//!   {`catalogId`, `databaseName`, `tableName`, `region`, `versionId`,
//!   `catalogArn`}. (The page's newest revision spells the two error members
//!   `ErrorCode`/`ErrorMessage`; files written by the service, as reported,
//!   carry `lastErrorCode`/`lastErrorMessage`, which is what is written.)
//!
//! # What is not documented, and chosen here
//!
//! - Error codes and messages: `DataFormatConversion.ParseError` and
//!   "Encountered malformed JSON. ..." for a record that is not JSON;
//!   `DataFormatConversion.MalformedData` and "Data does not match the
//!   schema. For input string: \"oops\"" for a number column given `"oops"`
//!   (Java's NumberFormatException text), both as reported from the service
//!   by other emulators' probes. The messages for an empty record and a
//!   primitive at the top level are those others report; the one for an
//!   array at the top level and the details of other mismatches are ours.
//! - Epoch numbers below 1e12 are seconds, from 1e12 milliseconds (others'
//!   probe); OpenX also takes epoch numbers written as strings, a 1- or
//!   2-digit month, day, hour, minute or second in the space-separated form,
//!   and (ours) an explicit UTC offset in the `T` form.
//! - Coercions follow the SerDes' Java: OpenX reads a number column's string
//!   with `parseInt`/`parseDouble` (`0x` hex too), drops a JSON number's
//!   fraction for an integer column, gives a string column a nested value's
//!   JSON text, reads booleans with `Boolean.parseBoolean` (any string but
//!   `true` is false); Hive refuses strings for int and floating columns and
//!   nested values for strings. Decimals round half up to the column's scale;
//!   one that then exceeds its precision, like an integer outside its
//!   column's range, fails the record (Java would wrap or null it).
//!   `binary` columns take base64 strings. `date` columns take
//!   `yyyy-[M]M-[d]d`. Map keys are strings converted to the key type and are
//!   not lowercased. OpenX's key rules (and mappings, which name fields of any
//!   struct) apply at every level of nesting; two keys they make equal fail
//!   the record, as OpenX's "Duplicate key" does.
//! - `char(n)`/`varchar(n)` are written as strings of any length.
//! - Firehose writes Parquet timestamps as INT96 (Hive's Parquet writer);
//!   the Arrow Parquet writer cannot, so they are INT64
//!   `TIMESTAMP(MILLIS)` without UTC adjustment, which Athena and the query
//!   crate both read as `timestamp`, with the schema the query crate derives
//!   from the same Glue types. Decimals are INT32/INT64/fixed-length by
//!   precision, as the Parquet spec allows.
//! - ORC is written by orc-rust, which writes primitive types only: a table
//!   with `decimal`, `array`, `map` or `struct` columns cannot be written as
//!   ORC here ([`ConvertError::InvalidSchema`]). Its stripe size and
//!   compression apply; RowIndexStride, padding, bloom filters, dictionary
//!   threshold and format version are validated but not applied.
//!   `MaxPaddingBytes` is not applied either (padding is for HDFS). The ORC
//!   writer is not `Send`, so it runs on a thread of its own which the
//!   converter drives synchronously, passing its output on to the sink
//!   chunk by chunk: the converter stays `Send`. ORC cannot store a time in
//!   the second before 1970 (ORC-763): such a value fails its record.
//! - EnableDictionaryCompression defaults to true (parquet-mr's default),
//!   DictionaryKeyThreshold to 0.8 (ORC's).
//! - [`extension`] is `.parquet` or `.orc`, with no compression suffix (the
//!   compression is inside the file).
//! - A converter that got no rows writes nothing to its sink: Firehose
//!   writes no data object for a buffer whose every record failed, only the
//!   error object.
//!
//! # Memory
//!
//! Converted rows are held until a batch reaches [`BATCH_ROWS`] rows,
//! [`BATCH_CELLS`] values or [`BATCH_BYTES`] bytes of strings and binaries,
//! then become a record batch for the writer. The Parquet writer keeps one
//! row group, the ORC writer one stripe, encoded in memory: the configured
//! block or stripe size, capped at 128 MiB. A record is parsed whole, so it
//! may be at most [`MAX_RECORD_BYTES`] long; it may expand to at most
//! [`MAX_RECORD_CELLS`] values (nested ones included), and nests no deeper
//! than JSON's 128 levels (serde_json's limit) and the Glue type's 100.

mod arrays;
mod error;
mod number;
mod options;
mod output;
mod record;
mod schema;
mod time;

use std::io::Write;

use arrow_schema::SchemaRef;

pub use error::{
    ConfigError, Constraint, ConvertError, DataCatalogTable, ErrorDocument, INTERNAL_ERROR, INVALID_SCHEMA, JsonKind,
    MALFORMED_DATA, Mismatch, PARSE_ERROR, RecordError, SchemaProblem,
};
pub use options::{
    Deserializer, HiveJsonSerDe, OpenXJsonSerDe, Options, OrcCompression, OrcFormatVersion, OrcSerDe,
    ParquetCompression, ParquetSerDe, ParquetWriterVersion, Serializer,
};
pub use record::{MAX_RECORD_BYTES, MAX_RECORD_CELLS};
pub use schema::Column;

use output::Output;
use record::{Cell, Reader};

/// Rows buffered before they are handed to the writer.
pub const BATCH_ROWS: usize = 8192;
/// Values (nested ones included) buffered before the rows are handed on.
pub const BATCH_CELLS: usize = 1 << 20;
/// Bytes of strings and binaries buffered before the rows are handed on.
pub const BATCH_BYTES: usize = 8 * 1024 * 1024;

/// The extension Firehose gives the objects a serializer writes.
pub fn extension(options: &Options) -> &'static str {
    match options.serializer() {
        Serializer::Parquet(_) => ".parquet",
        Serializer::Orc(_) => ".orc",
    }
}

/// Converts records pushed one by one into one Parquet or ORC file written
/// to a sink.
pub struct Converter<W: Write + Send> {
    schema: SchemaRef,
    serializer: Serializer,
    reader: Reader,
    pending: Vec<Vec<Cell>>,
    pending_cells: usize,
    pending_bytes: usize,
    rows: usize,
    oldest_arrival_ms: Option<i64>,
    /// None once a write failed (the failure is in `failed`).
    output: Option<Output<W>>,
    failed: Option<ConvertError>,
}

impl<W: Write + Send> Converter<W> {
    /// A converter for a table's columns (partition keys left out). Fails
    /// with [`ConvertError::NoColumns`] or [`ConvertError::InvalidSchema`]
    /// when the columns cannot be written in the chosen format. Nothing is
    /// written to `sink` until the first rows are.
    pub fn new(columns: &[Column], options: &Options, sink: W) -> Result<Self, ConvertError> {
        let orc = matches!(options.serializer(), Serializer::Orc(_));
        let schema = schema::arrow_schema(columns, orc)?;
        if !orc {
            // What the Parquet writer would refuse is refused now, not after
            // the first records were taken.
            parquet::arrow::ArrowSchemaConverter::new().convert(&schema)?;
        }
        Ok(Converter {
            reader: Reader::new(&schema, options.deserializer(), orc),
            schema,
            serializer: options.serializer().clone(),
            pending: Vec::new(),
            pending_cells: 0,
            pending_bytes: 0,
            rows: 0,
            oldest_arrival_ms: None,
            output: Some(Output::Idle(sink)),
            failed: None,
        })
    }

    /// Converts one record (its bytes as put, `arrival_ms` when Firehose got
    /// it). An error means this record goes to the error output; the others
    /// are unaffected. A failure to write the object is kept for
    /// [`Converter::finish`], which then fails.
    pub fn push(&mut self, record: &[u8], arrival_ms: i64) -> Result<(), RecordError> {
        let rows = self.reader.read(record)?;
        if self.failed.is_some() {
            // The object is lost already: records are still checked, so the
            // bad ones are reported as such, but nothing more is kept.
            return Ok(());
        }
        let over = |n: usize, cells: usize, bytes: usize| n > BATCH_ROWS || cells > BATCH_CELLS || bytes > BATCH_BYTES;
        if !self.pending.is_empty()
            && over(
                self.pending.len() + rows.rows.len(),
                self.pending_cells + rows.cells,
                self.pending_bytes + rows.bytes,
            )
        {
            self.flush();
        }
        self.rows += rows.rows.len();
        self.pending_cells += rows.cells;
        self.pending_bytes += rows.bytes;
        self.pending.extend(rows.rows);
        self.oldest_arrival_ms = Some(self.oldest_arrival_ms.map_or(arrival_ms, |t| t.min(arrival_ms)));
        if self.pending.len() >= BATCH_ROWS || over(self.pending.len(), self.pending_cells, self.pending_bytes) {
            self.flush();
        }
        Ok(())
    }

    /// Rows converted so far (one per JSON document of the records taken).
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The arrival time of the oldest record converted: what the object's
    /// `!{timestamp:...}` prefix is evaluated with.
    pub fn oldest_arrival_ms(&self) -> Option<i64> {
        self.oldest_arrival_ms
    }

    /// The extension of the object being written.
    pub fn extension(&self) -> &'static str {
        match self.serializer {
            Serializer::Parquet(_) => ".parquet",
            Serializer::Orc(_) => ".orc",
        }
    }

    /// Writes the buffered rows as one batch; a failure is kept.
    fn flush(&mut self) {
        if self.pending.is_empty() || self.failed.is_some() {
            return;
        }
        let rows = std::mem::take(&mut self.pending);
        self.pending_cells = 0;
        self.pending_bytes = 0;
        let written = arrays::batch(&self.schema, &rows)
            .map_err(ConvertError::from)
            .and_then(|batch| match self.output.take() {
                Some(out) => out.write(&batch, &self.schema, &self.serializer),
                None => Err(std::io::Error::other("the writer is gone").into()),
            });
        match written {
            Ok(out) => self.output = Some(out),
            Err(e) => self.failed = Some(e),
        }
    }

    /// Writes what is buffered, ends the file and gives the sink back. With
    /// no rows at all the sink is given back untouched: Firehose delivers no
    /// object then.
    pub fn finish(mut self) -> Result<W, ConvertError> {
        self.flush();
        if let Some(e) = self.failed {
            return Err(e);
        }
        match self.output {
            Some(out) => out.finish(),
            None => Err(std::io::Error::other("the writer is gone").into()),
        }
    }
}
