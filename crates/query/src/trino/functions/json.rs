//! Trino's JSON functions as Athena engine version 3 runs them: `json_parse`, `json_format`,
//! `json_extract`, `json_extract_scalar`, `json_array_length`, `json_array_get`,
//! `json_array_contains`, `json_size` and `is_json_scalar`, on JSON text.
//!
//! Athena runs the Jackson-based implementation (trinodb/trino `JsonFunctions`, `JsonExtract`,
//! `JsonPathTokenizer`, `JsonTypeUtil`), so that is what this follows; Trino's 2026 typed JSON
//! model, which keeps key order and exact decimals, is not what Athena users see. What shapes it:
//!
//! - Jackson reads text as a token stream and these functions stop as soon as they have their
//!   answer: malformed text before the value they return makes the result NULL, text after it is
//!   never looked at (`json_extract_scalar('{"a":1,}', '$.a')` is `1`).
//! - `json_parse` rebuilds the value: object keys sorted (Java string order, i.e. UTF-16), the last
//!   of duplicate keys wins, and a number with a fraction or exponent goes through a double and
//!   prints as Java's `Double.toString` (`1e2` is `100.0`, `0.0001` is `1.0E-4`; trinodb/trino#28867).
//!   `json_extract` copies its value through the same double but keeps key order and duplicates.
//! - JSON that Jackson writes to a byte stream (`json_parse`, `json_extract`) escapes characters
//!   outside the BMP as UTF-16 surrogate escapes (`\uD83D\uDE00`, FasterXML/jackson-core#223);
//!   `json_array_get` serialises through a character writer and keeps them as they are.
//! - `json_array_get` returns a string element unquoted, so its result need not be valid JSON
//!   (Trino documents this as broken and keeps it for existing queries).
//!
//! One deliberate difference: an unpaired surrogate escape (`"\uD800"`) is treated as malformed,
//! since a Rust string cannot hold it (Java carries it along and mangles it on output).

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::fmt::Write as _;

use lakestack_compat::java_double::double_to_string;

/// Why a JSON function failed; Trino reports each as `INVALID_FUNCTION_ARGUMENT`, and `Display`
/// gives Trino's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonFnError {
    /// `json_parse` got text that is not exactly one JSON value; holds that text.
    CannotConvert(String),
    /// `is_json_scalar` got text that is not exactly one JSON value; holds the text as the
    /// message shows it (cut after 10,000 bytes).
    InvalidValue(String),
    /// A path outside Trino's JSONPath dialect; holds the path.
    InvalidPath(String),
}

impl JsonFnError {
    fn invalid_value(text: &str) -> Self {
        // Trino cuts long input so one bad row cannot make a huge error message.
        const LIMIT: usize = 10_000;
        if text.len() <= LIMIT {
            return Self::InvalidValue(text.to_owned());
        }
        Self::InvalidValue(format!(
            "{}...(truncated)",
            String::from_utf8_lossy(&text.as_bytes()[..LIMIT])
        ))
    }
}

impl fmt::Display for JsonFnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::CannotConvert(text) => write!(f, "Cannot convert value to JSON: '{text}'"),
            Self::InvalidValue(shown) => write!(f, "Invalid JSON value: {shown}"),
            Self::InvalidPath(path) => write!(f, "Invalid JSON path: '{path}'"),
        }
    }
}

impl std::error::Error for JsonFnError {}

/// The value `json_array_contains` looks for; Trino has one overload per SQL type and each
/// matches only array elements of the same JSON kind.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum JsonScalar<'a> {
    Boolean(bool),
    /// Matches integer tokens only: `1.0` is not the bigint 1.
    Bigint(i64),
    /// Matches tokens with a fraction or exponent only: `1` is not the double 1.0.
    Double(f64),
    Varchar(&'a str),
}

/// `json_parse(varchar) -> json`: the canonical text of the one JSON value in `text`.
pub fn json_parse(text: &str) -> Result<String, JsonFnError> {
    canonical(text).ok_or_else(|| JsonFnError::CannotConvert(text.to_owned()))
}

/// `json_format(json) -> varchar`: a JSON value is kept as its text already, so this is that text.
pub fn json_format(json: &str) -> String {
    json.to_owned()
}

#[cfg(test)]
/// `json_extract(json, path) -> json`: the value at `path`, or NULL if nothing readable is there.
pub fn json_extract(json: &str, path: &str) -> Result<Option<String>, JsonFnError> {
    Ok(JsonPath::parse(path)?.extract(json))
}

#[cfg(test)]
/// `json_extract_scalar(json, path) -> varchar`: the string, number or boolean at `path` as
/// text; NULL for an object, an array, `null` or nothing.
pub fn json_extract_scalar(json: &str, path: &str) -> Result<Option<String>, JsonFnError> {
    Ok(JsonPath::parse(path)?.extract_scalar(json))
}

#[cfg(test)]
/// `json_size(json, path) -> bigint`: how many members the object or array at `path` has, 0 for
/// a scalar, NULL if nothing readable is there.
pub fn json_size(json: &str, path: &str) -> Result<Option<i64>, JsonFnError> {
    Ok(JsonPath::parse(path)?.size(json))
}

/// `json_array_length(json) -> bigint`: NULL unless the text is an array.
pub fn json_array_length(json: &str) -> Option<i64> {
    let mut lexer = Lexer::new(json);
    if lexer.next_token().ok()?? != Token::StartArray {
        return None;
    }
    let mut length = 0;
    loop {
        let token = lexer.next_token().ok()??;
        if token == Token::EndArray {
            return Some(length);
        }
        lexer.skip_children(&token).ok()?;
        length += 1;
    }
}

/// `json_array_get(json, index) -> json`: the element at a zero-based index, counted from the
/// end when negative. A string element comes back unquoted, and a `null` element as NULL.
pub fn json_array_get(json: &str, index: i64) -> Option<String> {
    if index >= 0 {
        return array_element(json, index);
    }
    // Counting first reads no further than Trino does, which is to the end of the array.
    let length = json_array_length(json)?;
    let from_start = length.checked_add(index)?;
    if from_start < 0 {
        return None;
    }
    array_element(json, from_start)
}

/// `json_array_contains(json, value) -> boolean`: NULL unless the text is an array (or when it
/// turns malformed before a match); only top-level elements count.
pub fn json_array_contains(json: &str, value: JsonScalar<'_>) -> Option<bool> {
    // Trino answers this before looking at the text at all.
    if matches!(value, JsonScalar::Double(d) if !d.is_finite()) {
        return Some(false);
    }
    let mut lexer = Lexer::new(json);
    if lexer.next_token().ok()?? != Token::StartArray {
        return None;
    }
    loop {
        let token = lexer.next_token().ok()??;
        if token == Token::EndArray {
            return Some(false);
        }
        lexer.skip_children(&token).ok()?;
        if element_matches(&token, value) {
            return Some(true);
        }
    }
}

/// `is_json_scalar(json) -> boolean`: whether the one JSON value in the text is not an object
/// or an array; malformed text is an error rather than NULL.
pub fn is_json_scalar(json: &str) -> Result<bool, JsonFnError> {
    let invalid = || JsonFnError::invalid_value(json);
    let mut lexer = Lexer::new(json);
    let first = lexer.next_token().map_err(|_| invalid())?.ok_or_else(invalid)?;
    lexer.skip_children(&first).map_err(|_| invalid())?;
    match lexer.next_token() {
        Ok(None) => Ok(!first.opens()),
        _ => Err(invalid()),
    }
}

/// A path in the dialect Trino's `json_extract` family accepts: `$` followed by `.name`,
/// `[name]`, `["quoted name"]` or `[index]` steps, nothing else (no `*`, `..`, single quotes or
/// whitespace). Parse it once to apply it to many rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonPath {
    steps: Vec<Step>,
}

/// One step: a key for objects, and also an index for arrays when the key reads as one.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Step {
    key: String,
    index: Option<usize>,
}

impl JsonPath {
    /// Trino reads the path before any row, so a bad path is an error whatever the JSON is.
    pub fn parse(path: &str) -> Result<Self, JsonFnError> {
        let invalid = || JsonFnError::InvalidPath(path.to_owned());
        let rest = path.strip_prefix('$').ok_or_else(invalid)?;
        let mut chars = rest.chars().peekable();
        let mut steps = Vec::new();
        while let Some(c) = chars.next() {
            let key = match c {
                '.' => take_while(&mut chars, |c| c == ':' || is_unquoted_key_char(c)),
                '[' if chars.next_if_eq(&'"').is_some() => quoted_key(&mut chars),
                '[' => take_while(&mut chars, is_unquoted_key_char),
                _ => None,
            }
            .ok_or_else(invalid)?;
            if c == '[' && chars.next() != Some(']') {
                return Err(invalid());
            }
            steps.push(Step::new(key));
        }
        Ok(Self { steps })
    }

    /// `json_extract` with this path.
    pub fn extract(&self, json: &str) -> Option<String> {
        let mut lexer = Lexer::new(json);
        let token = self.seek(&mut lexer)?;
        let tree = Tree::read(&mut lexer, token, Keys::AsWritten).ok()?;
        Some(tree.to_json(Escaping::SurrogatePairs))
    }

    /// `json_extract_scalar` with this path.
    pub fn extract_scalar(&self, json: &str) -> Option<String> {
        let mut lexer = Lexer::new(json);
        match self.seek(&mut lexer)? {
            Token::Str(text) => Some(text.into_owned()),
            // Jackson hands back a number's text as written: `1e2` stays `1e2` here.
            Token::Int(text) | Token::Float(text) => Some(text.to_owned()),
            Token::True => Some("true".to_owned()),
            Token::False => Some("false".to_owned()),
            _ => None,
        }
    }

    /// `json_size` with this path.
    pub fn size(&self, json: &str) -> Option<i64> {
        let mut lexer = Lexer::new(json);
        let token = self.seek(&mut lexer)?;
        if !token.opens() {
            return Some(0);
        }
        let array = token == Token::StartArray;
        let mut size = 0;
        loop {
            match lexer.next_token().ok()?? {
                Token::EndArray | Token::EndObject => return Some(size),
                // Duplicate keys count twice: Trino counts names as it reads them.
                Token::Name(_) => size += 1,
                value => {
                    lexer.skip_children(&value).ok()?;
                    size += i64::from(array);
                }
            }
        }
    }

    /// Moves the lexer to the first token of the value the path names.
    fn seek<'a>(&self, lexer: &mut Lexer<'a>) -> Option<Token<'a>> {
        let mut token = lexer.next_token().ok()??;
        for step in &self.steps {
            token = match token {
                Token::StartObject => member(lexer, &step.key)?,
                // Scanning an array for a key that is no index could only end in NULL too.
                Token::StartArray => element(lexer, step.index?)?,
                _ => return None,
            };
        }
        Some(token)
    }
}

impl Step {
    fn new(key: String) -> Self {
        // Like Java's Integer.parseInt: a sign is allowed (`["+1"]`, `["-0"]`), the int range is
        // the limit, and a negative index never matches an element.
        let index = key.parse::<i32>().ok().and_then(|i| usize::try_from(i).ok());
        Self { key, index }
    }
}

/// Java's `Character.isLetterOrDigit` on a UTF-16 unit, so never true outside the BMP.
/// Rust's alphanumeric set is a little wider (it adds letter-like marks and numerals).
fn is_unquoted_key_char(c: char) -> bool {
    c == '_' || (c <= '\u{FFFF}' && c.is_alphanumeric())
}

fn take_while(chars: &mut std::iter::Peekable<std::str::Chars<'_>>, keep: impl Fn(char) -> bool) -> Option<String> {
    let mut key = String::new();
    while let Some(c) = chars.next_if(|c| keep(*c)) {
        key.push(c);
    }
    (!key.is_empty()).then_some(key)
}

/// The key inside `["..."]`, after the opening quote; only `\"` and `\\` are escapes.
fn quoted_key(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Option<String> {
    let mut key = String::new();
    loop {
        match chars.next()? {
            '"' => return Some(key),
            '\\' => key.push(chars.next().filter(|c| matches!(c, '"' | '\\'))?),
            c => key.push(c),
        }
    }
}

/// Reads an object's members up to `key` and returns its value's first token. Trino takes the
/// first of duplicate keys here.
fn member<'a>(lexer: &mut Lexer<'a>, key: &str) -> Option<Token<'a>> {
    loop {
        match lexer.next_token().ok()?? {
            Token::Name(name) if name == key => return lexer.next_token().ok()?,
            Token::Name(_) => {
                let value = lexer.next_token().ok()??;
                lexer.skip_children(&value).ok()?;
            }
            _ => return None,
        }
    }
}

/// Reads an array's elements up to `index` and returns that element's first token.
fn element<'a>(lexer: &mut Lexer<'a>, index: usize) -> Option<Token<'a>> {
    for _ in 0..index {
        let token = lexer.next_token().ok()??;
        if token == Token::EndArray {
            return None;
        }
        lexer.skip_children(&token).ok()?;
    }
    Some(lexer.next_token().ok()??).filter(|token| *token != Token::EndArray)
}

fn array_element(json: &str, index: i64) -> Option<String> {
    let mut lexer = Lexer::new(json);
    if lexer.next_token().ok()?? != Token::StartArray {
        return None;
    }
    match element(&mut lexer, usize::try_from(index).ok()?)? {
        Token::Str(text) => Some(text.into_owned()),
        Token::Int(text) | Token::Float(text) => Some(text.to_owned()),
        Token::True => Some("true".to_owned()),
        Token::False => Some("false".to_owned()),
        Token::Null => None,
        container => Some(
            Tree::read(&mut lexer, container, Keys::LastWins)
                .ok()?
                .to_json(Escaping::Raw),
        ),
    }
}

fn element_matches(token: &Token<'_>, value: JsonScalar<'_>) -> bool {
    match (token, value) {
        (Token::True, JsonScalar::Boolean(b)) => b,
        (Token::False, JsonScalar::Boolean(b)) => !b,
        (Token::Int(text), JsonScalar::Bigint(n)) => text.parse::<i64>() == Ok(n),
        (Token::Float(text), JsonScalar::Double(d)) => text.parse::<f64>().is_ok_and(|x| x.is_finite() && x == d),
        (Token::Str(text), JsonScalar::Varchar(s)) => text == s,
        _ => false,
    }
}

fn canonical(text: &str) -> Option<String> {
    let mut lexer = Lexer::new(text);
    let first = lexer.next_token().ok()??;
    let tree = Tree::read(&mut lexer, first, Keys::Sorted).ok()?;
    // Anything after the value, even another valid value, makes the text unparseable.
    matches!(lexer.next_token(), Ok(None)).then(|| tree.to_json(Escaping::SurrogatePairs))
}

/// The text is not JSON where it was read.
#[derive(Debug)]
struct Malformed;

#[derive(Debug, Clone, PartialEq)]
enum Token<'a> {
    StartObject,
    EndObject,
    StartArray,
    EndArray,
    Name(Cow<'a, str>),
    Str(Cow<'a, str>),
    /// A number without fraction or exponent, as written.
    Int(&'a str),
    /// A number with a fraction or exponent, as written.
    Float(&'a str),
    True,
    False,
    Null,
}

impl Token<'_> {
    fn opens(&self) -> bool {
        matches!(self, Token::StartObject | Token::StartArray)
    }
}

/// Where the lexer is inside an open array or object, to know which separator comes next.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Frame {
    ArrayStart,
    ArrayNext,
    ObjectStart,
    ObjectValue,
    ObjectNext,
}

/// A pull tokenizer with Jackson's strictness (no comments, single quotes, trailing commas,
/// leading zeros, NaN) and its laziness: nothing past the last token asked for is examined.
struct Lexer<'a> {
    text: &'a str,
    pos: usize,
    frames: Vec<Frame>,
}

impl<'a> Lexer<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text,
            pos: 0,
            frames: Vec::new(),
        }
    }

    /// The next token; `None` at the end of the text between top-level values. Like Jackson, a
    /// second top-level value is simply the next token: callers decide whether that is an error.
    fn next_token(&mut self) -> Result<Option<Token<'a>>, Malformed> {
        self.skip_whitespace();
        let Some(frame) = self.frames.last().copied() else {
            return if self.pos == self.text.len() {
                Ok(None)
            } else {
                self.value(true).map(Some)
            };
        };
        let byte = self.peek().ok_or(Malformed)?;
        let token = match frame {
            Frame::ArrayStart | Frame::ArrayNext if byte == b']' => self.close(Token::EndArray),
            Frame::ObjectStart | Frame::ObjectNext if byte == b'}' => self.close(Token::EndObject),
            Frame::ArrayStart | Frame::ArrayNext => {
                if frame == Frame::ArrayNext {
                    self.separator(b',')?;
                }
                self.set_frame(Frame::ArrayNext);
                self.value(false)?
            }
            Frame::ObjectStart | Frame::ObjectNext => {
                if frame == Frame::ObjectNext {
                    self.separator(b',')?;
                }
                self.separator(b'"')?;
                let name = self.string()?;
                self.skip_whitespace();
                self.separator(b':')?;
                self.set_frame(Frame::ObjectValue);
                Token::Name(name)
            }
            Frame::ObjectValue => {
                self.set_frame(Frame::ObjectNext);
                self.value(false)?
            }
        };
        Ok(Some(token))
    }

    /// After an opening token, reads up to and including its closing token.
    fn skip_children(&mut self, token: &Token<'a>) -> Result<(), Malformed> {
        if token.opens() {
            let depth = self.frames.len() - 1;
            while self.frames.len() > depth {
                self.next_token()?.ok_or(Malformed)?;
            }
        }
        Ok(())
    }

    fn value(&mut self, top_level: bool) -> Result<Token<'a>, Malformed> {
        match self.peek().ok_or(Malformed)? {
            b'{' => Ok(self.open(Frame::ObjectStart, Token::StartObject)),
            b'[' => Ok(self.open(Frame::ArrayStart, Token::StartArray)),
            b'"' => {
                self.pos += 1;
                self.string().map(Token::Str)
            }
            b't' => self.keyword("true", Token::True),
            b'f' => self.keyword("false", Token::False),
            b'n' => self.keyword("null", Token::Null),
            b'-' | b'0'..=b'9' => self.number(top_level),
            _ => Err(Malformed),
        }
    }

    fn open(&mut self, frame: Frame, token: Token<'a>) -> Token<'a> {
        self.pos += 1;
        self.frames.push(frame);
        token
    }

    fn close(&mut self, token: Token<'a>) -> Token<'a> {
        self.pos += 1;
        self.frames.pop();
        token
    }

    fn set_frame(&mut self, frame: Frame) {
        if let Some(top) = self.frames.last_mut() {
            *top = frame;
        }
    }

    fn separator(&mut self, expected: u8) -> Result<(), Malformed> {
        if !self.eat(expected) {
            return Err(Malformed);
        }
        if expected == b',' {
            self.skip_whitespace();
        }
        Ok(())
    }

    fn keyword(&mut self, word: &str, token: Token<'a>) -> Result<Token<'a>, Malformed> {
        if !self.text[self.pos..].starts_with(word) {
            return Err(Malformed);
        }
        self.pos += word.len();
        // Jackson rejects a keyword that runs on into a Java identifier (`truex`, `null1`), not
        // one followed by punctuation, which fails later if at all.
        match self.text[self.pos..].chars().next() {
            Some(c) if c >= '0' && c != ']' && c != '}' && is_java_identifier_part(c) => Err(Malformed),
            _ => Ok(token),
        }
    }

    fn number(&mut self, top_level: bool) -> Result<Token<'a>, Malformed> {
        let start = self.pos;
        self.eat(b'-');
        match self.peek() {
            Some(b'0') if self.bytes().get(self.pos + 1).is_some_and(u8::is_ascii_digit) => return Err(Malformed),
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.skip_digits(),
            _ => return Err(Malformed),
        }
        let mut float = false;
        if self.eat(b'.') {
            float = true;
            self.require_digits()?;
        }
        if self.eat(b'e') || self.eat(b'E') {
            float = true;
            let _signed = self.eat(b'+') || self.eat(b'-');
            self.require_digits()?;
        }
        // Jackson wants whitespace or the end after a top-level number (`1x` is malformed), but
        // checks nothing after one inside an array or object until the next token is read.
        if top_level && !matches!(self.peek(), None | Some(b' ' | b'\t' | b'\n' | b'\r')) {
            return Err(Malformed);
        }
        let text = &self.text[start..self.pos];
        Ok(if float { Token::Float(text) } else { Token::Int(text) })
    }

    /// A string's content, the opening quote already read.
    fn string(&mut self) -> Result<Cow<'a, str>, Malformed> {
        let start = self.pos;
        self.skip_plain_chars();
        if self.eat(b'"') {
            return Ok(Cow::Borrowed(&self.text[start..self.pos - 1]));
        }
        let mut owned = self.text[start..self.pos].to_owned();
        loop {
            match self.bump().ok_or(Malformed)? {
                b'"' => return Ok(Cow::Owned(owned)),
                b'\\' => owned.push(self.escape()?),
                // An unescaped control character.
                _ => return Err(Malformed),
            }
            let run = self.pos;
            self.skip_plain_chars();
            owned.push_str(&self.text[run..self.pos]);
        }
    }

    /// Moves past characters that stand for themselves inside a string; stops only at ASCII
    /// bytes, so the positions it leaves are always character boundaries.
    fn skip_plain_chars(&mut self) {
        while self.peek().is_some_and(|b| b != b'"' && b != b'\\' && b >= 0x20) {
            self.pos += 1;
        }
    }

    fn escape(&mut self) -> Result<char, Malformed> {
        Ok(match self.bump().ok_or(Malformed)? {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => return self.unicode_escape(),
            _ => return Err(Malformed),
        })
    }

    fn unicode_escape(&mut self) -> Result<char, Malformed> {
        let unit = self.hex4()?;
        let code = match unit {
            0xD800..=0xDBFF => {
                if !self.text[self.pos..].starts_with("\\u") {
                    return Err(Malformed);
                }
                self.pos += 2;
                let low = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&low) {
                    return Err(Malformed);
                }
                0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
            }
            _ => unit,
        };
        char::from_u32(code).ok_or(Malformed)
    }

    fn hex4(&mut self) -> Result<u32, Malformed> {
        let digits = self.text.get(self.pos..self.pos + 4).ok_or(Malformed)?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Malformed);
        }
        self.pos += 4;
        u32::from_str_radix(digits, 16).map_err(|_| Malformed)
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn skip_digits(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
    }

    fn require_digits(&mut self) -> Result<(), Malformed> {
        let start = self.pos;
        self.skip_digits();
        if self.pos == start { Err(Malformed) } else { Ok(()) }
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    fn peek(&self) -> Option<u8> {
        self.bytes().get(self.pos).copied()
    }

    fn bump(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.pos += 1;
        Some(byte)
    }

    fn eat(&mut self, expected: u8) -> bool {
        let found = self.peek() == Some(expected);
        if found {
            self.pos += 1;
        }
        found
    }
}

/// Close to Java's `Character.isJavaIdentifierPart` for what can follow a keyword.
fn is_java_identifier_part(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$' || ('\u{7f}'..='\u{9f}').contains(&c)
}

/// What happens to an object's members when the value is rebuilt.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Keys {
    /// Jackson copying tokens (`json_extract`): every member, in order.
    AsWritten,
    /// Jackson's tree (`json_array_get`): the last of duplicates wins, in the first one's place.
    LastWins,
    /// Jackson's sorted map (`json_parse`): the last of duplicates wins, keys in Java order.
    Sorted,
}

/// How characters outside the BMP are written: Jackson's byte-stream generator escapes them as
/// surrogate pairs, its character writer does not.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Escaping {
    SurrogatePairs,
    Raw,
}

/// A value read out of the text, its containers holding indexes into `nodes`, so that neither
/// building, writing nor dropping it recurses however deep the JSON nests.
struct Tree<'a> {
    nodes: Vec<Node<'a>>,
}

enum Node<'a> {
    Array(Vec<usize>),
    Object(Vec<(Cow<'a, str>, usize)>),
    /// A scalar token.
    Leaf(Token<'a>),
}

/// A container being read: its node and, in an object, the name waiting for its value.
struct Open<'a> {
    node: usize,
    name: Option<Cow<'a, str>>,
}

impl<'a> Tree<'a> {
    /// Reads the value whose first token is `first`; the root is node 0.
    fn read(lexer: &mut Lexer<'a>, first: Token<'a>, keys: Keys) -> Result<Self, Malformed> {
        let mut nodes = Vec::new();
        let mut open: Vec<Open<'a>> = Vec::new();
        let mut token = first;
        loop {
            let done = match token {
                Token::StartArray | Token::StartObject => {
                    open.push(Open {
                        node: nodes.len(),
                        name: None,
                    });
                    let empty = if token == Token::StartArray {
                        Node::Array(Vec::new())
                    } else {
                        Node::Object(Vec::new())
                    };
                    nodes.push(empty);
                    None
                }
                Token::Name(name) => {
                    open.last_mut().ok_or(Malformed)?.name = Some(name);
                    None
                }
                Token::EndArray | Token::EndObject => {
                    let node = open.pop().ok_or(Malformed)?.node;
                    if let Node::Object(members) = &mut nodes[node] {
                        arrange(members, keys);
                    }
                    Some(node)
                }
                leaf => {
                    nodes.push(Node::Leaf(leaf));
                    Some(nodes.len() - 1)
                }
            };
            if let Some(child) = done {
                let Some(parent) = open.last_mut() else {
                    return Ok(Self { nodes });
                };
                match &mut nodes[parent.node] {
                    Node::Array(items) => items.push(child),
                    Node::Object(members) => members.push((parent.name.take().ok_or(Malformed)?, child)),
                    Node::Leaf(_) => return Err(Malformed),
                }
            }
            token = lexer.next_token()?.ok_or(Malformed)?;
        }
    }

    /// Compact JSON text, the way Jackson writes it.
    fn to_json(&self, escaping: Escaping) -> String {
        let mut out = String::new();
        // Each open container with the position of its next child.
        let mut stack: Vec<(usize, usize)> = Vec::new();
        self.begin(0, escaping, &mut out, &mut stack);
        while let Some(&(node, next)) = stack.last() {
            let (name, child) = match &self.nodes[node] {
                Node::Array(items) => (None, items.get(next).copied()),
                Node::Object(members) => match members.get(next) {
                    Some((name, child)) => (Some(name), Some(*child)),
                    None => (None, None),
                },
                Node::Leaf(_) => (None, None),
            };
            let Some(child) = child else {
                out.push(if matches!(self.nodes[node], Node::Array(_)) {
                    ']'
                } else {
                    '}'
                });
                stack.pop();
                continue;
            };
            if next > 0 {
                out.push(',');
            }
            if let Some(top) = stack.last_mut() {
                top.1 += 1;
            }
            if let Some(name) = name {
                write_string(&mut out, name, escaping);
                out.push(':');
            }
            self.begin(child, escaping, &mut out, &mut stack);
        }
        out
    }

    /// Writes a scalar whole, or a container's opening bracket and leaves it on the stack.
    fn begin(&self, node: usize, escaping: Escaping, out: &mut String, stack: &mut Vec<(usize, usize)>) {
        match &self.nodes[node] {
            Node::Array(_) => {
                out.push('[');
                stack.push((node, 0));
            }
            Node::Object(_) => {
                out.push('{');
                stack.push((node, 0));
            }
            Node::Leaf(token) => write_leaf(out, token, escaping),
        }
    }
}

fn arrange(members: &mut Vec<(Cow<'_, str>, usize)>, keys: Keys) {
    if keys == Keys::AsWritten || members.len() < 2 {
        return;
    }
    let mut place: HashMap<Cow<'_, str>, usize> = HashMap::with_capacity(members.len());
    let mut kept: Vec<(Cow<'_, str>, usize)> = Vec::with_capacity(members.len());
    for (name, node) in members.drain(..) {
        match place.get(&name) {
            Some(&at) => kept[at].1 = node,
            None => {
                place.insert(name.clone(), kept.len());
                kept.push((name, node));
            }
        }
    }
    if keys == Keys::Sorted {
        // Java compares strings by UTF-16 unit, which differs from Rust's order above U+FFFF.
        kept.sort_by(|(a, _), (b, _)| a.encode_utf16().cmp(b.encode_utf16()));
    }
    *members = kept;
}

fn write_leaf(out: &mut String, token: &Token<'_>, escaping: Escaping) {
    match token {
        Token::Str(text) => write_string(out, text, escaping),
        // Jackson re-writes integers from their value, which only changes `-0`.
        Token::Int(text) => out.push_str(if *text == "-0" { "0" } else { text }),
        Token::Float(text) => write_double(out, text.parse().unwrap_or(f64::NAN)),
        Token::True => out.push_str("true"),
        Token::False => out.push_str("false"),
        _ => out.push_str("null"),
    }
}

fn write_double(out: &mut String, value: f64) {
    if value.is_finite() {
        out.push_str(&double_to_string(value));
    } else {
        // Jackson quotes what JSON has no number for (`1e400` overflows to Infinity).
        out.push('"');
        out.push_str(&double_to_string(value));
        out.push('"');
    }
}

/// A JSON string literal with Jackson's escapes: the short forms for `"`, `\` and the five
/// common controls, `\u00XX` (upper-case hex) for the other controls, `/` left alone.
fn write_string(out: &mut String, text: &str, escaping: Escaping) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if c < ' ' => push_unicode_escape(out, c as u16),
            c if escaping == Escaping::SurrogatePairs && c > '\u{FFFF}' => {
                for unit in c.encode_utf16(&mut [0; 2]) {
                    push_unicode_escape(out, *unit);
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn push_unicode_escape(out: &mut String, unit: u16) {
    // Writing into a String cannot fail.
    let _ = write!(out, "\\u{unit:04X}");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extract(json: &str, path: &str) -> Option<String> {
        json_extract(json, path).unwrap()
    }

    fn scalar(json: &str, path: &str) -> Option<String> {
        json_extract_scalar(json, path).unwrap()
    }

    fn size(json: &str, path: &str) -> Option<i64> {
        json_size(json, path).unwrap()
    }

    fn parse(text: &str) -> String {
        json_parse(text).unwrap()
    }

    fn some(text: &str) -> Option<String> {
        Some(text.to_owned())
    }

    fn path_error(path: &str) -> String {
        JsonPath::parse(path).unwrap_err().to_string()
    }

    #[test]
    fn json_parse_is_compact_with_sorted_keys() {
        assert_eq!(parse("[1, 2, 3]"), "[1,2,3]");
        assert_eq!(
            parse(r#" { "b" : [1, {"z": 1, "y": null}], "a": "x" } "#),
            r#"{"a":"x","b":[1,{"y":null,"z":1}]}"#
        );
        assert_eq!(parse(r#"{"x": null}"#), r#"{"x":null}"#);
        assert_eq!(parse("{}"), "{}");
        assert_eq!(parse("[]"), "[]");
    }

    #[test]
    fn json_parse_accepts_top_level_scalars() {
        assert_eq!(parse(r#""abc""#), r#""abc""#);
        assert_eq!(parse("42"), "42");
        assert_eq!(parse("true"), "true");
        assert_eq!(parse("null"), "null");
        assert_eq!(parse(" 128\n"), "128");
    }

    #[test]
    fn json_parse_keeps_the_last_duplicate_key() {
        assert_eq!(parse(r#"{"a": 1, "b": 2, "a": 3}"#), r#"{"a":3,"b":2}"#);
    }

    #[test]
    fn json_parse_sorts_keys_in_utf16_order() {
        // U+FF5E sorts after U+1F600 in UTF-16 (0xFF5E > 0xD83D) though before it by code point.
        assert_eq!(
            parse("{\"\u{1F600}\": 1, \"\u{FF5E}\": 2, \"B\": 3, \"a\": 4}"),
            "{\"B\":3,\"a\":4,\"\\uD83D\\uDE00\":1,\"\u{FF5E}\":2}"
        );
    }

    #[test]
    fn json_parse_prints_integers_exactly() {
        assert_eq!(parse("9223372036854775807"), "9223372036854775807");
        assert_eq!(
            parse("[12345678901234567890123, -5, -0]"),
            "[12345678901234567890123,-5,0]"
        );
    }

    #[test]
    fn json_parse_prints_decimals_as_java_doubles() {
        assert_eq!(
            parse("[1.0, 1.50, 1e2, 1E+2, 0.1, -2.5e-3]"),
            "[1.0,1.5,100.0,100.0,0.1,-0.0025]"
        );
        assert_eq!(
            parse("[1234567.0, 12345678.9, 0.001, 0.0001]"),
            "[1234567.0,1.23456789E7,0.001,1.0E-4]"
        );
        assert_eq!(parse("[1e23, 1.5e300, -0.0, 0e5]"), "[1.0E23,1.5E300,-0.0,0.0]");
        assert_eq!(
            parse("123456789012345678901234567890.12345678"),
            "1.2345678901234568E29"
        );
        assert_eq!(parse("[1e400, -1e400, 1e-400]"), r#"["Infinity","-Infinity",0.0]"#);
        assert_eq!(parse("[5e-324, 2e-3]"), "[4.9E-324,0.002]");
    }

    #[test]
    fn json_parse_escapes_like_jackson() {
        assert_eq!(
            parse(r#""a\/b\u0041\t\u0001\u001f\u007f""#),
            "\"a/bA\\t\\u0001\\u001F\u{7f}\""
        );
        assert_eq!(parse(r#""\b\f\n\r\"\\""#), r#""\b\f\n\r\"\\""#);
        assert_eq!(parse("\"caf\u{e9} \u{1F600}\""), "\"caf\u{e9} \\uD83D\\uDE00\"");
        assert_eq!(parse(r#""\ud83d\ude00""#), r#""\uD83D\uDE00""#);
    }

    #[test]
    fn json_parse_rejects_what_jackson_rejects() {
        for text in [
            "",
            " ",
            "INVALID",
            "\"x\": 1",
            "[1,]",
            "[,1]",
            "{\"a\":1,}",
            "{a:1}",
            "{'a':1}",
            "'a'",
            "[01]",
            "-",
            "1.",
            ".5",
            "+1",
            "1e",
            "NaN",
            "Infinity",
            "[1] [2]",
            "{} \"a\"",
            "{}{",
            "{}abc",
            "1 2",
            "1x",
            "truex",
            "nul",
            "[1",
            "\"abc",
            "\"a\\x\"",
            "\"a\tb\"",
            "\"\\ud800\"",
            "// c\n1",
            "[1]//",
            "\u{a0}1",
        ] {
            assert!(json_parse(text).is_err(), "{text:?}");
        }
    }

    #[test]
    fn json_parse_error_quotes_the_whole_input() {
        assert_eq!(
            json_parse("not_json").unwrap_err().to_string(),
            "Cannot convert value to JSON: 'not_json'"
        );
        assert_eq!(
            json_parse("").unwrap_err().to_string(),
            "Cannot convert value to JSON: ''"
        );
    }

    #[test]
    fn json_format_returns_the_json_text() {
        assert_eq!(json_format(r#"["a","b"]"#), r#"["a","b"]"#);
        assert_eq!(json_format(&parse(r#"{"b": 2, "a": 1}"#)), r#"{"a":1,"b":2}"#);
    }

    #[test]
    fn json_extract_follows_dot_and_bracket_steps() {
        assert_eq!(extract("{}", "$"), some("{}"));
        assert_eq!(extract(r#"{"fuu": {"bar": 1}}"#, "$.fuu"), some(r#"{"bar":1}"#));
        assert_eq!(extract(r#"{"fuu": 1}"#, "$[fuu]"), some("1"));
        assert_eq!(extract(r#"{"fuu": 1}"#, r#"$["fuu"]"#), some("1"));
        assert_eq!(extract(r#"{"fuu": [0, [100, 101], 2]}"#, "$.fuu[1]"), some("[100,101]"));
        assert_eq!(
            extract(r#"{"fuu": [0, [100, 101], 2]}"#, r#"$["fuu"][1][1]"#),
            some("101")
        );
        assert_eq!(
            extract(r#"{"@$fuu": {".b.ar": 1}}"#, r#"$["@$fuu"]"#),
            some(r#"{".b.ar":1}"#)
        );
        assert_eq!(extract(r#"{"15day": 0, "30day": 1}"#, "$.30day"), some("1"));
        assert_eq!(extract(r#"{"a:b": 7}"#, "$.a:b"), some("7"));
        assert_eq!(extract(r#"{"": 8}"#, r#"$[""]"#), some("8"));
    }

    #[test]
    fn json_extract_returns_json_text() {
        assert_eq!(extract(r#"{"fuu": null}"#, "$.fuu"), some("null"));
        assert_eq!(extract(r#"{"fuu": 1, "bar": "abc"}"#, "$.bar"), some(r#""abc""#));
        assert_eq!(extract(r#"{"fuu": ["\u0001"]}"#, "$.fuu[0]"), some(r#""\u0001""#));
        assert_eq!(extract(r#""abc""#, "$"), some(r#""abc""#));
        assert_eq!(extract("123", "$"), some("123"));
        assert_eq!(extract("null", "$"), some("null"));
    }

    #[test]
    fn json_extract_keeps_order_and_duplicates() {
        assert_eq!(
            extract(r#"{"a": {"z": 1, "y": 2, "z": 3}}"#, "$.a"),
            some(r#"{"z":1,"y":2,"z":3}"#)
        );
    }

    #[test]
    fn json_extract_takes_the_first_duplicate_key() {
        assert_eq!(extract(r#"{"a": 1, "a": 2}"#, "$.a"), some("1"));
    }

    #[test]
    fn json_extract_copies_numbers_through_doubles() {
        assert_eq!(
            extract(r#"{"a": [1e2, 0.1, 1.50, -0, 12345678901234567890]}"#, "$.a"),
            some("[100.0,0.1,1.5,0,12345678901234567890]")
        );
        assert_eq!(extract("[1e400]", "$[0]"), some(r#""Infinity""#));
    }

    #[test]
    fn json_extract_escapes_supplementary_characters() {
        assert_eq!(
            extract("{\"a\": \"\u{e9}\u{1F600}\"}", "$.a"),
            some("\"\u{e9}\\uD83D\\uDE00\"")
        );
    }

    #[test]
    fn numeric_steps_apply_to_arrays_and_objects() {
        assert_eq!(extract("[0, 1, 2]", "$.1"), some("1"));
        assert_eq!(extract("[0, 1, 2]", "$[1]"), some("1"));
        assert_eq!(extract("[0, 1, 2]", r#"$["1"]"#), some("1"));
        assert_eq!(extract(r#"{"0": 0, "1": 1}"#, "$[1]"), some("1"));
        assert_eq!(extract("[0, 1, 2]", "$[01]"), some("1"));
        assert_eq!(extract("[0, 1, 2]", r#"$["+2"]"#), some("2"));
        assert_eq!(extract("[0, 1, 2]", r#"$["-0"]"#), some("0"));
        assert_eq!(extract("[0, 1, 2]", r#"$["-1"]"#), None);
        assert_eq!(extract("[0, 1, 2]", "$[3]"), None);
        assert_eq!(extract("[0, 1, 2]", "$[99999999999]"), None);
        assert_eq!(extract("[0, 1, 2]", "$.a"), None);
    }

    #[test]
    fn json_extract_is_null_when_nothing_is_there() {
        assert_eq!(extract(r#"{"fuu": 1}"#, "$.bar"), None);
        assert_eq!(extract(r#"{"fuu": 1}"#, "$.fuu.bar"), None);
        assert_eq!(extract(r#""abc""#, "$.a"), None);
        assert_eq!(extract("", "$"), None);
        assert_eq!(extract("  ", "$"), None);
    }

    #[test]
    fn json_extract_is_null_for_malformed_text_before_the_value() {
        assert_eq!(extract("INVALID", "$"), None);
        assert_eq!(extract(r#"{"a": tru, "b": 1}"#, "$.b"), None);
        assert_eq!(extract(r#"{"a": [1,,2], "b": 1}"#, "$.b"), None);
        assert_eq!(extract(r#"{"a": {"b": 1}"#, "$.a.c"), None);
        assert_eq!(extract("1x", "$"), None);
        assert_eq!(extract(r#"{"a": [1, 2}"#, "$.a"), None);
    }

    #[test]
    fn json_extract_ignores_text_after_the_value() {
        assert_eq!(extract(r#"{"0": 0, "1": 1, "2": 2, }"#, "$.1"), some("1"));
        assert_eq!(extract("[1] garbage", "$"), some("[1]"));
        assert_eq!(extract("1 2", "$"), some("1"));
        assert_eq!(extract(r#"{"a": 1, "b": oops"#, "$.a"), some("1"));
        assert_eq!(scalar("[1x]", "$[0]"), some("1"));
    }

    #[test]
    fn json_extract_scalar_unquotes_and_keeps_number_text() {
        assert_eq!(scalar(r#"{"fuu": 1, "bar": "abc"}"#, "$.bar"), some("abc"));
        assert_eq!(scalar(r#"{"fuu": [0.1, 1, 2]}"#, "$.fuu[0]"), some("0.1"));
        assert_eq!(scalar(r#"{"a": [1e2, 1.50, -0, true, false]}"#, "$.a[0]"), some("1e2"));
        assert_eq!(scalar(r#"{"a": [1e2, 1.50, -0, true, false]}"#, "$.a[1]"), some("1.50"));
        assert_eq!(scalar(r#"{"a": [1e2, 1.50, -0, true, false]}"#, "$.a[2]"), some("-0"));
        assert_eq!(scalar(r#"{"a": [1e2, 1.50, -0, true, false]}"#, "$.a[3]"), some("true"));
        assert_eq!(
            scalar(r#"{"a": [1e2, 1.50, -0, true, false]}"#, "$.a[4]"),
            some("false")
        );
        assert_eq!(scalar(r#"{"fuu": ["\u0001"]}"#, "$.fuu[0]"), some("\u{1}"));
        assert_eq!(
            scalar(r#"{"a": "x\"y\\z \ud83d\ude00"}"#, "$.a"),
            some("x\"y\\z \u{1F600}")
        );
        assert_eq!(scalar(r#""abc""#, "$"), some("abc"));
        assert_eq!(scalar(r#""""#, "$"), some(""));
        assert_eq!(scalar("123", "$"), some("123"));
        assert_eq!(
            scalar(
                r#"{"fuu": [0, {"bar": {"key" : ["value"]}}, 2]}"#,
                "$.fuu[1].bar.key[0]"
            ),
            some("value")
        );
    }

    #[test]
    fn json_extract_scalar_is_null_for_non_scalars() {
        assert_eq!(scalar("{}", "$"), None);
        assert_eq!(scalar(r#"{"fuu": {"bar": 1}}"#, "$.fuu"), None);
        assert_eq!(scalar(r#"{"fuu": [0, [100, 101], 2]}"#, "$.fuu[1]"), None);
        assert_eq!(scalar(r#"{"fuu": null}"#, "$.fuu"), None);
        assert_eq!(scalar("null", "$"), None);
        assert_eq!(scalar(r#"{"fuu": 1}"#, "$.bar"), None);
        assert_eq!(scalar(r#"{"a": "bad \x escape"}"#, "$.a"), None);
    }

    #[test]
    fn path_tokens_follow_trino() {
        let steps = |path: &str| {
            JsonPath::parse(path)
                .unwrap()
                .steps
                .into_iter()
                .map(|s| s.key)
                .collect::<Vec<_>>()
        };
        assert_eq!(steps("$"), Vec::<String>::new());
        assert_eq!(steps("$.foo"), ["foo"]);
        assert_eq!(steps(r#"$["foo.bar"]"#), ["foo.bar"]);
        assert_eq!(steps("$.foo.42.bar.63"), ["foo", "42", "bar", "63"]);
        assert_eq!(steps("$.foo_42._bar63"), ["foo_42", "_bar63"]);
        assert_eq!(steps("$[foo_42][_bar63]"), ["foo_42", "_bar63"]);
        assert_eq!(steps("$.foo:42.:bar63"), ["foo:42", ":bar63"]);
        assert_eq!(steps(r#"$["!@#$%^&*()[]{}/?'"]"#), ["!@#$%^&*()[]{}/?'"]);
        assert_eq!(steps(r#"$["a\\b\""]"#), ["a\\b\""]);
        assert_eq!(steps("$[\"tab\there\"]"), ["tab\there"]);
        assert_eq!(steps("$.caf\u{e9}"), ["caf\u{e9}"]);
    }

    #[test]
    fn invalid_paths_are_errors() {
        for path in [
            "",
            " ",
            ".",
            "null",
            "$.",
            "$..a",
            "$[*]",
            "$.*",
            "$['a']",
            "$[]",
            "$[\"a\"",
            "$[\"a\\ \"]",
            "$[\"a\\\"]",
            "$[foo:bar]",
            " $.x",
            "$.x ",
            "$. x",
            "$ .x",
            "$\n.x",
            "$.x [42]",
            "$.x[ 42]",
            "$.x[42 ]",
            "$.x[ \"foo\"]",
            "$.x[\"foo\" ]",
            "$.foo-bar",
            "$[-1]",
            "$.-1.1",
            "a.b",
            "$.\u{1F600}",
        ] {
            assert!(JsonPath::parse(path).is_err(), "{path:?}");
        }
    }

    #[test]
    fn invalid_path_message_quotes_the_path() {
        assert_eq!(path_error(""), "Invalid JSON path: ''");
        assert_eq!(path_error(" "), "Invalid JSON path: ' '");
        assert_eq!(path_error("$.a b"), "Invalid JSON path: '$.a b'");
    }

    #[test]
    fn a_bad_path_fails_even_for_bad_json() {
        assert_eq!(
            json_extract("not json", "$.").unwrap_err(),
            JsonFnError::InvalidPath("$.".to_owned())
        );
        assert!(json_extract_scalar("{}", "$[*]").is_err());
        assert!(json_size("[]", "null").is_err());
    }

    #[test]
    fn a_compiled_path_matches_the_functions() {
        let path = JsonPath::parse("$.a[1]").unwrap();
        assert_eq!(path.extract(r#"{"a": [1, {"b": 2}]}"#), some(r#"{"b":2}"#));
        assert_eq!(path.extract_scalar(r#"{"a": [1, "x"]}"#), some("x"));
        assert_eq!(path.size(r#"{"a": [1, [1, 2]]}"#), Some(2));
    }

    #[test]
    fn json_size_counts_members() {
        assert_eq!(size(r#"{"x": {"a" : 1, "b" : 2} }"#, "$"), Some(1));
        assert_eq!(size(r#"{"x": {"a" : 1, "b" : 2} }"#, "$.x"), Some(2));
        assert_eq!(
            size(r#"{"x": {"a" : 1, "b" : [1,2,3], "c" : {"w":9}} }"#, "$.x"),
            Some(3)
        );
        assert_eq!(size(r#"{"x": {"a" : 1, "b" : 2} }"#, "$.x.a"), Some(0));
        assert_eq!(size("[1,2,3]", "$"), Some(3));
        assert_eq!(size("[[1, 2], {\"a\": [3]}, []]", "$"), Some(3));
        assert_eq!(size("[]", "$"), Some(0));
        assert_eq!(size(r#"{"a": null}"#, "$.a"), Some(0));
        assert_eq!(size(r#""abc""#, "$"), Some(0));
    }

    #[test]
    fn json_size_counts_duplicate_keys() {
        assert_eq!(size(r#"{"a": 1, "a": 2}"#, "$"), Some(2));
    }

    #[test]
    fn json_size_is_null_when_unreadable() {
        assert_eq!(size("INVALID_JSON", "$"), None);
        assert_eq!(size("[1, 2", "$"), None);
        assert_eq!(size(r#"{"x": 1}"#, "$.y"), None);
        assert_eq!(size("", "$"), None);
    }

    #[test]
    fn invalid_json_size_paths_match_trino_messages() {
        assert_eq!(
            json_size(r#"{"":""}"#, "").unwrap_err().to_string(),
            "Invalid JSON path: ''"
        );
        assert_eq!(
            json_size(r#"{"":""}"#, ".").unwrap_err().to_string(),
            "Invalid JSON path: '.'"
        );
        assert_eq!(
            json_size(r#"{"":""}"#, "null").unwrap_err().to_string(),
            "Invalid JSON path: 'null'"
        );
    }

    #[test]
    fn json_array_length_counts_top_level_elements() {
        assert_eq!(json_array_length("[]"), Some(0));
        assert_eq!(json_array_length("[1]"), Some(1));
        assert_eq!(json_array_length(r#"[1, "foo", null]"#), Some(3));
        assert_eq!(json_array_length(r#"[2, 4, {"a": [8, 9]}, [], [5], 4]"#), Some(6));
        assert_eq!(json_array_length("[1, 2] trailing"), Some(2));
    }

    #[test]
    fn json_array_length_is_null_unless_an_array() {
        for json in ["", "1", "{}", r#"{"a": [1]}"#, "[", "[1,", "[1,]", "[1 2]", "nope"] {
            assert_eq!(json_array_length(json), None, "{json:?}");
        }
    }

    #[test]
    fn json_array_get_returns_elements() {
        assert_eq!(json_array_get("[1]", 0), some("1"));
        assert_eq!(json_array_get("[2, 7, 4]", 1), some("7"));
        assert_eq!(json_array_get("[2, 7, 4, 6, 8, 1, 0]", 6), some("0"));
        assert_eq!(json_array_get("[3.14, 1.0, 1e2]", 0), some("3.14"));
        assert_eq!(json_array_get("[3.14, 1.0, 1e2]", 1), some("1.0"));
        assert_eq!(json_array_get("[3.14, 1.0, 1e2]", 2), some("1e2"));
        assert_eq!(json_array_get("[false, false, true]", 2), some("true"));
    }

    #[test]
    fn json_array_get_unquotes_strings() {
        assert_eq!(json_array_get(r#"["jhfa"]"#, 0), some("jhfa"));
        assert_eq!(json_array_get(r#"["as", "fgs", "tehgf"]"#, 1), some("fgs"));
        assert_eq!(json_array_get(r#"[""]"#, 0), some(""));
        assert_eq!(json_array_get(r#"["a\"b"]"#, 0), some("a\"b"));
        assert_eq!(json_array_get(r#"["a", [3, 9], "c"]"#, 0), some("a"));
    }

    #[test]
    fn json_array_get_serialises_containers() {
        assert_eq!(
            json_array_get(r#"[{"hello":"world"}]"#, 0),
            some(r#"{"hello":"world"}"#)
        );
        assert_eq!(
            json_array_get(r#"[{"hello":"world"}, [1,2, {"x" : 2} ]]"#, 1),
            some(r#"[1,2,{"x":2}]"#)
        );
        assert_eq!(json_array_get(r#"[{"hello": null}]"#, 0), some(r#"{"hello":null}"#));
        assert_eq!(json_array_get(r#"[{"":""}]"#, 0), some(r#"{"":""}"#));
        assert_eq!(
            json_array_get(r#"[{"b": 1, "a": [1e2]}]"#, 0),
            some(r#"{"b":1,"a":[100.0]}"#)
        );
        assert_eq!(
            json_array_get(r#"[{"a": 1, "b": 2, "a": 3}]"#, 0),
            some(r#"{"a":3,"b":2}"#)
        );
        assert_eq!(json_array_get("[[\"\u{1F600}\"]]", 0), some("[\"\u{1F600}\"]"));
    }

    #[test]
    fn json_array_get_counts_negative_indexes_from_the_end() {
        assert_eq!(json_array_get("[2, 7, 4, 6, 8, 1, 0]", -1), some("0"));
        assert_eq!(json_array_get("[2, 7, 4, 6, 8, 1, 0]", -2), some("1"));
        assert_eq!(json_array_get("[2, 7, 4, 6, 8, 1, 0]", -7), some("2"));
        assert_eq!(json_array_get("[2, 7, 4, 6, 8, 1, 0]", -8), None);
        assert_eq!(json_array_get(r#"["c", [3, 9], "a"]"#, -1), some("a"));
        assert_eq!(json_array_get(r#"["c", [3, 9], "a"]"#, -2), some("[3,9]"));
        assert_eq!(json_array_get(r#"[{"":null}]"#, -1), some(r#"{"":null}"#));
        assert_eq!(json_array_get("[1]", i64::MIN), None);
    }

    #[test]
    fn json_array_get_is_null_for_missing_null_or_unreadable() {
        assert_eq!(json_array_get("[]", 0), None);
        assert_eq!(json_array_get("[1, 3, 2]", 3), None);
        assert_eq!(json_array_get(r#"["jhfa", null]"#, 1), None);
        assert_eq!(json_array_get("[null]", -1), None);
        assert_eq!(json_array_get("", 1), None);
        assert_eq!(json_array_get("", -1), None);
        assert_eq!(json_array_get(r#"{"a": 1}"#, 0), None);
        assert_eq!(json_array_get("[{null:null}]", 0), None);
        assert_eq!(json_array_get("[1, 2", -1), None);
    }

    #[test]
    fn json_array_get_stops_reading_at_a_positive_index() {
        assert_eq!(json_array_get("[1, 2, oops", 1), some("2"));
    }

    #[test]
    fn json_array_contains_booleans() {
        let contains = |json: &str, b: bool| json_array_contains(json, JsonScalar::Boolean(b));
        assert_eq!(contains("[]", true), Some(false));
        assert_eq!(contains("[true]", true), Some(true));
        assert_eq!(contains("[false]", false), Some(true));
        assert_eq!(contains("[true, false]", false), Some(true));
        assert_eq!(contains("[1]", true), Some(false));
        assert_eq!(contains("[[true]]", true), Some(false));
        assert_eq!(contains(r#"[1, "foo", null, "true"]"#, true), Some(false));
        assert_eq!(contains(r#"[2, 4, {"a": [8, 9]}, [], [5], false]"#, false), Some(true));
    }

    #[test]
    fn json_array_contains_bigints() {
        let contains = |json: &str, n: i64| json_array_contains(json, JsonScalar::Bigint(n));
        assert_eq!(contains("[]", 1), Some(false));
        assert_eq!(contains("[3]", 3), Some(true));
        assert_eq!(contains("[-4]", -4), Some(true));
        assert_eq!(contains("[-0]", 0), Some(true));
        assert_eq!(contains("[1.0]", 1), Some(false));
        assert_eq!(contains("[1e0]", 1), Some(false));
        assert_eq!(contains("[[2]]", 2), Some(false));
        assert_eq!(contains(r#"[1, "foo", null, "8"]"#, 8), Some(false));
        assert_eq!(contains(r#"[2, 4, {"a": [8, 9]}, [], [5], 6]"#, 6), Some(true));
        assert_eq!(contains("[92233720368547758071]", -9), Some(false));
        assert_eq!(contains("[9223372036854775807]", i64::MAX), Some(true));
    }

    #[test]
    fn json_array_contains_doubles() {
        let contains = |json: &str, d: f64| json_array_contains(json, JsonScalar::Double(d));
        assert_eq!(contains("[]", 1.0), Some(false));
        assert_eq!(contains("[1.5]", 1.5), Some(true));
        assert_eq!(contains("[-9.5]", -9.5), Some(true));
        assert_eq!(contains("[15e-1]", 1.5), Some(true));
        assert_eq!(contains("[1]", 1.0), Some(false));
        assert_eq!(contains("[[2.5]]", 2.5), Some(false));
        assert_eq!(contains(r#"[1, "foo", null, "8.2"]"#, 8.2), Some(false));
        assert_eq!(contains(r#"[2, 4, {"a": [8, 9]}, [], [5], 6.1]"#, 6.1), Some(true));
        assert_eq!(contains("[9.6E400]", 4.2), Some(false));
        assert_eq!(contains("[9.6E400]", f64::INFINITY), Some(false));
    }

    #[test]
    fn json_array_contains_answers_false_for_non_finite_doubles_without_reading() {
        assert_eq!(
            json_array_contains("not json", JsonScalar::Double(f64::NAN)),
            Some(false)
        );
    }

    #[test]
    fn json_array_contains_strings() {
        let contains = |json: &str, s: &str| json_array_contains(json, JsonScalar::Varchar(s));
        assert_eq!(contains("[]", "x"), Some(false));
        assert_eq!(contains(r#"["foo"]"#, "foo"), Some(true));
        assert_eq!(contains(r#"["8"]"#, "8"), Some(true));
        assert_eq!(contains(r#"[1, "foo", null]"#, "foo"), Some(true));
        assert_eq!(contains("[1, 5]", "5"), Some(false));
        assert_eq!(contains(r#"[2, 4, {"a": [8, 9]}, [], [5], "6"]"#, "6"), Some(true));
        assert_eq!(contains(r#"[""]"#, ""), Some(true));
        assert_eq!(contains(r#"[""]"#, "x"), Some(false));
        assert_eq!(contains(r#"["caf\u00e9"]"#, "caf\u{e9}"), Some(true));
    }

    #[test]
    fn json_array_contains_is_null_unless_a_readable_array() {
        let values = [
            JsonScalar::Varchar("x"),
            JsonScalar::Double(2.5),
            JsonScalar::Bigint(8),
            JsonScalar::Boolean(true),
        ];
        for value in values {
            for json in ["", "123", "[", "[1,0,]", "[1,,0]", r#"{"a": 1}"#] {
                assert_eq!(json_array_contains(json, value), None, "{json:?} {value:?}");
            }
        }
    }

    #[test]
    fn json_array_contains_stops_at_the_first_match() {
        assert_eq!(
            json_array_contains("[true, oops", JsonScalar::Boolean(true)),
            Some(true)
        );
        assert_eq!(json_array_contains("[false, oops", JsonScalar::Boolean(true)), None);
    }

    #[test]
    fn is_json_scalar_tells_scalars_from_containers() {
        for json in ["null", "true", "1", r#""str""#, " 1.5e3 "] {
            assert_eq!(is_json_scalar(json), Ok(true), "{json:?}");
        }
        for json in ["[1, 2, 3]", r#"{"a": 1, "b": 2}"#, " [] "] {
            assert_eq!(is_json_scalar(json), Ok(false), "{json:?}");
        }
    }

    #[test]
    fn is_json_scalar_fails_on_malformed_text() {
        let message = |json: &str| is_json_scalar(json).unwrap_err().to_string();
        assert_eq!(message(""), "Invalid JSON value: ");
        assert_eq!(message("[1"), "Invalid JSON value: [1");
        assert_eq!(message("1 trailing"), "Invalid JSON value: 1 trailing");
        assert_eq!(message("[1, 2] trailing"), "Invalid JSON value: [1, 2] trailing");
        assert_eq!(message("1 2"), "Invalid JSON value: 1 2");
        assert_eq!(message("[1, 2,]"), "Invalid JSON value: [1, 2,]");
    }

    #[test]
    fn is_json_scalar_cuts_long_input_in_its_message() {
        let long = format!("[{}", "1,".repeat(6_000));
        let expected = format!("Invalid JSON value: {}...(truncated)", &long[..10_000]);
        assert_eq!(is_json_scalar(&long).unwrap_err().to_string(), expected);
    }

    #[test]
    fn deep_nesting_does_not_overflow_the_stack() {
        let depth = 200_000;
        let nested = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        assert_eq!(json_parse(&nested).map(|s| s.len()), Ok(2 * depth));
        assert_eq!(extract(&nested, "$[0][0]").map(|s| s.len()), Some(2 * (depth - 2)));
        assert_eq!(json_array_get(&nested, 0).map(|s| s.len()), Some(2 * (depth - 1)));
        assert_eq!(is_json_scalar(&nested), Ok(false));
    }
}
