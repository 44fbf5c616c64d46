//! From the raw parse tree to the evaluated one (jsonata's `processAST`):
//! `a.b.c` becomes one path of steps; predicates, `@`/`#` bindings, sorts
//! and groups attach to the step they follow; tail calls in lambdas become
//! thunks; parent (`%`) references are resolved to the step whose input
//! they name.

use std::rc::Rc;

use crate::ast::{BinOp, Kind, LambdaDef, Node, SortTerm, Stage};
use crate::error::{Error, Result};
use crate::parser::{Raw, RawKind};

struct SlotState {
    label: usize,
    level: i64,
}

pub struct Processor {
    slots: Vec<SlotState>,
    next_label: usize,
}

/// A processed expression and the labels its parent slots resolve to.
pub struct Processed {
    pub root: Node,
    pub labels: Vec<Rc<str>>,
}

pub fn process(raw: Raw) -> Result<Processed> {
    let mut p = Processor {
        slots: Vec::new(),
        next_label: 0,
    };
    let root = p.process(raw)?;
    if matches!(root.kind, Kind::Parent(_)) || !root.seeking_parent.is_empty() {
        return Err(parent_error(&root));
    }
    let labels = p.slots.iter().map(|s| Rc::from(format!("!{}", s.label))).collect();
    Ok(Processed { root, labels })
}

fn kind_name(n: &Node) -> &'static str {
    match n.kind {
        Kind::Path(_) => "path",
        Kind::Binary(..) => "binary",
        Kind::Negate(_) | Kind::Array(_) | Kind::Object(_) => "unary",
        Kind::Name(_) => "name",
        Kind::Str(_) => "string",
        Kind::Num(_) => "number",
        Kind::Bool(_) | Kind::Null => "value",
        Kind::Regex(_) => "regex",
        Kind::Wildcard => "wildcard",
        Kind::Descendants => "descendant",
        Kind::Parent(_) => "parent",
        Kind::Var(_) => "variable",
        Kind::Condition(..) => "condition",
        Kind::Block(_) => "block",
        Kind::Bind(..) => "bind",
        Kind::Call { partial: false, .. } => "function",
        Kind::Call { partial: true, .. } => "partial",
        Kind::Placeholder => "operator",
        Kind::Lambda(_) => "lambda",
        Kind::Apply(..) => "apply",
        Kind::Transform { .. } => "transform",
        Kind::Sort(_) => "sort",
    }
}

fn parent_error(n: &Node) -> Error {
    Error::new(
        "S0217",
        "The object representing the 'parent' cannot be derived from this expression",
    )
    .at(n.position)
    .token(kind_name(n))
}

fn path(steps: Vec<Node>, position: usize) -> Node {
    Node::new(Kind::Path(steps), position)
}

/// The node a predicate or binding attaches to: a path's last step, or the node itself.
fn target(n: &mut Node) -> &mut Node {
    let len = match &n.kind {
        Kind::Path(steps) => steps.len(),
        _ => 0,
    };
    if len == 0 {
        return n;
    }
    match &mut n.kind {
        Kind::Path(steps) => &mut steps[len - 1],
        _ => unreachable!("checked to be a path above"),
    }
}

fn binop(op: &str) -> Option<BinOp> {
    Some(match op {
        "+" => BinOp::Add,
        "-" => BinOp::Sub,
        "*" => BinOp::Mul,
        "/" => BinOp::Div,
        "%" => BinOp::Mod,
        "=" => BinOp::Eq,
        "!=" => BinOp::Ne,
        "<" => BinOp::Lt,
        "<=" => BinOp::Le,
        ">" => BinOp::Gt,
        ">=" => BinOp::Ge,
        "&" => BinOp::Concat,
        "and" => BinOp::And,
        "or" => BinOp::Or,
        "in" => BinOp::In,
        ".." => BinOp::Range,
        _ => return None,
    })
}

/// Adds the unresolved parent slots of `value` to `result`.
fn push_ancestry(result: &mut Node, value: &Node) {
    result.seeking_parent.extend(value.seeking_parent.iter().copied());
    if let Kind::Parent(slot) = value.kind {
        result.seeking_parent.push(slot);
    }
}

/// A call in tail position of a lambda body becomes a thunk, which the
/// caller's trampoline runs: tail recursion does not grow the stack.
fn tail_call_optimize(mut n: Node) -> Node {
    match &mut n.kind {
        Kind::Call { partial: false, .. } if n.predicates.is_empty() => {
            let position = n.position;
            let mut thunk = Node::new(
                Kind::Lambda(Rc::new(LambdaDef {
                    params: Vec::new(),
                    signature: None,
                    body: n,
                })),
                position,
            );
            thunk.thunk = true;
            thunk
        }
        Kind::Condition(_, then, otherwise) => {
            let t = std::mem::replace(then.as_mut(), Node::new(Kind::Null, 0));
            **then = tail_call_optimize(t);
            if let Some(e) = otherwise {
                let x = std::mem::replace(e.as_mut(), Node::new(Kind::Null, 0));
                **e = tail_call_optimize(x);
            }
            n
        }
        Kind::Block(exprs) => {
            if let Some(last) = exprs.pop() {
                exprs.push(tail_call_optimize(last));
            }
            n
        }
        _ => n,
    }
}

impl Processor {
    fn new_slot(&mut self) -> usize {
        let label = self.next_label;
        self.next_label += 1;
        self.slots.push(SlotState { label, level: 1 });
        self.slots.len() - 1
    }

    fn seek_parent(&mut self, node: &mut Node, slot: usize) -> Result<()> {
        match &mut node.kind {
            Kind::Name(_) | Kind::Wildcard => {
                self.slots[slot].level -= 1;
                if self.slots[slot].level == 0 {
                    if let Some(existing) = node.ancestor {
                        // The step already feeds another parent: share its label.
                        self.slots[slot].label = self.slots[existing].label;
                    }
                    node.ancestor = Some(slot);
                }
            }
            Kind::Parent(_) => self.slots[slot].level += 1,
            Kind::Block(exprs) => {
                if let Some(last) = exprs.last_mut() {
                    node.tuple = true;
                    self.seek_parent(last, slot)?;
                }
            }
            Kind::Path(steps) => {
                node.tuple = true;
                let mut index = steps.len() as isize - 1;
                if index >= 0 {
                    self.seek_parent(&mut steps[index as usize], slot)?;
                    index -= 1;
                }
                while self.slots[slot].level > 0 && index >= 0 {
                    self.seek_parent(&mut steps[index as usize], slot)?;
                    index -= 1;
                }
            }
            _ => return Err(parent_error(node)),
        }
        Ok(())
    }

    fn resolve_ancestry(&mut self, p: &mut Node) -> Result<()> {
        let Kind::Path(steps) = &mut p.kind else {
            return Ok(());
        };
        let Some(last) = steps.last() else { return Ok(()) };
        let mut slots = last.seeking_parent.clone();
        if let Kind::Parent(s) = last.kind {
            slots.push(s);
        }
        let mut unresolved = Vec::new();
        for slot in slots {
            let mut index = steps.len() as isize - 2;
            while self.slots[slot].level > 0 {
                if index < 0 {
                    unresolved.push(slot);
                    break;
                }
                let mut step = index as usize;
                index -= 1;
                // Contiguous steps that bind a focus variable count as one.
                while index >= 0 && steps[step].focus.is_some() && steps[index as usize].focus.is_some() {
                    step = index as usize;
                    index -= 1;
                }
                self.seek_parent(&mut steps[step], slot)?;
            }
        }
        p.seeking_parent.extend(unresolved);
        Ok(())
    }

    fn process(&mut self, raw: Raw) -> Result<Node> {
        // As deep as the parse, which is bounded; the stack may still be small.
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.process_node(raw))
    }

    fn process_node(&mut self, raw: Raw) -> Result<Node> {
        let keep = raw.keep_array;
        let pos = raw.position;
        let mut result = match raw.kind {
            RawKind::Binary(".", l, r) => self.dot(*l, *r, pos)?,
            RawKind::Binary("[", l, r) => {
                let mut result = self.process(*l)?;
                let is_path = matches!(result.kind, Kind::Path(_));
                let mut predicate = self.process(*r)?;
                let step = target(&mut result);
                if step.group.is_some() {
                    return Err(
                        Error::new("S0209", "A predicate cannot follow a grouping expression in a step").at(pos),
                    );
                }
                let seeking = std::mem::take(&mut predicate.seeking_parent);
                for slot in &seeking {
                    if self.slots[*slot].level == 1 {
                        self.seek_parent(step, *slot)?;
                    } else {
                        self.slots[*slot].level -= 1;
                    }
                }
                step.seeking_parent.extend(seeking);
                if is_path {
                    step.stages.push(Stage::Filter(predicate));
                } else {
                    step.predicates.push(predicate);
                }
                result
            }
            RawKind::Group(l, pairs) => {
                let mut result = self.process(*l)?;
                if result.group.is_some() {
                    return Err(Error::new("S0210", "Each step can only have one grouping expression").at(pos));
                }
                let mut out = Vec::new();
                for (k, v) in pairs {
                    out.push((self.process(k)?, self.process(v)?));
                }
                result.group = Some(Rc::new(out));
                result
            }
            RawKind::Sort(l, terms) => {
                let mut result = self.process(*l)?;
                if !matches!(result.kind, Kind::Path(_)) {
                    result = path(vec![result], pos);
                }
                let mut sort = Node::new(Kind::Sort(Vec::new()), pos);
                let mut out = Vec::new();
                for (descending, t) in terms {
                    let expr = self.process(t)?;
                    push_ancestry(&mut sort, &expr);
                    out.push(SortTerm { descending, expr });
                }
                sort.kind = Kind::Sort(out);
                if let Kind::Path(steps) = &mut result.kind {
                    steps.push(sort);
                }
                self.resolve_ancestry(&mut result)?;
                result
            }
            RawKind::Binary(":=", l, r) => {
                let RawKind::Var(name) = l.kind else {
                    return Err(
                        Error::new("S0212", "The left side of := must be a variable name (start with $)").at(pos),
                    );
                };
                let rhs = self.process(*r)?;
                let mut result = Node::new(Kind::Null, pos);
                push_ancestry(&mut result, &rhs);
                result.kind = Kind::Bind(name.into(), Box::new(rhs));
                result
            }
            RawKind::Binary("@", l, r) => {
                let var = match r.kind {
                    RawKind::Var(v) => v,
                    _ => {
                        return Err(
                            Error::new("S0214", "The right side of @ must be a variable name (start with $)").at(pos),
                        );
                    }
                };
                let mut result = self.process(*l)?;
                let step = target(&mut result);
                if !step.stages.is_empty() || !step.predicates.is_empty() {
                    return Err(Error::new(
                        "S0215",
                        "A context variable binding must precede any predicates on a step",
                    )
                    .at(pos));
                }
                if matches!(step.kind, Kind::Sort(_)) {
                    return Err(Error::new(
                        "S0216",
                        "A context variable binding must precede the 'order-by' clause on a step",
                    )
                    .at(pos));
                }
                if keep {
                    step.keep_array = true;
                }
                step.focus = Some(var.into());
                step.tuple = true;
                result
            }
            RawKind::Binary("#", l, r) => {
                let var: Rc<str> = match r.kind {
                    RawKind::Var(v) => v.into(),
                    _ => {
                        return Err(
                            Error::new("S0214", "The right side of # must be a variable name (start with $)").at(pos),
                        );
                    }
                };
                let mut result = self.process(*l)?;
                if !matches!(result.kind, Kind::Path(_)) {
                    let mut step = result;
                    let preds = std::mem::take(&mut step.predicates);
                    step.stages.extend(preds.into_iter().map(Stage::Filter));
                    result = path(vec![step], pos);
                }
                let step = target(&mut result);
                if step.stages.is_empty() {
                    step.index = Some(var);
                } else {
                    step.stages.push(Stage::Index(var));
                }
                step.tuple = true;
                result
            }
            RawKind::Binary("~>", l, r) => {
                let lhs = self.process(*l)?;
                let rhs = self.process(*r)?;
                Node::new(Kind::Apply(Box::new(lhs), Box::new(rhs)), pos)
            }
            RawKind::Binary(op, l, r) => {
                let lhs = self.process(*l)?;
                let rhs = self.process(*r)?;
                let Some(op) = binop(op) else {
                    return Err(
                        Error::new("S0201", format!("Syntax error: {}", crate::error::quote(op)))
                            .at(pos)
                            .token(op),
                    );
                };
                let mut result = Node::new(Kind::Null, pos);
                push_ancestry(&mut result, &lhs);
                push_ancestry(&mut result, &rhs);
                result.kind = Kind::Binary(op, Box::new(lhs), Box::new(rhs));
                result
            }
            RawKind::Array(items) => {
                let mut result = Node::new(Kind::Null, pos);
                let mut out = Vec::new();
                for i in items {
                    let v = self.process(i)?;
                    push_ancestry(&mut result, &v);
                    out.push(v);
                }
                result.kind = Kind::Array(out);
                result
            }
            RawKind::Object(pairs) => {
                let mut result = Node::new(Kind::Null, pos);
                let mut out = Vec::new();
                for (k, v) in pairs {
                    let k = self.process(k)?;
                    push_ancestry(&mut result, &k);
                    let v = self.process(v)?;
                    push_ancestry(&mut result, &v);
                    out.push((k, v));
                }
                result.kind = Kind::Object(out);
                result
            }
            RawKind::Negate(e) => {
                let e = self.process(*e)?;
                if let Kind::Num(n) = e.kind {
                    let mut lit = e;
                    lit.kind = Kind::Num(-n);
                    lit
                } else {
                    let mut result = Node::new(Kind::Null, pos);
                    push_ancestry(&mut result, &e);
                    result.kind = Kind::Negate(Box::new(e));
                    result
                }
            }
            RawKind::Call {
                procedure,
                args,
                partial,
            } => {
                let mut result = Node::new(Kind::Null, pos);
                let mut out = Vec::new();
                for a in args {
                    let a = self.process(a)?;
                    push_ancestry(&mut result, &a);
                    out.push(a);
                }
                let procedure = self.process(*procedure)?;
                result.kind = Kind::Call {
                    procedure: Box::new(procedure),
                    args: out,
                    partial,
                };
                result
            }
            RawKind::Lambda {
                params,
                signature,
                body,
            } => {
                let body = tail_call_optimize(self.process(*body)?);
                Node::new(
                    Kind::Lambda(Rc::new(LambdaDef {
                        params: params.into_iter().map(Rc::from).collect(),
                        signature,
                        body,
                    })),
                    pos,
                )
            }
            RawKind::Condition(c, t, e) => {
                let mut result = Node::new(Kind::Null, pos);
                let c = self.process(*c)?;
                push_ancestry(&mut result, &c);
                let t = self.process(*t)?;
                push_ancestry(&mut result, &t);
                let e = match e {
                    Some(e) => {
                        let e = self.process(*e)?;
                        push_ancestry(&mut result, &e);
                        Some(Box::new(e))
                    }
                    None => None,
                };
                result.kind = Kind::Condition(Box::new(c), Box::new(t), e);
                result
            }
            RawKind::Transform(p, u, d) => {
                let pattern = Box::new(self.process(*p)?);
                let update = Box::new(self.process(*u)?);
                let delete = match d {
                    Some(d) => Some(Box::new(self.process(*d)?)),
                    None => None,
                };
                Node::new(
                    Kind::Transform {
                        pattern,
                        update,
                        delete,
                    },
                    pos,
                )
            }
            RawKind::Block(exprs) => {
                let mut result = Node::new(Kind::Null, pos);
                let mut out = Vec::new();
                for e in exprs {
                    let part = self.process(e)?;
                    push_ancestry(&mut result, &part);
                    let cons = part.cons_array
                        || matches!(&part.kind, Kind::Path(steps) if steps.first().is_some_and(|s| s.cons_array));
                    if cons {
                        result.cons_array = true;
                    }
                    out.push(part);
                }
                result.kind = Kind::Block(out);
                result
            }
            RawKind::Name(n) => {
                let mut step = Node::new(Kind::Name(n.into()), pos);
                step.keep_array = keep;
                let mut p = path(vec![step], pos);
                p.keep_singleton_array = keep;
                p
            }
            RawKind::Op(op @ ("and" | "or" | "in")) => {
                let mut step = Node::new(Kind::Name(op.into()), pos);
                step.keep_array = keep;
                let mut p = path(vec![step], pos);
                p.keep_singleton_array = keep;
                p
            }
            RawKind::Op("?") => Node::new(Kind::Placeholder, pos),
            RawKind::Op(op) => {
                return Err(
                    Error::new("S0201", format!("Syntax error: {}", crate::error::quote(op)))
                        .at(pos)
                        .token(op),
                );
            }
            RawKind::Parent => {
                let slot = self.new_slot();
                Node::new(Kind::Parent(slot), pos)
            }
            RawKind::Str(s) => Node::new(Kind::Str(s.into()), pos),
            RawKind::Num(n) => Node::new(Kind::Num(n), pos),
            RawKind::Bool(b) => Node::new(Kind::Bool(b), pos),
            RawKind::Null => Node::new(Kind::Null, pos),
            RawKind::Wildcard => Node::new(Kind::Wildcard, pos),
            RawKind::Descendant => Node::new(Kind::Descendants, pos),
            RawKind::Var(v) => Node::new(Kind::Var(v.into()), pos),
            RawKind::Regex { pattern, flags } => Node::new(
                Kind::Regex(Rc::new(
                    crate::regex::Pattern::new(&pattern, &flags).map_err(|e| e.at(pos))?,
                )),
                pos,
            ),
        };
        if keep {
            result.keep_array = true;
        }
        Ok(result)
    }

    /// `lhs.rhs`: one path of all the steps.
    fn dot(&mut self, l: Raw, r: Raw, pos: usize) -> Result<Node> {
        let lstep = self.process(l)?;
        let mut result = if matches!(lstep.kind, Kind::Path(_)) {
            lstep
        } else {
            let slot = match lstep.kind {
                Kind::Parent(s) => Some(s),
                _ => None,
            };
            let mut p = path(vec![lstep], pos);
            p.seeking_parent.extend(slot);
            p
        };
        let mut rest = self.process(r)?;
        let Kind::Path(steps) = &mut result.kind else {
            return Ok(result);
        };
        if let Kind::Path(more) = &mut rest.kind {
            steps.append(more);
        } else {
            let preds = std::mem::take(&mut rest.predicates);
            rest.stages.extend(preds.into_iter().map(Stage::Filter));
            steps.push(rest);
        }
        for step in steps.iter_mut() {
            match &step.kind {
                Kind::Num(n) => {
                    let v = crate::numbers::number_to_string(*n);
                    return Err(literal_step(&v, step.position));
                }
                Kind::Bool(b) => return Err(literal_step(&b.to_string(), step.position)),
                Kind::Null => return Err(literal_step("null", step.position)),
                Kind::Str(s) => step.kind = Kind::Name(Rc::clone(s)),
                _ => {}
            }
        }
        if steps.iter().any(|s| s.keep_array) {
            result.keep_singleton_array = true;
        }
        if let Kind::Path(steps) = &mut result.kind {
            if let Some(first) = steps.first_mut()
                && matches!(first.kind, Kind::Array(_))
            {
                first.cons_array = true;
            }
            if let Some(last) = steps.last_mut()
                && matches!(last.kind, Kind::Array(_))
            {
                last.cons_array = true;
            }
        }
        self.resolve_ancestry(&mut result)?;
        Ok(result)
    }
}

fn literal_step(value: &str, position: usize) -> Error {
    Error::new(
        "S0213",
        format!("The literal value {value} cannot be used as a step within a path expression"),
    )
    .at(position)
    .token(value)
}
