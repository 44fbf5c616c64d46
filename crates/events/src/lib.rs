//! EventBridge for lakestack: event buses (the default one and custom
//! ones), rules that match events by pattern or fire on a schedule, and
//! targets that receive what a rule matched, as it is or transformed, with
//! retries and dead-letter queues. Accepted events are committed to an
//! outbox (`events.sqlite`) before PutEvents answers, and leave it once every
//! target has had them, so a restart delivers what `kill -9` interrupted.
//!
//! Other services put their own events through [`Events::put_service_events`];
//! the binary delivers to queues, topics, functions, state machines and log
//! groups through [`Host`].
//!
//! EventBridge Scheduler is the crate's second service ([`SchedulerApi`],
//! restJson1 under the signing name `scheduler`): schedule groups and
//! schedules (`at`, `rate`, `cron`, in any IANA zone) kept in the same file,
//! fired on the server's clock and delivered through the same [`Host`], or
//! its [`Host::call_sdk`] for universal targets.

pub mod api;
mod dispatch;
pub mod error;
pub mod host;
pub mod model;
pub mod names;
mod put;
mod retrying;
pub mod schedule;
mod scheduler;
pub mod scheduler_api;
pub mod schedules;
pub mod service;
mod store;
pub mod transform;

pub use api::{EventsApi, EventsOp, SPEC as EVENTS_SPEC};
pub use error::{EventsError, Result};
pub use host::{Delivery, Host, NoHost};
pub use model::{EntryResult, NewEvent};
pub use put::{entry_size, envelope_time};
pub use scheduler_api::{SPEC as SCHEDULER_SPEC, SchedulerApi, SchedulerOp};
pub use service::{Events, Settings};

/// Parser entry points for the fuzz targets in `fuzz/`; not an API.
#[doc(hidden)]
pub mod fuzzing {
    /// Reads a schedule expression (a rule's, then a schedule's in a
    /// zone with DST) and a transformer path and template.
    pub fn schedule_and_template(text: &str) {
        if let Some(s) = crate::schedule::Schedule::parse(text) {
            let _ = s.next_after(0, 1_700_000_000_000);
        }
        if let Some(expression) = crate::schedules::Expression::parse(text) {
            let when = crate::schedules::When {
                expression,
                zone: chrono_tz::Tz::Europe__Paris,
                start_ms: None,
                end_ms: None,
            };
            let _ = when.next_after(1_700_000_000_000, 0);
        }
        let event = serde_json::json!({"detail": {"a": [1, {"b": "c"}]}});
        let _ = crate::transform::select(&event, text);
        let cx = crate::transform::Context {
            rule_arn: "arn",
            rule_name: "r",
            ingestion_time: "t",
        };
        let _ = crate::transform::fill(text, &[("a".into(), Some(event.clone()))], &event, &cx);
    }
}
