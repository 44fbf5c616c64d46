//! The predicate language of the Glue `GetPartitions` `Expression` parameter.
//!
//! Glue documents the filter as "SQL syntax similar to the SQL WHERE filter
//! clause" (it runs `JSQLParser` on it): comparisons (`=`, `<>`, `!=`, `<`, `<=`,
//! `>`, `>=`), `[NOT] BETWEEN`, `[NOT] IN`, `[NOT] LIKE`, `IS [NOT] NULL`,
//! combined with `AND`, `OR`, `NOT` and parentheses. Comparisons follow the
//! declared type of the partition key (string, char, varchar, date, timestamp,
//! tinyint, smallint, int, bigint, long, decimal; float and double as well),
//! and an expression that touches a key of any other type is refused, as Glue
//! refuses it.
//!
//! Work is split in two so that a listing over a large table stays cheap:
//! [`parse`] checks syntax once, [`Expr::bind`] resolves column names to key
//! positions and converts every literal to the key's type, and
//! [`BoundExpr::matches`] then runs per partition without allocating.
//!
//! Evaluation uses SQL's three-valued logic: a missing value is NULL, and a
//! value that cannot be read as the key's type (say `abc` under an `int` key)
//! makes its comparison unknown. Unknown never selects a partition, not even
//! under `NOT`, so such partitions are simply never returned by a typed test.

use std::cmp::Ordering;
use std::fmt;

use lakestack_compat::civil;

// ---------------------------------------------------------------------------
// Parsed form
// ---------------------------------------------------------------------------

/// A parsed Glue partition predicate.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    root: Node,
}

#[derive(Debug, Clone, PartialEq)]
enum Node {
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
    Pred { column: String, test: PredTest },
}

#[derive(Debug, Clone, PartialEq)]
enum PredTest {
    Cmp(CmpOp, Lit),
    Between(Lit, Lit),
    In(Vec<Lit>),
    Like(LikePattern),
    IsNull,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    /// The operator that keeps the meaning when the operands swap sides,
    /// so `2020 < year` can be stored as `year > 2020`.
    fn flipped(self) -> CmpOp {
        match self {
            CmpOp::Eq => CmpOp::Eq,
            CmpOp::Ne => CmpOp::Ne,
            CmpOp::Lt => CmpOp::Gt,
            CmpOp::Le => CmpOp::Ge,
            CmpOp::Gt => CmpOp::Lt,
            CmpOp::Ge => CmpOp::Le,
        }
    }

    fn holds(self, o: Ordering) -> bool {
        match self {
            CmpOp::Eq => o == Ordering::Equal,
            CmpOp::Ne => o != Ordering::Equal,
            CmpOp::Lt => o == Ordering::Less,
            CmpOp::Le => o != Ordering::Greater,
            CmpOp::Gt => o == Ordering::Greater,
            CmpOp::Ge => o != Ordering::Less,
        }
    }
}

/// A literal as written. Its text is kept verbatim because its meaning
/// depends on the key it is compared with, which is only known at bind time.
#[derive(Debug, Clone, PartialEq)]
struct Lit {
    kind: LitKind,
    text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LitKind {
    /// `'text'` or `"text"`.
    Str,
    /// An unquoted number.
    Num,
    /// `DATE '2024-01-05'` or an unquoted `2024-01-05`.
    Date,
    /// `TIMESTAMP '2024-01-05 10:00:00'`.
    Timestamp,
}

impl fmt::Display for Lit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let quoted = self.text.replace('\'', "''");
        match self.kind {
            LitKind::Str => write!(f, "'{quoted}'"),
            LitKind::Num => f.write_str(&self.text),
            LitKind::Date => write!(f, "DATE '{quoted}'"),
            LitKind::Timestamp => write!(f, "TIMESTAMP '{quoted}'"),
        }
    }
}

// ---------------------------------------------------------------------------
// Lexer
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    /// A bare word: a keyword or an unquoted column name.
    Word(String),
    /// `` `name` ``: always a column, even if it spells a keyword.
    QuotedIdent(String),
    /// `"text"`: Glue documents it as a string literal, but `JSQLParser` and
    /// most SQL users read it as a quoted column name, so the parser decides
    /// from where it stands.
    DoubleQuoted(String),
    Str(String),
    Num(String),
    BareDate(String),
    Op(CmpOp),
    LParen,
    RParen,
    Comma,
    Eof,
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    /// Byte range in the input, for quoting the token in messages.
    start: usize,
    end: usize,
    /// 1-based character position, for telling the user where.
    col: usize,
}

const KEYWORDS: &[&str] = &["AND", "OR", "NOT", "IN", "BETWEEN", "LIKE", "IS", "NULL", "ESCAPE"];

fn is_keyword(word: &str) -> bool {
    KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(word))
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

fn syntax_error(input: &str, col: usize, detail: &str) -> String {
    format!("Unsupported expression '{input}': {detail} at position {col}")
}

fn lex(input: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<(usize, char)> = input.char_indices().collect();
    let byte_at = |k: usize| chars.get(k).map_or(input.len(), |&(b, _)| b);
    let char_at = |k: usize| chars.get(k).map(|&(_, c)| c);
    let mut toks = Vec::new();
    let mut k = 0;
    while let Some(c) = char_at(k) {
        if c.is_whitespace() {
            k += 1;
            continue;
        }
        let begin = k;
        let tok = match c {
            '(' => {
                k += 1;
                Tok::LParen
            }
            ')' => {
                k += 1;
                Tok::RParen
            }
            ',' => {
                k += 1;
                Tok::Comma
            }
            '=' => {
                k += 1;
                Tok::Op(CmpOp::Eq)
            }
            '<' => match char_at(k + 1) {
                Some('=') => {
                    k += 2;
                    Tok::Op(CmpOp::Le)
                }
                Some('>') => {
                    k += 2;
                    Tok::Op(CmpOp::Ne)
                }
                _ => {
                    k += 1;
                    Tok::Op(CmpOp::Lt)
                }
            },
            '>' => {
                if char_at(k + 1) == Some('=') {
                    k += 2;
                    Tok::Op(CmpOp::Ge)
                } else {
                    k += 1;
                    Tok::Op(CmpOp::Gt)
                }
            }
            '!' if char_at(k + 1) == Some('=') => {
                k += 2;
                Tok::Op(CmpOp::Ne)
            }
            '\'' | '"' | '`' => {
                let (text, next) = lex_quoted(&chars, k, c).ok_or_else(|| {
                    let what = match c {
                        '\'' => "unterminated string literal",
                        '"' => "unterminated double-quoted text",
                        _ => "unterminated back-quoted name",
                    };
                    syntax_error(input, begin + 1, what)
                })?;
                k = next;
                match c {
                    '\'' => Tok::Str(text),
                    '"' => Tok::DoubleQuoted(text),
                    _ => Tok::QuotedIdent(text),
                }
            }
            c if c.is_ascii_digit() || ((c == '.' || c == '-' || c == '+') && starts_number(&chars, k)) => {
                if let Some(next) = bare_date_end(&chars, k) {
                    k = next;
                    Tok::BareDate(input[byte_at(begin)..byte_at(k)].to_string())
                } else {
                    k = number_end(&chars, k);
                    if char_at(k).is_some_and(|c| is_ident_char(c) || c == '.') {
                        return Err(syntax_error(
                            input,
                            begin + 1,
                            &format!("malformed number '{}'", &input[byte_at(begin)..byte_at(k + 1)]),
                        ));
                    }
                    Tok::Num(input[byte_at(begin)..byte_at(k)].to_string())
                }
            }
            c if is_ident_start(c) => {
                while char_at(k).is_some_and(is_ident_char) {
                    k += 1;
                }
                Tok::Word(input[byte_at(begin)..byte_at(k)].to_string())
            }
            other => {
                return Err(syntax_error(
                    input,
                    begin + 1,
                    &format!("unexpected character '{other}'"),
                ));
            }
        };
        toks.push(Token {
            tok,
            start: byte_at(begin),
            end: byte_at(k),
            col: begin + 1,
        });
    }
    toks.push(Token {
        tok: Tok::Eof,
        start: input.len(),
        end: input.len(),
        col: chars.len() + 1,
    });
    Ok(toks)
}

/// Reads a quoted run starting at `open`, where a doubled quote stands for
/// one quote character. Returns the text and the index after the closing quote.
fn lex_quoted(chars: &[(usize, char)], open: usize, quote: char) -> Option<(String, usize)> {
    let mut text = String::new();
    let mut k = open + 1;
    loop {
        let &(_, c) = chars.get(k)?;
        if c == quote {
            if chars.get(k + 1).map(|&(_, c)| c) == Some(quote) {
                text.push(quote);
                k += 2;
                continue;
            }
            return Some((text, k + 1));
        }
        text.push(c);
        k += 1;
    }
}

fn digit_at(chars: &[(usize, char)], k: usize) -> bool {
    chars.get(k).is_some_and(|&(_, c)| c.is_ascii_digit())
}

/// The language has no arithmetic, so a sign or a dot can only begin a number.
fn starts_number(chars: &[(usize, char)], k: usize) -> bool {
    let mut k = k;
    if chars.get(k).is_some_and(|&(_, c)| c == '-' || c == '+') {
        k += 1;
    }
    if chars.get(k).is_some_and(|&(_, c)| c == '.') {
        k += 1;
    }
    digit_at(chars, k)
}

fn number_end(chars: &[(usize, char)], mut k: usize) -> usize {
    let is = |k: usize, want: char| chars.get(k).is_some_and(|&(_, c)| c == want);
    if is(k, '-') || is(k, '+') {
        k += 1;
    }
    while digit_at(chars, k) {
        k += 1;
    }
    if is(k, '.') {
        k += 1;
        while digit_at(chars, k) {
            k += 1;
        }
    }
    if is(k, 'e') || is(k, 'E') {
        let mut e = k + 1;
        if is(e, '-') || is(e, '+') {
            e += 1;
        }
        if digit_at(chars, e) {
            while digit_at(chars, e) {
                e += 1;
            }
            k = e;
        }
    }
    k
}

/// Recognises an unquoted `yyyy-m(m)-d(d)`. Without arithmetic in the
/// language it cannot mean anything else, and people do write dates that way.
fn bare_date_end(chars: &[(usize, char)], k: usize) -> Option<usize> {
    let run = |from: usize| (from..chars.len()).take_while(|&j| digit_at(chars, j)).count();
    let dash = |j: usize| chars.get(j).is_some_and(|&(_, c)| c == '-');
    if run(k) != 4 || !dash(k + 4) {
        return None;
    }
    let m = run(k + 5);
    if !(1..=2).contains(&m) || !dash(k + 5 + m) {
        return None;
    }
    let d = run(k + 6 + m);
    if !(1..=2).contains(&d) {
        return None;
    }
    let end = k + 6 + m + d;
    if chars
        .get(end)
        .is_some_and(|&(_, c)| is_ident_char(c) || c == '.' || c == '-')
    {
        return None;
    }
    Some(end)
}

// ---------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------

/// One side of a comparison before we know which side is the column.
enum Operand {
    Column(String),
    /// `"text"`: a column on the left of a comparison, a string elsewhere.
    DoubleQuoted(String),
    Lit(Lit),
}

struct Parser<'a> {
    input: &'a str,
    toks: Vec<Token>,
    pos: usize,
    /// How many `NOT`s and parentheses enclose the token at `pos`.
    depth: usize,
}

/// How deeply `NOT`s and parentheses may nest. The parser, binding, evaluation
/// and drop all recurse once per level, so without a bound a 20 KB run of
/// `NOT`s overflows the stack and aborts the process. Glue caps an expression
/// at 2,048 characters, which still leaves room for ~500 levels; no real
/// filter comes near 100.
pub const MAX_DEPTH: usize = 100;

/// Parses an expression. Err carries a message suitable for `InvalidInputException`
/// (say what is wrong and where, e.g. the offending token).
///
/// # Errors
/// A lexical or syntax error, naming the offending token and its 1-based
/// character position.
pub fn parse(input: &str) -> Result<Expr, String> {
    let toks = lex(input)?;
    if toks.len() == 1 {
        return Err(format!("Unsupported expression '{input}': the expression is empty"));
    }
    let mut p = Parser {
        input,
        toks,
        pos: 0,
        depth: 0,
    };
    let root = p.parse_or()?;
    if p.peek().tok != Tok::Eof {
        return Err(p.unexpected("AND, OR or the end of the expression"));
    }
    Ok(Expr { root })
}

impl Parser<'_> {
    fn peek(&self) -> &Token {
        self.peek_at(0)
    }

    fn peek_at(&self, ahead: usize) -> &Token {
        // The token list always ends with Eof, so clamping to it is correct.
        let last = self.toks.len() - 1;
        &self.toks[(self.pos + ahead).min(last)]
    }

    fn advance(&mut self) -> Token {
        let t = self.peek().clone();
        if self.pos < self.toks.len() - 1 {
            self.pos += 1;
        }
        t
    }

    fn at_keyword(&self, kw: &str) -> bool {
        matches!(&self.peek().tok, Tok::Word(w) if w.eq_ignore_ascii_case(kw))
    }

    fn eat_keyword(&mut self, kw: &str) -> bool {
        let hit = self.at_keyword(kw);
        if hit {
            self.advance();
        }
        hit
    }

    fn describe(&self, t: &Token) -> String {
        if t.tok == Tok::Eof {
            "the end of the expression".to_string()
        } else {
            format!("'{}'", &self.input[t.start..t.end])
        }
    }

    fn unexpected(&self, expected: &str) -> String {
        let t = self.peek();
        syntax_error(
            self.input,
            t.col,
            &format!("expected {expected} but found {}", self.describe(t)),
        )
    }

    fn error_at(&self, t: &Token, detail: &str) -> String {
        syntax_error(self.input, t.col, detail)
    }

    fn expect_rparen(&mut self, open: &Token) -> Result<(), String> {
        if self.peek().tok == Tok::RParen {
            self.advance();
            Ok(())
        } else {
            Err(self.unexpected(&format!("')' to close the '(' at position {}", open.col)))
        }
    }

    /// Enters one more level of nesting at the current token, refusing past [`MAX_DEPTH`].
    fn descend(&mut self) -> Result<(), String> {
        if self.depth == MAX_DEPTH {
            let t = self.peek();
            return Err(syntax_error(
                self.input,
                t.col,
                &format!("NOT and parentheses nest more than {MAX_DEPTH} levels deep"),
            ));
        }
        self.depth += 1;
        Ok(())
    }

    fn parse_or(&mut self) -> Result<Node, String> {
        let mut items = vec![self.parse_and()?];
        while self.eat_keyword("OR") {
            items.push(self.parse_and()?);
        }
        Ok(if items.len() == 1 {
            items.swap_remove(0)
        } else {
            Node::Or(items)
        })
    }

    fn parse_and(&mut self) -> Result<Node, String> {
        let mut items = vec![self.parse_not()?];
        while self.eat_keyword("AND") {
            items.push(self.parse_not()?);
        }
        Ok(if items.len() == 1 {
            items.swap_remove(0)
        } else {
            Node::And(items)
        })
    }

    fn parse_not(&mut self) -> Result<Node, String> {
        if self.at_keyword("NOT") {
            self.descend()?;
            self.advance();
            let inner = self.parse_not()?;
            self.depth -= 1;
            return Ok(Node::Not(Box::new(inner)));
        }
        self.parse_primary()
    }

    fn parse_primary(&mut self) -> Result<Node, String> {
        if self.peek().tok == Tok::LParen && !self.parens_wrap_operand() {
            self.descend()?;
            let open = self.advance();
            let inner = self.parse_or()?;
            self.expect_rparen(&open)?;
            self.depth -= 1;
            return Ok(inner);
        }
        self.parse_predicate()
    }

    /// `(year) = 2020` is legal SQL; a parenthesised lone name or value can
    /// never be a boolean group, so seeing one tells the two apart.
    fn parens_wrap_operand(&self) -> bool {
        let mut ahead = 0;
        while self.peek_at(ahead).tok == Tok::LParen {
            ahead += 1;
        }
        let atom = match &self.peek_at(ahead).tok {
            Tok::Word(w) => !is_keyword(w),
            Tok::QuotedIdent(_) | Tok::DoubleQuoted(_) | Tok::Str(_) | Tok::Num(_) | Tok::BareDate(_) => true,
            _ => false,
        };
        atom && self.peek_at(ahead + 1).tok == Tok::RParen
    }

    fn parse_operand(&mut self) -> Result<Operand, String> {
        let t = self.peek().clone();
        match t.tok {
            Tok::LParen => {
                self.descend()?;
                self.advance();
                let inner = self.parse_operand()?;
                self.expect_rparen(&t)?;
                self.depth -= 1;
                Ok(inner)
            }
            Tok::Word(ref w) if w.eq_ignore_ascii_case("NULL") => {
                Err(self.error_at(&t, "comparing with NULL is never true; use IS NULL or IS NOT NULL"))
            }
            Tok::Word(ref w) if is_keyword(w) => Err(self.unexpected("a partition key or a value")),
            Tok::Word(ref w)
                if (w.eq_ignore_ascii_case("DATE") || w.eq_ignore_ascii_case("TIMESTAMP"))
                    && matches!(self.peek_at(1).tok, Tok::Str(_)) =>
            {
                self.advance();
                let lit_tok = self.advance();
                let Tok::Str(text) = lit_tok.tok.clone() else {
                    return Err(self.error_at(&lit_tok, "expected a quoted value"));
                };
                if w.eq_ignore_ascii_case("DATE") {
                    if parse_date(&text).is_none() {
                        return Err(self.error_at(
                            &lit_tok,
                            &format!("'{text}' is not a valid DATE literal (expected yyyy-MM-dd)"),
                        ));
                    }
                    Ok(Operand::Lit(Lit {
                        kind: LitKind::Date,
                        text,
                    }))
                } else {
                    if parse_timestamp(&text).is_none() {
                        return Err(self.error_at(
                            &lit_tok,
                            &format!(
                                "'{text}' is not a valid TIMESTAMP literal \
                                 (expected yyyy-MM-dd HH:mm:ss[.fffffffff])"
                            ),
                        ));
                    }
                    Ok(Operand::Lit(Lit {
                        kind: LitKind::Timestamp,
                        text,
                    }))
                }
            }
            Tok::Word(w) | Tok::QuotedIdent(w) => {
                self.advance();
                Ok(Operand::Column(w))
            }
            Tok::DoubleQuoted(s) => {
                self.advance();
                Ok(Operand::DoubleQuoted(s))
            }
            Tok::Str(text) => {
                self.advance();
                Ok(Operand::Lit(Lit {
                    kind: LitKind::Str,
                    text,
                }))
            }
            Tok::Num(text) => {
                self.advance();
                Ok(Operand::Lit(Lit {
                    kind: LitKind::Num,
                    text,
                }))
            }
            Tok::BareDate(ref text) => {
                if parse_date(text).is_none() {
                    return Err(self.error_at(&t, &format!("'{text}' is not a valid date")));
                }
                self.advance();
                Ok(Operand::Lit(Lit {
                    kind: LitKind::Date,
                    text: text.clone(),
                }))
            }
            _ => Err(self.unexpected("a partition key or a value")),
        }
    }

    /// Fails early, with `expected` in the message, when the next token
    /// cannot begin an operand; parse_operand's own message is less specific.
    fn expect_operand_start(&self, expected: &str) -> Result<(), String> {
        match &self.peek().tok {
            Tok::Word(w) if is_keyword(w) && !w.eq_ignore_ascii_case("NULL") => Err(self.unexpected(expected)),
            Tok::Word(_)
            | Tok::QuotedIdent(_)
            | Tok::DoubleQuoted(_)
            | Tok::Str(_)
            | Tok::Num(_)
            | Tok::BareDate(_)
            | Tok::LParen => Ok(()),
            _ => Err(self.unexpected(expected)),
        }
    }

    /// A value position: a bare word here is almost always a string the user
    /// forgot to quote, so the message says so.
    fn parse_literal(&mut self) -> Result<Lit, String> {
        self.expect_operand_start("a value")?;
        let t = self.peek().clone();
        match self.parse_operand()? {
            Operand::Lit(l) => Ok(l),
            Operand::DoubleQuoted(text) => Ok(Lit {
                kind: LitKind::Str,
                text,
            }),
            Operand::Column(name) => Err(self.error_at(
                &t,
                &format!(
                    "expected a value but found the name '{name}' \
                     (quote string values with single quotes: '{name}')"
                ),
            )),
        }
    }

    fn parse_predicate(&mut self) -> Result<Node, String> {
        let left_tok = self.peek().clone();
        let left = self.parse_operand()?;

        if let Tok::Op(op) = self.peek().tok {
            self.advance();
            // The Glue documentation prints the inequality as "< >".
            let op = if op == CmpOp::Lt && self.peek().tok == Tok::Op(CmpOp::Gt) {
                self.advance();
                CmpOp::Ne
            } else {
                op
            };
            if matches!(left, Operand::Lit(_)) {
                self.expect_operand_start("a partition key")?;
            } else {
                self.expect_operand_start("a value")?;
            }
            let right_tok = self.peek().clone();
            let right = self.parse_operand()?;
            return self.comparison(left, op, right, &left_tok, &right_tok);
        }

        let negated = self.at_keyword("NOT")
            && matches!(&self.peek_at(1).tok, Tok::Word(w)
                if ["BETWEEN", "IN", "LIKE"].iter().any(|k| k.eq_ignore_ascii_case(w)));
        if negated {
            self.advance();
        }
        let kw_tok = self.peek().clone();
        let keyword = match &kw_tok.tok {
            Tok::Word(w)
                if ["BETWEEN", "IN", "LIKE", "IS"]
                    .iter()
                    .any(|k| k.eq_ignore_ascii_case(w)) =>
            {
                w.to_ascii_uppercase()
            }
            _ => {
                return Err(self.unexpected("a comparison operator (=, <>, !=, <, <=, >, >=), BETWEEN, IN, LIKE or IS"));
            }
        };
        let column = match left {
            Operand::Column(name) | Operand::DoubleQuoted(name) => name,
            Operand::Lit(l) => {
                return Err(self.error_at(
                    &left_tok,
                    &format!("{keyword} must follow a partition key, not the value {l}"),
                ));
            }
        };
        self.advance();

        let test = match keyword.as_str() {
            "BETWEEN" => {
                let lo = self.parse_literal()?;
                if !self.eat_keyword("AND") {
                    return Err(self.unexpected("AND between the two BETWEEN bounds"));
                }
                let hi = self.parse_literal()?;
                PredTest::Between(lo, hi)
            }
            "IN" => {
                if self.peek().tok != Tok::LParen {
                    return Err(self.unexpected("'(' to open the IN list"));
                }
                let open = self.advance();
                let mut items = vec![self.parse_literal()?];
                while self.peek().tok == Tok::Comma {
                    self.advance();
                    items.push(self.parse_literal()?);
                }
                if self.peek().tok != Tok::RParen {
                    return Err(self.unexpected(&format!(
                        "',' or ')' to close the IN list opened at position {}",
                        open.col
                    )));
                }
                self.advance();
                PredTest::In(items)
            }
            "LIKE" => {
                let pat_tok = self.peek().clone();
                let pattern = self.parse_literal()?;
                if pattern.kind != LitKind::Str {
                    return Err(self.error_at(&pat_tok, "LIKE needs a quoted pattern such as '2024-%'"));
                }
                let mut escape = None;
                if self.eat_keyword("ESCAPE") {
                    let esc_tok = self.peek().clone();
                    let esc = self.parse_literal()?;
                    let mut cs = esc.text.chars();
                    match (esc.kind, cs.next(), cs.next()) {
                        (LitKind::Str, Some(c), None) => escape = Some(c),
                        _ => {
                            return Err(self.error_at(&esc_tok, "ESCAPE needs a single quoted character"));
                        }
                    }
                }
                let compiled = LikePattern::compile(&pattern.text, escape).map_err(|e| self.error_at(&pat_tok, &e))?;
                PredTest::Like(compiled)
            }
            _ => {
                let not_null = self.eat_keyword("NOT");
                if !self.eat_keyword("NULL") {
                    return Err(self.unexpected("NULL after IS"));
                }
                let node = Node::Pred {
                    column,
                    test: PredTest::IsNull,
                };
                return Ok(if not_null { Node::Not(Box::new(node)) } else { node });
            }
        };
        let node = Node::Pred { column, test };
        Ok(if negated { Node::Not(Box::new(node)) } else { node })
    }

    /// Puts the column on the left. Glue compares a key with a literal,
    /// never two keys or two literals.
    fn comparison(
        &self,
        left: Operand,
        op: CmpOp,
        right: Operand,
        left_tok: &Token,
        right_tok: &Token,
    ) -> Result<Node, String> {
        let (column, op, lit) = match (left, right) {
            (Operand::Column(c) | Operand::DoubleQuoted(c), Operand::Lit(l)) => (c, op, l),
            (Operand::Column(c) | Operand::DoubleQuoted(c), Operand::DoubleQuoted(s)) => (c, op, str_lit(s)),
            (Operand::Lit(l), Operand::Column(c) | Operand::DoubleQuoted(c)) => (c, op.flipped(), l),
            (Operand::DoubleQuoted(s), Operand::Column(c)) => (c, op.flipped(), str_lit(s)),
            (Operand::Column(a), Operand::Column(b)) => {
                return Err(self.error_at(
                    right_tok,
                    &format!(
                        "'{a}' is compared with '{b}', but a partition key can only be \
                         compared with a value (quote string values with single quotes: '{b}')"
                    ),
                ));
            }
            (Operand::Lit(a), Operand::Lit(b)) => {
                return Err(self.error_at(left_tok, &format!("the comparison {a} with {b} names no partition key")));
            }
        };
        Ok(Node::Pred {
            column,
            test: PredTest::Cmp(op, lit),
        })
    }
}

fn str_lit(text: String) -> Lit {
    Lit {
        kind: LitKind::Str,
        text,
    }
}

// ---------------------------------------------------------------------------
// LIKE patterns
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
struct LikePattern {
    toks: Vec<LikeTok>,
    shape: LikeShape,
}

/// Most real patterns are `x%`, `%x` or `%x%`; those map onto `str`
/// methods that are several times faster than the general matcher.
#[derive(Debug, Clone, PartialEq)]
enum LikeShape {
    Anything,
    Exact(String),
    Prefix(String),
    Suffix(String),
    Contains(String),
    General,
}

impl LikeShape {
    fn of(toks: &[LikeTok]) -> LikeShape {
        use LikeTok::{Lit, Many};
        match toks {
            [] => LikeShape::Exact(String::new()),
            [Many] => LikeShape::Anything,
            [Lit(l)] => LikeShape::Exact(l.clone()),
            [Lit(l), Many] => LikeShape::Prefix(l.clone()),
            [Many, Lit(l)] => LikeShape::Suffix(l.clone()),
            [Many, Lit(l), Many] => LikeShape::Contains(l.clone()),
            _ => LikeShape::General,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum LikeTok {
    Lit(String),
    /// `_`: exactly one character (not byte).
    One,
    /// `%`: any run of characters.
    Many,
}

impl LikePattern {
    fn compile(pattern: &str, escape: Option<char>) -> Result<LikePattern, String> {
        let mut toks = Vec::new();
        let mut lit = String::new();
        let mut chars = pattern.chars();
        while let Some(c) = chars.next() {
            if Some(c) == escape {
                match chars.next() {
                    Some(e) => lit.push(e),
                    None => {
                        return Err(format!("LIKE pattern '{pattern}' ends with its escape character"));
                    }
                }
                continue;
            }
            let wild = match c {
                '%' => LikeTok::Many,
                '_' => LikeTok::One,
                _ => {
                    lit.push(c);
                    continue;
                }
            };
            if !lit.is_empty() {
                toks.push(LikeTok::Lit(std::mem::take(&mut lit)));
            }
            // Runs of % mean the same as one and only cost backtracking.
            if !(wild == LikeTok::Many && toks.last() == Some(&LikeTok::Many)) {
                toks.push(wild);
            }
        }
        if !lit.is_empty() {
            toks.push(LikeTok::Lit(lit));
        }
        let shape = LikeShape::of(&toks);
        Ok(LikePattern { toks, shape })
    }

    fn matches(&self, s: &str) -> bool {
        match &self.shape {
            LikeShape::Anything => true,
            LikeShape::Exact(l) => s == l,
            LikeShape::Prefix(l) => s.starts_with(l.as_str()),
            LikeShape::Suffix(l) => s.ends_with(l.as_str()),
            LikeShape::Contains(l) => s.contains(l.as_str()),
            LikeShape::General => self.matches_general(s),
        }
    }

    /// Greedy matching that backtracks only to the most recent `%`, which is
    /// enough for `%`/`_` patterns and keeps the worst case at O(n·m).
    fn matches_general(&self, s: &str) -> bool {
        let toks = &self.toks;
        let mut t = 0;
        let mut i = 0;
        let mut resume: Option<(usize, usize)> = None;
        loop {
            if let Some(tok) = toks.get(t) {
                let advanced = match tok {
                    LikeTok::Many => {
                        if t + 1 == toks.len() {
                            return true;
                        }
                        resume = Some((t + 1, i));
                        t += 1;
                        continue;
                    }
                    LikeTok::One => match s[i..].chars().next() {
                        Some(c) => {
                            i += c.len_utf8();
                            true
                        }
                        None => false,
                    },
                    LikeTok::Lit(l) => {
                        if s[i..].starts_with(l.as_str()) {
                            i += l.len();
                            true
                        } else {
                            false
                        }
                    }
                };
                if advanced {
                    t += 1;
                    continue;
                }
            } else if i == s.len() {
                return true;
            }
            match resume {
                Some((rt, ri)) => match s[ri..].chars().next() {
                    Some(c) => {
                        let ni = ri + c.len_utf8();
                        resume = Some((rt, ni));
                        t = rt;
                        i = ni;
                    }
                    None => return false,
                },
                None => return false,
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Typed values
// ---------------------------------------------------------------------------

/// A date packed as `yyyymmdd`, which orders like the date itself.
fn parse_date(s: &str) -> Option<i32> {
    let b = s.as_bytes();
    let mut pos = 0;
    let d = parse_date_prefix(b, &mut pos)?;
    (pos == b.len()).then_some(d)
}

fn read_digits(b: &[u8], pos: &mut usize, min: usize, max: usize) -> Option<u32> {
    let start = *pos;
    let mut v: u32 = 0;
    while *pos < b.len() && *pos - start < max && b[*pos].is_ascii_digit() {
        v = v * 10 + u32::from(b[*pos] - b'0');
        *pos += 1;
    }
    (*pos - start >= min).then_some(v)
}

fn expect_byte(b: &[u8], pos: &mut usize, want: u8) -> Option<()> {
    if b.get(*pos) == Some(&want) {
        *pos += 1;
        Some(())
    } else {
        None
    }
}

/// The documented `yyyy-MM-dd`, plus the single-digit month and day that
/// Java's `Date.valueOf` also reads, since Hive-era writers produce both.
fn parse_date_prefix(b: &[u8], pos: &mut usize) -> Option<i32> {
    let y = read_digits(b, pos, 4, 4)?;
    expect_byte(b, pos, b'-')?;
    let m = read_digits(b, pos, 1, 2)?;
    expect_byte(b, pos, b'-')?;
    let d = read_digits(b, pos, 1, 2)?;
    if !(1..=12).contains(&m) || d == 0 || d > civil::days_in_month(y.into(), m) {
        return None;
    }
    i32::try_from(y * 10_000 + m * 100 + d).ok()
}

/// (date, nanoseconds of day). Glue's format is
/// `yyyy-mm-dd hh:mm:ss[.fffffffff]`; the ISO `T` separator is accepted too
/// because partition values written by other tools often use it.
fn parse_timestamp(s: &str) -> Option<(i32, u64)> {
    let b = s.as_bytes();
    let mut pos = 0;
    let date = parse_date_prefix(b, &mut pos)?;
    match b.get(pos) {
        Some(b' ' | b'T') => pos += 1,
        _ => return None,
    }
    let h = read_digits(b, &mut pos, 1, 2)?;
    expect_byte(b, &mut pos, b':')?;
    let mi = read_digits(b, &mut pos, 2, 2)?;
    expect_byte(b, &mut pos, b':')?;
    let sec = read_digits(b, &mut pos, 2, 2)?;
    let mut nanos: u64 = 0;
    if b.get(pos) == Some(&b'.') {
        pos += 1;
        let start = pos;
        let frac = read_digits(b, &mut pos, 1, 9)?;
        let width = u32::try_from(pos - start).ok()?;
        nanos = u64::from(frac) * 10u64.pow(9 - width);
    }
    if pos != b.len() || h > 23 || mi > 59 || sec > 59 {
        return None;
    }
    let secs = u64::from(h) * 3600 + u64::from(mi) * 60 + u64::from(sec);
    Some((date, secs * 1_000_000_000 + nanos))
}

/// An exact decimal view over text: sign, integer digits without leading
/// zeros, fraction digits without trailing zeros. Comparing these needs no
/// arithmetic, so decimal(38, x) keys compare exactly and without allocating.
#[derive(Debug, Clone, Copy)]
struct DecRef<'a> {
    neg: bool,
    int: &'a str,
    frac: &'a str,
}

fn parse_decimal(s: &str) -> Option<DecRef<'_>> {
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let (int, frac) = match body.find('.') {
        Some(p) => (&body[..p], &body[p + 1..]),
        None => (body, ""),
    };
    if (int.is_empty() && frac.is_empty())
        || !int.bytes().all(|c| c.is_ascii_digit())
        || !frac.bytes().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let int = int.trim_start_matches('0');
    let frac = frac.trim_end_matches('0');
    // -0 and 0 are the same number.
    let neg = neg && !(int.is_empty() && frac.is_empty());
    Some(DecRef { neg, int, frac })
}

fn cmp_decimal(a: &DecRef<'_>, b: &DecRef<'_>) -> Ordering {
    let magnitude = |x: &DecRef<'_>, y: &DecRef<'_>| {
        x.int
            .len()
            .cmp(&y.int.len())
            .then_with(|| x.int.cmp(y.int))
            .then_with(|| x.frac.cmp(y.frac))
    };
    match (a.neg, b.neg) {
        (false, true) => Ordering::Greater,
        (true, false) => Ordering::Less,
        (false, false) => magnitude(a, b),
        (true, true) => magnitude(b, a),
    }
}

#[derive(Debug, Clone, PartialEq)]
struct DecLit {
    neg: bool,
    int: String,
    frac: String,
}

impl DecLit {
    fn view(&self) -> DecRef<'_> {
        DecRef {
            neg: self.neg,
            int: &self.int,
            frac: &self.frac,
        }
    }
}

fn parse_float(s: &str) -> Option<f64> {
    // NaN would make every ordering question meaningless; treat it as unknown.
    s.parse::<f64>().ok().filter(|f| !f.is_nan())
}

/// A family of partition-key types: how to read a partition value and how
/// to order it against a pre-converted literal.
trait Domain {
    type Lit: fmt::Debug + Clone;
    type Val<'a>;
    fn parse_val(s: &str) -> Option<Self::Val<'_>>;
    fn cmp(v: &Self::Val<'_>, lit: &Self::Lit) -> Ordering;
    fn cmp_lits(a: &Self::Lit, b: &Self::Lit) -> Ordering;
}

#[derive(Debug, Clone)]
struct StrD;
impl Domain for StrD {
    type Lit = String;
    type Val<'a> = &'a str;
    fn parse_val(s: &str) -> Option<&str> {
        Some(s)
    }
    fn cmp(v: &&str, lit: &String) -> Ordering {
        v.as_bytes().cmp(lit.as_bytes())
    }
    fn cmp_lits(a: &String, b: &String) -> Ordering {
        a.as_bytes().cmp(b.as_bytes())
    }
}

#[derive(Debug, Clone)]
struct IntD;
impl Domain for IntD {
    type Lit = i64;
    type Val<'a> = i64;
    fn parse_val(s: &str) -> Option<i64> {
        s.parse().ok()
    }
    fn cmp(v: &i64, lit: &i64) -> Ordering {
        v.cmp(lit)
    }
    fn cmp_lits(a: &i64, b: &i64) -> Ordering {
        a.cmp(b)
    }
}

#[derive(Debug, Clone)]
struct DecD;
impl Domain for DecD {
    type Lit = DecLit;
    type Val<'a> = DecRef<'a>;
    fn parse_val(s: &str) -> Option<DecRef<'_>> {
        parse_decimal(s)
    }
    fn cmp(v: &DecRef<'_>, lit: &DecLit) -> Ordering {
        cmp_decimal(v, &lit.view())
    }
    fn cmp_lits(a: &DecLit, b: &DecLit) -> Ordering {
        cmp_decimal(&a.view(), &b.view())
    }
}

#[derive(Debug, Clone)]
struct FloatD;
impl Domain for FloatD {
    type Lit = f64;
    type Val<'a> = f64;
    fn parse_val(s: &str) -> Option<f64> {
        parse_float(s)
    }
    // NaN never gets here (parse_float drops it), so Equal is never a lie.
    fn cmp(v: &f64, lit: &f64) -> Ordering {
        v.partial_cmp(lit).unwrap_or(Ordering::Equal)
    }
    fn cmp_lits(a: &f64, b: &f64) -> Ordering {
        a.partial_cmp(b).unwrap_or(Ordering::Equal)
    }
}

#[derive(Debug, Clone)]
struct DateD;
impl Domain for DateD {
    type Lit = i32;
    type Val<'a> = i32;
    fn parse_val(s: &str) -> Option<i32> {
        parse_date(s)
    }
    fn cmp(v: &i32, lit: &i32) -> Ordering {
        v.cmp(lit)
    }
    fn cmp_lits(a: &i32, b: &i32) -> Ordering {
        a.cmp(b)
    }
}

#[derive(Debug, Clone)]
struct TsD;
impl Domain for TsD {
    type Lit = (i32, u64);
    type Val<'a> = (i32, u64);
    fn parse_val(s: &str) -> Option<(i32, u64)> {
        parse_timestamp(s)
    }
    fn cmp(v: &(i32, u64), lit: &(i32, u64)) -> Ordering {
        v.cmp(lit)
    }
    fn cmp_lits(a: &(i32, u64), b: &(i32, u64)) -> Ordering {
        a.cmp(b)
    }
}

#[derive(Debug, Clone)]
enum Cond<D: Domain> {
    Cmp(CmpOp, D::Lit),
    Between(D::Lit, D::Lit),
    /// Sorted and deduplicated at bind time, searched by bisection.
    In(Vec<D::Lit>),
}

impl<D: Domain> Cond<D> {
    fn eval(&self, raw: &str) -> Option<bool> {
        let v = D::parse_val(raw)?;
        Some(match self {
            Cond::Cmp(op, lit) => op.holds(D::cmp(&v, lit)),
            Cond::Between(lo, hi) => D::cmp(&v, lo) != Ordering::Less && D::cmp(&v, hi) != Ordering::Greater,
            Cond::In(lits) => lits.binary_search_by(|l| D::cmp(&v, l).reverse()).is_ok(),
        })
    }
}

// ---------------------------------------------------------------------------
// Binding
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyKind {
    Str,
    Int,
    Dec,
    Float,
    Date,
    Timestamp,
}

/// Reads a Glue/Hive type string such as `varchar(10)` or `decimal(10,2)`.
fn key_kind(glue_type: &str) -> Option<KeyKind> {
    let t = glue_type.trim().to_ascii_lowercase();
    let base = t.split(['(', '<']).next().unwrap_or("").trim();
    Some(match base {
        "string" | "varchar" | "char" => KeyKind::Str,
        "tinyint" | "smallint" | "int" | "integer" | "bigint" | "long" => KeyKind::Int,
        "decimal" | "numeric" => KeyKind::Dec,
        "float" | "double" => KeyKind::Float,
        "date" => KeyKind::Date,
        "timestamp" => KeyKind::Timestamp,
        _ => return None,
    })
}

/// An expression resolved against a table's partition keys; cheap to evaluate many times.
#[derive(Debug, Clone)]
pub struct BoundExpr {
    root: BNode,
}

#[derive(Debug, Clone)]
enum BNode {
    And(Vec<BNode>),
    Or(Vec<BNode>),
    Not(Box<BNode>),
    Leaf { idx: usize, test: Test },
}

#[derive(Debug, Clone)]
enum Test {
    IsNull,
    Like(LikePattern),
    Str(Cond<StrD>),
    Int(Cond<IntD>),
    Dec(Cond<DecD>),
    Float(Cond<FloatD>),
    Date(Cond<DateD>),
    Timestamp(Cond<TsD>),
}

/// The key a predicate refers to, carried through binding for messages.
struct KeyRef<'k> {
    idx: usize,
    name: &'k str,
    glue_type: &'k str,
    kind: KeyKind,
}

impl Expr {
    /// Checks that every column the expression names is one of the partition keys
    /// (`keys` = (name, glue type string) in key order; names compare case-insensitively)
    /// and that literal/type combinations are valid. Err = message for `InvalidInputException`.
    ///
    /// # Errors
    /// An unknown column, a key whose type cannot be filtered on, a literal
    /// that is not a value of its key's type, or `LIKE` on a non-string key.
    pub fn bind(&self, keys: &[(String, String)]) -> Result<BoundExpr, String> {
        Ok(BoundExpr {
            root: bind_node(&self.root, keys)?,
        })
    }
}

fn bind_node(node: &Node, keys: &[(String, String)]) -> Result<BNode, String> {
    Ok(match node {
        Node::And(items) => BNode::And(items.iter().map(|n| bind_node(n, keys)).collect::<Result<_, _>>()?),
        Node::Or(items) => BNode::Or(items.iter().map(|n| bind_node(n, keys)).collect::<Result<_, _>>()?),
        Node::Not(inner) => BNode::Not(Box::new(bind_node(inner, keys)?)),
        Node::Pred { column, test } => {
            let key = resolve_key(column, keys)?;
            BNode::Leaf {
                idx: key.idx,
                test: bind_test(&key, test)?,
            }
        }
    })
}

fn resolve_key<'k>(name: &str, keys: &'k [(String, String)]) -> Result<KeyRef<'k>, String> {
    let lower = name.to_lowercase();
    // An exact match wins so that keys differing only by case stay reachable.
    let found = keys
        .iter()
        .position(|(k, _)| k == name)
        .or_else(|| keys.iter().position(|(k, _)| k.to_lowercase() == lower));
    let Some(idx) = found else {
        let known = if keys.is_empty() {
            "the table has no partition keys".to_string()
        } else {
            let names: Vec<&str> = keys.iter().map(|(k, _)| k.as_str()).collect();
            format!("partition keys are: {}", names.join(", "))
        };
        return Err(format!(
            "Invalid partition expression: unknown column '{name}' ({known})"
        ));
    };
    let (key_name, glue_type) = &keys[idx];
    let kind = key_kind(glue_type).ok_or_else(|| {
        format!(
            "Unknown type : '{glue_type}' of partition key '{key_name}'; expressions can \
             filter on string, char, varchar, date, timestamp, tinyint, smallint, int, \
             bigint, long, decimal, float and double keys"
        )
    })?;
    Ok(KeyRef {
        idx,
        name: key_name,
        glue_type,
        kind,
    })
}

fn bind_test(key: &KeyRef<'_>, test: &PredTest) -> Result<Test, String> {
    if let PredTest::IsNull = test {
        return Ok(Test::IsNull);
    }
    if let PredTest::Like(p) = test {
        if key.kind != KeyKind::Str {
            // Glue's own wording, plus which key it is about.
            let family = match key.kind {
                KeyKind::Int => "Integral",
                KeyKind::Dec => "Decimal",
                KeyKind::Float => "Floating point",
                KeyKind::Date => "Date",
                KeyKind::Timestamp => "Timestamp",
                KeyKind::Str => "String",
            };
            return Err(format!(
                "{family} data type doesn't support operation 'LIKE' \
                 (partition key '{}' is {})",
                key.name, key.glue_type
            ));
        }
        return Ok(Test::Like(p.clone()));
    }
    Ok(match key.kind {
        KeyKind::Str => Test::Str(bind_cond::<StrD>(key, test, |l| Some(l.text.clone()))?),
        KeyKind::Int => Test::Int(bind_cond::<IntD>(key, test, |l| match l.kind {
            LitKind::Str | LitKind::Num => l.text.parse().ok(),
            LitKind::Date | LitKind::Timestamp => None,
        })?),
        KeyKind::Dec => Test::Dec(bind_cond::<DecD>(key, test, |l| match l.kind {
            LitKind::Str | LitKind::Num => parse_decimal(&l.text).map(|d| DecLit {
                neg: d.neg,
                int: d.int.to_string(),
                frac: d.frac.to_string(),
            }),
            LitKind::Date | LitKind::Timestamp => None,
        })?),
        KeyKind::Float => Test::Float(bind_cond::<FloatD>(key, test, |l| match l.kind {
            LitKind::Str | LitKind::Num => parse_float(&l.text),
            LitKind::Date | LitKind::Timestamp => None,
        })?),
        KeyKind::Date => Test::Date(bind_cond::<DateD>(key, test, |l| match l.kind {
            LitKind::Str | LitKind::Date => parse_date(&l.text),
            LitKind::Num | LitKind::Timestamp => None,
        })?),
        KeyKind::Timestamp => Test::Timestamp(bind_cond::<TsD>(key, test, |l| match l.kind {
            LitKind::Str | LitKind::Timestamp => parse_timestamp(&l.text),
            // A date names the start of its day, as in SQL.
            LitKind::Date => parse_date(&l.text).map(|d| (d, 0)),
            LitKind::Num => None,
        })?),
    })
}

fn bind_cond<D: Domain>(
    key: &KeyRef<'_>,
    test: &PredTest,
    convert: impl Fn(&Lit) -> Option<D::Lit>,
) -> Result<Cond<D>, String> {
    let conv = |l: &Lit| convert(l).ok_or_else(|| literal_error(key, l));
    Ok(match test {
        PredTest::Cmp(op, l) => Cond::Cmp(*op, conv(l)?),
        PredTest::Between(lo, hi) => Cond::Between(conv(lo)?, conv(hi)?),
        PredTest::In(items) => {
            let mut lits = items.iter().map(conv).collect::<Result<Vec<_>, _>>()?;
            lits.sort_by(D::cmp_lits);
            lits.dedup_by(|a, b| D::cmp_lits(a, b) == Ordering::Equal);
            Cond::In(lits)
        }
        // Handled by bind_test before dispatching on the key type.
        PredTest::Like(_) | PredTest::IsNull => {
            return Err(format!(
                "internal error: unexpected predicate on partition key '{}'",
                key.name
            ));
        }
    })
}

fn literal_error(key: &KeyRef<'_>, lit: &Lit) -> String {
    let hint = match key.kind {
        KeyKind::Int => " (expected an integer)",
        KeyKind::Dec | KeyKind::Float => " (expected a number)",
        KeyKind::Date => " (expected yyyy-MM-dd)",
        KeyKind::Timestamp => " (expected yyyy-MM-dd HH:mm:ss[.fffffffff])",
        KeyKind::Str => "",
    };
    format!(
        "{lit} is not a valid {} value for partition key '{}'{hint}",
        key.glue_type, key.name
    )
}

// ---------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------

impl BoundExpr {
    /// `values` are one partition's values, in key order (always strings, as Glue stores them).
    pub fn matches(&self, values: &[String]) -> bool {
        eval(&self.root, values) == Some(true)
    }
}

/// Three-valued: `None` is SQL's unknown.
fn eval(node: &BNode, values: &[String]) -> Option<bool> {
    match node {
        BNode::And(items) => {
            let mut unknown = false;
            for n in items {
                match eval(n, values) {
                    Some(false) => return Some(false),
                    None => unknown = true,
                    Some(true) => {}
                }
            }
            if unknown { None } else { Some(true) }
        }
        BNode::Or(items) => {
            let mut unknown = false;
            for n in items {
                match eval(n, values) {
                    Some(true) => return Some(true),
                    None => unknown = true,
                    Some(false) => {}
                }
            }
            if unknown { None } else { Some(false) }
        }
        BNode::Not(inner) => eval(inner, values).map(|b| !b),
        BNode::Leaf { idx, test } => {
            let Some(v) = values.get(*idx) else {
                return match test {
                    Test::IsNull => Some(true),
                    _ => None,
                };
            };
            match test {
                Test::IsNull => Some(false),
                Test::Like(p) => Some(p.matches(v)),
                Test::Str(c) => c.eval(v),
                Test::Int(c) => c.eval(v),
                Test::Dec(c) => c.eval(v),
                Test::Float(c) => c.eval(v),
                Test::Date(c) => c.eval(v),
                Test::Timestamp(c) => c.eval(v),
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn keys(spec: &[(&str, &str)]) -> Vec<(String, String)> {
        spec.iter().map(|(n, t)| (n.to_string(), t.to_string())).collect()
    }

    fn vals(v: &[&str]) -> Vec<String> {
        v.iter().map(ToString::to_string).collect()
    }

    fn bound(expr: &str, spec: &[(&str, &str)]) -> BoundExpr {
        parse(expr)
            .unwrap_or_else(|e| panic!("parse {expr:?}: {e}"))
            .bind(&keys(spec))
            .unwrap_or_else(|e| panic!("bind {expr:?}: {e}"))
    }

    /// Evaluates `expr` over a single key of type `ty` holding `value`.
    fn one(expr: &str, ty: &str, value: &str) -> bool {
        bound(expr, &[("k", ty)]).matches(&vals(&[value]))
    }

    fn parse_err(expr: &str) -> String {
        match parse(expr) {
            Ok(e) => panic!("{expr:?} parsed unexpectedly: {e:?}"),
            Err(e) => e,
        }
    }

    fn bind_err(expr: &str, spec: &[(&str, &str)]) -> String {
        match parse(expr).expect("parses").bind(&keys(spec)) {
            Ok(b) => panic!("{expr:?} bound unexpectedly: {b:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn comparison_operators_on_strings() {
        assert!(one("k = 'b'", "string", "b"));
        assert!(!one("k = 'b'", "string", "c"));
        assert!(one("k <> 'b'", "string", "c"));
        assert!(!one("k <> 'b'", "string", "b"));
        assert!(one("k != 'b'", "string", "c"));
        assert!(one("k < > 'b'", "string", "c"));
        assert!(one("k < 'b'", "string", "a"));
        assert!(!one("k < 'b'", "string", "b"));
        assert!(one("k <= 'b'", "string", "b"));
        assert!(one("k > 'b'", "string", "c"));
        assert!(!one("k > 'b'", "string", "b"));
        assert!(one("k >= 'b'", "string", "b"));
        assert!(!one("k >= 'b'", "string", "a"));
    }

    #[test]
    fn comparison_operators_on_ints() {
        assert!(one("k = 5", "int", "5"));
        assert!(one("k <> 5", "int", "6"));
        assert!(one("k != 5", "int", "6"));
        assert!(one("k < 5", "int", "4"));
        assert!(one("k <= 5", "int", "5"));
        assert!(one("k > 5", "int", "6"));
        assert!(one("k >= 5", "int", "5"));
        assert!(!one("k >= 5", "int", "4"));
        assert!(one("k > -3", "bigint", "-2"));
        assert!(one("k = '7'", "smallint", "007"), "quoted numbers and leading zeros");
    }

    #[test]
    fn strings_compare_by_bytes() {
        assert!(one("k < 'b'", "string", "B"));
        assert!(!one("k = 'a'", "string", "A"));
        assert!(one("k > 'z'", "varchar(10)", "é"));
    }

    #[test]
    fn int_keys_compare_numerically_but_string_keys_do_not() {
        assert!(one("k > 9", "int", "10"));
        assert!(!one("k > 9", "string", "10"));
        assert!(!bound("year > 9", &[("year", "string")]).matches(&vals(&["10"])));
        assert!(bound("year > 9", &[("year", "int")]).matches(&vals(&["10"])));
        for t in ["tinyint", "smallint", "int", "integer", "bigint", "long", "INT"] {
            assert!(one("k > 9", t, "10"), "{t}");
        }
    }

    #[test]
    fn unparseable_values_never_match() {
        assert!(!one("k = 1", "int", "abc"));
        assert!(!one("k <> 1", "int", "abc"));
        assert!(!one("NOT k = 1", "int", "abc"), "unknown stays unknown under NOT");
        assert!(one("k = 1 OR 1 = k OR k IS NOT NULL", "int", "abc"));
        assert!(!one("k > '2024-01-01'", "date", "yesterday"));
    }

    #[test]
    fn date_keys() {
        let ty = "date";
        assert!(one("k > '2024-01-05'", ty, "2024-01-10"));
        assert!(!one("k > '2024-01-05'", ty, "2024-01-05"));
        // Single-digit months and days are read as Java's Date.valueOf reads them.
        assert!(one("k = '2024-01-05'", ty, "2024-1-5"));
        assert!(one("k < '2024-10-05'", ty, "2024-9-30"));
        // ...which a string comparison gets wrong:
        assert!(!one("k < '2024-10-05'", "string", "2024-9-30"));
        assert!(one("k >= 2024-01-05", ty, "2024-01-05"), "unquoted date");
        assert!(one("k < DATE '2024-01-05'", ty, "2023-12-31"));
        assert!(one("k BETWEEN '2024-02-28' AND '2024-03-01'", ty, "2024-02-29"));
        assert!(bind_err("k = '2023-02-29'", &[("k", ty)]).contains("not a valid date value"));
        assert!(bind_err("k = 20240105", &[("k", ty)]).contains("yyyy-MM-dd"));
        assert!(parse_err("k = DATE '2024-13-01'").contains("DATE literal"));
    }

    #[test]
    fn timestamp_keys() {
        let ty = "timestamp";
        assert!(one("k > '2024-01-05 10:00:00'", ty, "2024-01-05 10:00:00.5"));
        assert!(one("k = '2024-01-05 10:00:00'", ty, "2024-01-05 10:00:00.000"));
        assert!(one("k < '2024-01-05 10:00:00'", ty, "2024-01-05 9:59:59.999999999"));
        assert!(one("k >= DATE '2024-01-05'", ty, "2024-01-05 00:00:00"));
        assert!(one("k >= TIMESTAMP '2024-01-05 00:00:01'", ty, "2024-01-05T00:00:01"));
        assert!(bind_err("k = '2024-01-05'", &[("k", ty)]).contains("HH:mm:ss"));
    }

    #[test]
    fn decimal_and_float_keys() {
        assert!(one("k = 0.1", "decimal(10,2)", "0.10"));
        assert!(one("k > 2", "decimal", "10"));
        assert!(one("k < -0.5", "decimal", "-0.51"));
        assert!(one("k = 0", "decimal", "-0.00"));
        assert!(one(
            "k > 12345678901234567890123456789.000000001",
            "decimal(38,9)",
            "12345678901234567890123456789.000000002"
        ));
        assert!(one("k BETWEEN 1.5 AND 2.5", "double", "2"));
        assert!(one("k > 1e2", "float", "100.5"));
        assert!(!one("k = 1", "double", "NaN"));
        assert!(bind_err("k = 'x'", &[("k", "decimal")]).contains("expected a number"));
    }

    #[test]
    fn in_lists() {
        let ty = &[("k", "int")];
        let b = bound("k IN (3, 1, 2, 2)", ty);
        assert!(b.matches(&vals(&["1"])));
        assert!(b.matches(&vals(&["03"])));
        assert!(!b.matches(&vals(&["4"])));
        let b = bound("k NOT IN (1, 2)", ty);
        assert!(b.matches(&vals(&["3"])));
        assert!(!b.matches(&vals(&["2"])));
        let b = bound("k in ('us', \"eu\", 'ap')", &[("k", "string")]);
        assert!(b.matches(&vals(&["eu"])));
        assert!(!b.matches(&vals(&["EU"])));
        assert!(one("k IN ('2024-01-05')", "date", "2024-1-5"));
        assert!(parse_err("k IN ()").contains("')'"));
        assert!(parse_err("k IN (1, 2").contains("close the IN list"));
        assert!(parse_err("k IN 1").contains("'(' to open the IN list"));
    }

    #[test]
    fn between() {
        assert!(one("k BETWEEN 5 AND 10", "int", "5"));
        assert!(one("k BETWEEN 5 AND 10", "int", "10"));
        assert!(!one("k BETWEEN 5 AND 10", "int", "11"));
        assert!(!one("k BETWEEN 10 AND 5", "int", "7"), "SQL BETWEEN is not symmetric");
        assert!(one("k NOT BETWEEN 5 AND 10", "int", "11"));
        assert!(!one("k NOT BETWEEN 5 AND 10", "int", "7"));
        // The first AND belongs to BETWEEN, the second joins predicates.
        let b = bound("a BETWEEN 1 AND 3 AND b = 'x'", &[("a", "int"), ("b", "string")]);
        assert!(b.matches(&vals(&["2", "x"])));
        assert!(!b.matches(&vals(&["2", "y"])));
        assert!(parse_err("k BETWEEN 1 OR 2").contains("AND between the two BETWEEN bounds"));
    }

    #[test]
    fn like() {
        let ty = "string";
        assert!(one("k LIKE 'eu-%'", ty, "eu-west-1"));
        assert!(!one("k LIKE 'eu-%'", ty, "us-east-1"));
        assert!(one("k LIKE '%west%'", ty, "eu-west-1"));
        assert!(one("k LIKE '%-1'", ty, "eu-west-1"));
        assert!(one("k LIKE 'eu-_est-1'", ty, "eu-west-1"));
        assert!(!one("k LIKE 'eu-_-1'", ty, "eu-west-1"));
        assert!(one("k LIKE '%'", ty, ""));
        assert!(one("k LIKE ''", ty, ""));
        assert!(!one("k LIKE ''", ty, "a"));
        assert!(one("k LIKE 'a%b%c'", ty, "aXbYbZc"));
        assert!(!one("k LIKE 'a%b%c'", ty, "aXbYbZ"));
        assert!(one("k LIKE '%%a%%'", ty, "bab"));
        assert!(one("k LIKE 'caf_'", ty, "café"), "_ is one character, not one byte");
        assert!(!one("k LIKE 'EU-%'", ty, "eu-west-1"), "LIKE is case-sensitive");
        assert!(one("k NOT LIKE 'eu-%'", ty, "us-east-1"));
        assert!(one("k LIKE '100!%' ESCAPE '!'", ty, "100%"));
        assert!(!one("k LIKE '100!%' ESCAPE '!'", ty, "1000"));
        assert!(one("k like 'a_c'", "varchar(3)", "abc"));
        assert!(one("k LIKE '%a_'", ty, "xxab"));
        assert!(!one("k LIKE '%a_'", ty, "xxabc"));
        assert!(one("k LIKE '_%_'", ty, "ab"));
        assert!(!one("k LIKE '_%_'", ty, "a"));
        assert!(parse_err("k LIKE 5").contains("quoted pattern"));
        assert!(parse_err("k LIKE 'a!' ESCAPE '!'").contains("escape character"));
    }

    #[test]
    fn like_fast_paths_agree_with_the_general_matcher() {
        let patterns = ["", "%", "%%", "abc", "ab%", "%bc", "%b%", "a%c", "a_c", "_", "%_%"];
        let inputs = ["", "a", "b", "ab", "bc", "abc", "xabcx", "abcabc", "é"];
        for p in patterns {
            let lp = LikePattern::compile(p, None).expect("compiles");
            for s in inputs {
                assert_eq!(lp.matches(s), lp.matches_general(s), "pattern {p:?} on {s:?}");
            }
        }
    }

    #[test]
    fn like_is_refused_on_non_string_keys() {
        let e = bind_err("k LIKE '20%'", &[("k", "int")]);
        assert!(e.contains("Integral data type doesn't support operation 'LIKE'"), "{e}");
        let e = bind_err("k LIKE '20%'", &[("k", "date")]);
        assert!(e.contains("Date data type doesn't support operation 'LIKE'"), "{e}");
        let e = bind_err("k NOT LIKE '1%'", &[("k", "decimal(10,2)")]);
        assert!(e.contains("Decimal data type doesn't support operation 'LIKE'"), "{e}");
        assert!(e.contains("partition key 'k' is decimal(10,2)"), "{e}");
    }

    #[test]
    fn precedence_not_and_or() {
        let k = &[("a", "int"), ("b", "int"), ("c", "int")];
        // OR binds loosest.
        assert_eq!(parse("a = 1 OR b = 1 AND c = 1"), parse("a = 1 OR (b = 1 AND c = 1)"));
        assert_ne!(parse("a = 1 OR b = 1 AND c = 1"), parse("(a = 1 OR b = 1) AND c = 1"));
        let b = bound("a = 1 OR b = 1 AND c = 1", k);
        assert!(b.matches(&vals(&["1", "0", "0"])));
        assert!(!b.matches(&vals(&["0", "1", "0"])));
        // NOT binds tighter than AND.
        assert_eq!(parse("NOT a = 1 AND b = 1"), parse("(NOT a = 1) AND b = 1"));
        let b = bound("NOT a = 1 AND b = 1", k);
        assert!(b.matches(&vals(&["0", "1", "0"])));
        assert!(!b.matches(&vals(&["1", "0", "0"])));
        assert!(bound("NOT NOT a = 1", k).matches(&vals(&["1", "0", "0"])));
    }

    #[test]
    fn parentheses_change_the_result() {
        let k = &[("a", "int"), ("b", "int"), ("c", "int")];
        let v = vals(&["1", "0", "0"]);
        assert!(bound("a = 1 OR b = 1 AND c = 1", k).matches(&v));
        assert!(!bound("(a = 1 OR b = 1) AND c = 1", k).matches(&v));
        assert!(!bound("NOT (a = 1 OR b = 1)", k).matches(&v));
        assert!(bound("((a = 1))", k).matches(&v));
        assert!(bound("(a) = (1)", k).matches(&v), "parenthesised operands");
        assert!(bound("((a)) = 1 AND (b = 0)", k).matches(&v));
    }

    #[test]
    fn keywords_are_case_insensitive() {
        let k = &[("a", "int"), ("b", "string")];
        let v = vals(&["2", "x"]);
        assert!(bound("a between 1 and 3 and b in ('x') or not b like 'y%'", k).matches(&v));
        assert!(bound("a BeTwEeN 1 AnD 3 aNd b Is NoT nUlL", k).matches(&v));
    }

    #[test]
    fn column_names() {
        let k = &[("Year", "int"), ("date", "date"), ("in", "string")];
        let v = vals(&["2024", "2024-01-05", "x"]);
        assert!(bound("year = 2024", k).matches(&v), "case-insensitive");
        assert!(bound("YEAR = 2024", k).matches(&v));
        assert!(bound("`Year` = 2024", k).matches(&v));
        assert!(bound("\"year\" = 2024", k).matches(&v), "double-quoted column");
        assert!(bound("\"year\" = \"2024\"", k).matches(&v));
        assert!(bound("year = \"2024\"", k).matches(&v), "double-quoted string");
        assert!(bound("date = '2024-01-05'", k).matches(&v), "`date` is not reserved");
        assert!(bound("date = DATE '2024-01-05'", k).matches(&v));
        assert!(bound("`in` = 'x'", k).matches(&v), "back-quotes escape keywords");
        assert!(bound("2023 < year", k).matches(&v), "literal on the left");
        assert!(!bound("2024 < year", k).matches(&v));
        // An exact-case match wins over a case-insensitive one.
        let k2 = &[("a", "int"), ("A", "string")];
        assert!(bound("A > 9", k2).matches(&vals(&["1", "x"])));
        assert!(bound("a > 9", k2).matches(&vals(&["10", "x"])));
    }

    #[test]
    fn is_null() {
        let k = &[("a", "string"), ("b", "string")];
        assert!(!bound("a IS NULL", k).matches(&vals(&["x", "y"])));
        assert!(bound("a IS NOT NULL", k).matches(&vals(&["x", "y"])));
        // A partition with fewer values than keys has NULLs for the rest.
        assert!(bound("b IS NULL", k).matches(&vals(&["x"])));
        assert!(!bound("b = 'y'", k).matches(&vals(&["x"])));
        assert!(!bound("NOT b = 'y'", k).matches(&vals(&["x"])));
        assert!(parse_err("a = NULL").contains("IS NULL"));
    }

    #[test]
    fn unknown_column_is_refused() {
        let e = bind_err("month = 1", &[("year", "int"), ("day", "int")]);
        assert!(e.contains("unknown column 'month'"), "{e}");
        assert!(e.contains("year, day"), "{e}");
        let e = bind_err("year = 1 AND (x = 1 OR year = 2)", &[("year", "int")]);
        assert!(e.contains("'x'"), "{e}");
        let e = bind_err("x = 1", &[]);
        assert!(e.contains("no partition keys"), "{e}");
    }

    #[test]
    fn unsupported_key_types() {
        let k = &[("flag", "boolean"), ("year", "int")];
        let e = bind_err("flag = 'true'", k);
        assert!(e.contains("Unknown type : 'boolean'"), "{e}");
        assert!(e.contains("flag"), "{e}");
        assert!(bind_err("year = 1 OR flag = 'x'", k).contains("boolean"));
        // Only the keys the expression touches matter.
        assert!(bound("year = 1", k).matches(&vals(&["true", "1"])));
        assert!(bind_err("m = 'x'", &[("m", "map<string,string>")]).contains("map<string,string>"));
    }

    #[test]
    fn literal_type_mismatches_are_refused() {
        let e = bind_err("year = 'abc'", &[("year", "int")]);
        assert!(
            e.contains("'abc' is not a valid int value for partition key 'year'"),
            "{e}"
        );
        assert!(bind_err("year IN (1, 2.5)", &[("year", "bigint")]).contains("2.5"));
        assert!(bind_err("year BETWEEN 1 AND 'x'", &[("year", "int")]).contains("'x'"));
        assert!(bind_err("year = DATE '2024-01-01'", &[("year", "int")]).contains("DATE"));
        // A string key takes any literal by its text.
        assert!(one("k = 10", "string", "10"));
        assert!(!one("k = 10", "string", "10.0"));
    }

    #[test]
    fn syntax_errors_say_what_and_where() {
        let e = parse_err("year = ");
        assert!(
            e.contains("expected a value but found the end of the expression at position 8"),
            "{e}"
        );
        let e = parse_err("year IN (1, 2,)");
        assert!(e.contains("expected a value but found ')' at position 15"), "{e}");
        let e = parse_err("year = AND");
        assert!(e.contains("expected a value but found 'AND'"), "{e}");
        let e = parse_err("year = 2020 AND");
        assert!(e.contains("end of the expression"), "{e}");
        let e = parse_err("(year = 1");
        assert!(e.contains("')' to close the '(' at position 1"), "{e}");
        let e = parse_err("year = 1)");
        assert!(e.contains("')'") && e.contains("position 9"), "{e}");
        let e = parse_err("year 2020");
        assert!(e.contains("comparison operator") && e.contains("'2020'"), "{e}");
        let e = parse_err("region = eu");
        assert!(e.contains("single quotes") && e.contains("'eu'"), "{e}");
        let e = parse_err("region = 'eu");
        assert!(e.contains("unterminated string literal at position 10"), "{e}");
        let e = parse_err("year = 1 year = 2");
        assert!(e.contains("AND, OR") && e.contains("position 10"), "{e}");
        let e = parse_err("year = 1 && month = 2");
        assert!(e.contains("unexpected character '&'"), "{e}");
        assert!(parse_err("").contains("empty"));
        assert!(parse_err("   ").contains("empty"));
        assert!(parse_err("year = 12abc").contains("malformed number"));
        assert!(parse_err("1 = 1").contains("names no partition key"));
        assert!(parse_err("'x' LIKE 'y'").contains("must follow a partition key"));
        assert!(parse_err("AND year = 1").contains("expected a partition key or a value"));
        assert!(parse_err("year IS 1").contains("NULL after IS"));
        assert!(parse_err("year = 1 OR OR month = 2").contains("'OR'"));
        let e = parse_err("année = 'x' AND \u{1F600}");
        assert!(e.contains("position 17"), "positions count characters: {e}");
    }

    #[test]
    fn nesting_is_bounded() {
        // 5,000 NOTs used to overflow the stack and abort the process.
        let e = parse_err(&format!("{}year = 1", "NOT ".repeat(5000)));
        assert!(
            e.ends_with("NOT and parentheses nest more than 100 levels deep at position 401"),
            "{}",
            &e[e.len() - 120..]
        );
        let e = parse_err(&format!("{}year = 1{}", "(".repeat(5000), ")".repeat(5000)));
        assert!(
            e.ends_with("nest more than 100 levels deep at position 101"),
            "{}",
            &e[e.len() - 80..]
        );
        // Parentheses around an operand count too.
        let e = parse_err(&format!("{}year{} = 1", "(".repeat(5000), ")".repeat(5000)));
        assert!(
            e.ends_with("nest more than 100 levels deep at position 101"),
            "{}",
            &e[e.len() - 80..]
        );
        let e = parse_err(&format!("{}(year = 1)", "NOT ".repeat(60) + &"(".repeat(40)));
        assert!(e.contains("nest more than 100 levels deep"), "{e}");
        // Exactly 100 levels is still fine, and evaluates as written.
        assert!(one(&format!("{}k = 'a'", "NOT ".repeat(100)), "string", "a"));
        assert!(!one(&format!("{}k = 'a'", "NOT ".repeat(99)), "string", "a"));
        let deep = format!("{}k = 'a'{}", "(".repeat(100), ")".repeat(100));
        assert!(one(&deep, "string", "a"));
        let deep = format!("{}k{} = 'a'", "(".repeat(100), ")".repeat(100));
        assert!(one(&deep, "string", "a"));
        // Siblings do not add up: depth is nesting, not count.
        let wide = vec!["(NOT k = 'b')"; 300].join(" AND ");
        assert!(one(&wide, "string", "a"));
    }

    #[test]
    fn string_literal_escapes() {
        assert!(one("k = 'it''s'", "string", "it's"));
        assert!(one("k = \"say \"\"hi\"\"\"", "string", "say \"hi\""));
        assert!(one("`k` = 'a'", "string", "a"));
    }

    /// The first pass runs on cold caches; the best pass shows the steady
    /// state a server sees when it lists the same table repeatedly.
    fn timed_scan(b: &BoundExpr, parts: &[Vec<String>]) -> (usize, Duration, Duration) {
        let mut hits = 0;
        let mut first = None;
        let mut best = Duration::MAX;
        for _ in 0..5 {
            let start = Instant::now();
            hits = parts.iter().filter(|p| b.matches(p)).count();
            let elapsed = start.elapsed();
            first.get_or_insert(elapsed);
            best = best.min(elapsed);
        }
        (hits, first.unwrap_or(best), best)
    }

    #[test]
    fn hundred_thousand_partitions() {
        let spec = &[("year", "int"), ("month", "int"), ("day", "int"), ("region", "string")];
        let regions = [
            "us-east-1",
            "us-east-2",
            "us-west-1",
            "us-west-2",
            "eu-west-1",
            "eu-west-2",
            "eu-central-1",
            "eu-north-1",
            "ap-south-1",
            "ap-northeast-1",
            "sa-east-1",
            "ca-central-1",
        ];
        let mut parts: Vec<Vec<String>> = Vec::with_capacity(100_000);
        'fill: for year in 2000..2030 {
            for month in 1..=12 {
                for day in 1..=28 {
                    for r in regions {
                        parts.push(vec![
                            year.to_string(),
                            format!("{month:02}"),
                            day.to_string(),
                            r.to_string(),
                        ]);
                        if parts.len() == 100_000 {
                            break 'fill;
                        }
                    }
                }
            }
        }
        assert_eq!(parts.len(), 100_000);

        let expr = "year = 2023 AND month IN (1, 2, 3) AND region LIKE 'eu-%' \
                    AND day BETWEEN 10 AND 20";
        let b = bound(expr, spec);
        let (hits, first, best) = timed_scan(&b, &parts);

        let expected = parts
            .iter()
            .filter(|p| {
                let n = |i: usize| p[i].parse::<i64>().unwrap_or(-1);
                n(0) == 2023 && (1..=3).contains(&n(1)) && (10..=20).contains(&n(2)) && p[3].starts_with("eu-")
            })
            .count();
        assert_eq!(hits, expected);
        assert_eq!(hits, 3 * 11 * 4);
        eprintln!("100k partitions, {hits} matched (selective): first pass {first:?}, best of 5 {best:?}");

        // An expression that has to look at every key of every partition.
        let b = bound("region LIKE '%-1' OR (month > 6 AND NOT day IN (1, 2, 3))", spec);
        let (hits, first, best) = timed_scan(&b, &parts);
        eprintln!("100k partitions, {hits} matched (non-selective): first pass {first:?}, best of 5 {best:?}");
    }
}
