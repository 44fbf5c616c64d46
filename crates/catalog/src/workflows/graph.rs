//! A workflow's graph: its triggers, the jobs and crawlers they start and
//! watch as nodes, and edges from each watched node to the trigger watching
//! it and from each trigger to the nodes it starts. A run's graph is built
//! from the triggers it started with and shows the job runs and crawls of
//! that run.

use std::collections::BTreeSet;

use sha2::{Digest, Sha256};

use crate::Catalog;
use crate::error::Result;
use crate::model::{Crawl, JobRun, NodeType, Trigger, WorkflowRun};
use crate::store::Store;

/// A workflow's nodes and the edges between them (`SourceId`, `DestinationId`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WorkflowGraph {
    pub nodes: Vec<GraphNode>,
    pub edges: Vec<(String, String)>,
}

/// A trigger, job or crawler of a workflow.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphNode {
    pub node_type: NodeType,
    pub name: String,
    /// Glue's form, `wnode_` and 64 hex digits; the same for the same node
    /// in every graph of the workflow, so ResumeWorkflowRun can name it.
    pub unique_id: String,
    /// A trigger node's trigger.
    pub trigger: Option<Trigger>,
    /// In a run's graph, a job node's runs in that run (attempts included).
    pub job_runs: Option<Vec<JobRun>>,
    /// In a run's graph, a crawler node's crawls in that run.
    pub crawls: Option<Vec<Crawl>>,
}

pub(crate) fn node_id(workflow: &str, kind: NodeType, name: &str) -> String {
    let digest = Sha256::digest(format!("{workflow}\n{}\n{name}", kind.as_str()).as_bytes());
    format!("wnode_{}", hex::encode(digest))
}

/// The jobs and crawlers the triggers watch or start, in type then name order.
fn targets(triggers: &[Trigger]) -> BTreeSet<(NodeType, String)> {
    let mut out = BTreeSet::new();
    for t in triggers {
        for c in t.predicate.iter().flat_map(|p| &p.conditions) {
            if let Some((kind, name)) = c.watched() {
                out.insert((kind, name.to_owned()));
            }
        }
        for a in &t.actions {
            if let Some((kind, name)) = a.target() {
                out.insert((kind, name.to_owned()));
            }
        }
    }
    out
}

/// The graph of `triggers` (in name order), nodes without run details.
pub(crate) fn design(workflow: &str, triggers: &[Trigger]) -> WorkflowGraph {
    let mut g = WorkflowGraph::default();
    for t in triggers {
        g.nodes.push(GraphNode {
            node_type: NodeType::Trigger,
            name: t.name.clone(),
            unique_id: node_id(workflow, NodeType::Trigger, &t.name),
            trigger: Some(t.clone()),
            job_runs: None,
            crawls: None,
        });
    }
    for (kind, name) in targets(triggers) {
        g.nodes.push(GraphNode {
            node_type: kind,
            unique_id: node_id(workflow, kind, &name),
            name,
            trigger: None,
            job_runs: None,
            crawls: None,
        });
    }
    let mut edge = |from: String, to: String| {
        if !g.edges.contains(&(from.clone(), to.clone())) {
            g.edges.push((from, to));
        }
    };
    for t in triggers {
        let trigger_id = node_id(workflow, NodeType::Trigger, &t.name);
        for c in t.predicate.iter().flat_map(|p| &p.conditions) {
            if let Some((kind, name)) = c.watched() {
                edge(node_id(workflow, kind, name), trigger_id.clone());
            }
        }
        for a in &t.actions {
            if let Some((kind, name)) = a.target() {
                edge(trigger_id.clone(), node_id(workflow, kind, name));
            }
        }
    }
    g
}

/// The jobs and crawlers downstream of `from` (not counting `from` unless
/// reached again), and the triggers on the way: each trigger watching a
/// reached node, and what it starts.
pub(crate) fn downstream(
    triggers: &[Trigger],
    from: &[(NodeType, String)],
) -> (BTreeSet<(NodeType, String)>, BTreeSet<String>) {
    let mut nodes = BTreeSet::new();
    let mut passed = BTreeSet::new();
    let mut frontier: Vec<(NodeType, String)> = from.to_vec();
    while let Some((kind, name)) = frontier.pop() {
        for t in triggers {
            let watches = t.predicate.as_ref().is_some_and(|p| p.watches(kind, &name));
            if !watches || !passed.insert(t.name.clone()) {
                continue;
            }
            for a in &t.actions {
                if let Some((k, n)) = a.target()
                    && nodes.insert((k, n.to_owned()))
                {
                    frontier.push((k, n.to_owned()));
                }
            }
        }
    }
    (nodes, passed)
}

impl Catalog {
    /// A workflow's graph as its triggers are now.
    pub fn workflow_graph(&self, name: &str) -> Result<WorkflowGraph> {
        Ok(design(name, &self.workflow_triggers(name)?))
    }

    /// A run's graph: the triggers it started with, and on each job and
    /// crawler node the job runs and crawls of the run (those a resumed run
    /// copied from the run it resumed included).
    pub fn workflow_run_graph(&self, run: &WorkflowRun) -> Result<WorkflowGraph> {
        let mut g = design(&run.workflow_name, &run.triggers);
        self.store.read(|c| {
            for node in &mut g.nodes {
                let ids: Vec<&String> = run
                    .actions
                    .iter()
                    .filter(|a| a.kind == node.node_type && a.name == node.name)
                    .flat_map(|a| &a.ids)
                    .collect();
                if ids.is_empty() {
                    continue;
                }
                match node.node_type {
                    NodeType::Job => {
                        let mut runs = Vec::new();
                        for id in ids {
                            runs.extend(Store::get_job_run(c, &node.name, id)?);
                        }
                        node.job_runs = Some(runs);
                    }
                    NodeType::Crawler => {
                        let crawls = Store::list_crawls(c, &node.name)?
                            .into_iter()
                            .filter(|k| ids.contains(&&k.crawl_id))
                            .collect();
                        node.crawls = Some(crawls);
                    }
                    NodeType::Trigger => {}
                }
            }
            Ok(())
        })?;
        Ok(g)
    }
}
