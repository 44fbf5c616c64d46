//! `%...%` regular expressions, in the subset AWS documents for filter
//! patterns: letters, digits, `: _ # = @ / ; , -` and the operators
//! `^ $ ? [ ] { } | \ * + .`; no groups, no multi-byte characters. Anything
//! else is refused as AWS refuses it. Compiled by the `regex` crate with
//! bounded sizes, so matching is linear in the message.

use super::PatternError;

#[derive(Debug)]
pub(crate) struct Regex(regex::bytes::Regex);

/// A compiled regex's size cap: AWS's patterns are at most 1024 characters,
/// and a counted repetition (`a{1000}{1000}`) must not blow up memory.
const SIZE_LIMIT: usize = 1 << 20;

impl Regex {
    pub fn new(body: &str) -> Result<Self, PatternError> {
        // A space is not in AWS's list; allowing it costs nothing and
        // `%connection reset%` is an obvious thing to write.
        let allowed = |c: char| c.is_ascii_alphanumeric() || ":_#=@/;,- ^$?[]{}|\\*+.".contains(c);
        if body.is_empty() || !body.chars().all(allowed) {
            return Err(PatternError::invalid());
        }
        regex::bytes::RegexBuilder::new(body)
            .unicode(false)
            .size_limit(SIZE_LIMIT)
            .dfa_size_limit(SIZE_LIMIT)
            .nest_limit(super::MAX_DEPTH as u32)
            .build()
            .map(Self)
            .map_err(|_| PatternError::invalid())
    }

    pub fn is_match(&self, text: &str) -> bool {
        self.0.is_match(text.as_bytes())
    }
}
