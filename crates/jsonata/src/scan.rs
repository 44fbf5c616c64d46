//! What an expression refers to, found without evaluating it: the field
//! names it reads from the input it is given (its top level), whether it
//! reads the root context (`$$`), and the members it reads of each
//! variable (`$states.result`). Step Functions checks these when a state
//! machine is created.

use crate::ast::{Kind, Node, Stage};

/// The references of one expression, each listed once in order of appearance.
#[derive(Debug, Default, PartialEq)]
pub struct References {
    /// Field names read from the expression's own input (`phone` in
    /// `phone.number`), not from a step's or a predicate's context.
    pub top_level_fields: Vec<String>,
    /// `$$` appears.
    pub root_context: bool,
    /// `($var, member)` for each `$var.member` path.
    pub variable_members: Vec<(String, String)>,
}

impl References {
    fn field(&mut self, name: &str) {
        if !self.top_level_fields.iter().any(|f| f == name) {
            self.top_level_fields.push(name.to_owned());
        }
    }

    fn member(&mut self, var: &str, member: &str) {
        if !self.variable_members.iter().any(|(v, m)| v == var && m == member) {
            self.variable_members.push((var.to_owned(), member.to_owned()));
        }
    }
}

/// Walks `node`; `top` says whether it is evaluated against the expression's
/// input. Recursion follows the tree, whose depth the parser bounds.
pub fn walk(node: &Node, top: bool, out: &mut References) {
    match &node.kind {
        Kind::Name(name) if top => out.field(name),
        Kind::Var(name) if &**name == "$" => out.root_context = true,
        Kind::Path(steps) => {
            if let [first, second, ..] = steps.as_slice()
                && let (Kind::Var(var), Kind::Name(member)) = (&first.kind, &second.kind)
            {
                out.member(var, member);
            }
            for (i, step) in steps.iter().enumerate() {
                // Later steps read what the step before produced.
                walk(step, top && i == 0, out);
            }
        }
        Kind::Binary(_, l, r) | Kind::Apply(l, r) => {
            walk(l, top, out);
            walk(r, top, out);
        }
        Kind::Negate(e) | Kind::Bind(_, e) => walk(e, top, out),
        Kind::Array(items) | Kind::Block(items) => items.iter().for_each(|i| walk(i, top, out)),
        Kind::Object(pairs) => pairs.iter().for_each(|(k, v)| {
            walk(k, top, out);
            walk(v, top, out);
        }),
        Kind::Condition(c, t, e) => {
            walk(c, top, out);
            walk(t, top, out);
            if let Some(e) = e {
                walk(e, top, out);
            }
        }
        Kind::Call { procedure, args, .. } => {
            walk(procedure, top, out);
            args.iter().for_each(|a| walk(a, top, out));
        }
        // A function's body reads the context of the expression that defines it.
        Kind::Lambda(def) => walk(&def.body, top, out),
        // The pattern, update and delete read the object being transformed.
        Kind::Transform {
            pattern,
            update,
            delete,
        } => {
            walk(pattern, false, out);
            walk(update, false, out);
            if let Some(d) = delete {
                walk(d, false, out);
            }
        }
        Kind::Sort(terms) => terms.iter().for_each(|t| walk(&t.expr, false, out)),
        _ => {}
    }
    // Predicates, grouping and sorting read each item, not the input.
    for stage in &node.stages {
        if let Stage::Filter(f) = stage {
            walk(f, false, out);
        }
    }
    node.predicates.iter().for_each(|p| walk(p, false, out));
    if let Some(group) = &node.group {
        group.iter().for_each(|(k, v)| {
            walk(k, false, out);
            walk(v, false, out);
        });
    }
}
