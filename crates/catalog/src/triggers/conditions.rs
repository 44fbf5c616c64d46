//! Predicates, and the conditional triggers outside workflows.
//!
//! Glue's rules: "The trigger fires if the watched jobs or crawlers end with
//! the specified statuses", on any (`ANY`) or all (`AND`) of its conditions;
//! and "Dependent jobs or crawlers are only started if the job or crawler
//! that completes was started by a trigger", so a run StartJobRun started
//! fires nothing. Runs inside a workflow run fire only that run's triggers
//! (`workflows::progress`).

use std::sync::Arc;

use rusqlite::Connection;

use crate::Catalog;
use crate::error::Result;
use crate::model::{Condition, NodeType, Predicate, Trigger, TriggerState, TriggerType};
use crate::store::Store;

/// Whether `p` holds, given the state each condition's job or crawler ended
/// in (`None`: no end that counts). AND needs every condition, ANY one.
pub(crate) fn holds(p: &Predicate, mut ended: impl FnMut(&Condition) -> Option<String>) -> bool {
    let met: Vec<bool> = p
        .conditions
        .iter()
        .map(|c| ended(c).is_some_and(|s| Some(s.as_str()) == c.wanted()))
        .collect();
    if p.is_any() {
        met.contains(&true)
    } else {
        !met.is_empty() && met.iter().all(|m| *m)
    }
}

/// The last end of the job or crawler a condition watches that may fire a
/// trigger outside workflows (started by a trigger, in no workflow run): its
/// state and the run's or crawl's id.
fn last_end(c: &Connection, cond: &Condition) -> Result<Option<(String, String)>> {
    Ok(match cond.watched() {
        Some((NodeType::Job, job)) => Store::latest_job_run(c, job)?
            .filter(|r| r.state.is_terminal() && r.trigger_name.is_some() && r.workflow_run_id.is_none())
            .map(|r| (r.state.as_str().to_owned(), r.id)),
        Some((NodeType::Crawler, crawler)) => Store::list_crawls(c, crawler)?
            .into_iter()
            .next()
            .filter(|k| k.end_time.is_some() && k.trigger_name.is_some() && k.workflow_run_id.is_none())
            .map(|k| (k.crawl_state().to_owned(), k.crawl_id)),
        _ => None,
    })
}

/// The end of run (or crawl) `id` of the job or crawler `(kind, name)`, if
/// it may fire a trigger outside workflows.
fn this_end(c: &Connection, kind: NodeType, name: &str, id: &str) -> Result<Option<(String, String)>> {
    Ok(match kind {
        NodeType::Job => Store::get_job_run(c, name, id)?
            .filter(|r| r.state.is_terminal() && r.trigger_name.is_some() && r.workflow_run_id.is_none())
            .map(|r| (r.state.as_str().to_owned(), r.id)),
        NodeType::Crawler => Store::list_crawls(c, name)?
            .into_iter()
            .find(|k| k.crawl_id == id)
            .filter(|k| k.end_time.is_some() && k.trigger_name.is_some() && k.workflow_run_id.is_none())
            .map(|k| (k.crawl_state().to_owned(), k.crawl_id)),
        _ => None,
    })
}

/// Whether `t` fires now that run (or crawl) `id` of the job or crawler
/// `(kind, name)` ended, and if so, what marks that firing: the ended run
/// for ANY (each watched end that matches fires it), every run it was
/// satisfied by for AND (the same ends never fire it twice).
fn fires(c: &Connection, t: &Trigger, kind: NodeType, name: &str, id: &str) -> Result<Option<String>> {
    let Some(p) = &t.predicate else { return Ok(None) };
    let mut ends = Vec::new();
    for cond in &p.conditions {
        // The condition on what just ended looks at that run, not at the
        // newest one (another run of the job may have started meanwhile).
        if cond.watched() == Some((kind, name)) {
            ends.push(this_end(c, kind, name, id)?);
        } else {
            ends.push(last_end(c, cond)?);
        }
    }
    // `holds` asks for the conditions in order: hand out their ends in turn.
    let mut next = ends.iter();
    if !holds(p, |_| next.next().cloned().flatten().map(|(state, _)| state)) {
        return Ok(None);
    }
    if p.is_any() {
        let ended_matches = p.conditions.iter().zip(&ends).any(|(cond, end)| {
            cond.watched() == Some((kind, name))
                && end
                    .as_ref()
                    .is_some_and(|(state, run)| run == id && Some(state.as_str()) == cond.wanted())
        });
        return Ok(ended_matches.then(|| id.to_owned()));
    }
    let runs: Vec<&str> = ends.iter().flatten().map(|(_, run)| run.as_str()).collect();
    Ok(Some(runs.join(",")))
}

/// The least real time between two firings of one conditional trigger
/// outside workflows.
const MIN_REFIRE: std::time::Duration = std::time::Duration::from_secs(1);

impl Catalog {
    /// Fires the ACTIVATED conditional triggers outside workflows that watch
    /// `(kind, name)`, whose trigger-started run or crawl `id` just ended.
    pub(crate) fn fire_dependents(self: &Arc<Self>, kind: NodeType, name: &str, id: &str) {
        // Deciding and recording a firing in one transaction: two watched
        // runs ending at once fire an AND trigger once.
        let due = self.store.write(|tx| {
            let mut due = Vec::new();
            for t in Store::list_triggers(tx)? {
                let watching = t.workflow_name.is_none()
                    && t.trigger_type == TriggerType::Conditional
                    && t.state == TriggerState::Activated
                    && t.predicate.as_ref().is_some_and(|p| p.watches(kind, name));
                if !watching {
                    continue;
                }
                let Some(mark) = fires(tx, &t, kind, name, id)? else {
                    continue;
                };
                let mut progress = Store::trigger_progress(tx, &t.name)?;
                // An end that fired the trigger once does not count again: AND
                // waits until every watched job or crawler has ended anew.
                let before: Vec<&str> = progress
                    .fired_for
                    .as_deref()
                    .map_or(Vec::new(), |f| f.split(',').collect());
                if mark.split(',').any(|run| before.contains(&run)) {
                    continue;
                }
                progress.fired_for = Some(mark);
                Store::put_trigger_progress(tx, &t.name, &progress)?;
                due.push(t);
            }
            Ok(due)
        });
        match due {
            Ok(due) => {
                for t in due {
                    tracing::info!(target: "lakestack::glue", trigger = %t.name, "conditional trigger fired");
                    // A trigger that fires again within a second (a loop of
                    // triggers over jobs that fail at once) waits that second:
                    // the loop goes on at a bounded pace instead of spinning.
                    let wait = {
                        let mut last = self.trigger_fired.lock().unwrap_or_else(|p| p.into_inner());
                        let now = tokio::time::Instant::now();
                        let wait = last
                            .get(&t.name)
                            .map(|at| MIN_REFIRE.saturating_sub(now.duration_since(*at)))
                            .unwrap_or_default();
                        last.insert(t.name.clone(), now + wait);
                        wait
                    };
                    if wait.is_zero() {
                        self.fire_alone(&t);
                    } else {
                        let catalog = Arc::clone(self);
                        tokio::spawn(async move {
                            tokio::time::sleep(wait).await;
                            catalog.fire_alone(&t);
                        });
                    }
                }
            }
            Err(e) => tracing::error!(error = %e, "could not evaluate the conditional triggers"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cond(job: &str, state: &str) -> Condition {
        Condition {
            job_name: Some(job.into()),
            state: Some(state.into()),
            ..Condition::default()
        }
    }

    #[test]
    fn and_needs_every_condition_any_one() {
        let mut p = Predicate {
            logical: Some("AND".into()),
            conditions: vec![cond("a", "SUCCEEDED"), cond("b", "FAILED")],
        };
        let ended = |c: &Condition| match c.job_name.as_deref() {
            Some("a") => Some("SUCCEEDED".to_owned()),
            _ => Some("SUCCEEDED".to_owned()),
        };
        assert!(!holds(&p, ended));
        p.logical = Some("ANY".into());
        assert!(holds(&p, ended));
        assert!(!holds(&p, |_| None));
        // One condition without Logical is AND.
        let one = Predicate {
            logical: None,
            conditions: vec![cond("a", "SUCCEEDED")],
        };
        assert!(holds(&one, ended));
    }
}
