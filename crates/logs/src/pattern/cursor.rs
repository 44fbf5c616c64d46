//! A scanner over a pattern's text, shared by the pattern parsers.

use super::PatternError;

pub(super) struct Cursor<'a> {
    pub text: &'a str,
    pub pos: usize,
}

impl<'a> Cursor<'a> {
    pub fn new(text: &'a str) -> Self {
        Self { text, pos: 0 }
    }

    pub fn rest(&self) -> &'a str {
        self.text.get(self.pos..).unwrap_or_default()
    }

    pub fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    pub fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    pub fn at_end(&self) -> bool {
        self.pos >= self.text.len()
    }

    pub fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.bump();
        }
    }

    /// Consumes `s` if the text continues with it.
    pub fn eat(&mut self, s: &str) -> bool {
        if self.rest().starts_with(s) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    /// A keyword: `s`, case-insensitively, not followed by a word character.
    pub fn eat_keyword(&mut self, s: &str) -> bool {
        let rest = self.rest();
        let Some(head) = rest.get(..s.len()) else {
            return false;
        };
        let after = rest.get(s.len()..).and_then(|r| r.chars().next());
        if head.eq_ignore_ascii_case(s) && !after.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    /// A `"..."` string, the cursor on its opening quote; `\"` and `\\`
    /// stand for themselves, any other escape is kept as written.
    pub fn quoted(&mut self) -> Result<String, PatternError> {
        self.bump();
        let mut out = String::new();
        loop {
            match self.bump() {
                None => return Err(PatternError::invalid()),
                Some('"') => return Ok(out),
                Some('\\') => match self.bump() {
                    Some(c @ ('"' | '\\')) => out.push(c),
                    Some(c) => {
                        out.push('\\');
                        out.push(c);
                    }
                    None => return Err(PatternError::invalid()),
                },
                Some(c) => out.push(c),
            }
        }
    }

    /// A `%...%` regular expression, the cursor on its opening `%`.
    pub fn regex(&mut self) -> Result<super::regex::Regex, PatternError> {
        self.bump();
        let start = self.pos;
        while let Some(c) = self.peek() {
            if c == '%' {
                let body = self.text.get(start..self.pos).unwrap_or_default();
                self.bump();
                return super::regex::Regex::new(body);
            }
            self.bump();
        }
        Err(PatternError::invalid())
    }
}
