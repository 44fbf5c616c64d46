//! Regular expression literals (`/ab+c/i`): JavaScript's syntax and
//! semantics. A pattern the `regex` crate also accepts (no backreferences
//! or lookaround) runs there, in time linear in the text, so a hostile
//! pattern such as `/^(a+)+$/` cannot spin a worker; the rest run on
//! `regress`, an ECMAScript engine that backtracks.

use regress::Regex;

use crate::error::{Error, Result};

pub struct Pattern {
    /// The pattern as written, for messages.
    pub source: String,
    regex: Regex,
    linear: Option<regex::Regex>,
}

impl std::fmt::Debug for Pattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "/{}/", self.source)
    }
}

/// One match, in byte offsets of the text searched.
#[derive(Debug, Clone)]
pub struct Found {
    pub start: usize,
    pub end: usize,
    /// Each capture group: its byte range, or None when it did not take part.
    pub groups: Vec<Option<(usize, usize)>>,
}

impl Pattern {
    pub fn new(pattern: &str, flags: &str) -> Result<Self> {
        let regex = Regex::with_flags(pattern, flags)
            .map_err(|e| Error::new("S0303", format!("Invalid regular expression /{pattern}/: {e}")))?;
        let linear = regex::RegexBuilder::new(pattern)
            .case_insensitive(flags.contains('i'))
            .multi_line(flags.contains('m'))
            .size_limit(1 << 20)
            .build()
            .ok();
        Ok(Self {
            source: pattern.to_owned(),
            regex,
            linear,
        })
    }

    /// The first match starting at or after byte `from` (a char boundary).
    pub fn find_at(&self, text: &str, from: usize) -> Option<Found> {
        if from > text.len() || !text.is_char_boundary(from) {
            return None;
        }
        if let Some(re) = &self.linear {
            let c = re.captures_at(text, from)?;
            let whole = c.get(0)?;
            return Some(Found {
                start: whole.start(),
                end: whole.end(),
                groups: c.iter().skip(1).map(|g| g.map(|m| (m.start(), m.end()))).collect(),
            });
        }
        let m = regress::backends::find::<regress::backends::PikeVMExecutor<'_, '_>>(&self.regex, text, from).next()?;
        Some(Found {
            start: m.range.start,
            end: m.range.end,
            groups: m
                .captures
                .iter()
                .map(|c| c.as_ref().map(|r| (r.start, r.end)))
                .collect(),
        })
    }
}
