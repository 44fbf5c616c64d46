//! JSONata's values: JSON's, plus `undefined` (nothing), functions, and the
//! flags JSONata keeps on arrays (a sequence of results, to be flattened
//! and unwrapped when single, versus an array the data or a constructor
//! made).

use std::cell::Cell;
use std::rc::Rc;

use indexmap::IndexMap;

use crate::functions::Builtin;
use crate::regex::Pattern;

pub type Object = IndexMap<Rc<str>, Value>;

/// An object, with how deeply it nests (so deep values are refused before
/// walking or dropping them could exhaust the stack).
pub struct Obj {
    map: Object,
    depth: u32,
}

impl std::ops::Deref for Obj {
    type Target = Object;
    fn deref(&self) -> &Object {
        &self.map
    }
}

impl Obj {
    pub fn map(&self) -> &Object {
        &self.map
    }
}

fn depth_of(values: impl Iterator<Item = u32>) -> u32 {
    values.max().unwrap_or(0).saturating_add(1)
}

#[derive(Clone, Default)]
pub enum Value {
    #[default]
    Undefined,
    Null,
    Bool(bool),
    Number(f64),
    String(Rc<str>),
    Array(Rc<Array>),
    Object(Rc<Obj>),
    Function(Rc<Func>),
}

pub const SEQUENCE: u8 = 1;
pub const KEEP_SINGLETON: u8 = 2;
/// Made by an array constructor: not flattened into a path's results.
pub const CONS: u8 = 4;
/// The whole input was an array (so `$` means its first item's context).
pub const OUTER_WRAPPER: u8 = 8;
pub const TUPLE_STREAM: u8 = 16;

pub struct Array {
    pub items: Vec<Value>,
    flags: Cell<u8>,
    depth: u32,
}

impl Array {
    pub fn new(items: Vec<Value>, flags: u8) -> Self {
        Self {
            depth: depth_of(items.iter().map(Value::depth)),
            items,
            flags: Cell::new(flags),
        }
    }

    pub fn has(&self, flag: u8) -> bool {
        self.flags.get() & flag != 0
    }

    pub fn set(&self, flag: u8) {
        self.flags.set(self.flags.get() | flag);
    }

    pub fn flags(&self) -> u8 {
        self.flags.get()
    }
}

/// What a function value is.
pub enum Func {
    Lambda(crate::eval::Closure),
    Builtin(&'static Builtin),
    /// `f(?, x)`: the function and its arguments, `None` where a `?` stands.
    Partial(Value, Vec<Option<Value>>),
    Regex(Rc<Pattern>),
    /// A function made by the evaluator: `f ~> g` composed, a transform
    /// (`|pattern|update|`), a match object's `next`.
    Native(crate::eval::Native),
}

impl Value {
    pub fn string(s: impl Into<Rc<str>>) -> Self {
        Self::String(s.into())
    }

    pub fn array(items: Vec<Value>) -> Self {
        Self::Array(Rc::new(Array::new(items, 0)))
    }

    pub fn sequence(items: Vec<Value>) -> Self {
        Self::Array(Rc::new(Array::new(items, SEQUENCE)))
    }

    pub fn object(map: Object) -> Self {
        Self::Object(Rc::new(Obj {
            depth: depth_of(map.values().map(Value::depth)),
            map,
        }))
    }

    /// JSON as JSONata holds it.
    pub fn from_json(v: &serde_json::Value) -> Self {
        crate::json::from_json(v)
    }

    /// An object of these members, in this order.
    pub fn object_of<'k>(members: impl IntoIterator<Item = (&'k str, Value)>) -> Self {
        Self::object(members.into_iter().map(|(k, v)| (Rc::from(k), v)).collect())
    }

    /// How many arrays and objects nest here (0 for a scalar).
    pub fn depth(&self) -> u32 {
        match self {
            Self::Array(a) => a.depth,
            Self::Object(o) => o.depth,
            _ => 0,
        }
    }

    pub fn is_undefined(&self) -> bool {
        matches!(self, Self::Undefined)
    }

    pub fn is_function(&self) -> bool {
        matches!(self, Self::Function(_))
    }

    pub fn as_array(&self) -> Option<&Rc<Array>> {
        match self {
            Self::Array(a) => Some(a),
            _ => None,
        }
    }

    pub fn is_sequence(&self) -> bool {
        matches!(self, Self::Array(a) if a.has(SEQUENCE))
    }

    /// A number that is not NaN or infinite (JSONata's `isNumeric`).
    pub fn as_number(&self) -> Option<f64> {
        match self {
            Self::Number(n) if n.is_finite() => Some(*n),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::String(s) => Some(s),
            _ => None,
        }
    }

    /// JSONata's type names (`$type`).
    pub fn type_name(&self) -> Option<&'static str> {
        Some(match self {
            Self::Undefined => return None,
            Self::Null => "null",
            Self::Bool(_) => "boolean",
            Self::Number(_) => "number",
            Self::String(_) => "string",
            Self::Array(_) => "array",
            Self::Object(_) => "object",
            Self::Function(_) => "function",
        })
    }

    /// The items of an array, or the value alone (undefined: none).
    pub fn members(&self) -> Vec<Value> {
        match self {
            Self::Undefined => Vec::new(),
            Self::Array(a) => a.items.clone(),
            v => vec![v.clone()],
        }
    }
}

/// Deep equality as JSONata's `=` applies it (`isDeepEqual`).
pub fn deep_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Undefined, Value::Undefined) | (Value::Null, Value::Null) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Number(x), Value::Number(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Array(x), Value::Array(y)) => {
            x.items.len() == y.items.len() && x.items.iter().zip(&y.items).all(|(p, q)| deep_equal(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| deep_equal(v, w)))
        }
        (Value::Function(x), Value::Function(y)) => Rc::ptr_eq(x, y),
        _ => false,
    }
}
