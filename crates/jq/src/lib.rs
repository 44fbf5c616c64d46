//! The part of jq 1.6 that Amazon Data Firehose's dynamic partitioning runs.
//!
//! A delivery stream with a `MetadataExtraction` processor evaluates its
//! `MetadataExtractionQuery` (AWS documents "jq 1.6") on each JSON record, for example
//! `{customer_id: .customer_id, year: .event_timestamp | strftime("%Y")}`, and the
//! object it produces gives the values of `!{partitionKeyFromQuery:name}` in the S3
//! prefix. This crate is a jq evaluator written for that: [`Query::parse`] once, then
//! [`Query::partition_keys`] (or [`Query::run`] for the raw outputs) per record.
//!
//! # Supported
//!
//! - Paths: `.`, `.foo`, `."foo"`, `.["foo"]`, `.[n]` (negative from the end),
//!   `.[n:m]` on arrays and strings, `.[]`, `..`, the `?` suffix, and chains of them.
//! - Literals: numbers, strings with escapes and `\(...)` interpolation, `true`,
//!   `false`, `null`; arrays `[...]`; objects `{a: .x, "b": .y, (.k): .v, c, $v}` with
//!   jq's cartesian product when parts produce several outputs.
//! - Operators: `|`, `,`, `+ - * / %` with jq's typing (string concatenation, repetition
//!   and splitting, array concatenation and difference, object merge and deep merge,
//!   null as the identity of `+`), `== != < <= > >=` with jq's order across types,
//!   `and`, `or`, `//`, unary `-`, `if ... then ... elif ... else ... end` (`else`
//!   required, as in 1.6), `try ... catch ...`, `E as $x | ...`, parentheses, comments.
//! - Builtins: `empty`, `error`, `error(m)`, `not`, `length`, `utf8bytelength`, `keys`,
//!   `keys_unsorted`, `has(k)`, `in(o)`, `contains(x)`, `inside(x)`, `type`, `tostring`,
//!   `tonumber`, `tojson`, `fromjson`, `ascii_downcase`, `ascii_upcase`, `explode`,
//!   `implode`, `ltrimstr(s)`, `rtrimstr(s)`, `startswith(s)`, `endswith(s)`,
//!   `split(s)`, `join(s)`, `select(f)`, `map(f)`, `values`, `nulls`, `booleans`,
//!   `numbers`, `strings`, `arrays`, `objects`, `iterables`, `scalars`, `add`, `any`,
//!   `all`, `any(f)`, `all(f)`, `any(g; c)`, `all(g; c)`, `min`, `max`, `min_by(f)`,
//!   `max_by(f)`, `sort`, `sort_by(f)`, `unique`, `reverse`, `flatten`, `flatten(d)`,
//!   `range/1,2,3`,
//!   `first`, `last`, `nth(n)`, `first(f)`, `last(f)`, `limit(n; f)`, `recurse`,
//!   `to_entries`, `from_entries`, `with_entries(f)`, `getpath(p)`, `floor`, `ceil`,
//!   `round`, `fabs`, `sqrt`, `trunc`, `log`, `log2`, `log10`, `exp`, `exp2`,
//!   `pow(a; b)`, `infinite`, `nan`, `isinfinite`, `isnan`, `isnormal`.
//! - Dates (UTC, as glibc in the C locale does them for jq 1.6): `now` (from
//!   [`Env::now`], so runs are deterministic), `gmtime`, `localtime` (UTC), `mktime`,
//!   `strftime(f)`, `strflocaltime(f)`, `strptime(f)`, `todate`, `todateiso8601`,
//!   `fromdate`, `fromdateiso8601`. `strftime` knows `%a %A %b %B %c %C %d %D %e %F %g
//!   %G %h %H %I %j %k %l %m %M %n %p %P %q %r %R %s %S %t %T %u %U %V %w %W %x %X %y
//!   %Y %z %Z %%` with glibc's flags (`- _ 0 ^ #`), widths and `E`/`O`; `strptime`
//!   knows the same conversions but `%q` (`%z` is read but, as in jq, not applied).
//!
//! Numbers are `f64`, printed as jq 1.6 prints them (`1.0` as `1`, `1e1000` as
//! `1.7976931348623157e+308`, `1e17` as `1e+17`); objects keep insertion order. jq
//! 1.6's quirks are kept where a query could notice them: `try` also catches errors
//! raised downstream of its outputs, `error(null)` produces nothing, `limit(0; f)`
//! yields one output, `strptime` appends unparsed trailing text to its array, and an
//! error on the left of `//` is not suppressed.
//!
//! # Not supported
//!
//! Each of these is a [`ParseError`] naming the feature: `def` and user functions,
//! `reduce`, `foreach`, `label`/`break`, `while`/`until`/`repeat`/`recurse(f)`,
//! assignment operators (`=`, `|=`, `+=`...), path functions (`path`, `paths`, `del`,
//! `setpath`, `tostream`, `walk`), destructuring (`. as [$a]`, `?//`),
//! regular expressions (`test`, `match`, `capture`, `sub`, `gsub`, `splits`,
//! `split/2`), format strings (`@base64`, `@csv`...), input/output and environment
//! (`input`, `debug`, `env`, `$ENV`, `$__loc__`), modules, and the remaining math and
//! collection builtins (`group_by`, `unique_by`, `indices`, `transpose`...).
//!
//! # Known differences from jq 1.6
//!
//! - Numbers beyond the double range inside `fromjson` text are an error (jq clamps
//!   them to ±1.7976931348623157e+308); records are parsed by the caller.
//! - jq 1.6 leaks its internal break value (`{"__jq": n}`) into a `catch` handler when
//!   `first`/`limit` stop a `try ... catch` generator; here `try` never sees a break.
//! - Where jq reads past glibc's tables (`strptime("%j")` with day 366 of a common
//!   year) or relies on undefined C conversions, results may differ; out-of-range
//!   `gmtime` inputs (beyond a C `int` of years, where jq 1.6 aborts) are errors.
//! - Messages of `tonumber` and `fromjson` failures are worded differently.
//!
//! # Bounds
//!
//! Queries and records come from requests, so parsing and evaluation are bounded
//! ([`limits`]): query length, nesting depth and tree height, the depth of input
//! records, how much deeper than the record the query can build values, a step budget
//! charged for every evaluation step, output and byte copied, and caps on outputs,
//! string and array sizes. Exceeding one is an error, never a panic, a stack overflow
//! or unbounded memory. There are no loops or recursive definitions to run forever.
//! Measured at the deepest accepted nesting, parsing plus evaluation stays under
//! 200 KiB of stack in release builds.

mod ast;
mod budget;
mod builtins;
mod error;
mod eval;
mod lexer;
mod ops;
mod parser;
mod partition;
mod time;
mod value;

pub use error::{EvalError, Limit, ParseError, PartitionError};

/// The bounds on queries and runs.
pub mod limits {
    /// Longest query text, in bytes: the length limit of a Firehose processor
    /// parameter value.
    pub const MAX_QUERY_LEN: usize = 5120;
    /// Deepest syntactic nesting, and tallest expression tree, of a query. Real
    /// partitioning queries nest a handful of levels; the bound keeps the parser's and
    /// evaluator's stack within a few hundred KiB in release builds (debug builds need
    /// about five times as much), well inside a 2 MiB thread stack.
    pub const MAX_DEPTH: usize = 64;
    /// How many levels deeper than its input the arrays and objects a query builds
    /// may nest.
    pub const MAX_GROWTH: usize = 64;
    /// Deepest nesting of an input record: serde_json's own limit when it parses text,
    /// so any record it parsed is accepted.
    pub const MAX_INPUT_DEPTH: usize = 128;
    /// Evaluation steps for one run: each step of the query, each value produced, each
    /// node copied and each 16 bytes of text built costs one.
    pub const MAX_STEPS: u64 = 2_000_000;
    /// Most outputs of one run.
    pub const MAX_OUTPUTS: usize = 10_000;
    /// Longest string a run may build, in bytes.
    pub const MAX_STRING_BYTES: usize = 4 << 20;
    /// Longest array a run may build.
    pub const MAX_ARRAY_LEN: usize = 1 << 20;
    /// Most partition keys one record may produce.
    pub const MAX_PARTITION_KEYS: usize = 50;
}

/// What a run may observe of the outside world.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Env {
    /// The time `now` returns, in seconds since the epoch (fractional allowed).
    pub now: f64,
}

/// A parsed query, checked once and run on any number of records.
#[derive(Debug, Clone)]
pub struct Query {
    root: ast::Expr,
}

impl Query {
    /// The keys of the object the query builds when it is an object
    /// construction with constant keys (`{a: .x, "b": .y, c}`): what Firehose
    /// checks a prefix's `partitionKeyFromQuery` names against. None for any
    /// other query.
    pub fn object_keys(&self) -> Option<Vec<String>> {
        let ast::Kind::Object(entries) = &self.root.kind else {
            return None;
        };
        entries
            .iter()
            .map(|(k, _)| match &k.kind {
                ast::Kind::Const(value::Val::Str(s)) => Some(s.to_string()),
                _ => None,
            })
            .collect()
    }

    /// Parses `text`, rejecting syntax errors, features outside the supported subset,
    /// undefined variables and builtins, and text beyond the length and nesting limits.
    pub fn parse(text: &str) -> Result<Query, ParseError> {
        Ok(Query {
            root: parser::parse(text)?,
        })
    }

    /// All outputs of the query for one input, in jq's order.
    pub fn run(&self, input: &serde_json::Value, env: &Env) -> Result<Vec<serde_json::Value>, EvalError> {
        let cx = eval::Ctx::new(env.now);
        let input = value::from_json(input, 0).map_err(EvalError::LimitExceeded)?;
        let outputs = eval::run(&cx, &self.root, &input)?;
        outputs
            .iter()
            .map(|v| value::to_json(v, &cx.budget).map_err(EvalError::LimitExceeded))
            .collect()
    }

    /// The partition keys of one record, in the order the query's object lists them.
    ///
    /// The query must produce exactly one object, of at most
    /// [`limits::MAX_PARTITION_KEYS`] keys, whose values are strings (taken as they
    /// are), numbers (as jq prints them) or booleans (`true`/`false`). Null (a missing
    /// field), the empty string, arrays and objects are errors, as is anything the run
    /// itself fails on: Firehose sends such records to the error output.
    pub fn partition_keys(
        &self,
        input: &serde_json::Value,
        env: &Env,
    ) -> Result<Vec<(String, String)>, PartitionError> {
        let cx = eval::Ctx::new(env.now);
        let input = value::from_json(input, 0).map_err(EvalError::LimitExceeded)?;
        let outputs = eval::run(&cx, &self.root, &input)?;
        partition::partition_keys(outputs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Query>();
    }
}
