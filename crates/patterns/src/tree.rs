//! A parsed pattern: objects whose keys hold either matchers (a leaf: the event's value
//! there must satisfy one of them) or a nested object, plus `$or` groups of alternative
//! objects. Matching never looks at the pattern's JSON again.

use crate::cidr::{Ip, Net};
use crate::number::{Num, Range};
use crate::wildcard::Wildcard;

/// One object of a pattern: every field must match, and one alternative of every group.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Node {
    pub fields: Vec<Field>,
    pub any_of: Vec<Vec<Node>>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Field {
    pub key: String,
    pub value: FieldValue,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum FieldValue {
    Leaf(Vec<Matcher>),
    Nested(Node),
}

/// One entry of a leaf's list.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Matcher {
    Exact(Literal),
    Prefix(String),
    /// Lower-cased.
    PrefixIgnoreCase(String),
    Suffix(String),
    /// Lower-cased.
    SuffixIgnoreCase(String),
    /// Lower-cased.
    EqualsIgnoreCase(String),
    Wildcard(Wildcard),
    AnythingBut(Exclusion),
    Numeric(Range),
    Cidr(Net),
    Exists(bool),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Literal {
    /// A string; `ip` is set when event-ruler reads it as an IP address (EventBridge), which
    /// then also equals other spellings of the same address.
    Str {
        text: String,
        ip: Option<Ip>,
    },
    Num(Num),
    Bool(bool),
    Null,
}

/// What `anything-but` refuses.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Exclusion {
    Values(Vec<Literal>),
    Prefixes(Vec<String>),
    Suffixes(Vec<String>),
    /// Lower-cased.
    IgnoreCase(Vec<String>),
    Wildcards(Vec<Wildcard>),
}

impl Node {
    pub(crate) fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.any_of.is_empty()
    }

    /// Adds a key read from the pattern. A key written twice in one object is one path to
    /// event-ruler, which compiles objects into paths: a second list replaces the first,
    /// and a second object adds its keys to the first's.
    pub(crate) fn add(&mut self, field: Field) {
        let same = self.fields.iter_mut().find(|f| {
            f.key == field.key
                && matches!(
                    (&f.value, &field.value),
                    (FieldValue::Leaf(_), FieldValue::Leaf(_)) | (FieldValue::Nested(_), FieldValue::Nested(_))
                )
        });
        match (same, field.value) {
            (Some(existing), FieldValue::Leaf(matchers)) => existing.value = FieldValue::Leaf(matchers),
            (Some(existing), FieldValue::Nested(node)) => {
                if let FieldValue::Nested(into) = &mut existing.value {
                    for f in node.fields {
                        into.add(f);
                    }
                    into.any_of.extend(node.any_of);
                }
            }
            (None, value) => self.fields.push(Field { key: field.key, value }),
        }
    }
}
