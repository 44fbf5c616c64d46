//! An execution's history: the events Step Functions records, in order,
//! each with its id, the id of the event before it on the same path
//! (branches of a Parallel or Map each keep their own), a timestamp, and
//! the `<type>EventDetails` payload AWS attaches.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEvent {
    pub id: i64,
    pub previous_event_id: i64,
    pub timestamp: DateTime<Utc>,
    /// `ExecutionStarted`, `TaskStateEntered`, ...
    pub kind: &'static str,
    /// The details object, or Null for the events that carry none.
    pub details: Value,
}

impl HistoryEvent {
    /// The key AWS puts the details under: `executionStartedEventDetails`
    /// for ExecutionStarted, `stateEnteredEventDetails` for every
    /// `*StateEntered`, and so on.
    pub fn details_key(&self) -> Option<String> {
        if self.details.is_null() {
            return None;
        }
        let k = self.kind;
        let shared = if k.ends_with("StateEntered") {
            Some("stateEntered")
        } else if k.ends_with("StateExited") {
            Some("stateExited")
        } else {
            None
        };
        Some(match shared {
            Some(s) => format!("{s}EventDetails"),
            None => {
                let mut c = k.chars();
                let first = c.next().map(|f| f.to_ascii_lowercase()).unwrap_or_default();
                format!("{first}{}EventDetails", c.as_str())
            }
        })
    }

    /// The event as GetExecutionHistory answers it.
    pub fn to_wire(&self, include_data: bool) -> Value {
        let mut out = Map::new();
        out.insert("timestamp".into(), epoch_seconds(self.timestamp));
        out.insert("type".into(), self.kind.into());
        out.insert("id".into(), self.id.into());
        out.insert("previousEventId".into(), self.previous_event_id.into());
        if let Some(key) = self.details_key() {
            out.insert(key, wire_details(&self.details, include_data));
        }
        Value::Object(out)
    }
}

/// An event's details as AWS answers them: an `input` or `output` payload
/// comes with its `inputDetails`/`outputDetails` (recorded events leave them
/// out: a nested object per event was a good part of a long history's cost),
/// and without includeExecutionData the payloads go while their details stay.
fn wire_details(details: &Value, include_data: bool) -> Value {
    let Value::Object(d) = details else {
        return details.clone();
    };
    let mut out = Map::with_capacity(d.len() + 1);
    for (k, v) in d {
        let companion = match k.as_str() {
            "input" => Some("inputDetails"),
            "output" => Some("outputDetails"),
            _ => None,
        };
        if companion.is_none() || include_data {
            out.insert(k.clone(), v.clone());
        }
        if let Some(c) = companion
            && !d.contains_key(c)
        {
            out.insert(c.to_owned(), serde_json::json!({"truncated": false}));
        }
    }
    Value::Object(out)
}

/// Timestamps on the awsJson wire are epoch seconds with a fraction.
pub fn epoch_seconds(t: DateTime<Utc>) -> Value {
    Value::from(lakestack_aws_protocol::timestamp::epoch_seconds(t.timestamp_millis()))
}

/// Every event type AWS records, so a stored event reads back as one of them.
const KINDS: &[&str] = &[
    "ActivityFailed",
    "ActivityScheduled",
    "ActivityScheduleFailed",
    "ActivityStarted",
    "ActivitySucceeded",
    "ActivityTimedOut",
    "ChoiceStateEntered",
    "ChoiceStateExited",
    "ExecutionAborted",
    "ExecutionFailed",
    "ExecutionStarted",
    "ExecutionSucceeded",
    "ExecutionTimedOut",
    "ExecutionRedriven",
    "EvaluationFailed",
    "FailStateEntered",
    "MapIterationAborted",
    "MapIterationFailed",
    "MapIterationStarted",
    "MapIterationSucceeded",
    "MapRunAborted",
    "MapRunFailed",
    "MapRunRedriven",
    "MapRunStarted",
    "MapRunSucceeded",
    "MapStateAborted",
    "MapStateEntered",
    "MapStateExited",
    "MapStateFailed",
    "MapStateStarted",
    "MapStateSucceeded",
    "ParallelStateAborted",
    "ParallelStateEntered",
    "ParallelStateExited",
    "ParallelStateFailed",
    "ParallelStateStarted",
    "ParallelStateSucceeded",
    "PassStateEntered",
    "PassStateExited",
    "SucceedStateEntered",
    "SucceedStateExited",
    "TaskFailed",
    "TaskScheduled",
    "TaskStarted",
    "TaskStartFailed",
    "TaskStateAborted",
    "TaskStateEntered",
    "TaskStateExited",
    "TaskSubmitFailed",
    "TaskSubmitted",
    "TaskSucceeded",
    "TaskTimedOut",
    "WaitStateAborted",
    "WaitStateEntered",
    "WaitStateExited",
];

/// The static name of a stored event type; one this build does not know
/// (written by a newer one) reads as `Unknown`.
pub fn kind_name(kind: &str) -> &'static str {
    KINDS.iter().find(|k| **k == kind).copied().unwrap_or("Unknown")
}

/// AWS's hard quota of events in one execution's history.
pub const MAX_EVENTS: usize = 25_000;

/// The cause AWS gives when an execution runs out of history.
pub const FULL_CAUSE: &str = "The execution reached the maximum number of history events (25000).";

/// Whether an event ends the execution; only these may take the last id.
fn ends_execution(kind: &str) -> bool {
    matches!(
        kind,
        "ExecutionSucceeded" | "ExecutionFailed" | "ExecutionAborted" | "ExecutionTimedOut"
    )
}

/// The history being written by a running execution, shared by its branches.
#[derive(Debug, Clone, Default)]
pub struct History {
    events: Arc<Mutex<Vec<HistoryEvent>>>,
    /// Set when an event other than the execution's end would have taken
    /// event id 25,000: AWS then fails the execution with that event.
    full: Arc<AtomicBool>,
}

impl History {
    pub fn new(events: Vec<HistoryEvent>) -> Self {
        Self {
            events: Arc::new(Mutex::new(events)),
            full: Arc::default(),
        }
    }

    /// Whether the execution has run out of history (see [`MAX_EVENTS`]).
    pub fn is_full(&self) -> bool {
        self.full.load(Ordering::Relaxed)
    }

    /// Appends an event after `previous` (0 for the first) and returns its id.
    /// The last id, 25,000, is kept for the event that ends the execution:
    /// any other event is dropped there and the history is marked full.
    pub fn append(&self, kind: &'static str, previous: i64, timestamp: DateTime<Utc>, details: Value) -> i64 {
        let mut events = self.events.lock().unwrap_or_else(PoisonError::into_inner);
        if events.len() + 1 >= MAX_EVENTS && !(events.len() + 1 == MAX_EVENTS && ends_execution(kind)) {
            self.full.store(true, Ordering::Relaxed);
            return events.len() as i64;
        }
        let id = events.len() as i64 + 1;
        events.push(HistoryEvent {
            id,
            previous_event_id: previous,
            timestamp,
            kind,
            details,
        });
        id
    }

    pub fn len(&self) -> usize {
        self.events.lock().unwrap_or_else(PoisonError::into_inner).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Runs `f` over the events from index `from` on, without copying them
    /// (a Map over 10,000 items records 40,000).
    pub fn with_since<T>(&self, from: usize, f: impl FnOnce(&[HistoryEvent]) -> T) -> T {
        let events = self.events.lock().unwrap_or_else(PoisonError::into_inner);
        f(events.get(from..).unwrap_or_default())
    }

    /// The events from index `from` on, for persisting what is new.
    pub fn since(&self, from: usize) -> Vec<HistoryEvent> {
        let events = self.events.lock().unwrap_or_else(PoisonError::into_inner);
        events.get(from..).map(<[HistoryEvent]>::to_vec).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn details_keys_follow_aws() {
        let e = |kind: &'static str| HistoryEvent {
            id: 1,
            previous_event_id: 0,
            timestamp: Utc::now(),
            kind,
            details: json!({"name": "x"}),
        };
        assert_eq!(
            e("ExecutionStarted").details_key().unwrap(),
            "executionStartedEventDetails"
        );
        assert_eq!(e("TaskStateEntered").details_key().unwrap(), "stateEnteredEventDetails");
        assert_eq!(e("MapStateExited").details_key().unwrap(), "stateExitedEventDetails");
        assert_eq!(
            e("MapIterationStarted").details_key().unwrap(),
            "mapIterationStartedEventDetails"
        );
        let mut none = e("ParallelStateStarted");
        none.details = Value::Null;
        assert_eq!(none.to_wire(true).as_object().unwrap().len(), 4);
    }

    #[test]
    fn the_last_event_id_is_kept_for_the_end() {
        let h = History::default();
        for i in 1..MAX_EVENTS {
            assert_eq!(h.append("PassStateEntered", 0, Utc::now(), Value::Null), i as i64);
        }
        assert!(!h.is_full());
        assert_eq!(h.append("PassStateExited", 0, Utc::now(), Value::Null), 24_999);
        assert!(h.is_full());
        assert_eq!(h.len(), 24_999);
        assert_eq!(h.append("ExecutionFailed", 0, Utc::now(), Value::Null), 25_000);
        assert_eq!(h.append("ExecutionFailed", 0, Utc::now(), Value::Null), 25_000);
        assert_eq!(h.len(), MAX_EVENTS);
    }

    #[test]
    fn ids_follow_each_other_and_data_can_be_left_out() {
        let h = History::default();
        let a = h.append(
            "ExecutionStarted",
            0,
            Utc::now(),
            json!({"input": "{}", "roleArn": "r"}),
        );
        let b = h.append("PassStateEntered", a, Utc::now(), json!({"name": "P", "input": "{}"}));
        assert_eq!((a, b), (1, 2));
        let wire = h.since(1)[0].to_wire(false);
        assert_eq!(
            wire["stateEnteredEventDetails"],
            json!({"name": "P", "inputDetails": {"truncated": false}})
        );
        assert_eq!(wire["previousEventId"], 1);
    }
}
