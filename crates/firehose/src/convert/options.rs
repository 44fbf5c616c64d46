//! The deserializer and serializer of a `DataFormatConversionConfiguration`,
//! typed, with the API's defaults filled in and its constraints checked
//! (API reference: OpenXJsonSerDe, HiveJsonSerDe, ParquetSerDe, OrcSerDe).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::error::{ConfigError, Constraint};

const MIB: u32 = 1024 * 1024;

/// How records are read and how the object is written.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    deserializer: Deserializer,
    serializer: Serializer,
}

impl Default for Options {
    /// The console's defaults: OpenX in, Parquet (Snappy) out.
    fn default() -> Self {
        Options {
            deserializer: Deserializer::OpenX(OpenXJsonSerDe::default()),
            serializer: Serializer::Parquet(ParquetSerDe::default()),
        }
    }
}

impl Options {
    pub fn new(deserializer: Deserializer, serializer: Serializer) -> Self {
        Options {
            deserializer,
            serializer,
        }
    }

    pub fn deserializer(&self) -> &Deserializer {
        &self.deserializer
    }

    pub fn serializer(&self) -> &Serializer {
        &self.serializer
    }

    /// Reads `InputFormatConfiguration` and `OutputFormatConfiguration` of a
    /// `DataFormatConversionConfiguration` object, as the API takes it (its
    /// `SchemaConfiguration` and `Enabled` are the caller's). Errors name
    /// members by their path below the configuration, in the lowerCamelCase
    /// AWS's validation messages use.
    pub fn from_json(conf: &Value) -> Result<Options, ConfigError> {
        let conf = Obj::root(conf, "dataFormatConversionConfiguration")?;
        let input = conf.required_object("InputFormatConfiguration")?;
        let output = conf.required_object("OutputFormatConfiguration")?;
        let deserializer = input.required_object("Deserializer")?;
        let serializer = output.required_object("Serializer")?;
        let openx = deserializer.object("OpenXJsonSerDe")?;
        let hive = deserializer.object("HiveJsonSerDe")?;
        let deserializer = match (openx, hive) {
            (Some(o), None) => Deserializer::OpenX(OpenXJsonSerDe::parse(&o)?),
            (None, Some(h)) => Deserializer::Hive(HiveJsonSerDe::parse(&h)?),
            _ => {
                return Err(ConfigError::Conflict {
                    member: deserializer.path,
                    first: "OpenXJsonSerDe",
                    second: "HiveJsonSerDe",
                });
            }
        };
        let parquet = serializer.object("ParquetSerDe")?;
        let orc = serializer.object("OrcSerDe")?;
        let serializer = match (parquet, orc) {
            (Some(p), None) => Serializer::Parquet(ParquetSerDe::parse(&p)?),
            (None, Some(o)) => Serializer::Orc(OrcSerDe::parse(&o)?),
            _ => {
                return Err(ConfigError::Conflict {
                    member: serializer.path,
                    first: "ParquetSerDe",
                    second: "OrcSerDe",
                });
            }
        };
        Ok(Options {
            deserializer,
            serializer,
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Deserializer {
    OpenX(OpenXJsonSerDe),
    Hive(HiveJsonSerDe),
}

/// `OpenXJsonSerDe`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenXJsonSerDe {
    /// Lowercase JSON keys before matching them to columns (default true).
    pub case_insensitive: bool,
    /// Column name to the JSON key holding its value.
    pub column_to_json_key_mappings: BTreeMap<String, String>,
    /// `a.b` matches a column `a_b` (default false).
    pub convert_dots_in_json_keys_to_underscores: bool,
}

impl Default for OpenXJsonSerDe {
    fn default() -> Self {
        OpenXJsonSerDe {
            case_insensitive: true,
            column_to_json_key_mappings: BTreeMap::new(),
            convert_dots_in_json_keys_to_underscores: false,
        }
    }
}

impl OpenXJsonSerDe {
    fn parse(o: &Obj<'_>) -> Result<Self, ConfigError> {
        let mut mappings = BTreeMap::new();
        if let Some(m) = o.object("ColumnToJsonKeyMappings")? {
            for (column, key) in m.map {
                let key = key.as_str().ok_or_else(|| ConfigError::WrongType {
                    member: m.path.clone(),
                    expected: "a map of strings",
                })?;
                check_length(&m.path, column, 1, 1024)?;
                if column.chars().any(char::is_whitespace) {
                    return Err(constraint(&m.path, column, Constraint::Pattern(r"^\S+$")));
                }
                check_length(&m.path, key, 1, 1024)?;
                check_not_blank(&m.path, key)?;
                mappings.insert(column.clone(), key.to_owned());
            }
        }
        Ok(OpenXJsonSerDe {
            case_insensitive: o.bool("CaseInsensitive")?.unwrap_or(true),
            column_to_json_key_mappings: mappings,
            convert_dots_in_json_keys_to_underscores: o.bool("ConvertDotsInJsonKeysToUnderscores")?.unwrap_or(false),
        })
    }
}

/// `HiveJsonSerDe`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HiveJsonSerDe {
    /// Joda-Time patterns, or `millis` for epoch milliseconds, tried in
    /// order before `java.sql.Timestamp::valueOf`'s format.
    pub timestamp_formats: Vec<String>,
}

impl HiveJsonSerDe {
    fn parse(o: &Obj<'_>) -> Result<Self, ConfigError> {
        let mut formats = Vec::new();
        if let Some(list) = o.array("TimestampFormats")? {
            for item in list {
                let s = item.as_str().ok_or_else(|| ConfigError::WrongType {
                    member: o.member("TimestampFormats"),
                    expected: "a list of strings",
                })?;
                check_length(&o.member("TimestampFormats"), s, 1, 1024)?;
                check_not_blank(&o.member("TimestampFormats"), s)?;
                formats.push(s.to_owned());
            }
        }
        Ok(HiveJsonSerDe {
            timestamp_formats: formats,
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Serializer {
    Parquet(ParquetSerDe),
    Orc(OrcSerDe),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParquetCompression {
    Uncompressed,
    Gzip,
    Snappy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParquetWriterVersion {
    V1,
    V2,
}

/// `ParquetSerDe`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParquetSerDe {
    /// HDFS block size (default 256 MiB, at least 64 MiB): the row group size.
    pub block_size_bytes: u32,
    /// Page size (default 1 MiB, at least 64 KiB).
    pub page_size_bytes: u32,
    /// Default SNAPPY.
    pub compression: ParquetCompression,
    /// The API documents no default; parquet-mr's, dictionaries on, is taken.
    pub enable_dictionary_compression: bool,
    /// Padding to HDFS block boundaries (default 0): meaningless on S3, kept
    /// and not applied.
    pub max_padding_bytes: u32,
    /// Default V1.
    pub writer_version: ParquetWriterVersion,
}

impl Default for ParquetSerDe {
    fn default() -> Self {
        ParquetSerDe {
            block_size_bytes: 256 * MIB,
            page_size_bytes: MIB,
            compression: ParquetCompression::Snappy,
            enable_dictionary_compression: true,
            max_padding_bytes: 0,
            writer_version: ParquetWriterVersion::V1,
        }
    }
}

impl ParquetSerDe {
    fn parse(o: &Obj<'_>) -> Result<Self, ConfigError> {
        let d = ParquetSerDe::default();
        Ok(ParquetSerDe {
            block_size_bytes: o.int("BlockSizeBytes", 64 * MIB)?.unwrap_or(d.block_size_bytes),
            page_size_bytes: o.int("PageSizeBytes", 64 * 1024)?.unwrap_or(d.page_size_bytes),
            compression: match o.one_of("Compression", &["UNCOMPRESSED", "GZIP", "SNAPPY"])? {
                Some("UNCOMPRESSED") => ParquetCompression::Uncompressed,
                Some("GZIP") => ParquetCompression::Gzip,
                _ => ParquetCompression::Snappy,
            },
            enable_dictionary_compression: o
                .bool("EnableDictionaryCompression")?
                .unwrap_or(d.enable_dictionary_compression),
            max_padding_bytes: o.int("MaxPaddingBytes", 0)?.unwrap_or(d.max_padding_bytes),
            writer_version: match o.one_of("WriterVersion", &["V1", "V2"])? {
                Some("V2") => ParquetWriterVersion::V2,
                _ => ParquetWriterVersion::V1,
            },
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrcCompression {
    None,
    Zlib,
    Snappy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrcFormatVersion {
    V0_11,
    V0_12,
}

/// `OrcSerDe`. lakestack's ORC writer applies the compression and the stripe
/// size; the index, padding, bloom filter and dictionary settings are
/// validated and kept but not applied (readers do not need them).
#[derive(Debug, Clone, PartialEq)]
pub struct OrcSerDe {
    /// Default 64 MiB, at least 8 MiB.
    pub stripe_size_bytes: u32,
    /// Default 256 MiB, at least 64 MiB.
    pub block_size_bytes: u32,
    /// Default 10,000, at least 1,000.
    pub row_index_stride: u32,
    /// Default false.
    pub enable_padding: bool,
    /// 0 to 1, default 0.05.
    pub padding_tolerance: f64,
    /// Default SNAPPY.
    pub compression: OrcCompression,
    /// Default none.
    pub bloom_filter_columns: Vec<String>,
    /// 0 to 1, default 0.05.
    pub bloom_filter_false_positive_probability: f64,
    /// 0 to 1; the API documents no default, ORC's own (0.8) is taken.
    pub dictionary_key_threshold: f64,
    /// Default V0_12.
    pub format_version: OrcFormatVersion,
}

impl Default for OrcSerDe {
    fn default() -> Self {
        OrcSerDe {
            stripe_size_bytes: 64 * MIB,
            block_size_bytes: 256 * MIB,
            row_index_stride: 10_000,
            enable_padding: false,
            padding_tolerance: 0.05,
            compression: OrcCompression::Snappy,
            bloom_filter_columns: Vec::new(),
            bloom_filter_false_positive_probability: 0.05,
            dictionary_key_threshold: 0.8,
            format_version: OrcFormatVersion::V0_12,
        }
    }
}

impl OrcSerDe {
    fn parse(o: &Obj<'_>) -> Result<Self, ConfigError> {
        let d = OrcSerDe::default();
        let mut bloom = Vec::new();
        if let Some(list) = o.array("BloomFilterColumns")? {
            let member = o.member("BloomFilterColumns");
            for item in list {
                let s = item.as_str().ok_or_else(|| ConfigError::WrongType {
                    member: member.clone(),
                    expected: "a list of strings",
                })?;
                check_length(&member, s, 1, 1024)?;
                if s.chars().any(char::is_whitespace) {
                    return Err(constraint(&member, s, Constraint::Pattern(r"^\S+$")));
                }
                bloom.push(s.to_owned());
            }
        }
        Ok(OrcSerDe {
            stripe_size_bytes: o.int("StripeSizeBytes", 8 * MIB)?.unwrap_or(d.stripe_size_bytes),
            block_size_bytes: o.int("BlockSizeBytes", 64 * MIB)?.unwrap_or(d.block_size_bytes),
            row_index_stride: o.int("RowIndexStride", 1000)?.unwrap_or(d.row_index_stride),
            enable_padding: o.bool("EnablePadding")?.unwrap_or(d.enable_padding),
            padding_tolerance: o.proportion("PaddingTolerance")?.unwrap_or(d.padding_tolerance),
            compression: match o.one_of("Compression", &["NONE", "ZLIB", "SNAPPY"])? {
                Some("NONE") => OrcCompression::None,
                Some("ZLIB") => OrcCompression::Zlib,
                _ => OrcCompression::Snappy,
            },
            bloom_filter_columns: bloom,
            bloom_filter_false_positive_probability: o
                .proportion("BloomFilterFalsePositiveProbability")?
                .unwrap_or(d.bloom_filter_false_positive_probability),
            dictionary_key_threshold: o
                .proportion("DictionaryKeyThreshold")?
                .unwrap_or(d.dictionary_key_threshold),
            format_version: match o.one_of("FormatVersion", &["V0_11", "V0_12"])? {
                Some("V0_11") => OrcFormatVersion::V0_11,
                _ => OrcFormatVersion::V0_12,
            },
        })
    }
}

fn constraint(member: &str, value: &str, constraint: Constraint) -> ConfigError {
    ConfigError::Constraint {
        member: member.to_owned(),
        value: value.to_owned(),
        constraint,
    }
}

fn check_length(member: &str, s: &str, min: usize, max: usize) -> Result<(), ConfigError> {
    // Smithy lengths count characters (code points).
    let n = s.chars().count();
    if n < min {
        return Err(constraint(member, s, Constraint::MinLength(min)));
    }
    if n > max {
        return Err(constraint(member, s, Constraint::MaxLength(max)));
    }
    Ok(())
}

/// `^(?!\s*$).+`: not only whitespace, and (`.` stops at line ends) one line.
fn check_not_blank(member: &str, s: &str) -> Result<(), ConfigError> {
    if s.trim().is_empty() || s.contains(['\n', '\r']) {
        return Err(constraint(member, s, Constraint::Pattern(r"^(?!\s*$).+")));
    }
    Ok(())
}

/// A JSON object of the request and its member path, for error messages.
struct Obj<'a> {
    map: &'a Map<String, Value>,
    path: String,
}

/// `InputFormatConfiguration` → `inputFormatConfiguration`, as AWS's
/// validation messages name members.
fn lower_camel(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_ascii_lowercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

impl<'a> Obj<'a> {
    fn root(value: &'a Value, path: &str) -> Result<Self, ConfigError> {
        match value {
            Value::Object(map) => Ok(Obj {
                map,
                path: path.to_owned(),
            }),
            _ => Err(ConfigError::WrongType {
                member: path.to_owned(),
                expected: "an object",
            }),
        }
    }

    fn member(&self, name: &str) -> String {
        format!("{}.{}", self.path, lower_camel(name))
    }

    /// A member, with JSON null taken as absent (as the SDKs send it).
    fn get(&self, name: &str) -> Option<&'a Value> {
        self.map.get(name).filter(|v| !v.is_null())
    }

    fn object(&self, name: &str) -> Result<Option<Obj<'a>>, ConfigError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Object(map)) => Ok(Some(Obj {
                map,
                path: self.member(name),
            })),
            Some(_) => Err(ConfigError::WrongType {
                member: self.member(name),
                expected: "an object",
            }),
        }
    }

    fn required_object(&self, name: &str) -> Result<Obj<'a>, ConfigError> {
        self.object(name)?.ok_or_else(|| ConfigError::Missing {
            member: self.member(name),
        })
    }

    fn array(&self, name: &str) -> Result<Option<&'a Vec<Value>>, ConfigError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Array(items)) => Ok(Some(items)),
            Some(_) => Err(ConfigError::WrongType {
                member: self.member(name),
                expected: "a list",
            }),
        }
    }

    fn bool(&self, name: &str) -> Result<Option<bool>, ConfigError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(ConfigError::WrongType {
                member: self.member(name),
                expected: "a boolean",
            }),
        }
    }

    /// An `Integer` member (32 bits in the model) of at least `min`.
    fn int(&self, name: &str, min: u32) -> Result<Option<u32>, ConfigError> {
        let Some(v) = self.get(name) else { return Ok(None) };
        let n = v
            .as_i64()
            .and_then(|n| i32::try_from(n).ok())
            .ok_or_else(|| ConfigError::WrongType {
                member: self.member(name),
                expected: "a 32-bit integer",
            })?;
        match u32::try_from(n) {
            Ok(n) if n >= min => Ok(Some(n)),
            _ => Err(constraint(
                &self.member(name),
                &n.to_string(),
                Constraint::AtLeast(i64::from(min)),
            )),
        }
    }

    /// A `Proportion` member: a double from 0 to 1.
    fn proportion(&self, name: &str) -> Result<Option<f64>, ConfigError> {
        let Some(v) = self.get(name) else { return Ok(None) };
        let x = v.as_f64().ok_or_else(|| ConfigError::WrongType {
            member: self.member(name),
            expected: "a number",
        })?;
        if x < 0.0 || x.is_nan() {
            return Err(constraint(
                &self.member(name),
                &v.to_string(),
                Constraint::AtLeastF(0.0),
            ));
        }
        if x > 1.0 {
            return Err(constraint(&self.member(name), &v.to_string(), Constraint::AtMostF(1.0)));
        }
        Ok(Some(x))
    }

    fn one_of(&self, name: &str, values: &'static [&'static str]) -> Result<Option<&'static str>, ConfigError> {
        let Some(v) = self.get(name) else { return Ok(None) };
        let s = v.as_str().ok_or_else(|| ConfigError::WrongType {
            member: self.member(name),
            expected: "a string",
        })?;
        match values.iter().find(|x| **x == s) {
            Some(x) => Ok(Some(x)),
            None => Err(constraint(&self.member(name), s, Constraint::OneOf(values))),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn conf(input: Value, output: Value) -> Value {
        json!({"InputFormatConfiguration": {"Deserializer": input}, "OutputFormatConfiguration": {"Serializer": output}})
    }

    #[test]
    fn defaults_fill_what_is_omitted() {
        let o = Options::from_json(&conf(json!({"OpenXJsonSerDe": {}}), json!({"ParquetSerDe": {}}))).unwrap();
        assert_eq!(o, Options::default());
        let o = Options::from_json(&conf(json!({"HiveJsonSerDe": {}}), json!({"OrcSerDe": {}}))).unwrap();
        assert_eq!(o.deserializer(), &Deserializer::Hive(HiveJsonSerDe::default()));
        assert_eq!(o.serializer(), &Serializer::Orc(OrcSerDe::default()));
    }

    #[test]
    fn values_are_read() {
        let o = Options::from_json(&conf(
            json!({"OpenXJsonSerDe": {"CaseInsensitive": false, "ColumnToJsonKeyMappings": {"ts": "timestamp"},
                   "ConvertDotsInJsonKeysToUnderscores": true}}),
            json!({"ParquetSerDe": {"BlockSizeBytes": 67108864, "PageSizeBytes": 65536, "Compression": "GZIP",
                   "EnableDictionaryCompression": false, "MaxPaddingBytes": 7, "WriterVersion": "V2"}}),
        ))
        .unwrap();
        let Deserializer::OpenX(x) = o.deserializer() else {
            panic!()
        };
        assert!(!x.case_insensitive && x.convert_dots_in_json_keys_to_underscores);
        assert_eq!(
            x.column_to_json_key_mappings.get("ts").map(String::as_str),
            Some("timestamp")
        );
        assert_eq!(
            o.serializer(),
            &Serializer::Parquet(ParquetSerDe {
                block_size_bytes: 64 * MIB,
                page_size_bytes: 65536,
                compression: ParquetCompression::Gzip,
                enable_dictionary_compression: false,
                max_padding_bytes: 7,
                writer_version: ParquetWriterVersion::V2,
            })
        );
    }

    #[test]
    fn constraints_are_aws_worded() {
        let err = |input: Value, output: Value| Options::from_json(&conf(input, output)).unwrap_err().to_string();
        assert_eq!(
            err(
                json!({"OpenXJsonSerDe": {}}),
                json!({"ParquetSerDe": {"BlockSizeBytes": 1024}})
            ),
            "Value '1024' at 'dataFormatConversionConfiguration.outputFormatConfiguration.serializer.\
             parquetSerDe.blockSizeBytes' failed to satisfy constraint: Member must have value greater than or \
             equal to 67108864"
        );
        assert_eq!(
            err(
                json!({"OpenXJsonSerDe": {}}),
                json!({"ParquetSerDe": {"Compression": "ZSTD"}})
            ),
            "Value 'ZSTD' at 'dataFormatConversionConfiguration.outputFormatConfiguration.serializer.\
             parquetSerDe.compression' failed to satisfy constraint: Member must satisfy enum value set: \
             [UNCOMPRESSED, GZIP, SNAPPY]"
        );
        assert!(
            err(json!({"OpenXJsonSerDe": {}}), json!({"OrcSerDe": {"PaddingTolerance": 1.5}}))
                .ends_with("orcSerDe.paddingTolerance' failed to satisfy constraint: Member must have value less than or equal to 1")
        );
        assert!(
            err(
                json!({"OpenXJsonSerDe": {}}),
                json!({"OrcSerDe": {"RowIndexStride": 999}})
            )
            .ends_with("Member must have value greater than or equal to 1000")
        );
        assert!(
            err(
                json!({"OpenXJsonSerDe": {}}),
                json!({"OrcSerDe": {"StripeSizeBytes": 8388607}})
            )
            .ends_with("Member must have value greater than or equal to 8388608")
        );
        assert!(
            err(
                json!({"OpenXJsonSerDe": {"ColumnToJsonKeyMappings": {"a b": "x"}}}),
                json!({"OrcSerDe": {}})
            )
            .ends_with(r"Member must satisfy regular expression pattern: ^\S+$")
        );
        assert!(
            err(
                json!({"HiveJsonSerDe": {"TimestampFormats": ["  "]}}),
                json!({"OrcSerDe": {}})
            )
            .ends_with(r"Member must satisfy regular expression pattern: ^(?!\s*$).+")
        );
        assert!(
            err(
                json!({"OpenXJsonSerDe": {}}),
                json!({"ParquetSerDe": {"PageSizeBytes": 4294967296u64}})
            )
            .starts_with("Expected a 32-bit integer")
        );
    }

    #[test]
    fn one_deserializer_and_one_serializer() {
        let e = Options::from_json(&conf(json!({}), json!({"ParquetSerDe": {}}))).unwrap_err();
        assert!(matches!(
            e,
            ConfigError::Conflict {
                first: "OpenXJsonSerDe",
                ..
            }
        ));
        let e = Options::from_json(&conf(
            json!({"OpenXJsonSerDe": {}}),
            json!({"ParquetSerDe": {}, "OrcSerDe": {}}),
        ))
        .unwrap_err();
        assert!(matches!(
            e,
            ConfigError::Conflict {
                first: "ParquetSerDe",
                ..
            }
        ));
        let e = Options::from_json(&json!({"InputFormatConfiguration": {}})).unwrap_err();
        assert_eq!(
            e,
            ConfigError::Missing {
                member: "dataFormatConversionConfiguration.outputFormatConfiguration".into()
            }
        );
    }
}
