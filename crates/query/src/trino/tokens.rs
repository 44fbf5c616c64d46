//! Trino grammar that sqlparser's cannot take, rewritten in the token
//! stream before parsing (each added token carries the position of the one
//! it stands by, so errors still point into the text as written):
//! `VALUES 1, 2, 3` is rows of one value each, `VALUES (1), (2), (3)`; and
//! the SQL/JSON constructors `json_object('k' : v, KEY k VALUE v ... NULL ON
//! NULL WITH UNIQUE KEYS RETURNING t)` and `json_array(v FORMAT JSON, ...)`
//! become plain calls of `trino_json_object` / `trino_json_array` (see
//! `functions::json_cast`) with their clauses as a leading options string
//! and each value followed by its format (0 a SQL value, 1 JSON text, 2 and
//! 3 JSON in UTF-16 or UTF-32 bytes).

use std::collections::VecDeque;

use datafusion::error::Result;
use datafusion::sql::parser::{DFParserBuilder, Statement};
use datafusion::sql::sqlparser::keywords::Keyword;
use datafusion::sql::sqlparser::parser::ParserError;
use datafusion::sql::sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};

use super::TrinoDialect;

/// Parses `sql` as Trino writes it.
pub fn parse_statements(sql: &str) -> Result<VecDeque<Statement>> {
    let dialect = TrinoDialect::default();
    let tokens = Tokenizer::new(&dialect, sql)
        .tokenize_with_location()
        .map_err(ParserError::from)?;
    let tokens = values_subqueries(bare_values(typed_literals(tokens)));
    DFParserBuilder::new(trim_sides(cast_types(json_constructors(tokens))))
        .with_dialect(&dialect)
        .build()?
        .parse_statements()
}

fn is_blank(t: &Token) -> bool {
    matches!(t, Token::Whitespace(_))
}

fn is_keyword(t: &Token, k: Keyword) -> bool {
    matches!(t, Token::Word(w) if w.keyword == k && w.quote_style.is_none())
}

/// What ends a VALUES list at its own nesting level.
fn ends_values(t: &Token) -> bool {
    matches!(t, Token::SemiColon | Token::EOF)
        || [
            Keyword::ORDER,
            Keyword::LIMIT,
            Keyword::OFFSET,
            Keyword::FETCH,
            Keyword::UNION,
            Keyword::EXCEPT,
            Keyword::INTERSECT,
        ]
        .into_iter()
        .any(|k| is_keyword(t, k))
}

fn token_at(token: Token, at: &TokenWithSpan) -> TokenWithSpan {
    TokenWithSpan::new(token, at.span)
}

/// `VALUES a, b` → `VALUES (a), (b)`; lists that open with `(` are left as
/// they are. One pass over the tokens, no recursion.
fn bare_values(tokens: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    let mut out = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        out.push(t.clone());
        i += 1;
        if !is_keyword(&t.token, Keyword::VALUES) {
            continue;
        }
        let Some(first) = tokens[i..].iter().position(|t| !is_blank(&t.token)).map(|p| p + i) else {
            continue;
        };
        if matches!(tokens[first].token, Token::LParen) || ends_values(&tokens[first].token) {
            continue;
        }
        // Rows of one value: wrap each top-level item in parentheses.
        let mut depth = 0usize;
        let mut open = true;
        while i < tokens.len() {
            let t = &tokens[i];
            if depth == 0 && (ends_values(&t.token) || matches!(t.token, Token::RParen | Token::RBracket)) {
                break;
            }
            if open && !is_blank(&t.token) {
                out.push(token_at(Token::LParen, t));
                open = false;
            }
            match t.token {
                Token::LParen | Token::LBracket => depth += 1,
                Token::RParen | Token::RBracket => depth -= 1,
                Token::Comma if depth == 0 => {
                    close(&mut out, t);
                    open = true;
                }
                _ => {}
            }
            out.push(t.clone());
            i += 1;
        }
        if !open && let Some(at) = tokens.get(i).or(tokens.last()) {
            close(&mut out, at);
        }
    }
    out
}

/// `x = ANY (VALUES ...)`, `x IN (VALUES ...)`: sqlparser takes a subquery
/// there only when it starts with SELECT, so the rows become
/// `(SELECT * FROM (VALUES ...))`. Runs after [`bare_values`]; one pass.
fn values_subqueries(tokens: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    let mut out: Vec<TokenWithSpan> = Vec::with_capacity(tokens.len());
    // Open parentheses, and for each whether it closes a wrapped VALUES.
    let mut wrapped: Vec<bool> = Vec::new();
    for t in tokens {
        match t.token {
            Token::LParen => wrapped.push(false),
            Token::RParen if wrapped.pop() == Some(true) => out.push(token_at(Token::RParen, &t)),
            _ => {}
        }
        if is_keyword(&t.token, Keyword::VALUES) {
            let mut before = out.iter().rev().filter(|t| !is_blank(&t.token));
            let opens = before.next().is_some_and(|p| p.token == Token::LParen);
            let quantified = before.next().is_some_and(|q| {
                [Keyword::ANY, Keyword::SOME, Keyword::ALL, Keyword::IN]
                    .into_iter()
                    .any(|k| is_keyword(&q.token, k))
            });
            if opens
                && quantified
                && let Some(last) = wrapped.last_mut()
            {
                *last = true;
                for token in [Token::make_keyword("SELECT"), Token::Mul, Token::make_keyword("FROM")] {
                    out.push(token_at(token, &t));
                    out.push(token_at(
                        Token::Whitespace(datafusion::sql::sqlparser::tokenizer::Whitespace::Space),
                        &t,
                    ));
                }
                out.push(token_at(Token::LParen, &t));
            }
        }
        out.push(t);
    }
    out
}

/// `IPADDRESS '10.0.0.1'`, `IPPREFIX '10.0.0.0/8'`, `UUID '...'`: literals of
/// types sqlparser does not know, as calls of the functions that make them
/// (`functions::network`). One pass.
fn typed_literals(tokens: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    let mut out: Vec<TokenWithSpan> = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        let constructor = match &t.token {
            Token::Word(w) if w.quote_style.is_none() => super::functions::network::CONSTRUCTORS
                .iter()
                .find(|(ty, _)| w.value.eq_ignore_ascii_case(ty))
                .map(|(_, f)| *f),
            _ => None,
        };
        let literal = tokens[i + 1..]
            .iter()
            .position(|t| !is_blank(&t.token))
            .map(|p| p + i + 1);
        if let (Some(f), Some(at)) = (constructor, literal)
            && matches!(tokens[at].token, Token::SingleQuotedString(_))
        {
            out.push(token_at(Token::make_word(f, None), t));
            out.push(token_at(Token::LParen, t));
            out.push(tokens[at].clone());
            out.push(token_at(Token::RParen, &tokens[at]));
            i = at + 1;
            continue;
        }
        out.push(t.clone());
        i += 1;
    }
    out
}

/// Closes an item right after its last token, before any blanks.
fn close(out: &mut Vec<TokenWithSpan>, at: &TokenWithSpan) {
    let end = out
        .iter()
        .rposition(|t| !is_blank(&t.token))
        .map_or(out.len(), |p| p + 1);
    out.insert(end, token_at(Token::RParen, at));
}

/// Trino's parenthesised type constructors in `CAST(x AS type)`, spelled
/// as sqlparser reads them: `ARRAY(T)` is `ARRAY<T>` and `ROW(a T, ...)` is
/// `STRUCT<a T, ...>` (`MAP(K, V)` it reads already). One pass.
fn cast_types(mut tokens: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    // For each open parenthesis: whether it is a CAST's, and whether the type has begun.
    let mut frames: Vec<(bool, bool)> = Vec::new();
    // Parentheses of type constructors to close with `>`, by frame depth.
    let mut angle: Vec<usize> = Vec::new();
    let mut i = 0;
    let mut after_cast = false;
    while i < tokens.len() {
        let in_type = frames.last().is_some_and(|&(cast, typed)| cast && typed);
        match &tokens[i].token {
            t if word_is(t, "cast") || word_is(t, "try_cast") => after_cast = true,
            Token::LParen => {
                let constructor = in_type
                    && i > 0
                    && tokens[..i]
                        .iter()
                        .rev()
                        .find(|t| !is_blank(&t.token))
                        .is_some_and(|t| word_is(&t.token, "array") || word_is(&t.token, "row"));
                if constructor {
                    tokens[i].token = Token::Lt;
                    angle.push(frames.len() + 1);
                    // A ROW's fields are a STRUCT's.
                    if let Some(name) = tokens[..i].iter().rposition(|t| !is_blank(&t.token))
                        && word_is(&tokens[name].token, "row")
                    {
                        tokens[name].token = Token::make_word("STRUCT", None);
                    }
                }
                frames.push((after_cast || (constructor && in_type), constructor && in_type));
                after_cast = false;
            }
            Token::RParen => {
                if angle.last() == Some(&frames.len()) {
                    tokens[i].token = Token::Gt;
                    angle.pop();
                }
                frames.pop();
            }
            t if is_keyword(t, Keyword::AS) => {
                if let Some(f) = frames.last_mut()
                    && f.0
                {
                    f.1 = true;
                }
                after_cast = false;
            }
            t if !is_blank(t) => after_cast = false,
            _ => {}
        }
        i += 1;
    }
    tokens
}

/// `trim(LEADING FROM s)` trims spaces, as `trim(LEADING ' ' FROM s)`;
/// sqlparser wants the characters spelled out.
fn trim_sides(mut tokens: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    let solid: Vec<usize> = (0..tokens.len()).filter(|&i| !is_blank(&tokens[i].token)).collect();
    let mut inserts = Vec::new();
    for w in solid.windows(4) {
        let [t, open, side, from] = [w[0], w[1], w[2], w[3]];
        if word_is(&tokens[t].token, "trim")
            && matches!(tokens[open].token, Token::LParen)
            && ["leading", "trailing", "both"]
                .iter()
                .any(|k| word_is(&tokens[side].token, k))
            && word_is(&tokens[from].token, "from")
        {
            inserts.push(from);
        }
    }
    for at in inserts.into_iter().rev() {
        let space = token_at(Token::SingleQuotedString(" ".into()), &tokens[at]);
        tokens.insert(
            at,
            token_at(
                Token::Whitespace(datafusion::sql::sqlparser::tokenizer::Whitespace::Space),
                &tokens[at],
            ),
        );
        tokens.insert(at, space);
    }
    tokens
}

/// Passes over nested constructors, innermost first; deeper nesting is left
/// to the parser, whose recursion limit refuses it anyway.
const MAX_JSON_NESTING: usize = 64;

fn word_is(t: &Token, name: &str) -> bool {
    matches!(t, Token::Word(w) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(name))
}

fn is_constructor(t: &Token) -> bool {
    ["json_object", "json_array", "json_exists", "json_value", "json_query"]
        .iter()
        .any(|name| word_is(t, name))
}

fn json_constructors(mut tokens: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    for _ in 0..MAX_JSON_NESTING {
        match innermost_constructor(&tokens) {
            Some((name, open, close)) => {
                let inner = &tokens[open + 1..close];
                let call = if word_is(&tokens[name].token, "json_object") || word_is(&tokens[name].token, "json_array")
                {
                    constructor_call(&tokens[name], inner, word_is(&tokens[name].token, "json_object"))
                } else {
                    path_call(&tokens[name], inner)
                };
                tokens.splice(name..=close, call);
            }
            None => break,
        }
    }
    tokens
}

/// The name, `(` and `)` of a constructor call with none inside it.
fn innermost_constructor(tokens: &[TokenWithSpan]) -> Option<(usize, usize, usize)> {
    let mut open_call: Option<(usize, usize)> = None;
    let mut depth = 0usize;
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i].token;
        if is_constructor(t) {
            let next = tokens[i + 1..]
                .iter()
                .position(|t| !is_blank(&t.token))
                .map(|p| p + i + 1);
            if let Some(n) = next
                && matches!(tokens[n].token, Token::LParen)
            {
                // A later constructor opens inside this one: it is the inner one.
                open_call = Some((i, n));
                depth = 0;
                i = n + 1;
                continue;
            }
        }
        if let Some((name, open)) = open_call {
            match t {
                Token::LParen | Token::LBracket => depth += 1,
                Token::RParen | Token::RBracket if depth > 0 => depth -= 1,
                Token::RParen => return Some((name, open, i)),
                _ => {}
            }
        }
        i += 1;
    }
    None
}

/// The pieces between the commas at the top level of a call's arguments.
fn top_level_items(inner: &[TokenWithSpan]) -> Vec<Vec<TokenWithSpan>> {
    let mut items = vec![Vec::new()];
    let mut depth = 0usize;
    for t in inner {
        match t.token {
            Token::LParen | Token::LBracket => depth += 1,
            Token::RParen | Token::RBracket => depth = depth.saturating_sub(1),
            Token::Comma if depth == 0 => {
                items.push(Vec::new());
                continue;
            }
            _ => {}
        }
        if let Some(last) = items.last_mut()
            && !is_blank(&t.token)
        {
            last.push(t.clone());
        }
    }
    items.retain(|i| !i.is_empty());
    items
}

/// Where the trailing clauses (`NULL ON NULL`, `ABSENT ON NULL`, `WITH`/
/// `WITHOUT UNIQUE`, `RETURNING`) start in an item's tokens, at its top level.
fn clauses_start(item: &[TokenWithSpan]) -> Option<usize> {
    let mut depth = 0usize;
    for (i, t) in item.iter().enumerate() {
        match t.token {
            Token::LParen | Token::LBracket => depth += 1,
            Token::RParen | Token::RBracket => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            _ => {
                let at = |k: usize, name: &str| item.get(i + k).is_some_and(|t| word_is(&t.token, name));
                let null_clause = (at(0, "null") || at(0, "absent")) && at(1, "on") && at(2, "null");
                let unique = (at(0, "with") || at(0, "without")) && at(1, "unique");
                if null_clause || unique || at(0, "returning") {
                    return Some(i);
                }
            }
        }
    }
    None
}

/// A value's `FORMAT JSON [ENCODING e]` suffix: the value's tokens and its format code.
fn value_format(value: &[TokenWithSpan]) -> (&[TokenWithSpan], u8) {
    let n = value.len();
    let is = |i: usize, name: &str| value.get(i).is_some_and(|t| word_is(&t.token, name));
    if n >= 4 && is(n - 4, "format") && is(n - 3, "json") && is(n - 2, "encoding") {
        let code = if is(n - 1, "utf16") {
            2
        } else if is(n - 1, "utf32") {
            3
        } else {
            1
        };
        return (&value[..n - 4], code);
    }
    if n >= 2 && is(n - 2, "format") && is(n - 1, "json") {
        return (&value[..n - 2], 1);
    }
    (value, 0)
}

fn constructor_call(name: &TokenWithSpan, inner: &[TokenWithSpan], object: bool) -> Vec<TokenWithSpan> {
    let mut items = top_level_items(inner);
    let mut options = String::new();
    if let Some(last) = items.last_mut()
        && let Some(at) = clauses_start(last)
    {
        options = last[at..]
            .iter()
            .map(|t| t.token.to_string())
            .collect::<Vec<_>>()
            .join(" ")
            .to_uppercase();
        last.truncate(at);
        if last.is_empty() {
            items.pop();
        }
    }
    let bytes = options.contains("VARBINARY");
    let function = match (object, bytes) {
        (true, false) => "trino_json_object",
        (true, true) => "trino_json_object_bytes",
        (false, false) => "trino_json_array",
        (false, true) => "trino_json_array_bytes",
    };
    let at = |t: Token| token_at(t, name);
    let mut out = vec![
        at(Token::make_word(function, None)),
        at(Token::LParen),
        at(Token::SingleQuotedString(options)),
    ];
    for item in &items {
        let (key, value) = if object {
            split_key_value(item)
        } else {
            (&item[..0], item.as_slice())
        };
        let (value, format) = value_format(value);
        if object {
            out.push(at(Token::Comma));
            out.extend(key.iter().cloned());
        }
        out.push(at(Token::Comma));
        out.extend(value.iter().cloned());
        out.push(at(Token::Comma));
        out.push(at(Token::Number(format.to_string(), false)));
    }
    out.push(at(Token::RParen));
    out
}

/// Words that start a clause of `json_exists`, `json_value` and `json_query`
/// after the path.
const PATH_CLAUSES: &[&str] = &[
    "passing",
    "returning",
    "with",
    "without",
    "keep",
    "omit",
    "error",
    "null",
    "default",
    "empty",
    "true",
    "false",
    "unknown",
];

/// `json_exists | json_value | json_query (input [FORMAT JSON], path
/// [PASSING v [FORMAT JSON] AS name, ...] [RETURNING t [FORMAT JSON]]
/// [wrapper] [quotes] [behaviour ON EMPTY] [behaviour ON ERROR])` as a plain
/// call of `trino_json_exists` / `trino_json_value` / `trino_json_query`
/// (`functions::json_path_udfs`): the clauses as a leading options string,
/// then input and path, then (json_value) the DEFAULT expressions for empty
/// and error, then the PASSING variables as name and JSON text pairs.
/// `json_value`'s RETURNING type is a cast of its result.
fn path_call(name: &TokenWithSpan, inner: &[TokenWithSpan]) -> Vec<TokenWithSpan> {
    let at = |t: Token| token_at(t, name);
    let tokens: Vec<TokenWithSpan> = inner.iter().filter(|t| !is_blank(&t.token)).cloned().collect();
    let function = ["json_exists", "json_value", "json_query"]
        .into_iter()
        .find(|f| word_is(&name.token, f))
        .unwrap_or("json_query");
    // Split at the top level: each piece ends before the next clause word.
    let mut depth = 0usize;
    let mut input_end = tokens.len();
    for (i, t) in tokens.iter().enumerate() {
        match t.token {
            Token::LParen | Token::LBracket => depth += 1,
            Token::RParen | Token::RBracket => depth = depth.saturating_sub(1),
            Token::Comma if depth == 0 => {
                input_end = i;
                break;
            }
            _ => {}
        }
    }
    let (input, _) = value_format(&tokens[..input_end]);
    let rest = tokens.get(input_end + 1..).unwrap_or(&[]);
    let is_clause = |t: &TokenWithSpan| PATH_CLAUSES.iter().any(|c| word_is(&t.token, c));
    // The end of an expression at the top level: before a word `stop` says ends it.
    let expression_end = |from: usize, stop: &dyn Fn(usize) -> bool| -> usize {
        let mut depth = 0usize;
        let mut i = from;
        while i < rest.len() {
            match rest[i].token {
                Token::LParen | Token::LBracket => depth += 1,
                Token::RParen | Token::RBracket => depth = depth.saturating_sub(1),
                _ if depth == 0 && stop(i) => return i,
                _ => {}
            }
            i += 1;
        }
        rest.len()
    };
    let path_end = expression_end(0, &|i| is_clause(&rest[i]));
    let path = &rest[..path_end];
    let mut options: Vec<String> = Vec::new();
    let mut passing: Vec<(String, Vec<TokenWithSpan>, bool)> = Vec::new();
    let mut returning: Vec<TokenWithSpan> = Vec::new();
    let mut defaults: [Vec<TokenWithSpan>; 2] = [Vec::new(), Vec::new()];
    let word = |i: usize, w: &str| rest.get(i).is_some_and(|t| word_is(&t.token, w));
    let mut i = path_end;
    while i < rest.len() {
        if word(i, "passing") {
            i += 1;
            loop {
                let end = expression_end(i, &|k| word(k, "as"));
                let (value, format) = value_format(&rest[i..end]);
                let var = rest.get(end + 1).map(|t| match &t.token {
                    Token::Word(w) => w.value.clone(),
                    other => other.to_string(),
                });
                passing.push((var.unwrap_or_default(), value.to_vec(), format > 0));
                i = end + 2;
                if rest.get(i).is_some_and(|t| t.token == Token::Comma) {
                    i += 1;
                } else {
                    break;
                }
            }
        } else if word(i, "returning") {
            let end = expression_end(i + 1, &|k| is_clause(&rest[k]) || word(k, "format"));
            returning = rest[i + 1..end].to_vec();
            i = end;
            // `FORMAT JSON [ENCODING e]` of json_query's result: JSON text either way.
            if word(i, "format") {
                i += 2;
                if word(i, "encoding") {
                    i += 2;
                }
            }
        } else if word(i, "default") {
            let end = expression_end(i + 1, &|k| {
                word(k, "on") && (word(k + 1, "empty") || word(k + 1, "error"))
            });
            let slot = usize::from(word(end + 1, "error"));
            defaults[slot] = rest[i + 1..end].to_vec();
            options.push(format!("DEFAULT ON {}", if slot == 1 { "ERROR" } else { "EMPTY" }));
            i = end + 2;
        } else {
            // Plain words up to the end of the clause: `WITH CONDITIONAL ARRAY
            // WRAPPER`, `OMIT QUOTES ON SCALAR STRING`, `EMPTY ARRAY ON ERROR`.
            let start = i;
            while i < rest.len() && matches!(rest[i].token, Token::Word(_)) {
                let ends = word(i, "wrapper")
                    || (word(i, "string") && word(i.saturating_sub(1), "scalar"))
                    || ((word(i, "empty") || word(i, "error")) && word(i.saturating_sub(1), "on"))
                    || (word(i, "quotes") && !word(i + 1, "on"));
                i += 1;
                if ends {
                    break;
                }
            }
            if i == start {
                // Not a clause: left for the parser to refuse where it is.
                options.push(rest[i].token.to_string());
                i += 1;
                continue;
            }
            let clause: Vec<String> = rest[start..i]
                .iter()
                .map(|t| t.token.to_string().to_uppercase())
                .collect();
            options.push(clause.join(" "));
        }
    }
    let mut out = Vec::new();
    let cast = function == "json_value" && !returning.is_empty();
    if cast {
        out.push(at(Token::make_keyword("CAST")));
        out.push(at(Token::LParen));
    }
    out.push(at(Token::make_word(&format!("trino_{function}"), None)));
    out.push(at(Token::LParen));
    out.push(at(Token::SingleQuotedString(options.join(";"))));
    out.push(at(Token::Comma));
    out.extend(input.iter().cloned());
    out.push(at(Token::Comma));
    out.extend(path.iter().cloned());
    if function == "json_value" {
        for d in &defaults {
            out.push(at(Token::Comma));
            if d.is_empty() {
                out.push(at(Token::make_keyword("NULL")));
            } else {
                // A DEFAULT is a value of the result type: compared as text.
                out.push(at(Token::make_keyword("CAST")));
                out.push(at(Token::LParen));
                out.extend(d.iter().cloned());
                out.push(at(Token::make_keyword("AS")));
                out.push(at(Token::make_keyword("VARCHAR")));
                out.push(at(Token::RParen));
            }
        }
    }
    for (var, value, json) in passing {
        out.push(at(Token::Comma));
        out.push(at(Token::SingleQuotedString(var)));
        out.push(at(Token::Comma));
        if json {
            out.extend(value);
        } else {
            out.push(at(Token::make_word("trino_to_json", None)));
            out.push(at(Token::LParen));
            out.extend(value);
            out.push(at(Token::RParen));
        }
    }
    out.push(at(Token::RParen));
    if cast {
        out.push(at(Token::make_keyword("AS")));
        out.extend(returning);
        out.push(at(Token::RParen));
    }
    out
}

/// `KEY k VALUE v`, `k VALUE v` or `k : v`, split at the top level.
fn split_key_value(item: &[TokenWithSpan]) -> (&[TokenWithSpan], &[TokenWithSpan]) {
    let item = match item.first() {
        Some(t) if word_is(&t.token, "key") && item.len() > 1 => &item[1..],
        _ => item,
    };
    let mut depth = 0usize;
    for (i, t) in item.iter().enumerate() {
        match t.token {
            Token::LParen | Token::LBracket => depth += 1,
            Token::RParen | Token::RBracket => depth = depth.saturating_sub(1),
            Token::Colon if depth == 0 => return (&item[..i], &item[i + 1..]),
            _ if depth == 0 && word_is(&t.token, "value") => return (&item[..i], &item[i + 1..]),
            _ => {}
        }
    }
    (item, &item[item.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewritten(sql: &str) -> String {
        let dialect = TrinoDialect::default();
        let tokens = Tokenizer::new(&dialect, sql).tokenize_with_location().unwrap();
        values_subqueries(bare_values(tokens))
            .iter()
            .map(|t| t.token.to_string())
            .collect()
    }

    #[test]
    fn json_constructors_become_plain_calls() {
        let dialect = TrinoDialect::default();
        let shown = |sql: &str| -> String {
            let tokens = Tokenizer::new(&dialect, sql).tokenize_with_location().unwrap();
            json_constructors(tokens).iter().map(|t| t.token.to_string()).collect()
        };
        assert_eq!(
            shown(
                "SELECT json_object(KEY 'a' VALUE 1, 'b' : json_array(x FORMAT JSON, 2 NULL ON NULL) WITH UNIQUE KEYS)"
            ),
            "SELECT trino_json_object('WITH UNIQUE KEYS','a',1,0,'b',trino_json_array('NULL ON NULL',x,1,2,0),0)"
        );
        assert_eq!(shown("SELECT json_array()"), "SELECT trino_json_array('')");
    }

    #[test]
    fn cast_types_take_angle_brackets() {
        let dialect = TrinoDialect::default();
        let shown = |sql: &str| -> String {
            let tokens = Tokenizer::new(&dialect, sql).tokenize_with_location().unwrap();
            cast_types(tokens).iter().map(|t| t.token.to_string()).collect()
        };
        assert_eq!(
            shown(
                "SELECT CAST(x AS ARRAY(ARRAY(decimal(10, 2)))), TRY_CAST(y AS ROW(a integer, b ARRAY(varchar))), array_max(ARRAY[1])"
            ),
            "SELECT CAST(x AS ARRAY<ARRAY<decimal(10, 2)>>), TRY_CAST(y AS STRUCT<a integer, b ARRAY<varchar>>), array_max(ARRAY[1])"
        );
        assert_eq!(
            shown("SELECT CAST(ROW(1, 2) AS ROW(a int, b int))"),
            "SELECT CAST(ROW(1, 2) AS STRUCT<a int, b int>)"
        );
    }

    #[test]
    fn bare_values_become_rows_of_one() {
        assert_eq!(rewritten("VALUES 1, 2, 3"), "VALUES (1), (2), (3)");
        assert_eq!(
            rewritten("SELECT * FROM (VALUES 1, f(2, 3), ARRAY[4, 5]) AS t(x)"),
            "SELECT * FROM (VALUES (1), (f(2, 3)), (ARRAY[4, 5])) AS t(x)"
        );
        assert_eq!(rewritten("VALUES (1, 2), (3, 4)"), "VALUES (1, 2), (3, 4)");
        assert_eq!(
            rewritten("SELECT 'a' = ANY (VALUES 'a', 'b'), 2 IN ( VALUES (1), (2))"),
            "SELECT 'a' = ANY (SELECT * FROM (VALUES ('a'), ('b'))), 2 IN ( SELECT * FROM (VALUES (1), (2)))"
        );
        assert_eq!(
            rewritten("VALUES 'a' UNION ALL VALUES 'b'"),
            "VALUES ('a') UNION ALL VALUES ('b')"
        );
    }
}
