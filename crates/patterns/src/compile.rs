//! Reading a pattern's tokens into a [`Node`] tree: objects, `$or` and the lists of leaves.
//! The operators inside a list (`{"prefix": …}` and the rest) are read in `operators`.
//!
//! The structure is the same in every dialect; the reasons differ where SNS and event-ruler
//! word them differently, and EventBridge refuses what SNS lets pass (empty objects,
//! event-ruler's reserved words as keys inside `$or`).

use crate::Dialect;
use crate::cidr;
use crate::error::PatternError;
use crate::tokens::{Token, Tokens};
use crate::tree::{Field, FieldValue, Literal, Matcher, Node};

/// Keys event-ruler refuses inside `$or`: its operators and words it keeps for later ones.
const RESERVED_IN_OR: &[&str] = &[
    "exactly",
    "equals-ignore-case",
    "prefix",
    "suffix",
    "anything-but",
    "exists",
    "wildcard",
    "numeric",
    "cidr",
    "=",
    "<",
    "<=",
    ">",
    ">=",
    "regex",
    "not-wildcard",
    "not-equals-ignore-case",
    "date-after",
    "date-on-or-after",
    "date-before",
    "date-on-or-before",
    "in-date-range",
    "ip-address-in-range",
    "ip-address-not-in-range",
];

/// A compiled pattern and the deepest object level it holds (1 for the top), which SNS limits.
pub(crate) struct Compiled {
    pub root: Node,
    pub deepest: usize,
}

pub(crate) fn pattern(tokens: &mut dyn Tokens, dialect: Dialect) -> Result<Compiled, PatternError> {
    let mut c = Compiler {
        tokens,
        dialect,
        deepest: 0,
    };
    if c.next()? != Token::StartObject {
        return Err(match dialect {
            Dialect::EventPattern => PatternError::json(dialect, "Filter is not an object", c.here(1)),
            Dialect::SnsAttributes | Dialect::SnsBody => {
                PatternError::json(dialect, "The filter policy must be a JSON object", Vec::new())
            }
        });
    }
    let root = c.object(1, false)?;
    Ok(Compiled {
        root,
        deepest: c.deepest,
    })
}

pub(crate) struct Compiler<'t> {
    tokens: &'t mut dyn Tokens,
    pub(crate) dialect: Dialect,
    deepest: usize,
}

impl Compiler<'_> {
    pub(crate) fn next(&mut self) -> Result<Token, PatternError> {
        self.tokens.next()
    }

    pub(crate) fn text_read(&mut self) {
        self.tokens.text_read();
    }

    pub(crate) fn event_pattern(&self) -> bool {
        self.dialect == Dialect::EventPattern
    }

    /// The current location, `times` over: event-ruler reports a reason it re-raises with
    /// the location twice.
    fn here(&self, times: usize) -> Vec<crate::error::Location> {
        self.tokens.here().map(|l| vec![l; times]).unwrap_or_default()
    }

    /// A reason located where the reader stands.
    pub(crate) fn fail(&self, reason: impl Into<String>) -> PatternError {
        PatternError::invalid(self.dialect, reason, self.here(1))
    }

    /// A reason event-ruler raised inside a block that re-raises it, location and all.
    pub(crate) fn fail_twice(&self, reason: impl Into<String>) -> PatternError {
        PatternError::invalid(self.dialect, reason, self.here(2))
    }

    /// A reason event-ruler raises outside its JSON reader, without a location.
    pub(crate) fn fail_bare(&self, reason: impl Into<String>) -> PatternError {
        PatternError::invalid(self.dialect, reason, Vec::new())
    }

    /// The object whose opening brace was just read, at `level` (1 for the top).
    fn object(&mut self, level: usize, in_or: bool) -> Result<Node, PatternError> {
        self.deepest = self.deepest.max(level);
        let mut node = Node::default();
        let mut keys = 0;
        loop {
            let key = match self.next()? {
                Token::EndObject => break,
                Token::Name(key) => key,
                // Both token sources give names inside objects.
                other => return Err(self.fail(format!("Unexpected token {}", other.text()))),
            };
            keys += 1;
            if key == "$or" {
                let alternatives = self.alternatives(level)?;
                node.any_of.push(alternatives);
                continue;
            }
            if in_or && self.event_pattern() && RESERVED_IN_OR.contains(&key.as_str()) {
                return Err(self.fail(format!(
                    "{key} is Ruler reserved fieldName which cannot be used inside $or."
                )));
            }
            let value = match self.next()? {
                Token::StartObject => FieldValue::Nested(self.object(level + 1, in_or)?),
                Token::StartArray => FieldValue::Leaf(self.leaf()?),
                _ => return Err(self.fail(format!("\"{key}\" must be an object or an array"))),
            };
            node.add(Field { key, value });
        }
        if keys == 0 && self.event_pattern() {
            return Err(self.fail("Empty objects are not allowed"));
        }
        Ok(node)
    }

    /// The value of a `$or` key: two or more objects, each an alternative at this level.
    fn alternatives(&mut self, level: usize) -> Result<Vec<Node>, PatternError> {
        let (not_array, not_object, too_few) = match self.dialect {
            Dialect::EventPattern => (
                "It must be an Array followed with $or.",
                "Only JSON object is allowed in array of $or relationship.",
                "There must have at least 2 Objects in $or relationship.",
            ),
            Dialect::SnsAttributes | Dialect::SnsBody => {
                let refused = "\"$or\" must be an array of at least two objects";
                (refused, refused, refused)
            }
        };
        if self.next()? != Token::StartArray {
            return Err(self.fail(not_array));
        }
        // SNS counts the alternatives before reading them; event-ruler after.
        if self.tokens.array_len().is_some_and(|n| n < 2) {
            return Err(self.fail(too_few));
        }
        let mut alternatives = Vec::new();
        loop {
            match self.next()? {
                Token::EndArray => break,
                Token::StartObject => alternatives.push(self.object(level, true)?),
                _ => return Err(self.fail(not_object)),
            }
        }
        if alternatives.len() < 2 {
            return Err(self.fail(too_few));
        }
        Ok(alternatives)
    }

    /// A key's list, whose opening bracket was just read.
    fn leaf(&mut self) -> Result<Vec<Matcher>, PatternError> {
        let mut matchers = Vec::new();
        loop {
            let matcher = match self.next()? {
                Token::EndArray => break,
                Token::StartObject => self.operator()?,
                Token::Str(text) => {
                    self.text_read();
                    Matcher::Exact(self.string(text))
                }
                Token::Num(n) => Matcher::Exact(Literal::Num(n.num)),
                Token::True => Matcher::Exact(Literal::Bool(true)),
                Token::False => Matcher::Exact(Literal::Bool(false)),
                Token::Null => Matcher::Exact(Literal::Null),
                _ => return Err(self.fail("Match value must be String, number, true, false, or null")),
            };
            matchers.push(matcher);
        }
        if matchers.is_empty() {
            return Err(self.fail("Empty arrays are not allowed"));
        }
        Ok(matchers)
    }

    /// A string to match exactly: event-ruler matches one that reads as an IP address as
    /// that address, however the event spells it.
    pub(crate) fn string(&self, text: String) -> Literal {
        let ip = if self.event_pattern() {
            cidr::ruler_ip(&text)
        } else {
            None
        };
        Literal::Str { text, ip }
    }
}
