//! The SQL/JSON path language (SQL:2016, as Trino documents it under "JSON path language") that
//! `json_exists`, `json_value` and `json_query` evaluate, over `serde_json::Value`.
//!
//! A path is `[lax|strict] <expression>` (lax when the mode is left out). [`JsonPath::parse`]
//! turns the text into an AST once; [`JsonPath::evaluate`] runs it against one JSON input and the
//! values of the `PASSING` clause, giving a sequence of items or an error. What is supported:
//! `$`, `$name`, `@`, `last`; number, string, boolean and null literals; unary and binary
//! arithmetic; member (`.name`, `."name"`, `.*`), descendant (`..name`) and array (`[1, 2 to
//! last]`, `[*]`) accessors; filters `?( predicate )` with comparisons, `&&`, `||`, `!`,
//! `exists`, `is unknown`, `starts with` and `like_regex`; and the item methods `abs`,
//! `ceiling`, `floor`, `double`, `size`, `type` and `keyvalue`. `datetime()` is refused.
//!
//! Every path and every input is untrusted, so nothing here may panic, overflow the stack or
//! run away:
//!
//! - The tokenizer is a loop; the parser recurses only for nested syntax (parentheses, filters,
//!   subscripts, `exists`, unary signs, `!`), and refuses more than `MAX_NESTING` levels.
//!   Chains (`$.a.b.c`, `1 + 2 + 3`, `p && q && r`) are kept flat, so the AST and the evaluator
//!   recurse no deeper than that nesting either.
//! - No sequence may hold more than `MAX_ITEMS` items, and one `..` step may visit no more than
//!   `MAX_ITEMS` nodes.
//! - The whole evaluation has a work budget (`MAX_WORK` units: items produced, nodes visited,
//!   pairs compared, string bytes scanned) and a budget of bytes it may copy into results
//!   (`MAX_COPIED_BYTES`), because a short path can multiply work (`$[0,0,0][0,0,0]...`,
//!   nested filters that each rescan `$`) far beyond what the item cap alone prevents.
//! - Intermediate items borrow from the input, the variables and the path's literals instead of
//!   copying them; only results and values the path builds (`keyvalue()`, arithmetic) are owned.
//!
//! Numbers stay `serde_json::Number`s. Arithmetic is exact in `i64` while both operands are
//! integers and the result fits, and falls back to `f64` otherwise (Trino would use DECIMAL);
//! integer division truncates, as SQL's does.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::fmt;
use std::rc::Rc;

use regex::{Regex, RegexBuilder};
use serde_json::{Map, Number, Value};

/// Deepest nesting of parentheses, filters, subscripts, signs and `!` the parser accepts.
const MAX_NESTING: usize = 100;
/// Most items any one sequence may hold, and most nodes one `..` step may visit.
const MAX_ITEMS: usize = 1_000_000;
/// Work units one evaluation may spend: roughly one per item produced, node visited, pair of
/// items compared or path evaluated, plus one per 64 bytes of string scanned.
const MAX_WORK: usize = 50_000_000;
/// Approximate bytes one evaluation may copy into owned values (results and `keyvalue()`
/// objects): Athena caps a row at 32 MB, so a result far beyond that is a runaway path.
const MAX_COPIED_BYTES: usize = 256 * 1024 * 1024;
/// What copying one JSON node costs beyond its string bytes, in the copy budget.
const NODE_BYTES: usize = 16;
/// Compiled size limit for `like_regex` patterns (the path text is short; this stops
/// `a{1000}{1000}` style blow-ups).
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// Why a path could not be parsed or evaluated. `Display` gives the message.
#[derive(Debug, Clone, PartialEq)]
pub enum PathError {
    /// The path text is malformed or uses something unsupported, or it names a variable the
    /// `PASSING` clause did not supply.
    Syntax(String),
    /// Strict mode met a missing member or an array index out of bounds.
    Structural(String),
    /// An item of the wrong type for the operation, or an arithmetic failure (division by zero,
    /// a result outside the range of a double).
    Type(String),
    /// The evaluation would exceed one of the bounds in the module documentation.
    Limit(String),
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathError::Syntax(m) | PathError::Structural(m) | PathError::Type(m) | PathError::Limit(m) => {
                f.write_str(m)
            }
        }
    }
}

impl std::error::Error for PathError {}

/// A parsed SQL/JSON path, ready to evaluate any number of times.
#[derive(Debug, Clone)]
pub struct JsonPath {
    strict: bool,
    root: Expr,
    /// Every `$name` the path mentions, so a missing `PASSING` value fails up front instead of
    /// silently turning a filter `unknown`.
    variables: Vec<String>,
}

impl JsonPath {
    /// Parses `[lax|strict] <expression>`; every failure is a [`PathError::Syntax`].
    pub fn parse(text: &str) -> Result<JsonPath, PathError> {
        let tokens = Lexer::new(text).tokenize()?;
        let mut parser = Parser::new(tokens, text.len());
        let strict = if parser.eat_keyword("strict") {
            true
        } else {
            parser.eat_keyword("lax");
            false
        };
        let root = parser.parse_or()?;
        if root.is_predicate() {
            return Err(parser.error("a predicate is only allowed inside a filter '?( )'"));
        }
        if *parser.peek() != Tok::End {
            return Err(parser.error(format!("unexpected {}", parser.peek())));
        }
        let mut variables = parser.variables;
        variables.sort();
        variables.dedup();
        Ok(JsonPath {
            strict,
            root,
            variables,
        })
    }

    /// Whether the path was written in strict mode.
    #[cfg(test)]
    pub fn is_strict(&self) -> bool {
        self.strict
    }

    /// Evaluates the path with `input` as `$` and `vars` as the named variables.
    pub fn evaluate(&self, input: &Value, vars: &HashMap<String, Value>) -> Result<Vec<Value>, PathError> {
        if let Some(missing) = self.variables.iter().find(|name| !vars.contains_key(*name)) {
            return Err(PathError::Syntax(format!(
                "no value passed for the JSON path variable ${missing}"
            )));
        }
        let mut evaluator = Evaluator {
            strict: self.strict,
            root: input,
            vars,
            work: 0,
            copied_bytes: 0,
            next_object_id: 0,
        };
        let context = Context {
            current: None,
            last: None,
        };
        let sequence = evaluator.eval(&self.root, &context)?;
        evaluator.into_values(sequence)
    }
}

// ---------------------------------------------------------------------------------------------
// Tokenizer
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    /// `$`, the context item.
    Dollar,
    /// `$name`, a variable from the `PASSING` clause.
    Var(String),
    /// `@`, the item a filter is testing.
    At,
    /// A bare word: a keyword, a member name or a method name, depending on where it stands.
    Ident(String),
    Str(String),
    Num(Number),
    Dot,
    DotDot,
    Star,
    LBracket,
    RBracket,
    LParen,
    RParen,
    Comma,
    Question,
    Plus,
    Minus,
    Slash,
    Percent,
    EqEq,
    /// `!=` or `<>`.
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    AndAnd,
    OrOr,
    Bang,
    End,
}

/// What `peek` returns past the last token, so looking ahead never indexes out of bounds.
static END: Tok = Tok::End;

impl fmt::Display for Tok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let symbol = match self {
            Tok::Var(name) => return write!(f, "'${name}'"),
            Tok::Ident(word) => return write!(f, "'{word}'"),
            Tok::Str(text) => return write!(f, "string {text:?}"),
            Tok::Num(n) => return write!(f, "number {n}"),
            Tok::End => return f.write_str("end of path"),
            Tok::Dollar => "$",
            Tok::At => "@",
            Tok::Dot => ".",
            Tok::DotDot => "..",
            Tok::Star => "*",
            Tok::LBracket => "[",
            Tok::RBracket => "]",
            Tok::LParen => "(",
            Tok::RParen => ")",
            Tok::Comma => ",",
            Tok::Question => "?",
            Tok::Plus => "+",
            Tok::Minus => "-",
            Tok::Slash => "/",
            Tok::Percent => "%",
            Tok::EqEq => "==",
            Tok::Ne => "!=",
            Tok::Lt => "<",
            Tok::Le => "<=",
            Tok::Gt => ">",
            Tok::Ge => ">=",
            Tok::AndAnd => "&&",
            Tok::OrOr => "||",
            Tok::Bang => "!",
        };
        write!(f, "'{symbol}'")
    }
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Works on decoded chars, never on byte offsets into the text, so no slice can fall inside a
/// multi-byte character; byte offsets are kept only for error messages.
struct Lexer {
    chars: Vec<(usize, char)>,
    i: usize,
    text_len: usize,
}

impl Lexer {
    fn new(text: &str) -> Self {
        Lexer {
            chars: text.char_indices().collect(),
            i: 0,
            text_len: text.len(),
        }
    }

    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.i.saturating_add(ahead)).map(|&(_, c)| c)
    }

    fn position(&self) -> usize {
        self.chars.get(self.i).map_or(self.text_len, |&(pos, _)| pos)
    }

    fn error(&self, message: impl fmt::Display) -> PathError {
        PathError::Syntax(format!(
            "JSON path syntax error at position {}: {message}",
            self.position()
        ))
    }

    fn tokenize(mut self) -> Result<Vec<(Tok, usize)>, PathError> {
        let mut tokens = Vec::new();
        while let Some(c) = self.peek(0) {
            if c.is_whitespace() {
                self.i += 1;
                continue;
            }
            let start = self.position();
            let token = match c {
                '"' => Tok::Str(self.string()?),
                '0'..='9' => self.number()?,
                c if is_ident_start(c) => Tok::Ident(self.ident()),
                '$' => {
                    self.i += 1;
                    if self.peek(0).is_some_and(is_ident_start) {
                        Tok::Var(self.ident())
                    } else {
                        Tok::Dollar
                    }
                }
                _ => self.symbol(c)?,
            };
            tokens.push((token, start));
        }
        tokens.push((Tok::End, self.text_len));
        Ok(tokens)
    }

    fn symbol(&mut self, c: char) -> Result<Tok, PathError> {
        let next = self.peek(1);
        let (token, width) = match (c, next) {
            ('.', Some('.')) => (Tok::DotDot, 2),
            ('.', _) => (Tok::Dot, 1),
            ('@', _) => (Tok::At, 1),
            ('*', _) => (Tok::Star, 1),
            ('[', _) => (Tok::LBracket, 1),
            (']', _) => (Tok::RBracket, 1),
            ('(', _) => (Tok::LParen, 1),
            (')', _) => (Tok::RParen, 1),
            (',', _) => (Tok::Comma, 1),
            ('?', _) => (Tok::Question, 1),
            ('+', _) => (Tok::Plus, 1),
            ('-', _) => (Tok::Minus, 1),
            ('/', _) => (Tok::Slash, 1),
            ('%', _) => (Tok::Percent, 1),
            ('=', Some('=')) => (Tok::EqEq, 2),
            ('!', Some('=')) | ('<', Some('>')) => (Tok::Ne, 2),
            ('!', _) => (Tok::Bang, 1),
            ('<', Some('=')) => (Tok::Le, 2),
            ('<', _) => (Tok::Lt, 1),
            ('>', Some('=')) => (Tok::Ge, 2),
            ('>', _) => (Tok::Gt, 1),
            ('&', Some('&')) => (Tok::AndAnd, 2),
            ('|', Some('|')) => (Tok::OrOr, 2),
            _ => return Err(self.error(format!("unexpected character {c:?}"))),
        };
        self.i += width;
        Ok(token)
    }

    fn ident(&mut self) -> String {
        let mut word = String::new();
        while let Some(c) = self.peek(0).filter(|&c| is_ident_char(c)) {
            word.push(c);
            self.i += 1;
        }
        word
    }

    fn digits(&mut self, into: &mut String) {
        while let Some(c) = self.peek(0).filter(char::is_ascii_digit) {
            into.push(c);
            self.i += 1;
        }
    }

    /// `digits [. digits] [e|E [+|-] digits]`; a sign is a separate unary operator. A `.` not
    /// followed by a digit is left alone, so `1.abs()` is the method call it looks like.
    fn number(&mut self) -> Result<Tok, PathError> {
        let mut text = String::new();
        let mut approximate = false;
        self.digits(&mut text);
        if self.peek(0) == Some('.') && self.peek(1).is_some_and(|c| c.is_ascii_digit()) {
            approximate = true;
            text.push('.');
            self.i += 1;
            self.digits(&mut text);
        }
        if matches!(self.peek(0), Some('e' | 'E')) {
            let sign = matches!(self.peek(1), Some('+' | '-'));
            let first_digit = if sign { 2 } else { 1 };
            if self.peek(first_digit).is_some_and(|c| c.is_ascii_digit()) {
                approximate = true;
                text.push('e');
                if sign {
                    text.extend(self.peek(1));
                }
                self.i += first_digit;
                self.digits(&mut text);
            }
        }
        if self.peek(0).is_some_and(is_ident_char) {
            return Err(self.error("a number must not run into a name"));
        }
        // An integer wider than u64 falls through and is kept approximately, as a double.
        if !approximate && let Ok(n) = text.parse::<u64>() {
            return Ok(Tok::Num(match i64::try_from(n) {
                Ok(small) => Number::from(small),
                Err(_) => Number::from(n),
            }));
        }
        text.parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map(Tok::Num)
            .ok_or_else(|| self.error(format!("number {text} is out of range")))
    }

    /// A double-quoted string with JSON's escapes.
    fn string(&mut self) -> Result<String, PathError> {
        self.i += 1;
        let mut text = String::new();
        loop {
            let Some(c) = self.peek(0) else {
                return Err(self.error("unterminated string literal"));
            };
            self.i += 1;
            match c {
                '"' => return Ok(text),
                '\\' => {
                    let Some(escaped) = self.peek(0) else {
                        return Err(self.error("unterminated string literal"));
                    };
                    self.i += 1;
                    match escaped {
                        '"' | '\\' | '/' => text.push(escaped),
                        'b' => text.push('\u{8}'),
                        'f' => text.push('\u{c}'),
                        'n' => text.push('\n'),
                        'r' => text.push('\r'),
                        't' => text.push('\t'),
                        'u' => text.push(self.unicode_escape()?),
                        other => return Err(self.error(format!("invalid escape '\\{other}'"))),
                    }
                }
                other => text.push(other),
            }
        }
    }

    /// The rest of a `\uXXXX` escape, joining a surrogate pair into one char.
    fn unicode_escape(&mut self) -> Result<char, PathError> {
        let first = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&first) {
            if self.peek(0) != Some('\\') || self.peek(1) != Some('u') {
                return Err(self.error("unpaired surrogate in \\u escape"));
            }
            self.i += 2;
            let second = self.hex4()?;
            if !(0xDC00..0xE000).contains(&second) {
                return Err(self.error("unpaired surrogate in \\u escape"));
            }
            0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
        } else {
            first
        };
        char::from_u32(code).ok_or_else(|| self.error("invalid \\u escape"))
    }

    fn hex4(&mut self) -> Result<u32, PathError> {
        let mut value = 0u32;
        for _ in 0..4 {
            let Some(digit) = self.peek(0).and_then(|c| c.to_digit(16)) else {
                return Err(self.error("a \\u escape needs four hex digits"));
            };
            value = value * 16 + digit;
            self.i += 1;
        }
        Ok(value)
    }
}

// ---------------------------------------------------------------------------------------------
// AST
// ---------------------------------------------------------------------------------------------

/// Paths and predicates share one tree because `(` can open either, and telling them apart
/// by backtracking would cost time exponential in the nesting; [`Expr::is_predicate`] checks
/// each place takes the right kind.
#[derive(Debug, Clone)]
enum Expr {
    Context,
    Current,
    Last,
    Var(String),
    Literal(Value),
    /// A primary followed by accessors and methods, kept as a list so long chains do not
    /// deepen the tree.
    Accessors {
        base: Box<Expr>,
        steps: Vec<Step>,
    },
    Unary {
        negate: bool,
        operand: Box<Expr>,
    },
    /// `first op rest[0].1 op rest[1].1 ...`, left-associative, all one precedence level.
    Arith {
        first: Box<Expr>,
        rest: Vec<(ArithOp, Expr)>,
    },
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    Exists(Box<Expr>),
    IsUnknown(Box<Expr>),
    Compare {
        op: CmpOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    StartsWith {
        value: Box<Expr>,
        prefix: Box<Expr>,
    },
    LikeRegex {
        value: Box<Expr>,
        regex: Regex,
    },
}

impl Expr {
    fn is_predicate(&self) -> bool {
        matches!(
            self,
            Expr::And(_)
                | Expr::Or(_)
                | Expr::Not(_)
                | Expr::Exists(_)
                | Expr::IsUnknown(_)
                | Expr::Compare { .. }
                | Expr::StartsWith { .. }
                | Expr::LikeRegex { .. }
        )
    }
}

#[derive(Debug, Clone)]
enum Step {
    Member(String),
    WildcardMember,
    Descendant(String),
    Elements(Vec<Subscript>),
    WildcardElements,
    Filter(Box<Expr>),
    Method(Method),
}

#[derive(Debug, Clone)]
struct Subscript {
    from: Expr,
    to: Option<Expr>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    Abs,
    Ceiling,
    Floor,
    Double,
    Size,
    Type,
    KeyValue,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

// ---------------------------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------------------------

/// Recursive descent, lowest precedence first:
///
/// ```text
/// or         := and ('||' and)*
/// and        := not ('&&' not)*
/// not        := '!' not | comparison
/// comparison := additive [ cmp-op additive | 'starts' 'with' (string | $var)
///                          | 'like_regex' string ['flag' string] ]
/// additive   := term (('+' | '-') term)*
/// term       := unary (('*' | '/' | '%') unary)*
/// unary      := ('+' | '-') unary | accessors
/// accessors  := primary ('.' name | '.' string | '.*' | '..' name | '.' method '()'
///                        | '[' subscripts ']' | '[*]' | '?(' or ')')*
/// primary    := '$' | '$'name | '@' | 'last' | literal | 'exists(' or ')'
///             | '(' or ')' ['is' 'unknown']
/// ```
struct Parser {
    tokens: Vec<(Tok, usize)>,
    pos: usize,
    text_len: usize,
    depth: usize,
    /// How many filters enclose the current token: `@` means nothing outside one.
    filter_depth: usize,
    /// How many array subscripts enclose the current token: `last` means nothing outside one.
    subscript_depth: usize,
    variables: Vec<String>,
}

impl Parser {
    fn new(tokens: Vec<(Tok, usize)>, text_len: usize) -> Self {
        Parser {
            tokens,
            pos: 0,
            text_len,
            depth: 0,
            filter_depth: 0,
            subscript_depth: 0,
            variables: Vec::new(),
        }
    }

    fn peek(&self) -> &Tok {
        self.peek_at(0)
    }

    fn peek_at(&self, ahead: usize) -> &Tok {
        self.tokens
            .get(self.pos.saturating_add(ahead))
            .map_or(&END, |(token, _)| token)
    }

    fn bump(&mut self) {
        if self.pos < self.tokens.len() {
            self.pos += 1;
        }
    }

    fn advance(&mut self) -> Tok {
        let token = self.peek().clone();
        self.bump();
        token
    }

    fn eat(&mut self, token: &Tok) -> bool {
        if self.peek() == token {
            self.bump();
            true
        } else {
            false
        }
    }

    fn eat_keyword(&mut self, keyword: &str) -> bool {
        if matches!(self.peek(), Tok::Ident(word) if word == keyword) {
            self.bump();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, token: &Tok, what: &str) -> Result<(), PathError> {
        if self.eat(token) {
            Ok(())
        } else {
            Err(self.error(format!("expected {what}, found {}", self.peek())))
        }
    }

    fn error(&self, message: impl fmt::Display) -> PathError {
        let position = self.tokens.get(self.pos).map_or(self.text_len, |&(_, pos)| pos);
        PathError::Syntax(format!("JSON path syntax error at position {position}: {message}"))
    }

    fn expect_path(&self, expr: &Expr, role: &str) -> Result<(), PathError> {
        if expr.is_predicate() {
            Err(self.error(format!("a predicate cannot be used as {role}")))
        } else {
            Ok(())
        }
    }

    fn expect_predicate(&self, expr: &Expr, role: &str) -> Result<(), PathError> {
        if expr.is_predicate() {
            Ok(())
        } else {
            Err(self.error(format!("{role} needs a predicate, not a path")))
        }
    }

    /// Runs one level of nested syntax, refusing to go deeper than `MAX_NESTING`.
    fn nested<T>(&mut self, parse: impl FnOnce(&mut Self) -> Result<T, PathError>) -> Result<T, PathError> {
        if self.depth >= MAX_NESTING {
            return Err(self.error(format!(
                "the path is nested too deeply (more than {MAX_NESTING} levels)"
            )));
        }
        self.depth += 1;
        let result = parse(self);
        self.depth -= 1;
        result
    }

    fn parse_or(&mut self) -> Result<Expr, PathError> {
        self.nested(|p| {
            let first = p.parse_and()?;
            if *p.peek() != Tok::OrOr {
                return Ok(first);
            }
            let mut operands = vec![first];
            while p.eat(&Tok::OrOr) {
                operands.push(p.parse_and()?);
            }
            for operand in &operands {
                p.expect_predicate(operand, "'||'")?;
            }
            Ok(Expr::Or(operands))
        })
    }

    fn parse_and(&mut self) -> Result<Expr, PathError> {
        let first = self.parse_not()?;
        if *self.peek() != Tok::AndAnd {
            return Ok(first);
        }
        let mut operands = vec![first];
        while self.eat(&Tok::AndAnd) {
            operands.push(self.parse_not()?);
        }
        for operand in &operands {
            self.expect_predicate(operand, "'&&'")?;
        }
        Ok(Expr::And(operands))
    }

    fn parse_not(&mut self) -> Result<Expr, PathError> {
        if !self.eat(&Tok::Bang) {
            return self.parse_comparison();
        }
        let operand = self.nested(|p| p.parse_not())?;
        self.expect_predicate(&operand, "'!'")?;
        Ok(Expr::Not(Box::new(operand)))
    }

    fn parse_comparison(&mut self) -> Result<Expr, PathError> {
        let left = self.parse_additive()?;
        let op = match self.peek() {
            Tok::EqEq => Some(CmpOp::Eq),
            Tok::Ne => Some(CmpOp::Ne),
            Tok::Lt => Some(CmpOp::Lt),
            Tok::Le => Some(CmpOp::Le),
            Tok::Gt => Some(CmpOp::Gt),
            Tok::Ge => Some(CmpOp::Ge),
            _ => None,
        };
        if let Some(op) = op {
            self.expect_path(&left, "a comparison operand")?;
            self.bump();
            let right = self.parse_additive()?;
            self.expect_path(&right, "a comparison operand")?;
            return Ok(Expr::Compare {
                op,
                left: Box::new(left),
                right: Box::new(right),
            });
        }
        if self.eat_keyword("starts") {
            self.expect_path(&left, "the operand of 'starts with'")?;
            if !self.eat_keyword("with") {
                return Err(self.error("expected 'with' after 'starts'"));
            }
            let prefix = match self.advance() {
                Tok::Str(text) => Expr::Literal(Value::String(text)),
                Tok::Var(name) => {
                    self.variables.push(name.clone());
                    Expr::Var(name)
                }
                other => {
                    return Err(self.error(format!(
                        "'starts with' needs a string literal or a variable, found {other}"
                    )));
                }
            };
            return Ok(Expr::StartsWith {
                value: Box::new(left),
                prefix: Box::new(prefix),
            });
        }
        if self.eat_keyword("like_regex") {
            self.expect_path(&left, "the operand of 'like_regex'")?;
            let Tok::Str(pattern) = self.advance() else {
                return Err(self.error("'like_regex' needs a string literal pattern"));
            };
            let flags = if self.eat_keyword("flag") {
                let Tok::Str(flags) = self.advance() else {
                    return Err(self.error("'flag' needs a string literal"));
                };
                flags
            } else {
                String::new()
            };
            let regex = build_regex(&pattern, &flags).map_err(|message| self.error(message))?;
            return Ok(Expr::LikeRegex {
                value: Box::new(left),
                regex,
            });
        }
        Ok(left)
    }

    fn parse_additive(&mut self) -> Result<Expr, PathError> {
        let first = self.parse_term()?;
        let mut rest = Vec::new();
        loop {
            let op = match self.peek() {
                Tok::Plus => ArithOp::Add,
                Tok::Minus => ArithOp::Sub,
                _ => break,
            };
            self.bump();
            let operand = self.parse_term()?;
            self.expect_path(&operand, "an arithmetic operand")?;
            rest.push((op, operand));
        }
        self.arith(first, rest)
    }

    fn parse_term(&mut self) -> Result<Expr, PathError> {
        let first = self.parse_unary()?;
        let mut rest = Vec::new();
        loop {
            let op = match self.peek() {
                Tok::Star => ArithOp::Mul,
                Tok::Slash => ArithOp::Div,
                Tok::Percent => ArithOp::Rem,
                _ => break,
            };
            self.bump();
            let operand = self.parse_unary()?;
            self.expect_path(&operand, "an arithmetic operand")?;
            rest.push((op, operand));
        }
        self.arith(first, rest)
    }

    fn arith(&self, first: Expr, rest: Vec<(ArithOp, Expr)>) -> Result<Expr, PathError> {
        if rest.is_empty() {
            return Ok(first);
        }
        self.expect_path(&first, "an arithmetic operand")?;
        Ok(Expr::Arith {
            first: Box::new(first),
            rest,
        })
    }

    fn parse_unary(&mut self) -> Result<Expr, PathError> {
        let negate = match self.peek() {
            Tok::Plus => false,
            Tok::Minus => true,
            _ => return self.parse_accessors(),
        };
        self.bump();
        let operand = self.nested(|p| p.parse_unary())?;
        self.expect_path(&operand, "an arithmetic operand")?;
        // Folding `-literal` lets `-9223372036854775808` be the exact i64 minimum.
        if negate
            && let Expr::Literal(Value::Number(n)) = &operand
            && let Ok(negated) = negate_number(n)
        {
            return Ok(Expr::Literal(Value::Number(negated)));
        }
        Ok(Expr::Unary {
            negate,
            operand: Box::new(operand),
        })
    }

    fn parse_accessors(&mut self) -> Result<Expr, PathError> {
        let base = self.parse_primary()?;
        let mut steps = Vec::new();
        loop {
            let step = match self.peek() {
                Tok::Dot => {
                    self.bump();
                    self.parse_dot_step()?
                }
                Tok::DotDot => {
                    self.bump();
                    match self.advance() {
                        Tok::Ident(name) | Tok::Str(name) => Step::Descendant(name),
                        other => {
                            return Err(self.error(format!("expected a member name after '..', found {other}")));
                        }
                    }
                }
                Tok::LBracket => {
                    self.bump();
                    self.parse_subscripts()?
                }
                Tok::Question => {
                    self.bump();
                    self.expect(&Tok::LParen, "'(' after '?'")?;
                    self.filter_depth += 1;
                    let predicate = self.parse_or();
                    self.filter_depth -= 1;
                    let predicate = predicate?;
                    self.expect_predicate(&predicate, "a filter")?;
                    self.expect(&Tok::RParen, "')' closing the filter")?;
                    Step::Filter(Box::new(predicate))
                }
                _ => break,
            };
            steps.push(step);
        }
        if steps.is_empty() {
            return Ok(base);
        }
        if base.is_predicate() {
            return Err(self.error("an accessor cannot be applied to a predicate"));
        }
        Ok(Expr::Accessors {
            base: Box::new(base),
            steps,
        })
    }

    fn parse_dot_step(&mut self) -> Result<Step, PathError> {
        match self.advance() {
            Tok::Star => Ok(Step::WildcardMember),
            Tok::Str(name) => Ok(Step::Member(name)),
            Tok::Ident(name) if *self.peek() == Tok::LParen => {
                self.bump();
                let method = match name.as_str() {
                    "abs" => Method::Abs,
                    "ceiling" => Method::Ceiling,
                    "floor" => Method::Floor,
                    "double" => Method::Double,
                    "size" => Method::Size,
                    "type" => Method::Type,
                    "keyvalue" => Method::KeyValue,
                    "datetime" => {
                        return Err(self.error("the datetime() method is not supported"));
                    }
                    _ => return Err(self.error(format!("unknown item method '{name}()'"))),
                };
                self.expect(&Tok::RParen, "')' (item methods take no arguments)")?;
                Ok(Step::Method(method))
            }
            Tok::Ident(name) => Ok(Step::Member(name)),
            other => Err(self.error(format!("expected a member name after '.', found {other}"))),
        }
    }

    /// After `[`: either `*]` or a list of `from [to to]` subscripts.
    fn parse_subscripts(&mut self) -> Result<Step, PathError> {
        if *self.peek() == Tok::Star && *self.peek_at(1) == Tok::RBracket {
            self.bump();
            self.bump();
            return Ok(Step::WildcardElements);
        }
        self.subscript_depth += 1;
        let result = self.parse_subscript_list();
        self.subscript_depth -= 1;
        result
    }

    fn parse_subscript_list(&mut self) -> Result<Step, PathError> {
        let mut subscripts = Vec::new();
        loop {
            let from = self.parse_or()?;
            self.expect_path(&from, "an array subscript")?;
            let to = if self.eat_keyword("to") {
                let to = self.parse_or()?;
                self.expect_path(&to, "an array subscript")?;
                Some(to)
            } else {
                None
            };
            subscripts.push(Subscript { from, to });
            if !self.eat(&Tok::Comma) {
                self.expect(&Tok::RBracket, "',' or ']'")?;
                return Ok(Step::Elements(subscripts));
            }
        }
    }

    fn parse_primary(&mut self) -> Result<Expr, PathError> {
        match self.peek().clone() {
            Tok::Dollar => {
                self.bump();
                Ok(Expr::Context)
            }
            Tok::Var(name) => {
                self.bump();
                self.variables.push(name.clone());
                Ok(Expr::Var(name))
            }
            Tok::At => {
                if self.filter_depth == 0 {
                    return Err(self.error("'@' is only allowed inside a filter"));
                }
                self.bump();
                Ok(Expr::Current)
            }
            Tok::Num(n) => {
                self.bump();
                Ok(Expr::Literal(Value::Number(n)))
            }
            Tok::Str(text) => {
                self.bump();
                Ok(Expr::Literal(Value::String(text)))
            }
            Tok::LParen => {
                self.bump();
                let inner = self.parse_or()?;
                self.expect(&Tok::RParen, "')'")?;
                if inner.is_predicate() && self.eat_keyword("is") {
                    if !self.eat_keyword("unknown") {
                        return Err(self.error("expected 'unknown' after 'is'"));
                    }
                    return Ok(Expr::IsUnknown(Box::new(inner)));
                }
                Ok(inner)
            }
            Tok::Ident(word) => {
                let literal = match word.as_str() {
                    "true" => Value::Bool(true),
                    "false" => Value::Bool(false),
                    "null" => Value::Null,
                    "last" => {
                        if self.subscript_depth == 0 {
                            return Err(self.error("'last' is only allowed inside an array subscript"));
                        }
                        self.bump();
                        return Ok(Expr::Last);
                    }
                    "exists" if *self.peek_at(1) == Tok::LParen => {
                        self.bump();
                        self.bump();
                        let inner = self.parse_or()?;
                        self.expect_path(&inner, "the argument of exists()")?;
                        self.expect(&Tok::RParen, "')' closing exists(")?;
                        return Ok(Expr::Exists(Box::new(inner)));
                    }
                    _ => return Err(self.error(format!("unexpected word '{word}'"))),
                };
                self.bump();
                Ok(Expr::Literal(literal))
            }
            other => Err(self.error(format!("expected a path expression, found {other}"))),
        }
    }
}

/// Builds a `like_regex` pattern. The standard's patterns are XQuery regular expressions; the
/// `regex` crate's syntax agrees on the common ground (classes, quantifiers, anchors, `\p{..}`)
/// but not on XQuery-only forms such as class subtraction `[a-z-[aeiou]]`.
fn build_regex(pattern: &str, flags: &str) -> Result<Regex, String> {
    let (mut ignore_case, mut dot_all, mut multi_line, mut extended, mut literal) = (false, false, false, false, false);
    for flag in flags.chars() {
        match flag {
            'i' => ignore_case = true,
            's' => dot_all = true,
            'm' => multi_line = true,
            'x' => extended = true,
            'q' => literal = true,
            other => return Err(format!("unknown like_regex flag {other:?}")),
        }
    }
    let source = if literal {
        regex::escape(pattern)
    } else {
        pattern.to_owned()
    };
    RegexBuilder::new(&source)
        .case_insensitive(ignore_case)
        .dot_matches_new_line(dot_all)
        .multi_line(multi_line)
        .ignore_whitespace(extended && !literal)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| format!("invalid like_regex pattern: {e}"))
}

// ---------------------------------------------------------------------------------------------
// Evaluator
// ---------------------------------------------------------------------------------------------

/// One item of a sequence: borrowed from the input, a variable or the path itself when it can
/// be, owned (shared, so repeating it is cheap) when the path built it.
#[derive(Debug, Clone)]
enum Item<'a> {
    Ref(&'a Value),
    Own(Rc<Value>),
}

impl Item<'_> {
    fn value(&self) -> &Value {
        match self {
            Item::Ref(v) => v,
            Item::Own(v) => v,
        }
    }

    fn owned(value: Value) -> Self {
        Item::Own(Rc::new(value))
    }
}

type Seq<'a> = Vec<Item<'a>>;

/// What `@` and `last` stand for where an expression is evaluated.
struct Context<'a> {
    current: Option<Item<'a>>,
    last: Option<i64>,
}

/// SQL's three-valued logic: `None` is `unknown`.
type Truth = Option<bool>;

#[derive(Debug, Clone, Copy)]
enum Num {
    Int(i64),
    Float(f64),
}

impl Num {
    fn as_f64(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Float(f) => f,
        }
    }
}

struct Evaluator<'a> {
    strict: bool,
    root: &'a Value,
    vars: &'a HashMap<String, Value>,
    work: usize,
    copied_bytes: usize,
    /// `keyvalue()` numbers every object it expands, across the whole evaluation.
    next_object_id: u64,
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn type_error(expected: &str, found: &Value) -> PathError {
    PathError::Type(format!("expected {expected}, found {}", type_name(found)))
}

impl<'a> Evaluator<'a> {
    fn tick(&mut self, units: usize) -> Result<(), PathError> {
        self.work = self.work.saturating_add(units);
        if self.work > MAX_WORK {
            return Err(PathError::Limit(format!(
                "JSON path evaluation exceeded its work limit ({MAX_WORK} steps)"
            )));
        }
        Ok(())
    }

    fn push(&mut self, out: &mut Seq<'a>, item: Item<'a>) -> Result<(), PathError> {
        if out.len() >= MAX_ITEMS {
            return Err(PathError::Limit(format!(
                "a JSON path sequence would hold more than {MAX_ITEMS} items"
            )));
        }
        self.tick(1)?;
        out.push(item);
        Ok(())
    }

    /// Charges the copy of `value` to both budgets before it is made, walking it with a heap
    /// stack so deep input cannot overflow the call stack.
    fn charge_copy(&mut self, value: &Value) -> Result<(), PathError> {
        let mut stack = vec![value];
        while let Some(node) = stack.pop() {
            let bytes = match node {
                Value::String(s) => s.len(),
                Value::Array(elements) => {
                    stack.extend(elements.iter());
                    0
                }
                Value::Object(members) => {
                    let mut key_bytes = 0usize;
                    for (key, member) in members {
                        key_bytes = key_bytes.saturating_add(key.len());
                        stack.push(member);
                    }
                    key_bytes
                }
                _ => 0,
            };
            self.copied_bytes = self.copied_bytes.saturating_add(NODE_BYTES.saturating_add(bytes));
            if self.copied_bytes > MAX_COPIED_BYTES {
                return Err(PathError::Limit(format!(
                    "JSON path result would be larger than {MAX_COPIED_BYTES} bytes"
                )));
            }
            self.tick(1 + bytes / 64)?;
        }
        Ok(())
    }

    fn copy(&mut self, value: &Value) -> Result<Item<'a>, PathError> {
        self.charge_copy(value)?;
        Ok(Item::owned(value.clone()))
    }

    fn into_values(mut self, sequence: Seq<'a>) -> Result<Vec<Value>, PathError> {
        let mut values = Vec::with_capacity(sequence.len());
        for item in sequence {
            self.charge_copy(item.value())?;
            values.push(match item {
                Item::Ref(v) => v.clone(),
                Item::Own(rc) => Rc::try_unwrap(rc).unwrap_or_else(|shared| (*shared).clone()),
            });
        }
        Ok(values)
    }

    // -- navigating one item ------------------------------------------------------------------

    fn member_of(&mut self, item: &Item<'a>, name: &str) -> Result<Option<Item<'a>>, PathError> {
        match *item {
            Item::Ref(v) => Ok(v.get(name).map(Item::Ref)),
            Item::Own(ref rc) => match rc.get(name) {
                Some(member) => self.copy(member).map(Some),
                None => Ok(None),
            },
        }
    }

    fn element_of(&mut self, item: &Item<'a>, index: usize) -> Result<Option<Item<'a>>, PathError> {
        match *item {
            Item::Ref(v) => Ok(v.as_array().and_then(|a| a.get(index)).map(Item::Ref)),
            Item::Own(ref rc) => match rc.as_array().and_then(|a| a.get(index)) {
                Some(element) => self.copy(element).map(Some),
                None => Ok(None),
            },
        }
    }

    /// Appends the elements of an array item (nothing for other items).
    fn push_elements(&mut self, item: &Item<'a>, out: &mut Seq<'a>) -> Result<(), PathError> {
        match *item {
            Item::Ref(v) => {
                for element in v.as_array().into_iter().flatten() {
                    self.push(out, Item::Ref(element))?;
                }
            }
            Item::Own(ref rc) => {
                for element in rc.as_array().into_iter().flatten() {
                    let copy = self.copy(element)?;
                    self.push(out, copy)?;
                }
            }
        }
        Ok(())
    }

    /// Appends the member values of an object item (nothing for other items).
    fn push_members(&mut self, item: &Item<'a>, out: &mut Seq<'a>) -> Result<(), PathError> {
        match *item {
            Item::Ref(v) => {
                for member in v.as_object().into_iter().flat_map(|m| m.values()) {
                    self.push(out, Item::Ref(member))?;
                }
            }
            Item::Own(ref rc) => {
                for member in rc.as_object().into_iter().flat_map(|m| m.values()) {
                    let copy = self.copy(member)?;
                    self.push(out, copy)?;
                }
            }
        }
        Ok(())
    }

    /// Lax mode's automatic unnesting: every array in the sequence is replaced by its elements
    /// (one level). Strict mode leaves the sequence alone.
    fn unwrap_lax(&mut self, sequence: Seq<'a>) -> Result<Seq<'a>, PathError> {
        if self.strict || !sequence.iter().any(|item| item.value().is_array()) {
            return Ok(sequence);
        }
        let mut out = Vec::with_capacity(sequence.len());
        for item in sequence {
            if item.value().is_array() {
                self.push_elements(&item, &mut out)?;
            } else {
                self.push(&mut out, item)?;
            }
        }
        Ok(out)
    }

    /// The values bound to `name` in `root` and in every object nested in it, in preorder
    /// (an object's own member before its children's), counting visits in `visited`.
    fn descendants<'v>(
        &mut self,
        root: &'v Value,
        name: &str,
        visited: &mut usize,
    ) -> Result<Vec<&'v Value>, PathError> {
        let mut found = Vec::new();
        let mut stack = vec![root];
        while let Some(node) = stack.pop() {
            *visited += 1;
            if *visited > MAX_ITEMS {
                return Err(PathError::Limit(format!(
                    "a descendant accessor '..{name}' would visit more than {MAX_ITEMS} nodes"
                )));
            }
            self.tick(1)?;
            match node {
                Value::Object(members) => {
                    if let Some(bound) = members.get(name) {
                        found.push(bound);
                    }
                    // Reversed so the stack pops the children in document order.
                    stack.extend(members.values().rev());
                }
                Value::Array(elements) => stack.extend(elements.iter().rev()),
                _ => {}
            }
        }
        Ok(found)
    }

    // -- paths --------------------------------------------------------------------------------

    fn eval(&mut self, expr: &'a Expr, cx: &Context<'a>) -> Result<Seq<'a>, PathError> {
        self.tick(1)?;
        match expr {
            Expr::Context => Ok(vec![Item::Ref(self.root)]),
            Expr::Current => match &cx.current {
                Some(item) => Ok(vec![item.clone()]),
                None => Err(PathError::Syntax("'@' used outside a filter".to_owned())),
            },
            Expr::Last => match cx.last {
                Some(last) => Ok(vec![Item::owned(Value::from(last))]),
                None => Err(PathError::Syntax("'last' used outside an array subscript".to_owned())),
            },
            Expr::Var(name) => {
                let vars: &'a HashMap<String, Value> = self.vars;
                match vars.get(name) {
                    Some(value) => Ok(vec![Item::Ref(value)]),
                    None => Err(PathError::Syntax(format!(
                        "no value passed for the JSON path variable ${name}"
                    ))),
                }
            }
            Expr::Literal(value) => Ok(vec![Item::Ref(value)]),
            Expr::Accessors { base, steps } => {
                let mut sequence = self.eval(base, cx)?;
                for step in steps {
                    sequence = self.apply(step, sequence, cx)?;
                }
                Ok(sequence)
            }
            Expr::Unary { negate, operand } => self.eval_unary(*negate, operand, cx),
            Expr::Arith { first, rest } => {
                let mut acc = self.single_number(first, cx)?;
                for (op, operand) in rest {
                    let rhs = self.single_number(operand, cx)?;
                    acc = arith(*op, acc, rhs)?;
                }
                Ok(vec![Item::owned(Value::Number(to_number(acc)?))])
            }
            _ => Err(PathError::Syntax("a predicate cannot be used as a path".to_owned())),
        }
    }

    fn eval_unary(&mut self, negate: bool, operand: &'a Expr, cx: &Context<'a>) -> Result<Seq<'a>, PathError> {
        let sequence = self.eval(operand, cx)?;
        let sequence = self.unwrap_lax(sequence)?;
        let mut out = Vec::with_capacity(sequence.len());
        for item in sequence {
            let Value::Number(n) = item.value() else {
                return Err(type_error("a number for unary '+' or '-'", item.value()));
            };
            let result = if negate {
                Item::owned(Value::Number(negate_number(n)?))
            } else {
                item
            };
            self.push(&mut out, result)?;
        }
        Ok(out)
    }

    /// An arithmetic operand: after lax unnesting it must be exactly one number.
    fn single_number(&mut self, expr: &'a Expr, cx: &Context<'a>) -> Result<Num, PathError> {
        let sequence = self.eval(expr, cx)?;
        let sequence = self.unwrap_lax(sequence)?;
        let [item] = sequence.as_slice() else {
            return Err(PathError::Type(format!(
                "an arithmetic operand must be a single number, not a sequence of {} items",
                sequence.len()
            )));
        };
        match item.value() {
            Value::Number(n) => num_of(n),
            other => Err(type_error("a number as an arithmetic operand", other)),
        }
    }

    fn apply(&mut self, step: &'a Step, sequence: Seq<'a>, cx: &Context<'a>) -> Result<Seq<'a>, PathError> {
        let mut out = Vec::new();
        match step {
            Step::Member(name) => {
                let sequence = self.unwrap_lax(sequence)?;
                for item in &sequence {
                    match item.value() {
                        Value::Object(_) => match self.member_of(item, name)? {
                            Some(member) => self.push(&mut out, member)?,
                            None if self.strict => {
                                return Err(PathError::Structural(format!("missing member '{name}' in JSON object")));
                            }
                            None => {}
                        },
                        other if self.strict => {
                            return Err(type_error("an object for member accessor", other));
                        }
                        _ => {}
                    }
                }
            }
            Step::WildcardMember => {
                let sequence = self.unwrap_lax(sequence)?;
                for item in &sequence {
                    match item.value() {
                        Value::Object(_) => self.push_members(item, &mut out)?,
                        other if self.strict => {
                            return Err(type_error("an object for wildcard member accessor", other));
                        }
                        _ => {}
                    }
                }
            }
            Step::Descendant(name) => {
                // No unnesting here, in either mode: the traversal enters arrays itself.
                let mut visited = 0usize;
                for item in &sequence {
                    match *item {
                        Item::Ref(v) => {
                            for found in self.descendants(v, name, &mut visited)? {
                                self.push(&mut out, Item::Ref(found))?;
                            }
                        }
                        Item::Own(ref rc) => {
                            for found in self.descendants(rc, name, &mut visited)? {
                                let copy = self.copy(found)?;
                                self.push(&mut out, copy)?;
                            }
                        }
                    }
                }
            }
            Step::WildcardElements => {
                for item in &sequence {
                    match item.value() {
                        Value::Array(_) => self.push_elements(item, &mut out)?,
                        // Lax mode wraps a non-array as a one-element array.
                        _ if !self.strict => self.push(&mut out, item.clone())?,
                        other => return Err(type_error("an array for [*]", other)),
                    }
                }
            }
            Step::Elements(subscripts) => {
                for item in &sequence {
                    self.subscript(item, subscripts, cx, &mut out)?;
                }
            }
            Step::Filter(predicate) => {
                let sequence = self.unwrap_lax(sequence)?;
                for item in sequence {
                    let inner = Context {
                        current: Some(item.clone()),
                        last: cx.last,
                    };
                    if self.eval_predicate(predicate, &inner)? == Some(true) {
                        self.push(&mut out, item)?;
                    }
                }
            }
            Step::Method(method) => self.method(*method, sequence, &mut out)?,
        }
        Ok(out)
    }

    /// `item[subscripts]`: each subscript is evaluated with `last` bound to this array's last
    /// index; out-of-range parts are errors in strict mode and are skipped in lax mode.
    fn subscript(
        &mut self,
        item: &Item<'a>,
        subscripts: &'a [Subscript],
        cx: &Context<'a>,
        out: &mut Seq<'a>,
    ) -> Result<(), PathError> {
        let (len, is_array) = match item.value() {
            Value::Array(elements) => (elements.len(), true),
            _ if !self.strict => (1, false),
            other => return Err(type_error("an array for an array accessor", other)),
        };
        let Some(last_index) = len.checked_sub(1) else {
            if self.strict {
                return Err(PathError::Structural(
                    "invalid array subscript for an empty array".to_owned(),
                ));
            }
            return Ok(());
        };
        let last = i64::try_from(last_index).unwrap_or(i64::MAX);
        let inner = Context {
            current: cx.current.clone(),
            last: Some(last),
        };
        for subscript in subscripts {
            let from = self.index(&subscript.from, &inner)?;
            let to = match &subscript.to {
                Some(to) => self.index(to, &inner)?,
                None => from,
            };
            let out_of_bounds = from > to || from < 0 || to > last;
            if out_of_bounds && self.strict {
                return Err(PathError::Structural(format!(
                    "invalid array subscript [{from} to {to}] for an array of size {len}"
                )));
            }
            if from > to {
                continue;
            }
            // Clamped to the array, so a range like `0 to 9223372036854775807` costs only
            // as much as the array is long.
            for index in from.max(0)..=to.min(last) {
                let Ok(index) = usize::try_from(index) else {
                    break;
                };
                let element = if is_array {
                    self.element_of(item, index)?
                } else if index == 0 {
                    Some(item.clone())
                } else {
                    None
                };
                if let Some(element) = element {
                    self.push(out, element)?;
                }
            }
        }
        Ok(())
    }

    /// An array index: a single number. Fractions round (as SQL's cast to BIGINT does) and
    /// values beyond i64 saturate, which leaves them out of bounds rather than failing.
    fn index(&mut self, expr: &'a Expr, cx: &Context<'a>) -> Result<i64, PathError> {
        let sequence = self.eval(expr, cx)?;
        let [item] = sequence.as_slice() else {
            return Err(PathError::Type(format!(
                "an array subscript must be a single number, not a sequence of {} items",
                sequence.len()
            )));
        };
        let Value::Number(n) = item.value() else {
            return Err(type_error("a number as an array subscript", item.value()));
        };
        if let Some(i) = n.as_i64() {
            return Ok(i);
        }
        if n.as_u64().is_some() {
            return Ok(i64::MAX);
        }
        match n.as_f64() {
            // `as` saturates at the i64 bounds; the value is finite, so never NaN.
            Some(f) => Ok(f.round() as i64),
            None => Err(PathError::Type(format!("cannot use {n} as an array subscript"))),
        }
    }

    fn method(&mut self, method: Method, sequence: Seq<'a>, out: &mut Seq<'a>) -> Result<(), PathError> {
        match method {
            // size() and type() look at arrays as they are; the rest unnest them in lax mode.
            Method::Size => {
                for item in &sequence {
                    let size = match item.value() {
                        Value::Array(elements) => elements.len(),
                        _ if !self.strict => 1,
                        other => return Err(type_error("an array for size()", other)),
                    };
                    self.push(out, Item::owned(Value::from(size)))?;
                }
            }
            Method::Type => {
                for item in &sequence {
                    let name = type_name(item.value());
                    self.push(out, Item::owned(Value::from(name)))?;
                }
            }
            Method::KeyValue => {
                let sequence = self.unwrap_lax(sequence)?;
                for item in &sequence {
                    let Value::Object(members) = item.value() else {
                        return Err(type_error("an object for keyvalue()", item.value()));
                    };
                    let id = self.next_object_id;
                    self.next_object_id = self.next_object_id.saturating_add(1);
                    for (name, value) in members {
                        self.charge_copy(value)?;
                        let mut entry = Map::new();
                        entry.insert("name".to_owned(), Value::String(name.clone()));
                        entry.insert("value".to_owned(), value.clone());
                        entry.insert("id".to_owned(), Value::from(id));
                        self.push(out, Item::owned(Value::Object(entry)))?;
                    }
                }
            }
            Method::Abs | Method::Ceiling | Method::Floor | Method::Double => {
                let sequence = self.unwrap_lax(sequence)?;
                for item in sequence {
                    let result = numeric_method(method, item.value())?;
                    let result = match result {
                        Some(n) => Item::owned(Value::Number(n)),
                        None => item,
                    };
                    self.push(out, result)?;
                }
            }
        }
        Ok(())
    }

    // -- predicates ---------------------------------------------------------------------------

    /// Evaluates a path for a predicate, where an error means `unknown` (`Ok(None)`) — except
    /// running out of budget, which must stop the whole evaluation.
    fn try_eval(&mut self, expr: &'a Expr, cx: &Context<'a>) -> Result<Option<Seq<'a>>, PathError> {
        match self.eval(expr, cx) {
            Ok(sequence) => Ok(Some(sequence)),
            Err(limit @ PathError::Limit(_)) => Err(limit),
            Err(_) => Ok(None),
        }
    }

    fn eval_predicate(&mut self, expr: &'a Expr, cx: &Context<'a>) -> Result<Truth, PathError> {
        self.tick(1)?;
        match expr {
            Expr::And(operands) => {
                let mut unknown = false;
                for operand in operands {
                    match self.eval_predicate(operand, cx)? {
                        Some(false) => return Ok(Some(false)),
                        None => unknown = true,
                        Some(true) => {}
                    }
                }
                Ok(if unknown { None } else { Some(true) })
            }
            Expr::Or(operands) => {
                let mut unknown = false;
                for operand in operands {
                    match self.eval_predicate(operand, cx)? {
                        Some(true) => return Ok(Some(true)),
                        None => unknown = true,
                        Some(false) => {}
                    }
                }
                Ok(if unknown { None } else { Some(false) })
            }
            Expr::Not(operand) => Ok(self.eval_predicate(operand, cx)?.map(|b| !b)),
            Expr::IsUnknown(operand) => Ok(Some(self.eval_predicate(operand, cx)?.is_none())),
            Expr::Exists(path) => Ok(self.try_eval(path, cx)?.map(|s| !s.is_empty())),
            Expr::Compare { op, left, right } => {
                let Some(left) = self.try_eval(left, cx)? else {
                    return Ok(None);
                };
                let Some(right) = self.try_eval(right, cx)? else {
                    return Ok(None);
                };
                self.compare_sequences(*op, left, right)
            }
            Expr::StartsWith { value, prefix } => {
                let Some(values) = self.try_eval(value, cx)? else {
                    return Ok(None);
                };
                let Some(prefixes) = self.try_eval(prefix, cx)? else {
                    return Ok(None);
                };
                let [prefix_item] = prefixes.as_slice() else {
                    return Ok(None);
                };
                let Value::String(prefix_text) = prefix_item.value() else {
                    return Ok(None);
                };
                let cost = 1 + prefix_text.len() / 64;
                self.any_string(values, |_| cost, |s| s.starts_with(prefix_text.as_str()))
            }
            Expr::LikeRegex { value, regex } => {
                let Some(values) = self.try_eval(value, cx)? else {
                    return Ok(None);
                };
                // A match scans the whole string, so it pays by length.
                self.any_string(values, |s| 1 + s.len() / 16, |s| regex.is_match(s))
            }
            _ => Err(PathError::Syntax("a path cannot be used as a predicate".to_owned())),
        }
    }

    /// The shared shape of `starts with` and `like_regex`: after lax unnesting, every item must
    /// be a string (else `unknown`); true if any matches. Lax mode answers at the first match,
    /// so a non-string after it does not matter; strict mode must look at them all. `cost`
    /// says how much work one test of a string is.
    fn any_string(
        &mut self,
        values: Seq<'a>,
        cost: impl Fn(&str) -> usize,
        matches: impl Fn(&str) -> bool,
    ) -> Result<Truth, PathError> {
        let values = self.unwrap_lax(values)?;
        let mut found = false;
        for item in &values {
            let Value::String(text) = item.value() else {
                return Ok(None);
            };
            self.tick(cost(text))?;
            if matches(text) {
                found = true;
                if !self.strict {
                    return Ok(Some(true));
                }
            }
        }
        Ok(Some(found))
    }

    /// SQL/JSON comparison of two sequences: true if some pair compares true. Comparing a
    /// container with anything but null, or scalars of different types, is an error, which
    /// makes the result `unknown`; lax mode settles on whichever of a true pair or an error it
    /// meets first, strict mode lets any error win. Null equals only null, and is unequal to
    /// everything else.
    fn compare_sequences(&mut self, op: CmpOp, left: Seq<'a>, right: Seq<'a>) -> Result<Truth, PathError> {
        let left = self.unwrap_lax(left)?;
        let right = self.unwrap_lax(right)?;
        if left.is_empty() || right.is_empty() {
            return Ok(Some(false));
        }
        let l = Kinds::of(&left);
        let r = Kinds::of(&right);
        if (l.container && (r.container || r.scalar)) || (l.scalar && r.container) {
            return Ok(None);
        }
        let mut found = match op {
            CmpOp::Eq => l.null && r.null,
            CmpOp::Ne => (l.null && (r.scalar || r.container)) || (r.null && (l.scalar || l.container)),
            _ => false,
        };
        if found && !self.strict {
            return Ok(Some(true));
        }
        if !l.scalar || !r.scalar {
            return Ok(Some(found));
        }
        for a in left.iter().map(Item::value).filter(|v| is_scalar(v)) {
            for b in right.iter().map(Item::value).filter(|v| is_scalar(v)) {
                let scanned = match (a, b) {
                    (Value::String(x), Value::String(y)) => x.len().min(y.len()) / 64,
                    _ => 0,
                };
                self.tick(1 + scanned)?;
                match compare_scalars(op, a, b) {
                    None => return Ok(None),
                    Some(true) => {
                        found = true;
                        if !self.strict {
                            return Ok(Some(true));
                        }
                    }
                    Some(false) => {}
                }
            }
        }
        Ok(Some(found))
    }
}

/// Which kinds of item a sequence holds, for the comparison rules.
struct Kinds {
    null: bool,
    scalar: bool,
    container: bool,
}

impl Kinds {
    fn of(sequence: &[Item<'_>]) -> Self {
        let mut kinds = Kinds {
            null: false,
            scalar: false,
            container: false,
        };
        for item in sequence {
            match item.value() {
                Value::Null => kinds.null = true,
                Value::Array(_) | Value::Object(_) => kinds.container = true,
                _ => kinds.scalar = true,
            }
        }
        kinds
    }
}

fn is_scalar(value: &Value) -> bool {
    matches!(value, Value::Bool(_) | Value::Number(_) | Value::String(_))
}

/// `None` when the two scalars cannot be compared (different types).
fn compare_scalars(op: CmpOp, a: &Value, b: &Value) -> Option<bool> {
    let ordering = match (a, b) {
        (Value::Number(x), Value::Number(y)) => compare_numbers(x, y)?,
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        _ => return None,
    };
    Some(match op {
        CmpOp::Eq => ordering == Ordering::Equal,
        CmpOp::Ne => ordering != Ordering::Equal,
        CmpOp::Lt => ordering == Ordering::Less,
        CmpOp::Le => ordering != Ordering::Greater,
        CmpOp::Gt => ordering == Ordering::Greater,
        CmpOp::Ge => ordering != Ordering::Less,
    })
}

/// Exact for any two integers (i64 or u64), through f64 once either has a fraction.
fn compare_numbers(x: &Number, y: &Number) -> Option<Ordering> {
    let integer = |n: &Number| n.as_i64().map(i128::from).or_else(|| n.as_u64().map(i128::from));
    if let (Some(a), Some(b)) = (integer(x), integer(y)) {
        return Some(a.cmp(&b));
    }
    x.as_f64()?.partial_cmp(&y.as_f64()?)
}

// ---------------------------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------------------------

fn num_of(n: &Number) -> Result<Num, PathError> {
    if let Some(i) = n.as_i64() {
        return Ok(Num::Int(i));
    }
    n.as_f64()
        .map(Num::Float)
        .ok_or_else(|| PathError::Type(format!("cannot use {n} as a number")))
}

fn to_number(n: Num) -> Result<Number, PathError> {
    match n {
        Num::Int(i) => Ok(Number::from(i)),
        Num::Float(f) => {
            Number::from_f64(f).ok_or_else(|| PathError::Type("numeric result is out of range".to_owned()))
        }
    }
}

fn negate_number(n: &Number) -> Result<Number, PathError> {
    // Among the integers beyond i64, only 2^63 has an exact negation: i64::MIN.
    if n.as_i64().is_none()
        && let Some(u) = n.as_u64()
        && let Ok(negated) = i64::try_from(-i128::from(u))
    {
        return Ok(Number::from(negated));
    }
    let negated = match num_of(n)? {
        Num::Int(i) => i.checked_neg().map_or(Num::Float(-(i as f64)), Num::Int),
        Num::Float(f) => Num::Float(-f),
    };
    to_number(negated)
}

fn arith(op: ArithOp, left: Num, right: Num) -> Result<Num, PathError> {
    let division_by_zero = || PathError::Type("division by zero".to_owned());
    if let (Num::Int(a), Num::Int(b)) = (left, right) {
        let exact = match op {
            ArithOp::Add => a.checked_add(b),
            ArithOp::Sub => a.checked_sub(b),
            ArithOp::Mul => a.checked_mul(b),
            ArithOp::Div if b == 0 => return Err(division_by_zero()),
            // Truncates toward zero, as SQL integer division does.
            ArithOp::Div => a.checked_div(b),
            ArithOp::Rem if b == 0 => return Err(division_by_zero()),
            // Only i64::MIN % -1 overflows, and its remainder is 0.
            ArithOp::Rem => Some(a.checked_rem(b).unwrap_or(0)),
        };
        if let Some(result) = exact {
            return Ok(Num::Int(result));
        }
    }
    let (a, b) = (left.as_f64(), right.as_f64());
    let result = match op {
        ArithOp::Add => a + b,
        ArithOp::Sub => a - b,
        ArithOp::Mul => a * b,
        ArithOp::Div if b == 0.0 => return Err(division_by_zero()),
        ArithOp::Div => a / b,
        ArithOp::Rem if b == 0.0 => return Err(division_by_zero()),
        ArithOp::Rem => a % b,
    };
    if result.is_finite() {
        Ok(Num::Float(result))
    } else {
        Err(PathError::Type("numeric result is out of range".to_owned()))
    }
}

/// `abs()`, `ceiling()`, `floor()` and `double()` on one item; `Ok(None)` means the item is
/// its own result (an integer's ceiling, a non-negative number's abs).
fn numeric_method(method: Method, value: &Value) -> Result<Option<Number>, PathError> {
    if method == Method::Double {
        let f = match value {
            Value::Number(n) => num_of(n)?.as_f64(),
            // SQL's cast from varchar to double; NaN and infinities have no JSON form.
            Value::String(s) => s
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|f| f.is_finite())
                .ok_or_else(|| PathError::Type(format!("cannot convert {s:?} to a double")))?,
            other => return Err(type_error("a number or a string for double()", other)),
        };
        return to_number(Num::Float(f)).map(Some);
    }
    let Value::Number(n) = value else {
        return Err(type_error("a number", value));
    };
    if !n.is_f64() {
        // An integer is its own ceiling and floor; only a negative one changes under abs().
        return match (method, n.as_i64()) {
            (Method::Abs, Some(i)) if i < 0 => {
                let abs = i.checked_abs().map_or(Num::Float((i as f64).abs()), Num::Int);
                to_number(abs).map(Some)
            }
            _ => Ok(None),
        };
    }
    let f = num_of(n)?.as_f64();
    let result = match method {
        Method::Abs => f.abs(),
        Method::Ceiling => f.ceil(),
        _ => f.floor(),
    };
    to_number(Num::Float(result)).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn customer() -> Value {
        json!({
            "customer": 100,
            "region": "AFRICA",
            "comment": "A",
            "children": [{"name": "a", "age": 1}, {"name": "b", "age": 7}]
        })
    }

    fn run_with(path: &str, input: &Value, vars: &HashMap<String, Value>) -> Result<Vec<Value>, PathError> {
        JsonPath::parse(path)?.evaluate(input, vars)
    }

    fn run(path: &str, input: &Value) -> Result<Vec<Value>, PathError> {
        run_with(path, input, &HashMap::new())
    }

    fn ok(path: &str, input: &Value) -> Vec<Value> {
        match run(path, input) {
            Ok(values) => values,
            Err(e) => panic!("{path}: {e}"),
        }
    }

    #[test]
    fn wildcard_array_then_member() {
        assert_eq!(ok("lax $.children[*].age", &customer()), vec![json!(1), json!(7)]);
    }

    #[test]
    fn last_subscript() {
        assert_eq!(ok("lax $.children[last].name", &customer()), vec![json!("b")]);
    }

    #[test]
    fn last_minus_one() {
        assert_eq!(ok("lax $.children[last - 1].name", &customer()), vec![json!("a")]);
        assert_eq!(
            ok("$.children[last-1 to last].age", &customer()),
            vec![json!(1), json!(7)]
        );
    }

    #[test]
    fn range_subscript() {
        assert_eq!(
            ok("lax $.children[0 to 1].name", &customer()),
            vec![json!("a"), json!("b")]
        );
        // Subscripts may repeat and need not be in order.
        assert_eq!(
            ok("$.children[1, 0, 0].name", &customer()),
            vec![json!("b"), json!("a"), json!("a")]
        );
    }

    #[test]
    fn filter_unnests_in_lax_mode() {
        assert_eq!(ok("lax $.children ? (@.age > 5).name", &customer()), vec![json!("b")]);
        assert_eq!(ok("lax $.children[*]?(@.age >= 1).name", &customer()).len(), 2);
    }

    #[test]
    fn missing_member_strict_and_lax() {
        assert!(matches!(
            run("strict $.missing", &customer()),
            Err(PathError::Structural(_))
        ));
        assert_eq!(ok("lax $.missing", &customer()), Vec::<Value>::new());
        assert_eq!(ok("$.missing", &customer()), Vec::<Value>::new());
    }

    #[test]
    fn size_method() {
        assert_eq!(ok("lax $.customer.size()", &customer()), vec![json!(1)]);
        assert_eq!(ok("lax $.children.size()", &customer()), vec![json!(2)]);
        assert!(matches!(
            run("strict $.customer.size()", &customer()),
            Err(PathError::Type(_))
        ));
        let arrays = json!([[0, 1, 2], ["a", "b", "c", "d"], [null, null]]);
        assert_eq!(ok("strict $[*].size()", &arrays), vec![json!(3), json!(4), json!(2)]);
    }

    #[test]
    fn wildcard_member_keeps_object_order() {
        let input = customer();
        let expected: Vec<Value> = input.as_object().unwrap().values().cloned().collect();
        assert_eq!(ok("lax $.*", &input), expected);
    }

    #[test]
    fn starts_with_in_filter() {
        assert_eq!(
            ok("lax $ ? (@.region starts with \"AF\").customer", &customer()),
            vec![json!(100)]
        );
        assert_eq!(
            ok("lax $ ? (@.region starts with \"AS\").customer", &customer()),
            Vec::<Value>::new()
        );
        assert_eq!(
            ok("lax $.children ? ($.region starts with \"AF\").name", &customer()),
            vec![json!("a"), json!("b")]
        );
        // A non-string makes it unknown, which a filter treats as not true.
        assert_eq!(
            ok("lax $ ? (@.customer starts with \"1\")", &customer()),
            Vec::<Value>::new()
        );
    }

    #[test]
    fn arithmetic() {
        assert_eq!(ok("$.customer + 1", &customer()), vec![json!(101)]);
        assert_eq!(ok("1 + 2 * 3", &json!(null)), vec![json!(7)]);
        assert_eq!(ok("(1 + 2) * 3", &json!(null)), vec![json!(9)]);
        assert_eq!(ok("7 / 2", &json!(null)), vec![json!(3)]);
        assert_eq!(ok("-7 % 3", &json!(null)), vec![json!(-1)]);
        assert_eq!(ok("7.0 / 2", &json!(null)), vec![json!(3.5)]);
        assert_eq!(ok("1.5e1 - 5", &json!(null)), vec![json!(10.0)]);
        assert_eq!(ok("10 - 2 - 3", &json!(null)), vec![json!(5)]);
    }

    #[test]
    fn arithmetic_errors() {
        assert!(matches!(run("$.customer / 0", &customer()), Err(PathError::Type(_))));
        assert!(matches!(run("$.customer % 0", &customer()), Err(PathError::Type(_))));
        assert!(matches!(run("$.region + 1", &customer()), Err(PathError::Type(_))));
        // Two items on one side is not a single operand.
        assert!(matches!(
            run("$.children[*].age + 1", &customer()),
            Err(PathError::Type(_))
        ));
        assert!(matches!(run("1e308 * 10", &json!(null)), Err(PathError::Type(_))));
    }

    #[test]
    fn integer_overflow_falls_back_to_double() {
        assert_eq!(
            ok("9223372036854775807 + 1", &json!(null)),
            vec![json!(9223372036854775808.0)]
        );
        assert_eq!(ok("-9223372036854775808", &json!(null)), vec![json!(i64::MIN)]);
        assert_eq!(
            ok("-9223372036854775808 / -1", &json!(null)),
            vec![json!(9223372036854775808.0)]
        );
    }

    #[test]
    fn unary_minus_applies_to_every_item() {
        assert_eq!(ok("-$.children[*].age", &customer()), vec![json!(-1), json!(-7)]);
        assert_eq!(ok("lax -$.children.age", &customer()), vec![json!(-1), json!(-7)]);
        assert!(matches!(run("-$.region", &customer()), Err(PathError::Type(_))));
    }

    #[test]
    fn lax_wraps_non_arrays() {
        assert_eq!(ok("lax $.customer[0]", &customer()), vec![json!(100)]);
        assert_eq!(ok("lax $.customer[*]", &customer()), vec![json!(100)]);
        assert_eq!(ok("lax $.customer[1]", &customer()), Vec::<Value>::new());
        assert!(matches!(
            run("strict $.customer[0]", &customer()),
            Err(PathError::Type(_))
        ));
    }

    #[test]
    fn strict_member_on_array_fails_lax_unnests() {
        assert!(matches!(
            run("strict $.children.name", &customer()),
            Err(PathError::Type(_))
        ));
        assert_eq!(ok("lax $.children.name", &customer()), vec![json!("a"), json!("b")]);
    }

    #[test]
    fn huge_and_negative_indexes() {
        assert_eq!(ok("lax $[9223372036854775807]", &customer()), Vec::<Value>::new());
        assert!(matches!(
            run("strict $[9223372036854775807]", &json!([1])),
            Err(PathError::Structural(_))
        ));
        assert_eq!(ok("lax $[-1]", &json!([1, 2])), Vec::<Value>::new());
        assert!(matches!(
            run("strict $[-1]", &json!([1, 2])),
            Err(PathError::Structural(_))
        ));
        assert_eq!(
            ok("lax $[-9223372036854775808 to 9223372036854775807]", &json!([1, 2])),
            vec![json!(1), json!(2)]
        );
        assert_eq!(ok("lax $[99999999999999999999999]", &json!([1])), Vec::<Value>::new());
    }

    #[test]
    fn reversed_range() {
        assert_eq!(ok("lax $[1 to 0]", &json!([1, 2])), Vec::<Value>::new());
        assert!(matches!(
            run("strict $[1 to 0]", &json!([1, 2])),
            Err(PathError::Structural(_))
        ));
        assert!(matches!(run("strict $[0]", &json!([])), Err(PathError::Structural(_))));
    }

    #[test]
    fn docs_array_examples() {
        let input = json!([[0, 1, 2], ["a", "b", "c", "d"], [null, null]]);
        assert_eq!(ok("lax $[*][last]", &input), vec![json!(2), json!("d"), json!(null)]);
        assert_eq!(ok("lax $[*][2 to 3]", &input), vec![json!(2), json!("c"), json!("d")]);
        assert_eq!(ok("lax $[*][*]", &input).len(), 9);
    }

    #[test]
    fn keyvalue_single_object() {
        let mut entries = ok("$.children[0].keyvalue()", &customer());
        entries.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
        assert_eq!(
            entries,
            vec![
                json!({"name": "age", "value": 1, "id": 0}),
                json!({"name": "name", "value": "a", "id": 0}),
            ]
        );
    }

    #[test]
    fn keyvalue_numbers_each_object() {
        let entries = ok("lax $.children.keyvalue()", &customer());
        let ids: Vec<Value> = entries.iter().map(|e| e["id"].clone()).collect();
        assert_eq!(ids, vec![json!(0), json!(0), json!(1), json!(1)]);
        assert_eq!(
            ok("lax $.keyvalue() ? (@.name == \"region\").value", &customer()),
            vec![json!("AFRICA")]
        );
        assert!(matches!(
            run("$.customer.keyvalue()", &customer()),
            Err(PathError::Type(_))
        ));
    }

    #[test]
    fn type_method() {
        let input = json!({"n": null, "b": true, "x": 1.5, "s": "t", "a": [1], "o": {}});
        assert_eq!(ok("$.n.type()", &input), vec![json!("null")]);
        assert_eq!(ok("$.b.type()", &input), vec![json!("boolean")]);
        assert_eq!(ok("$.x.type()", &input), vec![json!("number")]);
        assert_eq!(ok("$.s.type()", &input), vec![json!("string")]);
        // type() does not unnest arrays, even in lax mode.
        assert_eq!(ok("lax $.a.type()", &input), vec![json!("array")]);
        assert_eq!(ok("$.o.type()", &input), vec![json!("object")]);
    }

    #[test]
    fn numeric_methods_follow_the_docs() {
        let input = json!([-1.5, -1, 1.3]);
        assert_eq!(ok("$[*].ceiling()", &input), vec![json!(-1.0), json!(-1), json!(2.0)]);
        assert_eq!(ok("$[*].floor()", &input), vec![json!(-2.0), json!(-1), json!(1.0)]);
        assert_eq!(ok("$[*].abs()", &input), vec![json!(1.5), json!(1), json!(1.3)]);
        let doubles = json!([-1, 23e4, "5.6"]);
        assert_eq!(
            ok("lax $.double()", &doubles),
            vec![json!(-1.0), json!(230000.0), json!(5.6)]
        );
        assert!(matches!(run("$.double()", &json!("abc")), Err(PathError::Type(_))));
        assert!(matches!(
            run("lax $.floor()", &json!([1, "a"])),
            Err(PathError::Type(_))
        ));
    }

    #[test]
    fn descendant_member_docs_example() {
        let input = json!({
            "id": 1,
            "notes": [{"type": 1, "comment": "foo"}, {"type": 2, "comment": null}],
            "comment": ["bar", "baz"]
        });
        assert_eq!(
            ok("$..comment", &input),
            vec![json!(["bar", "baz"]), json!("foo"), json!(null)]
        );
        assert_eq!(ok("strict $..\"type\"", &input), vec![json!(1), json!(2)]);
    }

    #[test]
    fn null_comparisons() {
        let input = json!([1, null, "x"]);
        assert_eq!(ok("lax $[*] ? (@ != null)", &input), vec![json!(1), json!("x")]);
        assert_eq!(ok("lax $[*] ? (@ == null)", &input), vec![json!(null)]);
        assert_eq!(ok("lax $[*] ? (@ < null)", &input), Vec::<Value>::new());
    }

    #[test]
    fn incompatible_comparison_is_unknown() {
        let input = json!([1, "x", 2, [3], {"a": 1}]);
        assert_eq!(ok("strict $[*] ? (@ > 0)", &input), vec![json!(1), json!(2)]);
        assert_eq!(
            ok("strict $[*] ? ((@ > 0) is unknown)", &input),
            vec![json!("x"), json!([3]), json!({"a": 1})]
        );
        assert_eq!(
            ok("$ ? (@.customer == 100.0).region", &customer()),
            vec![json!("AFRICA")]
        );
    }

    #[test]
    fn existential_comparison_order_in_lax_and_strict() {
        // Lax mode stops at the first true pair or error, whichever comes first.
        assert_eq!(
            ok("lax $ ? (@.m[*] == 1).k", &json!({"m": [1, "x"], "k": 1})),
            vec![json!(1)]
        );
        assert_eq!(
            ok("lax $ ? (@.m[*] == 1).k", &json!({"m": ["x", 1], "k": 1})),
            Vec::<Value>::new()
        );
        // Strict mode lets any error make the comparison unknown.
        assert_eq!(
            ok("strict $ ? (@.m[*] == 1).k", &json!({"m": [1, "x"], "k": 1})),
            Vec::<Value>::new()
        );
        assert_eq!(
            ok("lax $ ? ($.children[*].age == 7).customer", &customer()),
            vec![json!(100)]
        );
    }

    #[test]
    fn boolean_connectives_and_exists() {
        let c = customer();
        assert_eq!(
            ok("$.children ? (@.age > 0 && @.name == \"b\").name", &c),
            vec![json!("b")]
        );
        assert_eq!(ok("$.children ? (@.age > 5 || @.name == \"a\").name", &c).len(), 2);
        assert_eq!(ok("$.children ? (!(@.age > 5)).name", &c), vec![json!("a")]);
        assert_eq!(ok("$.children ? (exists(@.name)).age", &c), vec![json!(1), json!(7)]);
        assert_eq!(
            ok("$.children ? (!exists(@.missing)).age", &c),
            vec![json!(1), json!(7)]
        );
        // strict: the missing member is an error, so exists() is unknown.
        assert_eq!(
            ok("strict $.children[*] ? (exists(@.missing)).age", &c),
            Vec::<Value>::new()
        );
        assert_eq!(
            ok("strict $.children[*] ? ((exists(@.missing)) is unknown).age", &c),
            vec![json!(1), json!(7)]
        );
    }

    #[test]
    fn named_variables() {
        let mut vars = HashMap::new();
        vars.insert("min".to_owned(), json!(5));
        vars.insert("prefix".to_owned(), json!("AF"));
        assert_eq!(
            run_with("$.children ? (@.age > $min).name", &customer(), &vars).unwrap(),
            vec![json!("b")]
        );
        assert_eq!(
            run_with("$ ? (@.region starts with $prefix).customer", &customer(), &vars).unwrap(),
            vec![json!(100)]
        );
        assert!(matches!(
            run("$.children ? (@.age > $min).name", &customer()),
            Err(PathError::Syntax(_))
        ));
    }

    #[test]
    fn like_regex() {
        let c = customer();
        assert_eq!(
            ok("$.children ? (@.name like_regex \"^[B]\" flag \"i\").name", &c),
            vec![json!("b")]
        );
        assert_eq!(
            ok("$.children ? (@.name like_regex \"^[B]\").name", &c),
            Vec::<Value>::new()
        );
        assert_eq!(ok("$ ? (@.region like_regex \"FRI\").customer", &c), vec![json!(100)]);
        assert!(matches!(
            JsonPath::parse("$ ? (@ like_regex \"(\")"),
            Err(PathError::Syntax(_))
        ));
        assert!(matches!(
            JsonPath::parse("$ ? (@ like_regex \"a\" flag \"z\")"),
            Err(PathError::Syntax(_))
        ));
    }

    #[test]
    fn quoted_members_and_escapes() {
        let input = json!({"a b": 1, "é": 2, "quote\"d": 3});
        assert_eq!(ok("$.\"a b\"", &input), vec![json!(1)]);
        assert_eq!(ok("$.\"\\u00e9\"", &input), vec![json!(2)]);
        assert_eq!(ok("$.é", &input), vec![json!(2)]);
        assert_eq!(ok("$.\"quote\\\"d\"", &input), vec![json!(3)]);
        assert_eq!(ok("\"\\uD83D\\uDE00\"", &json!(null)), vec![json!("\u{1F600}")]);
    }

    #[test]
    fn literals() {
        assert_eq!(ok("true", &json!(null)), vec![json!(true)]);
        assert_eq!(ok("null", &json!(1)), vec![json!(null)]);
        assert_eq!(ok("\"x\".type()", &json!(null)), vec![json!("string")]);
        assert_eq!(ok("1.abs()", &json!(null)), vec![json!(1)]);
        // Accessors bind tighter than the sign.
        assert_eq!(ok("-1.5.floor()", &json!(null)), vec![json!(-1.0)]);
    }

    #[test]
    fn mode_keyword() {
        assert!(JsonPath::parse("strict $").unwrap().is_strict());
        assert!(!JsonPath::parse("lax $").unwrap().is_strict());
        assert!(!JsonPath::parse("$").unwrap().is_strict());
        // Keywords are lower case; `$.lax` is just a member.
        assert!(JsonPath::parse("LAX $").is_err());
        assert_eq!(ok("$.lax", &json!({"lax": 1})), vec![json!(1)]);
        assert_eq!(ok("$.size", &json!({"size": 2})), vec![json!(2)]);
    }

    #[test]
    fn syntax_errors() {
        for bad in [
            "",
            "lax",
            "$.",
            "$[",
            "$[1 to]",
            "$ ? (",
            "$ ? (@.a)",
            "@",
            "last",
            "$.a.nope()",
            "$.a.datetime()",
            "$ == 1",
            "$.a $.b",
            "1 == 2 == 3",
            "\"unterminated",
            "$.\"\\uD800\"",
            "1e999",
            "$ = 1",
            "(1 > 2).a",
            "exists($)",
            "#",
            "12abc",
        ] {
            assert!(
                matches!(JsonPath::parse(bad), Err(PathError::Syntax(_))),
                "{bad:?} should be a syntax error"
            );
        }
        assert!(
            JsonPath::parse("$.datetime()")
                .unwrap_err()
                .to_string()
                .contains("not supported")
        );
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let parens = format!("{}$.a{}", "(".repeat(200), ")".repeat(200));
        let err = JsonPath::parse(&parens).unwrap_err();
        assert!(matches!(err, PathError::Syntax(_)));
        assert!(err.to_string().contains("nested too deeply"));

        let signs = format!("{}1", "-".repeat(200));
        assert!(matches!(JsonPath::parse(&signs), Err(PathError::Syntax(_))));

        let subscripts = format!("{}0{}", "$[".repeat(200), "]".repeat(200));
        assert!(matches!(JsonPath::parse(&subscripts), Err(PathError::Syntax(_))));

        let negations = format!("$ ? ({}@ == 1{})", "!(".repeat(200), ")".repeat(200));
        assert!(matches!(JsonPath::parse(&negations), Err(PathError::Syntax(_))));

        // Within the limit, nesting is fine.
        let shallow = format!("{}1{}", "(".repeat(50), ")".repeat(50));
        assert_eq!(ok(&shallow, &json!(null)), vec![json!(1)]);

        // Long flat chains are not nesting.
        let chain = format!("1{}", " + 1".repeat(5000));
        assert_eq!(ok(&chain, &json!(null)), vec![json!(5001)]);
        let members = format!("lax ${}", ".a".repeat(5000));
        assert_eq!(ok(&members, &json!({"a": 1})), Vec::<Value>::new());
    }

    #[test]
    fn sequence_limit() {
        let input = Value::Array((0..100).map(Value::from).collect());
        let ten = "[0,0,0,0,0,0,0,0,0,0]";
        let path = format!("lax $[*]{}", ten.repeat(5));
        assert!(matches!(run(&path, &input), Err(PathError::Limit(_))));
    }

    #[test]
    fn descendant_limit() {
        let input = Value::Array(vec![Value::Null; MAX_ITEMS + 1]);
        assert!(matches!(run("$..a", &input), Err(PathError::Limit(_))));
    }

    #[test]
    fn nested_rescans_hit_the_work_budget() {
        let input = Value::Array((0..1000).map(Value::from).collect());
        let path = "lax $[*] ? (exists($[*] ? (exists($[*] ? (@ == -1)))))";
        assert!(matches!(run(path, &input), Err(PathError::Limit(_))));
    }

    #[test]
    fn odd_inputs_do_not_panic() {
        let input = customer();
        for path in [
            "$[-9223372036854775808]",
            "$[9223372036854775807 to -9223372036854775808]",
            "strict $[-9223372036854775808 to 9223372036854775807]",
            "$.children[0 to 9223372036854775807].name",
            "-9223372036854775808 - 1",
            "9223372036854775807 * 9223372036854775807",
            "-9223372036854775808 % -1",
            "(-9223372036854775808).abs()",
            "$.customer[1.5]",
            "$.customer[$.region]",
            "$.children[$.children[*].age]",
            "$.keyvalue().value.keyvalue()",
            "$.keyvalue()..name",
            "$..*",
            "$.\"\"",
            "\"é\".size()",
            "$ ? (@.* == @.*)",
            "$ ? (@ == @)",
            "strict $.* ? (@ starts with \"A\")",
            "$[last]",
            "$.children[*] ? (@.age > last)",
        ] {
            let _ = run(path, &input);
        }
    }
}
