//! What the catalog does when a job run or crawl ends: one that is part of
//! a workflow run moves that run on; one a trigger started outside
//! workflows fires the conditional triggers watching its job or crawler.
//! Glue's rules: "if the job or crawler is started from within a workflow,
//! only the triggers inside the workflow fire upon job or crawler
//! completion", and a run no trigger started fires nothing.

use std::sync::Arc;

use crate::Catalog;
use crate::model::{Crawl, JobRun, NodeType};

impl Catalog {
    /// Job run `run` ended; `retry` names the attempt retrying it, if the
    /// job's MaxRetries start one (the run's dependents wait for that one).
    pub(crate) fn job_run_ended(self: &Arc<Self>, run: &JobRun, retry: Option<&str>) {
        if let (Some(workflow), Some(run_id)) = (&run.workflow_name, &run.workflow_run_id) {
            self.action_ended(
                (workflow, run_id),
                (NodeType::Job, &run.id),
                run.state.as_str(),
                run.error_message.as_deref(),
                retry,
            );
        } else if retry.is_none() && run.trigger_name.is_some() {
            self.fire_dependents(NodeType::Job, &run.job_name, &run.id);
        }
    }

    /// A crawl of `crawler` ended.
    pub(crate) fn crawl_ended(self: &Arc<Self>, crawler: &str, crawl: &Crawl) {
        if let (Some(workflow), Some(run_id)) = (&crawl.workflow_name, &crawl.workflow_run_id) {
            self.action_ended(
                (workflow, run_id),
                (NodeType::Crawler, &crawl.crawl_id),
                crawl.crawl_state(),
                crawl.error_message.as_deref(),
                None,
            );
        } else if crawl.trigger_name.is_some() {
            self.fire_dependents(NodeType::Crawler, crawler, &crawl.crawl_id);
        }
    }
}
