//! Trino grammar that sqlparser's cannot take, rewritten in the token
//! stream before parsing (each added token carries the position of the one
//! it stands by, so errors still point into the text as written):
//! `VALUES 1, 2, 3` is rows of one value each, `VALUES (1), (2), (3)`.

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
    DFParserBuilder::new(bare_values(tokens))
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

/// Closes an item right after its last token, before any blanks.
fn close(out: &mut Vec<TokenWithSpan>, at: &TokenWithSpan) {
    let end = out
        .iter()
        .rposition(|t| !is_blank(&t.token))
        .map_or(out.len(), |p| p + 1);
    out.insert(end, token_at(Token::RParen, at));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewritten(sql: &str) -> String {
        let dialect = TrinoDialect::default();
        let tokens = Tokenizer::new(&dialect, sql).tokenize_with_location().unwrap();
        bare_values(tokens).iter().map(|t| t.token.to_string()).collect()
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
            rewritten("VALUES 'a' UNION ALL VALUES 'b'"),
            "VALUES ('a') UNION ALL VALUES ('b')"
        );
    }
}
