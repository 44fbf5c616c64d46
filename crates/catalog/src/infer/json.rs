//! JSON schema inference as AWS Glue's JSON classifiers do it.
//!
//! A file is a stream of JSON documents (one per line, or pretty-printed across lines).
//! Without a JsonPath every document must be an object, whose keys become columns; a
//! document that is an array is one record with a single column `array`. A custom
//! classifier's JsonPath picks the records out of each document instead; selected values
//! that are not objects become a single column `record`
//! (<https://docs.aws.amazon.com/glue/latest/dg/custom-classifier.html#custom-classifier-json>).
//!
//! Types: `boolean`, `int` (fits 32 bits, as in `{"A": 1}` → `A:int` in
//! <https://docs.aws.amazon.com/glue/latest/dg/crawler-grouping-policy.html>), `bigint`,
//! `double`, `string`, `struct<a:int,b:string>` and `array<...>`, written without spaces.
//! Conflicting types across records widen (`int` → `bigint` → `double`), merge (structs by
//! field, arrays by element) or else fall back to `string`. Names are lower-cased, as in the
//! tables crawlers write.
//!
//! The parser is our own rather than `serde_json::Value` because Glue keeps keys in the order
//! first seen, and because a sample cut mid-document must yield the records before the cut.

/// Per-file JSON-lines result.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonSchema {
    /// (name, glue type string), key order as first seen
    pub columns: Vec<(String, String)>,
    pub rows_sampled: u64,
}

/// Deeper documents are refused rather than risking the stack.
const MAX_DEPTH: usize = 256;
/// Column that holds a whole top-level array when no JsonPath is given.
const ARRAY_COLUMN: &str = "array";
/// Column that holds a JsonPath selection that is not an object.
const RECORD_COLUMN: &str = "record";

/// A parsed value, keeping only what typing and JsonPath need.
#[derive(Debug, Clone, PartialEq)]
enum Jv {
    Null,
    Bool,
    /// Integers that fit in 64 bits; larger ones are read as doubles.
    Int(i64),
    Float,
    Str,
    Arr(Vec<Jv>),
    Obj(Vec<(String, Jv)>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ParseError {
    /// The input ended inside a value: the sample was cut there.
    Eof,
    Invalid,
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        Parser { text, pos: 0 }
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn at_end(&self) -> bool {
        self.pos >= self.text.len()
    }

    fn expect(&mut self, byte: u8) -> Result<(), ParseError> {
        match self.peek() {
            None => Err(ParseError::Eof),
            Some(b) if b == byte => {
                self.pos += 1;
                Ok(())
            }
            Some(_) => Err(ParseError::Invalid),
        }
    }

    fn value(&mut self, depth: usize) -> Result<Jv, ParseError> {
        if depth > MAX_DEPTH {
            return Err(ParseError::Invalid);
        }
        self.skip_ws();
        match self.peek() {
            None => Err(ParseError::Eof),
            Some(b'{') => self.object(depth),
            Some(b'[') => {
                self.pos += 1;
                let mut items = Vec::new();
                self.array_items(depth, &mut items)?;
                Ok(Jv::Arr(items))
            }
            Some(b'"') => self.string().map(|_| Jv::Str),
            Some(b't') => self.literal("true", Jv::Bool),
            Some(b'f') => self.literal("false", Jv::Bool),
            Some(b'n') => self.literal("null", Jv::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(ParseError::Invalid),
        }
    }

    fn object(&mut self, depth: usize) -> Result<Jv, ParseError> {
        self.expect(b'{')?;
        let mut fields = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Jv::Obj(fields));
        }
        loop {
            self.skip_ws();
            let key = self.string()?;
            self.skip_ws();
            self.expect(b':')?;
            let value = self.value(depth + 1)?;
            fields.push((key, value));
            self.skip_ws();
            match self.peek() {
                None => return Err(ParseError::Eof),
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Jv::Obj(fields));
                }
                Some(_) => return Err(ParseError::Invalid),
            }
        }
    }

    /// Reads elements after the opening bracket into `items`, so that a caller can keep the
    /// elements read before an error.
    fn array_items(&mut self, depth: usize, items: &mut Vec<Jv>) -> Result<(), ParseError> {
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(());
        }
        loop {
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.peek() {
                None => return Err(ParseError::Eof),
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(_) => return Err(ParseError::Invalid),
            }
        }
    }

    fn literal(&mut self, word: &str, value: Jv) -> Result<Jv, ParseError> {
        let rest = &self.text[self.pos..];
        if rest.starts_with(word) {
            self.pos += word.len();
            Ok(value)
        } else if word.starts_with(rest) {
            Err(ParseError::Eof)
        } else {
            Err(ParseError::Invalid)
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Result<Jv, ParseError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let int_start = self.pos;
        match self.digits() {
            0 if self.at_end() => return Err(ParseError::Eof),
            0 => return Err(ParseError::Invalid),
            n if n > 1 && self.text.as_bytes()[int_start] == b'0' => return Err(ParseError::Invalid),
            _ => {}
        }
        let mut integral = true;
        if self.peek() == Some(b'.') {
            self.pos += 1;
            integral = false;
            if self.digits() == 0 {
                return Err(if self.at_end() {
                    ParseError::Eof
                } else {
                    ParseError::Invalid
                });
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            integral = false;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(if self.at_end() {
                    ParseError::Eof
                } else {
                    ParseError::Invalid
                });
            }
        }
        let literal = &self.text[start..self.pos];
        Ok(match literal.parse::<i64>() {
            Ok(n) if integral => Jv::Int(n),
            _ => Jv::Float,
        })
    }

    fn hex4(&mut self) -> Result<u32, ParseError> {
        let Some(digits) = self.text.get(self.pos..self.pos + 4) else {
            return Err(if self.text.len() - self.pos < 4 {
                ParseError::Eof
            } else {
                ParseError::Invalid
            });
        };
        let code = u32::from_str_radix(digits, 16).map_err(|_| ParseError::Invalid)?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(ParseError::Invalid);
        }
        self.pos += 4;
        Ok(code)
    }

    fn string(&mut self) -> Result<String, ParseError> {
        self.expect(b'"')?;
        let mut out = String::new();
        loop {
            let rest = &self.text[self.pos..];
            let Some(stop) = rest.find(|c: char| c == '"' || c == '\\' || c < '\u{20}') else {
                return Err(ParseError::Eof);
            };
            out.push_str(&rest[..stop]);
            self.pos += stop;
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let Some(escape) = self.peek() else {
                        return Err(ParseError::Eof);
                    };
                    self.pos += 1;
                    match escape {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => out.push(self.unicode_escape()?),
                        _ => return Err(ParseError::Invalid),
                    }
                }
                _ => return Err(ParseError::Invalid),
            }
        }
    }

    /// After `\u`: one code unit, or a surrogate pair; a lone surrogate becomes U+FFFD.
    fn unicode_escape(&mut self) -> Result<char, ParseError> {
        let first = self.hex4()?;
        if !(0xD800..0xDC00).contains(&first) {
            return Ok(char::from_u32(first).unwrap_or('\u{FFFD}'));
        }
        let rest = &self.text[self.pos..];
        if !rest.starts_with("\\u") {
            return if "\\u".starts_with(rest) {
                Err(ParseError::Eof)
            } else {
                Ok('\u{FFFD}')
            };
        }
        let saved = self.pos;
        self.pos += 2;
        let second = self.hex4()?;
        if (0xDC00..0xE000).contains(&second) {
            let code = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
            Ok(char::from_u32(code).unwrap_or('\u{FFFD}'))
        } else {
            self.pos = saved;
            Ok('\u{FFFD}')
        }
    }
}

/// The documents of a sample. A top-level array cut short still yields the elements before
/// the cut; any other document cut short is dropped. Errors before the cut, or anywhere in a
/// complete file, mean the text is not JSON.
fn documents(text: &str, complete: bool) -> Option<Vec<Jv>> {
    let mut parser = Parser::new(text);
    let mut docs = Vec::new();
    loop {
        parser.skip_ws();
        if parser.at_end() {
            return Some(docs);
        }
        let result = if parser.peek() == Some(b'[') {
            parser.pos += 1;
            let mut items = Vec::new();
            let result = parser.array_items(0, &mut items);
            if result.is_ok() || (result == Err(ParseError::Eof) && !complete) {
                docs.push(Jv::Arr(items));
            }
            result
        } else {
            parser.value(0).map(|v| docs.push(v))
        };
        match result {
            Ok(()) => {}
            Err(ParseError::Eof) if !complete => return Some(docs),
            Err(_) => return None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Child(String),
    Wildcard,
    Index(usize),
}

/// Glue's JsonPath subset: `$`, `.name`, `['name']`, `.*`, `[*]` and `[n]`.
fn parse_json_path(path: &str) -> Option<Vec<Step>> {
    let mut rest = path.trim().strip_prefix('$')?;
    let mut steps = Vec::new();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('.') {
            let end = after.find(['.', '[']).unwrap_or(after.len());
            let name = &after[..end];
            match name {
                "" => return None,
                "*" => steps.push(Step::Wildcard),
                _ => steps.push(Step::Child(name.to_string())),
            }
            rest = &after[end..];
        } else if let Some(after) = rest.strip_prefix('[') {
            let end = after.find(']')?;
            let inner = after[..end].trim();
            let quoted = |q: char| inner.strip_prefix(q).and_then(|s| s.strip_suffix(q));
            if inner == "*" {
                steps.push(Step::Wildcard);
            } else if let Some(name) = quoted('\'').or_else(|| quoted('"')) {
                steps.push(Step::Child(name.to_string()));
            } else {
                steps.push(Step::Index(inner.parse().ok()?));
            }
            rest = &after[end + 1..];
        } else {
            return None;
        }
    }
    Some(steps)
}

fn select<'v>(root: &'v Jv, steps: &[Step]) -> Vec<&'v Jv> {
    let mut current = vec![root];
    for step in steps {
        let mut next = Vec::new();
        for value in current {
            match (step, value) {
                (Step::Child(name), Jv::Obj(fields)) => {
                    next.extend(fields.iter().find(|(k, _)| k == name).map(|(_, v)| v));
                }
                (Step::Wildcard, Jv::Obj(fields)) => next.extend(fields.iter().map(|(_, v)| v)),
                (Step::Wildcard, Jv::Arr(items)) => next.extend(items.iter()),
                (Step::Index(i), Jv::Arr(items)) => next.extend(items.get(*i)),
                _ => {}
            }
        }
        current = next;
    }
    current
}

/// A Glue type, before rendering.
#[derive(Debug, Clone, PartialEq)]
enum GlueType {
    /// Only nulls seen so far: no information.
    Unknown,
    Boolean,
    Int,
    BigInt,
    Double,
    String,
    Struct(Vec<(String, GlueType)>),
    Array(Box<GlueType>),
}

impl GlueType {
    fn of(value: &Jv) -> GlueType {
        match value {
            Jv::Null => GlueType::Unknown,
            Jv::Bool => GlueType::Boolean,
            Jv::Int(n) if i32::try_from(*n).is_ok() => GlueType::Int,
            Jv::Int(_) => GlueType::BigInt,
            Jv::Float => GlueType::Double,
            Jv::Str => GlueType::String,
            Jv::Arr(items) => GlueType::Array(Box::new(
                items.iter().map(GlueType::of).fold(GlueType::Unknown, GlueType::merge),
            )),
            Jv::Obj(fields) => {
                let mut merged = Vec::new();
                for (key, v) in fields {
                    add_field(&mut merged, key.to_lowercase(), GlueType::of(v));
                }
                GlueType::Struct(merged)
            }
        }
    }

    fn merge(self, other: GlueType) -> GlueType {
        use GlueType::{Array, BigInt, Double, Int, Struct, Unknown};
        match (self, other) {
            (Unknown, t) | (t, Unknown) => t,
            (Struct(mut a), Struct(b)) => {
                for (name, t) in b {
                    add_field(&mut a, name, t);
                }
                Struct(a)
            }
            (Array(a), Array(b)) => Array(Box::new(a.merge(*b))),
            (a, b) if a == b => a,
            (Int, BigInt) | (BigInt, Int) => BigInt,
            (Int | BigInt, Double) | (Double, Int | BigInt) => Double,
            _ => GlueType::String,
        }
    }

    fn render(&self) -> String {
        match self {
            GlueType::Unknown | GlueType::String => "string".to_string(),
            GlueType::Boolean => "boolean".to_string(),
            GlueType::Int => "int".to_string(),
            GlueType::BigInt => "bigint".to_string(),
            GlueType::Double => "double".to_string(),
            // Hive has no empty struct; an object never seen with keys is kept as text.
            GlueType::Struct(fields) if fields.is_empty() => "string".to_string(),
            GlueType::Struct(fields) => {
                let inner: Vec<String> = fields.iter().map(|(n, t)| format!("{n}:{}", t.render())).collect();
                format!("struct<{}>", inner.join(","))
            }
            GlueType::Array(element) => format!("array<{}>", element.render()),
        }
    }

    /// Reads back a rendered type, so that per-file results can be merged.
    fn parse(text: &str) -> Option<GlueType> {
        let (t, rest) = Self::parse_prefix(text.trim())?;
        rest.is_empty().then_some(t)
    }

    fn parse_prefix(text: &str) -> Option<(GlueType, &str)> {
        if let Some(rest) = text.strip_prefix("array<") {
            let (element, rest) = Self::parse_prefix(rest)?;
            return Some((GlueType::Array(Box::new(element)), rest.strip_prefix('>')?));
        }
        if let Some(mut rest) = text.strip_prefix("struct<") {
            let mut fields = Vec::new();
            loop {
                let colon = rest.find(':')?;
                let name = rest[..colon].to_string();
                let (t, after) = Self::parse_prefix(&rest[colon + 1..])?;
                fields.push((name, t));
                if let Some(after) = after.strip_prefix(',') {
                    rest = after;
                } else {
                    return Some((GlueType::Struct(fields), after.strip_prefix('>')?));
                }
            }
        }
        let end = text.find([',', '>']).unwrap_or(text.len());
        let t = match &text[..end] {
            "boolean" => GlueType::Boolean,
            "int" => GlueType::Int,
            "bigint" => GlueType::BigInt,
            "double" => GlueType::Double,
            "string" => GlueType::String,
            _ => return None,
        };
        Some((t, &text[end..]))
    }
}

/// Adds a field to a struct, merging with a field of the same name.
fn add_field(fields: &mut Vec<(String, GlueType)>, name: String, t: GlueType) {
    match fields.iter_mut().find(|(n, _)| *n == name) {
        Some((_, existing)) => *existing = std::mem::replace(existing, GlueType::Unknown).merge(t),
        None => fields.push((name, t)),
    }
}

fn to_columns(fields: &[(String, GlueType)]) -> Vec<(String, String)> {
    fields.iter().map(|(n, t)| (n.clone(), t.render())).collect()
}

/// Per-file JSON result; None if the sample is not JSON records. Without a JsonPath each
/// document must be an object (its keys are the columns) or an array (one column `array`).
pub fn classify_json(sample: &str, complete: bool, json_path: Option<&str>) -> Option<JsonSchema> {
    let sample = sample.strip_prefix('\u{feff}').unwrap_or(sample);
    let steps = match json_path {
        Some(path) => Some(parse_json_path(path)?),
        None => None,
    };
    let docs = documents(sample, complete)?;

    let mut root: Vec<(String, GlueType)> = Vec::new();
    let mut rows: u64 = 0;
    let mut add_record = |record: &Jv, wrap_as: &str| {
        match record {
            Jv::Obj(_) => {
                if let GlueType::Struct(fields) = GlueType::of(record) {
                    for (name, t) in fields {
                        add_field(&mut root, name, t);
                    }
                }
            }
            other => add_field(&mut root, wrap_as.to_string(), GlueType::of(other)),
        }
        rows += 1;
    };
    for doc in &docs {
        match &steps {
            Some(steps) => select(doc, steps)
                .into_iter()
                .for_each(|r| add_record(r, RECORD_COLUMN)),
            None if matches!(doc, Jv::Obj(_) | Jv::Arr(_)) => add_record(doc, ARRAY_COLUMN),
            None => return None,
        }
    }
    if root.is_empty() {
        return None;
    }
    Some(JsonSchema {
        columns: to_columns(&root),
        rows_sampled: rows,
    })
}

/// Merges the schemas of two files of one table: union of columns by name in first-seen
/// order, types widened as within a file.
pub fn merge_json(a: &JsonSchema, b: &JsonSchema) -> JsonSchema {
    let mut columns = a.columns.clone();
    for (name, ty) in &b.columns {
        match columns.iter_mut().find(|(n, _)| n == name) {
            Some((_, existing)) if existing == ty => {}
            Some((_, existing)) => {
                *existing = match (GlueType::parse(existing), GlueType::parse(ty)) {
                    (Some(x), Some(y)) => x.merge(y).render(),
                    _ => "string".to_string(),
                };
            }
            None => columns.push((name.clone(), ty.clone())),
        }
    }
    JsonSchema {
        columns,
        rows_sampled: a.rows_sampled.saturating_add(b.rows_sampled),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(n, t)| (n.to_string(), t.to_string())).collect()
    }

    fn lines(sample: &str) -> JsonSchema {
        classify_json(sample, true, None).expect("classified as JSON")
    }

    #[test]
    fn flat_records_keep_key_order() {
        let s = lines(
            "{\"id\":1,\"name\":\"a\",\"score\":1.5,\"ok\":true}\n{\"id\":2,\"name\":\"b\",\"score\":2,\"ok\":false}\n",
        );
        assert_eq!(
            s,
            JsonSchema {
                columns: cols(&[
                    ("id", "int"),
                    ("name", "string"),
                    ("score", "double"),
                    ("ok", "boolean")
                ]),
                rows_sampled: 2,
            }
        );
    }

    #[test]
    fn nested_objects_and_arrays_of_structs() {
        let s = lines(concat!(
            r#"{"user":{"id":1,"tags":["a","b"]},"items":[{"sku":"x","qty":2},{"sku":"y","price":1.5}]}"#,
            "\n",
            r#"{"user":{"id":2,"tags":[],"geo":{"lat":1.0,"lon":2}},"items":[]}"#,
            "\n"
        ));
        assert_eq!(
            s.columns,
            cols(&[
                (
                    "user",
                    "struct<id:int,tags:array<string>,geo:struct<lat:double,lon:int>>"
                ),
                ("items", "array<struct<sku:string,qty:int,price:double>>"),
            ])
        );
    }

    #[test]
    fn nulls_and_missing_keys() {
        let s = lines("{\"a\":1,\"b\":null}\n{\"a\":2,\"c\":\"x\"}\n{\"b\":3,\"d\":null}\n");
        assert_eq!(
            s.columns,
            cols(&[("a", "int"), ("b", "int"), ("c", "string"), ("d", "string")])
        );
        assert_eq!(s.rows_sampled, 3);
    }

    #[test]
    fn integer_widths() {
        let s = lines(concat!(
            "{\"small\":2147483647,\"neg\":-2147483648,\"big\":1,\"huge\":1,\"mix\":1,\"exp\":1e3}\n",
            "{\"small\":0,\"neg\":0,\"big\":2147483648,\"huge\":18446744073709551615,\"mix\":0.5,\"exp\":2}\n"
        ));
        assert_eq!(
            s.columns,
            cols(&[
                ("small", "int"),
                ("neg", "int"),
                ("big", "bigint"),
                ("huge", "double"),
                ("mix", "double"),
                ("exp", "double"),
            ])
        );
    }

    #[test]
    fn conflicting_types_become_string() {
        let s = lines(concat!(
            r#"{"x":1,"s":{"a":1},"arr":[1,"a"],"b":true,"l":[1]}"#,
            "\n",
            r#"{"x":"one","s":5,"arr":[2],"b":1,"l":{"k":1}}"#,
            "\n"
        ));
        assert_eq!(
            s.columns,
            cols(&[
                ("x", "string"),
                ("s", "string"),
                ("arr", "array<string>"),
                ("b", "string"),
                ("l", "string")
            ])
        );
    }

    #[test]
    fn names_are_lower_cased_and_merged() {
        let s = lines("{\"UserId\":1,\"Info\":{\"ZipCode\":\"x\"}}\n{\"userid\":5000000000}\n");
        assert_eq!(
            s.columns,
            cols(&[("userid", "bigint"), ("info", "struct<zipcode:string>")])
        );
    }

    #[test]
    fn pretty_printed_documents() {
        let s =
            lines("{\n  \"type\": \"x\",\n  \"ids\": [\n    {\"scheme\": \"a\"}\n  ]\n}\n{\n  \"type\": \"y\"\n}\n");
        assert_eq!(
            s.columns,
            cols(&[("type", "string"), ("ids", "array<struct<scheme:string>>")])
        );
        assert_eq!(s.rows_sampled, 2);
    }

    #[test]
    fn escapes_in_keys() {
        let s = lines(r#"{"caf\u00e9":1,"q\"k":2,"\ud83d\ude00":3}"#);
        assert_eq!(s.columns, cols(&[("café", "int"), ("q\"k", "int"), ("😀", "int")]));
    }

    #[test]
    fn empty_containers() {
        let s = lines("{\"a\":[],\"o\":{},\"n\":[[1],[]]}\n");
        assert_eq!(
            s.columns,
            cols(&[("a", "array<string>"), ("o", "string"), ("n", "array<array<int>>")])
        );
    }

    #[test]
    fn top_level_array_is_one_column() {
        let s = lines("[\n {\"id\": 1, \"name\": \"a\"},\n {\"id\": 2}\n]\n");
        assert_eq!(
            s,
            JsonSchema {
                columns: cols(&[("array", "array<struct<id:int,name:string>>")]),
                rows_sampled: 1
            }
        );
    }

    #[test]
    fn json_path_selects_records() {
        let text = "[{\"type\":\"c\",\"id\":\"x\"},{\"type\":\"d\",\"id\":\"y\",\"n\":1}]";
        let s = classify_json(text, true, Some("$[*]")).unwrap();
        assert_eq!(
            s,
            JsonSchema {
                columns: cols(&[("type", "string"), ("id", "string"), ("n", "int")]),
                rows_sampled: 2
            }
        );

        let text =
            "{\"id\":\"a\",\"identifiers\":[{\"scheme\":\"s\",\"identifier\":\"i1\"},{\"identifier\":\"i2\"}]}\n";
        let s = classify_json(text, true, Some("$.id")).unwrap();
        assert_eq!(
            s,
            JsonSchema {
                columns: cols(&[("record", "string")]),
                rows_sampled: 1
            }
        );
        let s = classify_json(text, true, Some("$.identifiers[*].identifier")).unwrap();
        assert_eq!(
            s,
            JsonSchema {
                columns: cols(&[("record", "string")]),
                rows_sampled: 2
            }
        );
        let s = classify_json(text, true, Some("$['identifiers'][0]")).unwrap();
        assert_eq!(s.columns, cols(&[("scheme", "string"), ("identifier", "string")]));
        let s = classify_json(text, true, Some("$.identifiers")).unwrap();
        assert_eq!(
            s.columns,
            cols(&[("record", "array<struct<scheme:string,identifier:string>>")])
        );

        assert_eq!(classify_json(text, true, Some("$.missing")), None);
        assert_eq!(classify_json(text, true, Some("id")), None, "must start at $");
        assert_eq!(
            classify_json(text, true, Some("$..id")),
            None,
            "recursive descent unsupported"
        );
    }

    #[test]
    fn partial_last_line_is_ignored_unless_complete() {
        let sample = "{\"a\":1}\n{\"a\":2}\n{\"a\":\"x";
        let s = classify_json(sample, false, None).unwrap();
        assert_eq!(
            s,
            JsonSchema {
                columns: cols(&[("a", "int")]),
                rows_sampled: 2
            }
        );
        assert_eq!(classify_json(sample, true, None), None);

        let s = classify_json("{\"a\":1}\n{\"a\":tr", false, None).unwrap();
        assert_eq!(s.rows_sampled, 1);
        let s = classify_json("{\"a\":1}\n{\"a\":-", false, None).unwrap();
        assert_eq!(s.rows_sampled, 1);
        let s = classify_json("{\"a\":1}\n{\"k\\u00", false, None).unwrap();
        assert_eq!(s.rows_sampled, 1);
    }

    #[test]
    fn truncated_top_level_array_keeps_whole_elements() {
        let sample = "[{\"a\":1},{\"a\":2,\"b\":true},{\"a\":\"partial";
        let s = classify_json(sample, false, None).unwrap();
        assert_eq!(s.columns, cols(&[("array", "array<struct<a:int,b:boolean>>")]));
        let s = classify_json(sample, false, Some("$[*]")).unwrap();
        assert_eq!(
            s,
            JsonSchema {
                columns: cols(&[("a", "int"), ("b", "boolean")]),
                rows_sampled: 2
            }
        );
        assert_eq!(classify_json(sample, true, None), None);
    }

    #[test]
    fn not_json() {
        assert_eq!(classify_json("a,b\n1,2\n", true, None), None);
        assert_eq!(classify_json("123\n456\n", true, None), None, "scalars are not records");
        assert_eq!(classify_json("\"text\"\n", true, None), None);
        assert_eq!(classify_json("", true, None), None);
        assert_eq!(classify_json("{}\n{}\n", true, None), None, "no columns");
        assert_eq!(
            classify_json("{\"a\":1}\n{\"a\":1,}\n", true, None),
            None,
            "trailing comma"
        );
        assert_eq!(
            classify_json("{\"a\":1}\nnot json\n{\"a\":2}\n", false, None),
            None,
            "garbage before the cut"
        );
        assert_eq!(classify_json("{\"a\":01}", true, None), None, "leading zero");
        assert_eq!(
            classify_json("{\"a\":\"tab\there\"}", true, None),
            None,
            "raw control character"
        );
        assert_eq!(classify_json("{a:1}", true, None), None);
    }

    #[test]
    fn deep_nesting_is_refused() {
        let deep = format!("{{\"a\":{}1{}}}", "[".repeat(1000), "]".repeat(1000));
        assert_eq!(classify_json(&deep, true, None), None);
        let ok = format!("{{\"a\":{}1{}}}", "[".repeat(3), "]".repeat(3));
        assert_eq!(lines(&ok).columns, cols(&[("a", "array<array<array<int>>>")]));
    }

    #[test]
    fn byte_order_mark_is_skipped() {
        assert_eq!(lines("\u{feff}{\"a\":true}").columns, cols(&[("a", "boolean")]));
    }

    #[test]
    fn merge_adds_columns_and_widens() {
        let a = lines("{\"id\":1,\"tags\":{\"x\":1}}\n");
        let b = lines("{\"id\":3000000000,\"tags\":{\"y\":\"s\"},\"extra\":[1.5]}\n{\"id\":2}\n");
        let m = merge_json(&a, &b);
        assert_eq!(
            m,
            JsonSchema {
                columns: cols(&[
                    ("id", "bigint"),
                    ("tags", "struct<x:int,y:string>"),
                    ("extra", "array<double>")
                ]),
                rows_sampled: 3,
            }
        );
        let c = lines("{\"id\":\"abc\"}\n");
        assert_eq!(merge_json(&m, &c).columns[0], ("id".to_string(), "string".to_string()));
    }

    #[test]
    fn rendered_types_parse_back() {
        for t in [
            "int",
            "struct<a:int,b:array<struct<c:string>>>",
            "array<array<bigint>>",
            "struct<x y:double>",
        ] {
            assert_eq!(GlueType::parse(t).map(|g| g.render()).as_deref(), Some(t));
        }
        assert_eq!(GlueType::parse("map<string,int>"), None);
    }
}
