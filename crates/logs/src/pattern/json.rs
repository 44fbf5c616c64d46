//! JSON patterns, the text between `{` and `}`: comparisons of selectors
//! (`$.a.b`, `$.list[0].id`) with literals, `IS NULL`, `IS TRUE`, `IS
//! FALSE`, `NOT EXISTS`, joined by `&&` and `||` (`&&` binding tighter)
//! and grouped by parentheses. An event that is not a JSON object matches
//! no JSON pattern; a comparison on a member the event lacks is false.

use serde_json::Value;

use super::cursor::Cursor;
use super::{Literal, MAX_DEPTH, Op, PatternError, compare};

#[derive(Debug)]
pub(crate) enum Expr {
    Or(Vec<Expr>),
    And(Vec<Expr>),
    Compare(Selector, Op, Literal),
    Is(Selector, Check),
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum Check {
    Null,
    True,
    False,
    NotExists,
    Exists,
}

#[derive(Debug)]
pub(crate) struct Selector(Vec<Step>);

#[derive(Debug)]
enum Step {
    Key(String),
    Index(usize),
}

impl Selector {
    fn find<'v>(&self, root: &'v Value) -> Option<&'v Value> {
        self.0.iter().try_fold(root, |v, step| match step {
            Step::Key(k) => v.get(k.as_str()),
            Step::Index(i) => v.get(*i),
        })
    }
}

pub(super) fn parse(text: &str) -> Result<Expr, PatternError> {
    let mut cur = Cursor::new(text);
    let e = or(&mut cur, 0)?;
    cur.skip_ws();
    if cur.at_end() {
        Ok(e)
    } else {
        Err(PatternError::invalid())
    }
}

fn or(cur: &mut Cursor<'_>, depth: usize) -> Result<Expr, PatternError> {
    let mut items = vec![and(cur, depth)?];
    loop {
        cur.skip_ws();
        if !cur.eat("||") {
            break;
        }
        items.push(and(cur, depth)?);
    }
    Ok(if items.len() == 1 {
        items.remove(0)
    } else {
        Expr::Or(items)
    })
}

fn and(cur: &mut Cursor<'_>, depth: usize) -> Result<Expr, PatternError> {
    let mut items = vec![unary(cur, depth)?];
    loop {
        cur.skip_ws();
        if !cur.eat("&&") {
            break;
        }
        items.push(unary(cur, depth)?);
    }
    Ok(if items.len() == 1 {
        items.remove(0)
    } else {
        Expr::And(items)
    })
}

fn unary(cur: &mut Cursor<'_>, depth: usize) -> Result<Expr, PatternError> {
    cur.skip_ws();
    if cur.eat("(") {
        if depth >= MAX_DEPTH {
            return Err(PatternError::invalid());
        }
        let e = or(cur, depth + 1)?;
        cur.skip_ws();
        return if cur.eat(")") {
            Ok(e)
        } else {
            Err(PatternError::invalid())
        };
    }
    let sel = selector(cur)?;
    cur.skip_ws();
    if cur.eat_keyword("IS") {
        cur.skip_ws();
        let check = if cur.eat_keyword("NULL") {
            Check::Null
        } else if cur.eat_keyword("TRUE") {
            Check::True
        } else if cur.eat_keyword("FALSE") {
            Check::False
        } else {
            return Err(PatternError::invalid());
        };
        return Ok(Expr::Is(sel, check));
    }
    if cur.eat_keyword("NOT") {
        cur.skip_ws();
        return if cur.eat_keyword("EXISTS") {
            Ok(Expr::Is(sel, Check::NotExists))
        } else {
            Err(PatternError::invalid())
        };
    }
    if cur.eat_keyword("EXISTS") {
        return Ok(Expr::Is(sel, Check::Exists));
    }
    let op = op(cur)?;
    cur.skip_ws();
    let lit = literal(cur)?;
    if op.numeric_only() && !matches!(lit, Literal::Number(..)) {
        return Err(PatternError::invalid());
    }
    Ok(Expr::Compare(sel, op, lit))
}

/// Characters that end a member name or a bare literal.
fn is_stop(c: char) -> bool {
    c.is_whitespace() || "()&|=!<>\".[]{}%".contains(c)
}

fn selector(cur: &mut Cursor<'_>) -> Result<Selector, PatternError> {
    if !cur.eat("$") {
        return Err(PatternError::invalid());
    }
    let mut steps = Vec::new();
    loop {
        if cur.eat(".") {
            let start = cur.pos;
            while cur.peek().is_some_and(|c| !is_stop(c)) {
                cur.bump();
            }
            let key = cur.text.get(start..cur.pos).unwrap_or_default();
            if key.is_empty() {
                return Err(PatternError::invalid());
            }
            steps.push(Step::Key(key.to_owned()));
        } else if cur.eat("[") {
            let start = cur.pos;
            while cur.peek().is_some_and(|c| c.is_ascii_digit()) {
                cur.bump();
            }
            let index = cur.text.get(start..cur.pos).unwrap_or_default();
            let index = index.parse().map_err(|_| PatternError::invalid())?;
            if !cur.eat("]") {
                return Err(PatternError::invalid());
            }
            steps.push(Step::Index(index));
        } else {
            break;
        }
    }
    if steps.is_empty() {
        return Err(PatternError::invalid());
    }
    Ok(Selector(steps))
}

pub(super) fn op(cur: &mut Cursor<'_>) -> Result<Op, PatternError> {
    // Two-character operators first.
    for (s, op) in [
        ("!=", Op::Ne),
        ("<=", Op::Le),
        (">=", Op::Ge),
        ("=", Op::Eq),
        ("<", Op::Lt),
        (">", Op::Gt),
    ] {
        if cur.eat(s) {
            return Ok(op);
        }
    }
    Err(PatternError::invalid())
}

/// A quoted string, a `%regex%`, or a bare word (a number if it reads as one).
pub(super) fn literal(cur: &mut Cursor<'_>) -> Result<Literal, PatternError> {
    match cur.peek() {
        Some('"') => Ok(Literal::Text(cur.quoted()?)),
        Some('%') => Ok(Literal::Regex(cur.regex()?)),
        _ => {
            let start = cur.pos;
            while cur
                .peek()
                .is_some_and(|c| !(c.is_whitespace() || "()&|,]}\"".contains(c)))
            {
                cur.bump();
            }
            let word = cur.text.get(start..cur.pos).unwrap_or_default();
            if word.is_empty() {
                return Err(PatternError::invalid());
            }
            Ok(match number(word) {
                Some(n) => Literal::Number(n, word.to_owned()),
                None => Literal::Text(word.to_owned()),
            })
        }
    }
}

/// A decimal number as a pattern writes one (`200`, `-1.5`, `1e3`); not
/// Rust's `inf` or `NaN`.
pub(super) fn number(word: &str) -> Option<f64> {
    let plain = word
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'));
    if plain && word.chars().any(|c| c.is_ascii_digit()) {
        word.parse().ok().filter(|n: &f64| n.is_finite())
    } else {
        None
    }
}

pub(super) fn matches(expr: &Expr, message: &str) -> bool {
    let trimmed = message.trim_start();
    if !trimmed.starts_with('{') {
        return false;
    }
    match serde_json::from_str::<Value>(trimmed) {
        Ok(v) => eval(expr, &v),
        Err(_) => false,
    }
}

fn eval(expr: &Expr, root: &Value) -> bool {
    match expr {
        Expr::Or(items) => items.iter().any(|e| eval(e, root)),
        Expr::And(items) => items.iter().all(|e| eval(e, root)),
        Expr::Is(sel, check) => {
            let v = sel.find(root);
            match check {
                Check::Null => v.is_some_and(Value::is_null),
                Check::True => v == Some(&Value::Bool(true)),
                Check::False => v == Some(&Value::Bool(false)),
                Check::NotExists => v.is_none(),
                Check::Exists => v.is_some(),
            }
        }
        Expr::Compare(sel, op, lit) => match sel.find(root) {
            None | Some(Value::Object(_) | Value::Array(_)) => false,
            Some(Value::String(s)) => compare(*op, s, None, lit),
            Some(Value::Number(n)) => compare(*op, &n.to_string(), n.as_f64(), lit),
            Some(other) => compare(*op, &other.to_string(), None, lit),
        },
    }
}
