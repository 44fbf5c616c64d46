//! Trino's EXPLAIN options, `EXPLAIN [ANALYZE] (TYPE t, FORMAT f) query`,
//! which DataFusion's parser does not take: the option list is read here and
//! blanked out of the text (so positions in errors stay those of the text
//! as written), `FORMAT GRAPHVIZ` and `FORMAT JSON` become DataFusion's own
//! `FORMAT graphviz` / `FORMAT pgjson` in the same place, and `TYPE
//! VALIDATE` is answered after planning: a boolean column `Valid`.

/// What an EXPLAIN with options asks for.
#[derive(Debug, PartialEq, Eq)]
pub struct Explain {
    /// The statement without the option list, same length as written.
    pub sql: String,
    /// `TYPE VALIDATE`: plan the query, answer whether it is valid.
    pub validate: bool,
}

/// A refused option list, in the parser's words, with its 1-based column
/// on the first line the options start on.
#[derive(Debug, PartialEq, Eq)]
pub struct OptionError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Skips blanks and comments from byte `at`.
fn skip_blank(sql: &str, mut at: usize) -> usize {
    loop {
        let rest = &sql[at..];
        let trimmed = rest.trim_start();
        at += rest.len() - trimmed.len();
        if let Some(r) = trimmed.strip_prefix("--") {
            at += 2 + r.find('\n').unwrap_or(r.len());
        } else if let Some(r) = trimmed.strip_prefix("/*") {
            at += 2 + r.find("*/").map_or(r.len(), |e| e + 2);
        } else {
            return at;
        }
    }
}

/// The word at byte `at` (letters, digits, `_`), if any.
fn word_at(sql: &str, at: usize) -> &str {
    let rest = &sql[at..];
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    &rest[..end]
}

fn error_at(sql: &str, at: usize, message: String) -> OptionError {
    let (line, column) = crate::errors::line_and_column(sql, at);
    OptionError { line, column, message }
}

/// `Ok(None)` when `sql` is not an EXPLAIN with an option list.
pub fn options(sql: &str) -> Result<Option<Explain>, OptionError> {
    let mut at = skip_blank(sql, 0);
    if !word_at(sql, at).eq_ignore_ascii_case("explain") {
        return Ok(None);
    }
    at = skip_blank(sql, at + "explain".len());
    let analyze = word_at(sql, at).eq_ignore_ascii_case("analyze");
    if analyze {
        at = skip_blank(sql, at + "analyze".len());
    }
    if !sql[at..].starts_with('(') {
        return Ok(None);
    }
    // `EXPLAIN (SELECT ...)` is a parenthesised query, not options.
    let first = skip_blank(sql, at + 1);
    let first_word = word_at(sql, first);
    if !first_word.eq_ignore_ascii_case("type") && !first_word.eq_ignore_ascii_case("format") {
        return Ok(None);
    }
    let open = at;
    let Some(close) = sql[open..].find(')').map(|p| p + open) else {
        return Err(error_at(
            sql,
            sql.len(),
            "mismatched input '<EOF>'. Expecting: ')', ','".into(),
        ));
    };
    let mut format: Option<&str> = None;
    let mut validate = false;
    let mut pos = open + 1;
    loop {
        pos = skip_blank(sql, pos);
        let name = word_at(sql, pos);
        let value_at = skip_blank(sql, pos + name.len());
        let value = word_at(sql, value_at);
        match (name.to_ascii_uppercase().as_str(), value.to_ascii_uppercase().as_str()) {
            ("TYPE", _) if analyze => {
                return Err(error_at(
                    sql,
                    pos,
                    format!("mismatched input '{name}'. Expecting: 'FORMAT'"),
                ));
            }
            ("TYPE", "LOGICAL" | "DISTRIBUTED") => {}
            ("TYPE", "VALIDATE") => validate = true,
            ("TYPE", "IO") => {
                return Err(error_at(
                    sql,
                    value_at,
                    "EXPLAIN (TYPE IO) is supported only in Athena engine version 2".into(),
                ));
            }
            ("FORMAT", "TEXT") => format = None,
            ("FORMAT", "GRAPHVIZ") if !analyze => format = Some("graphviz"),
            ("FORMAT", "JSON") => format = Some("pgjson"),
            ("TYPE" | "FORMAT", _) => {
                return Err(error_at(sql, value_at, format!("mismatched input '{value}'")));
            }
            _ => {
                return Err(error_at(
                    sql,
                    pos,
                    format!("mismatched input '{name}'. Expecting: 'FORMAT', 'TYPE'"),
                ));
            }
        }
        pos = skip_blank(sql, value_at + value.len());
        match sql.as_bytes().get(pos) {
            Some(b',') => pos += 1,
            Some(b')') if pos == close => break,
            _ => return Err(error_at(sql, pos, "mismatched input. Expecting: ')', ','".into())),
        }
    }
    // The option list's bytes become blanks, or DataFusion's FORMAT clause
    // padded with blanks: the same length, so later positions hold.
    let span = close + 1 - open;
    let replacement = match format {
        Some(f) if !validate => {
            // `(FORMAT JSON)` is as long as `FORMAT pgjson`, the shortest list.
            format!("{:span$}", format!("FORMAT {f}"))
        }
        _ => " ".repeat(span),
    };
    let mut out = String::with_capacity(sql.len() + 1);
    out.push_str(&sql[..open]);
    out.push_str(&replacement);
    out.push_str(&sql[close + 1..]);
    Ok(Some(Explain { sql: out, validate }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewritten(sql: &str) -> (String, bool) {
        let e = options(sql).unwrap().unwrap();
        (e.sql, e.validate)
    }

    #[test]
    fn option_lists_are_blanked_or_become_datafusion_formats() {
        assert_eq!(options("SELECT 1").unwrap(), None);
        assert_eq!(options("EXPLAIN SELECT 1").unwrap(), None);
        assert_eq!(options("EXPLAIN (SELECT 1)").unwrap(), None);
        assert_eq!(
            rewritten("EXPLAIN (TYPE DISTRIBUTED) SELECT 1"),
            ("EXPLAIN                    SELECT 1".into(), false)
        );
        assert_eq!(
            rewritten("explain (type validate, format text) SELECT x"),
            ("explain                              SELECT x".into(), true)
        );
        assert_eq!(
            rewritten("EXPLAIN (FORMAT JSON) SELECT 1"),
            ("EXPLAIN FORMAT pgjson SELECT 1".into(), false)
        );
        assert_eq!(
            rewritten("EXPLAIN ANALYZE (FORMAT JSON) SELECT 1"),
            ("EXPLAIN ANALYZE FORMAT pgjson SELECT 1".into(), false)
        );
    }

    #[test]
    fn bad_options_are_refused_where_they_are() {
        let e = options("EXPLAIN (TYPE FANCY) SELECT 1").unwrap_err();
        assert_eq!((e.line, e.column), (1, 15));
        let e = options("EXPLAIN ANALYZE (TYPE LOGICAL) SELECT 1").unwrap_err();
        assert_eq!(e.message, "mismatched input 'TYPE'. Expecting: 'FORMAT'");
        assert!(options("EXPLAIN (TYPE IO) SELECT 1").is_err());
        assert!(options("EXPLAIN (FORMAT JSON SELECT 1").is_err());
    }
}
