//! A pull reader of JSON text that stands where Jackson's streaming parser stands, so that
//! EventBridge's reasons carry the locations AWS answers: just past the token read, except
//! that after a field name Jackson has already read the start of the value (all of a number
//! or literal, the bracket of an array or object, the opening quote of a string), that a
//! string value counts as read only up to its opening quote until its text is taken, and
//! that an unexpected character is located at itself.
//!
//! Syntax errors use Jackson's wording where it is known. Nesting is limited to
//! [`MAX_NESTING`] levels (Jackson's own limit is higher, but serde_json stops events at 128
//! levels, so a deeper pattern could match nothing), which bounds the compiler's recursion.

use crate::Dialect;
use crate::error::{Location, PatternError};
use crate::limits::MAX_NESTING;
use crate::number::Num;
use crate::tokens::{NumToken, Token, Tokens};

/// Jackson's list of what may start a value, in its reasons.
const VALUE_EXPECTED: &str = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')";

/// Jackson quotes at most this many characters of an unrecognized token.
const MAX_TOKEN_CHARS: usize = 256;

pub(crate) struct TextTokens<'a> {
    text: &'a str,
    /// The next byte to read.
    pos: usize,
    /// Where Jackson stands: what a location reported now points just past.
    ptr: usize,
    frames: Vec<Frame>,
    /// The value read ahead with a field name, with where Jackson stands after it.
    ahead: Option<(Token, usize, Option<usize>)>,
    /// Where the current string token ends, until its text is taken.
    string_end: Option<usize>,
    started: bool,
}

#[derive(Debug, Clone, Copy)]
struct Frame {
    object: bool,
    /// Nothing read in it yet.
    empty: bool,
    /// The offset of its opening bracket.
    start: usize,
}

impl<'a> TextTokens<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Self {
            text,
            pos: 0,
            ptr: 0,
            frames: Vec::new(),
            ahead: None,
            string_end: None,
            started: false,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn peek_char(&self) -> Option<char> {
        self.text[self.pos..].chars().next()
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn error(&self, reason: impl Into<String>) -> PatternError {
        PatternError::json(Dialect::EventPattern, reason, vec![Location::at(self.text, self.ptr)])
    }

    /// Jackson's description of a character in its reasons.
    fn describe(c: char) -> String {
        let code = u32::from(c);
        if c.is_control() {
            format!("(CTRL-CHAR, code {code})")
        } else if code > 255 {
            format!("'{c}' (code {code} / 0x{code:x})")
        } else {
            format!("'{c}' (code {code})")
        }
    }

    /// Refuses the character at `pos`. Jackson locates this reason at the character itself
    /// (AWS answers column 2 for `{'bad': 1}`), not past it as it does others.
    fn unexpected(&mut self, what: &str) -> PatternError {
        self.unexpected_in("", what)
    }

    /// Jackson words a bad character inside a number "Unexpected character (…) in numeric
    /// value: …", with `context` " in numeric value".
    fn unexpected_in(&mut self, context: &str, what: &str) -> PatternError {
        let c = self.peek_char().unwrap_or('\0');
        self.ptr = self.pos;
        self.error(format!("Unexpected character ({}){context}: {what}", Self::describe(c)))
    }

    fn end_of_input(&mut self, frame: Frame) -> PatternError {
        self.ptr = self.text.len();
        let kind = if frame.object { "Object" } else { "Array" };
        // Jackson points at the bracket itself.
        let start = Location::at(self.text, frame.start);
        self.error(format!(
            "Unexpected end-of-input: expected close marker for {kind} (start marker at {start})"
        ))
    }

    fn open(&mut self, object: bool) -> Result<Token, PatternError> {
        let start = self.pos;
        self.pos += 1;
        self.ptr = self.pos;
        if self.frames.len() >= MAX_NESTING {
            return Err(self.error(format!(
                "Document nesting depth ({}) exceeds the maximum allowed ({MAX_NESTING})",
                self.frames.len() + 1
            )));
        }
        self.frames.push(Frame {
            object,
            empty: true,
            start,
        });
        Ok(if object { Token::StartObject } else { Token::StartArray })
    }

    fn close(&mut self, object: bool) -> Token {
        self.pos += 1;
        self.ptr = self.pos;
        self.frames.pop();
        if object { Token::EndObject } else { Token::EndArray }
    }

    /// A value starting at `pos` (whitespace skipped, not at the end).
    fn value(&mut self) -> Result<Token, PatternError> {
        match self.peek() {
            Some(b'{') => self.open(true),
            Some(b'[') => self.open(false),
            Some(b'"') => {
                let start = self.pos;
                let s = self.string()?;
                self.string_end = Some(self.pos);
                self.ptr = start + 1;
                Ok(Token::Str(s))
            }
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => self.word(),
        }
    }

    /// `true`, `false`, `null`, or a token Jackson does not recognize.
    fn word(&mut self) -> Result<Token, PatternError> {
        let rest = &self.text[self.pos..];
        let word: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
            .take(MAX_TOKEN_CHARS)
            .collect();
        if word.is_empty() {
            return Err(self.unexpected(&format!("expected a valid value {VALUE_EXPECTED}")));
        }
        self.pos += word.len();
        self.ptr = self.pos;
        match word.as_str() {
            "true" => Ok(Token::True),
            "false" => Ok(Token::False),
            "null" => Ok(Token::Null),
            _ => Err(self.error(format!("Unrecognized token '{word}': was expecting {VALUE_EXPECTED}"))),
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        self.pos - start
    }

    /// After a sign, decimal point or exponent indicator: at least one digit.
    fn need_digit(&mut self, after: &str) -> Result<(), PatternError> {
        match self.peek() {
            Some(b'0'..=b'9') => Ok(()),
            Some(_) => Err(self.unexpected_in(" in numeric value", after)),
            None => {
                self.ptr = self.pos;
                Err(self.error("Unexpected end-of-input in a Number value"))
            }
        }
    }

    fn number(&mut self) -> Result<Token, PatternError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
            self.need_digit("expected digit (0-9) to follow minus sign, for valid numeric value")?;
        }
        if self.peek() == Some(b'0') {
            self.pos += 1;
            if matches!(self.peek(), Some(b'0'..=b'9')) {
                self.ptr = self.pos;
                return Err(self.error("Invalid numeric value: Leading zeroes not allowed"));
            }
        } else {
            self.digits();
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            self.need_digit("Decimal point not followed by a digit")?;
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            self.need_digit("Exponent indicator not followed by a digit")?;
            self.digits();
        }
        self.ptr = self.pos;
        let text = &self.text[start..self.pos];
        Ok(Token::Num(NumToken {
            text: text.to_owned(),
            num: Num::from_literal(text),
        }))
    }

    /// A string starting at its opening quote; `pos` ends past its closing quote.
    fn string(&mut self) -> Result<String, PatternError> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let rest = &self.text[self.pos..];
            let Some(stop) = rest.bytes().position(|b| b == b'"' || b == b'\\' || b < 0x20) else {
                self.pos = self.text.len();
                self.ptr = self.pos;
                return Err(self.error("Unexpected end-of-input: was expecting closing quote for a string value"));
            };
            // `stop` is at an ASCII byte, so a character boundary.
            out.push_str(&rest[..stop]);
            self.pos += stop;
            self.pos += 1;
            match rest.as_bytes()[stop] {
                b'"' => return Ok(out),
                b'\\' => out.push(self.escape()?),
                b => {
                    self.ptr = self.pos;
                    return Err(self.error(format!(
                        "Illegal unquoted character ((CTRL-CHAR, code {b})): has to be escaped using backslash to be included in string value"
                    )));
                }
            }
        }
    }

    /// The character an escape (past its backslash) stands for.
    fn escape(&mut self) -> Result<char, PatternError> {
        let Some(c) = self.peek_char() else {
            self.ptr = self.pos;
            return Err(self.error("Unexpected end-of-input in character escape sequence"));
        };
        self.pos += c.len_utf8();
        Ok(match c {
            '"' => '"',
            '\\' => '\\',
            '/' => '/',
            'b' => '\u{8}',
            'f' => '\u{c}',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'u' => {
                let unit = self.hex4()?;
                if (0xD800..0xDC00).contains(&unit) && self.text[self.pos..].starts_with("\\u") {
                    let back = self.pos;
                    self.pos += 2;
                    let low = self.hex4()?;
                    if (0xDC00..0xE000).contains(&low) {
                        let cp = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                        return Ok(char::from_u32(cp).unwrap_or(char::REPLACEMENT_CHARACTER));
                    }
                    self.pos = back;
                }
                // A lone surrogate is a Java string but no Rust one.
                char::from_u32(unit).unwrap_or(char::REPLACEMENT_CHARACTER)
            }
            other => {
                self.ptr = self.pos;
                return Err(self.error(format!("Unrecognized character escape {}", Self::describe(other))));
            }
        })
    }

    fn hex4(&mut self) -> Result<u32, PatternError> {
        let mut unit = 0;
        for _ in 0..4 {
            match self.peek_char() {
                Some(c) if c.is_ascii_hexdigit() => {
                    unit = unit * 16 + c.to_digit(16).unwrap_or(0);
                    self.pos += 1;
                }
                Some(_) => return Err(self.unexpected("expected a hex-digit for character escape sequence")),
                None => {
                    self.ptr = self.pos;
                    return Err(self.error("Unexpected end-of-input in character escape sequence"));
                }
            }
        }
        Ok(unit)
    }
}

impl Tokens for TextTokens<'_> {
    fn next(&mut self) -> Result<Token, PatternError> {
        self.string_end = None;
        if let Some((token, ptr, string_end)) = self.ahead.take() {
            self.ptr = ptr;
            self.string_end = string_end;
            return Ok(token);
        }
        let Some(frame) = self.frames.last().copied() else {
            if self.started {
                return Ok(Token::End);
            }
            self.started = true;
            self.skip_whitespace();
            if self.peek().is_none() {
                self.ptr = self.pos;
                return Ok(Token::End);
            }
            return self.value();
        };
        self.skip_whitespace();
        let closing = if frame.object { b'}' } else { b']' };
        match self.peek() {
            None => return Err(self.end_of_input(frame)),
            Some(c) if c == closing => return Ok(self.close(frame.object)),
            Some(b',') if !frame.empty => {
                self.pos += 1;
                self.skip_whitespace();
                if self.peek().is_none() {
                    return Err(self.end_of_input(frame));
                }
            }
            Some(_) if !frame.empty => {
                let entries = if frame.object { "Object" } else { "Array" };
                return Err(self.unexpected(&format!("was expecting comma to separate {entries} entries")));
            }
            Some(_) => {}
        }
        if let Some(f) = self.frames.last_mut() {
            f.empty = false;
        }
        if !frame.object {
            return self.value();
        }
        if self.peek() != Some(b'"') {
            return Err(self.unexpected("was expecting double-quote to start field name"));
        }
        let name = self.string()?;
        self.skip_whitespace();
        match self.peek() {
            Some(b':') => self.pos += 1,
            Some(_) => return Err(self.unexpected("was expecting a colon to separate field name and value")),
            None => return Err(self.end_of_input(frame)),
        }
        self.skip_whitespace();
        if self.peek().is_none() {
            return Err(self.end_of_input(frame));
        }
        let value = self.value()?;
        self.ahead = Some((value, self.ptr, self.string_end.take()));
        Ok(Token::Name(name))
    }

    fn here(&self) -> Option<Location> {
        Some(Location::at(self.text, self.ptr))
    }

    fn text_read(&mut self) {
        if let Some(end) = self.string_end.take() {
            self.ptr = end;
        }
    }

    fn array_len(&self) -> Option<usize> {
        None
    }
}
