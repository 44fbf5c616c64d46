//! Glue triggers: what starts jobs and crawlers on demand (ON_DEMAND), on a
//! `cron(...)` schedule (SCHEDULED), when the jobs and crawlers they watch
//! end as their predicate asks (CONDITIONAL), or when EventBridge events
//! reach their workflow (EVENT). Definitions live here (CreateTrigger ...
//! StopTrigger); starting what a trigger names is `fire`, predicates are
//! `conditions`, event batches are `batches`.
//!
//! Glue's rules kept here: "On-demand triggers never enter the ACTIVATED or
//! DEACTIVATED state. They always remain in the CREATED state"; StartTrigger
//! activates the others and fires an on-demand one at once; StartOnCreation
//! is "not supported for ON_DEMAND triggers"; DeleteTrigger of a trigger
//! that does not exist is no error; a workflow has one start trigger.

mod batches;
mod conditions;
mod fire;
mod validate;

#[cfg(test)]
mod tests;

use std::sync::Arc;

use crate::error::{CatalogError, Result};
use crate::model::{Trigger, TriggerState, TriggerType};
use crate::store::Store;
use crate::{Catalog, workflows};

pub(crate) use conditions::holds;
pub(crate) use fire::{Origin, RunSlot};

pub(crate) fn not_found(name: &str) -> CatalogError {
    CatalogError::NotFound(format!("Trigger with name: {name} not found."))
}

impl Catalog {
    pub fn trigger_arn(&self, name: &str) -> String {
        self.arn(&format!("trigger/{name}"))
    }

    /// Creates a trigger, ACTIVATED at once when `start_on_creation` asks
    /// (SCHEDULED, CONDITIONAL and EVENT triggers), CREATED otherwise.
    pub fn create_trigger(&self, mut t: Trigger, start_on_creation: bool, tags: Vec<(String, String)>) -> Result<()> {
        if start_on_creation && t.trigger_type == TriggerType::OnDemand {
            return Err(CatalogError::InvalidInput(
                "StartOnCreation is not supported for ON_DEMAND triggers.".into(),
            ));
        }
        t.state = if start_on_creation {
            TriggerState::Activated
        } else {
            TriggerState::Created
        };
        validate::trigger(&t)?;
        let arn = self.trigger_arn(&t.name);
        self.store.write(|tx| {
            if Store::get_trigger(tx, &t.name)?.is_some() {
                return Err(CatalogError::AlreadyExists(format!(
                    "Trigger with name {} already exists.",
                    t.name
                )));
            }
            validate::place(tx, &t)?;
            Store::put_trigger(tx, &t)?;
            for (k, v) in &tags {
                Store::set_tag(tx, &arn, k, v)?;
            }
            Ok(())
        })?;
        self.schedules_changed.notify_one();
        Ok(())
    }

    pub fn get_trigger(&self, name: &str) -> Result<Trigger> {
        self.store
            .read(|c| Store::get_trigger(c, name))?
            .ok_or_else(|| not_found(name))
    }

    /// Every trigger, in name order.
    pub fn list_triggers(&self) -> Result<Vec<Trigger>> {
        self.store.read(Store::list_triggers)
    }

    /// Applies `f` to a trigger's definition (UpdateTrigger's
    /// `TriggerUpdate`) and answers the trigger as it is then. Its name,
    /// type, workflow and state stay as they were.
    pub fn update_trigger(&self, name: &str, f: impl FnOnce(&mut Trigger)) -> Result<Trigger> {
        let updated = self.store.write(|tx| {
            let current = Store::get_trigger(tx, name)?.ok_or_else(|| not_found(name))?;
            let mut t = current.clone();
            f(&mut t);
            t.name = current.name;
            t.trigger_type = current.trigger_type;
            t.workflow_name = current.workflow_name;
            t.state = current.state;
            validate::trigger(&t)?;
            Store::put_trigger(tx, &t)?;
            Ok(t)
        })?;
        self.schedules_changed.notify_one();
        Ok(updated)
    }

    /// Deletes a trigger with its tags; one that does not exist is no error.
    pub fn delete_trigger(&self, name: &str) -> Result<()> {
        let arn = self.trigger_arn(name);
        self.store.write(|tx| {
            Store::delete_trigger(tx, name)?;
            Store::remove_tags_under(tx, &arn)
        })?;
        self.schedules_changed.notify_one();
        Ok(())
    }

    /// StartTrigger: fires an ON_DEMAND trigger at once (starting a run of
    /// its workflow, if it has one), and activates the others.
    pub fn start_trigger(self: &Arc<Self>, name: &str) -> Result<()> {
        let t = self.get_trigger(name)?;
        if t.trigger_type == TriggerType::OnDemand {
            return match &t.workflow_name {
                Some(workflow) => self
                    .begin_run(workflow, workflows::RunStart::Demand(Default::default()))
                    .map(drop),
                None => {
                    self.fire_alone(&t);
                    Ok(())
                }
            };
        }
        self.set_trigger_state(name, TriggerState::Activated)
    }

    /// StopTrigger: deactivates a trigger; it fires no more until started again.
    pub fn stop_trigger(&self, name: &str) -> Result<()> {
        let t = self.get_trigger(name)?;
        if t.trigger_type == TriggerType::OnDemand {
            return Err(CatalogError::InvalidInput(format!(
                "Trigger {name} is ON_DEMAND: it is never activated, so it cannot be stopped."
            )));
        }
        self.set_trigger_state(name, TriggerState::Deactivated)
    }

    fn set_trigger_state(&self, name: &str, state: TriggerState) -> Result<()> {
        self.store.write(|tx| {
            let mut t = Store::get_trigger(tx, name)?.ok_or_else(|| not_found(name))?;
            t.state = state;
            Store::put_trigger(tx, &t)
        })?;
        self.schedules_changed.notify_one();
        Ok(())
    }
}
