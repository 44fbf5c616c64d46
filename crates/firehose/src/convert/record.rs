//! A record's JSON to typed values of the table's columns, under the
//! deserializer's rules: how JSON keys find columns, and which JSON values a
//! column of each type takes.

use std::collections::{BTreeMap, HashMap};

use arrow_schema::{DataType, Fields, SchemaRef, TimeUnit};
use base64::Engine as _;
use serde_json::{Map, Number, Value};

use super::error::{JsonKind, Mismatch, RecordError};
use super::number::{DecimalText, NumberText, Round, parse_double, parse_integer};
use super::options::Deserializer;
use super::time::{HiveFormat, date_days, epoch_millis, hive_timestamp, openx_timestamp};

/// Values one record may expand to (a row's cells, nested ones included):
/// a bound on the memory one record takes, whatever its shape and the
/// table's. A record within Firehose's 1,000 KiB limit stays far below it
/// unless a tiny JSON value expands to a wide struct many times over.
pub const MAX_RECORD_CELLS: usize = 1 << 21;

/// The longest record parsed: its JSON tree is built whole, and takes
/// several times its length (a Lambda's response is at most 6 MB).
pub const MAX_RECORD_BYTES: usize = 16 * 1024 * 1024;

/// One typed value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    Null,
    Bool(bool),
    /// Any integer column (range-checked for its width).
    Int(i64),
    /// `float` and `double`.
    Float(f64),
    /// Scaled to the column's scale.
    Decimal(i128),
    Text(String),
    Bytes(Vec<u8>),
    /// Days since the epoch.
    Date(i32),
    /// Milliseconds since the epoch.
    Timestamp(i64),
    List(Vec<Cell>),
    Map(Vec<(Cell, Cell)>),
    Struct(Vec<Cell>),
}

/// What a column takes, prepared from its Arrow type once.
#[derive(Debug)]
enum Plan {
    Text,
    Int { min: i64, max: i64, glue: &'static str },
    Float,
    Decimal { precision: u8, scale: i8 },
    Bool,
    Date,
    Timestamp,
    Binary,
    List(Box<Plan>),
    Map(Box<Plan>, Box<Plan>),
    Struct(Vec<FieldPlan>),
}

#[derive(Debug)]
struct FieldPlan {
    name: String,
    /// The JSON key that holds the field, after the key rules.
    key: String,
    plan: Plan,
}

/// How the deserializer reads records.
#[derive(Debug)]
pub(crate) struct Reader {
    columns: Vec<FieldPlan>,
    rules: Rules,
}

#[derive(Debug)]
struct Rules {
    /// OpenX; Hive is stricter about numbers, booleans and strings.
    openx: bool,
    lowercase: bool,
    dots: bool,
    timestamps: Vec<HiveFormat>,
    /// Written as ORC, whose timestamps cannot hold the second before the
    /// epoch (ORC-763): such a value fails its record, not the object.
    orc: bool,
}

/// Rows of one record, and what they cost.
pub(crate) struct Rows {
    pub(crate) rows: Vec<Vec<Cell>>,
    pub(crate) cells: usize,
    pub(crate) bytes: usize,
}

struct Budget {
    cells: usize,
    bytes: usize,
}

impl Budget {
    fn take(&mut self, cells: usize, bytes: usize) -> Result<(), Fail> {
        self.cells += cells;
        self.bytes += bytes;
        if self.cells > MAX_RECORD_CELLS {
            return Err(Fail::TooLarge);
        }
        Ok(())
    }
}

/// A failure inside a row, with the path to it gathered on the way out.
enum Fail {
    Mismatch { path: Vec<String>, problem: Mismatch },
    Duplicate(String),
    TooLarge,
}

impl Fail {
    fn within(mut self, name: &str) -> Fail {
        if let Fail::Mismatch { path, .. } = &mut self {
            path.push(name.to_owned());
        }
        self
    }

    fn into_record_error(self) -> RecordError {
        match self {
            Fail::Mismatch { mut path, problem } => {
                path.reverse();
                RecordError::Mismatch {
                    column: path.join("."),
                    problem,
                }
            }
            Fail::Duplicate(key) => RecordError::DuplicateKey { key },
            Fail::TooLarge => RecordError::TooLarge {
                limit: MAX_RECORD_CELLS,
            },
        }
    }
}

fn mismatch(problem: Mismatch) -> Fail {
    Fail::Mismatch {
        path: Vec::new(),
        problem,
    }
}

fn wrong(expected: &'static str, value: &Value) -> Fail {
    match JsonKind::of(value) {
        Some(found) => mismatch(Mismatch::WrongKind { expected, found }),
        // Nulls never get here: every column takes them.
        None => mismatch(Mismatch::WrongKind {
            expected,
            found: JsonKind::Object,
        }),
    }
}

impl Reader {
    pub(crate) fn new(schema: &SchemaRef, deserializer: &Deserializer, orc: bool) -> Reader {
        let rules = match deserializer {
            Deserializer::OpenX(o) => Rules {
                openx: true,
                lowercase: o.case_insensitive,
                dots: o.convert_dots_in_json_keys_to_underscores,
                timestamps: Vec::new(),
                orc,
            },
            // The Hive SerDe matches keys to Hive's lowercase names.
            Deserializer::Hive(h) => Rules {
                openx: false,
                lowercase: true,
                dots: false,
                timestamps: h.timestamp_formats.iter().map(|f| HiveFormat::new(f)).collect(),
                orc,
            },
        };
        let mappings = match deserializer {
            Deserializer::OpenX(o) => o.column_to_json_key_mappings.clone(),
            Deserializer::Hive(_) => BTreeMap::new(),
        };
        let columns = plan_fields(schema.fields(), &rules, &mappings);
        Reader { columns, rules }
    }

    /// The rows of one record: one per JSON document in it (a record may hold
    /// several, `{"a":1}{"a":2}`), all or none.
    pub(crate) fn read(&self, record: &[u8]) -> Result<Rows, RecordError> {
        if record.len() > MAX_RECORD_BYTES {
            return Err(RecordError::TooLong {
                limit: MAX_RECORD_BYTES,
            });
        }
        if record.iter().all(u8::is_ascii_whitespace) {
            return Err(RecordError::Empty);
        }
        let mut budget = Budget { cells: 0, bytes: 0 };
        let mut rows = Vec::new();
        for doc in serde_json::Deserializer::from_slice(record).into_iter::<Value>() {
            let doc = doc.map_err(|e| RecordError::MalformedJson { detail: e.to_string() })?;
            let object = match doc {
                Value::Object(o) => o,
                Value::Array(_) => return Err(RecordError::TopLevelArray),
                _ => return Err(RecordError::Primitive),
            };
            let row = self
                .object_fields(&self.columns, &object, &mut budget)
                .map_err(Fail::into_record_error)?;
            rows.push(row);
        }
        Ok(Rows {
            rows,
            cells: budget.cells,
            bytes: budget.bytes,
        })
    }

    /// The object's keys after the key rules (lowercase, dots to
    /// underscores), to their values.
    fn index<'v>(&self, object: &'v Map<String, Value>) -> Result<HashMap<String, &'v Value>, Fail> {
        let mut index = HashMap::with_capacity(object.len());
        for (key, value) in object {
            let k = normalize(key, &self.rules);
            if index.insert(k, value).is_some() && self.rules.openx {
                // OpenX refuses keys its rules make equal ("Duplicate key");
                // Hive's reader keeps the last.
                return Err(Fail::Duplicate(normalize(key, &self.rules)));
            }
        }
        Ok(index)
    }

    fn object_fields(
        &self,
        fields: &[FieldPlan],
        object: &Map<String, Value>,
        budget: &mut Budget,
    ) -> Result<Vec<Cell>, Fail> {
        budget.take(fields.len(), 0)?;
        let index = self.index(object)?;
        fields
            .iter()
            .map(|f| match index.get(&f.key) {
                // A column the record lacks is null; keys no column wants are ignored.
                None => Ok(Cell::Null),
                Some(v) => self
                    .value(&f.plan, v, budget, self.rules.openx)
                    .map_err(|e| e.within(&f.name)),
            })
            .collect()
    }

    /// `lenient`: numbers given as strings and nested values for strings
    /// are taken (OpenX does; Hive's reader does for map keys only, which
    /// JSON can only write as strings).
    fn value(&self, plan: &Plan, v: &Value, budget: &mut Budget, lenient: bool) -> Result<Cell, Fail> {
        if v.is_null() {
            return Ok(Cell::Null);
        }
        match plan {
            Plan::Text => {
                let text = match v {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    Value::Bool(b) => b.to_string(),
                    // OpenX gives a string column the JSON text of a nested value.
                    _ if lenient => v.to_string(),
                    _ => return Err(wrong("a string", v)),
                };
                budget.take(1, text.len())?;
                Ok(Cell::Text(text))
            }
            Plan::Int { min, max, glue } => {
                budget.take(1, 0)?;
                let n: i128 = match v {
                    Value::Number(n) => number_as_integer(n),
                    Value::String(s) if lenient => parse_integer(s).map_err(|e| number_text(e, s))?,
                    _ => return Err(wrong("an integer", v)),
                };
                match i64::try_from(n) {
                    Ok(n) if (*min..=*max).contains(&n) => Ok(Cell::Int(n)),
                    _ if matches!(v, Value::String(_)) => {
                        // Java's parseInt says the same of too large a number.
                        Err(mismatch(Mismatch::InputString {
                            text: v.as_str().unwrap_or_default().to_owned(),
                        }))
                    }
                    _ => Err(mismatch(Mismatch::OutOfRange {
                        value: v.to_string(),
                        glue_type: (*glue).to_owned(),
                    })),
                }
            }
            Plan::Float => {
                budget.take(1, 0)?;
                match v {
                    Value::Number(n) => Ok(Cell::Float(n.as_f64().unwrap_or(f64::NAN))),
                    Value::String(s) if lenient => parse_double(s).map(Cell::Float).map_err(|e| number_text(e, s)),
                    _ => Err(wrong("a number", v)),
                }
            }
            Plan::Decimal { precision, scale } => {
                budget.take(1, 0)?;
                let text = match v {
                    // Through its shortest decimal form: a JSON number with a
                    // fraction has been read as a double.
                    Value::Number(n) => n.to_string(),
                    Value::String(s) => s.clone(),
                    _ => return Err(wrong("a decimal number", v)),
                };
                let parsed = DecimalText::parse(&text).ok_or_else(|| {
                    mismatch(Mismatch::InputString {
                        text: v.as_str().map_or_else(|| text.clone(), str::to_owned),
                    })
                })?;
                parsed
                    .scaled(i64::from(*scale), Round::HalfUp, usize::from(*precision))
                    .map(Cell::Decimal)
                    .ok_or_else(|| {
                        mismatch(Mismatch::OutOfRange {
                            value: text,
                            glue_type: format!("decimal({precision},{scale})"),
                        })
                    })
            }
            Plan::Bool => {
                budget.take(1, 0)?;
                match v {
                    Value::Bool(b) => Ok(Cell::Bool(*b)),
                    // Java's Boolean.parseBoolean, which both SerDes apply.
                    Value::String(s) => Ok(Cell::Bool(s.eq_ignore_ascii_case("true"))),
                    _ => Err(wrong("a boolean", v)),
                }
            }
            Plan::Date => {
                budget.take(1, 0)?;
                let Value::String(s) = v else {
                    return Err(wrong("a date string", v));
                };
                date_days(s)
                    .map(Cell::Date)
                    .ok_or_else(|| mismatch(Mismatch::Date { text: s.clone() }))
            }
            Plan::Timestamp => {
                budget.take(1, 0)?;
                let text = match v {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    _ => return Err(wrong("a timestamp", v)),
                };
                let ms = if self.rules.openx {
                    match v {
                        Value::Number(_) => epoch_millis(&text),
                        _ => openx_timestamp(&text),
                    }
                } else {
                    hive_timestamp(&text, &self.rules.timestamps)
                };
                match ms {
                    Some(ms) if self.rules.orc && (-999..=-1).contains(&ms) => {
                        Err(mismatch(Mismatch::NotInOrc { text }))
                    }
                    Some(ms) => Ok(Cell::Timestamp(ms)),
                    None => Err(mismatch(Mismatch::Timestamp { text })),
                }
            }
            Plan::Binary => {
                let Value::String(s) = v else {
                    return Err(wrong("a base64 string", v));
                };
                let engine = base64::engine::general_purpose::STANDARD;
                let bytes = engine
                    .decode(s)
                    .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(s))
                    .map_err(|_| mismatch(Mismatch::Base64 { text: s.clone() }))?;
                budget.take(1, bytes.len())?;
                Ok(Cell::Bytes(bytes))
            }
            Plan::List(item) => {
                let Value::Array(items) = v else {
                    return Err(wrong("an array", v));
                };
                budget.take(1, 0)?;
                items
                    .iter()
                    .map(|i| self.value(item, i, budget, self.rules.openx))
                    .collect::<Result<_, _>>()
                    .map(Cell::List)
            }
            Plan::Map(key, value) => {
                let Value::Object(entries) = v else {
                    return Err(wrong("an object", v));
                };
                budget.take(1, 0)?;
                let mut out = Vec::with_capacity(entries.len());
                for (k, val) in entries {
                    // Keys are strings in JSON: a map<int,...> key is read as
                    // a string of that number would be.
                    let key = self.value(key, &Value::String(k.clone()), budget, true)?;
                    let value = self.value(value, val, budget, self.rules.openx)?;
                    out.push((key, value));
                }
                Ok(Cell::Map(out))
            }
            Plan::Struct(fields) => {
                let Value::Object(object) = v else {
                    return Err(wrong("an object", v));
                };
                budget.take(1, 0)?;
                self.object_fields(fields, object, budget).map(Cell::Struct)
            }
        }
    }
}

/// A JSON number for an integer column: a fraction is dropped, as Java's
/// `Number.intValue()` drops it (both SerDes read a JSON `1.5` that way).
fn number_as_integer(n: &Number) -> i128 {
    if let Some(i) = n.as_i64() {
        return i128::from(i);
    }
    if let Some(u) = n.as_u64() {
        return i128::from(u);
    }
    let f = n.as_f64().unwrap_or(f64::NAN).trunc();
    if f.is_finite() && f.abs() < 1e30 {
        // In range of i128 by the check above: the cast is exact.
        f as i128
    } else {
        i128::MAX
    }
}

fn number_text(e: NumberText, s: &str) -> Fail {
    mismatch(match e {
        NumberText::Empty => Mismatch::EmptyString,
        NumberText::Invalid => Mismatch::InputString { text: s.to_owned() },
    })
}

fn normalize(key: &str, rules: &Rules) -> String {
    let key = if rules.dots {
        key.replace('.', "_")
    } else {
        key.to_owned()
    };
    if rules.lowercase { key.to_lowercase() } else { key }
}

fn plan_fields(fields: &Fields, rules: &Rules, mappings: &BTreeMap<String, String>) -> Vec<FieldPlan> {
    fields
        .iter()
        .map(|f| {
            // OpenX's ColumnToJsonKeyMappings name columns and struct fields
            // alike; the mapped key then follows the same key rules.
            let key = mappings.get(f.name()).map_or(f.name().as_str(), String::as_str);
            FieldPlan {
                name: f.name().clone(),
                key: normalize(key, rules),
                plan: plan(f.data_type(), rules, mappings),
            }
        })
        .collect()
}

/// Bounded by the Glue parser's nesting limit; the schema was checked, so
/// types it leaves out do not occur (they read as text).
fn plan(t: &DataType, rules: &Rules, mappings: &BTreeMap<String, String>) -> Plan {
    let int = |min: i64, max: i64, glue| Plan::Int { min, max, glue };
    match t {
        DataType::Int8 => int(i8::MIN.into(), i8::MAX.into(), "tinyint"),
        DataType::Int16 => int(i16::MIN.into(), i16::MAX.into(), "smallint"),
        DataType::Int32 => int(i32::MIN.into(), i32::MAX.into(), "int"),
        DataType::Int64 => int(i64::MIN, i64::MAX, "bigint"),
        DataType::Float32 | DataType::Float64 => Plan::Float,
        DataType::Decimal128(precision, scale) => Plan::Decimal {
            precision: *precision,
            scale: *scale,
        },
        DataType::Boolean => Plan::Bool,
        DataType::Date32 => Plan::Date,
        DataType::Timestamp(TimeUnit::Millisecond, None) => Plan::Timestamp,
        DataType::Binary => Plan::Binary,
        DataType::List(item) => Plan::List(Box::new(plan(item.data_type(), rules, mappings))),
        DataType::Map(entries, _) => match entries.data_type() {
            DataType::Struct(kv) if kv.len() == 2 => Plan::Map(
                Box::new(plan(kv[0].data_type(), rules, mappings)),
                Box::new(plan(kv[1].data_type(), rules, mappings)),
            ),
            _ => Plan::Text,
        },
        DataType::Struct(fields) => Plan::Struct(plan_fields(fields, rules, mappings)),
        _ => Plan::Text,
    }
}
