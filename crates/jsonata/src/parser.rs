//! Top-down operator precedence (Pratt) parsing of JSONata into a raw tree
//! that mirrors the grammar; `process` then shapes it for evaluation.
//! Binding powers, token rules and error codes are jsonata-js 2.0.6's.

use crate::error::{Error, Result, quote};
use crate::lexer::{Lexer, Tok, Token};

/// Nesting beyond this fails the parse (`U1001`) instead of the stack.
pub const MAX_DEPTH: usize = 256;

#[derive(Debug, Clone)]
pub struct Raw {
    pub kind: RawKind,
    pub position: usize,
    /// `[]` followed this step.
    pub keep_array: bool,
    /// How deeply the tree nests below (and including) this node: an
    /// operator chain (`1+1+...`) nests without nesting the parser's calls.
    pub depth: usize,
}

#[derive(Debug, Clone)]
pub enum RawKind {
    Name(String),
    Var(String),
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
    Regex {
        pattern: String,
        flags: String,
    },
    /// `and`, `or`, `in` used as operands (field names), or `?` in a call.
    Op(&'static str),
    Wildcard,
    Descendant,
    Parent,
    Binary(&'static str, Box<Raw>, Box<Raw>),
    Sort(Box<Raw>, Vec<(bool, Raw)>),
    Group(Box<Raw>, Vec<(Raw, Raw)>),
    Negate(Box<Raw>),
    Array(Vec<Raw>),
    Object(Vec<(Raw, Raw)>),
    Block(Vec<Raw>),
    Call {
        procedure: Box<Raw>,
        args: Vec<Raw>,
        partial: bool,
    },
    Lambda {
        params: Vec<String>,
        signature: Option<crate::signature::Signature>,
        body: Box<Raw>,
    },
    Condition(Box<Raw>, Box<Raw>, Option<Box<Raw>>),
    Transform(Box<Raw>, Box<Raw>, Option<Box<Raw>>),
}

impl Raw {
    fn new(kind: RawKind, position: usize) -> Self {
        Self {
            depth: 1 + children_depth(&kind),
            kind,
            position,
            keep_array: false,
        }
    }
}

/// The deepest child of a node.
fn children_depth(kind: &RawKind) -> usize {
    let d = |r: &Raw| r.depth;
    let most = |rs: &mut dyn Iterator<Item = usize>| rs.max().unwrap_or(0);
    match kind {
        RawKind::Binary(_, l, r) => d(l).max(d(r)),
        RawKind::Sort(l, terms) => d(l).max(most(&mut terms.iter().map(|(_, t)| d(t)))),
        RawKind::Group(l, pairs) => d(l).max(most(&mut pairs.iter().map(|(k, v)| d(k).max(d(v))))),
        RawKind::Negate(e) => d(e),
        RawKind::Array(items) | RawKind::Block(items) => most(&mut items.iter().map(d)),
        RawKind::Object(pairs) => most(&mut pairs.iter().map(|(k, v)| d(k).max(d(v)))),
        RawKind::Call { procedure, args, .. } => d(procedure).max(most(&mut args.iter().map(d))),
        RawKind::Lambda { body, .. } => d(body),
        RawKind::Condition(c, t, e) => d(c).max(d(t)).max(e.as_deref().map_or(0, d)),
        RawKind::Transform(p, u, x) => d(p).max(d(u)).max(x.as_deref().map_or(0, d)),
        _ => 0,
    }
}

fn too_deep(position: usize) -> Error {
    Error::new("U1001", "The expression is nested too deeply").at(position)
}

/// Left binding power of a token (0 for those that never continue an expression).
fn lbp(tok: &Tok) -> u32 {
    match tok {
        Tok::Op(op) => match *op {
            "." => 75,
            "[" | "(" | "@" | "#" => 80,
            "{" => 70,
            "?" => 20,
            "+" | "-" | "&" => 50,
            "*" | "/" | "%" => 60,
            "=" | "<" | ">" | "^" | "!=" | "<=" | ">=" | "~>" | "in" => 40,
            ":=" => 10,
            "and" => 30,
            "or" => 25,
            _ => 0,
        },
        _ => 0,
    }
}

/// Operators the parser knows (others, like `!` and `~`, stop names only).
fn known_operator(op: &str) -> bool {
    !matches!(op, "!" | "~")
}

fn describe(tok: &Tok) -> String {
    match tok {
        Tok::Op(o) => (*o).to_owned(),
        Tok::Str(s) | Tok::Name(s) => s.clone(),
        Tok::Var(v) => format!("${v}"),
        Tok::Num(n) => crate::numbers::number_to_string(*n),
        Tok::Bool(b) => b.to_string(),
        Tok::Null => "null".into(),
        Tok::Regex { pattern, .. } => format!("/{pattern}/"),
        Tok::End => "(end)".into(),
    }
}

/// A token as jsonata-js's messages show it: JSON, so text is quoted.
fn shown(tok: &Tok) -> String {
    match tok {
        Tok::Num(_) | Tok::Bool(_) | Tok::Null => describe(tok),
        _ => quote(&describe(tok)),
    }
}

pub struct Parser {
    lexer: Lexer,
    node: Token,
    depth: usize,
}

pub fn parse(src: &str) -> Result<Raw> {
    let mut p = Parser {
        lexer: Lexer::new(src),
        node: Token {
            tok: Tok::End,
            position: 0,
        },
        depth: 0,
    };
    p.advance(None, false)?;
    let expr = p.expression(0)?;
    if p.node.tok != Tok::End {
        return Err(Error::new("S0201", format!("Syntax error: {}", shown(&p.node.tok)))
            .at(p.node.position)
            .token(describe(&p.node.tok)));
    }
    Ok(expr)
}

impl Parser {
    fn is(&self, op: &str) -> bool {
        matches!(self.node.tok, Tok::Op(o) if o == op)
    }

    /// Moves to the next token, checking the current one is `expected`.
    /// `infix`: the next token follows an operand, so `/` divides.
    fn advance(&mut self, expected: Option<&str>, infix: bool) -> Result<Token> {
        if let Some(id) = expected
            && !self.is(id)
        {
            return Err(if self.node.tok == Tok::End {
                Error::new("S0203", format!("Expected {} before end of expression", quote(id)))
                    .at(self.node.position)
                    .token(id)
            } else {
                Error::new(
                    "S0202",
                    format!("Expected {}, got {}", quote(id), shown(&self.node.tok)),
                )
                .at(self.node.position)
                .token(describe(&self.node.tok))
            });
        }
        let next = self.lexer.next(!infix)?;
        if let Tok::Op(op) = next.tok
            && !known_operator(op)
        {
            return Err(Error::new("S0204", format!("Unknown operator: {}", quote(op)))
                .at(next.position)
                .token(op));
        }
        self.node = next;
        Ok(self.node.clone())
    }

    fn expression(&mut self, rbp: u32) -> Result<Raw> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(too_deep(self.node.position));
        }
        let left = stacker::maybe_grow(64 * 1024, 1024 * 1024, || {
            let t = self.node.clone();
            self.advance(None, true)?;
            let mut left = self.nud(t)?;
            while rbp < lbp(&self.node.tok) {
                let t = self.node.clone();
                self.advance(None, false)?;
                left = self.led(t, left)?;
                if left.depth > MAX_DEPTH {
                    return Err(too_deep(left.position));
                }
            }
            Ok::<_, Error>(left)
        })?;
        self.depth -= 1;
        Ok(left)
    }

    fn nud(&mut self, t: Token) -> Result<Raw> {
        let pos = t.position;
        let kind = match t.tok {
            Tok::Name(n) => RawKind::Name(n),
            Tok::Var(v) => RawKind::Var(v),
            Tok::Str(s) => RawKind::Str(s),
            Tok::Num(n) => RawKind::Num(n),
            Tok::Bool(b) => RawKind::Bool(b),
            Tok::Null => RawKind::Null,
            Tok::Regex { pattern, flags } => RawKind::Regex { pattern, flags },
            Tok::End => return Err(Error::new("S0207", "Unexpected end of expression").at(pos)),
            Tok::Op(op) => match op {
                "and" | "or" | "in" => RawKind::Op(op),
                "-" => RawKind::Negate(Box::new(self.expression(70)?)),
                "*" => RawKind::Wildcard,
                "**" => RawKind::Descendant,
                "%" => RawKind::Parent,
                "(" => {
                    let mut exprs = Vec::new();
                    while !self.is(")") {
                        exprs.push(self.expression(0)?);
                        if !self.is(";") {
                            break;
                        }
                        self.advance(Some(";"), false)?;
                    }
                    self.advance(Some(")"), true)?;
                    RawKind::Block(exprs)
                }
                "[" => {
                    let mut items = Vec::new();
                    if !self.is("]") {
                        loop {
                            let mut item = self.expression(0)?;
                            if self.is("..") {
                                let at = self.node.position;
                                self.advance(Some(".."), false)?;
                                let rhs = self.expression(0)?;
                                item = Raw::new(RawKind::Binary("..", Box::new(item), Box::new(rhs)), at);
                            }
                            items.push(item);
                            if !self.is(",") {
                                break;
                            }
                            self.advance(Some(","), false)?;
                        }
                    }
                    self.advance(Some("]"), true)?;
                    RawKind::Array(items)
                }
                "{" => RawKind::Object(self.object_pairs()?),
                "|" => {
                    let pattern = self.expression(0)?;
                    self.advance(Some("|"), false)?;
                    let update = self.expression(0)?;
                    let delete = if self.is(",") {
                        self.advance(Some(","), false)?;
                        Some(Box::new(self.expression(0)?))
                    } else {
                        None
                    };
                    self.advance(Some("|"), false)?;
                    RawKind::Transform(Box::new(pattern), Box::new(update), delete)
                }
                other => {
                    return Err(Error::new(
                        "S0211",
                        format!("The symbol {} cannot be used as a unary operator", quote(other)),
                    )
                    .at(pos)
                    .token(other));
                }
            },
        };
        Ok(Raw::new(kind, pos))
    }

    fn object_pairs(&mut self) -> Result<Vec<(Raw, Raw)>> {
        let mut pairs = Vec::new();
        if !self.is("}") {
            loop {
                let k = self.expression(0)?;
                self.advance(Some(":"), false)?;
                let v = self.expression(0)?;
                pairs.push((k, v));
                if !self.is(",") {
                    break;
                }
                self.advance(Some(","), false)?;
            }
        }
        self.advance(Some("}"), true)?;
        Ok(pairs)
    }

    fn led(&mut self, t: Token, left: Raw) -> Result<Raw> {
        let pos = t.position;
        let Tok::Op(op) = t.tok else {
            return Err(Error::new("S0201", format!("Syntax error: {}", shown(&t.tok))).at(pos));
        };
        let kind = match op {
            "(" => return self.call(left, pos),
            "[" => {
                if self.is("]") {
                    let mut left = left;
                    mark_keep_array(&mut left);
                    self.advance(Some("]"), false)?;
                    return Ok(left);
                }
                let rhs = self.expression(0)?;
                self.advance(Some("]"), true)?;
                RawKind::Binary("[", Box::new(left), Box::new(rhs))
            }
            "^" => {
                self.advance(Some("("), false)?;
                let mut terms = Vec::new();
                loop {
                    let mut descending = false;
                    if self.is("<") {
                        self.advance(Some("<"), false)?;
                    } else if self.is(">") {
                        descending = true;
                        self.advance(Some(">"), false)?;
                    }
                    terms.push((descending, self.expression(0)?));
                    if !self.is(",") {
                        break;
                    }
                    self.advance(Some(","), false)?;
                }
                self.advance(Some(")"), false)?;
                RawKind::Sort(Box::new(left), terms)
            }
            "{" => RawKind::Group(Box::new(left), self.object_pairs()?),
            ":=" => {
                if !matches!(left.kind, RawKind::Var(_)) {
                    return Err(
                        Error::new("S0212", "The left side of := must be a variable name (start with $)")
                            .at(left.position),
                    );
                }
                let rhs = self.expression(9)?;
                RawKind::Binary(":=", Box::new(left), Box::new(rhs))
            }
            "@" | "#" => {
                let rhs = self.expression(80)?;
                if !matches!(rhs.kind, RawKind::Var(_)) {
                    return Err(Error::new(
                        "S0214",
                        format!("The right side of {} must be a variable name (start with $)", quote(op)),
                    )
                    .at(rhs.position)
                    .token(op));
                }
                RawKind::Binary(op, Box::new(left), Box::new(rhs))
            }
            "?" => {
                let then = self.expression(0)?;
                let otherwise = if self.is(":") {
                    self.advance(Some(":"), false)?;
                    Some(Box::new(self.expression(0)?))
                } else {
                    None
                };
                RawKind::Condition(Box::new(left), Box::new(then), otherwise)
            }
            _ => {
                let rhs = self.expression(lbp(&Tok::Op(op)))?;
                RawKind::Binary(op, Box::new(left), Box::new(rhs))
            }
        };
        Ok(Raw::new(kind, pos))
    }

    /// `f(args)`, a partial application `f(?, x)`, or a lambda definition
    /// `function($a, $b)<sig>{ body }`.
    fn call(&mut self, procedure: Raw, pos: usize) -> Result<Raw> {
        let mut args = Vec::new();
        let mut partial = false;
        if !self.is(")") {
            loop {
                if self.is("?") {
                    partial = true;
                    args.push(Raw::new(RawKind::Op("?"), self.node.position));
                    self.advance(Some("?"), false)?;
                } else {
                    args.push(self.expression(0)?);
                }
                if !self.is(",") {
                    break;
                }
                self.advance(Some(","), false)?;
            }
        }
        self.advance(Some(")"), true)?;
        let is_lambda = matches!(&procedure.kind, RawKind::Name(n) if n == "function" || n == "\u{3bb}");
        if !is_lambda {
            return Ok(Raw::new(
                RawKind::Call {
                    procedure: Box::new(procedure),
                    args,
                    partial,
                },
                pos,
            ));
        }
        let mut params = Vec::new();
        for (i, a) in args.into_iter().enumerate() {
            match a.kind {
                RawKind::Var(v) => params.push(v),
                _ => {
                    return Err(Error::new(
                        "S0208",
                        format!(
                            "Parameter {} of function definition must be a variable name (start with $)",
                            i + 1
                        ),
                    )
                    .at(a.position));
                }
            }
        }
        let signature = if self.is("<") {
            let at = self.node.position;
            let mut depth = 1;
            let mut sig = String::from("<");
            while depth > 0 && !self.is("{") && self.node.tok != Tok::End {
                let tok = self.advance(None, false)?;
                match tok.tok {
                    Tok::Op(">") => depth -= 1,
                    Tok::Op("<") => depth += 1,
                    _ => {}
                }
                sig.push_str(&describe(&tok.tok));
            }
            self.advance(Some(">"), false)?;
            // Checked before the body, so its errors come first, as in jsonata-js.
            Some(crate::signature::Signature::parse(&sig).map_err(|e| {
                let offset = e.position.unwrap_or(0);
                e.at(at + offset)
            })?)
        } else {
            None
        };
        self.advance(Some("{"), false)?;
        let body = self.expression(0)?;
        self.advance(Some("}"), false)?;
        Ok(Raw::new(
            RawKind::Lambda {
                params,
                signature,
                body: Box::new(body),
            },
            pos,
        ))
    }
}

/// `[]` marks the innermost step of a chain of predicates.
fn mark_keep_array(r: &mut Raw) {
    match &mut r.kind {
        RawKind::Binary("[", lhs, _) => mark_keep_array(lhs),
        _ => r.keep_array = true,
    }
}
