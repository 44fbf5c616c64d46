//! A destination compiled for delivery: the bucket, both prefixes parsed,
//! buffering in bytes and milliseconds, compression, the processors (a
//! Lambda transformer, a jq `MetadataExtraction` query, a delimiter), record
//! format conversion and the backup bucket. Compiling checks every rule
//! CreateDeliveryStream and UpdateDestination apply, with AWS's messages, and
//! fills in AWS's defaults so DescribeDeliveryStream shows them.

use std::sync::Arc;

use chrono_tz::Tz;
use lakestack_aws_protocol::validation::{Shown, Violation};

use crate::api::dto::{
    BufferingHints, CloudWatchLoggingOptions, ExtendedS3Destination, ProcessingConfiguration, S3Destination,
};
use crate::compress::Compression;
use crate::convert;
use crate::error::{FirehoseError, Result};
use crate::keys::{self, ApiShape, KeyError, OutputFormat, PrefixSettings, Prefixes};

const MIB: u64 = 1024 * 1024;

/// A Lambda transformer (`ProcessingConfiguration` processor `Lambda`).
#[derive(Debug, Clone)]
pub struct LambdaProcessor {
    pub arn: String,
    pub retries: u32,
    pub buffer_bytes: u64,
    pub buffer_interval_ms: i64,
}

/// Record format conversion.
#[derive(Debug, Clone)]
pub struct Conversion {
    pub options: convert::Options,
    pub table: convert::DataCatalogTable,
}

/// Where and how one kind of object is written (the destination, or its backup).
#[derive(Debug, Clone)]
pub struct Output {
    pub bucket: String,
    pub prefixes: Prefixes,
    pub size_bytes: u64,
    pub interval_ms: i64,
    pub compression: Compression,
    pub extension: String,
    pub zone: Option<Tz>,
    /// Where this output's delivery errors are logged, if anywhere.
    pub log: Option<LogTarget>,
}

/// A CloudWatch Logs group and stream that delivery errors go to.
#[derive(Debug, Clone, PartialEq)]
pub struct LogTarget {
    pub group: String,
    pub stream: String,
}

#[derive(Debug, Clone)]
pub struct Plan {
    pub output: Output,
    pub lambda: Option<LambdaProcessor>,
    pub query: Option<Arc<lakestack_jq::Query>>,
    pub delimiter: Option<Vec<u8>>,
    pub dynamic: bool,
    pub conversion: Option<Conversion>,
    pub backup: Option<Output>,
}

fn invalid(message: impl Into<String>) -> FirehoseError {
    FirehoseError::InvalidArgument(message.into())
}

fn violation(v: Violation) -> FirehoseError {
    FirehoseError::Validation(v.message())
}

fn key_error(e: KeyError) -> FirehoseError {
    match e.code() {
        Some(keys::ErrorCode::Validation) => FirehoseError::Validation(e.message()),
        _ => FirehoseError::InvalidArgument(e.message()),
    }
}

/// `arn:aws:s3:::bucket`: the bucket.
fn bucket_of(arn: Option<&str>, member: &str) -> Result<String> {
    let arn = arn.ok_or_else(|| violation(Violation::null(member)))?;
    let bucket = arn
        .strip_prefix("arn:aws:s3:::")
        .filter(|b| !b.is_empty() && !b.contains('/'))
        .ok_or_else(|| {
            violation(Violation::pattern(
                member,
                Shown::Value(arn.into()),
                "arn:.*:s3:::[\\w\\.\\-]{1,255}",
            ))
        })?;
    Ok(bucket.to_owned())
}

/// Buffering hints with AWS's bounds and defaults (5 MiB, 300 s), filled in.
fn buffering(h: &mut Option<BufferingHints>, path: &str, min_mb: i64) -> Result<(u64, i64)> {
    let h = h.get_or_insert_with(BufferingHints::default);
    let size = *h.size_in_mbs.get_or_insert(if min_mb > 5 { 128 } else { 5 });
    let interval = *h.interval_in_seconds.get_or_insert(300);
    if !(1..=128).contains(&size) {
        return Err(violation(Violation::range(
            &format!("{path}.bufferingHints.sizeInMBs"),
            size,
            1,
            128,
        )));
    }
    if !(0..=900).contains(&interval) {
        return Err(violation(Violation::range(
            &format!("{path}.bufferingHints.intervalInSeconds"),
            interval,
            0,
            900,
        )));
    }
    if size < min_mb {
        return Err(invalid(format!(
            "BufferingHints.SizeInMBs must be at least {min_mb} when data format conversion or dynamic partitioning is enabled."
        )));
    }
    Ok((size as u64 * MIB, interval * 1000))
}

fn compression(value: &mut Option<String>, shape: ApiShape) -> Result<Compression> {
    let v = value.get_or_insert_with(|| "UNCOMPRESSED".into());
    Compression::parse(v).map_err(|mut e| {
        e.shape = shape;
        FirehoseError::Validation(e.message())
    })
}

fn parameter<'a>(p: &'a crate::api::dto::Processor, name: &str) -> Option<&'a str> {
    p.parameters
        .iter()
        .find(|x| x.parameter_name == name)
        .map(|x| x.parameter_value.as_str())
}

struct Processors {
    lambda: Option<LambdaProcessor>,
    query: Option<(Arc<lakestack_jq::Query>, Vec<String>)>,
    delimiter: Option<Vec<u8>>,
}

fn processors(p: Option<&ProcessingConfiguration>, dynamic: bool) -> Result<Processors> {
    let mut out = Processors {
        lambda: None,
        query: None,
        delimiter: None,
    };
    let Some(p) = p.filter(|p| p.enabled.unwrap_or(!p.processors.is_empty())) else {
        return Ok(out);
    };
    for proc in &p.processors {
        match proc.kind.as_str() {
            "Lambda" => {
                let arn = parameter(proc, "LambdaArn")
                    .ok_or_else(|| invalid("LambdaArn must be specified for a Lambda processor."))?;
                let number = |name: &str, default: f64, min: f64, max: f64| -> Result<f64> {
                    match parameter(proc, name) {
                        None => Ok(default),
                        Some(v) => v
                            .parse::<f64>()
                            .ok()
                            .filter(|n| (min..=max).contains(n))
                            .ok_or_else(|| {
                                invalid(format!(
                                    "Processor parameter {name} must be between {min} and {max}: {v}"
                                ))
                            }),
                    }
                };
                out.lambda = Some(LambdaProcessor {
                    arn: arn.to_owned(),
                    retries: number("NumberOfRetries", 3.0, 0.0, 300.0)? as u32,
                    buffer_bytes: (number("BufferSizeInMBs", 1.0, 0.2, 3.0)? * MIB as f64) as u64,
                    buffer_interval_ms: number("BufferIntervalInSeconds", 60.0, 60.0, 900.0)? as i64 * 1000,
                });
            }
            "MetadataExtraction" => {
                if !dynamic {
                    return Err(invalid(
                        "MetadataExtraction processor can only be used when Dynamic Partitioning is enabled.",
                    ));
                }
                if let Some(engine) = parameter(proc, "JsonParsingEngine")
                    && engine != "JQ-1.6"
                {
                    return Err(invalid(format!(
                        "Unsupported JsonParsingEngine {engine}: only JQ-1.6 is supported."
                    )));
                }
                let text = parameter(proc, "MetadataExtractionQuery").ok_or_else(|| {
                    invalid("MetadataExtractionQuery must be specified for a MetadataExtraction processor.")
                })?;
                let q = lakestack_jq::Query::parse(text)
                    .map_err(|e| invalid(format!("Invalid MetadataExtractionQuery: {e}")))?;
                let keys = q.object_keys().unwrap_or_default();
                out.query = Some((Arc::new(q), keys));
            }
            "AppendDelimiterToRecord" => {
                let d = parameter(proc, "Delimiter").unwrap_or("\\n");
                out.delimiter = Some(unescape(d).into_bytes());
            }
            // Accepted and stored; the records pass through them unchanged
            // (docs/firehose.md).
            "RecordDeAggregation" | "Decompression" | "CloudWatchLogProcessing" | "DataMessageExtraction" => {}
            other => {
                return Err(violation(Violation::one_of(
                    "processingConfiguration.processors.member.type",
                    other,
                    &[
                        "RecordDeAggregation",
                        "Decompression",
                        "CloudWatchLogProcessing",
                        "Lambda",
                        "MetadataExtraction",
                        "AppendDelimiterToRecord",
                    ],
                )));
            }
        }
    }
    Ok(out)
}

/// A delimiter as the console writes it: `\n`, `\t` and `\\` escapes.
fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

fn backup(b: &mut S3Destination) -> Result<Output> {
    let shape = ApiShape::S3DestinationConfiguration;
    let bucket = bucket_of(b.bucket_arn.as_deref(), "s3BackupConfiguration.bucketARN")?;
    let (size_bytes, interval_ms) = buffering(&mut b.buffering_hints, "s3BackupConfiguration", 1)?;
    let compression = compression(&mut b.compression_format, shape)?;
    let prefixes = keys::validate(&PrefixSettings {
        prefix: b.prefix.as_deref(),
        error_output_prefix: b.error_output_prefix.as_deref(),
        dynamic_partitioning: false,
        metadata_query_keys: None,
        shape,
    })
    .map_err(key_error)?;
    let log = logging(&mut b.cloudwatch_logging_options, "s3BackupConfiguration")?;
    Ok(Output {
        bucket,
        prefixes,
        size_bytes,
        interval_ms,
        extension: keys::file_extension(None, compression, None).to_owned(),
        compression,
        zone: None,
        log,
    })
}

/// `CloudWatchLoggingOptions` checked against the model's constraints, and
/// AWS's default (`Enabled: false`) filled in. Logging that is on but names
/// no group or stream logs nothing, as AWS accepts it.
fn logging(o: &mut Option<CloudWatchLoggingOptions>, path: &str) -> Result<Option<LogTarget>> {
    let o = o.get_or_insert_with(|| CloudWatchLoggingOptions {
        enabled: Some(false),
        ..Default::default()
    });
    // Both names: at most 512 characters, of a set the model's pattern gives.
    let check = |m: &str, v: &Option<String>, ok: fn(char) -> bool, pattern: &str| -> Result<()> {
        let Some(v) = v else { return Ok(()) };
        let member = format!("{path}.cloudWatchLoggingOptions.{m}");
        if v.len() > 512 {
            return Err(violation(Violation::max_len(&member, Shown::Value(v.clone()), 512)));
        }
        if !v.chars().all(ok) {
            return Err(violation(Violation::pattern(&member, Shown::Value(v.clone()), pattern)));
        }
        Ok(())
    };
    check(
        "logGroupName",
        &o.log_group_name,
        |c| c.is_ascii_alphanumeric() || ".-_/#".contains(c),
        "[\\.\\-_/#A-Za-z0-9]*",
    )?;
    check("logStreamName", &o.log_stream_name, |c| c != ':' && c != '*', "[^:*]*")?;
    Ok(match (o.enabled, &o.log_group_name, &o.log_stream_name) {
        (Some(true), Some(g), Some(s)) if !g.is_empty() && !s.is_empty() => Some(LogTarget {
            group: g.clone(),
            stream: s.clone(),
        }),
        _ => None,
    })
}

/// Compiles (and completes with AWS's defaults) an extended S3 destination.
pub fn compile(d: &mut ExtendedS3Destination, region: &str) -> Result<Plan> {
    let shape = ApiShape::ExtendedS3DestinationConfiguration;
    if d.s3.role_arn.is_none() {
        return Err(violation(Violation::null("extendedS3DestinationConfiguration.roleARN")));
    }
    let bucket = bucket_of(
        d.s3.bucket_arn.as_deref(),
        "extendedS3DestinationConfiguration.bucketARN",
    )?;
    let dynamic = d
        .dynamic_partitioning_configuration
        .as_ref()
        .and_then(|c| c.enabled)
        .unwrap_or(false);
    let conversion_on = d
        .data_format_conversion_configuration
        .as_ref()
        .is_some_and(|c| c.get("Enabled").and_then(serde_json::Value::as_bool).unwrap_or(true));
    let min_mb = if dynamic || conversion_on { 64 } else { 1 };
    let (size_bytes, interval_ms) = buffering(&mut d.s3.buffering_hints, "extendedS3DestinationConfiguration", min_mb)?;
    let compression = compression(&mut d.s3.compression_format, shape)?;
    keys::check_compression_for_conversion(compression, conversion_on).map_err(key_error)?;
    let procs = processors(d.processing_configuration.as_ref(), dynamic)?;
    let query_keys = procs.query.as_ref().map(|(_, k)| k.clone());
    let prefixes = keys::validate(&PrefixSettings {
        prefix: d.s3.prefix.as_deref(),
        error_output_prefix: d.s3.error_output_prefix.as_deref(),
        dynamic_partitioning: dynamic,
        metadata_query_keys: query_keys.as_deref(),
        shape,
    })
    .map_err(key_error)?;
    if let Some(ext) = &d.file_extension {
        keys::check_file_extension(ext).map_err(key_error)?;
    }
    let zone = match &d.custom_time_zone {
        Some(z) => keys::parse_time_zone(z).map_err(key_error)?,
        None => None,
    };
    let conversion = match &d.data_format_conversion_configuration {
        Some(conf) if conversion_on => {
            let options = convert::Options::from_json(conf).map_err(|e| match e {
                convert::ConfigError::Constraint { .. } => {
                    FirehoseError::Validation(format!("1 validation error detected: {e}"))
                }
                other => invalid(other.to_string()),
            })?;
            let schema = conf.get("SchemaConfiguration").cloned().unwrap_or_default();
            let text = |k: &str| schema.get(k).and_then(serde_json::Value::as_str).map(str::to_owned);
            let table = convert::DataCatalogTable {
                catalog_id: text("CatalogId"),
                database_name: Some(text("DatabaseName").ok_or_else(|| {
                    invalid("SchemaConfiguration.DatabaseName is required when data format conversion is enabled.")
                })?),
                table_name: Some(text("TableName").ok_or_else(|| {
                    invalid("SchemaConfiguration.TableName is required when data format conversion is enabled.")
                })?),
                region: Some(text("Region").unwrap_or_else(|| region.to_owned())),
                version_id: text("VersionId"),
                catalog_arn: None,
            };
            Some(Conversion { options, table })
        }
        _ => None,
    };
    let format = conversion.as_ref().map(|c| match c.options.serializer() {
        convert::Serializer::Parquet(_) => OutputFormat::Parquet,
        convert::Serializer::Orc(_) => OutputFormat::Orc,
    });
    let extension = keys::file_extension(d.file_extension.as_deref(), compression, format).to_owned();
    let backup = match d.s3_backup_mode.get_or_insert_with(|| "Disabled".into()).as_str() {
        "Disabled" => None,
        "Enabled" => {
            let b = d
                .s3_backup_configuration
                .as_mut()
                .ok_or_else(|| invalid("S3BackupConfiguration must be specified when S3BackupMode is Enabled."))?;
            Some(backup(b)?)
        }
        other => {
            return Err(violation(Violation::one_of(
                "extendedS3DestinationConfiguration.s3BackupMode",
                other,
                &["Disabled", "Enabled"],
            )));
        }
    };
    let log = logging(
        &mut d.s3.cloudwatch_logging_options,
        "extendedS3DestinationConfiguration",
    )?;
    if d.s3.encryption_configuration.is_none() {
        d.s3.encryption_configuration = Some(serde_json::json!({"NoEncryptionConfig": "NoEncryption"}));
    }
    Ok(Plan {
        output: Output {
            bucket,
            prefixes,
            size_bytes,
            interval_ms,
            compression,
            extension,
            zone,
            log,
        },
        lambda: procs.lambda,
        query: procs.query.map(|(q, _)| q),
        delimiter: procs.delimiter,
        dynamic,
        conversion,
        backup,
    })
}
