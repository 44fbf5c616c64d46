//! Space-delimited patterns, the text between `[` and `]`: one entry per
//! field of the event, separated by commas. An entry is a name, a name
//! with conditions on its field (`status = 4*`, `bytes > 1000`, `status =
//! 400 || status = 404`), or `...`, which stands for any number of fields.
//! Without `...` the event must have exactly as many fields as the pattern.
//!
//! An event's fields are separated by spaces; text between double quotes
//! or square brackets is one field (the quotes and brackets are not part
//! of it), as in web server logs.

use super::cursor::Cursor;
use super::json::{literal, number, op};
use super::{Literal, Op, PatternError, compare};

/// Most fields an event is split into; an event with more matches no
/// space-delimited pattern, which bounds the cost of matching.
const MAX_FIELDS: usize = 10_000;

/// Most entries in a pattern.
const MAX_ENTRIES: usize = 100;

#[derive(Debug)]
pub(crate) struct Delimited {
    entries: Vec<Entry>,
}

#[derive(Debug)]
enum Entry {
    Ellipsis,
    /// A named field; any of the alternatives, each all of its conditions.
    Field(Vec<Vec<(Op, Literal)>>),
}

pub(super) fn parse(text: &str) -> Result<Delimited, PatternError> {
    let mut entries = Vec::new();
    let mut cur = Cursor::new(text);
    loop {
        cur.skip_ws();
        if entries.len() >= MAX_ENTRIES {
            return Err(PatternError::invalid());
        }
        entries.push(entry(&mut cur)?);
        cur.skip_ws();
        if cur.at_end() {
            return Ok(Delimited { entries });
        }
        if !cur.eat(",") {
            return Err(PatternError::invalid());
        }
    }
}

fn name(cur: &mut Cursor<'_>) -> Result<String, PatternError> {
    let start = cur.pos;
    while cur.peek().is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '-') {
        cur.bump();
    }
    let n = cur.text.get(start..cur.pos).unwrap_or_default();
    if n.is_empty() {
        Err(PatternError::invalid())
    } else {
        Ok(n.to_owned())
    }
}

fn entry(cur: &mut Cursor<'_>) -> Result<Entry, PatternError> {
    if cur.eat("...") {
        return Ok(Entry::Ellipsis);
    }
    let field = name(cur)?;
    cur.skip_ws();
    if cur.at_end() || cur.peek() == Some(',') {
        return Ok(Entry::Field(vec![vec![]]));
    }
    let mut alternatives = vec![vec![condition(cur)?]];
    loop {
        cur.skip_ws();
        let or = if cur.eat("||") {
            true
        } else if cur.eat("&&") {
            false
        } else {
            break;
        };
        cur.skip_ws();
        // Each condition names the field it is on: only this entry's own
        // field is supported, which keeps matching a single pass.
        if name(cur)? != field {
            return Err(PatternError::invalid());
        }
        cur.skip_ws();
        let c = condition(cur)?;
        match (or, alternatives.last_mut()) {
            (false, Some(last)) => last.push(c),
            _ => alternatives.push(vec![c]),
        }
    }
    Ok(Entry::Field(alternatives))
}

fn condition(cur: &mut Cursor<'_>) -> Result<(Op, Literal), PatternError> {
    let op = op(cur)?;
    cur.skip_ws();
    let lit = literal(cur)?;
    if op.numeric_only() && !matches!(lit, Literal::Number(..)) {
        return Err(PatternError::invalid());
    }
    Ok((op, lit))
}

/// An event's fields, or `None` past [`MAX_FIELDS`].
fn fields(message: &str) -> Option<Vec<&str>> {
    let mut out = Vec::new();
    let mut rest = message;
    loop {
        rest = rest.trim_start_matches(' ');
        let Some(first) = rest.chars().next() else {
            return Some(out);
        };
        if out.len() >= MAX_FIELDS {
            return None;
        }
        let close = match first {
            '"' => Some('"'),
            '[' => Some(']'),
            _ => None,
        };
        let (field, next) = match close.and_then(|c| rest[1..].find(c).map(|i| i + 1)) {
            Some(end) => (&rest[1..end], &rest[end + 1..]),
            None => {
                let end = rest.find(' ').unwrap_or(rest.len());
                (&rest[..end], &rest[end..])
            }
        };
        out.push(field);
        rest = next;
    }
}

impl Entry {
    fn accepts(&self, field: &str) -> bool {
        match self {
            Entry::Ellipsis => true,
            Entry::Field(alternatives) => {
                let n = number(field);
                alternatives
                    .iter()
                    .any(|all| all.iter().all(|(op, lit)| compare(*op, field, n, lit)))
            }
        }
    }
}

impl Delimited {
    /// Whether the entries can be laid over the event's fields: a pass per
    /// entry over the set of field positions reachable so far.
    pub fn matches(&self, message: &str) -> bool {
        let Some(fields) = fields(message) else {
            return false;
        };
        let mut reach = vec![false; fields.len() + 1];
        reach[0] = true;
        for entry in &self.entries {
            let mut next = vec![false; fields.len() + 1];
            match entry {
                Entry::Ellipsis => {
                    let mut seen = false;
                    for (i, r) in reach.iter().enumerate() {
                        seen |= *r;
                        next[i] = seen;
                    }
                }
                Entry::Field(_) => {
                    for (i, field) in fields.iter().enumerate() {
                        if reach[i] && entry.accepts(field) {
                            next[i + 1] = true;
                        }
                    }
                }
            }
            if !next.contains(&true) {
                return false;
            }
            reach = next;
        }
        reach[fields.len()]
    }
}
