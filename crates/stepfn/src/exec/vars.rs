//! Workflow variables: what `Assign` sets and `$name` reads.
//!
//! A scope is the top level of an execution or one Parallel branch or Map
//! iteration. An inner scope starts with the values its parent had when it
//! began (the parent is suspended meanwhile) and keeps its own assignments:
//! nothing is written back when it ends, as in AWS.

use std::sync::{Arc, Mutex, PoisonError};

use serde_json::{Map, Value};

#[derive(Default)]
pub struct Scope {
    /// Every visible variable; replaced whole on assignment, so readers
    /// share a snapshot instead of copying it.
    values: Mutex<Arc<Map<String, Value>>>,
}

impl Scope {
    pub fn root(initial: Map<String, Value>) -> Arc<Scope> {
        Arc::new(Scope {
            values: Mutex::new(Arc::new(initial)),
        })
    }

    /// A branch's or iteration's scope.
    pub fn child(&self) -> Arc<Scope> {
        Arc::new(Scope {
            values: Mutex::new(self.snapshot()),
        })
    }

    pub fn snapshot(&self) -> Arc<Map<String, Value>> {
        Arc::clone(&self.values.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Sets the variables a state assigned, all at once after it ran.
    pub fn assign(&self, assigned: &Map<String, Value>) {
        if assigned.is_empty() {
            return;
        }
        let mut values = self.values.lock().unwrap_or_else(PoisonError::into_inner);
        let mut next = (**values).clone();
        for (k, v) in assigned {
            next.insert(k.clone(), v.clone());
        }
        *values = Arc::new(next);
    }
}
