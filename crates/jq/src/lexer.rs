//! Splits query text into tokens.
//!
//! String literals with `\(...)` interpolation are flattened into the token stream
//! (`StrStart`, `StrText`, `InterpStart`, tokens of the embedded query, `InterpEnd`,
//! ..., `StrEnd`), with a stack that tells a `)` closing an interpolation from one
//! closing a parenthesis. That keeps the lexer a loop rather than a recursion, and
//! the stack is bounded by the nesting limit.

use crate::error::ParseError;
use crate::limits::MAX_DEPTH;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    Num(f64),
    /// An identifier, keyword or builtin name (`foo`, `if`, `and`).
    Ident(String),
    /// `.foo`
    Field(String),
    /// `$foo`
    Var(String),
    /// `@base64` and friends (not supported; kept to name them in the error).
    Format(String),
    StrStart,
    StrText(String),
    InterpStart,
    InterpEnd,
    StrEnd,
    /// Punctuation and operators, as written.
    Op(&'static str),
    Eof,
}

#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub(crate) tok: Tok,
    /// Byte offset of the token in the query text.
    pub(crate) at: usize,
}

/// Operators, longest first so that `//=` wins over `//` and `/`.
const OPS: &[&str] = &[
    "?//", "//=", "|=", "+=", "-=", "*=", "/=", "%=", "==", "!=", "<=", ">=", "//", "..", "|", ",", ".", "[", "]", "{",
    "}", "(", ")", ":", ";", "=", "<", ">", "+", "-", "*", "/", "%", "?",
];

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

struct Lexer<'t> {
    text: &'t str,
    pos: usize,
    tokens: Vec<Token>,
    /// One entry per open string interpolation: how many parentheses are open inside it.
    interps: Vec<usize>,
}

pub(crate) fn tokenize(text: &str) -> Result<Vec<Token>, ParseError> {
    let mut lexer = Lexer {
        text,
        pos: 0,
        tokens: Vec::new(),
        interps: Vec::new(),
    };
    lexer.run()?;
    Ok(lexer.tokens)
}

impl<'t> Lexer<'t> {
    fn err(&self, at: usize, message: impl Into<String>) -> ParseError {
        ParseError::at(self.text, at, message)
    }

    fn rest(&self) -> &'t str {
        self.text.get(self.pos..).unwrap_or("")
    }

    /// The text after the current character, when that is a `.`.
    fn after_dot(&self) -> &'t str {
        self.rest().get(1..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn push(&mut self, tok: Tok, at: usize) {
        self.tokens.push(Token { tok, at });
    }

    fn run(&mut self) -> Result<(), ParseError> {
        loop {
            self.skip_space();
            let at = self.pos;
            let Some(c) = self.peek() else {
                if !self.interps.is_empty() {
                    return Err(self.err(at, "unterminated string interpolation"));
                }
                self.push(Tok::Eof, at);
                return Ok(());
            };
            if c == '"' {
                self.pos += 1;
                self.push(Tok::StrStart, at);
                self.string_body()?;
            } else if c.is_ascii_digit() || (c == '.' && self.after_dot().starts_with(|d: char| d.is_ascii_digit())) {
                self.number()?;
            } else if c == '.' && self.after_dot().starts_with(is_ident_start) {
                self.pos += 1;
                let name = self.ident();
                self.push(Tok::Field(name), at);
            } else if is_ident_start(c) {
                let name = self.ident();
                if self.rest().starts_with("::") {
                    return Err(self.err(at, "modules (`name::`) are not supported"));
                }
                self.push(Tok::Ident(name), at);
            } else if c == '$' {
                self.pos += 1;
                if !self.rest().starts_with(is_ident_start) {
                    return Err(self.err(at, "expected a variable name after `$`"));
                }
                let name = self.ident();
                self.push(Tok::Var(name), at);
            } else if c == '@' {
                self.pos += 1;
                let name = self.ident();
                self.push(Tok::Format(name), at);
            } else if c == ')' && self.interps.last() == Some(&0) {
                self.pos += 1;
                self.interps.pop();
                self.push(Tok::InterpEnd, at);
                self.string_body()?;
            } else if let Some(op) = OPS.iter().find(|op| self.rest().starts_with(**op)) {
                self.pos += op.len();
                if let Some(open) = self.interps.last_mut() {
                    match *op {
                        "(" => *open += 1,
                        ")" => *open = open.saturating_sub(1),
                        _ => {}
                    }
                }
                self.push(Tok::Op(op), at);
            } else {
                return Err(self.err(at, format!("unexpected character {c:?}")));
            }
        }
    }

    fn skip_space(&mut self) {
        loop {
            let rest = self.rest();
            let trimmed = rest.trim_start();
            self.pos += rest.len() - trimmed.len();
            if trimmed.starts_with('#') {
                // A comment runs to the end of the line.
                self.pos += trimmed.find('\n').unwrap_or(trimmed.len());
            } else {
                return;
            }
        }
    }

    fn ident(&mut self) -> String {
        let rest = self.rest();
        let len = rest.find(|c: char| !is_ident_char(c)).unwrap_or(rest.len());
        self.pos += len;
        rest.get(..len).unwrap_or("").to_owned()
    }

    /// `[0-9]+(\.[0-9]*)?|\.[0-9]+`, then an optional exponent, as jq lexes numbers.
    fn number(&mut self) -> Result<(), ParseError> {
        let at = self.pos;
        let bytes = self.text.as_bytes();
        let digits = |mut i: usize| {
            while bytes.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            i
        };
        let mut end = digits(self.pos);
        if bytes.get(end) == Some(&b'.') {
            end = digits(end + 1);
        }
        if matches!(bytes.get(end), Some(b'e' | b'E')) {
            let mut exp = end + 1;
            if matches!(bytes.get(exp), Some(b'+' | b'-')) {
                exp += 1;
            }
            if bytes.get(exp).is_some_and(u8::is_ascii_digit) {
                end = digits(exp);
            }
        }
        let text = self.text.get(at..end).unwrap_or("");
        let value: f64 = text
            .parse()
            .map_err(|_| self.err(at, format!("invalid number {text:?}")))?;
        self.pos = end;
        self.push(Tok::Num(value), at);
        Ok(())
    }

    /// Reads string contents up to the closing quote or an interpolation.
    fn string_body(&mut self) -> Result<(), ParseError> {
        let mut text = String::new();
        let mut text_at = self.pos;
        loop {
            let at = self.pos;
            let Some(c) = self.peek() else {
                return Err(self.err(at, "unterminated string"));
            };
            self.pos += c.len_utf8();
            match c {
                '"' => {
                    if !text.is_empty() {
                        self.push(Tok::StrText(text), text_at);
                    }
                    self.push(Tok::StrEnd, at);
                    return Ok(());
                }
                '\\' => {
                    let Some(e) = self.peek() else {
                        return Err(self.err(at, "unterminated string"));
                    };
                    self.pos += e.len_utf8();
                    match e {
                        '"' => text.push('"'),
                        '\\' => text.push('\\'),
                        '/' => text.push('/'),
                        'b' => text.push('\u{8}'),
                        'f' => text.push('\u{c}'),
                        'n' => text.push('\n'),
                        'r' => text.push('\r'),
                        't' => text.push('\t'),
                        'u' => text.push(self.unicode_escape(at)?),
                        '(' => {
                            if self.interps.len() >= MAX_DEPTH {
                                return Err(self.err(at, format!("the query nests more than {MAX_DEPTH} levels deep")));
                            }
                            if !text.is_empty() {
                                self.push(Tok::StrText(std::mem::take(&mut text)), text_at);
                            }
                            self.push(Tok::InterpStart, at);
                            self.interps.push(0);
                            return Ok(());
                        }
                        other => return Err(self.err(at, format!("invalid escape \\{other} in string"))),
                    }
                }
                c => {
                    if text.is_empty() {
                        text_at = at;
                    }
                    text.push(c);
                }
            }
        }
    }

    fn hex4(&mut self, at: usize) -> Result<u32, ParseError> {
        let hex = self
            .rest()
            .get(..4)
            .filter(|h| h.chars().all(|c| c.is_ascii_hexdigit()));
        let Some(hex) = hex else {
            return Err(self.err(at, "invalid \\u escape in string (expected 4 hex digits)"));
        };
        let value = u32::from_str_radix(hex, 16).map_err(|_| self.err(at, "invalid \\u escape in string"))?;
        self.pos += 4;
        Ok(value)
    }

    /// `\uXXXX`, pairing surrogates; a lone surrogate becomes U+FFFD, as in jq.
    fn unicode_escape(&mut self, at: usize) -> Result<char, ParseError> {
        let first = self.hex4(at)?;
        if (0xD800..0xDC00).contains(&first) && self.rest().starts_with("\\u") {
            let save = self.pos;
            self.pos += 2;
            let second = self.hex4(at)?;
            if (0xDC00..0xE000).contains(&second) {
                let code = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
                return Ok(char::from_u32(code).unwrap_or('\u{FFFD}'));
            }
            self.pos = save;
        }
        Ok(char::from_u32(first).unwrap_or('\u{FFFD}'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(text: &str) -> Vec<Tok> {
        tokenize(text).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn lexes_fields_numbers_and_operators() {
        assert_eq!(
            toks(".a.b // .5|1e3 # comment\n"),
            vec![
                Tok::Field("a".into()),
                Tok::Field("b".into()),
                Tok::Op("//"),
                Tok::Num(0.5),
                Tok::Op("|"),
                Tok::Num(1000.0),
                Tok::Eof
            ]
        );
    }

    #[test]
    fn lexes_interpolation_with_parentheses_inside() {
        assert_eq!(
            toks(r#""a\((1)+2)b""#),
            vec![
                Tok::StrStart,
                Tok::StrText("a".into()),
                Tok::InterpStart,
                Tok::Op("("),
                Tok::Num(1.0),
                Tok::Op(")"),
                Tok::Op("+"),
                Tok::Num(2.0),
                Tok::InterpEnd,
                Tok::StrText("b".into()),
                Tok::StrEnd,
                Tok::Eof
            ]
        );
    }

    #[test]
    fn decodes_escapes() {
        assert_eq!(
            toks(r#""\u00e9\ud83d\ude00\ud800\n""#),
            vec![
                Tok::StrStart,
                Tok::StrText("é😀\u{FFFD}\n".into()),
                Tok::StrEnd,
                Tok::Eof
            ]
        );
    }
}
