//! The parsed expression, already in the shape the evaluator walks: `a.b.c`
//! is one path of steps, and predicates, `#`/`@` bindings, grouping and
//! sorting hang on the step they follow (jsonata's `processAST`).

use std::rc::Rc;

use crate::signature::Signature;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
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
    Concat,
    And,
    Or,
    In,
    Range,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Add => "+",
            Self::Sub => "-",
            Self::Mul => "*",
            Self::Div => "/",
            Self::Mod => "%",
            Self::Eq => "=",
            Self::Ne => "!=",
            Self::Lt => "<",
            Self::Le => "<=",
            Self::Gt => ">",
            Self::Ge => ">=",
            Self::Concat => "&",
            Self::And => "and",
            Self::Or => "or",
            Self::In => "in",
            Self::Range => "..",
        }
    }
}

/// A filter or index binding applied to a step's results in order.
#[derive(Debug, Clone)]
pub enum Stage {
    Filter(Node),
    Index(Rc<str>),
}

#[derive(Debug, Clone)]
pub struct SortTerm {
    pub descending: bool,
    pub expr: Node,
}

#[derive(Debug)]
pub struct LambdaDef {
    pub params: Vec<Rc<str>>,
    pub signature: Option<Signature>,
    pub body: Node,
}

#[derive(Debug, Clone)]
pub enum Kind {
    Path(Vec<Node>),
    Binary(BinOp, Box<Node>, Box<Node>),
    Negate(Box<Node>),
    /// `[a, b, ...]`
    Array(Vec<Node>),
    /// `{k: v, ...}` with no left side.
    Object(Vec<(Node, Node)>),
    Name(Rc<str>),
    Str(Rc<str>),
    Num(f64),
    Bool(bool),
    Null,
    Regex(Rc<crate::regex::Pattern>),
    Wildcard,
    Descendants,
    /// `%`: the slot (an index into the expression's labels) whose tuple
    /// binding holds the parent.
    Parent(usize),
    Var(Rc<str>),
    Condition(Box<Node>, Box<Node>, Option<Box<Node>>),
    Block(Vec<Node>),
    Bind(Rc<str>, Box<Node>),
    Call {
        procedure: Box<Node>,
        args: Vec<Node>,
        partial: bool,
    },
    /// `?` in a partial application's arguments.
    Placeholder,
    Lambda(Rc<LambdaDef>),
    /// `lhs ~> rhs`
    Apply(Box<Node>, Box<Node>),
    Transform {
        pattern: Box<Node>,
        update: Box<Node>,
        delete: Option<Box<Node>>,
    },
    /// `^(...)` as a path step.
    Sort(Vec<SortTerm>),
}

#[derive(Debug, Clone)]
pub struct Node {
    pub kind: Kind,
    pub position: usize,
    /// `[]` after the step: results stay an array even when single.
    pub keep_array: bool,
    /// Path: keep a singleton result as an array (`a.b[]`).
    pub keep_singleton_array: bool,
    /// Array constructor as a path's first or last step.
    pub cons_array: bool,
    /// Predicates of a step in a path (run per input item).
    pub stages: Vec<Stage>,
    /// Predicates of an expression outside a path (run on its whole result).
    pub predicates: Vec<Node>,
    pub group: Option<Rc<Vec<(Node, Node)>>>,
    pub focus: Option<Rc<str>>,
    pub index: Option<Rc<str>>,
    /// The step binds variables (`@`, `#`), so its path runs as a tuple stream.
    pub tuple: bool,
    /// A parent reference below wants this step's input under a slot's label.
    pub ancestor: Option<usize>,
    /// Parent slots not yet resolved (while processing only).
    pub seeking_parent: Vec<usize>,
    /// Lambda body: a call in tail position, evaluated as a thunk.
    pub thunk: bool,
}

impl Node {
    pub fn new(kind: Kind, position: usize) -> Self {
        Self {
            kind,
            position,
            keep_array: false,
            keep_singleton_array: false,
            cons_array: false,
            stages: Vec::new(),
            predicates: Vec::new(),
            group: None,
            focus: None,
            index: None,
            tuple: false,
            ancestor: None,
            seeking_parent: Vec::new(),
            thunk: false,
        }
    }
}
