//! The CSV family of text formats: which delimiter a file uses, whether its first row is a
//! header, which Glue type each column has, and which SerDe reads it back.
//!
//! The rules are AWS Glue's, as documented for the built-in CSV classifier
//! (<https://docs.aws.amazon.com/glue/latest/dg/add-classifier.html>) and for custom
//! `CsvClassifier`s (<https://docs.aws.amazon.com/glue/latest/dg/custom-classifier.html>):
//!
//! - delimiters tried: comma, pipe, tab, semicolon, Ctrl-A (a custom classifier names one);
//! - a file is CSV only with at least two columns (unless `AllowSingleColumn`) and two rows;
//! - the first row is a header only if every cell in it is a STRING, all but the last cell are
//!   shorter than 150 characters, every cell is a valid Glue column name (a trailing delimiter
//!   may leave the last column empty throughout), and at least one column of the data below it
//!   is not STRING;
//! - without a header, columns are named `col0`, `col1`, ...;
//! - the crawler samples the first 1000 records of a file.
//!
//! Types are the ones crawlers are seen to produce for CSV: `boolean`, `bigint`, `double` and
//! `string` (dates and timestamps stay `string`). Files with quoted fields get `OpenCSVSerde`
//! with `quoteChar`/`separatorChar`, others `LazySimpleSerDe` with `field.delim`.

/// Hive's delimited-text SerDe, used when no field is quoted.
pub const LAZY_SIMPLE_SERDE: &str = "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe";
/// The SerDe that understands quoted fields.
pub const OPEN_CSV_SERDE: &str = "org.apache.hadoop.hive.serde2.OpenCSVSerde";

/// In the order Glue documents them; on a tie in column count the earlier one wins.
const BUILTIN_DELIMITERS: [char; 5] = [',', '|', '\t', ';', '\u{1}'];
/// Glue reads "the first 1000 records or the first megabyte" of a CSV file.
const MAX_RECORDS: usize = 1000;
/// Header cells (except the last) must be shorter than this.
const MAX_HEADER_CELL_CHARS: usize = 150;
/// Glue's column-name length limit (API `Column.Name`).
const MAX_COLUMN_NAME_CHARS: usize = 255;

/// Options from a custom CsvClassifier (all None/default = built-in classifier).
#[derive(Debug, Clone, Default)]
pub struct CsvOptions {
    pub delimiter: Option<char>,
    pub quote: Option<char>,
    /// Present / Absent / Unknown (Unknown = detect).
    pub contains_header: Option<HeaderMode>,
    pub header: Option<Vec<String>>,
    pub disable_value_trimming: bool,
    pub allow_single_column: bool,
}

/// A custom classifier's `ContainsHeader`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderMode {
    Present,
    Absent,
    Unknown,
}

/// What the CSV classifier decided for one file.
#[derive(Debug, Clone, PartialEq)]
pub struct TextSchema {
    pub delimiter: char,
    pub has_header: bool,
    /// true => OpenCSVSerde
    pub quoted: bool,
    /// (name, glue type string)
    pub columns: Vec<(String, String)>,
    /// full class name
    pub serde_library: String,
    pub serde_parameters: Vec<(String, String)>,
    /// data rows seen in the sample (header excluded)
    pub rows_sampled: u64,
}

/// The types Glue's CSV classifier assigns, narrowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CsvType {
    Boolean,
    BigInt,
    Double,
    String,
}

impl CsvType {
    fn glue_name(self) -> &'static str {
        match self {
            CsvType::Boolean => "boolean",
            CsvType::BigInt => "bigint",
            CsvType::Double => "double",
            CsvType::String => "string",
        }
    }

    fn from_glue_name(name: &str) -> Option<CsvType> {
        match name {
            "boolean" => Some(CsvType::Boolean),
            "bigint" => Some(CsvType::BigInt),
            "double" => Some(CsvType::Double),
            "string" => Some(CsvType::String),
            _ => None,
        }
    }

    /// `None` for an empty cell: it says nothing about the column's type.
    fn of_value(value: &str) -> Option<CsvType> {
        if value.is_empty() {
            None
        } else if value.eq_ignore_ascii_case("true") || value.eq_ignore_ascii_case("false") {
            Some(CsvType::Boolean)
        } else if is_integer_literal(value) {
            // Too large for a bigint still reads fine as a double.
            Some(if value.parse::<i64>().is_ok() {
                CsvType::BigInt
            } else {
                CsvType::Double
            })
        } else if is_decimal_literal(value) {
            Some(CsvType::Double)
        } else {
            Some(CsvType::String)
        }
    }

    /// The narrowest type that holds values of both.
    fn widen(self, other: CsvType) -> CsvType {
        use CsvType::{BigInt, Double};
        match (self, other) {
            (a, b) if a == b => a,
            (BigInt, Double) | (Double, BigInt) => Double,
            _ => CsvType::String,
        }
    }
}

fn is_integer_literal(s: &str) -> bool {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// `1.5`, `.5`, `1.`, `1e9`, `-2.5E-3`; not `NaN`, `Infinity` or hex.
fn is_decimal_literal(s: &str) -> bool {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(at) => (&body[..at], Some(&body[at + 1..])),
        None => (body, None),
    };
    let (int_part, frac_part) = match mantissa.split_once('.') {
        Some((i, f)) => (i, f),
        None => (mantissa, ""),
    };
    let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = (!int_part.is_empty() || !frac_part.is_empty()) && all_digits(int_part) && all_digits(frac_part);
    let exponent_ok = match exponent {
        None => true,
        Some(e) => {
            let e = e.strip_prefix(['+', '-']).unwrap_or(e);
            !e.is_empty() && all_digits(e)
        }
    };
    mantissa_ok && exponent_ok
}

/// Glue's column-name pattern `[\u0020-\uD7FF\uE000-\uFFFD\uD800\uDC00-\uDBFF\uDFFF\t]*`,
/// 1 to 255 long.
fn is_valid_column_name(name: &str) -> bool {
    let len = name.chars().count();
    (1..=MAX_COLUMN_NAME_CHARS).contains(&len)
        && name
            .chars()
            .all(|c| c == '\t' || (c >= '\u{20}' && c != '\u{FFFE}' && c != '\u{FFFF}'))
}

#[derive(Debug)]
struct Field {
    text: String,
    quoted: bool,
}

#[derive(Debug)]
struct Record {
    fields: Vec<Field>,
    /// Ended by a line break (not by the end of the input, nor inside an open quote).
    terminated: bool,
}

impl Record {
    fn is_blank(&self) -> bool {
        matches!(self.fields.as_slice(), [only] if only.text.is_empty() && !only.quoted)
    }
}

/// Splits text into records: a field that starts with the quote character runs to the
/// matching quote, may hold delimiters and line breaks, and writes a quote as two quotes.
/// Line breaks are `\n`, `\r\n` or `\r`, as Hadoop's text input reads them. Blank lines are
/// skipped. Stops after `max_records` records.
fn tokenize(input: &str, delimiter: char, quote: char, max_records: usize) -> Vec<Record> {
    let mut records = Vec::new();
    let mut fields: Vec<Field> = Vec::new();
    let mut text = String::new();
    let mut quoted = false;
    let mut in_quotes = false;
    let mut field_started = false;
    let mut chars = input.chars().peekable();

    while let Some(c) = chars.next() {
        if in_quotes {
            if c == quote {
                if chars.peek() == Some(&quote) {
                    chars.next();
                    text.push(quote);
                } else {
                    in_quotes = false;
                }
            } else {
                text.push(c);
            }
            continue;
        }
        if c == delimiter {
            fields.push(Field {
                text: std::mem::take(&mut text),
                quoted,
            });
            quoted = false;
            field_started = false;
        } else if c == '\n' || c == '\r' {
            if c == '\r' && chars.peek() == Some(&'\n') {
                chars.next();
            }
            fields.push(Field {
                text: std::mem::take(&mut text),
                quoted,
            });
            quoted = false;
            field_started = false;
            let record = Record {
                fields: std::mem::take(&mut fields),
                terminated: true,
            };
            if !record.is_blank() {
                records.push(record);
                if records.len() >= max_records {
                    return records;
                }
            }
        } else if c == quote && !field_started {
            in_quotes = true;
            quoted = true;
            field_started = true;
        } else {
            // Text after a closing quote (`"ab"cd`) is kept rather than rejected.
            field_started = true;
            text.push(c);
        }
    }
    if field_started || !fields.is_empty() {
        fields.push(Field { text, quoted });
        let record = Record {
            fields,
            terminated: false,
        };
        if !record.is_blank() {
            records.push(record);
        }
    }
    records
}

/// The records Glue would sample: at most [`MAX_RECORDS`], without a partial last record when
/// the sample stops before the end of the file.
fn sampled_records(sample: &str, complete: bool, delimiter: char, quote: char) -> Vec<Record> {
    let mut records = tokenize(sample, delimiter, quote, MAX_RECORDS + 1);
    if !complete && records.last().is_some_and(|r| !r.terminated) {
        records.pop();
    }
    records.truncate(MAX_RECORDS);
    records
}

fn cell(field: &Field, trim: bool) -> &str {
    if trim { field.text.trim() } else { &field.text }
}

struct Layout {
    delimiter: char,
    records: Vec<Record>,
    width: usize,
    /// The last column is empty in every record: a trailing delimiter.
    trailing_empty: bool,
}

/// Picks the delimiter that splits every sampled record into the same number of columns,
/// preferring more columns.
fn choose_layout(sample: &str, complete: bool, opts: &CsvOptions, quote: char, trim: bool) -> Option<Layout> {
    let candidates: Vec<char> = match opts.delimiter {
        Some(d) => vec![d],
        None => BUILTIN_DELIMITERS.to_vec(),
    };
    let min_width = if opts.allow_single_column { 1 } else { 2 };
    let mut best: Option<Layout> = None;
    for delimiter in candidates {
        if delimiter == quote || delimiter == '\n' || delimiter == '\r' {
            continue;
        }
        let records = sampled_records(sample, complete, delimiter, quote);
        let Some(first) = records.first() else { continue };
        let width = first.fields.len();
        if records.len() < 2 || records.iter().any(|r| r.fields.len() != width) {
            continue;
        }
        let trailing_empty = width >= 2
            && records
                .iter()
                .all(|r| r.fields.last().is_some_and(|f| cell(f, trim).is_empty()));
        if width - usize::from(trailing_empty) < min_width {
            continue;
        }
        if best.as_ref().is_none_or(|b| width > b.width) {
            best = Some(Layout {
                delimiter,
                records,
                width,
                trailing_empty,
            });
        }
    }
    best
}

/// Folds the types of one column over rows; `None` if every cell is empty.
fn column_type(rows: &[Record], index: usize, trim: bool) -> Option<CsvType> {
    rows.iter()
        .filter_map(|r| r.fields.get(index))
        .filter_map(|f| CsvType::of_value(cell(f, trim)))
        .reduce(CsvType::widen)
}

/// The documented header heuristics of the built-in classifier.
fn looks_like_header(layout: &Layout, trim: bool) -> bool {
    let Some((header, data)) = layout.records.split_first() else {
        return false;
    };
    if data.is_empty() {
        return false;
    }
    let checked = layout.width - usize::from(layout.trailing_empty);
    let header_ok = header.fields[..checked].iter().enumerate().all(|(i, f)| {
        let value = cell(f, trim);
        CsvType::of_value(value) == Some(CsvType::String)
            && (i + 1 == layout.width || value.chars().count() < MAX_HEADER_CELL_CHARS)
            && is_valid_column_name(value)
    });
    header_ok && (0..checked).any(|i| column_type(data, i, trim).is_some_and(|t| t != CsvType::String))
}

/// Lower-cases names (as crawlers do), names missing ones `colN`, and suffixes repeats with
/// `_1`, `_2`, ... so that the table never has two columns of one name.
fn column_names(raw: Vec<Option<String>>) -> Vec<String> {
    let mut names: Vec<String> = Vec::with_capacity(raw.len());
    for (i, name) in raw.into_iter().enumerate() {
        let base = match name {
            Some(n) if !n.is_empty() => n.to_lowercase(),
            _ => format!("col{i}"),
        };
        let mut candidate = base.clone();
        let mut n = 0;
        while names.contains(&candidate) {
            n += 1;
            candidate = format!("{base}_{n}");
        }
        names.push(candidate);
    }
    names
}

fn serde_for(quoted: bool, delimiter: char, quote: char) -> (String, Vec<(String, String)>) {
    if quoted {
        (
            OPEN_CSV_SERDE.to_string(),
            vec![
                ("quoteChar".to_string(), quote.to_string()),
                ("separatorChar".to_string(), delimiter.to_string()),
            ],
        )
    } else {
        (
            LAZY_SIMPLE_SERDE.to_string(),
            vec![("field.delim".to_string(), delimiter.to_string())],
        )
    }
}

/// None = not classifiable as CSV by these rules (the crawler then tries other classifiers).
pub fn classify_csv(sample: &str, complete: bool, opts: &CsvOptions) -> Option<TextSchema> {
    let sample = sample.strip_prefix('\u{feff}').unwrap_or(sample);
    let quote = opts.quote.unwrap_or('"');
    let trim = !opts.disable_value_trimming;
    let layout = choose_layout(sample, complete, opts, quote, trim)?;

    let has_header = match opts.contains_header.unwrap_or(HeaderMode::Unknown) {
        HeaderMode::Present => true,
        HeaderMode::Absent => false,
        HeaderMode::Unknown => looks_like_header(&layout, trim),
    };
    let data = &layout.records[usize::from(has_header)..];

    let raw_names: Vec<Option<String>> = match (&opts.header, has_header) {
        (Some(given), _) => {
            let count = layout.width.max(given.len());
            (0..count).map(|i| given.get(i).map(|n| n.trim().to_string())).collect()
        }
        (None, true) => layout.records[0]
            .fields
            .iter()
            .map(|f| Some(cell(f, trim).to_string()))
            .collect(),
        (None, false) => vec![None; layout.width],
    };
    let columns = column_names(raw_names)
        .into_iter()
        .enumerate()
        .map(|(i, name)| {
            let ty = column_type(data, i, trim).unwrap_or(CsvType::String);
            (name, ty.glue_name().to_string())
        })
        .collect();

    let quoted = layout.records.iter().any(|r| r.fields.iter().any(|f| f.quoted));
    let (serde_library, serde_parameters) = serde_for(quoted, layout.delimiter, quote);
    Some(TextSchema {
        delimiter: layout.delimiter,
        has_header,
        quoted,
        columns,
        serde_library,
        serde_parameters,
        rows_sampled: data.len() as u64,
    })
}

fn widen_glue_types(a: &str, b: &str) -> String {
    if a == b {
        return a.to_string();
    }
    match (CsvType::from_glue_name(a), CsvType::from_glue_name(b)) {
        (Some(x), Some(y)) => x.widen(y).glue_name().to_string(),
        _ => CsvType::String.glue_name().to_string(),
    }
}

/// Merge the schemas of two files of the same table (widen types: bigint+double → double,
/// anything+string → string, union of columns by name keeping first-seen order; new columns
/// appended at the end). Returns None if they are not compatible (different delimiter etc.).
pub fn merge_text(a: &TextSchema, b: &TextSchema) -> Option<TextSchema> {
    // A header in one file and not in the other means `skip.header.line.count` cannot be
    // right for both, and positional names cannot be matched with real ones.
    if a.delimiter != b.delimiter || a.has_header != b.has_header {
        return None;
    }
    let quote_of = |s: &TextSchema| {
        s.serde_parameters
            .iter()
            .find(|(k, _)| k == "quoteChar")
            .map(|(_, v)| v.clone())
    };
    if a.quoted && b.quoted && quote_of(a) != quote_of(b) {
        return None;
    }
    // OpenCSVSerde also reads unquoted fields, so one quoted file makes the whole table quoted.
    let serde_source = if a.quoted || !b.quoted { a } else { b };
    // Both SerDes read fields by position: one file's columns must be a
    // prefix of the other's (a file may only add columns at the end).
    let shared = a.columns.len().min(b.columns.len());
    if a.columns[..shared]
        .iter()
        .zip(&b.columns[..shared])
        .any(|((x, _), (y, _))| x != y)
    {
        return None;
    }

    let mut columns = a.columns.clone();
    for (name, ty) in &b.columns {
        match columns.iter_mut().find(|(n, _)| n == name) {
            Some((_, existing)) => *existing = widen_glue_types(existing, ty),
            None => columns.push((name.clone(), ty.clone())),
        }
    }
    Some(TextSchema {
        delimiter: a.delimiter,
        has_header: a.has_header,
        quoted: a.quoted || b.quoted,
        columns,
        serde_library: serde_source.serde_library.clone(),
        serde_parameters: serde_source.serde_parameters.clone(),
        rows_sampled: a.rows_sampled.saturating_add(b.rows_sampled),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builtin(sample: &str) -> Option<TextSchema> {
        classify_csv(sample, true, &CsvOptions::default())
    }

    fn cols(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(n, t)| (n.to_string(), t.to_string())).collect()
    }

    fn lazy(delim: &str) -> (String, Vec<(String, String)>) {
        (
            LAZY_SIMPLE_SERDE.to_string(),
            vec![("field.delim".to_string(), delim.to_string())],
        )
    }

    #[test]
    fn comma_with_header() {
        let s = builtin("id,name,price,active\n1,apple,1.5,true\n2,banana,0.25,FALSE\n").unwrap();
        assert_eq!(
            s,
            TextSchema {
                delimiter: ',',
                has_header: true,
                quoted: false,
                columns: cols(&[
                    ("id", "bigint"),
                    ("name", "string"),
                    ("price", "double"),
                    ("active", "boolean")
                ]),
                serde_library: LAZY_SIMPLE_SERDE.to_string(),
                serde_parameters: lazy(",").1,
                rows_sampled: 2,
            }
        );
    }

    #[test]
    fn headerless_tsv_gets_positional_names() {
        let s = builtin("1\tfoo\t2.5\n2\tbar\t3\n").unwrap();
        assert_eq!(s.delimiter, '\t');
        assert!(!s.has_header);
        assert_eq!(
            s.columns,
            cols(&[("col0", "bigint"), ("col1", "string"), ("col2", "double")])
        );
        assert_eq!((s.serde_library.clone(), s.serde_parameters.clone()), lazy("\t"));
        assert_eq!(s.rows_sampled, 2);
    }

    #[test]
    fn pipe_delimited() {
        let s = builtin("city|population\nOslo|709000\nBergen|291000\n").unwrap();
        assert_eq!(s.delimiter, '|');
        assert!(s.has_header);
        assert_eq!(s.columns, cols(&[("city", "string"), ("population", "bigint")]));
        assert_eq!(s.serde_parameters, lazy("|").1);
    }

    #[test]
    fn semicolon_delimited() {
        let s = builtin("name;qty;note\nfoo;1;a, b\nbar;2;c\n").unwrap();
        assert_eq!(s.delimiter, ';');
        assert!(s.has_header);
        assert_eq!(
            s.columns,
            cols(&[("name", "string"), ("qty", "bigint"), ("note", "string")])
        );
    }

    #[test]
    fn decimal_commas_are_strings_so_no_header() {
        let s = builtin("name;amount\nfoo;1,5\nbar;2,5\n").unwrap();
        assert_eq!(s.delimiter, ';');
        assert!(!s.has_header);
        assert_eq!(s.columns, cols(&[("col0", "string"), ("col1", "string")]));
        assert_eq!(s.rows_sampled, 3);
    }

    #[test]
    fn ctrl_a_delimited() {
        let s = builtin("a\u{1}b\nx\u{1}1\ny\u{1}2\n").unwrap();
        assert_eq!(s.delimiter, '\u{1}');
        assert_eq!(s.columns, cols(&[("a", "string"), ("b", "bigint")]));
        assert_eq!(s.serde_parameters, lazy("\u{1}").1);
    }

    #[test]
    fn quoted_fields_choose_open_csv_serde() {
        let s = builtin("id,comment\n1,\"hello, world\"\n2,\"say \"\"hi\"\"\"\n").unwrap();
        assert_eq!(
            s,
            TextSchema {
                delimiter: ',',
                has_header: true,
                quoted: true,
                columns: cols(&[("id", "bigint"), ("comment", "string")]),
                serde_library: OPEN_CSV_SERDE.to_string(),
                serde_parameters: vec![
                    ("quoteChar".to_string(), "\"".to_string()),
                    ("separatorChar".to_string(), ",".to_string()),
                ],
                rows_sampled: 2,
            }
        );
    }

    #[test]
    fn quoted_numbers_keep_their_types() {
        let s = builtin("\"id\",\"price\"\n\"1\",\"2.5\"\n\"2\",\"3\"\n").unwrap();
        assert!(s.quoted && s.has_header);
        assert_eq!(s.columns, cols(&[("id", "bigint"), ("price", "double")]));
    }

    #[test]
    fn quoted_field_may_span_lines() {
        let s = builtin("id,text\n1,\"line one\nline two\"\n2,plain\n").unwrap();
        assert_eq!(s.rows_sampled, 2);
        assert_eq!(s.columns, cols(&[("id", "bigint"), ("text", "string")]));
    }

    #[test]
    fn custom_quote_symbol() {
        let opts = CsvOptions {
            quote: Some('\''),
            ..Default::default()
        };
        let s = classify_csv("id,text\n1,'a,b'\n2,'c'\n", true, &opts).unwrap();
        assert_eq!(s.columns, cols(&[("id", "bigint"), ("text", "string")]));
        assert_eq!(
            s.serde_parameters,
            vec![
                ("quoteChar".to_string(), "'".to_string()),
                ("separatorChar".to_string(), ",".to_string())
            ]
        );
    }

    #[test]
    fn all_string_file_has_no_header() {
        let s = builtin("a,b\nc,d\ne,f\n").unwrap();
        assert!(!s.has_header);
        assert_eq!(s.columns, cols(&[("col0", "string"), ("col1", "string")]));
        assert_eq!(s.rows_sampled, 3);
    }

    #[test]
    fn numeric_first_row_is_not_a_header() {
        let s = builtin("2020,x\n2021,y\n").unwrap();
        assert!(!s.has_header);
        assert_eq!(s.columns, cols(&[("col0", "bigint"), ("col1", "string")]));
    }

    #[test]
    fn empty_header_cell_is_not_a_header() {
        let s = builtin("a,,c\n1,2,3\n4,5,6\n").unwrap();
        assert!(!s.has_header);
        assert_eq!(
            s.columns,
            cols(&[("col0", "string"), ("col1", "bigint"), ("col2", "string")])
        );
    }

    #[test]
    fn long_header_cell_is_not_a_header_unless_last() {
        let long = "h".repeat(150);
        let s = builtin(&format!("{long},b\n1,2\n3,4\n")).unwrap();
        assert!(!s.has_header);
        let s = builtin(&format!("b,{long}\n1,2\n3,4\n")).unwrap();
        assert!(s.has_header);
        assert_eq!(s.columns[1].0, long);
    }

    #[test]
    fn header_names_are_lower_cased_and_keep_spaces() {
        let s = builtin("First Name, Age \nbob,3\nann,4\n").unwrap();
        assert_eq!(s.columns, cols(&[("first name", "string"), ("age", "bigint")]));
    }

    #[test]
    fn duplicate_header_names_are_suffixed() {
        let s = builtin("id,Id,name\n1,2,a\n3,4,b\n").unwrap();
        assert_eq!(
            s.columns,
            cols(&[("id", "bigint"), ("id_1", "bigint"), ("name", "string")])
        );
    }

    #[test]
    fn trailing_delimiter_leaves_an_empty_last_column() {
        let s = builtin("a,b,\n1,2,\n3,4,\n").unwrap();
        assert!(s.has_header);
        assert_eq!(s.columns, cols(&[("a", "bigint"), ("b", "bigint"), ("col2", "string")]));
        // The empty column does not count towards the two columns a CSV needs.
        assert_eq!(builtin("a,\n1,\n2,\n"), None);
    }

    #[test]
    fn widening_and_empty_cells() {
        let s = builtin("i,d,s,b,e,n\n1,1,1,true,,\n2,2.5,x,1,,5\n3,-4e3,2,false,,\n").unwrap();
        assert_eq!(
            s.columns,
            cols(&[
                ("i", "bigint"),
                ("d", "double"),
                ("s", "string"),
                ("b", "string"),
                ("e", "string"),
                ("n", "bigint"),
            ])
        );
    }

    #[test]
    fn numbers_past_bigint_are_doubles_and_dates_are_strings() {
        let s = builtin("big,day,ts\n99999999999999999999,2020-01-15,2020-01-15 03:44:40\n1,2020-01-16,x\n").unwrap();
        assert_eq!(
            s.columns,
            cols(&[("big", "double"), ("day", "string"), ("ts", "string")])
        );
    }

    #[test]
    fn crlf_line_endings_and_bom() {
        let s = builtin("\u{feff}a,b\r\n1,x\r\n2,y\r\n").unwrap();
        assert!(s.has_header);
        assert_eq!(s.columns, cols(&[("a", "bigint"), ("b", "string")]));
        assert_eq!(s.rows_sampled, 2);
    }

    #[test]
    fn blank_lines_are_skipped() {
        let s = builtin("a,b\n\n1,2\n\n3,4\n\n").unwrap();
        assert_eq!(s.rows_sampled, 2);
        assert_eq!(s.columns, cols(&[("a", "bigint"), ("b", "bigint")]));
    }

    #[test]
    fn partial_last_line_is_ignored_unless_complete() {
        let sample = "a,b\n1,2\n3,4\n5,x";
        let partial = classify_csv(sample, false, &CsvOptions::default()).unwrap();
        assert_eq!(partial.rows_sampled, 2);
        assert_eq!(partial.columns, cols(&[("a", "bigint"), ("b", "bigint")]));
        let whole = classify_csv(sample, true, &CsvOptions::default()).unwrap();
        assert_eq!(whole.rows_sampled, 3);
        assert_eq!(whole.columns, cols(&[("a", "bigint"), ("b", "string")]));
    }

    #[test]
    fn sample_cut_inside_a_quoted_field() {
        let s = classify_csv("a,b\n1,x\n2,\"multi\nline that was cu", false, &CsvOptions::default()).unwrap();
        assert_eq!(s.rows_sampled, 1);
        assert!(!s.quoted);
        // A cut that falls exactly on a line break loses nothing.
        let s = classify_csv("a,b\n1,x\n2,y\n", false, &CsvOptions::default()).unwrap();
        assert_eq!(s.rows_sampled, 2);
    }

    #[test]
    fn samples_only_the_first_thousand_records() {
        let mut text = String::from("n,label\n");
        for i in 0..1500 {
            if i == 1200 {
                text.push_str("oops,z\n");
            } else {
                text.push_str(&format!("{i},z\n"));
            }
        }
        let s = builtin(&text).unwrap();
        assert_eq!(s.rows_sampled, 999);
        assert_eq!(s.columns, cols(&[("n", "bigint"), ("label", "string")]));
    }

    #[test]
    fn not_csv() {
        assert_eq!(builtin("Hello world, this is prose.\nAnd another sentence\n"), None);
        assert_eq!(builtin("plain text\nwithout delimiters\n"), None);
        assert_eq!(builtin("a,b\n"), None, "one row is not enough");
        assert_eq!(builtin("a,b\n1,2,3\n"), None, "ragged rows");
        assert_eq!(builtin(""), None);
        assert_eq!(builtin("\n\n"), None);
    }

    #[test]
    fn single_column_needs_allow_single_column() {
        assert_eq!(builtin("x\n1\n2\n"), None);
        let opts = CsvOptions {
            allow_single_column: true,
            ..Default::default()
        };
        let s = classify_csv("x\n1\n2\n", true, &opts).unwrap();
        assert!(s.has_header);
        assert_eq!(s.delimiter, ',');
        assert_eq!(s.columns, cols(&[("x", "bigint")]));
    }

    #[test]
    fn custom_delimiter_and_header_present() {
        let opts = CsvOptions {
            delimiter: Some('#'),
            contains_header: Some(HeaderMode::Present),
            ..Default::default()
        };
        let s = classify_csv("k#v\na#b\nc#d\n", true, &opts).unwrap();
        assert!(s.has_header);
        assert_eq!(s.delimiter, '#');
        assert_eq!(s.columns, cols(&[("k", "string"), ("v", "string")]));
        assert_eq!(s.serde_parameters, lazy("#").1);
        // A custom delimiter is the only one tried.
        assert_eq!(classify_csv("a,b\n1,2\n", true, &opts), None);
    }

    #[test]
    fn header_absent_keeps_first_row_as_data() {
        let opts = CsvOptions {
            contains_header: Some(HeaderMode::Absent),
            ..Default::default()
        };
        let s = classify_csv("id,name\n1,a\n2,b\n", true, &opts).unwrap();
        assert!(!s.has_header);
        assert_eq!(s.columns, cols(&[("col0", "string"), ("col1", "string")]));
        assert_eq!(s.rows_sampled, 3);
    }

    #[test]
    fn header_present_with_bad_names() {
        let opts = CsvOptions {
            contains_header: Some(HeaderMode::Present),
            ..Default::default()
        };
        let s = classify_csv("1,,x\n1,2,3\n4,5,6\n", true, &opts).unwrap();
        assert_eq!(s.columns, cols(&[("1", "bigint"), ("col1", "bigint"), ("x", "bigint")]));
    }

    #[test]
    fn header_list_names_columns() {
        let opts = CsvOptions {
            contains_header: Some(HeaderMode::Absent),
            header: Some(vec!["ID".to_string(), "Name".to_string()]),
            ..Default::default()
        };
        let s = classify_csv("1,a\n2,b\n", true, &opts).unwrap();
        assert_eq!(s.columns, cols(&[("id", "bigint"), ("name", "string")]));
        assert_eq!(s.rows_sampled, 2);

        let opts = CsvOptions {
            contains_header: Some(HeaderMode::Present),
            header: Some(vec!["x".to_string()]),
            ..Default::default()
        };
        let s = classify_csv("a,b\n1,2\n3,4\n", true, &opts).unwrap();
        assert_eq!(s.columns, cols(&[("x", "bigint"), ("col1", "bigint")]));
        assert_eq!(s.rows_sampled, 2);
    }

    #[test]
    fn value_trimming() {
        let sample = "a,b\n 1, x\n 2 , y\n";
        let s = builtin(sample).unwrap();
        assert_eq!(s.columns, cols(&[("a", "bigint"), ("b", "string")]));
        let opts = CsvOptions {
            disable_value_trimming: true,
            ..Default::default()
        };
        let s = classify_csv(sample, true, &opts).unwrap();
        assert!(!s.has_header);
        assert_eq!(s.columns, cols(&[("col0", "string"), ("col1", "string")]));
    }

    #[test]
    fn quote_equal_to_delimiter_is_rejected() {
        let opts = CsvOptions {
            delimiter: Some('"'),
            ..Default::default()
        };
        assert_eq!(classify_csv("a\"b\n1\"2\n", true, &opts), None);
    }

    #[test]
    fn merge_adds_columns_and_widens() {
        let a = builtin("id,price\n1,2\n2,3\n").unwrap();
        let b = builtin("id,price,tag\n3,4.5,x\n4,5,y\n5,6,z\n").unwrap();
        let m = merge_text(&a, &b).unwrap();
        assert_eq!(
            m.columns,
            cols(&[("id", "bigint"), ("price", "double"), ("tag", "string")])
        );
        assert_eq!(m.rows_sampled, 5);
        assert!(!m.quoted);
        assert_eq!(m.serde_library, LAZY_SIMPLE_SERDE);

        let c = builtin("id,price\nx,\"1\"\ny,2\n").unwrap();
        let m = merge_text(&a, &c).unwrap();
        assert_eq!(m.columns, cols(&[("id", "string"), ("price", "bigint")]));
        assert!(m.quoted);
        assert_eq!(m.serde_library, OPEN_CSV_SERDE);
    }

    #[test]
    fn merge_rejects_incompatible_files() {
        let comma = builtin("id,price\n1,2\n2,3\n").unwrap();
        let pipe = builtin("id|price\n1|2\n2|3\n").unwrap();
        assert_eq!(merge_text(&comma, &pipe), None);
        let headerless = builtin("1,2\n2,3\n").unwrap();
        assert_eq!(merge_text(&comma, &headerless), None);
    }
}
