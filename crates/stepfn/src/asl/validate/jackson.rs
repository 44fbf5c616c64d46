//! JSON syntax errors, worded and located the way Jackson (the service's parser) reports them, so
//! that `INVALID_JSON_DESCRIPTION` messages match AWS's byte for byte.

pub(super) struct SyntaxError {
    /// `<reason>\n at [Source: ...; line: L, column: C]`, as `JsonProcessingException` prints.
    pub(super) message: String,
    /// `[Source: ...; line: L, column: C]`.
    pub(super) location: String,
}

/// Checks `text` like Jackson's tree reader: `Ok(None)` for whitespace only, otherwise the
/// byte offset where the first value ends (Jackson ignores what follows it).
pub(super) fn scan(text: &str) -> Result<Option<usize>, SyntaxError> {
    let mut scanner = Scanner {
        text,
        pos: 0,
        line: 1,
        row_start: 0,
        stack: Vec::new(),
    };
    if scanner.skip_ws()?.is_none() {
        return Ok(None);
    }
    scanner.document()?;
    Ok(Some(scanner.pos))
}

const VALUE_LIST: &str = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')";
/// Jackson cuts the echoed document at this many characters.
const MAX_SNIPPET: usize = 500;
const MAX_TOKEN: usize = 256;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Container {
    Object,
    Array,
}

impl Container {
    fn name(self) -> &'static str {
        match self {
            Container::Object => "Object",
            Container::Array => "Array",
        }
    }

    fn close(self) -> char {
        match self {
            Container::Object => '}',
            Container::Array => ']',
        }
    }
}

/// An open container. Its column is derived only when an error needs it: computing it for
/// every bracket would make deeply nested input quadratic.
struct Frame {
    container: Container,
    line: usize,
    row_start: usize,
    pos: usize,
}

#[derive(Clone, Copy)]
enum Expect {
    Value,
    FirstEntryOrClose(Container),
    AfterValue,
}

struct Scanner<'t> {
    text: &'t str,
    pos: usize,
    line: usize,
    row_start: usize,
    stack: Vec<Frame>,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<char> {
        self.text[self.pos..].chars().next()
    }

    fn bump(&mut self, c: char) {
        self.pos += c.len_utf8();
    }

    /// Jackson columns are 1-based and count UTF-16 units up to the read position.
    fn column(&self) -> usize {
        self.column_of(self.row_start, self.pos)
    }

    fn column_of(&self, row_start: usize, pos: usize) -> usize {
        self.text[row_start..pos].encode_utf16().count() + 1
    }

    fn frame_location(&self, frame: &Frame) -> String {
        self.location_at(frame.line, self.column_of(frame.row_start, frame.pos))
    }

    fn source(&self) -> String {
        let total = self.text.encode_utf16().count();
        let mut snippet = String::new();
        let mut units = 0;
        for c in self.text.chars() {
            if units + c.len_utf16() > MAX_SNIPPET {
                break;
            }
            units += c.len_utf16();
            if c.is_control() && c != '\r' && c != '\n' {
                snippet.push_str(&format!("\\u{:04X}", c as u32));
            } else {
                snippet.push(c);
            }
        }
        let mut source = format!("(String)\"{snippet}\"");
        if total > MAX_SNIPPET {
            source.push_str(&format!("[truncated {} chars]", total - MAX_SNIPPET));
        }
        source
    }

    fn location_at(&self, line: usize, column: usize) -> String {
        format!("[Source: {}; line: {}, column: {}]", self.source(), line, column)
    }

    fn error(&self, reason: impl Into<String>) -> SyntaxError {
        let location = self.location_at(self.line, self.column());
        SyntaxError {
            message: format!("{}\n at {}", reason.into(), location),
            location,
        }
    }

    fn unexpected(&self, c: char, comment: &str) -> SyntaxError {
        self.error(format!("Unexpected character ({}): {}", char_desc(c), comment))
    }

    fn newline(&mut self) {
        self.line += 1;
        self.row_start = self.pos;
    }

    /// Skips whitespace; returns the next significant character without consuming it.
    fn skip_ws(&mut self) -> Result<Option<char>, SyntaxError> {
        while let Some(c) = self.peek() {
            match c {
                ' ' | '\t' => self.bump(c),
                '\n' => {
                    self.bump(c);
                    self.newline();
                }
                '\r' => {
                    self.bump(c);
                    if self.peek() == Some('\n') {
                        self.bump('\n');
                    }
                    self.newline();
                }
                '/' => {
                    self.bump(c);
                    return Err(self.unexpected(
                        c,
                        "maybe a (non-standard) comment? (not recognized as one since Feature 'ALLOW_COMMENTS' \
                         not enabled for parser)",
                    ));
                }
                c if (c as u32) < 0x20 => {
                    self.bump(c);
                    return Err(self.error(format!(
                        "Illegal character ({}): only regular white space (\\r, \\n, \\t) is allowed between \
                         tokens",
                        char_desc(c)
                    )));
                }
                c => return Ok(Some(c)),
            }
        }
        Ok(None)
    }

    fn eof_in_container(&self) -> SyntaxError {
        match self.stack.last() {
            Some(frame) => self.error(format!(
                "Unexpected end-of-input: expected close marker for {} (start marker at {})",
                frame.container.name(),
                self.frame_location(frame)
            )),
            None => self.error("Unexpected end-of-input"),
        }
    }

    fn eof_between_entries(&self) -> SyntaxError {
        let container = self.stack.last().map_or(Container::Object, |frame| frame.container);
        self.error(format!(
            "Unexpected end-of-input within/between {} entries",
            container.name()
        ))
    }

    /// One complete value, iteratively so deep nesting cannot overflow the stack.
    fn document(&mut self) -> Result<(), SyntaxError> {
        let mut expect = Expect::Value;
        loop {
            expect = match expect {
                Expect::Value => {
                    let c = self.skip_ws()?.ok_or_else(|| self.eof_between_entries())?;
                    self.value_start(c)?
                }
                Expect::FirstEntryOrClose(container) => {
                    let c = self.skip_ws()?.ok_or_else(|| self.eof_in_container())?;
                    if c == '}' || c == ']' {
                        self.close(c)?;
                        Expect::AfterValue
                    } else if container == Container::Object {
                        self.field_name(c)?;
                        Expect::Value
                    } else {
                        Expect::Value
                    }
                }
                Expect::AfterValue => {
                    let Some(frame) = self.stack.last() else {
                        return Ok(());
                    };
                    let container = frame.container;
                    self.after_value(container)?
                }
            };
        }
    }

    fn value_start(&mut self, c: char) -> Result<Expect, SyntaxError> {
        match c {
            '{' => {
                self.open(Container::Object, c);
                Ok(Expect::FirstEntryOrClose(Container::Object))
            }
            '[' => {
                self.open(Container::Array, c);
                Ok(Expect::FirstEntryOrClose(Container::Array))
            }
            _ => {
                self.scalar(c)?;
                Ok(Expect::AfterValue)
            }
        }
    }

    fn after_value(&mut self, container: Container) -> Result<Expect, SyntaxError> {
        let c = self.skip_ws()?.ok_or_else(|| self.eof_in_container())?;
        if c == '}' || c == ']' {
            self.close(c)?;
            return Ok(Expect::AfterValue);
        }
        self.bump(c);
        if c != ',' {
            let comment = format!("was expecting comma to separate {} entries", container.name());
            return Err(self.unexpected(c, &comment));
        }
        let next = self.skip_ws()?.ok_or_else(|| self.eof_between_entries())?;
        if container == Container::Object {
            self.field_name(next)?;
        }
        Ok(Expect::Value)
    }

    fn open(&mut self, container: Container, c: char) {
        let frame = Frame {
            container,
            line: self.line,
            row_start: self.row_start,
            pos: self.pos,
        };
        self.stack.push(frame);
        self.bump(c);
    }

    fn close(&mut self, c: char) -> Result<(), SyntaxError> {
        self.bump(c);
        let Some(frame) = self.stack.last() else {
            return Ok(());
        };
        if frame.container.close() != c {
            return Err(self.error(format!(
                "Unexpected close marker '{}': expected '{}' (for {} starting at {})",
                c,
                frame.container.close(),
                frame.container.name(),
                self.frame_location(frame)
            )));
        }
        self.stack.pop();
        Ok(())
    }

    /// A field name and its colon; leaves the scanner before the value.
    fn field_name(&mut self, c: char) -> Result<(), SyntaxError> {
        self.bump(c);
        if c != '"' {
            return Err(self.unexpected(c, "was expecting double-quote to start field name"));
        }
        self.string_body("name")?;
        let c = self.skip_ws()?.ok_or_else(|| self.eof_between_entries())?;
        self.bump(c);
        if c != ':' {
            return Err(self.unexpected(c, "was expecting a colon to separate field name and value"));
        }
        if self.skip_ws()?.is_none() {
            return Err(self.eof_between_entries());
        }
        Ok(())
    }

    fn scalar(&mut self, c: char) -> Result<(), SyntaxError> {
        match c {
            '"' => {
                self.bump(c);
                self.string_body("string value")
            }
            '-' | '0'..='9' => self.number(c),
            't' => self.literal("true"),
            'f' => self.literal("false"),
            'n' => self.literal("null"),
            _ => {
                self.bump(c);
                if is_identifier_start(c) {
                    Err(self.invalid_token(c.to_string()))
                } else {
                    Err(self.unexpected(c, &format!("expected a valid value {VALUE_LIST}")))
                }
            }
        }
    }

    /// Jackson reads on while the token looks like an identifier, then names all of it.
    fn invalid_token(&mut self, mut token: String) -> SyntaxError {
        while let Some(c) = self.peek().filter(|c| is_identifier_part(*c)) {
            self.bump(c);
            token.push(c);
            if token.chars().count() >= MAX_TOKEN {
                token.push_str("...");
                break;
            }
        }
        self.error(format!("Unrecognized token '{token}': was expecting {VALUE_LIST}"))
    }

    fn literal(&mut self, word: &str) -> Result<(), SyntaxError> {
        for (index, expected) in word.char_indices() {
            match self.peek() {
                Some(c) if c == expected => self.bump(c),
                _ => return Err(self.invalid_token(word[..index].to_string())),
            }
        }
        match self.peek() {
            Some(c) if c >= '0' && c != ']' && c != '}' && is_identifier_part(c) => {
                Err(self.invalid_token(word.to_string()))
            }
            _ => Ok(()),
        }
    }

    fn string_body(&mut self, context: &str) -> Result<(), SyntaxError> {
        loop {
            let Some(c) = self.peek() else {
                return Err(self.error(if context == "name" {
                    "Unexpected end-of-input in field name"
                } else {
                    "Unexpected end-of-input: was expecting closing quote for a string value"
                }));
            };
            self.bump(c);
            match c {
                '"' => return Ok(()),
                '\\' => self.escape()?,
                c if (c as u32) < 0x20 => {
                    return Err(self.error(format!(
                        "Illegal unquoted character ({}): has to be escaped using backslash to be included in {}",
                        char_desc(c),
                        context
                    )));
                }
                _ => {}
            }
        }
    }

    fn escape(&mut self) -> Result<(), SyntaxError> {
        let eof = "Unexpected end-of-input in character escape sequence";
        let Some(c) = self.peek() else {
            return Err(self.error(eof));
        };
        self.bump(c);
        match c {
            '"' | '\\' | '/' | 'b' | 'f' | 'n' | 'r' | 't' => Ok(()),
            'u' => {
                for _ in 0..4 {
                    let Some(digit) = self.peek() else {
                        return Err(self.error(eof));
                    };
                    self.bump(digit);
                    if !digit.is_ascii_hexdigit() {
                        return Err(self.unexpected(digit, "expected a hex-digit for character escape sequence"));
                    }
                }
                Ok(())
            }
            _ => Err(self.error(format!("Unrecognized character escape {}", char_desc(c)))),
        }
    }

    fn digits(&mut self) -> usize {
        let mut count = 0;
        while let Some(c) = self.peek().filter(char::is_ascii_digit) {
            self.bump(c);
            count += 1;
        }
        count
    }

    fn number_char_error(&mut self, last: char, comment: &str) -> SyntaxError {
        let c = match self.peek() {
            Some(c) => {
                self.bump(c);
                c
            }
            None => last,
        };
        self.error(format!(
            "Unexpected character ({}) in numeric value: {}",
            char_desc(c),
            comment
        ))
    }

    fn number(&mut self, first: char) -> Result<(), SyntaxError> {
        if first == '-' {
            self.bump(first);
            if !self.peek().is_some_and(|c| c.is_ascii_digit()) {
                return Err(self.number_char_error(
                    first,
                    "expected digit (0-9) to follow minus sign, for valid numeric value",
                ));
            }
        }
        if self.peek() == Some('0') {
            self.bump('0');
            if self.peek().is_some_and(|c| c.is_ascii_digit()) {
                return Err(self.error("Invalid numeric value: Leading zeroes not allowed"));
            }
        } else {
            self.digits();
        }
        if self.peek() == Some('.') {
            self.bump('.');
            if self.digits() == 0 {
                return Err(self.number_char_error('.', "Decimal point not followed by a digit"));
            }
        }
        if let Some(e) = self.peek().filter(|c| matches!(c, 'e' | 'E')) {
            self.bump(e);
            let mut last = e;
            if let Some(sign) = self.peek().filter(|c| matches!(c, '+' | '-')) {
                self.bump(sign);
                last = sign;
            }
            if self.digits() == 0 {
                return Err(self.number_char_error(last, "Exponent indicator not followed by a digit"));
            }
        }
        self.root_space_after_number()
    }

    /// At the root Jackson wants whitespace (or the end) right after a number.
    fn root_space_after_number(&mut self) -> Result<(), SyntaxError> {
        match self.peek() {
            Some(c) if self.stack.is_empty() && !matches!(c, ' ' | '\t' | '\n' | '\r') => {
                self.bump(c);
                Err(self.unexpected(c, "Expected space separating root-level values"))
            }
            _ => Ok(()),
        }
    }
}

/// Jackson's `_getCharDesc`.
fn char_desc(c: char) -> String {
    let code = c as u32;
    if c.is_control() {
        format!("(CTRL-CHAR, code {code})")
    } else if code > 255 {
        format!("'{c}' (code {code} / 0x{code:x})")
    } else {
        format!("'{c}' (code {code})")
    }
}

/// Approximates `Character.isJavaIdentifierStart`.
fn is_identifier_start(c: char) -> bool {
    c.is_alphabetic() || c == '$' || c == '_'
}

/// Approximates `Character.isJavaIdentifierPart`.
fn is_identifier_part(c: char) -> bool {
    c.is_alphanumeric() || c == '$' || c == '_'
}
