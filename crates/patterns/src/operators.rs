//! The operators of a list, `{"<operator>": <operand>}`, read in the order event-ruler
//! reads them, with each service's reasons.
//!
//! SNS takes `prefix`, `suffix`, `equals-ignore-case`, `anything-but` (values, `prefix`,
//! `suffix`), `numeric`, `exists` and `cidr`. EventBridge also takes `wildcard`, `prefix`
//! and `suffix` with `{"equals-ignore-case": …}`, and `anything-but` with
//! `equals-ignore-case`, `wildcard` and lists of prefixes or suffixes. Where event-ruler's
//! reasons are odd (`cidr` refused as a "prefix match pattern", extra keys after `numeric`
//! reported as "Too many elements in numeric expression"), EventBridge answers them as
//! event-ruler does.

use crate::cidr;
use crate::compile::Compiler;
use crate::error::PatternError;
use crate::number::{Num, RULER_LIMIT, RULER_RANGE_MESSAGE, Range, micros};
use crate::tokens::Token;
use crate::tree::{Exclusion, Literal, Matcher};
use crate::wildcard::Wildcard;

/// What a `numeric` list held: event-ruler checks the order of the bounds of all but
/// `=`, with its own limits standing in for a missing bound; SNS only of two-sided ranges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Equals,
    OneSided,
    TwoSided,
}

const ONE_KEY: &str = "Only one key allowed in match expression";
const TOO_MANY_NUMERIC: &str = "Too many elements in numeric expression";

impl Compiler<'_> {
    /// An operator object whose opening brace was just read.
    pub(crate) fn operator(&mut self) -> Result<Matcher, PatternError> {
        let op = match self.next()? {
            Token::Name(op) => op,
            _ if self.event_pattern() => return Err(self.fail("Match expression name not found")),
            _ => return Err(self.fail("Empty objects are not allowed")),
        };
        let matcher = match op.as_str() {
            "prefix" | "suffix" => return self.affix(&op),
            "equals-ignore-case" => {
                let text = self.operand_text("equals-ignore-case match pattern must be a string")?;
                Matcher::EqualsIgnoreCase(text.to_lowercase())
            }
            "wildcard" if self.event_pattern() => {
                let text = self.operand_text("wildcard match pattern must be a string")?;
                Matcher::Wildcard(Wildcard::parse(&text).map_err(|reason| self.fail(reason))?)
            }
            "numeric" => {
                if self.next()? != Token::StartArray {
                    return Err(self.fail("Value of numeric must be an array."));
                }
                let range = self.numeric()?;
                let extra = if self.event_pattern() {
                    TOO_MANY_NUMERIC
                } else {
                    ONE_KEY
                };
                self.close(extra)?;
                return Ok(Matcher::Numeric(range));
            }
            "anything-but" => return self.anything_but(),
            "exists" => match self.next()? {
                Token::True => Matcher::Exists(true),
                Token::False => Matcher::Exists(false),
                _ => return Err(self.fail("exists match pattern must be either true or false.")),
            },
            "cidr" => {
                let refused = if self.event_pattern() {
                    "prefix match pattern must be a string"
                } else {
                    "cidr match pattern must be a string"
                };
                let text = self.operand_text(refused)?;
                let net = if self.event_pattern() {
                    cidr::ruler_net(&text).map_err(|reason| self.fail_bare(reason))?
                } else {
                    cidr::sns_net(&text).map_err(|reason| self.fail(reason))?
                };
                Matcher::Cidr(net)
            }
            _ => return Err(self.fail(format!("Unrecognized match type {op}"))),
        };
        self.close(ONE_KEY)?;
        Ok(matcher)
    }

    /// The end of an operator object, or `reason` if another key follows.
    fn close(&mut self, reason: &str) -> Result<(), PatternError> {
        if self.next()? != Token::EndObject {
            return Err(self.fail(reason));
        }
        Ok(())
    }

    /// A string operand, its text taken; `refused` if it is anything else.
    fn operand_text(&mut self, refused: &str) -> Result<String, PatternError> {
        match self.next()? {
            Token::Str(text) => {
                self.text_read();
                Ok(text)
            }
            _ => Err(self.fail(refused)),
        }
    }

    /// `prefix` or `suffix`: a string, or (EventBridge) `{"equals-ignore-case": string}`.
    fn affix(&mut self, op: &str) -> Result<Matcher, PatternError> {
        let prefix = op == "prefix";
        let matcher = match self.next()? {
            Token::Str(text) => {
                self.text_read();
                if prefix {
                    Matcher::Prefix(text)
                } else {
                    Matcher::Suffix(text)
                }
            }
            Token::StartObject if self.event_pattern() => {
                let (missing, unsupported) = if prefix {
                    ("Prefix expression name not found", "Unsupported prefix pattern: ")
                } else {
                    ("Suffix expression name not found", "Unsupported suffix pattern: ")
                };
                match self.next()? {
                    Token::Name(inner) if inner == "equals-ignore-case" => {}
                    Token::Name(inner) => return Err(self.fail(format!("{unsupported}{inner}"))),
                    _ => return Err(self.fail(missing)),
                }
                let text = self
                    .operand_text("equals-ignore-case match pattern must be a string")?
                    .to_lowercase();
                self.close(ONE_KEY)?;
                if prefix {
                    Matcher::PrefixIgnoreCase(text)
                } else {
                    Matcher::SuffixIgnoreCase(text)
                }
            }
            _ => return Err(self.fail(format!("{op} match pattern must be a string"))),
        };
        self.close(ONE_KEY)?;
        Ok(matcher)
    }

    /// The list of a `numeric` operator, whose opening bracket was just read:
    /// `["=", n]`, `["<" | "<=", n]`, `[">" | ">=", n]` or `[">" | ">=", a, "<" | "<=", b]`.
    fn numeric(&mut self) -> Result<Range, PatternError> {
        let op = match self.next()? {
            Token::Str(op) => {
                self.text_read();
                op
            }
            other => return Err(self.fail(format!("Invalid member in numeric match: {}", other.text()))),
        };
        // event-ruler reads the value before it looks at the operator.
        let value = self.next()?;
        let name = if op == "=" { "equals" } else { op.as_str() };
        let number = |c: &Self| match &value {
            Token::Num(n) => Ok(n.num),
            _ => Err(c.fail(format!("Value of {name} must be numeric"))),
        };
        let mut shape = Shape::OneSided;
        let range = match op.as_str() {
            "=" => {
                shape = Shape::Equals;
                let n = number(self)?.value;
                self.end_numeric()?;
                Range {
                    lower: Some((n, true)),
                    upper: Some((n, true)),
                }
            }
            "<" | "<=" => {
                let n = number(self)?.value;
                self.end_numeric()?;
                Range {
                    lower: None,
                    upper: Some((n, op == "<=")),
                }
            }
            ">" | ">=" => {
                let n = number(self)?.value;
                let lower = Some((n, op == ">="));
                match self.next()? {
                    Token::EndArray => Range { lower, upper: None },
                    next => {
                        shape = Shape::TwoSided;
                        self.upper_bound(next, lower)?
                    }
                }
            }
            _ => return Err(self.fail(format!("Unrecognized numeric range operator: {op}"))),
        };
        self.check_range(&range, shape)?;
        Ok(range)
    }

    fn end_numeric(&mut self) -> Result<(), PatternError> {
        if self.next()? != Token::EndArray {
            return Err(self.fail(TOO_MANY_NUMERIC));
        }
        Ok(())
    }

    /// The `"<" | "<=", b` after a lower bound; `first` is its first token.
    fn upper_bound(&mut self, first: Token, lower: Option<(f64, bool)>) -> Result<Range, PatternError> {
        let Token::Str(op) = first else {
            return Err(self.fail(format!("Bad value in numeric range: {}", first.text())));
        };
        self.text_read();
        if op != "<" && op != "<=" {
            return Err(self.fail(format!("Bad numeric range operator: {op}")));
        }
        let top = match self.next()? {
            Token::Num(n) => n.num.value,
            _ => return Err(self.fail(format!("Value of {op} must be numeric"))),
        };
        if self.next()? != Token::EndArray {
            return Err(self.fail("Too many terms in numeric range expression"));
        }
        Ok(Range {
            lower,
            upper: Some((top, op == "<=")),
        })
    }

    /// SNS refuses a range whose bottom is not below its top. event-ruler bounds every
    /// range by its own limits, so `["<", -5e9]` has no room either, and refuses bounds
    /// beyond them; both in that order, at the end of the list.
    fn check_range(&self, range: &Range, shape: Shape) -> Result<(), PatternError> {
        let bottom = range.lower.map_or(-RULER_LIMIT, |(b, _)| b);
        let top = range.upper.map_or(RULER_LIMIT, |(t, _)| t);
        let ordered = shape == Shape::Equals || bottom < top;
        if self.event_pattern() {
            if !ordered {
                return Err(self.fail("Bottom must be less than top"));
            }
            if micros(bottom).is_none() || micros(top).is_none() {
                return Err(self.fail(RULER_RANGE_MESSAGE));
            }
        } else if shape == Shape::TwoSided && !ordered {
            return Err(self.fail("Bottom must be less than top"));
        }
        Ok(())
    }

    fn anything_but(&mut self) -> Result<Matcher, PatternError> {
        if self.event_pattern() {
            self.ruler_anything_but()
        } else {
            self.sns_anything_but()
        }
    }

    fn sns_anything_but(&mut self) -> Result<Matcher, PatternError> {
        const NOT_SUPPORTED: &str = "Inside anything but list, start|null|boolean is not supported.";
        let exclusion = match self.next()? {
            Token::Str(text) => {
                self.text_read();
                Exclusion::Values(vec![Literal::Str { text, ip: None }])
            }
            Token::Num(n) => Exclusion::Values(vec![Literal::Num(n.num)]),
            Token::StartArray => {
                let mut values = Vec::new();
                loop {
                    match self.next()? {
                        Token::EndArray => break,
                        Token::Str(text) => {
                            self.text_read();
                            values.push(Literal::Str { text, ip: None });
                        }
                        Token::Num(n) => values.push(Literal::Num(n.num)),
                        _ => return Err(self.fail(NOT_SUPPORTED)),
                    }
                }
                if values.is_empty() {
                    return Err(self.fail("Empty arrays are not allowed"));
                }
                Exclusion::Values(values)
            }
            Token::StartObject => {
                let op = match self.next()? {
                    Token::Name(op) => op,
                    _ => return Err(self.fail("Empty objects are not allowed")),
                };
                let exclusion = match op.as_str() {
                    "prefix" | "suffix" => {
                        let text = self.operand_text(&format!("{op} match pattern must be a string"))?;
                        if op == "prefix" {
                            Exclusion::Prefixes(vec![text])
                        } else {
                            Exclusion::Suffixes(vec![text])
                        }
                    }
                    _ => return Err(self.fail(format!("Unsupported anything-but pattern: {op}"))),
                };
                self.close(ONE_KEY)?;
                exclusion
            }
            _ => {
                return Err(self.fail("Value of anything-but must be an array or single string/number value."));
            }
        };
        self.close(ONE_KEY)?;
        Ok(Matcher::AnythingBut(exclusion))
    }

    fn ruler_anything_but(&mut self) -> Result<Matcher, PatternError> {
        let mut value = self.next()?;
        // `{"prefix" | "suffix" | "equals-ignore-case" | "wildcard": …}`: a set of strings.
        let mut set_of = None;
        if value == Token::StartObject {
            let op = match self.next()? {
                Token::Name(op) => op,
                _ => return Err(self.fail("Anything-But expression name not found")),
            };
            if !matches!(op.as_str(), "prefix" | "suffix" | "equals-ignore-case" | "wildcard") {
                return Err(self.fail(format!("Unsupported anything-but pattern: {op}")));
            }
            set_of = Some(op);
            value = self.next()?;
        }
        if !matches!(value, Token::StartArray | Token::Str(_) | Token::Num(_)) {
            return Err(self.fail("Value of anything-but must be an array or single string/number value."));
        }
        let exclusion = match &set_of {
            None => self.ruler_values(value)?,
            Some(op) => self.ruler_set(op, value)?,
        };
        self.close(TOO_MANY_NUMERIC)?;
        if set_of.is_some() {
            self.close(TOO_MANY_NUMERIC)?;
        }
        Ok(Matcher::AnythingBut(exclusion))
    }

    /// Plain `anything-but`: a string, a number, or a list of only strings or only numbers.
    fn ruler_values(&mut self, first: Token) -> Result<Exclusion, PatternError> {
        match first {
            Token::Str(text) => {
                self.text_read();
                Ok(Exclusion::Values(vec![Literal::Str { text, ip: None }]))
            }
            // Raised outside event-ruler's JSON reader: no location.
            Token::Num(n) => {
                let num = self.ruler_number(&n.num).map_err(|reason| self.fail_bare(reason))?;
                Ok(Exclusion::Values(vec![Literal::Num(num)]))
            }
            _ => {
                let (mut strings, mut numbers) = (false, false);
                let mut values = Vec::new();
                loop {
                    match self.next()? {
                        Token::EndArray => break,
                        Token::Str(text) => {
                            self.text_read();
                            strings = true;
                            values.push(Literal::Str { text, ip: None });
                        }
                        Token::Num(n) => {
                            numbers = true;
                            let num = self.ruler_number(&n.num).map_err(|reason| self.fail(reason))?;
                            values.push(Literal::Num(num));
                        }
                        _ => {
                            return Err(
                                self.fail_twice("Inside anything but list, start|null|boolean is not supported.")
                            );
                        }
                    }
                }
                if strings == numbers {
                    return Err(self.fail(
                        "Inside anything but list, either all values are number or string, mixed type is not supported",
                    ));
                }
                Ok(Exclusion::Values(values))
            }
        }
    }

    /// A number event-ruler can compare: within its range.
    fn ruler_number(&self, n: &Num) -> Result<Num, String> {
        micros(n.value)
            .map(|_| *n)
            .ok_or_else(|| RULER_RANGE_MESSAGE.to_owned())
    }

    /// `anything-but` with `prefix`, `suffix`, `equals-ignore-case` or `wildcard`: a string
    /// or a list of strings.
    fn ruler_set(&mut self, op: &str, first: Token) -> Result<Exclusion, PatternError> {
        let not_string = match op {
            "equals-ignore-case" => {
                "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported."
            }
            "wildcard" => "wildcard match pattern must be a string",
            _ => "prefix/suffix match pattern must be a string",
        };
        let affix = matches!(op, "prefix" | "suffix");
        let mut texts = Vec::new();
        match first {
            Token::Str(text) => {
                self.text_read();
                if affix && text.is_empty() {
                    return Err(self.fail("Null prefix/suffix not allowed"));
                }
                texts.push(text);
            }
            Token::StartArray => loop {
                // A reason raised inside the list is re-raised by event-ruler.
                match self.next()? {
                    Token::EndArray => break,
                    Token::Str(text) => {
                        self.text_read();
                        if affix && text.is_empty() {
                            return Err(self.fail_twice("Null prefix/suffix not allowed"));
                        }
                        texts.push(text);
                    }
                    _ => return Err(self.fail_twice(not_string)),
                }
            },
            _ => return Err(self.fail(not_string)),
        }
        Ok(match op {
            "prefix" => Exclusion::Prefixes(texts),
            "suffix" => Exclusion::Suffixes(texts),
            "equals-ignore-case" => Exclusion::IgnoreCase(texts.iter().map(|t| t.to_lowercase()).collect()),
            _ => Exclusion::Wildcards(
                texts
                    .iter()
                    .map(|t| Wildcard::parse(t))
                    .collect::<Result<_, _>>()
                    .map_err(|reason| self.fail(reason))?,
            ),
        })
    }
}
