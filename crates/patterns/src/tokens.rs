//! The token stream the compiler reads a pattern from, as event-ruler reads Jackson's: one
//! token at a time, so that the first thing wrong in document order is the one reported.
//!
//! Two sources feed it. EventBridge's text is read by [`crate::reader::TextTokens`], which
//! knows where it stands for error locations. SNS's policies are parsed by serde_json first
//! (SNS words JSON errors its own way, and a key written twice keeps its last value there),
//! and [`ValueTokens`] walks the parsed value.

use serde_json::Value;

use crate::error::{Location, PatternError};
use crate::number::Num;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Token {
    StartObject,
    EndObject,
    StartArray,
    EndArray,
    Name(String),
    Str(String),
    Num(NumToken),
    True,
    False,
    Null,
    /// Nothing more: only ever after the top-level value.
    End,
}

/// A number with the text it was written as (event-ruler quotes the text in reasons).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NumToken {
    pub text: String,
    pub num: Num,
}

impl Token {
    /// Jackson's text of the token, as event-ruler quotes it in reasons.
    pub(crate) fn text(&self) -> String {
        match self {
            Self::StartObject => "{".into(),
            Self::EndObject => "}".into(),
            Self::StartArray => "[".into(),
            Self::EndArray => "]".into(),
            Self::Name(s) | Self::Str(s) => s.clone(),
            Self::Num(n) => n.text.clone(),
            Self::True => "true".into(),
            Self::False => "false".into(),
            Self::Null => "null".into(),
            Self::End => String::new(),
        }
    }
}

pub(crate) trait Tokens {
    fn next(&mut self) -> Result<Token, PatternError>;

    /// Where a reason raised now is located (nothing for a source without text).
    fn here(&self) -> Option<Location>;

    /// The current string token's text was taken: Jackson reads a string value lazily, so
    /// its location moves past the string only then.
    fn text_read(&mut self);

    /// How many elements the array just opened holds, for a source that knows before
    /// reading them (SNS counts the alternatives of `$or` before it reads any).
    fn array_len(&self) -> Option<usize>;
}

/// The tokens of a parsed JSON value, walked with an explicit stack.
pub(crate) struct ValueTokens<'a> {
    root: Option<&'a Value>,
    stack: Vec<Frame<'a>>,
}

enum Frame<'a> {
    Object {
        entries: serde_json::map::Iter<'a>,
        value: Option<&'a Value>,
    },
    Array(std::slice::Iter<'a, Value>),
}

impl<'a> ValueTokens<'a> {
    pub(crate) fn new(root: &'a Value) -> Self {
        Self {
            root: Some(root),
            stack: Vec::new(),
        }
    }

    fn open(&mut self, v: &'a Value) -> Token {
        match v {
            Value::Object(m) => {
                self.stack.push(Frame::Object {
                    entries: m.iter(),
                    value: None,
                });
                Token::StartObject
            }
            Value::Array(items) => {
                self.stack.push(Frame::Array(items.iter()));
                Token::StartArray
            }
            Value::String(s) => Token::Str(s.clone()),
            Value::Number(n) => Token::Num(NumToken {
                text: n.to_string(),
                num: Num::from_json(n),
            }),
            Value::Bool(true) => Token::True,
            Value::Bool(false) => Token::False,
            Value::Null => Token::Null,
        }
    }
}

impl Tokens for ValueTokens<'_> {
    fn next(&mut self) -> Result<Token, PatternError> {
        let next = match self.stack.last_mut() {
            None => match self.root.take() {
                Some(root) => return Ok(self.open(root)),
                None => return Ok(Token::End),
            },
            Some(Frame::Object { entries, value }) => match value.take() {
                Some(v) => Some(v),
                None => match entries.next() {
                    Some((k, v)) => {
                        *value = Some(v);
                        return Ok(Token::Name(k.clone()));
                    }
                    None => None,
                },
            },
            Some(Frame::Array(items)) => items.next(),
        };
        Ok(match next {
            Some(v) => self.open(v),
            None => match self.stack.pop() {
                Some(Frame::Object { .. }) => Token::EndObject,
                _ => Token::EndArray,
            },
        })
    }

    fn here(&self) -> Option<Location> {
        None
    }

    fn text_read(&mut self) {}

    fn array_len(&self) -> Option<usize> {
        match self.stack.last() {
            Some(Frame::Array(items)) => Some(items.len()),
            _ => None,
        }
    }
}
