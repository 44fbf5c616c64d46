//! Unstructured patterns: terms that must all appear (`ERROR Exception`),
//! exact phrases (`"Failed to process"`), alternatives (`?ERROR ?WARN`),
//! exclusions (`ERROR -Exiting`) and `%regex%` terms. Terms match anywhere
//! in the message, case-sensitively.

use super::PatternError;
use super::cursor::Cursor;
use super::regex::Regex;

#[derive(Debug)]
pub(crate) struct Terms {
    required: Vec<Term>,
    any_of: Vec<Term>,
    excluded: Vec<Term>,
}

#[derive(Debug)]
enum Term {
    Text(String),
    Regex(Regex),
}

impl Term {
    fn found_in(&self, message: &str) -> bool {
        match self {
            Term::Text(t) => message.contains(t.as_str()),
            Term::Regex(r) => r.is_match(message),
        }
    }
}

pub(super) fn parse(text: &str) -> Result<Terms, PatternError> {
    let mut terms = Terms {
        required: Vec::new(),
        any_of: Vec::new(),
        excluded: Vec::new(),
    };
    let mut cur = Cursor::new(text);
    loop {
        cur.skip_ws();
        if cur.at_end() {
            return Ok(terms);
        }
        let list = if cur.eat("?") {
            &mut terms.any_of
        } else if cur.eat("-") {
            &mut terms.excluded
        } else {
            &mut terms.required
        };
        let term = match cur.peek() {
            Some('"') => {
                let start = cur.pos;
                let phrase = cur.quoted()?;
                if phrase.is_empty() {
                    let raw = cur.text.get(start..cur.pos).unwrap_or_default();
                    return Err(bad_term(raw));
                }
                Term::Text(phrase)
            }
            Some('%') => Term::Regex(cur.regex()?),
            _ => {
                let start = cur.pos;
                while cur.peek().is_some_and(|c| !c.is_whitespace()) {
                    cur.bump();
                }
                let word = cur.text.get(start..cur.pos).unwrap_or_default();
                // AWS: terms with characters other than letters, digits and
                // underscores must be quoted.
                if word.is_empty() || !word.chars().all(|c| c.is_alphanumeric() || c == '_') {
                    return Err(bad_term(word));
                }
                Term::Text(word.to_owned())
            }
        };
        list.push(term);
    }
}

fn bad_term(term: &str) -> PatternError {
    PatternError(format!("Invalid character(s) in term '{term}'"))
}

impl Terms {
    pub fn matches(&self, message: &str) -> bool {
        self.required.iter().all(|t| t.found_in(message))
            && (self.any_of.is_empty() || self.any_of.iter().any(|t| t.found_in(message)))
            && !self.excluded.iter().any(|t| t.found_in(message))
    }
}
