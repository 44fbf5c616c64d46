//! Workflow variables: what `Assign` sets and `$name` reads.
//!
//! A scope is the top level of an execution or one Parallel branch or Map
//! iteration. An inner scope starts with the values its parent had when it
//! began (the parent is suspended meanwhile) and keeps its own assignments:
//! nothing is written back when it ends, as in AWS.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use serde_json::{Map, Value};

/// AWS's quotas: one variable's value, all the values one `Assign` sets,
/// and every variable an execution holds, each as compact JSON.
pub const MAX_VARIABLE_BYTES: usize = 256 * 1024;
pub const MAX_ASSIGN_BYTES: usize = 256 * 1024;
pub const MAX_STORED_BYTES: usize = 10 * 1024 * 1024;

#[derive(Default, Clone)]
struct Held {
    /// Every visible variable; replaced whole on assignment, so readers
    /// share a snapshot instead of copying it.
    values: Arc<Map<String, Value>>,
    /// The size of each, and their sum, for the execution-wide quota.
    sizes: Arc<HashMap<String, usize>>,
    total: usize,
}

#[derive(Default)]
pub struct Scope {
    held: Mutex<Held>,
}

/// An assignment past a quota: the cause AWS's `States.DataLimitExceeded` carries.
#[derive(Debug, PartialEq)]
pub struct TooLarge(pub String);

fn size(v: &Value) -> usize {
    serde_json::to_vec(v).map_or(0, |t| t.len())
}

impl Scope {
    pub fn root(initial: Map<String, Value>) -> Arc<Scope> {
        let sizes: HashMap<String, usize> = initial.iter().map(|(k, v)| (k.clone(), size(v))).collect();
        Arc::new(Scope {
            held: Mutex::new(Held {
                total: sizes.values().sum(),
                values: Arc::new(initial),
                sizes: Arc::new(sizes),
            }),
        })
    }

    fn held(&self) -> std::sync::MutexGuard<'_, Held> {
        self.held.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A branch's or iteration's scope.
    pub fn child(&self) -> Arc<Scope> {
        Arc::new(Scope {
            held: Mutex::new(self.held().clone()),
        })
    }

    pub fn snapshot(&self) -> Arc<Map<String, Value>> {
        Arc::clone(&self.held().values)
    }

    /// Sets the variables a state assigned, all at once after it ran, or
    /// refuses them all when they break a quota.
    pub fn assign(&self, state: &str, assigned: &Map<String, Value>) -> Result<(), TooLarge> {
        if assigned.is_empty() {
            return Ok(());
        }
        let mut held = self.held();
        let mut sizes = (*held.sizes).clone();
        let mut total = held.total;
        let mut in_assign = 0;
        for (k, v) in assigned {
            let n = size(v);
            if n > MAX_VARIABLE_BYTES {
                return Err(TooLarge(format!(
                    "The state '{state}' assigned the variable '{k}' a value of {n} bytes, exceeding the maximum of {MAX_VARIABLE_BYTES} bytes for a variable."
                )));
            }
            in_assign += n;
            total = total - sizes.insert(k.clone(), n).unwrap_or(0) + n;
        }
        if in_assign > MAX_ASSIGN_BYTES {
            return Err(TooLarge(format!(
                "The state '{state}' assigned {in_assign} bytes of variables, exceeding the maximum of {MAX_ASSIGN_BYTES} bytes for one Assign field."
            )));
        }
        if total > MAX_STORED_BYTES {
            return Err(TooLarge(format!(
                "The state '{state}' brought the variables of the execution to {total} bytes, exceeding the maximum of {MAX_STORED_BYTES} bytes."
            )));
        }
        let mut values = (*held.values).clone();
        for (k, v) in assigned {
            values.insert(k.clone(), v.clone());
        }
        *held = Held {
            values: Arc::new(values),
            sizes: Arc::new(sizes),
            total,
        };
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn one(name: &str, v: Value) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert(name.into(), v);
        m
    }

    #[test]
    fn quotas_count_compact_json_and_replaced_values_leave_the_total() {
        let s = Scope::root(Map::new());
        // 256 KiB exactly, quotes included.
        let fits = Value::String("x".repeat(MAX_VARIABLE_BYTES - 2));
        assert_eq!(s.assign("A", &one("a", fits.clone())), Ok(()));
        let over = Value::String("x".repeat(MAX_VARIABLE_BYTES - 1));
        assert!(
            s.assign("A", &one("a", over))
                .unwrap_err()
                .0
                .contains("'a' a value of 262145 bytes")
        );
        let mut two = one("b", Value::String("x".repeat(200 * 1024)));
        two.insert("c".into(), Value::String("x".repeat(100 * 1024)));
        assert!(s.assign("B", &two).unwrap_err().0.contains("one Assign field"));
        // Forty replacements of the same variable hold one value, not forty.
        for _ in 0..40 {
            assert_eq!(s.assign("A", &one("a", fits.clone())), Ok(()));
        }
        for i in 0..39 {
            assert_eq!(s.assign("A", &one(&format!("v{i}"), fits.clone())), Ok(()));
        }
        let err = s.assign("A", &one("last", fits.clone())).unwrap_err();
        assert!(err.0.contains("exceeding the maximum of 10485760 bytes"), "{err:?}");
        assert_eq!(s.snapshot().len(), 40);
        assert_eq!(s.child().snapshot().get("a"), Some(&fits));
        assert_eq!(s.assign("A", &one("a", json!(1))), Ok(()));
    }
}
