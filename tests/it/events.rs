//! EventBridge, EventBridge Scheduler and Glue jobs through aws-sdk-rust: a
//! rule's transformed input reaching a queue, a pattern tested, a schedule
//! fired by advancing the server's clock, and a Python shell job run to
//! SUCCEEDED.

use aws_sdk_eventbridge::types::{InputTransformer, PutEventsRequestEntry, Target};
use aws_sdk_scheduler::types::{FlexibleTimeWindow, FlexibleTimeWindowMode};

use crate::common::{Server, sdk_client};

async fn queue(sqs: &aws_sdk_sqs::Client, name: &str) -> (String, String) {
    let url = sqs
        .create_queue()
        .queue_name(name)
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    let attrs = sqs
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
        .send()
        .await
        .unwrap();
    let arn = attrs.attributes.unwrap()[&aws_sdk_sqs::types::QueueAttributeName::QueueArn].clone();
    (url, arn)
}

async fn one_body(sqs: &aws_sdk_sqs::Client, url: &str) -> String {
    let got = sqs
        .receive_message()
        .queue_url(url)
        .wait_time_seconds(10)
        .send()
        .await
        .unwrap();
    got.messages.unwrap()[0].body.clone().unwrap()
}

#[tokio::test]
async fn rules_schedules_and_jobs_through_the_rust_sdk() {
    let s = Server::start_with(&["--ephemeral", "--clock-start", "2026-12-07T12:00:00Z"]);
    let events = sdk_client!(aws_sdk_eventbridge, s);
    let sqs = sdk_client!(aws_sdk_sqs, s);
    let (url, arn) = queue(&sqs, "rust-events").await;

    let rule = events
        .put_rule()
        .name("orders")
        .event_pattern(r#"{"source": ["shop"], "detail": {"total": [{"numeric": [">", 10]}]}}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(
        rule.rule_arn(),
        Some("arn:aws:events:us-east-1:000000000000:rule/orders")
    );
    let transformer = InputTransformer::builder()
        .input_paths_map("id", "$.detail.id")
        .input_template(r#"{"order": <id>, "rule": "<aws.events.rule-name>"}"#)
        .build()
        .unwrap();
    let put = events
        .put_targets()
        .rule("orders")
        .targets(
            Target::builder()
                .id("q")
                .arn(&arn)
                .input_transformer(transformer)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(put.failed_entry_count(), 0);
    let entry = |total: i64| {
        PutEventsRequestEntry::builder()
            .source("shop")
            .detail_type("Order Placed")
            .detail(format!(r#"{{"id": "o-{total}", "total": {total}}}"#))
            .build()
    };
    let sent = events
        .put_events()
        .entries(entry(5))
        .entries(entry(50))
        .send()
        .await
        .unwrap();
    assert_eq!(sent.failed_entry_count(), 0);
    assert_eq!(sent.entries().len(), 2);
    assert_eq!(one_body(&sqs, &url).await, r#"{"order": "o-50", "rule": "orders"}"#);
    let tested = events
        .test_event_pattern()
        .event_pattern(r#"{"detail-type": [{"prefix": "Order"}]}"#)
        .event(r#"{"id": "1", "account": "000000000000", "source": "shop", "time": "2026-01-01T00:00:00Z", "region": "us-east-1", "resources": [], "detail-type": "Order Placed", "detail": {}}"#)
        .send()
        .await
        .unwrap();
    assert!(tested.result());
    let refused = events
        .put_rule()
        .name("bad")
        .event_pattern(r#"{"a": 1}"#)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        refused.into_service_error().meta().code(),
        Some("InvalidEventPatternException")
    );

    // A one-time schedule an hour ahead, fired by moving the clock there.
    let scheduler = sdk_client!(aws_sdk_scheduler, s);
    let (url, arn) = queue(&sqs, "rust-scheduled").await;
    scheduler
        .create_schedule()
        .name("once")
        .schedule_expression("at(2026-12-07T13:00:00)")
        .flexible_time_window(
            FlexibleTimeWindow::builder()
                .mode(FlexibleTimeWindowMode::Off)
                .build()
                .unwrap(),
        )
        .target(
            aws_sdk_scheduler::types::Target::builder()
                .arn(&arn)
                .role_arn("arn:aws:iam::000000000000:role/s")
                .input(r#"{"at": "<aws.scheduler.scheduled-time>"}"#)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let moved = reqwest::Client::new()
        .post(format!("{}/_lakestack/clock", s.endpoint))
        .body(r#"{"to": "2026-12-07T13:00:00Z"}"#)
        .send()
        .await
        .unwrap();
    assert!(moved.status().is_success());
    assert_eq!(one_body(&sqs, &url).await, r#"{"at": "2026-12-07T13:00:00Z"}"#);

    // A Python shell job from S3, run to its end.
    let s3 = s.client();
    s3.create_bucket().bucket("scripts").send().await.unwrap();
    s3.put_object()
        .bucket("scripts")
        .key("hello.py")
        .body(b"import sys\nfrom awsglue.utils import getResolvedOptions\nprint(getResolvedOptions(sys.argv, ['JOB_NAME'])['JOB_NAME'])\n".to_vec().into())
        .send()
        .await
        .unwrap();
    let glue = sdk_client!(aws_sdk_glue, s);
    glue.create_job()
        .name("hello")
        .role("arn:aws:iam::000000000000:role/glue")
        .command(
            aws_sdk_glue::types::JobCommand::builder()
                .name("pythonshell")
                .script_location("s3://scripts/hello.py")
                .build(),
        )
        .max_capacity(0.0625)
        .send()
        .await
        .unwrap();
    let id = glue
        .start_job_run()
        .job_name("hello")
        .send()
        .await
        .unwrap()
        .job_run_id
        .unwrap();
    let run = loop {
        let run = glue
            .get_job_run()
            .job_name("hello")
            .run_id(&id)
            .send()
            .await
            .unwrap()
            .job_run
            .unwrap();
        match run.job_run_state() {
            Some(aws_sdk_glue::types::JobRunState::Starting | aws_sdk_glue::types::JobRunState::Running) => {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            _ => break run,
        }
    };
    assert_eq!(run.job_run_state(), Some(&aws_sdk_glue::types::JobRunState::Succeeded));
    assert_eq!(run.attempt(), 0);
}
