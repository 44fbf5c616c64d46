//! The Scheduler API's exact answers are transcripts in
//! `tests/wire/scheduler/` (see `lakestack_aws_protocol::transcript`;
//! `BLESS=1` rewrites them), replayed in-process with every member in the
//! body. The routes themselves (labels, query parameters, status codes)
//! are checked here over the kit's `serve`, as a request from the wire is.

use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use http::{Method, Request, StatusCode};
use http_body_util::Full;
use lakestack_aws_protocol::{Clock, Protocol, serve, transcript};
use serde_json::{Value, json};

use super::{SchedulerApi, SchedulerOp};
use crate::schedules::tests::Recorder;
use crate::service::{Events, Settings};

/// Times differ from run to run; names, ARNs and tokens do not.
const VOLATILE: transcript::Volatile<'static> = transcript::Volatile {
    hidden: &["CreationDate", "LastModificationDate"],
    numbered: &[],
};

/// A fresh service whose host refuses what the binary's refuses; its
/// timer is not started, so nothing fires while the transcripts run.
fn api() -> SchedulerApi {
    let events = Events::open(
        Settings {
            clock: Clock::starting_at(1.0, chrono::DateTime::from_timestamp(1_767_225_600, 0).unwrap()),
            ..Settings::default()
        },
        Arc::new(Recorder::default()),
    )
    .unwrap();
    SchedulerApi::new(events)
}

#[tokio::test]
async fn wire_transcripts() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/wire/scheduler");
    if let Err(report) = transcript::check_dir(&dir, VOLATILE, api).await {
        panic!("{report}");
    }
}

#[test]
fn operations_parse_by_their_aws_names() {
    assert_eq!("CreateSchedule".parse::<SchedulerOp>(), Ok(SchedulerOp::CreateSchedule));
    assert_eq!(SchedulerOp::ALL.len(), 12);
    assert!("PutRule".parse::<SchedulerOp>().is_err());
}

async fn http(api: &SchedulerApi, method: Method, uri: &str, body: Value) -> (StatusCode, Option<String>, Value) {
    let body = if body.is_null() {
        Bytes::new()
    } else {
        Bytes::from(body.to_string())
    };
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json")
        .body(Full::new(body))
        .unwrap();
    let (_, resp) = serve(api, Protocol::RestJson1, req, None).await;
    let code = resp
        .headers()
        .get("x-amzn-ErrorType")
        .map(|v| v.to_str().unwrap().to_string());
    let status = resp.status();
    let body = resp.into_body();
    let value = if body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&body).unwrap()
    };
    (status, code, value)
}

#[tokio::test]
async fn routes_carry_labels_and_query_parameters() {
    let api = api();
    let (status, _, body) = http(
        &api,
        Method::POST,
        "/schedule-groups/team",
        json!({"Tags": [{"Key": "k", "Value": "v"}]}),
    )
    .await;
    assert_eq!(
        (status, body["ScheduleGroupArn"].as_str()),
        (
            StatusCode::OK,
            Some("arn:aws:scheduler:us-east-1:000000000000:schedule-group/team")
        )
    );
    let create = json!({
        "GroupName": "team",
        "ScheduleExpression": "rate(1 hour)",
        "FlexibleTimeWindow": {"Mode": "OFF"},
        "Target": {"Arn": "arn:aws:sqs:us-east-1:000000000000:q", "RoleArn": "arn:aws:iam::000000000000:role/r"},
    });
    for name in ["a", "b"] {
        let (status, _, _) = http(&api, Method::POST, &format!("/schedules/{name}"), create.clone()).await;
        assert_eq!(status, StatusCode::OK);
    }
    let (status, _, got) = http(&api, Method::GET, "/schedules/a?groupName=team", Value::Null).await;
    assert_eq!((status, got["GroupName"].as_str()), (StatusCode::OK, Some("team")));
    let (status, code, got) = http(&api, Method::GET, "/schedules/a", Value::Null).await;
    assert_eq!(
        (status, code.as_deref(), got["message"].as_str()),
        (
            StatusCode::NOT_FOUND,
            Some("ResourceNotFoundException"),
            Some("Schedule a does not exist.")
        )
    );
    let (_, _, page) = http(
        &api,
        Method::GET,
        "/schedules?ScheduleGroup=team&MaxResults=1",
        Value::Null,
    )
    .await;
    assert_eq!(page["Schedules"].as_array().unwrap().len(), 1);
    let token = page["NextToken"].as_str().unwrap();
    let (_, _, rest) = http(
        &api,
        Method::GET,
        &format!("/schedules?ScheduleGroup=team&NextToken={token}"),
        Value::Null,
    )
    .await;
    assert_eq!(rest["Schedules"][0]["Name"], "b");
    let (status, code, _) = http(&api, Method::POST, "/schedules/a", json!({"GroupName": "team", "ScheduleExpression": "rate(1 hour)", "FlexibleTimeWindow": {"Mode": "OFF"}, "Target": {"Arn": "arn:aws:sqs:us-east-1:000000000000:q", "RoleArn": "arn:aws:iam::000000000000:role/r"}})).await;
    assert_eq!(
        (status, code.as_deref()),
        (StatusCode::CONFLICT, Some("ConflictException"))
    );
    let (status, _, _) = http(&api, Method::DELETE, "/schedules/b?groupName=team", Value::Null).await;
    assert_eq!(status, StatusCode::OK);
    // The ARN's `/` encoded, as the SDKs send it, and as it is.
    let arn = "arn:aws:scheduler:us-east-1:000000000000:schedule-group%2Fteam";
    let (status, _, _) = http(
        &api,
        Method::POST,
        &format!("/tags/{arn}"),
        json!({"Tags": [{"Key": "x", "Value": "1"}]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = http(
        &api,
        Method::DELETE,
        &format!("/tags/{arn}?TagKeys=k&TagKeys=nope"),
        Value::Null,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, _, tags) = http(
        &api,
        Method::GET,
        "/tags/arn:aws:scheduler:us-east-1:000000000000:schedule-group/team",
        Value::Null,
    )
    .await;
    assert_eq!(tags, json!({"Tags": [{"Key": "x", "Value": "1"}]}));
    let (status, code, _) = http(&api, Method::GET, "/schedule-groups?MaxResults=0", Value::Null).await;
    assert_eq!(
        (status, code.as_deref()),
        (StatusCode::BAD_REQUEST, Some("ValidationException"))
    );
    let (status, code, _) = http(&api, Method::GET, "/schedule-groups?MaxResults=many", Value::Null).await;
    assert_eq!(
        (status, code.as_deref()),
        (StatusCode::BAD_REQUEST, Some("ValidationException"))
    );
    let (status, _, _) = http(&api, Method::DELETE, "/schedule-groups/team", Value::Null).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = http(&api, Method::GET, "/schedules/a?groupName=team", Value::Null).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "the group took its schedules with it");
}
