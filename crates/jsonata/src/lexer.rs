//! JSONata's tokens. The lexer is driven by the parser, which tells it
//! whether an operand is expected: only there does `/` start a regular
//! expression instead of dividing.

use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// An operator or punctuation, including the word operators `and`, `or`, `in`.
    Op(&'static str),
    Str(String),
    Num(f64),
    /// `true`, `false`
    Bool(bool),
    Null,
    /// A field name (plain or `backquoted`).
    Name(String),
    /// `$name` (`$` alone is the empty name).
    Var(String),
    Regex {
        pattern: String,
        flags: String,
    },
    End,
}

#[derive(Debug, Clone)]
pub struct Token {
    pub tok: Tok,
    /// Offset just past the token (characters), as JSONata reports positions.
    pub position: usize,
}

/// Longest first: two-character operators before their one-character prefixes.
const OPERATORS2: [&str; 8] = ["..", ":=", "!=", ">=", "<=", "**", "~>", "/*"];
const OPERATORS1: &str = ".[]{}(),@#;:?+-*/%|=<>^&!~";

pub struct Lexer {
    chars: Vec<char>,
    pos: usize,
}

/// Names run to whitespace or any operator character (quotes included, as in jsonata-js).
fn is_name_char(c: char) -> bool {
    !matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{b}') && !OPERATORS1.contains(c)
}

impl Lexer {
    pub fn new(src: &str) -> Self {
        Self {
            chars: src.chars().collect(),
            pos: 0,
        }
    }

    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.pos + ahead).copied()
    }

    fn token(&self, tok: Tok) -> Result<Token> {
        Ok(Token {
            tok,
            position: self.pos,
        })
    }

    /// The next token; `prefix` when the parser expects an operand.
    pub fn next(&mut self, prefix: bool) -> Result<Token> {
        loop {
            while self
                .peek(0)
                .is_some_and(|c| matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{b}'))
            {
                self.pos += 1;
            }
            if self.peek(0) == Some('/') && self.peek(1) == Some('*') {
                let start = self.pos;
                self.pos += 2;
                loop {
                    match (self.peek(0), self.peek(1)) {
                        (Some('*'), Some('/')) => {
                            self.pos += 2;
                            break;
                        }
                        (Some(_), _) => self.pos += 1,
                        (None, _) => {
                            return Err(Error::new("S0106", "Comment has no closing tag").at(start));
                        }
                    }
                }
                continue;
            }
            break;
        }
        let Some(c) = self.peek(0) else {
            return self.token(Tok::End);
        };
        if prefix && c == '/' {
            self.pos += 1;
            return self.regex();
        }
        if let Some(n) = self.peek(1) {
            let pair: String = [c, n].iter().collect();
            if let Some(op) = OPERATORS2.iter().find(|o| **o == pair) {
                // `/*` was taken above as a comment.
                if *op != "/*" {
                    self.pos += 2;
                    return self.token(Tok::Op(op));
                }
            }
        }
        if let Some(i) = OPERATORS1.find(c) {
            self.pos += 1;
            return self.token(Tok::Op(&OPERATORS1[i..i + c.len_utf8()]));
        }
        if c == '"' || c == '\'' {
            self.pos += 1;
            return self.string(c);
        }
        if c.is_ascii_digit() {
            return self.number();
        }
        if c == '`' {
            self.pos += 1;
            let start = self.pos;
            while self.peek(0).is_some_and(|c| c != '`') {
                self.pos += 1;
            }
            if self.peek(0).is_none() {
                return Err(
                    Error::new("S0105", "Quoted property name must be terminated with a backquote (`)").at(self.pos),
                );
            }
            let name: String = self.chars[start..self.pos].iter().collect();
            self.pos += 1;
            return self.token(Tok::Name(name));
        }
        if c == '$' {
            self.pos += 1;
            let start = self.pos;
            while self.peek(0).is_some_and(is_name_char) {
                self.pos += 1;
            }
            let name: String = self.chars[start..self.pos].iter().collect();
            return self.token(Tok::Var(name));
        }
        let start = self.pos;
        while self.peek(0).is_some_and(is_name_char) {
            self.pos += 1;
        }
        let word: String = self.chars[start..self.pos].iter().collect();
        let tok = match word.as_str() {
            "and" => Tok::Op("and"),
            "or" => Tok::Op("or"),
            "in" => Tok::Op("in"),
            "true" => Tok::Bool(true),
            "false" => Tok::Bool(false),
            "null" => Tok::Null,
            _ => Tok::Name(word),
        };
        self.token(tok)
    }

    fn string(&mut self, quote: char) -> Result<Token> {
        let mut out = String::new();
        let start = self.pos;
        loop {
            let Some(c) = self.peek(0) else {
                return Err(Error::new("S0101", "String literal must be terminated by a matching quote").at(start));
            };
            self.pos += 1;
            if c == quote {
                return self.token(Tok::Str(out));
            }
            if c != '\\' {
                out.push(c);
                continue;
            }
            let Some(e) = self.peek(0) else {
                return Err(Error::new("S0101", "String literal must be terminated by a matching quote").at(start));
            };
            self.pos += 1;
            match e {
                '"' | '\\' | '/' => out.push(e),
                'b' => out.push('\u{8}'),
                'f' => out.push('\u{c}'),
                'n' => out.push('\n'),
                'r' => out.push('\r'),
                't' => out.push('\t'),
                'u' => {
                    let unit = self.hex4().ok_or_else(|| {
                        Error::new("S0104", "The escape sequence \\u must be followed by 4 hex digits").at(self.pos)
                    })?;
                    // A surrogate pair is two escapes; a lone one becomes U+FFFD.
                    if (0xD800..0xDC00).contains(&unit) && self.peek(0) == Some('\\') && self.peek(1) == Some('u') {
                        let save = self.pos;
                        self.pos += 2;
                        match self.hex4() {
                            Some(low) if (0xDC00..0xE000).contains(&low) => {
                                let cp = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                                out.push(char::from_u32(cp).unwrap_or('\u{FFFD}'));
                            }
                            _ => {
                                self.pos = save;
                                out.push('\u{FFFD}');
                            }
                        }
                    } else {
                        out.push(char::from_u32(unit).unwrap_or('\u{FFFD}'));
                    }
                }
                other => {
                    return Err(Error::new(
                        "S0103",
                        format!(
                            "Unsupported escape sequence: \\{}",
                            crate::error::quote(&other.to_string())
                        ),
                    )
                    .at(self.pos)
                    .token(other.to_string()));
                }
            }
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits: String = self.chars.get(self.pos..self.pos + 4)?.iter().collect();
        if digits.len() != 4 || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        self.pos += 4;
        u32::from_str_radix(&digits, 16).ok()
    }

    /// JSON's number syntax (no sign: `-` is an operator).
    fn number(&mut self) -> Result<Token> {
        let start = self.pos;
        let digits = |l: &mut Self| {
            let s = l.pos;
            while l.peek(0).is_some_and(|c| c.is_ascii_digit()) {
                l.pos += 1;
            }
            l.pos - s
        };
        if self.peek(0) == Some('0') {
            self.pos += 1;
        } else {
            digits(self);
        }
        if self.peek(0) == Some('.') && self.peek(1).is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
            digits(self);
        }
        if matches!(self.peek(0), Some('e' | 'E')) {
            let save = self.pos;
            self.pos += 1;
            if matches!(self.peek(0), Some('+' | '-')) {
                self.pos += 1;
            }
            if digits(self) == 0 {
                self.pos = save;
            }
        }
        let text: String = self.chars[start..self.pos].iter().collect();
        let n: f64 = text.parse().map_err(|_| {
            Error::new("S0102", format!("Number out of range: {}", crate::error::quote(&text))).at(start)
        })?;
        if !n.is_finite() {
            return Err(
                Error::new("S0102", format!("Number out of range: {}", crate::error::quote(&text)))
                    .at(start)
                    .token(text),
            );
        }
        self.token(Tok::Num(n))
    }

    /// A regular expression literal, `/` already read: up to a `/` outside
    /// brackets that an even run of backslashes precedes; then the flags
    /// `i` and `m` (matching is always global).
    fn regex(&mut self) -> Result<Token> {
        let start = self.pos;
        let mut depth = 0i32;
        loop {
            let Some(c) = self.peek(0) else {
                return Err(Error::new("S0302", "No terminating / in regular expression").at(self.pos));
            };
            let after_backslash = self.pos > 0 && self.chars[self.pos - 1] == '\\';
            if c == '/' && depth == 0 && self.backslashes_before(self.pos).is_multiple_of(2) {
                break;
            }
            match c {
                '(' | '[' | '{' if !after_backslash => depth += 1,
                ')' | ']' | '}' if !after_backslash => depth -= 1,
                _ => {}
            }
            self.pos += 1;
        }
        let pattern: String = self.chars[start..self.pos].iter().collect();
        if pattern.is_empty() {
            return Err(Error::new("S0301", "Empty regular expressions are not allowed").at(self.pos));
        }
        self.pos += 1;
        let fstart = self.pos;
        while self.peek(0).is_some_and(|c| c == 'i' || c == 'm') {
            self.pos += 1;
        }
        let flags: String = self.chars[fstart..self.pos].iter().collect();
        self.token(Tok::Regex { pattern, flags })
    }

    fn backslashes_before(&self, at: usize) -> usize {
        self.chars[..at].iter().rev().take_while(|c| **c == '\\').count()
    }
}
