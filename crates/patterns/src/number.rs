//! Numbers in patterns and events, compared as each service compares them.
//!
//! SNS compares numbers to five decimal places, without bounds. EventBridge (event-ruler)
//! turns numbers between -5e9 and 5e9 into fixed-point values of six decimal places and
//! compares those; a number outside that range still equals a number written the same way,
//! and never satisfies a `numeric` condition, whose bounds are themselves within the range.

use serde_json::Number;

use crate::Dialect;

/// event-ruler's bound on the numbers it compares as numbers.
pub(crate) const RULER_LIMIT: f64 = 5e9;

/// event-ruler's words for a bound outside [`RULER_LIMIT`] (Java's printing of the double).
pub(crate) const RULER_RANGE_MESSAGE: &str = "Value must be between -5.0E9 and 5.0E9, inclusive";

/// A number written in a pattern.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Num {
    pub value: f64,
    /// Its exact value when written as an integer that fits: account numbers and the like
    /// compare exactly even past f64's precision.
    pub int: Option<i128>,
}

impl Num {
    /// From the JSON text of a number (already checked to be one).
    pub(crate) fn from_literal(text: &str) -> Self {
        let integral = !text.contains(['.', 'e', 'E']);
        Self {
            value: text.parse().unwrap_or(f64::NAN),
            int: if integral { text.parse().ok() } else { None },
        }
    }

    pub(crate) fn from_json(n: &Number) -> Self {
        Self {
            value: n.as_f64().unwrap_or(f64::NAN),
            int: integer(n),
        }
    }
}

fn integer(n: &Number) -> Option<i128> {
    n.as_i64().map(i128::from).or_else(|| n.as_u64().map(i128::from))
}

/// event-ruler's fixed-point form: millionths, for numbers within its range.
pub(crate) fn micros(x: f64) -> Option<i64> {
    // The cast is exact: |x| <= 5e9 makes |x * 1e6| <= 5e15 < 2^53.
    (x.is_finite() && (-RULER_LIMIT..=RULER_LIMIT).contains(&x)).then(|| (x * 1e6).round() as i64)
}

/// SNS compares numbers to five decimal places.
fn same_to_five_places(a: f64, b: f64) -> bool {
    (a * 1e5).round() == (b * 1e5).round()
}

/// Whether a pattern's number equals an event's.
pub(crate) fn equal(pattern: &Num, event: &Number, dialect: Dialect) -> bool {
    let value = event.as_f64().unwrap_or(f64::NAN);
    match dialect {
        Dialect::SnsAttributes | Dialect::SnsBody => same_to_five_places(pattern.value, value),
        Dialect::EventPattern => {
            if let (Some(a), Some(b)) = (pattern.int, integer(event)) {
                return a == b;
            }
            match (micros(pattern.value), micros(value)) {
                (Some(a), Some(b)) => a == b,
                // Outside the range event-ruler compares the text; equal values are the
                // nearest this side of parsing gets to that.
                _ => pattern.value == value,
            }
        }
    }
}

/// A `numeric` condition: bounds, each with whether it is included.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Range {
    pub lower: Option<(f64, bool)>,
    pub upper: Option<(f64, bool)>,
}

impl Range {
    pub(crate) fn contains(&self, n: &Number, dialect: Dialect) -> bool {
        let value = n.as_f64().unwrap_or(f64::NAN);
        match dialect {
            Dialect::SnsAttributes | Dialect::SnsBody => {
                let above = self
                    .lower
                    .is_none_or(|(b, inc)| if inc { value >= b } else { value > b });
                let below = self
                    .upper
                    .is_none_or(|(t, inc)| if inc { value <= t } else { value < t });
                above && below
            }
            Dialect::EventPattern => {
                // An unbounded side is bounded by the range itself, inclusive.
                let Some(v) = micros(value) else { return false };
                let (bottom, open_bottom) = self.lower.map_or((-RULER_LIMIT, false), |(b, inc)| (b, !inc));
                let (top, open_top) = self.upper.map_or((RULER_LIMIT, false), |(t, inc)| (t, !inc));
                let (Some(bottom), Some(top)) = (micros(bottom), micros(top)) else {
                    return false;
                };
                let above = if open_bottom { v > bottom } else { v >= bottom };
                let below = if open_top { v < top } else { v <= top };
                above && below
            }
        }
    }
}
