//! Intrinsic functions (`States.Format('{} is {}', $.a, 'x')` and the other
//! seventeen): a parser for the call syntax and an evaluator with Step
//! Functions' results and limits.
//!
//! Parse errors are definition errors ([`ErrorKind::InvalidDefinition`]),
//! except a dangling or unknown backslash escape, which AWS documents as a
//! runtime error. Arguments a function refuses give `States.IntrinsicFailure`;
//! an argument path that matches nothing gives `States.Runtime`.

use std::fmt;

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde_json::{Map, Number, Value};

use crate::path::{ErrorKind, Path, PathError, java_display, select_for_field, to_compact_json};

/// AWS accepts at most this many nested calls in one field.
pub const MAX_NESTING: usize = 10;
/// `States.ArrayRange` refuses to build larger arrays.
pub const MAX_RANGE_ITEMS: usize = 1000;
/// Input limit of `States.Base64Encode`, `States.Base64Decode` and
/// `States.Hash`, in characters (Java's UTF-16 units).
pub const MAX_STRING_CHARS: usize = 10_000;
/// The hash algorithms `States.Hash` knows, spelled as AWS expects them.
pub const HASH_ALGORITHMS: [&str; 5] = ["MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512"];

/// The eighteen intrinsic functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Func {
    Format,
    StringToJson,
    JsonToString,
    Array,
    ArrayPartition,
    ArrayContains,
    ArrayRange,
    ArrayGetItem,
    ArrayLength,
    ArrayUnique,
    Base64Encode,
    Base64Decode,
    Hash,
    JsonMerge,
    MathRandom,
    MathAdd,
    StringSplit,
    Uuid,
}

const FUNCS: [Func; 18] = [
    Func::Format,
    Func::StringToJson,
    Func::JsonToString,
    Func::Array,
    Func::ArrayPartition,
    Func::ArrayContains,
    Func::ArrayRange,
    Func::ArrayGetItem,
    Func::ArrayLength,
    Func::ArrayUnique,
    Func::Base64Encode,
    Func::Base64Decode,
    Func::Hash,
    Func::JsonMerge,
    Func::MathRandom,
    Func::MathAdd,
    Func::StringSplit,
    Func::Uuid,
];

impl Func {
    pub fn name(self) -> &'static str {
        match self {
            Func::Format => "States.Format",
            Func::StringToJson => "States.StringToJson",
            Func::JsonToString => "States.JsonToString",
            Func::Array => "States.Array",
            Func::ArrayPartition => "States.ArrayPartition",
            Func::ArrayContains => "States.ArrayContains",
            Func::ArrayRange => "States.ArrayRange",
            Func::ArrayGetItem => "States.ArrayGetItem",
            Func::ArrayLength => "States.ArrayLength",
            Func::ArrayUnique => "States.ArrayUnique",
            Func::Base64Encode => "States.Base64Encode",
            Func::Base64Decode => "States.Base64Decode",
            Func::Hash => "States.Hash",
            Func::JsonMerge => "States.JsonMerge",
            Func::MathRandom => "States.MathRandom",
            Func::MathAdd => "States.MathAdd",
            Func::StringSplit => "States.StringSplit",
            Func::Uuid => "States.UUID",
        }
    }

    pub fn from_name(name: &str) -> Option<Func> {
        FUNCS.into_iter().find(|f| f.name() == name)
    }

    /// Allowed argument counts (min, max).
    fn arity(self) -> (usize, usize) {
        match self {
            Func::Format => (1, usize::MAX),
            Func::Array => (0, usize::MAX),
            Func::Uuid => (0, 0),
            Func::StringToJson
            | Func::JsonToString
            | Func::ArrayLength
            | Func::ArrayUnique
            | Func::Base64Encode
            | Func::Base64Decode => (1, 1),
            Func::ArrayPartition
            | Func::ArrayContains
            | Func::ArrayGetItem
            | Func::Hash
            | Func::MathAdd
            | Func::StringSplit => (2, 2),
            Func::MathRandom => (2, 3),
            Func::ArrayRange | Func::JsonMerge => (3, 3),
        }
    }
}

impl fmt::Display for Func {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A parsed call.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    func: Func,
    args: Vec<Arg>,
}

#[derive(Debug, Clone, PartialEq)]
enum Arg {
    Str(Literal),
    Number(Number),
    Bool(bool),
    Null,
    Path(Path),
    Call(Call),
}

/// A string literal, decoded, plus where its unescaped `{}` placeholders
/// are (escaped braces never form one).
#[derive(Debug, Clone, PartialEq)]
struct Literal {
    text: String,
    template: Vec<Piece>,
}

#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Text(String),
    Hole,
}

/// Whether a `.$` value is meant as an intrinsic call rather than a path.
pub fn is_intrinsic(text: &str) -> bool {
    text.trim_start().starts_with("States.")
}

/// Parses an intrinsic call.
pub fn parse(text: &str) -> Result<Call, PathError> {
    Parser::new(text, Mode::Run).whole_call()
}

/// Checks a call as a definition may write it: the grammar of [`parse`], except that argument
/// paths may read workflow variables, which validation accepts although the interpreter cannot
/// evaluate them yet, and that an escape that escapes nothing is left to fail when the call runs,
/// which is when AWS reports it.
pub fn check(text: &str) -> Result<(), PathError> {
    Parser::new(text, Mode::Check).whole_call().map(drop)
}

/// Parses and evaluates a call against the effective input and the context object.
pub fn evaluate(text: &str, input: &Value, context: &Value) -> Result<Value, PathError> {
    parse(text)?.eval(input, context, None)
}

/// Like [`evaluate`], for the payload template field `key`: an argument path
/// that matches nothing is reported against that field, as AWS does.
pub fn evaluate_for_field(text: &str, key: &str, input: &Value, context: &Value) -> Result<Value, PathError> {
    parse(text)?.eval(input, context, Some(key))
}

impl Call {
    /// Evaluates the call; `field` names the payload field for path misses.
    pub fn eval(&self, input: &Value, context: &Value, field: Option<&str>) -> Result<Value, PathError> {
        let env = Env { input, context, field };
        if self.func == Func::Format {
            return self.format(&env);
        }
        let args = self.args.iter().map(|a| a.eval(&env)).collect::<Result<Vec<_>, _>>()?;
        apply(self.func, args)
    }

    fn format(&self, env: &Env<'_>) -> Result<Value, PathError> {
        let (first, rest) = self
            .args
            .split_first()
            .ok_or_else(|| fail(Func::Format, "no template given"))?;
        let template = match first {
            // Escapes in a literal template decide which braces are placeholders.
            Arg::Str(literal) => literal.template.clone(),
            other => match other.eval(env)? {
                Value::String(s) => plain_template(&s),
                v => {
                    return Err(fail(
                        Func::Format,
                        format!("the template must be a string, but was {}", kind(&v)),
                    ));
                }
            },
        };
        let values = rest.iter().map(|a| a.eval(env)).collect::<Result<Vec<_>, _>>()?;
        let holes = template.iter().filter(|p| **p == Piece::Hole).count();
        if holes != values.len() {
            return Err(fail(
                Func::Format,
                format!(
                    "the template has {holes} placeholder(s) but {} value(s) were given",
                    values.len()
                ),
            ));
        }
        let mut values = values.iter();
        let mut out = String::new();
        for piece in &template {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Hole => out.push_str(&values.next().map(java_display).unwrap_or_default()),
            }
        }
        Ok(Value::String(out))
    }
}

struct Env<'a> {
    input: &'a Value,
    context: &'a Value,
    field: Option<&'a str>,
}

impl Arg {
    fn eval(&self, env: &Env<'_>) -> Result<Value, PathError> {
        match self {
            Arg::Str(literal) => Ok(Value::String(literal.text.clone())),
            Arg::Number(n) => Ok(Value::Number(n.clone())),
            Arg::Bool(b) => Ok(Value::Bool(*b)),
            Arg::Null => Ok(Value::Null),
            Arg::Call(call) => call.eval(env.input, env.context, env.field),
            Arg::Path(path) => match env.field {
                Some(key) => select_for_field(path, key, env.input, env.context),
                None => path.select(env.input, env.context).map_err(|miss| {
                    PathError::runtime(format!("Invalid path '{}' : {}", path.as_str(), miss.message()))
                }),
            },
        }
    }
}

fn plain_template(s: &str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    for (i, part) in s.split("{}").enumerate() {
        if i > 0 {
            pieces.push(Piece::Hole);
        }
        pieces.push(Piece::Text(part.to_string()));
    }
    pieces
}

// ---------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------

struct Parser<'a> {
    chars: Vec<char>,
    pos: usize,
    whole: &'a str,
    mode: Mode,
}

/// Whether the call is parsed to be evaluated or only checked.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Run,
    Check,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str, mode: Mode) -> Self {
        Parser {
            chars: text.chars().collect(),
            pos: 0,
            whole: text,
            mode,
        }
    }

    fn whole_call(&mut self) -> Result<Call, PathError> {
        self.skip_ws();
        let call = self.call(1)?;
        self.skip_ws();
        if self.pos != self.chars.len() {
            return Err(self.error());
        }
        Ok(call)
    }

    fn error(&self) -> PathError {
        PathError::invalid(format!(
            "The value '{}' is not a valid intrinsic function call",
            self.whole
        ))
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn call(&mut self, depth: usize) -> Result<Call, PathError> {
        if depth > MAX_NESTING {
            return Err(PathError::invalid(format!(
                "The value '{}' nests more than {MAX_NESTING} intrinsic functions",
                self.whole
            )));
        }
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_alphanumeric() || c == '.') {
            self.pos += 1;
        }
        let name: String = self.chars[start..self.pos].iter().collect();
        let func = Func::from_name(&name).ok_or_else(|| {
            PathError::invalid(format!(
                "The value '{}' uses an unknown intrinsic function '{name}'",
                self.whole
            ))
        })?;
        self.skip_ws();
        if !self.eat('(') {
            return Err(self.error());
        }
        let args = self.args(depth)?;
        let (min, max) = func.arity();
        if args.len() < min || args.len() > max {
            return Err(PathError::invalid(format!(
                "The value '{}' calls {func} with {} argument(s), which it does not take",
                self.whole,
                args.len()
            )));
        }
        Ok(Call { func, args })
    }

    fn args(&mut self, depth: usize) -> Result<Vec<Arg>, PathError> {
        let mut args = Vec::new();
        self.skip_ws();
        if self.eat(')') {
            return Ok(args);
        }
        loop {
            self.skip_ws();
            args.push(self.arg(depth)?);
            self.skip_ws();
            if self.eat(')') {
                return Ok(args);
            }
            if !self.eat(',') {
                return Err(self.error());
            }
        }
    }

    fn arg(&mut self, depth: usize) -> Result<Arg, PathError> {
        match self.peek() {
            Some('\'') => self.string().map(Arg::Str),
            Some('$') => self.path(),
            Some(c) if c == '-' || c.is_ascii_digit() => self.number().map(Arg::Number),
            Some(c) if c.is_alphabetic() => {
                for (word, arg) in [
                    ("true", Arg::Bool(true)),
                    ("false", Arg::Bool(false)),
                    ("null", Arg::Null),
                ] {
                    if self.word_is(word) {
                        self.pos += word.len();
                        return Ok(arg);
                    }
                }
                self.call(depth + 1).map(Arg::Call)
            }
            _ => Err(self.error()),
        }
    }

    fn word_is(&self, word: &str) -> bool {
        let end = self.pos + word.chars().count();
        let matches = self
            .chars
            .get(self.pos..end)
            .is_some_and(|w| w.iter().copied().eq(word.chars()));
        matches && !self.chars.get(end).is_some_and(|c| c.is_alphanumeric() || *c == '.')
    }

    fn number(&mut self) -> Result<Number, PathError> {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_digit() || "+-.eE".contains(c)) {
            self.pos += 1;
        }
        // A backslash that ends the text skips past its end.
        self.pos = self.pos.min(self.chars.len());
        let text: String = self.chars[start..self.pos].iter().collect();
        serde_json::from_str::<Number>(&text).map_err(|_| self.error())
    }

    // A path argument runs to the `,` or `)` that ends it, skipping those
    // inside brackets, filter parentheses and quoted names.
    fn path(&mut self) -> Result<Arg, PathError> {
        let start = self.pos;
        let mut depth = 0usize;
        let mut quote: Option<char> = None;
        while let Some(c) = self.peek() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), '\\') => self.pos += 1,
                (Some(_), _) => {}
                (None, '\'' | '"') if depth > 0 => quote = Some(c),
                (None, '[' | '(') => depth += 1,
                (None, ']' | ')') if depth > 0 => depth -= 1,
                (None, ',' | ')') if depth == 0 => break,
                _ => {}
            }
            self.pos += 1;
        }
        // A backslash that ends the text skips past its end.
        self.pos = self.pos.min(self.chars.len());
        let text: String = self.chars[start..self.pos].iter().collect();
        let text = text.trim_end();
        match self.mode {
            Mode::Run => Path::parse(text).map(Arg::Path).map_err(|_| self.error()),
            // A checked call is never evaluated, so the path stands for no value.
            Mode::Check => Path::shape(text).map(|_| Arg::Null).map_err(|_| self.error()),
        }
    }

    fn string(&mut self) -> Result<Literal, PathError> {
        self.pos += 1; // the opening quote
        let mut text = String::new();
        let mut template = Vec::new();
        let mut run = String::new();
        loop {
            let c = self.peek().ok_or_else(|| self.error())?;
            self.pos += 1;
            match c {
                '\'' => break,
                '\\' => match self.peek() {
                    Some(escaped @ ('\'' | '{' | '}' | '\\')) => {
                        self.pos += 1;
                        text.push(escaped);
                        run.push(escaped);
                    }
                    // AWS reports this only when the call runs, and a checked call never does.
                    _ if self.mode == Mode::Check => {}
                    _ => return Err(self.open_escape()),
                },
                '{' if self.peek() == Some('}') => {
                    self.pos += 1;
                    text.push_str("{}");
                    template.push(Piece::Text(std::mem::take(&mut run)));
                    template.push(Piece::Hole);
                }
                c => {
                    text.push(c);
                    run.push(c);
                }
            }
        }
        template.push(Piece::Text(run));
        Ok(Literal { text, template })
    }

    fn open_escape(&self) -> PathError {
        PathError::new(
            ErrorKind::Runtime,
            format!(
                "The value '{}' contains an escape character '\\' that escapes nothing",
                self.whole
            ),
        )
    }
}

// ---------------------------------------------------------------------------
// The functions
// ---------------------------------------------------------------------------

fn fail(func: Func, detail: impl fmt::Display) -> PathError {
    PathError::new(
        ErrorKind::IntrinsicFailure,
        format!("Invalid arguments in {func}: {detail}"),
    )
}

/// A JSON value's kind as AWS's messages name it: "a string", "an array"...
pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn apply(func: Func, args: Vec<Value>) -> Result<Value, PathError> {
    if func == Func::Array {
        return Ok(Value::Array(args));
    }
    let count = args.len();
    let mut args = args.into_iter();
    // The parser checked the arity, so missing arguments cannot occur.
    let mut next = || args.next().unwrap_or(Value::Null);
    match func {
        // Both are handled before the arguments get here.
        Func::Format | Func::Array => Err(fail(func, "evaluated from its call")),
        Func::StringToJson => string_to_json(next()),
        Func::JsonToString => Ok(Value::String(to_compact_json(&next()))),
        Func::ArrayPartition => array_partition(next(), next()),
        Func::ArrayContains => {
            let items = array(func, next(), "first")?;
            let wanted = next();
            Ok(Value::Bool(items.contains(&wanted)))
        }
        Func::ArrayRange => array_range(next(), next(), next()),
        Func::ArrayGetItem => array_get_item(next(), next()),
        Func::ArrayLength => Ok(Value::from(array(func, next(), "only")?.len())),
        Func::ArrayUnique => array_unique(next()),
        Func::Base64Encode => base64_encode(next()),
        Func::Base64Decode => base64_decode(next()),
        Func::Hash => hash(next(), next()),
        Func::JsonMerge => json_merge(next(), next(), next()),
        Func::MathRandom => {
            let (start, end) = (next(), next());
            let seed = if count == 3 { Some(next()) } else { None };
            math_random(start, end, seed)
        }
        Func::MathAdd => math_add(next(), next()),
        Func::StringSplit => string_split(next(), next()),
        Func::Uuid => Ok(Value::String(uuid::Uuid::new_v4().to_string())),
    }
}

fn array(func: Func, v: Value, which: &str) -> Result<Vec<Value>, PathError> {
    match v {
        Value::Array(items) => Ok(items),
        other => Err(fail(
            func,
            format!("the {which} argument must be an array, but was {}", kind(&other)),
        )),
    }
}

fn string(func: Func, v: Value, which: &str) -> Result<String, PathError> {
    match v {
        Value::String(s) => Ok(s),
        other => Err(fail(
            func,
            format!("the {which} argument must be a string, but was {}", kind(&other)),
        )),
    }
}

/// An integral JSON number (`3` or `3.0`), as Java's `int`.
fn integer(func: Func, v: &Value, which: &str) -> Result<i64, PathError> {
    let n = match v {
        Value::Number(n) => n,
        other => {
            return Err(fail(
                func,
                format!("the {which} argument must be an integer, but was {}", kind(other)),
            ));
        }
    };
    let value = match (n.as_i64(), n.as_f64()) {
        (Some(i), _) => Some(i),
        (None, Some(f)) if f.fract() == 0.0 && f.abs() <= i32::MAX as f64 => Some(f as i64),
        _ => None,
    };
    value.filter(|i| i32::try_from(*i).is_ok()).ok_or_else(|| {
        fail(
            func,
            format!("the {which} argument must be an integer, but was {}", java_display(v)),
        )
    })
}

/// A number rounded the way Java's `Math.round` does (half up, towards +∞),
/// which is what AWS applies to non-integral MathAdd/MathRandom arguments.
fn rounded(func: Func, v: &Value, which: &str) -> Result<i64, PathError> {
    let Some(x) = v.as_f64() else {
        return Err(fail(
            func,
            format!("the {which} argument must be a number, but was {}", kind(v)),
        ));
    };
    let r = java_round(x);
    if i32::try_from(r).is_ok() {
        Ok(r)
    } else {
        Err(fail(
            func,
            format!("the {which} argument {} is outside the integer range", java_display(v)),
        ))
    }
}

fn java_round(x: f64) -> i64 {
    let floor = x.floor();
    // `x - floor` is exact for doubles, so ties are recognised exactly.
    let r = if x - floor >= 0.5 { floor + 1.0 } else { floor };
    r as i64
}

fn string_to_json(v: Value) -> Result<Value, PathError> {
    let s = string(Func::StringToJson, v, "only")?;
    if s.trim().is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_str(&s).map_err(|_| fail(Func::StringToJson, "the argument is not valid JSON text"))
}

fn array_partition(arr: Value, size: Value) -> Result<Value, PathError> {
    let func = Func::ArrayPartition;
    let items = array(func, arr, "first")?;
    let size = integer(func, &size, "second")?;
    let size = usize::try_from(size).ok().filter(|s| *s > 0).ok_or_else(|| {
        fail(
            func,
            format!("the chunk size must be a positive integer, but was {size}"),
        )
    })?;
    Ok(Value::Array(
        items.chunks(size).map(|c| Value::Array(c.to_vec())).collect(),
    ))
}

fn array_range(first: Value, last: Value, step: Value) -> Result<Value, PathError> {
    let func = Func::ArrayRange;
    let first = integer(func, &first, "first")?;
    let last = integer(func, &last, "second")?;
    let step = integer(func, &step, "third")?;
    if step == 0 {
        return Err(fail(func, "the step must not be zero"));
    }
    let count = if (step > 0 && first <= last) || (step < 0 && first >= last) {
        usize::try_from((last - first) / step + 1).unwrap_or(usize::MAX)
    } else {
        0
    };
    if count > MAX_RANGE_ITEMS {
        return Err(fail(
            func,
            format!("the range has {count} items, more than the {MAX_RANGE_ITEMS} allowed"),
        ));
    }
    let mut items = Vec::with_capacity(count);
    let mut current = first;
    for _ in 0..count {
        items.push(Value::from(current));
        current += step;
    }
    Ok(Value::Array(items))
}

fn array_get_item(arr: Value, index: Value) -> Result<Value, PathError> {
    let func = Func::ArrayGetItem;
    let mut items = array(func, arr, "first")?;
    let index = integer(func, &index, "second")?;
    let len = items.len();
    match usize::try_from(index).ok().filter(|i| *i < len) {
        Some(i) => Ok(items.swap_remove(i)),
        None => Err(fail(
            func,
            format!("the index {index} is out of bounds for an array of length {len}"),
        )),
    }
}

fn array_unique(arr: Value) -> Result<Value, PathError> {
    let items = array(Func::ArrayUnique, arr, "only")?;
    let mut unique: Vec<Value> = Vec::with_capacity(items.len());
    for item in items {
        if !unique.contains(&item) {
            unique.push(item);
        }
    }
    Ok(Value::Array(unique))
}

fn limited(func: Func, v: Value) -> Result<String, PathError> {
    let s = string(func, v, "first")?;
    let chars = s.encode_utf16().count();
    if chars > MAX_STRING_CHARS {
        return Err(fail(
            func,
            format!("the input has {chars} characters, more than the {MAX_STRING_CHARS} allowed"),
        ));
    }
    Ok(s)
}

// Java's basic decoder takes input with or without the `=` padding.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

fn base64_encode(v: Value) -> Result<Value, PathError> {
    let s = limited(Func::Base64Encode, v)?;
    Ok(Value::String(BASE64.encode(s.as_bytes())))
}

fn base64_decode(v: Value) -> Result<Value, PathError> {
    let func = Func::Base64Decode;
    let s = limited(func, v)?;
    let bytes = BASE64
        .decode(s.as_bytes())
        .map_err(|_| fail(func, "the argument is not valid Base64"))?;
    String::from_utf8(bytes)
        .map(Value::String)
        .map_err(|_| fail(func, "the decoded data is not UTF-8 text"))
}

fn hash(data: Value, algorithm: Value) -> Result<Value, PathError> {
    // md-5 is on digest 0.10 (for its assembly), sha1/sha2 on 0.11.
    use sha2::Digest as _;
    let func = Func::Hash;
    let data = limited(func, data)?;
    let algorithm = string(func, algorithm, "second")?;
    let bytes = data.as_bytes();
    let digest: Vec<u8> = match algorithm.as_str() {
        "MD5" => <md5::Md5 as md5::Digest>::digest(bytes).to_vec(),
        "SHA-1" => sha1::Sha1::digest(bytes).to_vec(),
        "SHA-256" => sha2::Sha256::digest(bytes).to_vec(),
        "SHA-384" => sha2::Sha384::digest(bytes).to_vec(),
        "SHA-512" => sha2::Sha512::digest(bytes).to_vec(),
        other => {
            return Err(fail(
                func,
                format!("the algorithm '{other}' is not one of {}", HASH_ALGORITHMS.join(", ")),
            ));
        }
    };
    Ok(Value::String(digest.iter().map(|b| format!("{b:02x}")).collect()))
}

fn json_merge(a: Value, b: Value, deep: Value) -> Result<Value, PathError> {
    let func = Func::JsonMerge;
    let object = |v: Value, which: &str| match v {
        Value::Object(m) => Ok(m),
        other => Err(fail(
            func,
            format!("the {which} argument must be an object, but was {}", kind(&other)),
        )),
    };
    let mut merged: Map<String, Value> = object(a, "first")?;
    let second = object(b, "second")?;
    match deep {
        Value::Bool(false) => {}
        Value::Bool(true) => {
            return Err(fail(
                func,
                "only the shallow merge is supported; the third argument must be false",
            ));
        }
        other => {
            return Err(fail(
                func,
                format!("the third argument must be a boolean, but was {}", kind(&other)),
            ));
        }
    }
    // Shallow: a key of the second object replaces the first's wholesale.
    for (k, v) in second {
        merged.insert(k, v);
    }
    Ok(Value::Object(merged))
}

fn math_random(start: Value, end: Value, seed: Option<Value>) -> Result<Value, PathError> {
    let func = Func::MathRandom;
    let start = rounded(func, &start, "first")?;
    let end = rounded(func, &end, "second")?;
    if start >= end {
        return Err(fail(func, format!("the start {start} must be less than the end {end}")));
    }
    let seed = match seed {
        Some(v) => rounded(func, &v, "third")?,
        None => random_seed(),
    };
    // The end is exclusive, as with Java's `Random.nextInt(bound)`.
    let span = end - start;
    let pick = match i32::try_from(span) {
        Ok(bound) => i64::from(JavaRandom::new(seed).next_int(bound)),
        Err(_) => JavaRandom::new(seed).next_long_below(span),
    };
    Ok(Value::from(start + pick))
}

fn random_seed() -> i64 {
    let bytes = uuid::Uuid::new_v4().into_bytes();
    let mut seed = [0u8; 8];
    seed.copy_from_slice(&bytes[..8]);
    i64::from_le_bytes(seed)
}

fn math_add(a: Value, b: Value) -> Result<Value, PathError> {
    let func = Func::MathAdd;
    let a = rounded(func, &a, "first")?;
    let b = rounded(func, &b, "second")?;
    Ok(Value::from(a + b))
}

// Java's StringTokenizer: every character of the second argument delimits,
// and empty tokens are dropped.
fn string_split(s: Value, delimiters: Value) -> Result<Value, PathError> {
    let func = Func::StringSplit;
    let s = string(func, s, "first")?;
    let delimiters = string(func, delimiters, "second")?;
    let tokens = s
        .split(|c: char| delimiters.contains(c))
        .filter(|t| !t.is_empty())
        .map(|t| Value::String(t.to_string()))
        .collect();
    Ok(Value::Array(tokens))
}

/// `java.util.Random`, so that a seeded `States.MathRandom` repeats itself
/// and has a chance of matching AWS's numbers.
struct JavaRandom {
    seed: u64,
}

impl JavaRandom {
    const MULTIPLIER: u64 = 0x5_DEEC_E66D;
    const MASK: u64 = (1 << 48) - 1;

    fn new(seed: i64) -> Self {
        Self {
            seed: (seed as u64 ^ Self::MULTIPLIER) & Self::MASK,
        }
    }

    fn next(&mut self, bits: u32) -> i32 {
        self.seed = self.seed.wrapping_mul(Self::MULTIPLIER).wrapping_add(0xB) & Self::MASK;
        (self.seed >> (48 - bits)) as i32
    }

    fn next_int(&mut self, bound: i32) -> i32 {
        let mut r = self.next(31);
        let m = bound - 1;
        if bound & m == 0 {
            return ((i64::from(bound) * i64::from(r)) >> 31) as i32;
        }
        let mut u = r;
        loop {
            r = u % bound;
            if u.wrapping_sub(r).wrapping_add(m) >= 0 {
                return r;
            }
            u = self.next(31);
        }
    }

    // Spans wider than an `int` only arise from extreme arguments; a plain
    // modulo of two draws is enough there.
    fn next_long_below(&mut self, bound: i64) -> i64 {
        let high = i64::from(self.next(32)) << 32;
        let wide = high.wrapping_add(i64::from(self.next(32)));
        wide.rem_euclid(bound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn eval(text: &str, input: &Value) -> Result<Value, PathError> {
        evaluate(text, input, &json!({"Execution": {"Id": "exec-arn"}}))
    }

    fn ok(text: &str, input: &Value) -> Value {
        eval(text, input).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn failure(text: &str, input: &Value) -> PathError {
        let err = eval(text, input).expect_err(text);
        assert_eq!(err.kind, ErrorKind::IntrinsicFailure, "{text}: {err}");
        err
    }

    #[test]
    fn a_trailing_backslash_in_a_quoted_path_is_an_error_not_a_panic() {
        // Found by the `sfn_intrinsics` fuzz target.
        for text in ["States.UUID($['\\", "States.MathAdd($.n  '['ac&, \\"] {
            assert!(parse(text).is_err(), "{text}");
        }
    }

    #[test]
    fn format_interpolates_literals_paths_and_numbers() {
        let input = json!({"name": "Arnav", "template": "Hello, my name is {}.", "f": 1.0, "i": 1, "x": 1.1});
        assert_eq!(
            ok("States.Format('Hello, my name is {}.', $.name)", &input),
            json!("Hello, my name is Arnav.")
        );
        assert_eq!(
            ok("States.Format($.template, $.name)", &input),
            json!("Hello, my name is Arnav.")
        );
        assert_eq!(
            ok("States.Format('{} {} {}', $.f, $.i, $.x)", &input),
            json!("1.0 1 1.1")
        );
        assert_eq!(
            ok("States.Format('{} {} {}', true, null, -2)", &input),
            json!("true null -2")
        );
        assert_eq!(
            ok("States.Format('id={}', $$.Execution.Id)", &input),
            json!("id=exec-arn")
        );
        assert_eq!(ok("States.Format('no holes')", &input), json!("no holes"));
    }

    #[test]
    fn format_renders_objects_and_arrays_like_java() {
        let input = json!({"o": {"Arg1": 1, "Arg2": []}, "a": ["x", 2]});
        assert_eq!(
            ok("States.Format('fst={} and snd={}.', $.o, $.a)", &input),
            json!("fst={Arg1=1, Arg2=[]} and snd=[x, 2].")
        );
    }

    #[test]
    fn format_escapes() {
        let input = json!({"v": "V"});
        assert_eq!(
            ok(r"States.Format('\{\} {} \'q\' \\', $.v)", &input),
            json!(r"{} V 'q' \")
        );
        let err = eval(r"States.Format('\n {}', $.v)", &input).expect_err("open escape");
        assert_eq!(err.kind, ErrorKind::Runtime);
    }

    #[test]
    fn format_counts_placeholders() {
        failure("States.Format('{} {}', 'one')", &json!({}));
        failure("States.Format('{}', 'one', 'two')", &json!({}));
        failure("States.Format($.t)", &json!({"t": 5}));
    }

    #[test]
    fn nested_calls() {
        let input =
            json!({"ImageRecipe": {"Arn": "arn:aws:imagebuilder:us-east-1:123:image-recipe/my-recipe.x/1.0.0"}});
        let text = "States.Format('{}.{}.{}', \
            States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 0), \
            States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 1), \
            States.ArrayLength(States.Array(1, 2)))";
        assert_eq!(ok(text, &input), json!("1.0.2"));
        let name = json!({"n": "a-b-c"});
        let last = "States.ArrayGetItem(States.StringSplit($.n, '-'), States.MathAdd(States.ArrayLength(States.StringSplit($.n, '-')), -1))";
        assert_eq!(ok(last, &name), json!("c"));
    }

    #[test]
    fn nesting_limit() {
        let mut ten = "States.Array(1)".to_string();
        for _ in 0..9 {
            ten = format!("States.Array({ten})");
        }
        assert!(parse(&ten).is_ok());
        let eleven = format!("States.Array({ten})");
        assert_eq!(
            parse(&eleven).map(|_| ()).map_err(|e| e.kind),
            Err(ErrorKind::InvalidDefinition)
        );
    }

    #[test]
    fn parse_errors_are_definition_errors() {
        for text in [
            "States.Nope(1)",
            "States.Format('x'",
            "States.Array(1,)",
            "States.ArrayLength()",
            "States.UUID(1)",
            "States.MathRandom(1)",
            "States.Array('unterminated)",
            "States.Array(1) trailing",
            "States.Array(bogus)",
            "States.Array($.a b)",
        ] {
            let err = parse(text).expect_err(text);
            assert_eq!(err.kind, ErrorKind::InvalidDefinition, "{text}");
        }
    }

    #[test]
    fn check_is_parse_with_variables_and_late_escapes() {
        for text in [
            "States.Format('a{}b', $.x)",
            " States.Array(States.UUID(), 'x)') ",
            "States.Format('{}', $myVar.a[0])",
            "States.Format('a\\qb')",
        ] {
            assert_eq!(check(text), Ok(()), "{text}");
        }
        // Variables are arguments like paths (they read the state's variables when run).
        assert!(parse("States.Format('{}', $myVar.a[0])").is_ok());
        assert_eq!(
            parse("States.Format('a\\qb')").expect_err("open escape").kind,
            ErrorKind::Runtime
        );
        for text in [
            "States.Format",
            "States.Format('a'",
            "States.A() + 1",
            "Foo.Bar()",
            "States.Array($-x)",
        ] {
            assert!(check(text).is_err(), "{text}");
        }
    }

    #[test]
    fn string_literals_keep_newlines_and_quotes() {
        assert_eq!(
            ok("States.StringSplit('Hello\nWorld', '\n')", &json!({})),
            json!(["Hello", "World"])
        );
        assert_eq!(
            ok(r"States.Array('it\'s', 'a,b', ' (x) ')", &json!({})),
            json!(["it's", "a,b", " (x) "])
        );
    }

    #[test]
    fn path_arguments_may_hold_commas_and_parentheses() {
        let input = json!({"items": [{"p": 1}, {"p": 5}], "m": {"a b": 2}});
        assert_eq!(
            ok("States.Array($.items[?(@.p > 2)].p, $['m']['a b'])", &input),
            json!([[5], 2])
        );
        assert_eq!(ok("States.ArrayLength($.items[0,1])", &input), json!(2));
    }

    #[test]
    fn argument_paths_that_miss_are_runtime_errors() {
        let err = eval("States.Array($.nope)", &json!({"a": 1})).expect_err("miss");
        assert_eq!(err.kind, ErrorKind::Runtime);
        assert_eq!(err.detail, "Invalid path '$.nope' : No results for path: $['nope']");
        let for_field = evaluate_for_field("States.Format('{}', $.nope)", "v.$", &json!({"a": 1}), &json!({}));
        assert_eq!(
            for_field.map_err(|e| e.detail),
            Err(
                "The JSONPath '$.nope' specified for the field 'v.$' could not be found in the input '{\"a\":1}'"
                    .to_string()
            )
        );
    }

    #[test]
    fn json_conversions() {
        let input = json!({"s": "{\"number\": 20}", "j": {"f": 2.0, "name": "Foo", "year": 2020}});
        assert_eq!(ok("States.StringToJson($.s)", &input), json!({"number": 20}));
        assert_eq!(
            ok("States.JsonToString($.j)", &input),
            json!("{\"f\":2.0,\"name\":\"Foo\",\"year\":2020}")
        );
        assert_eq!(ok("States.StringToJson('  ')", &input), Value::Null);
        assert_eq!(ok("States.StringToJson('[1, true]')", &input), json!([1, true]));
        failure("States.StringToJson('{nope')", &input);
        failure("States.StringToJson($.j)", &input);
    }

    #[test]
    fn array_functions() {
        let input = json!({"a": [1, 2, 3, 4, 5, 6, 7, 8, 9], "dups": [1, 2, 3, 3, 3, 3, 3, 3, 4], "id": 123456});
        assert_eq!(ok("States.Array($.id)", &input), json!([123456]));
        assert_eq!(
            ok("States.Array('Foo', 2020, $.dups[0], null)", &input),
            json!(["Foo", 2020, 1, null])
        );
        assert_eq!(ok("States.Array()", &input), json!([]));
        assert_eq!(
            ok("States.ArrayPartition($.a, 4)", &input),
            json!([[1, 2, 3, 4], [5, 6, 7, 8], [9]])
        );
        assert_eq!(ok("States.ArrayPartition(States.Array(), 4)", &input), json!([]));
        assert_eq!(ok("States.ArrayContains($.a, 5)", &input), json!(true));
        assert_eq!(ok("States.ArrayContains($.a, '5')", &input), json!(false));
        assert_eq!(
            ok(
                "States.ArrayContains(States.Array(States.Array(1)), States.Array(1))",
                &input
            ),
            json!(true)
        );
        assert_eq!(ok("States.ArrayRange(1, 9, 2)", &input), json!([1, 3, 5, 7, 9]));
        assert_eq!(ok("States.ArrayRange(0, 10, 3)", &input), json!([0, 3, 6, 9]));
        assert_eq!(ok("States.ArrayRange(10, 1, -3)", &input), json!([10, 7, 4, 1]));
        assert_eq!(ok("States.ArrayRange(1, 9, -1)", &input), json!([]));
        assert_eq!(
            ok("States.ArrayRange(1, 1000, 1)", &input).as_array().map(Vec::len),
            Some(1000)
        );
        assert_eq!(ok("States.ArrayGetItem($.a, 5)", &input), json!(6));
        assert_eq!(ok("States.ArrayLength($.a)", &input), json!(9));
        assert_eq!(ok("States.ArrayUnique($.dups)", &input), json!([1, 2, 3, 4]));
    }

    #[test]
    fn array_unique_compares_whole_values() {
        let input = json!({"v": [null, null, true, true, 1, 1, 1.1, "x", "x", [], [], {"a": 1, "b": 2}, {"a": 1, "b": 2}, {"a": 1, "b": 1}]});
        assert_eq!(
            ok("States.ArrayUnique($.v)", &input),
            json!([null, true, 1, 1.1, "x", [], {"a": 1, "b": 2}, {"a": 1, "b": 1}])
        );
    }

    #[test]
    fn array_failures() {
        let input = json!({"a": [1, 2, 3]});
        failure("States.ArrayRange(1, 1001, 1)", &input);
        failure("States.ArrayRange(1, 9, 0)", &input);
        failure("States.ArrayRange(1.5, 9, 1)", &input);
        failure("States.ArrayPartition($.a, 0)", &input);
        failure("States.ArrayPartition($.a, -1)", &input);
        failure("States.ArrayPartition('x', 1)", &input);
        failure("States.ArrayGetItem($.a, 3)", &input);
        failure("States.ArrayGetItem($.a, -1)", &input);
        failure("States.ArrayGetItem($.a, 0.5)", &input);
        failure("States.ArrayLength('abc')", &input);
        failure("States.ArrayUnique(1)", &input);
        failure("States.ArrayContains(1, 1)", &input);
        assert_eq!(ok("States.ArrayGetItem($.a, 2.0)", &input), json!(3));
    }

    #[test]
    fn base64() {
        let input = json!({"input": "Data to encode", "b": "RGF0YSB0byBlbmNvZGU="});
        assert_eq!(
            ok("States.Base64Encode($.input)", &input),
            json!("RGF0YSB0byBlbmNvZGU=")
        );
        assert_eq!(ok("States.Base64Decode($.b)", &input), json!("Data to encode"));
        assert_eq!(
            ok("States.Base64Decode('RGF0YSB0byBlbmNvZGU')", &input),
            json!("Data to encode")
        );
        assert_eq!(ok("States.Base64Encode('ü')", &input), json!("w7w="));
        failure("States.Base64Decode('***')", &input);
        failure("States.Base64Decode('/w==')", &input);
        failure("States.Base64Encode(1)", &input);
        let long = json!({"s": "a".repeat(MAX_STRING_CHARS + 1), "ok": "a".repeat(MAX_STRING_CHARS)});
        failure("States.Base64Encode($.s)", &long);
        assert!(eval("States.Base64Encode($.ok)", &long).is_ok());
    }

    #[test]
    fn hashes() {
        let input = json!({"Data": "input data"});
        assert_eq!(
            ok("States.Hash($.Data, 'SHA-1')", &input),
            json!("aaff4a450a104cd177d28d18d74485e8cae074b7")
        );
        assert_eq!(
            ok("States.Hash('abc', 'MD5')", &input),
            json!("900150983cd24fb0d6963f7d28e17f72")
        );
        assert_eq!(
            ok("States.Hash('abc', 'SHA-256')", &input),
            json!("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        );
        assert_eq!(
            ok("States.Hash('abc', 'SHA-384')", &input).as_str().map(str::len),
            Some(96)
        );
        assert_eq!(
            ok("States.Hash('abc', 'SHA-512')", &input).as_str().map(str::len),
            Some(128)
        );
        failure("States.Hash('abc', 'sha-1')", &input);
        failure("States.Hash('abc', 'SHA1')", &input);
        failure("States.Hash(1, 'MD5')", &input);
    }

    #[test]
    fn json_merge_is_shallow() {
        let input = json!({"json1": {"a": {"a1": 1, "a2": 2}, "b": 2}, "json2": {"a": {"a3": 1, "a4": 2}, "c": 3}});
        assert_eq!(
            ok("States.JsonMerge($.json1, $.json2, false)", &input),
            json!({"a": {"a3": 1, "a4": 2}, "b": 2, "c": 3})
        );
        assert_eq!(
            ok(
                "States.JsonMerge(States.StringToJson('{\"k\": \"v\"}'), $.json2, false)",
                &input
            ),
            json!({"k": "v", "a": {"a3": 1, "a4": 2}, "c": 3})
        );
        failure("States.JsonMerge($.json1, $.json2, true)", &input);
        failure("States.JsonMerge($.json1, $.json2, 'false')", &input);
        failure("States.JsonMerge($.json1, States.Array(), false)", &input);
    }

    #[test]
    fn math_add_rounds_like_java() {
        let cases = [
            ((-9.0, 3.0), -6),
            ((1.49, 1.5), 3),
            ((1.5, 1.51), 4),
            ((-1.49, -1.5), -2),
            ((-1.5, -1.51), -3),
            ((0.5, 0.0), 1),
            ((2.5, 0.0), 3),
            ((-0.5, 0.0), 0),
            ((-0.5, 0.5), 1),
            ((-1.5, 0.0), -1),
            ((-2.5, 0.0), -2),
        ];
        for ((a, b), expected) in cases {
            let input = json!({"a": a, "b": b});
            assert_eq!(ok("States.MathAdd($.a, $.b)", &input), json!(expected), "{a} + {b}");
        }
        assert_eq!(ok("States.MathAdd(111, -1)", &json!({})), json!(110));
        failure("States.MathAdd('1', 1)", &json!({}));
    }

    #[test]
    fn math_random_ranges_and_seeds() {
        for _ in 0..200 {
            let v = ok("States.MathRandom(1, 5)", &json!({})).as_i64().unwrap_or(-1);
            assert!((1..5).contains(&v), "{v}");
        }
        let seeded = ok("States.MathRandom(0, 999, 3)", &json!({}));
        assert_eq!(ok("States.MathRandom(0, 999, 3)", &json!({})), seeded);
        let negative = ok("States.MathRandom(-99999, -9999)", &json!({})).as_i64().unwrap_or(0);
        assert!((-99999..-9999).contains(&negative));
        failure("States.MathRandom(5, 5)", &json!({}));
        failure("States.MathRandom('a', 5)", &json!({}));
    }

    #[test]
    fn java_random_matches_the_jdk() {
        // Well-known values of `new Random(42)`.
        let mut r = JavaRandom::new(42);
        assert_eq!(r.next(32), -1_170_105_035);
        assert_eq!(JavaRandom::new(42).next_int(10), 0);
        assert_eq!(JavaRandom::new(42).next_int(100), 30);
    }

    #[test]
    fn string_split_uses_every_delimiter_character() {
        let input = json!({"s": "This.is+a,test=string", "d": ".+,="});
        assert_eq!(
            ok("States.StringSplit($.s, $.d)", &input),
            json!(["This", "is", "a", "test", "string"])
        );
        assert_eq!(ok("States.StringSplit('1,2,,3,', ',')", &input), json!(["1", "2", "3"]));
        assert_eq!(ok("States.StringSplit('abc', '')", &input), json!(["abc"]));
        assert_eq!(ok("States.StringSplit('', ',')", &input), json!([]));
        failure("States.StringSplit(1, ',')", &input);
    }

    #[test]
    fn uuid_is_v4() {
        let v = ok("States.UUID()", &json!({}));
        let s = v.as_str().unwrap_or_default();
        assert_eq!(s.len(), 36);
        assert_eq!(s.chars().nth(14), Some('4'));
        assert_ne!(ok("States.UUID()", &json!({})), v);
    }

    #[test]
    fn failure_causes_name_the_state() {
        let err = failure("States.ArrayGetItem(States.Array(1), 4)", &json!({}));
        assert_eq!(err.error(), "States.IntrinsicFailure");
        assert!(
            err.cause("P", 2)
                .starts_with("An error occurred while executing the state 'P' (entered at the event id #2). ")
        );
    }
}
