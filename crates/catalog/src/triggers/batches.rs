//! EVENT triggers: EventBridge events reaching a workflow, batched.
//!
//! Glue's rules: a batch fires "when BatchSize events have arrived or the
//! batch window expired", whichever comes first; the "window starts when
//! first event is received" and lasts 900 seconds unless the trigger's
//! `EventBatchingCondition` says otherwise; without a condition every event
//! fires; after a firing the batch starts over. The run started gets the
//! events' ids as its `aws:eventIds` property and says which condition
//! started it (`StartingEventBatchCondition`).

use std::sync::Arc;

use crate::error::{CatalogError, Result};
use crate::model::{EventBatchingCondition, StartingEventBatch, Trigger, TriggerState, TriggerType};
use crate::store::Store;
use crate::workflows::RunStart;
use crate::{Catalog, workflows};

/// The workflow's EVENT trigger.
fn event_trigger(c: &rusqlite::Connection, workflow: &str) -> Result<Trigger> {
    if Store::get_workflow(c, workflow)?.is_none() {
        return Err(workflows::not_found(workflow));
    }
    Store::workflow_triggers(c, workflow)?
        .into_iter()
        .find(|t| t.trigger_type == TriggerType::Event)
        .ok_or_else(|| CatalogError::InvalidInput(format!("Workflow {workflow} has no EVENT trigger.")))
}

impl Catalog {
    /// An EventBridge event (id `event_id`) reached workflow `workflow`, as
    /// when a rule targets the workflow's ARN: its EVENT trigger counts it
    /// towards its batch, and once the batch is full starts a run of the
    /// workflow, whose id is answered (the run's `aws:eventIds` property
    /// lists the batch's event ids). A batch that does not fill up fires
    /// when its window ends ([`Catalog::start_scheduler`] must be running).
    /// A trigger that is not ACTIVATED ignores events, as Glue's does.
    pub fn notify_event_trigger(self: &Arc<Self>, workflow: &str, event_id: &str) -> Result<Option<String>> {
        let now = self.now_ms();
        let full = self.store.write(|tx| {
            let t = event_trigger(tx, workflow)?;
            if t.state != TriggerState::Activated {
                return Ok(None);
            }
            let size = t.event_batching_condition.map_or(1, |b| b.batch_size);
            let mut progress = Store::trigger_progress(tx, &t.name)?;
            // EventBridge delivers at least once: an event heard again is not counted twice.
            if progress.events.iter().any(|e| e == event_id) {
                return Ok(None);
            }
            progress.events.push(event_id.to_owned());
            progress.first_event_at.get_or_insert(now);
            let full = usize::try_from(size).is_ok_and(|n| progress.events.len() >= n);
            let events = if full {
                progress.first_event_at = None;
                Some(std::mem::take(&mut progress.events))
            } else {
                None
            };
            Store::put_trigger_progress(tx, &t.name, &progress)?;
            Ok(events.map(|e| (e, size)))
        })?;
        let Some((events, size)) = full else {
            // A new batch has a window that ends: the scheduler waits for it.
            self.schedules_changed.notify_one();
            return Ok(None);
        };
        let by = StartingEventBatch {
            batch_size: Some(size),
            batch_window: None,
        };
        self.begin_run(workflow, RunStart::Events { ids: events, by }).map(Some)
    }

    /// The EVENT triggers holding a batch, each with the end of its window:
    /// the first event's arrival plus the window, in milliseconds.
    pub(crate) fn batch_deadlines(&self) -> Result<Vec<(String, i64)>> {
        self.store.read(|c| {
            let mut out = Vec::new();
            for (name, progress) in Store::pending_event_batches(c)? {
                let Some(t) = Store::get_trigger(c, &name)? else {
                    continue;
                };
                let window = t
                    .event_batching_condition
                    .map_or(EventBatchingCondition::DEFAULT_WINDOW_SECONDS, |b| b.window_seconds());
                if let Some(first) = progress.first_event_at {
                    out.push((name, first + i64::from(window) * 1000));
                }
            }
            Ok(out)
        })
    }

    /// Fires the batch of EVENT trigger `trigger` if its window has ended.
    /// An ended window always empties the batch (the scheduler would wake
    /// for it again and again otherwise); a deactivated trigger drops it.
    pub(crate) fn expire_event_batch(self: &Arc<Self>, trigger: &str) {
        let now = self.now_ms();
        let expired = self.store.write(|tx| {
            let Some(t) = Store::get_trigger(tx, trigger)? else {
                return Ok(None);
            };
            let window = t
                .event_batching_condition
                .map_or(EventBatchingCondition::DEFAULT_WINDOW_SECONDS, |b| b.window_seconds());
            let mut progress = Store::trigger_progress(tx, trigger)?;
            let Some(first) = progress.first_event_at else {
                return Ok(None);
            };
            if first + i64::from(window) * 1000 > now {
                return Ok(None);
            }
            progress.first_event_at = None;
            let events = std::mem::take(&mut progress.events);
            Store::put_trigger_progress(tx, trigger, &progress)?;
            if t.state != TriggerState::Activated || events.is_empty() {
                return Ok(None);
            }
            Ok(t.workflow_name.map(|w| (w, events, window)))
        });
        match expired {
            Ok(Some((workflow, ids, window))) => {
                let by = StartingEventBatch {
                    batch_size: None,
                    batch_window: Some(window),
                };
                if let Err(e) = self.begin_run(&workflow, RunStart::Events { ids, by }) {
                    tracing::warn!(trigger, workflow = %workflow, error = %e, "event batch did not start a run");
                }
            }
            Ok(None) => {}
            Err(e) => tracing::error!(trigger, error = %e, "could not end an event batch"),
        }
    }
}
