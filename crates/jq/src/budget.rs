//! The work budget of one run. Every evaluation step, every value produced and every
//! byte or element copied is charged here, so a run's time and the memory it can
//! allocate are bounded whatever the query and the record (see [`crate::limits`]).

use std::cell::Cell;

use crate::error::Limit;

/// Steps left for one run. Interior mutability, because the evaluator passes it by
/// shared reference into the closures that receive each output.
pub(crate) struct Budget {
    left: Cell<u64>,
}

impl Budget {
    pub(crate) fn new(steps: u64) -> Self {
        Budget { left: Cell::new(steps) }
    }

    /// Takes `n` steps, or fails once the budget is spent (and stays spent).
    pub(crate) fn charge(&self, n: u64) -> Result<(), Limit> {
        let left = self.left.get();
        if left < n {
            self.left.set(0);
            Err(Limit::Steps)
        } else {
            self.left.set(left - n);
            Ok(())
        }
    }

    /// [`charge`](Self::charge) for callers that cannot return an error (a sort's
    /// comparator): they bail out cheaply on `false` and call [`check`](Self::check) after.
    pub(crate) fn tick(&self, n: u64) -> bool {
        self.charge(n).is_ok()
    }

    /// Fails if the budget ran out, for instance inside a comparator.
    pub(crate) fn check(&self) -> Result<(), Limit> {
        if self.left.get() == 0 {
            Err(Limit::Steps)
        } else {
            Ok(())
        }
    }

    /// The cost of handling `bytes` bytes of text: copying text is cheap per byte, but
    /// must still count, or `"x" * n` and `tojson` on big records would be free.
    pub(crate) fn bytes_cost(bytes: usize) -> u64 {
        (bytes as u64) / 16 + 1
    }
}
