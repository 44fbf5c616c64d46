//! Schedules firing on an advanced clock and what their targets receive,
//! through the API and a host that records what it is handed: zones and
//! DST, rates, Start/EndDate, disabled schedules, ActionAfterCompletion,
//! retries and dead-letter queues, universal targets, event buses, and a
//! reopen of the file.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use lakestack_aws_protocol::{Clock, DeliveryError, ServiceError};
use serde_json::{Value, json};

use crate::host::{Delivery, Host};
use crate::scheduler_api::SchedulerApi;
use crate::service::{Events, Settings};
use crate::{EventsApi, names};

/// What a target (or `call_sdk`) received.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Got {
    pub arn: String,
    pub input: String,
    pub group: Option<String>,
    pub event_id: String,
    pub attributes: Vec<(String, String)>,
}

/// Records deliveries and universal calls. ARNs containing `flaky` fail
/// transiently, `gone` for good, `once` transiently on their first
/// attempt only; `kinesis` targets are refused, as the binary refuses them.
#[derive(Default)]
pub(crate) struct Recorder {
    pub got: Mutex<Vec<Got>>,
    tries: Mutex<HashMap<String, u32>>,
    notify: tokio::sync::Notify,
}

impl Recorder {
    fn record(&self, got: Got) {
        self.got.lock().unwrap().push(got);
        self.notify.notify_waiters();
    }

    pub(crate) async fn wait_for(&self, n: usize) -> Vec<Got> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let notified = self.notify.notified();
            {
                let got = self.got.lock().unwrap();
                if got.len() >= n {
                    return got.clone();
                }
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!("expected {n} deliveries, got {:?}", self.got.lock().unwrap());
            }
        }
    }

    /// What has arrived after a moment in which more could have.
    pub(crate) async fn settled(&self) -> Vec<Got> {
        tokio::time::sleep(Duration::from_millis(50)).await;
        self.got.lock().unwrap().clone()
    }
}

#[async_trait]
impl Host for Recorder {
    async fn deliver(&self, d: &Delivery<'_>) -> Result<(), DeliveryError> {
        if d.target_arn.contains("flaky") {
            return Err(DeliveryError::Transient("try later".into()));
        }
        if d.target_arn.contains("gone") {
            return Err(DeliveryError::Permanent("no such queue".into()));
        }
        if d.target_arn.contains("once") {
            let mut tries = self.tries.lock().unwrap();
            let n = tries.entry(d.target_arn.to_string()).or_default();
            *n += 1;
            if *n == 1 {
                return Err(DeliveryError::Transient("not yet".into()));
            }
        }
        self.record(Got {
            arn: d.target_arn.into(),
            input: d.input.into(),
            group: d.message_group_id.map(str::to_string),
            event_id: d.event_id.into(),
            attributes: d
                .attributes
                .iter()
                .map(|(k, v)| ((*k).to_string(), v.clone()))
                .collect(),
        });
        Ok(())
    }

    fn check_target(&self, arn: &str) -> Result<(), String> {
        match names::arn_parts(arn).map(|p| p.service) {
            Some("kinesis") => Err(format!(
                "lakestack has no kinesis service yet, so it cannot deliver to {arn}"
            )),
            Some(_) => Ok(()),
            None => Err(format!("Parameter {arn} is not valid.")),
        }
    }

    async fn call_sdk(&self, service: &str, action: &str, input: &str) -> Result<(), DeliveryError> {
        self.record(Got {
            arn: format!("sdk:{service}:{action}"),
            input: input.into(),
            group: None,
            event_id: String::new(),
            attributes: Vec::new(),
        });
        Ok(())
    }

    fn check_sdk_target(&self, service: &str, action: &str) -> Result<(), String> {
        match service {
            "sqs" | "glue" => Ok(()),
            _ => Err(format!("lakestack cannot call {service}:{action} from a schedule")),
        }
    }
}

pub(crate) fn open_at(dir: Option<&std::path::Path>, clock: Clock) -> (SchedulerApi, Arc<Recorder>) {
    let host = Arc::new(Recorder::default());
    let events = Events::open(
        Settings {
            dir: dir.map(Into::into),
            clock,
            ..Settings::default()
        },
        Arc::clone(&host) as _,
    )
    .unwrap();
    events.start();
    (SchedulerApi::new(events), host)
}

pub(crate) async fn call(api: &SchedulerApi, operation: &str, input: Value) -> Result<Value, ServiceError> {
    lakestack_aws_protocol::invoke(api, operation, &input).await
}

pub(crate) async fn ok(api: &SchedulerApi, operation: &str, input: Value) -> Value {
    call(api, operation, input)
        .await
        .unwrap_or_else(|e| panic!("{operation}: {e}"))
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().to_utc()
}

fn secs(text: &str) -> i64 {
    at(text).timestamp()
}

const QUEUE: &str = "arn:aws:sqs:us-east-1:000000000000:q";
const ROLE: &str = "arn:aws:iam::000000000000:role/scheduler";
const DLQ: &str = "arn:aws:sqs:us-east-1:000000000000:dlq";
const INPUT: &str = r#"{"at": "<aws.scheduler.scheduled-time>", "attempt": <aws.scheduler.attempt-number>, "arn": "<aws.scheduler.schedule-arn>", "id": "<aws.scheduler.execution-id>"}"#;

/// A schedule to `target` with the context attributes as its input.
fn schedule(name: &str, expression: &str, target: &str) -> Value {
    json!({
        "Name": name,
        "ScheduleExpression": expression,
        "FlexibleTimeWindow": {"Mode": "OFF"},
        "Target": {"Arn": target, "RoleArn": ROLE, "Input": INPUT},
    })
}

fn with(mut v: Value, extra: Value) -> Value {
    let (Value::Object(base), Value::Object(more)) = (&mut v, extra) else {
        unreachable!()
    };
    base.extend(more);
    v
}

fn input(got: &Got) -> Value {
    serde_json::from_str(&got.input).unwrap()
}

/// Waits for a schedule to be deleted (by the timer, which answers to no call).
async fn deleted(api: &SchedulerApi, name: &str) -> ServiceError {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        match call(api, "GetSchedule", json!({"Name": name})).await {
            Err(e) => return e,
            Ok(_) if tokio::time::Instant::now() > deadline => panic!("{name} was not deleted"),
            Ok(_) => tokio::time::sleep(Duration::from_millis(5)).await,
        }
    }
}

/// Lets the timer see an advance it was woken by.
async fn advance_to(clock: &Clock, when: &str) {
    assert!(clock.advance_to(at(when)), "{when} is in the clock's past");
    tokio::time::sleep(Duration::from_millis(20)).await;
}

#[tokio::test]
async fn an_at_in_paris_fires_at_its_utc_instant_once() {
    let clock = Clock::starting_at(1.0, at("2026-03-28T12:00:00Z"));
    let (api, host) = open_at(None, clock.clone());
    let created = ok(
        &api,
        "CreateSchedule",
        with(
            schedule("launch", "at(2026-03-29T10:00:00)", QUEUE),
            json!({"ScheduleExpressionTimezone": "Europe/Paris"}),
        ),
    )
    .await;
    let arn = "arn:aws:scheduler:us-east-1:000000000000:schedule/default/launch";
    assert_eq!(created, json!({"ScheduleArn": arn}));
    // Paris is on summer time (UTC+2) from 01:00 UTC that day.
    advance_to(&clock, "2026-03-29T07:59:00Z").await;
    assert!(host.settled().await.is_empty(), "not before 08:00 UTC");
    advance_to(&clock, "2026-03-29T08:00:00Z").await;
    let got = host.wait_for(1).await;
    assert_eq!(got[0].arn, QUEUE);
    let sent = input(&got[0]);
    assert_eq!(sent["at"], "2026-03-29T08:00:00Z");
    assert_eq!(sent["attempt"], 1);
    assert_eq!(sent["arn"], arn);
    let id = sent["id"].as_str().unwrap();
    assert_eq!(id.len(), 16);
    assert_eq!(got[0].event_id, id, "FIFO queues deduplicate on the execution id");
    advance_to(&clock, "2026-03-30T08:00:00Z").await;
    assert_eq!(host.settled().await.len(), 1, "a one-time schedule fires once");
    let kept = ok(&api, "GetSchedule", json!({"Name": "launch"})).await;
    assert_eq!(kept["ActionAfterCompletion"], "NONE", "and stays without DELETE");
}

#[tokio::test]
async fn a_rate_fires_at_once_then_every_period() {
    let clock = Clock::starting_at(1.0, at("2026-01-01T00:00:00Z"));
    let (api, host) = open_at(None, clock.clone());
    ok(
        &api,
        "CreateSchedule",
        with(
            schedule("poll", "rate(5 minutes)", QUEUE),
            json!({"Target": {"Arn": QUEUE, "RoleArn": ROLE, "Input": "ping", "SqsParameters": {"MessageGroupId": "g1"}}}),
        ),
    )
    .await;
    host.wait_for(1).await;
    clock.advance(Duration::from_secs(240));
    assert_eq!(host.settled().await.len(), 1);
    clock.advance(Duration::from_secs(60));
    host.wait_for(2).await;
    clock.advance(Duration::from_secs(300));
    let got = host.wait_for(3).await;
    assert!(
        got.iter()
            .all(|g| g.input == "ping" && g.group.as_deref() == Some("g1")),
        "{got:?}"
    );
}

#[tokio::test]
async fn a_cron_in_a_zone_skips_the_time_dst_removes() {
    let clock = Clock::starting_at(1.0, at("2026-03-27T12:00:00Z"));
    let (api, host) = open_at(None, clock.clone());
    ok(
        &api,
        "CreateSchedule",
        with(
            schedule("nightly", "cron(30 2 * * ? *)", QUEUE),
            json!({"ScheduleExpressionTimezone": "Europe/Paris"}),
        ),
    )
    .await;
    advance_to(&clock, "2026-03-28T01:30:00Z").await;
    let got = host.wait_for(1).await;
    assert_eq!(input(&got[0])["at"], "2026-03-28T01:30:00Z", "02:30 CET");
    // 29 March has no 02:30 in Paris.
    advance_to(&clock, "2026-03-29T23:00:00Z").await;
    assert_eq!(host.settled().await.len(), 1);
    advance_to(&clock, "2026-03-30T00:30:00Z").await;
    let got = host.wait_for(2).await;
    assert_eq!(input(&got[1])["at"], "2026-03-30T00:30:00Z", "02:30 CEST");
}

#[tokio::test]
async fn start_and_end_dates_bound_a_rate() {
    let clock = Clock::starting_at(1.0, at("2026-05-01T00:00:00Z"));
    let (api, host) = open_at(None, clock.clone());
    ok(
        &api,
        "CreateSchedule",
        with(
            schedule("window", "rate(10 minutes)", QUEUE),
            json!({"StartDate": secs("2026-05-01T01:00:00Z"), "EndDate": secs("2026-05-01T01:10:00Z")}),
        ),
    )
    .await;
    advance_to(&clock, "2026-05-01T00:30:00Z").await;
    assert!(host.settled().await.is_empty(), "not before the StartDate");
    advance_to(&clock, "2026-05-01T01:00:00Z").await;
    host.wait_for(1).await;
    advance_to(&clock, "2026-05-01T01:10:00Z").await;
    let got = host.wait_for(2).await;
    assert_eq!(input(&got[1])["at"], "2026-05-01T01:10:00Z");
    advance_to(&clock, "2026-05-01T03:00:00Z").await;
    assert_eq!(host.settled().await.len(), 2, "not after the EndDate");
}

#[tokio::test]
async fn a_disabled_schedule_does_not_fire_until_enabled() {
    let clock = Clock::starting_at(1.0, at("2026-01-01T00:00:00Z"));
    let (api, host) = open_at(None, clock.clone());
    let def = schedule("off", "rate(5 minutes)", QUEUE);
    ok(&api, "CreateSchedule", with(def.clone(), json!({"State": "DISABLED"}))).await;
    advance_to(&clock, "2026-01-01T00:30:00Z").await;
    assert!(host.settled().await.is_empty());
    ok(&api, "UpdateSchedule", with(def, json!({"State": "ENABLED"}))).await;
    host.wait_for(1).await;
}

#[tokio::test]
async fn action_after_completion_delete_removes_completed_schedules() {
    let clock = Clock::starting_at(1.0, at("2026-01-01T00:00:00Z"));
    let (api, host) = open_at(None, clock.clone());
    let delete = json!({"ActionAfterCompletion": "DELETE"});
    ok(
        &api,
        "CreateSchedule",
        with(schedule("once", "at(2026-01-01T06:00:00)", QUEUE), delete.clone()),
    )
    .await;
    ok(
        &api,
        "CreateSchedule",
        with(
            schedule("bounded", "rate(1 hour)", QUEUE),
            with(delete, json!({"EndDate": secs("2026-01-01T01:30:00Z")})),
        ),
    )
    .await;
    ok(
        &api,
        "CreateSchedule",
        with(
            schedule("never", "cron(0 12 * * ? *)", QUEUE),
            json!({"ActionAfterCompletion": "DELETE", "EndDate": secs("2026-01-01T06:00:00Z")}),
        ),
    )
    .await;
    host.wait_for(1).await; // the rate, at once
    let gone = deleted(&api, "never").await;
    assert_eq!(
        (gone.code.as_ref(), gone.message.as_str()),
        ("ResourceNotFoundException", "Schedule never does not exist."),
        "no time before its EndDate: completed at once"
    );
    assert!(
        call(&api, "GetSchedule", json!({"Name": "bounded"})).await.is_ok(),
        "01:00 is left"
    );
    // The rate's last time before its EndDate: deleted once it has fired.
    advance_to(&clock, "2026-01-01T01:00:00Z").await;
    host.wait_for(2).await;
    assert_eq!(deleted(&api, "bounded").await.code, "ResourceNotFoundException");
    assert!(call(&api, "GetSchedule", json!({"Name": "once"})).await.is_ok());
    advance_to(&clock, "2026-01-01T06:00:00Z").await;
    host.wait_for(3).await;
    assert_eq!(
        deleted(&api, "once").await.code,
        "ResourceNotFoundException",
        "deleted once fired"
    );
}

#[tokio::test]
async fn failures_are_retried_then_dead_lettered_with_schedulers_attributes() {
    // Waits last no time; calendar time still waits for advances.
    let clock = Clock::starting_at(0.0, at("2026-01-01T00:00:00Z"));
    let (api, host) = open_at(None, clock.clone());
    let failing = |name: &str, target: &str| {
        json!({
            "Name": name,
            "ScheduleExpression": "at(2026-01-01T01:00:00)",
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "Target": {"Arn": target, "RoleArn": ROLE, "Input": INPUT,
                       "RetryPolicy": {"MaximumRetryAttempts": 2},
                       "DeadLetterConfig": {"Arn": DLQ}},
        })
    };
    let flaky = "arn:aws:sqs:us-east-1:000000000000:flaky";
    let gone = "arn:aws:sqs:us-east-1:000000000000:gone";
    let once = "arn:aws:sqs:us-east-1:000000000000:once";
    for (name, target) in [("flaky", flaky), ("gone", gone), ("once", once)] {
        ok(&api, "CreateSchedule", failing(name, target)).await;
    }
    advance_to(&clock, "2026-01-01T01:00:00Z").await;
    let mut got = host.wait_for(3).await;
    got.sort_by_key(|g| g.attributes.iter().find(|(k, _)| k == "TARGET_ARN").cloned());
    // The target that failed once got its second attempt.
    assert_eq!(got[0].arn, once);
    assert_eq!(input(&got[0])["attempt"], 2);
    let id = |g: &Got| input(g)["id"].as_str().unwrap().to_string();
    let schedule_arn = |n: &str| format!("arn:aws:scheduler:us-east-1:000000000000:schedule/default/{n}");
    let attrs = |g: &Got| g.attributes.clone();
    let s = |k: &str, v: &str| (k.to_string(), v.to_string());
    assert_eq!(got[1].arn, DLQ);
    assert_eq!(
        attrs(&got[1]),
        [
            s("ERROR_CODE", "AWS.Scheduler.InternalServerError"),
            s("ERROR_MESSAGE", "try later"),
            s("EXECUTION_ID", &id(&got[1])),
            s("EXHAUSTED_RETRY_CONDITION", "MaximumRetryAttempts"),
            s("IS_PAYLOAD_TRUNCATED", "false"),
            s("RETRY_ATTEMPTS", "2"),
            s("SCHEDULED_TIME", "2026-01-01T01:00:00Z"),
            s("SCHEDULE_ARN", &schedule_arn("flaky")),
            s("TARGET_ARN", flaky),
        ]
    );
    assert_eq!(
        input(&got[1])["attempt"],
        3,
        "the DLQ gets the input of the last attempt"
    );
    assert_eq!(got[2].arn, DLQ);
    assert_eq!(
        attrs(&got[2]),
        [
            s("ERROR_CODE", "AWS.Scheduler.TargetInvocationError"),
            s("ERROR_MESSAGE", "no such queue"),
            s("EXECUTION_ID", &id(&got[2])),
            s("IS_PAYLOAD_TRUNCATED", "false"),
            s("RETRY_ATTEMPTS", "0"),
            s("SCHEDULED_TIME", "2026-01-01T01:00:00Z"),
            s("SCHEDULE_ARN", &schedule_arn("gone")),
            s("TARGET_ARN", gone),
        ]
    );
}

#[tokio::test]
async fn universal_targets_reach_call_sdk() {
    let clock = Clock::starting_at(1.0, at("2026-01-01T00:00:00Z"));
    let (api, host) = open_at(None, clock.clone());
    let body = r#"{"QueueUrl": "http://localhost/000000000000/q", "MessageBody": "<aws.scheduler.execution-id>"}"#;
    ok(
        &api,
        "CreateSchedule",
        json!({
            "Name": "sdk",
            "ScheduleExpression": "at(2026-01-01T00:10:00)",
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "Target": {"Arn": "arn:aws:scheduler:::aws-sdk:sqs:sendMessage", "RoleArn": ROLE, "Input": body},
        }),
    )
    .await;
    advance_to(&clock, "2026-01-01T00:10:00Z").await;
    let got = host.wait_for(1).await;
    assert_eq!(got[0].arn, "sdk:sqs:sendMessage");
    let sent = input(&got[0]);
    assert_eq!(sent["QueueUrl"], "http://localhost/000000000000/q");
    assert_eq!(sent["MessageBody"].as_str().unwrap().len(), 16);
    // A log group is no templated target of Scheduler's.
    let refused = lakestack_aws_protocol::invoke(
        &api,
        "CreateSchedule",
        &json!({
            "Name": "logs",
            "ScheduleExpression": "rate(5 minutes)",
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "Target": {"Arn": "arn:aws:logs:us-east-1:000000000000:log-group:/x", "RoleArn": ROLE},
        }),
    )
    .await
    .unwrap_err();
    assert_eq!(refused.code, "ValidationException");
}

#[tokio::test]
async fn bus_targets_put_the_input_as_an_events_detail() {
    let clock = Clock::starting_at(1.0, at("2026-01-01T00:00:00Z"));
    let (api, host) = open_at(None, clock.clone());
    let events = EventsApi::new(Arc::clone(api.events()));
    let rule = json!({"Name": "from-scheduler", "EventPattern": r#"{"source": ["my.scheduler"]}"#});
    lakestack_aws_protocol::invoke(&events, "PutRule", &rule).await.unwrap();
    lakestack_aws_protocol::invoke(
        &events,
        "PutTargets",
        &json!({"Rule": "from-scheduler", "Targets": [{"Id": "q", "Arn": QUEUE}]}),
    )
    .await
    .unwrap();
    ok(
        &api,
        "CreateSchedule",
        json!({
            "Name": "to-bus",
            "ScheduleExpression": "at(2026-01-01T00:05:00)",
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "Target": {"Arn": "arn:aws:events:us-east-1:000000000000:event-bus/default", "RoleArn": ROLE,
                       "Input": r#"{"job": "<aws.scheduler.scheduled-time>"}"#,
                       "EventBridgeParameters": {"DetailType": "Job Due", "Source": "my.scheduler"}},
        }),
    )
    .await;
    advance_to(&clock, "2026-01-01T00:05:00Z").await;
    let got = host.wait_for(1).await;
    let event = input(&got[0]);
    assert_eq!(event["source"], "my.scheduler");
    assert_eq!(event["detail-type"], "Job Due");
    assert_eq!(event["detail"], json!({"job": "2026-01-01T00:05:00Z"}));
    assert_eq!(
        event["resources"],
        json!(["arn:aws:scheduler:us-east-1:000000000000:schedule/default/to-bus"])
    );
}

#[tokio::test]
async fn a_flexible_window_fires_within_it() {
    let clock = Clock::starting_at(1.0, at("2026-01-01T00:00:00Z"));
    let (api, host) = open_at(None, clock.clone());
    ok(
        &api,
        "CreateSchedule",
        with(
            schedule("flex", "at(2026-01-01T01:00:00)", QUEUE),
            json!({"FlexibleTimeWindow": {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15}}),
        ),
    )
    .await;
    advance_to(&clock, "2026-01-01T00:59:59Z").await;
    assert!(host.settled().await.is_empty());
    advance_to(&clock, "2026-01-01T01:15:00Z").await;
    let got = host.wait_for(1).await;
    assert_eq!(
        input(&got[0])["at"],
        "2026-01-01T01:00:00Z",
        "the scheduled time, not the delayed one"
    );
}

#[tokio::test]
async fn schedules_and_their_progress_outlive_the_process() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Clock::starting_at(1.0, at("2026-01-01T00:00:00Z"));
    {
        let (api, host) = open_at(Some(dir.path()), clock.clone());
        ok(
            &api,
            "CreateSchedule",
            schedule("kept", "at(2026-01-01T00:10:00)", QUEUE),
        )
        .await;
        ok(&api, "CreateScheduleGroup", json!({"Name": "team"})).await;
        advance_to(&clock, "2026-01-01T00:10:00Z").await;
        host.wait_for(1).await;
    }
    let (api, host) = open_at(Some(dir.path()), clock.clone());
    advance_to(&clock, "2026-01-01T01:00:00Z").await;
    assert!(
        host.settled().await.is_empty(),
        "what fired before the reopen does not fire again"
    );
    assert_eq!(
        ok(&api, "GetSchedule", json!({"Name": "kept"})).await["ScheduleExpression"],
        "at(2026-01-01T00:10:00)"
    );
    assert_eq!(
        ok(&api, "GetScheduleGroup", json!({"Name": "team"})).await["State"],
        "ACTIVE"
    );
}

#[tokio::test]
async fn invocations_left_undelivered_are_delivered_after_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    {
        // No timer and no delivery: the invocation stays in the file, as after a kill.
        let events = Events::open(
            Settings {
                dir: Some(dir.path().into()),
                ..Settings::default()
            },
            Arc::new(Recorder::default()),
        )
        .unwrap();
        let inv = super::Invocation {
            seq: 7,
            schedule_arn: "arn:aws:scheduler:us-east-1:000000000000:schedule/default/s".into(),
            schedule_name: "s".into(),
            scheduled_ms: at("2026-01-01T00:00:00Z").timestamp_millis(),
            execution_id: "0123456789abcdef".into(),
            target: super::ScheduleTarget {
                arn: QUEUE.into(),
                role_arn: ROLE.into(),
                input: Some(INPUT.into()),
                retry: crate::model::RetryPolicy::default(),
                dead_letter_arn: None,
                message_group_id: None,
                event_bridge: None,
                other: Default::default(),
            },
        };
        events
            .writer
            .write(Box::new(move |c| super::store::insert_invocation(c, &inv)))
            .await
            .unwrap();
    }
    let (_api, host) = open_at(Some(dir.path()), Clock::default());
    let got = host.wait_for(1).await;
    let sent = input(&got[0]);
    assert_eq!(sent["at"], "2026-01-01T00:00:00Z");
    assert_eq!(sent["id"], "0123456789abcdef");
}
