//! The transform operator `| pattern | update [, delete] |` applied to one
//! value: a deep copy whose objects matched by `pattern` get `update`'s
//! fields merged in and `delete`'s fields removed.
//!
//! jsonata-js mutates the copy in place; values here are shared and
//! immutable, so the edits are keyed by the identity of each matched
//! object in the copy and applied while rebuilding it.

use std::collections::HashMap;
use std::rc::Rc;

use crate::ast::{Kind, Node};
use crate::error::{Error, Result};
use crate::eval::{Env, Evaluator, items};
use crate::functions::deep_clone as collections_clone;
use crate::value::{Array, Obj, Object, Value};

#[derive(Default)]
struct Edit {
    set: Vec<(Rc<str>, Value)>,
    delete: Vec<Rc<str>>,
}

pub fn run(ev: &mut Evaluator<'_>, node: &Node, env: &Env, obj: Value) -> Result<Value> {
    let Kind::Transform {
        pattern,
        update,
        delete,
    } = &node.kind
    else {
        return Ok(obj);
    };
    if obj.is_undefined() {
        return Ok(Value::Undefined);
    }
    let copy = collections_clone(&obj);
    let matches = ev.evaluate(pattern, &copy, env)?;
    let mut edits: HashMap<*const Obj, Edit> = HashMap::new();
    for m in items(&matches) {
        let Value::Object(target) = &m else { continue };
        let upd = ev.evaluate(update, &m, env)?;
        let edit = edits.entry(Rc::as_ptr(target)).or_default();
        match &upd {
            Value::Undefined => {}
            Value::Object(u) => edit.set.extend(u.iter().map(|(k, v)| (Rc::clone(k), v.clone()))),
            _ => {
                return Err(Error::new(
                    "T2011",
                    format!(
                        "The insert/update clause of the transform expression must evaluate to an object: {}",
                        crate::functions::json_of(&upd)
                    ),
                )
                .at(update.position));
            }
        }
        if let Some(d) = delete {
            let del = ev.evaluate(d, &m, env)?;
            if !del.is_undefined() {
                let names = items(&del);
                if !names.iter().all(|n| matches!(n, Value::String(_))) {
                    return Err(Error::new(
                        "T2012",
                        format!(
                            "The delete clause of the transform expression must evaluate to a string or array of strings: {}",
                            crate::functions::json_of(&del)
                        ),
                    )
                    .at(d.position));
                }
                let edit = edits.entry(Rc::as_ptr(target)).or_default();
                edit.delete.extend(names.into_iter().filter_map(|n| match n {
                    Value::String(s) => Some(s),
                    _ => None,
                }));
            }
        }
    }
    Ok(rebuild(&copy, &edits))
}

fn rebuild(v: &Value, edits: &HashMap<*const Obj, Edit>) -> Value {
    match v {
        Value::Array(a) => Value::Array(Rc::new(Array::new(
            a.items.iter().map(|i| rebuild(i, edits)).collect(),
            a.flags(),
        ))),
        Value::Object(o) => {
            let mut out: Object = o.iter().map(|(k, x)| (Rc::clone(k), rebuild(x, edits))).collect();
            if let Some(e) = edits.get(&Rc::as_ptr(o)) {
                for (k, x) in &e.set {
                    out.insert(Rc::clone(k), x.clone());
                }
                for k in &e.delete {
                    out.shift_remove(k);
                }
            }
            Value::object(out)
        }
        other => other.clone(),
    }
}
