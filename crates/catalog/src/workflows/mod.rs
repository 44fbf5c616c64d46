//! Glue workflows: a name that triggers (created with `WorkflowName`)
//! belong to, and through them the jobs and crawlers those triggers start
//! and watch. Definitions live here (CreateWorkflow ... DeleteWorkflow);
//! runs in `runs`, how a run moves on as its actions end in `progress`, the
//! graph of nodes and edges in `graph`.

mod graph;
mod progress;
mod runs;

#[cfg(test)]
mod tests;

use crate::error::{CatalogError, Result};
use crate::model::{Trigger, Workflow};
use crate::store::Store;
use crate::{Catalog, names};

pub use graph::{GraphNode, WorkflowGraph};
pub(crate) use runs::RunStart;

pub(crate) fn not_found(name: &str) -> CatalogError {
    CatalogError::NotFound(format!("Workflow with name: {name} not found."))
}

fn validate(w: &Workflow) -> Result<()> {
    names::check(&w.name, "name")?;
    for key in w.default_run_properties.keys() {
        names::check(key, "defaultRunProperties.key")?;
    }
    Ok(())
}

impl Catalog {
    pub fn workflow_arn(&self, name: &str) -> String {
        self.arn(&format!("workflow/{name}"))
    }

    pub fn create_workflow(&self, mut w: Workflow, tags: Vec<(String, String)>) -> Result<()> {
        validate(&w)?;
        let now = self.now_ms();
        w.created_on = now;
        w.last_modified_on = now;
        let arn = self.workflow_arn(&w.name);
        self.store.write(|tx| {
            if Store::get_workflow(tx, &w.name)?.is_some() {
                return Err(CatalogError::AlreadyExists(format!(
                    "Workflow with name {} already exists.",
                    w.name
                )));
            }
            Store::put_workflow(tx, &w)?;
            for (k, v) in &tags {
                Store::set_tag(tx, &arn, k, v)?;
            }
            Ok(())
        })
    }

    pub fn get_workflow(&self, name: &str) -> Result<Workflow> {
        self.store
            .read(|c| Store::get_workflow(c, name))?
            .ok_or_else(|| not_found(name))
    }

    /// Every workflow, in name order.
    pub fn list_workflows(&self) -> Result<Vec<Workflow>> {
        self.store.read(Store::list_workflows)
    }

    /// Applies `f` to a workflow's definition (UpdateWorkflow); its name and
    /// creation time stay. Runs under way keep the properties they started with.
    pub fn update_workflow(&self, name: &str, f: impl FnOnce(&mut Workflow)) -> Result<()> {
        let now = self.now_ms();
        self.store.write(|tx| {
            let current = Store::get_workflow(tx, name)?.ok_or_else(|| not_found(name))?;
            let mut w = current.clone();
            f(&mut w);
            w.name = current.name;
            w.created_on = current.created_on;
            w.last_modified_on = now;
            validate(&w)?;
            Store::put_workflow(tx, &w)
        })
    }

    /// Deletes a workflow with its triggers, runs and tags; one that does not
    /// exist is no error (Glue's DeleteWorkflow has no EntityNotFoundException).
    /// Its jobs and crawlers stay, and runs of them under way go on.
    pub fn delete_workflow(&self, name: &str) -> Result<()> {
        let arn = self.workflow_arn(name);
        self.store.write(|tx| {
            for t in Store::workflow_triggers(tx, name)? {
                Store::remove_tags_under(tx, &self.trigger_arn(&t.name))?;
            }
            Store::delete_workflow(tx, name)?;
            Store::remove_tags_under(tx, &arn)
        })?;
        self.schedules_changed.notify_one();
        Ok(())
    }

    /// A workflow's triggers, in name order.
    pub fn workflow_triggers(&self, name: &str) -> Result<Vec<Trigger>> {
        self.store.read(|c| {
            Store::get_workflow(c, name)?.ok_or_else(|| not_found(name))?;
            Store::workflow_triggers(c, name)
        })
    }
}
