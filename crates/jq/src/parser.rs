//! Parses query text into an [`Expr`] tree with jq 1.6's grammar and precedences,
//! resolving variables and builtins as it goes, so that a query that parses can only
//! fail at run time on its data.
//!
//! Precedence, loosest first: `|` (right), `,` (left), `//` (right), `or`, `and`,
//! comparisons (non-associative), `+ -`, `* / %`, unary minus, then postfix terms.
//! `try` and `catch` take a single postfix term (as jq's high precedence for them
//! makes them do), `E as $x | body` extends as far right as it can, and object values
//! are restricted to jq's `ExpD` (terms, unary minus and `|`).
//!
//! The parser recurses once per nesting level and stops at [`MAX_DEPTH`]; the tree it
//! builds is also checked for height and value growth (see [`crate::ast`]).

use std::sync::Arc;

use crate::ast::{BinOp, Expr, Kind, Part};
use crate::builtins::{Builtin, unknown_call_message};
use crate::error::ParseError;
use crate::lexer::{Tok, Token, tokenize};
use crate::limits::{MAX_DEPTH, MAX_GROWTH, MAX_QUERY_LEN};
use crate::value::Val;

pub(crate) fn parse(text: &str) -> Result<Expr, ParseError> {
    if text.len() > MAX_QUERY_LEN {
        return Err(ParseError::at(
            text,
            MAX_QUERY_LEN,
            format!("the query is longer than {MAX_QUERY_LEN} bytes"),
        ));
    }
    let tokens = tokenize(text)?;
    let mut parser = Parser {
        text,
        tokens,
        pos: 0,
        scope: Vec::new(),
        depth: 0,
    };
    let root = if parser.peek() == &Tok::Eof {
        // An empty program is the identity in jq.
        Expr::new(Kind::Identity)
    } else {
        parser.pipe()?
    };
    if parser.peek() != &Tok::Eof {
        return Err(parser.unexpected());
    }
    if root.grow > MAX_GROWTH {
        return Err(ParseError::at(
            text,
            0,
            format!("the query nests the arrays and objects it builds more than {MAX_GROWTH} levels deep"),
        ));
    }
    Ok(root)
}

struct Parser<'t> {
    text: &'t str,
    tokens: Vec<Token>,
    pos: usize,
    /// Variables in scope, innermost last.
    scope: Vec<String>,
    /// Current recursion depth.
    depth: usize,
}

/// Binary operators: (token, precedence, right-associative).
fn binary_op(tok: &Tok) -> Option<(&'static str, u8, bool)> {
    let (op, prec, right) = match tok {
        Tok::Op(",") => (",", 1, false),
        Tok::Op("//") => ("//", 2, true),
        Tok::Ident(k) if k == "or" => ("or", 4, false),
        Tok::Ident(k) if k == "and" => ("and", 5, false),
        Tok::Op(op @ ("==" | "!=" | "<" | "<=" | ">" | ">=")) => (*op, 6, false),
        Tok::Op(op @ ("+" | "-")) => (*op, 7, false),
        Tok::Op(op @ ("*" | "/" | "%")) => (*op, 8, false),
        _ => return None,
    };
    Some((op, prec, right))
}

const COMPARISON: u8 = 6;
const MULTIPLICATIVE: u8 = 8;

fn describe(tok: &Tok) -> String {
    match tok {
        Tok::Num(_) => "a number".to_owned(),
        Tok::Ident(name) => format!("`{name}`"),
        Tok::Field(name) => format!("`.{name}`"),
        Tok::Var(name) => format!("`${name}`"),
        Tok::Format(name) => format!("`@{name}`"),
        Tok::StrStart => "a string".to_owned(),
        Tok::StrText(_) | Tok::StrEnd => "string text".to_owned(),
        Tok::InterpStart => "`\\(`".to_owned(),
        Tok::InterpEnd => "`)`".to_owned(),
        Tok::Op(op) => format!("`{op}`"),
        Tok::Eof => "end of query".to_owned(),
    }
}

const KEYWORDS: &[&str] = &[
    "if", "then", "elif", "else", "end", "as", "try", "catch", "and", "or", "reduce", "foreach", "def", "label",
];

impl Parser<'_> {
    fn peek(&self) -> &Tok {
        self.tokens.get(self.pos).map_or(&Tok::Eof, |t| &t.tok)
    }

    fn peek_at(&self, ahead: usize) -> &Tok {
        self.tokens.get(self.pos + ahead).map_or(&Tok::Eof, |t| &t.tok)
    }

    fn at(&self) -> usize {
        self.tokens.get(self.pos).map_or(self.text.len(), |t| t.at)
    }

    fn advance(&mut self) -> Tok {
        let tok = self.peek().clone();
        self.pos += 1;
        tok
    }

    fn err(&self, message: impl Into<String>) -> ParseError {
        ParseError::at(self.text, self.at(), message)
    }

    fn unexpected(&self) -> ParseError {
        self.err(format!("syntax error: unexpected {}", describe(self.peek())))
    }

    fn is_op(&self, op: &str) -> bool {
        matches!(self.peek(), Tok::Op(o) if *o == op)
    }

    fn is_keyword(&self, word: &str) -> bool {
        matches!(self.peek(), Tok::Ident(k) if k == word)
    }

    fn expect_op(&mut self, op: &str) -> Result<(), ParseError> {
        if self.is_op(op) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.err(format!(
                "syntax error: expected `{op}`, found {}",
                describe(self.peek())
            )))
        }
    }

    fn expect_keyword(&mut self, word: &str) -> Result<(), ParseError> {
        if self.is_keyword(word) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.err(format!(
                "syntax error: expected `{word}`, found {}",
                describe(self.peek())
            )))
        }
    }

    /// Builds a node, enforcing the height limit.
    fn node(&self, kind: Kind) -> Result<Expr, ParseError> {
        let e = Expr::new(kind);
        if e.height > MAX_DEPTH {
            return Err(self.err(format!("the query nests more than {MAX_DEPTH} levels deep")));
        }
        Ok(e)
    }

    fn enter(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err(format!("the query nests more than {MAX_DEPTH} levels deep")));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// Runs `f` one nesting level deeper. Every construct that nests (brackets,
    /// arguments, interpolations, operands, bodies) goes through here, and between two
    /// levels the parser recurses through a fixed number of functions, so this bounds
    /// the parser's stack.
    fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T, ParseError>) -> Result<T, ParseError> {
        self.enter()?;
        let result = f(self);
        self.leave();
        result
    }

    /// `a | b | c` (right-associative).
    fn pipe(&mut self) -> Result<Expr, ParseError> {
        for word in ["def", "label", "import", "include"] {
            if self.is_keyword(word) {
                return Err(self.err(format!("`{word}` is not supported by this jq subset")));
            }
        }
        let lhs = self.binary(1)?;
        if self.is_op("|") {
            self.advance();
            let rhs = self.nested(Self::pipe)?;
            return self.node(Kind::Pipe(Box::new(lhs), Box::new(rhs)));
        }
        self.reject_assignment()?;
        Ok(lhs)
    }

    fn reject_assignment(&self) -> Result<(), ParseError> {
        match self.peek() {
            Tok::Op(op @ ("=" | "|=" | "+=" | "-=" | "*=" | "/=" | "%=" | "//=")) => Err(self.err(format!(
                "assignment operators (`{op}`) are not supported by this jq subset"
            ))),
            Tok::Op("?//") => Err(self.err("destructuring alternatives (`?//`) are not supported by this jq subset")),
            _ => Ok(()),
        }
    }

    /// Precedence climbing over the binary operators binding at least `min`.
    fn binary(&mut self, min: u8) -> Result<Expr, ParseError> {
        let mut lhs = self.unary()?;
        while let Some((op, prec, right)) = binary_op(self.peek()) {
            if prec < min {
                break;
            }
            self.advance();
            let rhs = self.nested(|p| p.binary(if right { prec } else { prec + 1 }))?;
            let (a, b) = (Box::new(lhs), Box::new(rhs));
            lhs = self.node(match op {
                "," => Kind::Comma(a, b),
                "//" => Kind::Alt(a, b),
                "or" => Kind::Or(a, b),
                "and" => Kind::And(a, b),
                op => Kind::Binary(
                    match op {
                        "==" => BinOp::Eq,
                        "!=" => BinOp::Ne,
                        "<" => BinOp::Lt,
                        "<=" => BinOp::Le,
                        ">" => BinOp::Gt,
                        ">=" => BinOp::Ge,
                        "+" => BinOp::Add,
                        "-" => BinOp::Sub,
                        "*" => BinOp::Mul,
                        "/" => BinOp::Div,
                        _ => BinOp::Mod,
                    },
                    a,
                    b,
                ),
            })?;
            if prec == COMPARISON && binary_op(self.peek()).is_some_and(|(_, p, _)| p == COMPARISON) {
                return Err(self.err("syntax error: comparisons cannot be chained; use parentheses"));
            }
        }
        Ok(lhs)
    }

    /// Unary minus, `try`, `if`, and postfix terms with an optional `as $x | body`.
    fn unary(&mut self) -> Result<Expr, ParseError> {
        if self.is_op("-") {
            self.advance();
            let operand = self.nested(|p| p.binary(MULTIPLICATIVE))?;
            return self.node(Kind::Neg(Box::new(operand)));
        }
        if self.is_keyword("try") {
            self.advance();
            let body = self.nested(Self::unary)?;
            let handler = if self.is_keyword("catch") {
                self.advance();
                Some(Box::new(self.nested(Self::unary)?))
            } else {
                None
            };
            return self.node(Kind::Try {
                body: Box::new(body),
                handler,
            });
        }
        if self.is_keyword("if") {
            return self.nested(Self::conditional);
        }
        for word in ["reduce", "foreach"] {
            if self.is_keyword(word) {
                return Err(self.err(format!("`{word}` is not supported by this jq subset")));
            }
        }
        let term = self.postfix()?;
        if self.is_keyword("as") {
            return self.binding(term);
        }
        Ok(term)
    }

    /// `term as $name | body`
    #[inline(never)]
    fn binding(&mut self, source: Expr) -> Result<Expr, ParseError> {
        self.advance();
        let name = match self.peek() {
            Tok::Var(name) => name.clone(),
            Tok::Op("[" | "{") => {
                return Err(
                    self.err("destructuring patterns are not supported by this jq subset; bind `$name` instead")
                );
            }
            _ => {
                return Err(self.err(format!(
                    "syntax error: expected `$name` after `as`, found {}",
                    describe(self.peek())
                )));
            }
        };
        if name == "__loc__" || name == "ENV" {
            return Err(self.err(format!("`${name}` cannot be bound")));
        }
        self.advance();
        self.reject_assignment()?;
        self.expect_op("|")?;
        self.scope.push(name);
        let body = self.nested(Self::pipe);
        self.scope.pop();
        self.node(Kind::Bind {
            source: Box::new(source),
            body: Box::new(body?),
        })
    }

    /// `if c then a elif c2 then b else d end` (jq 1.6 requires `else`).
    #[inline(never)]
    fn conditional(&mut self) -> Result<Expr, ParseError> {
        self.advance();
        let mut branches = Vec::new();
        loop {
            let cond = self.pipe()?;
            self.expect_keyword("then")?;
            let then = self.pipe()?;
            branches.push((cond, then));
            if self.is_keyword("elif") {
                self.advance();
                continue;
            }
            if self.is_keyword("end") {
                return Err(self.err("`if` without `else` is not valid in jq 1.6; add `else . end`"));
            }
            self.expect_keyword("else")?;
            let otherwise = self.pipe()?;
            self.expect_keyword("end")?;
            return self.node(Kind::If {
                branches,
                otherwise: Box::new(otherwise),
            });
        }
    }

    /// A term followed by `.name`, `."name"`, `[...]` and `?` suffixes.
    fn postfix(&mut self) -> Result<Expr, ParseError> {
        let mut term = self.primary()?;
        loop {
            let suffix = match self.peek().clone() {
                Tok::Field(name) => {
                    self.advance();
                    let key = Expr::new(Kind::Const(Val::str(&name)));
                    Some(Suffix::Index(key))
                }
                Tok::Op(".") if self.peek_at(1) == &Tok::StrStart => {
                    self.advance();
                    self.advance();
                    Some(Suffix::Index(self.string()?))
                }
                Tok::Op(".") if matches!(self.peek_at(1), Tok::Op("[")) => {
                    self.advance();
                    return Err(self.err("syntax error: unexpected `[` after `.` (write `.a[0]`, not `.a.[0]`)"));
                }
                Tok::Op("[") => {
                    self.advance();
                    Some(self.nested(Self::bracket)?)
                }
                Tok::Op("?") => {
                    self.advance();
                    term = self.node(Kind::Try {
                        body: Box::new(term),
                        handler: None,
                    })?;
                    None
                }
                _ => break,
            };
            let Some(suffix) = suffix else { continue };
            // A `?` right after an index suffix only silences that indexing's errors.
            let opt = self.is_op("?");
            if opt {
                self.advance();
            }
            let target = Box::new(term);
            term = self.node(match suffix {
                Suffix::Index(key) => Kind::Index {
                    target,
                    key: Box::new(key),
                    opt,
                },
                Suffix::Slice(from, to) => Kind::Slice {
                    target,
                    from: from.map(Box::new),
                    to: to.map(Box::new),
                    opt,
                },
                Suffix::Iterate => Kind::Iterate { target, opt },
            })?;
        }
        Ok(term)
    }

    /// After `[`: `]`, `e]`, `e:]`, `:e]` or `e:e]`.
    #[inline(never)]
    fn bracket(&mut self) -> Result<Suffix, ParseError> {
        if self.is_op("]") {
            self.advance();
            return Ok(Suffix::Iterate);
        }
        let from = if self.is_op(":") { None } else { Some(self.pipe()?) };
        if self.is_op(":") {
            self.advance();
            let to = if self.is_op("]") { None } else { Some(self.pipe()?) };
            if from.is_none() && to.is_none() {
                return Err(self.err("syntax error: a slice needs a start or an end"));
            }
            self.expect_op("]")?;
            return Ok(Suffix::Slice(from, to));
        }
        self.expect_op("]")?;
        match from {
            Some(key) => Ok(Suffix::Index(key)),
            None => Err(self.unexpected()),
        }
    }

    fn primary(&mut self) -> Result<Expr, ParseError> {
        match self.peek().clone() {
            Tok::Op(".") => {
                self.advance();
                if self.peek() == &Tok::StrStart {
                    self.advance();
                    let key = self.string()?;
                    let target = Box::new(Expr::new(Kind::Identity));
                    let opt = self.take_opt();
                    return self.node(Kind::Index {
                        target,
                        key: Box::new(key),
                        opt,
                    });
                }
                self.node(Kind::Identity)
            }
            Tok::Op("..") => {
                self.advance();
                self.node(Kind::RecurseAll)
            }
            Tok::Field(name) => {
                self.advance();
                let target = Box::new(Expr::new(Kind::Identity));
                let key = Box::new(Expr::new(Kind::Const(Val::str(&name))));
                let opt = self.take_opt();
                self.node(Kind::Index { target, key, opt })
            }
            Tok::Num(x) => {
                self.advance();
                self.node(Kind::Const(Val::Num(x)))
            }
            Tok::StrStart => {
                self.advance();
                self.string()
            }
            Tok::Format(name) => Err(self.err(format!(
                "format strings (`@{name}`) are not supported by this jq subset"
            ))),
            Tok::Op("(") => {
                self.advance();
                let inner = self.nested(Self::pipe)?;
                self.expect_op(")")?;
                Ok(inner)
            }
            Tok::Op("[") => {
                self.advance();
                if self.is_op("]") {
                    self.advance();
                    return self.node(Kind::Array(None));
                }
                let inner = self.nested(Self::pipe)?;
                self.expect_op("]")?;
                self.node(Kind::Array(Some(Box::new(inner))))
            }
            Tok::Op("{") => {
                self.advance();
                self.nested(Self::object)
            }
            Tok::Var(name) => {
                self.advance();
                self.variable(&name)
            }
            Tok::Ident(name) => self.call(&name),
            _ => Err(self.unexpected()),
        }
    }

    /// Consumes a `?` that follows an index suffix.
    fn take_opt(&mut self) -> bool {
        let opt = self.is_op("?");
        if opt {
            self.pos += 1;
        }
        opt
    }

    #[inline(never)]
    fn variable(&self, name: &str) -> Result<Expr, ParseError> {
        if name == "__loc__" || name == "ENV" {
            return Err(self.err(format!("`${name}` is not supported by this jq subset")));
        }
        match self.scope.iter().rev().position(|v| v == name) {
            Some(up) => self.node(Kind::Var(up)),
            None => Err(self.err(format!("${name} is not defined"))),
        }
    }

    /// A builtin call, `true`/`false`/`null`, or a misplaced keyword.
    #[inline(never)]
    fn call(&mut self, name: &str) -> Result<Expr, ParseError> {
        if KEYWORDS.contains(&name) {
            if matches!(name, "reduce" | "foreach" | "def" | "label") {
                return Err(self.err(format!("`{name}` is not supported by this jq subset")));
            }
            return Err(self.unexpected());
        }
        let at = self.at();
        self.advance();
        let mut args = Vec::new();
        if self.is_op("(") {
            self.advance();
            loop {
                args.push(self.nested(Self::pipe)?);
                if self.is_op(";") {
                    self.advance();
                    continue;
                }
                self.expect_op(")")?;
                break;
            }
        } else {
            match name {
                "true" => return self.node(Kind::Const(Val::Bool(true))),
                "false" => return self.node(Kind::Const(Val::Bool(false))),
                "null" => return self.node(Kind::Const(Val::Null)),
                _ => {}
            }
        }
        match Builtin::lookup(name, args.len()) {
            Some(builtin) => self.node(Kind::Call(builtin, args)),
            None => Err(ParseError::at(self.text, at, unknown_call_message(name, args.len()))),
        }
    }

    /// The rest of a string literal after its opening quote.
    #[inline(never)]
    fn string(&mut self) -> Result<Expr, ParseError> {
        let mut parts = Vec::new();
        loop {
            match self.advance() {
                Tok::StrText(text) => parts.push(Part::Text(Arc::from(text))),
                Tok::InterpStart => {
                    let inner = self.nested(Self::pipe)?;
                    if self.peek() != &Tok::InterpEnd {
                        return Err(self.err(format!(
                            "syntax error: expected `)` closing the interpolation, found {}",
                            describe(self.peek())
                        )));
                    }
                    self.advance();
                    parts.push(Part::Interp(inner));
                }
                Tok::StrEnd => break,
                _ => {
                    self.pos -= 1;
                    return Err(self.unexpected());
                }
            }
        }
        if parts.iter().all(|p| matches!(p, Part::Text(_))) {
            let text: String = parts
                .iter()
                .map(|p| match p {
                    Part::Text(t) => &**t,
                    Part::Interp(_) => "",
                })
                .collect();
            return self.node(Kind::Const(Val::string(text)));
        }
        self.node(Kind::Template(parts))
    }

    /// `{` entries `}`, after the brace.
    #[inline(never)]
    fn object(&mut self) -> Result<Expr, ParseError> {
        let mut entries = Vec::new();
        while !self.is_op("}") {
            let (key, shorthand) = match self.peek().clone() {
                Tok::Var(name) => {
                    self.advance();
                    let value = self.variable(&name)?;
                    entries.push((Expr::new(Kind::Const(Val::str(&name))), value));
                    self.object_separator()?;
                    continue;
                }
                Tok::Ident(name) => {
                    self.advance();
                    let key = self.node(Kind::Const(Val::str(&name)))?;
                    let value = Expr::new(Kind::Index {
                        target: Box::new(Expr::new(Kind::Identity)),
                        key: Box::new(key.clone()),
                        opt: false,
                    });
                    (key, Some(value))
                }
                Tok::StrStart => {
                    self.advance();
                    let key = self.string()?;
                    let value = self.node(Kind::Index {
                        target: Box::new(Expr::new(Kind::Identity)),
                        key: Box::new(key.clone()),
                        opt: false,
                    })?;
                    (key, Some(value))
                }
                Tok::Op("(") => {
                    self.advance();
                    let key = self.nested(Self::pipe)?;
                    self.expect_op(")")?;
                    (key, None)
                }
                Tok::Format(name) => {
                    return Err(self.err(format!(
                        "format strings (`@{name}`) are not supported by this jq subset"
                    )));
                }
                Tok::Num(_) => return Err(self.err("syntax error: object keys must be strings; quote the key")),
                _ => return Err(self.unexpected()),
            };
            let value = if self.is_op(":") {
                self.advance();
                self.object_value()?
            } else {
                match shorthand {
                    Some(value) => value,
                    None => return Err(self.err("syntax error: expected `:` after a computed object key")),
                }
            };
            entries.push((key, value));
            self.object_separator()?;
        }
        self.advance();
        self.node(Kind::Object(entries))
    }

    /// `,` between entries (a trailing one is allowed), or the closing `}` next.
    fn object_separator(&mut self) -> Result<(), ParseError> {
        if self.is_op(",") {
            self.advance();
            Ok(())
        } else if self.is_op("}") {
            Ok(())
        } else {
            Err(self.err(format!(
                "syntax error: expected `,` or `}}` in an object, found {} (an object value is a term or a `|` of terms; wrap other expressions in parentheses)",
                describe(self.peek())
            )))
        }
    }

    /// jq's `ExpD`: `ExpD | ExpD`, `-ExpD` or a term.
    fn object_value(&mut self) -> Result<Expr, ParseError> {
        let lhs = if self.is_op("-") {
            self.advance();
            let operand = self.nested(Self::object_value)?;
            return self.node(Kind::Neg(Box::new(operand)));
        } else {
            self.postfix()?
        };
        if self.is_op("|") {
            self.advance();
            let rhs = self.nested(Self::object_value)?;
            return self.node(Kind::Pipe(Box::new(lhs), Box::new(rhs)));
        }
        Ok(lhs)
    }
}

enum Suffix {
    Index(Expr),
    Slice(Option<Expr>, Option<Expr>),
    Iterate,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_unsupported_features_by_name() {
        let message = |q: &str| parse(q).unwrap_err().message().to_owned();
        assert!(message("reduce .[] as $x (0; . + $x)").contains("reduce"));
        assert!(message("def f: 1; f").contains("def"));
        assert!(message(".a = 1").contains("assignment"));
        assert!(message("test(\"a\")").contains("regular expressions"));
        assert!(message("@base64").contains("format strings"));
        assert!(message(". as [$a] | $a").contains("destructuring"));
        assert!(message("$__loc__").contains("__loc__"));
        assert!(message("input").contains("input"));
        assert!(message("foo").contains("foo/0 is not defined"));
        assert!(message("if . then 1 end").contains("else"));
        assert!(message("$x").contains("$x is not defined"));
    }

    #[test]
    fn reports_positions() {
        let err = parse("{a: .b,\n  c: 1 + 2}").unwrap_err();
        assert_eq!((err.line(), err.column()), (2, 8));
        assert!(err.to_string().starts_with("jq: error at line 2, column 8"));
    }
}
