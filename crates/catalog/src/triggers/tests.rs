//! Triggers outside workflows that really fire: on demand, on the server's
//! clock, and on the ends of the runs they watch.

use std::time::Duration;

use crate::CatalogError;
use crate::model::{JobRunState, TriggerState, TriggerType};
use crate::test_support::{conditional, ended_runs, fixture, job, job_is, params, run_job, trigger};
use crate::{JobRunRequest, model};

#[tokio::test]
async fn any_fires_on_one_watched_end_and_on_every_other_all_of_them() {
    let f = fixture().await;
    let c = &f.catalog;
    for (name, script) in [
        ("a", "plain_etl.py"),
        ("b", "fails.py"),
        ("after_any", "plain_etl.py"),
        ("after_both", "plain_etl.py"),
        ("a_ok_b_failed", "plain_etl.py"),
    ] {
        c.create_job(job(name, script), vec![]).unwrap();
    }
    let mut go = trigger("go", TriggerType::OnDemand, None, vec![run_job("a"), run_job("b")]);
    go.actions[0].arguments = params(&[("--day", "mon")]);
    c.create_trigger(go, false, vec![]).unwrap();
    let watch = |name: &str, logical: &str, b_state: &str, then: &str| {
        conditional(
            name,
            None,
            Some(logical),
            vec![job_is("a", "SUCCEEDED"), job_is("b", b_state)],
            vec![run_job(then)],
        )
    };
    c.create_trigger(watch("any", "ANY", "SUCCEEDED", "after_any"), true, vec![])
        .unwrap();
    c.create_trigger(watch("all", "AND", "SUCCEEDED", "after_both"), true, vec![])
        .unwrap();
    c.create_trigger(watch("mixed", "AND", "FAILED", "a_ok_b_failed"), true, vec![])
        .unwrap();

    c.start_trigger("go").unwrap();
    assert_eq!(
        c.get_trigger("go").unwrap().state,
        TriggerState::Created,
        "on-demand triggers stay CREATED"
    );
    let a = ended_runs(c, "a", 1).await;
    assert_eq!(a[0].trigger_name.as_deref(), Some("go"));
    assert_eq!(a[0].arguments, params(&[("--day", "mon")]));
    ended_runs(c, "b", 1).await;
    let any = ended_runs(c, "after_any", 1).await;
    assert_eq!(
        (any[0].trigger_name.as_deref(), any[0].state),
        (Some("any"), JobRunState::Succeeded)
    );
    let mixed = ended_runs(c, "a_ok_b_failed", 1).await;
    assert_eq!(mixed[0].trigger_name.as_deref(), Some("mixed"));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        c.get_job_runs("after_both").unwrap().is_empty(),
        "b failed: AND does not hold"
    );
    assert_eq!(c.get_job_runs("after_any").unwrap().len(), 1);
    assert_eq!(c.get_job_runs("a_ok_b_failed").unwrap().len(), 1);

    // A run no trigger started fires nothing, as on AWS.
    let manual = c.start_job_run("a", JobRunRequest::default()).unwrap();
    c.wait_for_job_run("a", &manual).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(c.get_job_runs("after_any").unwrap().len(), 1);

    // A deactivated trigger fires nothing either.
    c.stop_trigger("any").unwrap();
    assert_eq!(c.get_trigger("any").unwrap().state, TriggerState::Deactivated);
    c.start_trigger("go").unwrap();
    ended_runs(c, "b", 2).await;
    ended_runs(c, "a_ok_b_failed", 2).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(c.get_job_runs("after_any").unwrap().len(), 1);
}

#[tokio::test]
async fn and_waits_for_every_watched_job_to_end_anew() {
    let f = fixture().await;
    let c = &f.catalog;
    for name in ["a", "b", "after_both"] {
        c.create_job(job(name, "plain_etl.py"), vec![]).unwrap();
    }
    c.create_trigger(
        trigger("both", TriggerType::OnDemand, None, vec![run_job("a"), run_job("b")]),
        false,
        vec![],
    )
    .unwrap();
    c.create_trigger(
        trigger("only_a", TriggerType::OnDemand, None, vec![run_job("a")]),
        false,
        vec![],
    )
    .unwrap();
    let all = conditional(
        "all",
        None,
        Some("AND"),
        vec![job_is("a", "SUCCEEDED"), job_is("b", "SUCCEEDED")],
        vec![run_job("after_both")],
    );
    c.create_trigger(all, true, vec![]).unwrap();
    c.start_trigger("both").unwrap();
    ended_runs(c, "after_both", 1).await;
    // a alone again: b's old end does not count twice.
    c.start_trigger("only_a").unwrap();
    ended_runs(c, "a", 2).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(c.get_job_runs("after_both").unwrap().len(), 1);
    // Both anew: it fires again.
    c.start_trigger("both").unwrap();
    ended_runs(c, "after_both", 2).await;
}

#[tokio::test]
async fn a_scheduled_trigger_fires_when_the_clock_passes_its_time() {
    let f = fixture().await;
    let c = &f.catalog;
    c.create_job(job("nightly", "plain_etl.py"), vec![]).unwrap();
    let mut at_three = trigger("at_three", TriggerType::Scheduled, None, vec![run_job("nightly")]);
    at_three.schedule = Some("cron(0 3 * * ? *)".into());
    c.create_trigger(at_three.clone(), true, vec![]).unwrap();
    // A schedule that is not activated does not fire.
    at_three.name = "idle".into();
    at_three.actions = vec![run_job("never")];
    c.create_trigger(at_three, false, vec![]).unwrap();
    // Glue's floor: nothing more often than every five minutes.
    let mut too_often = trigger("too_often", TriggerType::Scheduled, None, vec![run_job("nightly")]);
    too_often.schedule = Some("cron(* * * * ? *)".into());
    assert!(matches!(
        c.create_trigger(too_often, true, vec![]),
        Err(CatalogError::InvalidInput(_))
    ));

    c.start_scheduler();
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(c.get_job_runs("nightly").unwrap().is_empty());
    f.clock.advance(Duration::from_secs(24 * 3600));
    let runs = ended_runs(c, "nightly", 1).await;
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].trigger_name.as_deref(), Some("at_three"));
    assert_eq!(runs[0].state, JobRunState::Succeeded);
}

#[tokio::test]
async fn definitions_follow_glues_rules() {
    let f = fixture().await;
    let c = &f.catalog;
    let on_demand = trigger("now", TriggerType::OnDemand, None, vec![run_job("j")]);
    let refused = c.create_trigger(on_demand.clone(), true, vec![]);
    assert!(
        matches!(&refused, Err(CatalogError::InvalidInput(m)) if m == "StartOnCreation is not supported for ON_DEMAND triggers."),
        "{refused:?}"
    );
    c.create_trigger(on_demand.clone(), false, vec![]).unwrap();
    assert!(matches!(
        c.create_trigger(on_demand, false, vec![]),
        Err(CatalogError::AlreadyExists(_))
    ));
    // Several conditions need Logical; an event trigger needs a workflow.
    let vague = conditional(
        "vague",
        None,
        None,
        vec![job_is("a", "SUCCEEDED"), job_is("b", "SUCCEEDED")],
        vec![run_job("c")],
    );
    assert!(matches!(
        c.create_trigger(vague, true, vec![]),
        Err(CatalogError::InvalidInput(_))
    ));
    let event = trigger("ev", TriggerType::Event, None, vec![run_job("c")]);
    assert!(matches!(
        c.create_trigger(event, true, vec![]),
        Err(CatalogError::InvalidInput(_))
    ));

    // UpdateTrigger keeps the type and state, and what it does not give.
    let updated = c
        .update_trigger("now", |t| t.description = Some("by hand".into()))
        .unwrap();
    assert_eq!(updated.description.as_deref(), Some("by hand"));
    assert_eq!(updated.actions, vec![run_job("j")]);
    assert_eq!(
        (updated.trigger_type, updated.state),
        (TriggerType::OnDemand, TriggerState::Created)
    );
    c.delete_trigger("now").unwrap();
    c.delete_trigger("now").unwrap();
    assert!(matches!(c.get_trigger("now"), Err(CatalogError::NotFound(_))));
    let _: Vec<model::Trigger> = c.list_triggers().unwrap();
}
