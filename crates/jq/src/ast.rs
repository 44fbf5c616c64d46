//! The parsed query: a tree of expressions, each knowing its height and how much
//! deeper than its input the values it builds can nest.
//!
//! Both numbers are computed as a node is built from its children (no recursion), and
//! the parser rejects queries whose root exceeds the limits: the height bounds the
//! evaluator's recursion, the growth bounds the depth of every value a run creates and
//! so the recursion of comparing, printing and dropping them.

use std::sync::Arc;

use crate::builtins::Builtin;
use crate::value::Val;

#[derive(Debug, Clone)]
pub(crate) struct Expr {
    pub(crate) kind: Kind,
    /// 1 for a leaf, 1 + the tallest child otherwise.
    pub(crate) height: usize,
    /// How many levels deeper than the input any value built while evaluating this
    /// node can be (see [`Expr::new`] for the rules).
    pub(crate) grow: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone)]
pub(crate) enum Part {
    Text(Arc<str>),
    Interp(Expr),
}

#[derive(Debug, Clone)]
pub(crate) enum Kind {
    /// `.`
    Identity,
    /// `..`
    RecurseAll,
    /// A number, string without interpolation, `true`, `false` or `null`.
    Const(Val),
    /// A string with `\(...)` interpolations.
    Template(Vec<Part>),
    /// `T.key`, `T[key]`; with `opt` (`T.key?`) only the indexing's own error is dropped.
    Index {
        target: Box<Expr>,
        key: Box<Expr>,
        opt: bool,
    },
    /// `T[from:to]`
    Slice {
        target: Box<Expr>,
        from: Option<Box<Expr>>,
        to: Option<Box<Expr>>,
        opt: bool,
    },
    /// `T[]`
    Iterate {
        target: Box<Expr>,
        opt: bool,
    },
    Pipe(Box<Expr>, Box<Expr>),
    Comma(Box<Expr>, Box<Expr>),
    /// Unary minus.
    Neg(Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    /// `a // b`
    Alt(Box<Expr>, Box<Expr>),
    /// `if c1 then t1 elif c2 then t2 ... else e end`
    If {
        branches: Vec<(Expr, Expr)>,
        otherwise: Box<Expr>,
    },
    /// `try body catch handler`, `try body`, `body?`
    Try {
        body: Box<Expr>,
        handler: Option<Box<Expr>>,
    },
    /// `source as $x | body`
    Bind {
        source: Box<Expr>,
        body: Box<Expr>,
    },
    /// A variable, as a count of bindings to skip outwards (0 = the innermost).
    Var(usize),
    /// `[e]` or `[]`
    Array(Option<Box<Expr>>),
    /// `{k: v, ...}`, shorthands already expanded.
    Object(Vec<(Expr, Expr)>),
    Call(Builtin, Vec<Expr>),
}

impl Expr {
    /// Builds a node, working out its height and growth from its children:
    /// - constructors (`[...]`, `{...}`) add a level to what they hold;
    /// - sequencing (`|`, `as`, `try`/`catch`) adds up the parts, since each part's
    ///   output feeds the next;
    /// - everything else takes the largest of its parts (a comparison, `,` or `if`
    ///   outputs what one of its parts built, or something flat);
    /// - builtins add [`Builtin::growth`] to their arguments' largest growth.
    pub(crate) fn new(kind: Kind) -> Expr {
        let mut children: Vec<&Expr> = Vec::new();
        // `elif` chains recurse once per branch when evaluated.
        let extra_height = match &kind {
            Kind::If { branches, .. } => branches.len(),
            _ => 0,
        };
        let grow = match &kind {
            Kind::Identity | Kind::RecurseAll | Kind::Const(_) | Kind::Var(_) => 0,
            Kind::Template(parts) => {
                children.extend(parts.iter().filter_map(|p| match p {
                    Part::Interp(e) => Some(e),
                    Part::Text(_) => None,
                }));
                max_grow(&children)
            }
            Kind::Index { target, key, .. } => {
                children.extend([&**target, &**key]);
                max_grow(&children)
            }
            Kind::Slice { target, from, to, .. } => {
                children.push(target);
                children.extend(from.iter().map(|e| &**e));
                children.extend(to.iter().map(|e| &**e));
                max_grow(&children)
            }
            Kind::Iterate { target, .. } | Kind::Neg(target) => {
                children.push(target);
                target.grow
            }
            Kind::Binary(_, a, b) | Kind::And(a, b) | Kind::Or(a, b) | Kind::Alt(a, b) | Kind::Comma(a, b) => {
                children.extend([&**a, &**b]);
                max_grow(&children)
            }
            Kind::Pipe(a, b) | Kind::Bind { source: a, body: b } => {
                children.extend([&**a, &**b]);
                a.grow.saturating_add(b.grow)
            }
            Kind::Try { body, handler } => {
                children.push(body);
                children.extend(handler.iter().map(|e| &**e));
                body.grow.saturating_add(handler.as_ref().map_or(0, |h| h.grow))
            }
            Kind::If { branches, otherwise } => {
                for (cond, then) in branches {
                    children.extend([cond, then]);
                }
                children.push(otherwise);
                max_grow(&children)
            }
            Kind::Array(inner) => {
                children.extend(inner.iter().map(|e| &**e));
                max_grow(&children).saturating_add(1)
            }
            Kind::Object(entries) => {
                for (key, value) in entries {
                    children.extend([key, value]);
                }
                max_grow(&children).saturating_add(1)
            }
            Kind::Call(builtin, args) => {
                children.extend(args.iter());
                max_grow(&children).saturating_add(builtin.growth())
            }
        };
        let height = children.iter().map(|c| c.height).max().unwrap_or(0) + 1 + extra_height;
        Expr { kind, height, grow }
    }
}

fn max_grow(children: &[&Expr]) -> usize {
    children.iter().map(|c| c.grow).max().unwrap_or(0)
}
