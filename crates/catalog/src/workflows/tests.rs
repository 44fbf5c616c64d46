//! Workflow runs that really run: crawlers crawl, Python shell jobs run, and
//! the run's conditional triggers chain them to the end.

use std::sync::Arc;
use std::time::Duration;

use crate::model::{
    JobRunState, NodeType, StartingEventBatch, TriggerType, Workflow, WorkflowRun, WorkflowRunStatistics,
    WorkflowRunStatus,
};
use crate::test_support::{
    conditional, crawl, crawl_is, crawler, ended_runs, finished, fixture, job, job_is, params, run_job, trigger,
};
use crate::{Catalog, CatalogError, CatalogSettings, WorkflowGraph};

fn workflow(name: &str) -> Workflow {
    Workflow {
        name: name.into(),
        ..Workflow::default()
    }
}

/// The chain: an on-demand start trigger crawls `raw`; when that crawl
/// succeeds, `transform` (a job running `script`) runs; when it succeeds,
/// `curated` is crawled.
fn chain(c: &Catalog, script: &str) {
    c.create_job(job("transform", script), vec![]).unwrap();
    c.create_crawler(crawler("raw"), vec![]).unwrap();
    c.create_crawler(crawler("curated"), vec![]).unwrap();
    let mut etl = workflow("etl");
    etl.default_run_properties = params(&[("target", "db"), ("day", "sun")]);
    c.create_workflow(etl, vec![]).unwrap();
    c.create_trigger(
        trigger("start", TriggerType::OnDemand, Some("etl"), vec![crawl("raw")]),
        false,
        vec![],
    )
    .unwrap();
    c.create_trigger(
        conditional(
            "after_raw",
            Some("etl"),
            None,
            vec![crawl_is("raw", "SUCCEEDED")],
            vec![run_job("transform")],
        ),
        true,
        vec![],
    )
    .unwrap();
    c.create_trigger(
        conditional(
            "after_transform",
            Some("etl"),
            None,
            vec![job_is("transform", "SUCCEEDED")],
            vec![crawl("curated")],
        ),
        true,
        vec![],
    )
    .unwrap();
}

/// A graph's nodes as (type, name), and its edges as (from, to) names.
type Shape<'a> = (Vec<(NodeType, &'a str)>, Vec<(&'a str, &'a str)>);

fn shape(g: &WorkflowGraph) -> Shape<'_> {
    let name = |id: &str| {
        g.nodes
            .iter()
            .find(|n| n.unique_id == id)
            .map(|n| n.name.as_str())
            .unwrap()
    };
    (
        g.nodes.iter().map(|n| (n.node_type, n.name.as_str())).collect(),
        g.edges.iter().map(|(a, b)| (name(a), name(b))).collect(),
    )
}

fn node_id(g: &WorkflowGraph, name: &str) -> String {
    g.nodes.iter().find(|n| n.name == name).unwrap().unique_id.clone()
}

fn stats(total: i32, succeeded: i32, failed: i32) -> WorkflowRunStatistics {
    WorkflowRunStatistics {
        total_actions: total,
        succeeded_actions: succeeded,
        failed_actions: failed,
        ..WorkflowRunStatistics::default()
    }
}

/// The states a run's graph shows for its job runs and crawls, by node.
fn outcomes(g: &WorkflowGraph) -> Vec<(&str, Vec<String>)> {
    g.nodes
        .iter()
        .filter(|n| n.node_type != NodeType::Trigger)
        .map(|n| {
            let states = match (&n.job_runs, &n.crawls) {
                (Some(runs), _) => runs.iter().map(|r| r.state.as_str().to_owned()).collect(),
                (_, Some(crawls)) => crawls.iter().map(|k| k.crawl_state().to_owned()).collect(),
                _ => Vec::new(),
            };
            (n.name.as_str(), states)
        })
        .collect()
}

#[tokio::test]
async fn a_run_goes_down_the_chain_to_completed() {
    let f = fixture().await;
    let c = &f.catalog;
    chain(c, "workflow_step.py");
    let id = c.start_workflow_run("etl", params(&[("day", "mon")])).unwrap();
    assert!(id.starts_with("wr_") && id.len() == 67, "{id}");
    let run = finished(c, "etl", &id).await;
    assert_eq!(run.status, WorkflowRunStatus::Completed, "{run:?}");
    assert_eq!(run.statistics(), stats(3, 3, 0));
    assert!(run.completed_on.is_some_and(|t| t >= run.started_on));
    assert_eq!(run.properties, params(&[("day", "mon"), ("target", "db")]));

    let graph = c.workflow_run_graph(&run).unwrap();
    let (nodes, edges) = shape(&graph);
    assert_eq!(
        nodes,
        [
            (NodeType::Trigger, "after_raw"),
            (NodeType::Trigger, "after_transform"),
            (NodeType::Trigger, "start"),
            (NodeType::Job, "transform"),
            (NodeType::Crawler, "curated"),
            (NodeType::Crawler, "raw"),
        ]
    );
    assert_eq!(
        edges,
        [
            ("raw", "after_raw"),
            ("after_raw", "transform"),
            ("transform", "after_transform"),
            ("after_transform", "curated"),
            ("start", "raw"),
        ]
    );
    assert_eq!(
        outcomes(&graph),
        [
            ("transform", vec!["SUCCEEDED".to_owned()]),
            ("curated", vec!["SUCCEEDED".to_owned()]),
            ("raw", vec!["SUCCEEDED".to_owned()]),
        ]
    );
    assert!(
        graph
            .nodes
            .iter()
            .all(|n| n.unique_id.starts_with("wnode_") && n.unique_id.len() == 70)
    );
    // The design graph is the same, without the run's details.
    let design = c.workflow_graph("etl").unwrap();
    assert_eq!(shape(&design), shape(&graph));
    assert_eq!(design.nodes[3].unique_id, graph.nodes[3].unique_id);
    assert!(design.nodes.iter().all(|n| n.job_runs.is_none() && n.crawls.is_none()));

    // The job ran as the trigger's, with the run's name and id to read its properties.
    let job_run = &graph.nodes[3].job_runs.as_ref().unwrap()[0];
    assert_eq!(job_run.trigger_name.as_deref(), Some("after_raw"));
    assert!(job_run.arguments.is_empty());
    assert_eq!(
        f.output.lines(&job_run.id),
        ["workflow=etl".to_owned(), format!("run={id}")]
    );

    // What a job puts in the run's properties stays in that run.
    c.put_workflow_run_properties("etl", &id, params(&[("day", "tue"), ("rows", "3")]))
        .unwrap();
    assert_eq!(
        c.get_workflow_run_properties("etl", &id).unwrap(),
        params(&[("day", "tue"), ("rows", "3"), ("target", "db")])
    );
    assert_eq!(
        c.get_workflow("etl").unwrap().default_run_properties,
        params(&[("day", "sun"), ("target", "db")])
    );
    // A run that is over cannot be stopped.
    assert!(matches!(
        c.stop_workflow_run("etl", &id),
        Err(CatalogError::IllegalWorkflowState(_))
    ));
}

#[tokio::test]
async fn a_failed_job_is_counted_and_its_run_resumes_from_it() {
    let f = fixture().await;
    let c = &f.catalog;
    chain(c, "fails.py");
    let id = c.start_workflow_run("etl", Default::default()).unwrap();
    let run = finished(c, "etl", &id).await;
    // The run is COMPLETED though an action failed, as Glue shows it.
    assert_eq!(run.status, WorkflowRunStatus::Completed);
    assert_eq!(run.statistics(), stats(2, 1, 1));
    let graph = c.workflow_run_graph(&run).unwrap();
    assert_eq!(
        outcomes(&graph),
        [
            ("transform", vec!["FAILED".to_owned()]),
            ("curated", Vec::new()),
            ("raw", vec!["SUCCEEDED".to_owned()]),
        ]
    );
    let transform = node_id(&graph, "transform");
    let raw = node_id(&graph, "raw");

    // Only job and crawler nodes the run attempted can be resumed.
    assert!(matches!(
        c.resume_workflow_run("etl", &id, &[node_id(&graph, "curated")]),
        Err(CatalogError::InvalidInput(_))
    ));
    assert!(matches!(
        c.resume_workflow_run("etl", &id, &[node_id(&graph, "start")]),
        Err(CatalogError::InvalidInput(_))
    ));

    // Fixed, the job runs again in a new run that goes on from it.
    c.update_job("transform", job("transform", "workflow_step.py")).unwrap();
    let (resumed, restarted) = c
        .resume_workflow_run("etl", &id, std::slice::from_ref(&transform))
        .unwrap();
    assert_ne!(resumed, id);
    assert_eq!(restarted, std::slice::from_ref(&transform));
    let run = finished(c, "etl", &resumed).await;
    assert_eq!(run.status, WorkflowRunStatus::Completed);
    assert_eq!(run.previous_run_id.as_deref(), Some(id.as_str()));
    assert_eq!(run.statistics(), stats(2, 2, 0));
    let graph = c.workflow_run_graph(&run).unwrap();
    // The crawl of `raw` is copied from the original run; the rest ran now.
    assert_eq!(
        outcomes(&graph),
        [
            ("transform", vec!["SUCCEEDED".to_owned()]),
            ("curated", vec!["SUCCEEDED".to_owned()]),
            ("raw", vec!["SUCCEEDED".to_owned()]),
        ]
    );
    let job_run = &graph.nodes[3].job_runs.as_ref().unwrap()[0];
    assert_eq!(f.output.lines(&job_run.id)[1], format!("run={resumed}"));
    assert_eq!(c.list_crawls("raw").unwrap().len(), 1, "raw was not crawled again");

    // A selected node downstream of another selected one is not restarted on its own.
    let (again, restarted) = c
        .resume_workflow_run("etl", &resumed, &[transform, raw.clone()])
        .unwrap();
    assert_eq!(restarted, [raw]);
    let run = finished(c, "etl", &again).await;
    assert_eq!(run.statistics(), stats(3, 3, 0));
    assert_eq!(c.get_workflow_runs("etl").unwrap().len(), 3);
}

#[tokio::test]
async fn concurrent_runs_are_bounded_and_a_run_stops() {
    let f = fixture().await;
    let c = &f.catalog;
    c.create_job(job("sleeps", "sleeps.py"), vec![]).unwrap();
    let mut slow = workflow("slow");
    slow.max_concurrent_runs = Some(1);
    c.create_workflow(slow, vec![]).unwrap();
    c.create_trigger(
        trigger("start", TriggerType::OnDemand, Some("slow"), vec![run_job("sleeps")]),
        false,
        vec![],
    )
    .unwrap();
    let id = c.start_workflow_run("slow", Default::default()).unwrap();
    let second = c.start_workflow_run("slow", Default::default());
    assert!(
        matches!(&second, Err(CatalogError::ConcurrentRunsExceeded(m)) if m == "Concurrent runs exceeded for workflow: slow"),
        "{second:?}"
    );
    let run = c.get_workflow_run("slow", &id).unwrap();
    assert_eq!(run.status, WorkflowRunStatus::Running);
    assert_eq!(run.statistics().running_actions, 1);

    c.stop_workflow_run("slow", &id).unwrap();
    let run = finished(c, "slow", &id).await;
    assert_eq!(run.status, WorkflowRunStatus::Stopped);
    assert_eq!(
        run.statistics(),
        WorkflowRunStatistics {
            total_actions: 1,
            stopped_actions: 1,
            ..WorkflowRunStatistics::default()
        }
    );
    assert_eq!(ended_runs(c, "sleeps", 1).await[0].state, JobRunState::Stopped);
    // Room again for a run.
    let next = c.start_workflow_run("slow", Default::default()).unwrap();
    c.stop_workflow_run("slow", &next).unwrap();
    finished(c, "slow", &next).await;
}

#[tokio::test]
async fn an_event_trigger_fires_on_its_batch_or_when_its_window_ends() {
    let f = fixture().await;
    let c = &f.catalog;
    c.create_job(job("ingest", "workflow_step.py"), vec![]).unwrap();
    c.create_workflow(workflow("on_events"), vec![]).unwrap();
    let mut events = trigger("events", TriggerType::Event, Some("on_events"), vec![run_job("ingest")]);
    events.event_batching_condition = Some(crate::model::EventBatchingCondition {
        batch_size: 2,
        batch_window: Some(60),
    });
    c.create_trigger(events, true, vec![]).unwrap();
    c.start_scheduler();

    assert_eq!(c.notify_event_trigger("on_events", "e1").unwrap(), None);
    // The same event delivered again (at least once) does not fill the batch.
    assert_eq!(c.notify_event_trigger("on_events", "e1").unwrap(), None);
    assert!(c.get_workflow_runs("on_events").unwrap().is_empty());
    let id = c
        .notify_event_trigger("on_events", "e2")
        .unwrap()
        .expect("the second event fills the batch");
    let run = finished(c, "on_events", &id).await;
    assert_eq!(run.statistics(), stats(1, 1, 0));
    assert_eq!(run.properties, params(&[("aws:eventIds", "[e1, e2]")]));
    assert_eq!(
        run.starting_event_batch,
        Some(StartingEventBatch {
            batch_size: Some(2),
            batch_window: None
        })
    );

    // A lone event waits for the window to end, on the server's clock.
    assert_eq!(c.notify_event_trigger("on_events", "e3").unwrap(), None);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(c.get_workflow_runs("on_events").unwrap().len(), 1);
    f.clock.advance(Duration::from_secs(61));
    let wait = async {
        loop {
            let runs = c.get_workflow_runs("on_events").unwrap();
            if runs.len() == 2 {
                return runs;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    let runs = tokio::time::timeout(Duration::from_secs(10), wait)
        .await
        .expect("the window ends");
    let run = finished(c, "on_events", &runs[0].id).await;
    assert_eq!(run.properties, params(&[("aws:eventIds", "[e3]")]));
    assert_eq!(
        run.starting_event_batch,
        Some(StartingEventBatch {
            batch_size: None,
            batch_window: Some(60)
        })
    );

    // A deactivated trigger ignores events; a workflow without one refuses them.
    c.stop_trigger("events").unwrap();
    assert_eq!(c.notify_event_trigger("on_events", "e4").unwrap(), None);
    assert_eq!(c.notify_event_trigger("on_events", "e5").unwrap(), None);
    c.create_workflow(workflow("plain"), vec![]).unwrap();
    assert!(matches!(
        c.notify_event_trigger("plain", "e6"),
        Err(CatalogError::InvalidInput(_))
    ));
    assert!(matches!(
        c.notify_event_trigger("nope", "e7"),
        Err(CatalogError::NotFound(_))
    ));
}

#[tokio::test]
async fn a_scheduled_start_trigger_starts_runs_and_one_start_trigger_per_workflow() {
    let f = fixture().await;
    let c = &f.catalog;
    c.create_job(job("nightly", "plain_etl.py"), vec![]).unwrap();
    c.create_workflow(workflow("nights"), vec![]).unwrap();
    let mut at_two = trigger(
        "at_two",
        TriggerType::Scheduled,
        Some("nights"),
        vec![run_job("nightly")],
    );
    at_two.schedule = Some("cron(0 2 * * ? *)".into());
    c.create_trigger(at_two, true, vec![]).unwrap();
    let second = c.create_trigger(
        trigger("now", TriggerType::OnDemand, Some("nights"), vec![run_job("nightly")]),
        false,
        vec![],
    );
    assert!(matches!(second, Err(CatalogError::InvalidInput(_))), "{second:?}");
    let nowhere = c.create_trigger(
        trigger("lost", TriggerType::OnDemand, Some("nope"), vec![run_job("nightly")]),
        false,
        vec![],
    );
    assert!(matches!(nowhere, Err(CatalogError::InvalidInput(_))), "{nowhere:?}");

    c.start_scheduler();
    f.clock.advance(Duration::from_secs(24 * 3600));
    let runs = ended_runs(c, "nightly", 1).await;
    assert_eq!(runs[0].trigger_name.as_deref(), Some("at_two"));
    let wf_runs = c.get_workflow_runs("nights").unwrap();
    assert_eq!(wf_runs.len(), 1);
    assert_eq!(runs[0].workflow_run_id.as_deref(), Some(wf_runs[0].id.as_str()));
    finished(c, "nights", &wf_runs[0].id).await;

    // Deleting the workflow deletes its triggers.
    c.delete_workflow("nights").unwrap();
    assert!(matches!(c.get_trigger("at_two"), Err(CatalogError::NotFound(_))));
    c.delete_workflow("nights").unwrap();
}

#[tokio::test]
async fn runs_under_way_when_the_process_died_end_in_error() {
    let dir = tempfile::tempdir().unwrap();
    let objects: Arc<dyn object_store::ObjectStore> = Arc::new(object_store::memory::InMemory::new());
    {
        let c = Catalog::open(dir.path(), Arc::clone(&objects), CatalogSettings::default()).unwrap();
        c.create_workflow(workflow("etl"), vec![]).unwrap();
        let run = WorkflowRun {
            workflow_name: "etl".into(),
            id: "wr_left".into(),
            status: WorkflowRunStatus::Running,
            actions: vec![crate::model::RunAction {
                name: "j".into(),
                ids: vec!["jr_left".into()],
                state: "RUNNING".into(),
                ..crate::model::RunAction::default()
            }],
            ..WorkflowRun::default()
        };
        c.store
            .write(|tx| crate::store::Store::insert_workflow_run(tx, &run))
            .unwrap();
    }
    let c = Catalog::open(dir.path(), objects, CatalogSettings::default()).unwrap();
    let run = c.get_workflow_run("etl", "wr_left").unwrap();
    assert_eq!(run.status, WorkflowRunStatus::Error);
    assert_eq!(
        run.error_message.as_deref(),
        Some("The workflow run was interrupted: lakestack stopped while it was running.")
    );
    assert!(run.completed_on.is_some());
    assert_eq!(run.statistics().failed_actions, 1);
}
