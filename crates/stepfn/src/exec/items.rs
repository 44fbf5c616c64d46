//! The data logic of a distributed Map, between S3 bytes and child executions.
//!
//! The interpreter does the S3 I/O; this module turns what it fetched into items (`ItemReader`), groups
//! items into child inputs (`ItemBatcher`), renders the result objects a `ResultWriter` puts (and the
//! state output that points at them), and decides when failed children sink the Map Run. Everything
//! here is pure and synchronous, so it is tested on bytes alone.
//!
//! Formats follow the Step Functions developer guide: "ItemReader (Map)", "How Step Functions parses
//! input CSV files", "ItemBatcher (Map)", "ResultWriter (Map)" and "Tolerated failure threshold for
//! Distributed Map state". Where the guide is silent the choice is noted next to the code.

use std::fmt;
use std::iter::Peekable;
use std::mem;
use std::str::Chars;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value, json};

use crate::asl::{CsvHeaderLocation, InputType, ReaderConfig};

/// Reading or decoding the `ItemReader` dataset failed.
pub const ITEM_READER_FAILED: &str = "States.ItemReaderFailed";
/// Exporting results through `ResultWriter` failed.
pub const RESULT_WRITER_FAILED: &str = "States.ResultWriterFailed";
/// More children failed than `ToleratedFailureCount`/`ToleratedFailurePercentage` allow.
pub const EXCEED_TOLERATED_FAILURE_THRESHOLD: &str = "States.ExceedToleratedFailureThreshold";
const RUNTIME: &str = "States.Runtime";

/// AWS stops reading items here whatever `MaxItems` says.
pub const MAX_READER_ITEMS: u64 = 100_000_000;
/// A batch never exceeds a child's input limit, declared `MaxInputBytesPerBatch` or not.
pub const MAX_BATCH_BYTES: u64 = 256 * 1024;
/// AWS starts `SUCCEEDED_1.json` once `SUCCEEDED_0.json` would pass 5 GB.
pub const MAX_RESULT_FILE_BYTES: u64 = 5 * 1024 * 1024 * 1024;

const TOLERANCE_CAUSE: &str = "The specified tolerated failure threshold was exceeded";
const BOM: &str = "\u{feff}";

/// An ASL error and cause, ready to fail the Map state (and be matched by its Retry/Catch).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemsError {
    pub error: String,
    pub cause: String,
}

impl ItemsError {
    pub fn new(error: &str, cause: impl Into<String>) -> Self {
        Self {
            error: error.to_string(),
            cause: cause.into(),
        }
    }

    fn reader(cause: impl Into<String>) -> Self {
        Self::new(ITEM_READER_FAILED, cause)
    }
}

impl fmt::Display for ItemsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.error, self.cause)
    }
}

impl std::error::Error for ItemsError {}

// ---- ItemReader ----------------------------------------------------------------------------------

/// Decodes the bytes of an `s3:getObject` dataset into items, in file order.
///
/// `max_items` is the resolved `MaxItems`; absent or 0 reads everything (up to [`MAX_READER_ITEMS`]).
/// `MANIFEST` names other objects, so the interpreter expands it with [`inventory_manifest`] and
/// [`inventory_items`] instead; reaching this function with it (or with `PARQUET`) is an error.
pub fn read_items(bytes: &[u8], config: &ReaderConfig, max_items: Option<u64>) -> Result<Vec<Value>, ItemsError> {
    let limit = item_limit(max_items);
    match config.input_type {
        Some(InputType::Csv) => read_csv(text(bytes)?, config, limit),
        Some(InputType::Json) => read_json(text(bytes)?, limit),
        Some(InputType::Jsonl) => read_jsonl(text(bytes)?, limit),
        Some(InputType::Manifest) => Err(ItemsError::reader(
            "A MANIFEST lists S3 inventory files; each listed file must be read for items",
        )),
        Some(InputType::Parquet) => Err(ItemsError::reader("PARQUET datasets are not supported")),
        None => Err(ItemsError::reader(
            "ReaderConfig.InputType is required to read an S3 object",
        )),
    }
}

fn item_limit(max_items: Option<u64>) -> usize {
    // The guide is silent on 0; reading everything, as for an absent MaxItems, is what LocalStack does.
    let max = match max_items {
        None | Some(0) => MAX_READER_ITEMS,
        Some(n) => n.min(MAX_READER_ITEMS),
    };
    usize::try_from(max).unwrap_or(usize::MAX)
}

fn text(bytes: &[u8]) -> Result<&str, ItemsError> {
    let text = std::str::from_utf8(bytes).map_err(|e| ItemsError::reader(format!("The object is not UTF-8: {e}")))?;
    // Spreadsheet exports start with a BOM; it must not end up in the first header name.
    Ok(text.strip_prefix(BOM).unwrap_or(text))
}

fn read_json(text: &str, limit: usize) -> Result<Vec<Value>, ItemsError> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| ItemsError::reader(format!("The object is not valid JSON: {e}")))?;
    match value {
        Value::Array(mut items) => {
            items.truncate(limit);
            Ok(items)
        }
        // AWS's cause for a dataset that is not an array (as LocalStack records it).
        _ => Err(ItemsError::reader("Attempting to map over non-iterable node.")),
    }
}

fn read_jsonl(text: &str, limit: usize) -> Result<Vec<Value>, ItemsError> {
    text.lines()
        .enumerate()
        // A trailing newline or a spacer line is not an item.
        .filter(|(_, line)| !line.trim().is_empty())
        .take(limit)
        .map(|(index, line)| {
            serde_json::from_str(line)
                .map_err(|e| ItemsError::reader(format!("Line {} is not valid JSON: {e}", index + 1)))
        })
        .collect()
}

fn read_csv(text: &str, config: &ReaderConfig, limit: usize) -> Result<Vec<Value>, ItemsError> {
    let mut records = CsvRecords::new(text, csv_delimiter(config.csv_delimiter.as_deref())?);
    let headers = match config.csv_header_location.unwrap_or(CsvHeaderLocation::FirstRow) {
        CsvHeaderLocation::FirstRow => match records.next() {
            Some(header) => header?,
            None => return Ok(Vec::new()),
        },
        CsvHeaderLocation::Given => config
            .csv_headers
            .clone()
            .ok_or_else(|| ItemsError::reader("CSVHeaders is required when CSVHeaderLocation is GIVEN"))?,
    };
    ensure_unique(&headers)?;
    records
        .take(limit)
        .map(|record| record.map(|fields| row_item(&headers, fields)))
        .collect()
}

fn csv_delimiter(name: Option<&str>) -> Result<char, ItemsError> {
    match name.unwrap_or("COMMA") {
        "COMMA" => Ok(','),
        "PIPE" => Ok('|'),
        "SEMICOLON" => Ok(';'),
        "SPACE" => Ok(' '),
        "TAB" => Ok('\t'),
        other => Err(ItemsError::reader(format!(
            "CSVDelimiter '{other}' is not one of COMMA, PIPE, SEMICOLON, SPACE, TAB"
        ))),
    }
}

fn ensure_unique(headers: &[String]) -> Result<(), ItemsError> {
    let duplicated = headers.iter().enumerate().any(|(i, h)| headers[..i].contains(h));
    if duplicated {
        // The cause LocalStack reproduces from AWS.
        return Err(ItemsError::reader("CSV headers cannot contain duplicates."));
    }
    Ok(())
}

/// One item per row: every value a string, missing fields empty, extra fields dropped (AWS's rules).
fn row_item(headers: &[String], fields: Vec<String>) -> Value {
    let mut fields = fields.into_iter();
    let object: Map<String, Value> = headers
        .iter()
        .map(|header| (header.clone(), Value::String(fields.next().unwrap_or_default())))
        .collect();
    Value::Object(object)
}

/// The records of a text-delimited file under AWS's rules: a field opening with `"` may hold
/// delimiters and newlines, `""` is a literal quote in or out of quotes, and a backslash escapes a
/// backslash, a quote or the delimiter (before anything else it is dropped). Empty lines are skipped.
struct CsvRecords<'a> {
    chars: Peekable<Chars<'a>>,
    delimiter: char,
}

#[derive(Default)]
struct Record {
    fields: Vec<String>,
    field: String,
    started: bool,
    quoted: bool,
}

impl Record {
    fn push(&mut self, c: char) {
        self.field.push(c);
        self.started = true;
    }

    fn end_field(&mut self) {
        self.fields.push(mem::take(&mut self.field));
        self.started = false;
    }

    /// The fields, or none for an empty line.
    fn finish(mut self) -> Vec<String> {
        if self.fields.is_empty() && !self.started {
            return Vec::new();
        }
        self.end_field();
        self.fields
    }
}

impl<'a> CsvRecords<'a> {
    fn new(text: &'a str, delimiter: char) -> Self {
        Self {
            chars: text.chars().peekable(),
            delimiter,
        }
    }

    fn read_record(&mut self) -> Option<Result<Vec<String>, ItemsError>> {
        self.chars.peek()?;
        let mut record = Record::default();
        while let Some(c) = self.chars.next() {
            if record.quoted {
                self.quoted_char(c, &mut record);
            } else if self.ends_record(c, &mut record) {
                return Some(Ok(record.finish()));
            }
        }
        if record.quoted {
            // Docs are silent; failing beats silently swallowing the rest of the file into one field.
            return Some(Err(ItemsError::reader("The CSV file ends inside a quoted field")));
        }
        Some(Ok(record.finish()))
    }

    fn quoted_char(&mut self, c: char, record: &mut Record) {
        match c {
            '"' if self.chars.next_if_eq(&'"').is_some() => record.push('"'),
            '"' => record.quoted = false,
            '\\' => self.escape(record),
            _ => record.push(c),
        }
    }

    /// Consumes one unquoted character; true when it ended the record.
    fn ends_record(&mut self, c: char, record: &mut Record) -> bool {
        match c {
            c if c == self.delimiter => record.end_field(),
            '\n' => return true,
            '\r' => {
                self.chars.next_if_eq(&'\n');
                return true;
            }
            '"' if !record.started => {
                record.quoted = true;
                record.started = true;
            }
            // AWS's own example relies on `{""MyKey"":""MyValue""}` unquoted reading as `{"MyKey":"MyValue"}`;
            // a lone quote mid-field is kept as written (the docs are silent on it).
            '"' => {
                self.chars.next_if_eq(&'"');
                record.push('"');
            }
            '\\' => self.escape(record),
            _ => record.push(c),
        }
        false
    }

    fn escape(&mut self, record: &mut Record) {
        let delimiter = self.delimiter;
        if let Some(escaped) = self.chars.next_if(|&n| n == '\\' || n == '"' || n == delimiter) {
            record.push(escaped);
        }
    }
}

impl Iterator for CsvRecords<'_> {
    type Item = Result<Vec<String>, ItemsError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            match self.read_record()? {
                Ok(fields) if fields.is_empty() => continue,
                record => return Some(record),
            }
        }
    }
}

/// The parts of an S3 inventory `manifest.json` a MANIFEST reader needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InventoryManifest {
    /// The inventoried bucket, which each row's `Bucket` column also names.
    pub source_bucket: String,
    /// The bucket (name, not ARN) holding the data files.
    pub destination_bucket: String,
    /// The data files (gzip-compressed CSV), in manifest order.
    pub file_keys: Vec<String>,
    /// Column names from `fileSchema`, which become each item's keys.
    pub schema: Vec<String>,
}

/// Parses an S3 inventory `manifest.json`. AWS reads CSV inventories only.
pub fn inventory_manifest(bytes: &[u8]) -> Result<InventoryManifest, ItemsError> {
    let manifest: Value = serde_json::from_str(text(bytes)?)
        .map_err(|e| ItemsError::reader(format!("The inventory manifest is not valid JSON: {e}")))?;
    let field = |name: &str| {
        manifest
            .get(name)
            .and_then(Value::as_str)
            .ok_or_else(|| ItemsError::reader(format!("The inventory manifest has no '{name}' string")))
    };
    let format = field("fileFormat")?;
    if format != "CSV" {
        return Err(ItemsError::reader(format!(
            "The inventory file format is {format}; only CSV inventories can be read"
        )));
    }
    let destination = field("destinationBucket")?;
    Ok(InventoryManifest {
        source_bucket: field("sourceBucket")?.to_string(),
        destination_bucket: destination.rsplit(":::").next().unwrap_or(destination).to_string(),
        file_keys: inventory_file_keys(&manifest)?,
        schema: field("fileSchema")?.split(',').map(|c| c.trim().to_string()).collect(),
    })
}

fn inventory_file_keys(manifest: &Value) -> Result<Vec<String>, ItemsError> {
    let missing = || ItemsError::reader("The inventory manifest has no 'files' list of keys");
    let files = manifest.get("files").and_then(Value::as_array).ok_or_else(missing)?;
    files
        .iter()
        .map(|file| {
            file.get("key")
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(missing)
        })
        .collect()
}

/// The items of one decompressed inventory data file: a headerless CSV whose columns `fileSchema`
/// names, every value a string (`{"Bucket": ..., "Key": ..., "Size": "3399671", ...}`).
pub fn inventory_items(
    bytes: &[u8],
    manifest: &InventoryManifest,
    max_items: Option<u64>,
) -> Result<Vec<Value>, ItemsError> {
    CsvRecords::new(text(bytes)?, ',')
        .take(item_limit(max_items))
        .map(|record| record.map(|fields| row_item(&manifest.schema, fields)))
        .collect()
}

/// The item `arn:aws:states:::s3:listObjectsV2` yields per object, as the guide shows it:
/// `{"Etag": "\"<md5>\"", "Key": ..., "LastModified": <epoch seconds>, "Size": ..., "StorageClass": ...}`.
pub fn listed_object_item(
    key: &str,
    size: u64,
    etag: &str,
    last_modified: DateTime<Utc>,
    storage_class: Option<&str>,
) -> Value {
    // S3 ETags carry their quotes and AWS keeps them; callers may hold the bare hash.
    let etag = if etag.len() >= 2 && etag.starts_with('"') && etag.ends_with('"') {
        etag.to_string()
    } else {
        format!("\"{etag}\"")
    };
    json!({
        "Etag": etag,
        "Key": key,
        "LastModified": last_modified.timestamp(),
        "Size": size,
        "StorageClass": storage_class.unwrap_or("STANDARD"),
    })
}

// ---- ItemBatcher ---------------------------------------------------------------------------------

/// Groups items into child inputs `{"BatchInput": ..., "Items": [...]}` (`BatchInput` only when given).
///
/// A batch closes at `max_items` items or before its serialized input would pass `max_bytes`, which
/// never exceeds [`MAX_BATCH_BYTES`] (the guide's default when no size is set). The size counted is the
/// whole child input, envelope and `BatchInput` included, so a batch always fits the input limit; the
/// guide does not say what AWS counts. An item too large for any batch still gets one of its own.
pub fn batches(
    items: Vec<Value>,
    max_items: Option<u64>,
    max_bytes: Option<u64>,
    batch_input: Option<&Value>,
) -> Result<Vec<Value>, ItemsError> {
    let max_items =
        positive("MaxItemsPerBatch", max_items)?.map_or(usize::MAX, |n| usize::try_from(n).unwrap_or(usize::MAX));
    let max_bytes = positive("MaxInputBytesPerBatch", max_bytes)?.map_or(MAX_BATCH_BYTES, |n| n.min(MAX_BATCH_BYTES));
    let envelope = json_len(&batch_value(batch_input, Vec::new()));

    let mut batches = Vec::new();
    let mut current: Vec<Value> = Vec::new();
    let mut current_bytes = envelope;
    for item in items {
        let item_bytes = json_len(&item);
        // One comma separates an item from the one before it.
        let full = current.len() >= max_items || current_bytes + item_bytes + 1 > max_bytes;
        if full && !current.is_empty() {
            batches.push(batch_value(batch_input, mem::take(&mut current)));
            current_bytes = envelope;
        }
        current_bytes += item_bytes + u64::from(!current.is_empty());
        current.push(item);
    }
    if !current.is_empty() {
        batches.push(batch_value(batch_input, current));
    }
    Ok(batches)
}

fn positive(field: &str, value: Option<u64>) -> Result<Option<u64>, ItemsError> {
    match value {
        // The guide requires a positive integer, which a `...Path` can fail to resolve to.
        Some(0) => Err(ItemsError::new(
            RUNTIME,
            format!("The value of {field} must be a positive integer, but was 0"),
        )),
        other => Ok(other),
    }
}

fn batch_value(batch_input: Option<&Value>, items: Vec<Value>) -> Value {
    let mut batch = Map::new();
    if let Some(input) = batch_input {
        batch.insert("BatchInput".to_string(), input.clone());
    }
    batch.insert("Items".to_string(), Value::Array(items));
    Value::Object(batch)
}

fn json_len(value: &Value) -> u64 {
    u64::try_from(value.to_string().len()).unwrap_or(u64::MAX)
}

// ---- ResultWriter --------------------------------------------------------------------------------

/// `WriterConfig.Transformation`: what each child contributes to the results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Transformation {
    /// `NONE`: the full execution record (the default when exporting without a `WriterConfig`).
    #[default]
    Unchanged,
    /// `COMPACT`: the child's output alone.
    Compact,
    /// `FLATTEN`: the child's output, an array output spliced into the results element by element.
    Flatten,
}

/// `WriterConfig.OutputType`: how a result file lays out its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputType {
    /// `JSON`: one JSON array.
    #[default]
    Json,
    /// `JSONL`: one value per line.
    Jsonl,
}

/// A resolved `ResultWriter.WriterConfig`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WriterConfig {
    pub transformation: Transformation,
    pub output_type: OutputType,
}

impl WriterConfig {
    /// Reads the definition's `WriterConfig` object; absent fields take the S3 export defaults
    /// (`NONE`, `JSON`).
    pub fn from_definition(config: Option<&Value>) -> Result<Self, ItemsError> {
        let Some(config) = config else {
            return Ok(Self::default());
        };
        let transformation = match enum_field(config, "Transformation", &["NONE", "COMPACT", "FLATTEN"])? {
            Some("COMPACT") => Transformation::Compact,
            Some("FLATTEN") => Transformation::Flatten,
            _ => Transformation::Unchanged,
        };
        let output_type = match enum_field(config, "OutputType", &["JSON", "JSONL"])? {
            Some("JSONL") => OutputType::Jsonl,
            _ => OutputType::Json,
        };
        Ok(Self {
            transformation,
            output_type,
        })
    }
}

fn enum_field<'v>(config: &'v Value, field: &str, allowed: &[&str]) -> Result<Option<&'v str>, ItemsError> {
    match config.get(field) {
        None => Ok(None),
        Some(Value::String(value)) if allowed.contains(&value.as_str()) => Ok(Some(value.as_str())),
        Some(other) => Err(ItemsError::new(
            RESULT_WRITER_FAILED,
            format!(
                "WriterConfig.{field} must be one of {}, but was {other}",
                allowed.join(", ")
            ),
        )),
    }
}

impl OutputType {
    fn empty_len(self) -> u64 {
        match self {
            OutputType::Json => 2,
            OutputType::Jsonl => 0,
        }
    }

    /// Bytes one more value adds: its text plus a comma (JSON) or a newline (JSONL).
    fn added_len(self, text: &str, first: bool) -> u64 {
        let separator = match self {
            OutputType::Json => u64::from(!first),
            OutputType::Jsonl => 1,
        };
        u64::try_from(text.len()).unwrap_or(u64::MAX) + separator
    }

    fn encode(self, texts: &[String]) -> Vec<u8> {
        match self {
            OutputType::Json => format!("[{}]", texts.join(",")).into_bytes(),
            OutputType::Jsonl => texts
                .iter()
                .flat_map(|t| [t.as_str(), "\n"])
                .collect::<String>()
                .into_bytes(),
        }
    }
}

/// One child execution of a Map Run, as its result files report it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChildRecord {
    /// The child's input: the item, or the batch, after `ItemSelector`.
    pub input: Value,
    pub outcome: ChildOutcome,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ChildOutcome {
    Succeeded {
        run: ChildRun,
        output: Value,
    },
    Failed {
        run: ChildRun,
        status: FailureStatus,
        error: Option<String>,
        cause: Option<String>,
    },
    /// Never started, because the Map Run failed or was aborted first.
    Pending,
}

/// The execution behind a started child.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildRun {
    pub execution_arn: String,
    pub name: String,
    pub state_machine_arn: String,
    pub start_date: DateTime<Utc>,
    pub stop_date: DateTime<Utc>,
    pub redrive_count: u64,
}

/// The ways a started child ends up in `FAILED_n.json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureStatus {
    Failed,
    TimedOut,
    Aborted,
}

impl FailureStatus {
    fn as_str(self) -> &'static str {
        match self {
            FailureStatus::Failed => "FAILED",
            FailureStatus::TimedOut => "TIMED_OUT",
            FailureStatus::Aborted => "ABORTED",
        }
    }
}

/// The result files grouped by status, in the order the manifest lists them.
const RESULT_GROUPS: [&str; 3] = ["FAILED", "PENDING", "SUCCEEDED"];

impl ChildRecord {
    fn group(&self) -> &'static str {
        match self.outcome {
            ChildOutcome::Succeeded { .. } => "SUCCEEDED",
            ChildOutcome::Failed { .. } => "FAILED",
            ChildOutcome::Pending => "PENDING",
        }
    }

    /// What the child contributes under `transformation`. Failed and pending children always give
    /// their full record: the guide says a failed child's result is returned unchanged.
    fn results(&self, transformation: Transformation) -> Vec<Value> {
        match (&self.outcome, transformation) {
            (ChildOutcome::Succeeded { output, .. }, Transformation::Compact) => vec![output.clone()],
            (ChildOutcome::Succeeded { output, .. }, Transformation::Flatten) => match output {
                Value::Array(elements) => elements.clone(),
                other => vec![other.clone()],
            },
            _ => vec![self.execution_record()],
        }
    }

    /// The `NONE` record, keys in the alphabetical order of AWS's example.
    fn execution_record(&self) -> Value {
        let mut entries = vec![
            ("Input", Value::String(self.input.to_string())),
            ("InputDetails", json!({"Included": true})),
        ];
        match &self.outcome {
            ChildOutcome::Succeeded { run, output } => {
                entries.extend(run_entries(run, "SUCCEEDED"));
                entries.extend([
                    ("Output", Value::String(output.to_string())),
                    ("OutputDetails", json!({"Included": true})),
                    ("RedriveStatus", json!("NOT_REDRIVABLE")),
                    (
                        "RedriveStatusReason",
                        json!("Execution is SUCCEEDED and cannot be redriven"),
                    ),
                ]);
            }
            ChildOutcome::Failed {
                run,
                status,
                error,
                cause,
            } => {
                entries.extend(run_entries(run, status.as_str()));
                entries.push(("RedriveStatus", json!("REDRIVABLE")));
                entries.extend(error.as_ref().map(|e| ("Error", json!(e))));
                entries.extend(cause.as_ref().map(|c| ("Cause", json!(c))));
            }
            ChildOutcome::Pending => entries.push(("Status", json!("PENDING"))),
        }
        entries.sort_by_key(|(key, _)| *key);
        Value::Object(entries.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }
}

fn run_entries(run: &ChildRun, status: &str) -> [(&'static str, Value); 7] {
    [
        ("ExecutionArn", json!(run.execution_arn)),
        ("Name", json!(run.name)),
        ("RedriveCount", json!(run.redrive_count)),
        ("StartDate", json!(timestamp(run.start_date))),
        ("StateMachineArn", json!(run.state_machine_arn)),
        ("Status", json!(status)),
        ("StopDate", json!(timestamp(run.stop_date))),
    ]
}

fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The Map state's result when `ResultWriter` has only a `WriterConfig` (results returned, not
/// exported), in child order. Without any `ResultWriter` AWS behaves as `COMPACT`.
pub fn transform_results(children: &[ChildRecord], transformation: Transformation) -> Vec<Value> {
    children
        .iter()
        .flat_map(|child| child.results(transformation))
        .collect()
}

/// Where a Map Run's results go: `<Prefix>/<run id>`, the run id being the Map Run ARN's last part.
fn run_directory(prefix: &str, run_id: &str) -> String {
    // AWS's examples join the prefix with one slash; a prefix that already ends in one should not
    // yield `//` (the guide does not say).
    let prefix = prefix.strip_suffix('/').unwrap_or(prefix);
    if prefix.is_empty() {
        run_id.to_string()
    } else {
        format!("{prefix}/{run_id}")
    }
}

/// The key of the run's `manifest.json`, which the Map state's output points at.
pub fn manifest_key(prefix: &str, run_id: &str) -> String {
    format!("{}/manifest.json", run_directory(prefix, run_id))
}

/// The objects a `ResultWriter` export puts, as `(key, body)`: `SUCCEEDED_n.json`, `FAILED_n.json`
/// (failed, timed out and aborted children) and `PENDING_n.json`, each written only when it has
/// results, then `manifest.json` last so it is never visible before the files it lists.
pub fn result_files(
    bucket: &str,
    prefix: &str,
    map_run_arn: &str,
    run_id: &str,
    children: &[ChildRecord],
    config: WriterConfig,
) -> Vec<(String, Vec<u8>)> {
    let target = ExportTarget {
        bucket,
        map_run_arn,
        directory: run_directory(prefix, run_id),
    };
    export(&target, children, config, MAX_RESULT_FILE_BYTES)
}

struct ExportTarget<'a> {
    bucket: &'a str,
    map_run_arn: &'a str,
    directory: String,
}

fn export(
    target: &ExportTarget<'_>,
    children: &[ChildRecord],
    config: WriterConfig,
    max_file_bytes: u64,
) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    let mut listing = Map::new();
    for group in RESULT_GROUPS {
        let texts: Vec<String> = children
            .iter()
            .filter(|child| child.group() == group)
            .flat_map(|child| child.results(config.transformation))
            .map(|value| value.to_string())
            .collect();
        let mut entries = Vec::new();
        for (index, body) in split_files(&texts, config.output_type, max_file_bytes)
            .into_iter()
            .enumerate()
        {
            let key = format!("{}/{group}_{index}.json", target.directory);
            entries.push(json!({"Key": key, "Size": body.len()}));
            files.push((key, body));
        }
        listing.insert(group.to_string(), Value::Array(entries));
    }
    let manifest = json!({
        "DestinationBucket": target.bucket,
        "MapRunArn": target.map_run_arn,
        "ResultFiles": listing,
    });
    files.push((
        format!("{}/manifest.json", target.directory),
        manifest.to_string().into_bytes(),
    ));
    files
}

/// Encodes values into as few files as keep each within `max_file_bytes` (a value larger than that
/// still gets a file of its own).
fn split_files(texts: &[String], output_type: OutputType, max_file_bytes: u64) -> Vec<Vec<u8>> {
    let mut files = Vec::new();
    let mut start = 0;
    let mut size = output_type.empty_len();
    for (index, text) in texts.iter().enumerate() {
        if index > start && size + output_type.added_len(text, false) > max_file_bytes {
            files.push(output_type.encode(&texts[start..index]));
            start = index;
            size = output_type.empty_len();
        }
        size += output_type.added_len(text, index == start);
    }
    if start < texts.len() {
        files.push(output_type.encode(&texts[start..]));
    }
    files
}

/// The Map state's result after an export: `{"MapRunArn": ..., "ResultWriterDetails": {"Bucket", "Key"}}`.
pub fn writer_output(bucket: &str, manifest_key: &str, map_run_arn: &str) -> Value {
    json!({
        "MapRunArn": map_run_arn,
        "ResultWriterDetails": {"Bucket": bucket, "Key": manifest_key},
    })
}

// ---- Tolerated failures --------------------------------------------------------------------------

/// Whether `failed` of `total` items (failed or timed out, counting every item of a failed batch)
/// sink the Map Run. Either threshold, when set, is exceeded strictly (`failed > count`,
/// `failed / total > percentage %`), and the run fails when either is; with neither set both default
/// to 0, so any failure fails it.
pub fn exceeds_tolerance(failed: u64, total: u64, count: Option<u64>, percentage: Option<f64>) -> bool {
    if failed == 0 {
        return false;
    }
    if count.is_none() && percentage.is_none() {
        return true;
    }
    // Multiplying instead of dividing keeps an empty run and exact ratios (1 of 4 at 25%) exact.
    let over_percentage = |p: f64| failed as f64 * 100.0 > p * total as f64;
    count.is_some_and(|c| failed > c) || percentage.is_some_and(over_percentage)
}

/// The error a Map Run fails with when [`exceeds_tolerance`] says so.
pub fn tolerance_exceeded() -> ItemsError {
    ItemsError::new(EXCEED_TOLERATED_FAILURE_THRESHOLD, TOLERANCE_CAUSE)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn csv_config(location: CsvHeaderLocation, headers: Option<&[&str]>, delimiter: Option<&str>) -> ReaderConfig {
        ReaderConfig {
            input_type: Some(InputType::Csv),
            csv_header_location: Some(location),
            csv_headers: headers.map(|h| h.iter().map(|s| s.to_string()).collect()),
            csv_delimiter: delimiter.map(str::to_string),
            ..ReaderConfig::default()
        }
    }

    fn first_row() -> ReaderConfig {
        csv_config(CsvHeaderLocation::FirstRow, None, None)
    }

    fn typed(input_type: InputType) -> ReaderConfig {
        ReaderConfig {
            input_type: Some(input_type),
            ..ReaderConfig::default()
        }
    }

    fn reader_error(cause: &str) -> ItemsError {
        ItemsError::new(ITEM_READER_FAILED, cause)
    }

    #[test]
    fn csv_first_row_names_the_columns_and_every_value_is_a_string() {
        let items = read_items(b"userId,movieId,rating\n1,307,3.5\n1,481,true\n", &first_row(), None).unwrap();
        assert_eq!(
            items,
            vec![
                json!({"userId": "1", "movieId": "307", "rating": "3.5"}),
                json!({"userId": "1", "movieId": "481", "rating": "true"}),
            ]
        );
        // Keys keep the header's order.
        assert_eq!(items[0].to_string(), r#"{"userId":"1","movieId":"307","rating":"3.5"}"#);
    }

    #[test]
    fn csv_given_headers_read_the_first_row_as_data() {
        let config = csv_config(CsvHeaderLocation::Given, Some(&["a", "b"]), None);
        let items = read_items(b"1,2\n3,4", &config, None).unwrap();
        assert_eq!(items, vec![json!({"a": "1", "b": "2"}), json!({"a": "3", "b": "4"})]);
    }

    #[test]
    fn csv_short_rows_get_empty_strings_and_long_rows_lose_extra_fields() {
        let items = read_items(b"a,b,c\n1\n1,2,3,4,5\n", &first_row(), None).unwrap();
        assert_eq!(
            items,
            vec![
                json!({"a": "1", "b": "", "c": ""}),
                json!({"a": "1", "b": "2", "c": "3"})
            ]
        );
    }

    #[test]
    fn csv_parses_the_aws_reference_file() {
        let headers = ["MyLetters", "MyNumbers", "MyString", "MyObject", "MyArray"];
        let config = csv_config(CsvHeaderLocation::Given, Some(&headers), None);
        let file = "abc,123,\"This string contains commas, a double quotation marks (\"\"), and a newline (\n)\",\
                    {\"\"MyKey\"\":\"\"MyValue\"\"},\"[1,2,3]\"";
        let items = read_items(file.as_bytes(), &config, None).unwrap();
        assert_eq!(
            items,
            vec![json!({
                "MyLetters": "abc",
                "MyNumbers": "123",
                "MyString": "This string contains commas, a double quotation marks (\"), and a newline (\n)",
                "MyObject": "{\"MyKey\":\"MyValue\"}",
                "MyArray": "[1,2,3]",
            })]
        );
    }

    #[test]
    fn csv_quotes_protect_delimiters_and_doubled_quotes_become_one() {
        let items = read_items(b"a,b\n\"x,y\",\"say \"\"hi\"\"\"\n\"\",\"q\"tail\n", &first_row(), None).unwrap();
        assert_eq!(
            items,
            vec![json!({"a": "x,y", "b": "say \"hi\""}), json!({"a": "", "b": "qtail"}),]
        );
    }

    #[test]
    fn csv_backslash_escapes_only_backslash_quote_and_delimiter() {
        let file = "path,size\nC:\\\\Program Files\\\\MyApp.exe,6534512\na\\,b,\\\"q\\\"\n\\x\\y,\"in \\\" quotes\"\n";
        let items = read_items(file.as_bytes(), &first_row(), None).unwrap();
        assert_eq!(
            items,
            vec![
                json!({"path": "C:\\Program Files\\MyApp.exe", "size": "6534512"}),
                json!({"path": "a,b", "size": "\"q\""}),
                json!({"path": "xy", "size": "in \" quotes"}),
            ]
        );
    }

    #[test]
    fn csv_skips_empty_lines_and_accepts_crlf_and_a_bom() {
        let items = read_items("\u{feff}a,b\r\n\r\n1,2\r\n\n3,4".as_bytes(), &first_row(), None).unwrap();
        assert_eq!(items, vec![json!({"a": "1", "b": "2"}), json!({"a": "3", "b": "4"})]);
    }

    #[test]
    fn csv_delimiter_names_map_to_their_characters() {
        for (name, line) in [
            ("COMMA", "1,2"),
            ("PIPE", "1|2"),
            ("SEMICOLON", "1;2"),
            ("SPACE", "1 2"),
            ("TAB", "1\t2"),
        ] {
            let config = csv_config(CsvHeaderLocation::Given, Some(&["a", "b"]), Some(name));
            assert_eq!(
                read_items(line.as_bytes(), &config, None).unwrap(),
                vec![json!({"a": "1", "b": "2"})],
                "{name}"
            );
        }
        let pipe = csv_config(CsvHeaderLocation::FirstRow, None, Some("PIPE"));
        assert_eq!(
            read_items(b"a|b\n1,5|\\|\n", &pipe, None).unwrap(),
            vec![json!({"a": "1,5", "b": "|"})]
        );
    }

    #[test]
    fn csv_errors_carry_item_reader_failed() {
        let bad_delimiter = csv_config(CsvHeaderLocation::FirstRow, None, Some("COLON"));
        assert_eq!(
            read_items(b"a\n1", &bad_delimiter, None),
            Err(reader_error(
                "CSVDelimiter 'COLON' is not one of COMMA, PIPE, SEMICOLON, SPACE, TAB"
            ))
        );
        assert_eq!(
            read_items(b"a,b,a\n1,2,3", &first_row(), None),
            Err(reader_error("CSV headers cannot contain duplicates."))
        );
        let duplicated_given = csv_config(CsvHeaderLocation::Given, Some(&["x", "x"]), None);
        assert_eq!(
            read_items(b"1,2", &duplicated_given, None),
            Err(reader_error("CSV headers cannot contain duplicates."))
        );
        assert_eq!(
            read_items(b"a\n\"open", &first_row(), None),
            Err(reader_error("The CSV file ends inside a quoted field"))
        );
        let no_headers = csv_config(CsvHeaderLocation::Given, None, None);
        assert_eq!(
            read_items(b"1", &no_headers, None),
            Err(reader_error("CSVHeaders is required when CSVHeaderLocation is GIVEN"))
        );
        let not_utf8 = read_items(b"a\n\xff", &first_row(), None).unwrap_err();
        assert_eq!(not_utf8.error, ITEM_READER_FAILED);
        assert!(
            not_utf8.cause.starts_with("The object is not UTF-8: "),
            "{}",
            not_utf8.cause
        );
    }

    #[test]
    fn csv_header_only_or_empty_files_have_no_items() {
        assert_eq!(read_items(b"", &first_row(), None).unwrap(), Vec::<Value>::new());
        assert_eq!(read_items(b"a,b\n", &first_row(), None).unwrap(), Vec::<Value>::new());
    }

    #[test]
    fn max_items_counts_data_rows_and_zero_means_all() {
        let file = b"n\n1\n2\n3\n";
        assert_eq!(
            read_items(file, &first_row(), Some(2)).unwrap(),
            vec![json!({"n": "1"}), json!({"n": "2"})]
        );
        assert_eq!(read_items(file, &first_row(), Some(0)).unwrap().len(), 3);
        assert_eq!(read_items(file, &first_row(), Some(10)).unwrap().len(), 3);
        assert_eq!(item_limit(Some(u64::MAX)), 100_000_000);
    }

    #[test]
    fn json_reads_an_array_and_rejects_anything_else() {
        let config = typed(InputType::Json);
        assert_eq!(
            read_items(br#"[{"a":1},"two",[3],null]"#, &config, None).unwrap(),
            vec![json!({"a": 1}), json!("two"), json!([3]), Value::Null]
        );
        assert_eq!(
            read_items(b"[1,2,3]", &config, Some(2)).unwrap(),
            vec![json!(1), json!(2)]
        );
        assert_eq!(
            read_items(br#"{"a":[1]}"#, &config, None),
            Err(reader_error("Attempting to map over non-iterable node."))
        );
        let broken = read_items(b"[1,", &config, None).unwrap_err();
        assert_eq!(broken.error, ITEM_READER_FAILED);
        assert!(
            broken.cause.starts_with("The object is not valid JSON: "),
            "{}",
            broken.cause
        );
    }

    #[test]
    fn jsonl_reads_one_value_per_line() {
        let config = typed(InputType::Jsonl);
        let file = b"{\"verdict\":\"true\"}\r\n\n  \n[1]\n\"s\"\n";
        assert_eq!(
            read_items(file, &config, None).unwrap(),
            vec![json!({"verdict": "true"}), json!([1]), json!("s")]
        );
        assert_eq!(
            read_items(file, &config, Some(1)).unwrap(),
            vec![json!({"verdict": "true"})]
        );
        let broken = read_items(b"1\n\n{oops\n", &config, None).unwrap_err();
        assert_eq!(broken.error, ITEM_READER_FAILED);
        assert!(
            broken.cause.starts_with("Line 3 is not valid JSON: "),
            "{}",
            broken.cause
        );
    }

    #[test]
    fn other_input_types_are_not_read_from_bytes() {
        assert_eq!(
            read_items(b"{}", &typed(InputType::Manifest), None),
            Err(reader_error(
                "A MANIFEST lists S3 inventory files; each listed file must be read for items"
            ))
        );
        assert_eq!(
            read_items(b"PAR1", &typed(InputType::Parquet), None),
            Err(reader_error("PARQUET datasets are not supported"))
        );
        assert_eq!(
            read_items(b"[]", &ReaderConfig::default(), None),
            Err(reader_error("ReaderConfig.InputType is required to read an S3 object"))
        );
    }

    const INVENTORY: &str = r#"{
        "sourceBucket": "amzn-s3-demo-source-bucket",
        "destinationBucket": "arn:aws:s3:::amzn-s3-demo-inventory",
        "version": "2016-11-30",
        "creationTimestamp": "1668560400000",
        "fileFormat": "CSV",
        "fileSchema": "Bucket, Key, Size, LastModifiedDate",
        "files": [{"key": "inv/data/20e55de8.csv.gz", "size": 7300, "MD5checksum": "a7ff4a1d"}]
    }"#;

    #[test]
    fn inventory_manifest_lists_files_and_schema() {
        assert_eq!(
            inventory_manifest(INVENTORY.as_bytes()).unwrap(),
            InventoryManifest {
                source_bucket: "amzn-s3-demo-source-bucket".into(),
                destination_bucket: "amzn-s3-demo-inventory".into(),
                file_keys: vec!["inv/data/20e55de8.csv.gz".into()],
                schema: vec!["Bucket".into(), "Key".into(), "Size".into(), "LastModifiedDate".into()],
            }
        );
    }

    #[test]
    fn inventory_rows_become_string_items_named_by_the_schema() {
        let manifest = inventory_manifest(INVENTORY.as_bytes()).unwrap();
        let data = "\"amzn-s3-demo-source-bucket\",\"csvDataset/\",\"0\",\"2022-11-16T00:27:19.000Z\"\n\
                    \"amzn-s3-demo-source-bucket\",\"csvDataset/titles.csv\",\"3399671\",\"2022-11-16T00:29:32.000Z\"\n";
        let items = inventory_items(data.as_bytes(), &manifest, Some(0)).unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(
            items[1],
            json!({
                "Bucket": "amzn-s3-demo-source-bucket",
                "Key": "csvDataset/titles.csv",
                "Size": "3399671",
                "LastModifiedDate": "2022-11-16T00:29:32.000Z",
            })
        );
        assert_eq!(inventory_items(data.as_bytes(), &manifest, Some(1)).unwrap().len(), 1);
    }

    #[test]
    fn inventory_manifest_errors() {
        let parquet = INVENTORY.replace("\"CSV\"", "\"Parquet\"");
        assert_eq!(
            inventory_manifest(parquet.as_bytes()),
            Err(reader_error(
                "The inventory file format is Parquet; only CSV inventories can be read"
            ))
        );
        let no_files = INVENTORY.replace("\"files\"", "\"other\"");
        assert_eq!(
            inventory_manifest(no_files.as_bytes()),
            Err(reader_error("The inventory manifest has no 'files' list of keys"))
        );
        let no_schema = INVENTORY.replace("fileSchema", "schema");
        assert_eq!(
            inventory_manifest(no_schema.as_bytes()),
            Err(reader_error("The inventory manifest has no 'fileSchema' string"))
        );
        assert_eq!(inventory_manifest(b"[").unwrap_err().error, ITEM_READER_FAILED);
    }

    #[test]
    fn listed_objects_look_like_the_guides_example() {
        let at = Utc.timestamp_opt(1_668_699_881, 0).unwrap();
        let item = listed_object_item(
            "processData/images/n02085620_1073.jpg",
            34910,
            "\"05704fbdccb224cb01c59005bebbad28\"",
            at,
            None,
        );
        assert_eq!(
            item.to_string(),
            r#"{"Etag":"\"05704fbdccb224cb01c59005bebbad28\"","Key":"processData/images/n02085620_1073.jpg","LastModified":1668699881,"Size":34910,"StorageClass":"STANDARD"}"#
        );
        let bare = listed_object_item("k", 0, "abc", at, Some("GLACIER"));
        assert_eq!(bare["Etag"], json!("\"abc\""));
        assert_eq!(bare["StorageClass"], json!("GLACIER"));
    }

    #[test]
    fn batches_split_by_item_count_and_omit_absent_batch_input() {
        let items: Vec<Value> = (1..=5).map(|n| json!(n)).collect();
        assert_eq!(
            batches(items, Some(2), None, None).unwrap(),
            vec![
                json!({"Items": [1, 2]}),
                json!({"Items": [3, 4]}),
                json!({"Items": [5]}),
            ]
        );
    }

    #[test]
    fn batches_put_batch_input_first_in_every_batch() {
        let input = json!({"factCheck": "December 2022"});
        let batched = batches(vec![json!("a"), json!("b"), json!("c")], Some(2), None, Some(&input)).unwrap();
        assert_eq!(
            batched[0].to_string(),
            r#"{"BatchInput":{"factCheck":"December 2022"},"Items":["a","b"]}"#
        );
        assert_eq!(
            batched[1],
            json!({"BatchInput": {"factCheck": "December 2022"}, "Items": ["c"]})
        );
    }

    #[test]
    fn batches_close_before_the_serialized_input_passes_the_byte_limit() {
        // {"Items":[]} is 12 bytes; "aaaa" is 6, plus a comma after the first.
        let items = vec![json!("aaaa"), json!("bbbb"), json!("cccc")];
        let exact = 12 + 6 + 1 + 6; // two items fit exactly
        assert_eq!(
            batches(items.clone(), None, Some(exact), None).unwrap(),
            vec![json!({"Items": ["aaaa", "bbbb"]}), json!({"Items": ["cccc"]})]
        );
        assert_eq!(
            batches(items.clone(), None, Some(exact - 1), None).unwrap(),
            vec![
                json!({"Items": ["aaaa"]}),
                json!({"Items": ["bbbb"]}),
                json!({"Items": ["cccc"]}),
            ]
        );
        // BatchInput counts: {"BatchInput":1,"Items":[]} is 27 bytes, so one item per batch.
        assert_eq!(
            batches(items, None, Some(27 + 6 + 1 + 5), Some(&json!(1)))
                .unwrap()
                .len(),
            3
        );
    }

    #[test]
    fn batches_respect_both_limits_and_the_256_kib_ceiling() {
        let items: Vec<Value> = (0..4).map(|_| json!("x".repeat(100_000))).collect();
        // No byte limit declared, or one above the ceiling: 256 KiB still holds two 100 KB items.
        for max_bytes in [None, Some(10_000_000)] {
            let sizes: Vec<usize> = batches(items.clone(), Some(100), max_bytes, None)
                .unwrap()
                .iter()
                .map(|b| b["Items"].as_array().map_or(0, Vec::len))
                .collect();
            assert_eq!(sizes, vec![2, 2]);
        }
        let huge = json!("y".repeat(300_000));
        let alone = batches(vec![json!(1), huge.clone(), json!(2)], None, None, None).unwrap();
        assert_eq!(
            alone,
            vec![json!({"Items": [1]}), json!({"Items": [huge]}), json!({"Items": [2]})]
        );
        assert_eq!(batches(Vec::new(), Some(1), None, None).unwrap(), Vec::<Value>::new());
    }

    #[test]
    fn batch_limits_must_be_positive() {
        assert_eq!(
            batches(vec![json!(1)], Some(0), None, None),
            Err(ItemsError::new(
                "States.Runtime",
                "The value of MaxItemsPerBatch must be a positive integer, but was 0"
            ))
        );
        assert_eq!(
            batches(vec![json!(1)], None, Some(0), None),
            Err(ItemsError::new(
                "States.Runtime",
                "The value of MaxInputBytesPerBatch must be a positive integer, but was 0"
            ))
        );
    }

    const MACHINE: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:orders/Map";
    const MAP_RUN: &str = "arn:aws:states:us-east-1:123456789012:mapRun:orders/Map:ad9b5f27";

    fn run(name: &str) -> ChildRun {
        ChildRun {
            execution_arn: format!("arn:aws:states:us-east-1:123456789012:execution:orders/Map:{name}"),
            name: name.to_string(),
            state_machine_arn: MACHINE.to_string(),
            start_date: Utc.timestamp_millis_opt(1_738_633_790_099).unwrap(),
            stop_date: Utc.timestamp_millis_opt(1_738_633_790_163).unwrap(),
            redrive_count: 0,
        }
    }

    fn succeeded(name: &str, input: Value, output: Value) -> ChildRecord {
        ChildRecord {
            input,
            outcome: ChildOutcome::Succeeded { run: run(name), output },
        }
    }

    fn failed(name: &str, status: FailureStatus) -> ChildRecord {
        ChildRecord {
            input: json!({"n": 2}),
            outcome: ChildOutcome::Failed {
                run: run(name),
                status,
                error: Some("Boom".into()),
                cause: Some("it broke".into()),
            },
        }
    }

    fn pending() -> ChildRecord {
        ChildRecord {
            input: json!({"n": 3}),
            outcome: ChildOutcome::Pending,
        }
    }

    fn body(files: &[(String, Vec<u8>)], key: &str) -> String {
        let (_, bytes) = files.iter().find(|(k, _)| k == key).unwrap();
        String::from_utf8(bytes.clone()).unwrap()
    }

    fn keys(files: &[(String, Vec<u8>)]) -> Vec<&str> {
        files.iter().map(|(k, _)| k.as_str()).collect()
    }

    #[test]
    fn succeeded_records_match_the_guides_none_example() {
        let record = succeeded("da4e9fc7", json!({"n": 1}), json!([{"order_id": "100000"}])).execution_record();
        assert_eq!(
            record.to_string(),
            concat!(
                r#"{"ExecutionArn":"arn:aws:states:us-east-1:123456789012:execution:orders/Map:da4e9fc7","#,
                r#""Input":"{\"n\":1}","InputDetails":{"Included":true},"Name":"da4e9fc7","#,
                r#""Output":"[{\"order_id\":\"100000\"}]","OutputDetails":{"Included":true},"#,
                r#""RedriveCount":0,"RedriveStatus":"NOT_REDRIVABLE","#,
                r#""RedriveStatusReason":"Execution is SUCCEEDED and cannot be redriven","#,
                r#""StartDate":"2025-02-04T01:49:50.099Z","#,
                r#""StateMachineArn":"arn:aws:states:us-east-1:123456789012:stateMachine:orders/Map","#,
                r#""Status":"SUCCEEDED","StopDate":"2025-02-04T01:49:50.163Z"}"#
            )
        );
    }

    #[test]
    fn failed_and_pending_records() {
        assert_eq!(
            failed("f1", FailureStatus::TimedOut).execution_record().to_string(),
            concat!(
                r#"{"Cause":"it broke","Error":"Boom","#,
                r#""ExecutionArn":"arn:aws:states:us-east-1:123456789012:execution:orders/Map:f1","#,
                r#""Input":"{\"n\":2}","InputDetails":{"Included":true},"Name":"f1","RedriveCount":0,"#,
                r#""RedriveStatus":"REDRIVABLE","StartDate":"2025-02-04T01:49:50.099Z","#,
                r#""StateMachineArn":"arn:aws:states:us-east-1:123456789012:stateMachine:orders/Map","#,
                r#""Status":"TIMED_OUT","StopDate":"2025-02-04T01:49:50.163Z"}"#
            )
        );
        let mut quiet = failed("f2", FailureStatus::Aborted);
        if let ChildOutcome::Failed { error, cause, .. } = &mut quiet.outcome {
            *error = None;
            *cause = None;
        }
        let record = quiet.execution_record();
        assert_eq!(record["Status"], json!("ABORTED"));
        assert!(record.get("Error").is_none() && record.get("Cause").is_none());
        assert_eq!(
            pending().execution_record().to_string(),
            r#"{"Input":"{\"n\":3}","InputDetails":{"Included":true},"Status":"PENDING"}"#
        );
    }

    #[test]
    fn export_writes_status_files_then_the_manifest() {
        let children = vec![
            succeeded("s1", json!({"n": 1}), json!("one")),
            failed("f1", FailureStatus::Failed),
            succeeded("s2", json!({"n": 4}), json!("four")),
        ];
        let files = result_files(
            "bucket",
            "csvJobs",
            MAP_RUN,
            "ad9b5f27",
            &children,
            WriterConfig::default(),
        );
        assert_eq!(
            keys(&files),
            vec![
                "csvJobs/ad9b5f27/FAILED_0.json",
                "csvJobs/ad9b5f27/SUCCEEDED_0.json",
                "csvJobs/ad9b5f27/manifest.json",
            ]
        );
        let succeeded_body = body(&files, "csvJobs/ad9b5f27/SUCCEEDED_0.json");
        let records: Value = serde_json::from_str(&succeeded_body).unwrap();
        assert_eq!(
            records,
            json!([children[0].execution_record(), children[2].execution_record()])
        );
        assert_eq!(
            body(&files, "csvJobs/ad9b5f27/FAILED_0.json"),
            format!("[{}]", children[1].execution_record())
        );
        let failed_size = files[0].1.len();
        assert_eq!(
            body(&files, "csvJobs/ad9b5f27/manifest.json"),
            format!(
                concat!(
                    r#"{{"DestinationBucket":"bucket","MapRunArn":"{}","ResultFiles":{{"#,
                    r#""FAILED":[{{"Key":"csvJobs/ad9b5f27/FAILED_0.json","Size":{}}}],"PENDING":[],"#,
                    r#""SUCCEEDED":[{{"Key":"csvJobs/ad9b5f27/SUCCEEDED_0.json","Size":{}}}]}}}}"#
                ),
                MAP_RUN,
                failed_size,
                succeeded_body.len()
            )
        );
    }

    #[test]
    fn export_keys_join_the_prefix_with_one_slash() {
        assert_eq!(manifest_key("jobs/", "r1"), "jobs/r1/manifest.json");
        assert_eq!(manifest_key("", "r1"), "r1/manifest.json");
        let files = result_files("b", "", MAP_RUN, "r1", &[pending()], WriterConfig::default());
        assert_eq!(keys(&files), vec!["r1/PENDING_0.json", "r1/manifest.json"]);
        let empty = result_files("b", "p", MAP_RUN, "r1", &[], WriterConfig::default());
        assert_eq!(
            empty,
            vec![(
                "p/r1/manifest.json".to_string(),
                format!(
                    r#"{{"DestinationBucket":"b","MapRunArn":"{MAP_RUN}","ResultFiles":{{"FAILED":[],"PENDING":[],"SUCCEEDED":[]}}}}"#
                )
                .into_bytes()
            )]
        );
    }

    #[test]
    fn compact_and_flatten_keep_outputs_but_failed_children_keep_their_records() {
        let children = vec![
            succeeded("s1", json!(1), json!([{"id": 1}, {"id": 2}])),
            succeeded("s2", json!(2), json!({"id": 3})),
            failed("f1", FailureStatus::Failed),
        ];
        assert_eq!(
            transform_results(&children, Transformation::Compact),
            vec![
                json!([{"id": 1}, {"id": 2}]),
                json!({"id": 3}),
                children[2].execution_record(),
            ]
        );
        assert_eq!(
            transform_results(&children, Transformation::Flatten),
            vec![
                json!({"id": 1}),
                json!({"id": 2}),
                json!({"id": 3}),
                children[2].execution_record(),
            ]
        );
        assert_eq!(
            transform_results(&children[1..2], Transformation::Unchanged),
            vec![children[1].execution_record()]
        );
        let config = WriterConfig {
            transformation: Transformation::Flatten,
            output_type: OutputType::Json,
        };
        let files = result_files("b", "p", MAP_RUN, "r", &children, config);
        assert_eq!(body(&files, "p/r/SUCCEEDED_0.json"), r#"[{"id":1},{"id":2},{"id":3}]"#);
        assert_eq!(
            body(&files, "p/r/FAILED_0.json"),
            format!("[{}]", children[2].execution_record())
        );
    }

    #[test]
    fn jsonl_output_writes_one_value_per_line_in_json_named_files() {
        let children = vec![
            succeeded("a", json!(1), json!({"x": 1})),
            succeeded("b", json!(2), json!([2])),
        ];
        let config = WriterConfig {
            transformation: Transformation::Compact,
            output_type: OutputType::Jsonl,
        };
        let files = result_files("b", "p", MAP_RUN, "r", &children, config);
        assert_eq!(body(&files, "p/r/SUCCEEDED_0.json"), "{\"x\":1}\n[2]\n");
    }

    #[test]
    fn result_files_split_at_the_size_limit() {
        let children: Vec<ChildRecord> = ["aaaa", "bbbb", "cccc"]
            .iter()
            .map(|s| succeeded(s, json!(0), json!(s)))
            .collect();
        let target = ExportTarget {
            bucket: "b",
            map_run_arn: MAP_RUN,
            directory: "p/r".into(),
        };
        let compact = WriterConfig {
            transformation: Transformation::Compact,
            output_type: OutputType::Json,
        };
        // ["aaaa","bbbb"] is 15 bytes.
        let files = export(&target, &children, compact, 15);
        assert_eq!(
            keys(&files),
            vec!["p/r/SUCCEEDED_0.json", "p/r/SUCCEEDED_1.json", "p/r/manifest.json"]
        );
        assert_eq!(body(&files, "p/r/SUCCEEDED_0.json"), r#"["aaaa","bbbb"]"#);
        assert_eq!(body(&files, "p/r/SUCCEEDED_1.json"), r#"["cccc"]"#);
        let manifest: Value = serde_json::from_str(&body(&files, "p/r/manifest.json")).unwrap();
        assert_eq!(
            manifest["ResultFiles"]["SUCCEEDED"],
            json!([{"Key": "p/r/SUCCEEDED_0.json", "Size": 15}, {"Key": "p/r/SUCCEEDED_1.json", "Size": 8}])
        );
        // A value larger than the limit still gets a file of its own.
        let tiny = export(&target, &children, compact, 3);
        assert_eq!(tiny.len(), 4);
        let jsonl = WriterConfig {
            transformation: Transformation::Compact,
            output_type: OutputType::Jsonl,
        };
        // "aaaa"\n is 7 bytes per line.
        assert_eq!(
            body(&export(&target, &children, jsonl, 14), "p/r/SUCCEEDED_0.json"),
            "\"aaaa\"\n\"bbbb\"\n"
        );
    }

    #[test]
    fn writer_output_points_at_the_manifest() {
        assert_eq!(
            writer_output("bucket", "csvJobs/ad9b5f27/manifest.json", MAP_RUN).to_string(),
            format!(
                r#"{{"MapRunArn":"{MAP_RUN}","ResultWriterDetails":{{"Bucket":"bucket","Key":"csvJobs/ad9b5f27/manifest.json"}}}}"#
            )
        );
    }

    #[test]
    fn writer_config_reads_the_definition() {
        assert_eq!(WriterConfig::from_definition(None).unwrap(), WriterConfig::default());
        assert_eq!(
            WriterConfig::from_definition(Some(&json!({"Transformation": "FLATTEN", "OutputType": "JSONL"}))).unwrap(),
            WriterConfig {
                transformation: Transformation::Flatten,
                output_type: OutputType::Jsonl,
            }
        );
        assert_eq!(
            WriterConfig::from_definition(Some(&json!({"Transformation": "COMPACT"}))).unwrap(),
            WriterConfig {
                transformation: Transformation::Compact,
                output_type: OutputType::Json,
            }
        );
        assert_eq!(
            WriterConfig::from_definition(Some(&json!({"OutputType": "CSV"}))),
            Err(ItemsError::new(
                RESULT_WRITER_FAILED,
                "WriterConfig.OutputType must be one of JSON, JSONL, but was \"CSV\""
            ))
        );
        assert_eq!(
            WriterConfig::from_definition(Some(&json!({"Transformation": 1}))),
            Err(ItemsError::new(
                RESULT_WRITER_FAILED,
                "WriterConfig.Transformation must be one of NONE, COMPACT, FLATTEN, but was 1"
            ))
        );
    }

    #[test]
    fn tolerance_defaults_to_failing_on_any_failure() {
        assert!(!exceeds_tolerance(0, 10, None, None));
        assert!(exceeds_tolerance(1, 10, None, None));
        assert!(!exceeds_tolerance(0, 0, None, None));
    }

    #[test]
    fn tolerance_thresholds_are_exceeded_strictly() {
        assert!(!exceeds_tolerance(2, 10, Some(2), None));
        assert!(exceeds_tolerance(3, 10, Some(2), None));
        assert!(exceeds_tolerance(1, 10, Some(0), None));
        assert!(!exceeds_tolerance(1, 4, None, Some(25.0)));
        assert!(exceeds_tolerance(2, 4, None, Some(25.0)));
        assert!(exceeds_tolerance(1, 3, None, Some(33.3)));
        assert!(!exceeds_tolerance(1, 3, None, Some(33.4)));
        assert!(exceeds_tolerance(1, 10, None, Some(0.0)));
        assert!(!exceeds_tolerance(10, 10, None, Some(100.0)));
    }

    #[test]
    fn tolerance_fails_when_either_set_threshold_is_exceeded() {
        // Only a count set: its percentage does not default to 0.
        assert!(!exceeds_tolerance(5, 10, Some(5), None));
        assert!(exceeds_tolerance(5, 10, Some(10), Some(40.0)));
        assert!(exceeds_tolerance(5, 10, Some(4), Some(60.0)));
        assert!(!exceeds_tolerance(5, 10, Some(5), Some(50.0)));
        assert_eq!(
            tolerance_exceeded(),
            ItemsError::new(
                "States.ExceedToleratedFailureThreshold",
                "The specified tolerated failure threshold was exceeded"
            )
        );
        assert_eq!(
            tolerance_exceeded().to_string(),
            "States.ExceedToleratedFailureThreshold: The specified tolerated failure threshold was exceeded"
        );
    }
}
