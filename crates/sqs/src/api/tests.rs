//! The API edge as the kit calls it: exact answers as transcripts in
//! `tests/wire/` (see `lakestack_aws_protocol::transcript`; `BLESS=1`
//! rewrites them), both protocols' wire shapes through `serve`, and the
//! timing behaviours (long polls, visibility, delays, move tasks) on a
//! scaled clock, reopening, and the in-process API.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderMap, Request};
use lakestack_aws_protocol::{Clock, Protocol, ServiceError, serve, transcript};
use serde_json::{Value, json};

use super::{SqsApi, SqsOp};
use crate::model::{MessageAttributeValue, NewMessage};
use crate::{Settings, Sqs, SqsError};

const URL: &str = "http://localhost:4566/000000000000/";
const ARN: &str = "arn:aws:sqs:us-east-1:000000000000:";

fn open(scale: f64, dir: Option<&Path>) -> Arc<Sqs> {
    Sqs::open(Settings {
        clock: Clock::scaled(scale),
        dir: dir.map(Path::to_path_buf),
        ..Settings::default()
    })
    .unwrap()
}

fn api() -> SqsApi {
    SqsApi::new(open(1.0, None))
}

async fn call(api: &SqsApi, op: &str, input: Value) -> Result<Value, ServiceError> {
    lakestack_aws_protocol::invoke(api, op, &input).await
}

async fn ok(api: &SqsApi, op: &str, input: Value) -> Value {
    call(api, op, input).await.unwrap_or_else(|e| panic!("{op}: {e}"))
}

async fn create(api: &SqsApi, name: &str, attrs: Value) -> String {
    ok(api, "CreateQueue", json!({"QueueName": name, "Attributes": attrs})).await["QueueUrl"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn bodies(received: &Value) -> Vec<String> {
    received["Messages"]
        .as_array()
        .map(|m| m.iter().map(|m| m["Body"].as_str().unwrap().to_owned()).collect())
        .unwrap_or_default()
}

async fn count(api: &SqsApi, url: &str, attr: &str) -> u64 {
    let v = ok(
        api,
        "GetQueueAttributes",
        json!({"QueueUrl": url, "AttributeNames": [attr]}),
    )
    .await;
    v["Attributes"][attr].as_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn wire_transcripts() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/wire");
    let volatile = transcript::Volatile {
        hidden: &[
            "CreatedTimestamp",
            "LastModifiedTimestamp",
            "SentTimestamp",
            "ApproximateFirstReceiveTimestamp",
            "StartedTimestamp",
        ],
        numbered: &["MessageId", "ReceiptHandle", "NextToken", "TaskHandle"],
    };
    if let Err(report) = transcript::check_dir(&dir, volatile, api).await {
        panic!("{report}");
    }
}

#[test]
fn operations_parse_by_their_aws_names() {
    assert_eq!("SendMessage".parse::<SqsOp>(), Ok(SqsOp::SendMessage));
    assert_eq!(SqsOp::ALL.len(), 21);
    assert!("AddPermission".parse::<SqsOp>().is_err());
}

// --- the wire, through `serve` ------------------------------------------------

struct Answer {
    status: u16,
    headers: HeaderMap,
    body: String,
}

async fn serve_req(api: &SqsApi, protocol: Protocol, req: Request<http_body_util::Full<Bytes>>) -> Answer {
    let (_, resp) = serve(api, protocol, req, None).await;
    Answer {
        status: resp.status().as_u16(),
        headers: resp.headers().clone(),
        body: String::from_utf8(resp.body().to_vec()).unwrap(),
    }
}

async fn json_call(api: &SqsApi, op: &str, input: Value) -> Answer {
    let req = Request::post("/")
        .header("x-amz-target", format!("AmazonSQS.{op}"))
        .header("content-type", "application/x-amz-json-1.0")
        .header("host", "sqs.local:4566")
        .body(http_body_util::Full::new(Bytes::from(input.to_string())))
        .unwrap();
    serve_req(api, Protocol::AwsJson1_0, req).await
}

async fn form(api: &SqsApi, path: &str, body: &str) -> Answer {
    let req = Request::post(path)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("host", "127.0.0.1:4566")
        .header(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=00",
        )
        .body(http_body_util::Full::new(Bytes::from(body.to_owned())))
        .unwrap();
    serve_req(api, Protocol::AwsQuery, req).await
}

fn header<'a>(a: &'a Answer, name: &str) -> Option<&'a str> {
    a.headers.get(name).and_then(|v| v.to_str().ok())
}

fn between<'a>(xml: &'a str, tag: &str) -> &'a str {
    let open = format!("<{tag}>");
    let start = xml
        .find(&open)
        .map(|i| i + open.len())
        .unwrap_or_else(|| panic!("no {tag} in {xml}"));
    let end = xml[start..].find(&format!("</{tag}>")).unwrap() + start;
    &xml[start..end]
}

#[tokio::test]
async fn json_errors_name_the_shape_and_the_query_code() {
    let api = api();
    let a = json_call(&api, "GetQueueUrl", json!({"QueueName": "nope"})).await;
    assert_eq!(a.status, 400);
    assert_eq!(
        a.body,
        r#"{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."}"#
    );
    assert_eq!(
        header(&a, "x-amzn-query-error"),
        Some("AWS.SimpleQueueService.NonExistentQueue;Sender")
    );
    assert_eq!(header(&a, "content-type"), Some("application/x-amz-json-1.0"));
    let a = json_call(&api, "CreateQueue", json!({"QueueName": "q"})).await;
    assert_eq!(a.body, r#"{"QueueUrl":"http://sqs.local:4566/000000000000/q"}"#);
    let a = json_call(
        &api,
        "CreateQueue",
        json!({"QueueName": "q", "Attributes": {"DelaySeconds": "1"}}),
    )
    .await;
    assert_eq!(header(&a, "x-amzn-query-error"), Some("QueueAlreadyExists;Sender"));
    let a = json_call(&api, "PurgeQueue", json!({"QueueUrl": "http://x/000000000000/q"})).await;
    assert_eq!(a.status, 200);
    let a = json_call(&api, "PurgeQueue", json!({"QueueUrl": "http://x/000000000000/q"})).await;
    assert_eq!(a.status, 403);
    assert_eq!(
        header(&a, "x-amzn-query-error"),
        Some("AWS.SimpleQueueService.PurgeQueueInProgress;Sender")
    );
    let a = json_call(&api, "AddPermission", json!({})).await;
    assert_eq!(a.status, 501);
    assert!(a.body.contains("AddPermission"), "{}", a.body);
    let a = json_call(&api, "SendMessage", json!({"QueueUrl": 7})).await;
    assert_eq!(a.status, 400);
    assert_eq!(header(&a, "x-amzn-query-error"), Some("InvalidParameterValue;Sender"));
}

#[tokio::test]
async fn the_query_protocol_reads_forms_and_writes_flattened_xml() {
    let api = api();
    let a = form(
        &api,
        "/",
        "Action=CreateQueue&Version=2012-11-05&QueueName=legacy&Attribute.1.Name=VisibilityTimeout&Attribute.1.Value=45&Tag.1.Key=team&Tag.1.Value=data",
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(
        a.body,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CreateQueueResponse xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\"><CreateQueueResult><QueueUrl>http://127.0.0.1:4566/000000000000/legacy</QueueUrl></CreateQueueResult><ResponseMetadata><RequestId>"
            .to_owned()
            + header(&a, "x-amz-request-id").unwrap()
            + "</RequestId></ResponseMetadata></CreateQueueResponse>"
    );
    // Posted to the queue's path, without QueueUrl.
    let a = form(
        &api,
        "/000000000000/legacy",
        "Action=SendMessage&MessageBody=a%26b%3Cc&MessageAttribute.1.Name=Foo&MessageAttribute.1.Value.StringValue=Bar&MessageAttribute.1.Value.DataType=String",
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(between(&a.body, "MD5OfMessageBody"), crate::digest::body("a&b<c"));
    assert_eq!(
        between(&a.body, "MD5OfMessageAttributes"),
        "ae7155c6026991b6d54b11589678bf9c"
    );
    let a = form(
        &api,
        "/",
        "Action=ReceiveMessage&QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Flegacy&AttributeName.1=SenderId&MessageAttributeName.1=All",
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let msg = between(&a.body, "Message");
    assert_eq!(between(msg, "Body"), "a&amp;b&lt;c");
    assert!(
        msg.contains("<Attribute><Name>SenderId</Name><Value>AKIDEXAMPLE</Value></Attribute>"),
        "{msg}"
    );
    assert!(
        msg.contains("<MessageAttribute><Name>Foo</Name><Value><StringValue>Bar</StringValue><DataType>String</DataType></Value></MessageAttribute>"),
        "{msg}"
    );
    let handle = between(msg, "ReceiptHandle").to_owned();
    let a = form(
        &api,
        "/000000000000/legacy",
        &format!("Action=DeleteMessageBatch&DeleteMessageBatchRequestEntry.1.Id=a&DeleteMessageBatchRequestEntry.1.ReceiptHandle={handle}&DeleteMessageBatchRequestEntry.2.Id=b&DeleteMessageBatchRequestEntry.2.ReceiptHandle=bad"),
    )
    .await;
    assert!(
        a.body
            .contains("<DeleteMessageBatchResultEntry><Id>a</Id></DeleteMessageBatchResultEntry>"),
        "{}",
        a.body
    );
    assert!(
        a.body.contains(
            "<BatchResultErrorEntry><Id>b</Id><SenderFault>true</SenderFault><Code>ReceiptHandleIsInvalid</Code>"
        ),
        "{}",
        a.body
    );
    let a = form(
        &api,
        "/",
        "Action=GetQueueAttributes&QueueUrl=http://x/000000000000/legacy&AttributeName.1=VisibilityTimeout",
    )
    .await;
    assert!(
        a.body
            .contains("<Attribute><Name>VisibilityTimeout</Name><Value>45</Value></Attribute>"),
        "{}",
        a.body
    );
    let a = form(&api, "/", "Action=ListQueueTags&QueueUrl=http://x/000000000000/legacy").await;
    assert!(
        a.body.contains("<Tag><Key>team</Key><Value>data</Value></Tag>"),
        "{}",
        a.body
    );
    let a = form(&api, "/", "Action=ListQueues").await;
    assert!(
        a.body.contains(
            "<ListQueuesResult><QueueUrl>http://127.0.0.1:4566/000000000000/legacy</QueueUrl></ListQueuesResult>"
        ),
        "{}",
        a.body
    );
    // Errors answer the query code.
    let a = form(&api, "/", "Action=GetQueueUrl&QueueName=nope").await;
    assert_eq!(a.status, 400);
    assert!(
        a.body.contains("<Error><Type>Sender</Type><Code>AWS.SimpleQueueService.NonExistentQueue</Code><Message>The specified queue does not exist.</Message></Error>"),
        "{}",
        a.body
    );
    let a = form(&api, "/", "Action=CreateQueue&QueueName=legacy").await;
    assert!(a.body.contains("<Code>QueueAlreadyExists</Code>"), "{}", a.body);
    let a = form(
        &api,
        "/000000000000/legacy",
        "Action=ReceiveMessage&MaxNumberOfMessages=ten",
    )
    .await;
    assert!(a.body.contains("<Code>InvalidParameterValue</Code>"), "{}", a.body);
    let a = form(
        &api,
        "/",
        "Action=SendMessageBatch&QueueUrl=http://x/000000000000/legacy",
    )
    .await;
    assert!(
        a.body.contains("<Code>AWS.SimpleQueueService.EmptyBatchRequest</Code>"),
        "{}",
        a.body
    );
}

// --- timing on the server's clock ----------------------------------------------

#[tokio::test]
async fn a_long_poll_returns_as_soon_as_a_message_arrives() {
    let api = api();
    let url = create(&api, "poll", json!({})).await;
    let waiter = {
        let api = api.clone();
        let url = url.clone();
        tokio::spawn(async move {
            let started = Instant::now();
            let got = ok(&api, "ReceiveMessage", json!({"QueueUrl": url, "WaitTimeSeconds": 20})).await;
            (started.elapsed(), got)
        })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    ok(&api, "SendMessage", json!({"QueueUrl": url, "MessageBody": "ping"})).await;
    let (took, got) = waiter.await.unwrap();
    assert_eq!(bodies(&got), ["ping"]);
    assert!(
        took < Duration::from_secs(5),
        "woken by the send, not the timeout: {took:?}"
    );
}

#[tokio::test]
async fn long_polls_and_delays_scale_and_visibility_keeps_a_floor() {
    let api = SqsApi::new(open(0.01, None));
    let url = create(&api, "vis", json!({"VisibilityTimeout": "10"})).await;
    // 20 s of wait on a 0.01 clock: 0.2 s, then an empty answer.
    let started = Instant::now();
    let got = ok(&api, "ReceiveMessage", json!({"QueueUrl": url, "WaitTimeSeconds": 20})).await;
    assert_eq!(got, json!({}));
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(150) && took < Duration::from_secs(3),
        "{took:?}"
    );

    ok(&api, "SendMessage", json!({"QueueUrl": url, "MessageBody": "m"})).await;
    let received = Instant::now();
    let first = ok(&api, "ReceiveMessage", json!({"QueueUrl": url})).await;
    assert_eq!(bodies(&first), ["m"]);
    assert_eq!(ok(&api, "ReceiveMessage", json!({"QueueUrl": url})).await, json!({}));
    assert_eq!(count(&api, &url, "ApproximateNumberOfMessagesNotVisible").await, 1);
    // The 10 s visibility timeout holds state: not 0.1 s but the floor of
    // a second of real time, over several 0.2 s long polls.
    let again = loop {
        let got = ok(
            &api,
            "ReceiveMessage",
            json!({"QueueUrl": url, "WaitTimeSeconds": 20, "AttributeNames": ["ApproximateReceiveCount"]}),
        )
        .await;
        if got != json!({}) || received.elapsed() > Duration::from_secs(5) {
            break got;
        }
    };
    let took = received.elapsed();
    assert_eq!(bodies(&again), ["m"]);
    assert!(
        took >= Duration::from_millis(950) && took < Duration::from_secs(3),
        "{took:?}"
    );
    assert_eq!(again["Messages"][0]["Attributes"]["ApproximateReceiveCount"], "2");
    let handle = &again["Messages"][0]["ReceiptHandle"];
    ok(&api, "DeleteMessage", json!({"QueueUrl": url, "ReceiptHandle": handle})).await;

    // DelaySeconds 10 is a wait: 0.1 s delayed, counted as such.
    ok(
        &api,
        "SendMessage",
        json!({"QueueUrl": url, "MessageBody": "later", "DelaySeconds": 10}),
    )
    .await;
    assert_eq!(count(&api, &url, "ApproximateNumberOfMessagesDelayed").await, 1);
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(count(&api, &url, "ApproximateNumberOfMessagesDelayed").await, 0);
    assert_eq!(count(&api, &url, "ApproximateNumberOfMessages").await, 1);

    // The purge cooldown (60 s of the clock, 0.6 s) keeps its floor: 1 s.
    ok(&api, "PurgeQueue", json!({"QueueUrl": url})).await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert!(call(&api, "PurgeQueue", json!({"QueueUrl": url})).await.is_err());
    tokio::time::sleep(Duration::from_millis(350)).await;
    ok(&api, "PurgeQueue", json!({"QueueUrl": url})).await;
}

/// Puts every visible message of queue `name` past its retention, as if
/// its time had come: retention lasts a minute of real time at least,
/// longer than a test should wait.
fn age(sqs: &Sqs, name: &str) {
    let q = sqs.queue_named(name).unwrap();
    let now = sqs.now_ms();
    let mut st = q.lock();
    for (seq, mut e) in st.index.take_visible(usize::MAX) {
        e.expires_ms = now - 1;
        st.index.insert(seq, e, now).unwrap();
    }
}

#[tokio::test]
async fn retention_scales_with_a_floor_and_removes_old_messages() {
    let sqs = open(0.001, None);
    let api = SqsApi::new(sqs.clone());
    for (name, retention, lasts_ms) in [("short", 60, 60_000), ("long", 1_209_600, 1_209_600)] {
        let url = create(&api, name, json!({"MessageRetentionPeriod": retention.to_string()})).await;
        ok(&api, "SendMessage", json!({"QueueUrl": url, "MessageBody": "m"})).await;
        let q = sqs.queue_named(name).unwrap();
        let st = q.lock();
        let (_, e) = st.index.entries().next().unwrap();
        assert_eq!(e.expires_ms - e.sent_ms, lasts_ms, "{name}");
    }
    let url = format!("{URL}short");
    assert_eq!(count(&api, &url, "ApproximateNumberOfMessages").await, 1);
    age(&sqs, "short");
    assert_eq!(count(&api, &url, "ApproximateNumberOfMessages").await, 0);
}

#[tokio::test]
async fn dead_letters_keep_their_id_and_sent_time() {
    let api = api();
    create(&api, "dlq", json!({})).await;
    let policy = json!({"deadLetterTargetArn": format!("{ARN}dlq"), "maxReceiveCount": 1}).to_string();
    let url = create(&api, "src", json!({"VisibilityTimeout": "0", "RedrivePolicy": policy})).await;
    let sent = ok(&api, "SendMessage", json!({"QueueUrl": url, "MessageBody": "bad"})).await;
    let all = json!({"QueueUrl": url, "AttributeNames": ["All"]});
    let first = ok(&api, "ReceiveMessage", all.clone()).await;
    assert_eq!(bodies(&first), ["bad"]);
    assert_eq!(ok(&api, "ReceiveMessage", all).await, json!({}), "moved, not delivered");
    let dead = ok(
        &api,
        "ReceiveMessage",
        json!({"QueueUrl": format!("{URL}dlq"), "AttributeNames": ["All"]}),
    )
    .await;
    let m = &dead["Messages"][0];
    assert_eq!(m["MessageId"], sent["MessageId"]);
    assert_eq!(
        m["Attributes"]["SentTimestamp"],
        first["Messages"][0]["Attributes"]["SentTimestamp"]
    );
    assert_eq!(m["Attributes"]["ApproximateReceiveCount"], "2");
    assert_eq!(m["Attributes"]["DeadLetterQueueSourceArn"], format!("{ARN}src"));
    let sources = ok(
        &api,
        "ListDeadLetterSourceQueues",
        json!({"QueueUrl": format!("{URL}dlq")}),
    )
    .await;
    assert_eq!(sources, json!({"queueUrls": [url]}));
}

#[tokio::test]
async fn move_tasks_redrive_dead_letters() {
    let api = SqsApi::new(open(0.01, None));
    create(&api, "dlq", json!({})).await;
    let policy = json!({"deadLetterTargetArn": format!("{ARN}dlq"), "maxReceiveCount": 1}).to_string();
    let src = create(&api, "src", json!({"VisibilityTimeout": "0", "RedrivePolicy": policy})).await;
    let other = create(&api, "other", json!({})).await;
    for i in 0..5 {
        ok(
            &api,
            "SendMessage",
            json!({"QueueUrl": src, "MessageBody": format!("m{i}")}),
        )
        .await;
    }
    ok(
        &api,
        "ReceiveMessage",
        json!({"QueueUrl": src, "MaxNumberOfMessages": 10}),
    )
    .await;
    ok(
        &api,
        "ReceiveMessage",
        json!({"QueueUrl": src, "MaxNumberOfMessages": 10}),
    )
    .await;
    assert_eq!(
        count(&api, &format!("{URL}dlq"), "ApproximateNumberOfMessages").await,
        5
    );

    // Two a second of the 0.01 clock: a step every 10 ms.
    let started = ok(
        &api,
        "StartMessageMoveTask",
        json!({"SourceArn": format!("{ARN}dlq"), "MaxNumberOfMessagesPerSecond": 2}),
    )
    .await;
    let handle = started["TaskHandle"].as_str().unwrap().to_owned();
    let again = call(&api, "StartMessageMoveTask", json!({"SourceArn": format!("{ARN}dlq")})).await;
    assert_eq!(again.unwrap_err().code, "com.amazonaws.sqs#UnsupportedOperation");
    let list = |api: SqsApi| async move {
        ok(
            &api,
            "ListMessageMoveTasks",
            json!({"SourceArn": format!("{ARN}dlq"), "MaxResults": 10}),
        )
        .await
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    let done = loop {
        let l = list(api.clone()).await;
        if l["Results"][0]["Status"] == "COMPLETED" || Instant::now() > deadline {
            break l;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    let task = &done["Results"][0];
    assert_eq!(task["Status"], "COMPLETED");
    assert_eq!(task["ApproximateNumberOfMessagesMoved"], 5);
    assert_eq!(task["ApproximateNumberOfMessagesToMove"], 5);
    assert_eq!(task["MaxNumberOfMessagesPerSecond"], 2);
    assert!(task.get("TaskHandle").is_none(), "only running tasks show their handle");
    assert_eq!(count(&api, &src, "ApproximateNumberOfMessages").await, 5);
    let back = ok(
        &api,
        "ReceiveMessage",
        json!({"QueueUrl": src, "MaxNumberOfMessages": 10, "AttributeNames": ["ApproximateReceiveCount"]}),
    )
    .await;
    assert_eq!(
        back["Messages"][0]["Attributes"]["ApproximateReceiveCount"], "1",
        "redriven messages start over"
    );
    let e = call(&api, "CancelMessageMoveTask", json!({"TaskHandle": handle}))
        .await
        .unwrap_err();
    assert_eq!(e.code, "com.amazonaws.sqs#UnsupportedOperation");

    // To a destination, cancelled midway.
    ok(
        &api,
        "ReceiveMessage",
        json!({"QueueUrl": src, "MaxNumberOfMessages": 10}),
    )
    .await;
    assert_eq!(
        count(&api, &format!("{URL}dlq"), "ApproximateNumberOfMessages").await,
        5
    );
    let started = ok(
        &api,
        "StartMessageMoveTask",
        json!({"SourceArn": format!("{ARN}dlq"), "DestinationArn": format!("{ARN}other"), "MaxNumberOfMessagesPerSecond": 1}),
    )
    .await;
    let running = list(api.clone()).await;
    assert_eq!(running["Results"][0]["Status"], "RUNNING");
    assert_eq!(running["Results"][0]["TaskHandle"], started["TaskHandle"]);
    assert_eq!(running["Results"][0]["DestinationArn"], format!("{ARN}other"));
    tokio::time::sleep(Duration::from_millis(15)).await;
    let cancelled = ok(
        &api,
        "CancelMessageMoveTask",
        json!({"TaskHandle": started["TaskHandle"]}),
    )
    .await;
    let moved = cancelled["ApproximateNumberOfMessagesMoved"].as_u64().unwrap();
    assert!(moved < 5, "{moved}");
    let deadline = Instant::now() + Duration::from_secs(10);
    while list(api.clone()).await["Results"][0]["Status"] != "CANCELLED" && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let l = list(api.clone()).await;
    assert_eq!(l["Results"][0]["Status"], "CANCELLED");
    assert_eq!(l["Results"].as_array().unwrap().len(), 2);
    let arrived = count(&api, &other, "ApproximateNumberOfMessages").await;
    let left = count(&api, &format!("{URL}dlq"), "ApproximateNumberOfMessages").await;
    assert_eq!(arrived + left, 5);
    assert!(arrived >= 1);
}

// --- FIFO ------------------------------------------------------------------------

#[tokio::test]
async fn fifo_groups_keep_order_under_concurrent_consumers() {
    let api = api();
    let url = create(
        &api,
        "order.fifo",
        json!({"FifoQueue": "true", "ContentBasedDeduplication": "true"}),
    )
    .await;
    for i in 0..30 {
        let group = format!("g{}", i % 3);
        ok(
            &api,
            "SendMessage",
            json!({"QueueUrl": url, "MessageBody": format!("{group}-{i:02}"), "MessageGroupId": group}),
        )
        .await;
    }
    // Deliveries are logged when received, before the delete that unlocks
    // the group: a group's log must be in send order.
    let log = Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let api = api.clone();
        let url = url.clone();
        let log = log.clone();
        tasks.push(tokio::spawn(async move {
            loop {
                let r = ok(
                    &api,
                    "ReceiveMessage",
                    json!({"QueueUrl": url, "MaxNumberOfMessages": 2}),
                )
                .await;
                let Some(msgs) = r["Messages"].as_array().cloned() else {
                    break;
                };
                log.lock()
                    .unwrap()
                    .extend(msgs.iter().map(|m| m["Body"].as_str().unwrap().to_owned()));
                for m in msgs {
                    tokio::task::yield_now().await;
                    ok(
                        &api,
                        "DeleteMessage",
                        json!({"QueueUrl": url, "ReceiptHandle": m["ReceiptHandle"]}),
                    )
                    .await;
                }
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let log = log.lock().unwrap().clone();
    assert_eq!(log.len(), 30, "{log:?}");
    let mut by_group: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for body in log {
        let (g, _) = body.split_once('-').unwrap();
        by_group.entry(g.to_owned()).or_default().push(body.clone());
    }
    for (g, bodies) in by_group {
        let mut sorted = bodies.clone();
        sorted.sort();
        assert_eq!(bodies, sorted, "group {g} out of order");
        assert_eq!(bodies.len(), 10);
    }
}

// --- durability ------------------------------------------------------------------

#[tokio::test]
async fn a_reopened_service_has_its_queues_messages_and_their_state() {
    let dir = tempfile::tempdir().unwrap();
    let (handle, dedup_id, seq1) = {
        let api = SqsApi::new(open(1.0, Some(dir.path())));
        let url = create(&api, "keep", json!({"VisibilityTimeout": "600"})).await;
        ok(&api, "TagQueue", json!({"QueueUrl": url, "Tags": {"k": "v"}})).await;
        for body in ["one", "two", "three"] {
            ok(
                &api,
                "SendMessage",
                json!({"QueueUrl": url, "MessageBody": body, "MessageAttributes": {"a": {"DataType": "Number", "StringValue": "1"}}}),
            )
            .await;
        }
        let got = ok(
            &api,
            "ReceiveMessage",
            json!({"QueueUrl": url, "MaxNumberOfMessages": 2}),
        )
        .await;
        assert_eq!(bodies(&got), ["one", "two"]);
        // "two" is deleted; "one" stays in flight.
        ok(
            &api,
            "DeleteMessage",
            json!({"QueueUrl": url, "ReceiptHandle": got["Messages"][1]["ReceiptHandle"]}),
        )
        .await;
        let fifo = create(&api, "f.fifo", json!({"FifoQueue": "true"})).await;
        let s = ok(
            &api,
            "SendMessage",
            json!({"QueueUrl": fifo, "MessageBody": "x", "MessageGroupId": "g", "MessageDeduplicationId": "d1"}),
        )
        .await;
        (
            got["Messages"][0]["ReceiptHandle"].as_str().unwrap().to_owned(),
            s["MessageId"].as_str().unwrap().to_owned(),
            s["SequenceNumber"].as_str().unwrap().to_owned(),
        )
    };
    let api = SqsApi::new(open(1.0, Some(dir.path())));
    let url = format!("{URL}keep");
    assert_eq!(count(&api, &url, "ApproximateNumberOfMessages").await, 1);
    assert_eq!(count(&api, &url, "ApproximateNumberOfMessagesNotVisible").await, 1);
    assert_eq!(count(&api, &url, "VisibilityTimeout").await, 600);
    assert_eq!(
        ok(&api, "ListQueueTags", json!({"QueueUrl": url})).await,
        json!({"Tags": {"k": "v"}})
    );
    let got = ok(
        &api,
        "ReceiveMessage",
        json!({"QueueUrl": url, "MessageAttributeNames": ["All"], "AttributeNames": ["ApproximateReceiveCount"]}),
    )
    .await;
    assert_eq!(bodies(&got), ["three"], "read from the file");
    assert_eq!(got["Messages"][0]["MessageAttributes"]["a"]["StringValue"], "1");
    assert_eq!(got["Messages"][0]["MD5OfBody"], crate::digest::body("three"));
    // A handle from before the restart still works.
    ok(
        &api,
        "ChangeMessageVisibility",
        json!({"QueueUrl": url, "ReceiptHandle": handle, "VisibilityTimeout": 0}),
    )
    .await;
    let again = ok(
        &api,
        "ReceiveMessage",
        json!({"QueueUrl": url, "AttributeNames": ["ApproximateReceiveCount"]}),
    )
    .await;
    assert_eq!(bodies(&again), ["one"]);
    assert_eq!(again["Messages"][0]["Attributes"]["ApproximateReceiveCount"], "2");
    // The deduplication window and sequence numbers carry on.
    let fifo = format!("{URL}f.fifo");
    let dup = ok(
        &api,
        "SendMessage",
        json!({"QueueUrl": fifo, "MessageBody": "x", "MessageGroupId": "g", "MessageDeduplicationId": "d1"}),
    )
    .await;
    assert_eq!(dup["MessageId"], dedup_id.as_str());
    let next = ok(
        &api,
        "SendMessage",
        json!({"QueueUrl": fifo, "MessageBody": "y", "MessageGroupId": "g", "MessageDeduplicationId": "d2"}),
    )
    .await;
    assert!(next["SequenceNumber"].as_str().unwrap() > seq1.as_str());
    assert_eq!(count(&api, &fifo, "ApproximateNumberOfMessages").await, 2);
}

#[tokio::test]
async fn concurrent_senders_and_receivers_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let sqs = open(1.0, Some(dir.path()));
    let api = SqsApi::new(sqs.clone());
    let url = create(&api, "busy", json!({})).await;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for t in 0..16 {
        let api = api.clone();
        let url = url.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..100 {
                ok(
                    &api,
                    "SendMessage",
                    json!({"QueueUrl": url, "MessageBody": format!("{t}-{i}")}),
                )
                .await;
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let sent = started.elapsed();
    assert_eq!(count(&api, &url, "ApproximateNumberOfMessages").await, 1600);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let api = api.clone();
        let url = url.clone();
        tasks.push(tokio::spawn(async move {
            let mut got = Vec::new();
            loop {
                let r = ok(
                    &api,
                    "ReceiveMessage",
                    json!({"QueueUrl": url, "MaxNumberOfMessages": 10}),
                )
                .await;
                let Some(msgs) = r["Messages"].as_array().cloned() else {
                    break;
                };
                let entries: Vec<Value> = msgs
                    .iter()
                    .enumerate()
                    .map(|(i, m)| json!({"Id": i.to_string(), "ReceiptHandle": m["ReceiptHandle"]}))
                    .collect();
                let d = ok(&api, "DeleteMessageBatch", json!({"QueueUrl": url, "Entries": entries})).await;
                assert_eq!(d["Failed"], json!([]));
                got.extend(msgs.iter().map(|m| m["Body"].as_str().unwrap().to_owned()));
            }
            got
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let received = started.elapsed();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 1600);
    eprintln!("1600 sends in {sent:?}; received and deleted in {received:?} (debug build, in-process)");
    drop(api);
    drop(sqs);
    let sqs = open(1.0, Some(dir.path()));
    let q = sqs.queue_named("busy").unwrap();
    assert_eq!(q.lock().index.visible(), 0, "the deletes were committed");
}

// --- the in-process API ----------------------------------------------------------

#[tokio::test]
async fn the_in_process_api_validates_as_the_wire_does() {
    let sqs = open(1.0, None);
    let api = SqsApi::new(sqs.clone());
    create(&api, "inproc", json!({"VisibilityTimeout": "45"})).await;
    create(&api, "inproc.fifo", json!({"FifoQueue": "true"})).await;
    let arn = format!("{ARN}inproc");
    let q = sqs.queue_by_arn(&arn).unwrap();
    assert_eq!(
        (q.name.as_str(), q.fifo, q.visibility_timeout),
        ("inproc", false, Duration::from_secs(45))
    );
    assert!(sqs.queue_by_arn(&format!("{ARN}nope")).is_none());
    assert!(sqs.queue_by_arn("arn:aws:sqs:eu-west-1:000000000000:inproc").is_none());

    let mut attrs = BTreeMap::new();
    attrs.insert("Foo".to_owned(), MessageAttributeValue::string("String", "Bar"));
    let sent = sqs
        .send(
            &arn,
            NewMessage {
                body: "hello".into(),
                message_attributes: attrs.clone(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(sent.md5_of_body, "5d41402abc4b2a76b9719d911017c592");
    assert_eq!(
        sent.md5_of_message_attributes.as_deref(),
        Some("ae7155c6026991b6d54b11589678bf9c")
    );
    assert_eq!(sent.sequence_number, None);

    let got = sqs
        .receive(&arn, 10, Duration::ZERO, Some(Duration::from_secs(60)))
        .await
        .unwrap();
    assert_eq!(got.len(), 1);
    let m = &got[0];
    assert_eq!(
        (m.message_id.as_str(), m.body.as_str()),
        (sent.message_id.as_str(), "hello")
    );
    assert_eq!(m.message_attributes, attrs);
    assert_eq!(m.md5_of_message_attributes, sent.md5_of_message_attributes);
    let names: Vec<&str> = m.attributes.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "ApproximateFirstReceiveTimestamp",
            "ApproximateReceiveCount",
            "SenderId",
            "SentTimestamp"
        ]
    );
    assert_eq!(m.attributes["SenderId"], "000000000000");
    sqs.change_visibility(&arn, &m.receipt_handle, Duration::ZERO)
        .await
        .unwrap();
    let again = sqs.receive(&arn, 1, Duration::ZERO, None).await.unwrap();
    assert_eq!(again[0].attributes["ApproximateReceiveCount"], "2");
    sqs.delete(&arn, &again[0].receipt_handle).await.unwrap();
    assert!(sqs.receive(&arn, 1, Duration::ZERO, None).await.unwrap().is_empty());

    // The same checks as SendMessage.
    let fifo = format!("{ARN}inproc.fifo");
    let e = sqs
        .send(
            &fifo,
            NewMessage {
                body: "x".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.to_string(), "The request must contain the parameter MessageGroupId.");
    let e = sqs
        .send(
            &arn,
            NewMessage {
                body: String::new(),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(e, SqsError::MissingParameter("MessageBody")));
    let e = sqs
        .send(
            &arn,
            NewMessage {
                body: "x".into(),
                delay: Some(901),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.shape(), "InvalidParameterValueException");
    let e = sqs
        .send(&format!("{ARN}nope"), NewMessage::default())
        .await
        .unwrap_err();
    assert_eq!(e.shape(), "QueueDoesNotExist");
    assert!(sqs.receive(&arn, 11, Duration::ZERO, None).await.is_err());
    assert!(sqs.receive(&arn, 1, Duration::from_secs(21), None).await.is_err());
    assert!(matches!(
        sqs.delete(&arn, "bogus").await,
        Err(SqsError::ReceiptHandleIsInvalid(_))
    ));

    let sent = sqs
        .send(
            &fifo,
            NewMessage {
                body: "f".into(),
                group_id: Some("g".into()),
                dedup_id: Some("d".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(sent.sequence_number.as_deref().map(str::len), Some(20));
    let got = sqs.receive(&fifo, 1, Duration::ZERO, None).await.unwrap();
    assert_eq!(got[0].attributes["MessageGroupId"], "g");
    assert_eq!(got[0].attributes["MessageDeduplicationId"], "d");
    assert_eq!(got[0].attributes.get("SequenceNumber"), sent.sequence_number.as_ref());
}

#[tokio::test]
async fn start_runs_the_upkeep_in_the_background() {
    let sqs = open(0.001, None);
    sqs.start();
    sqs.start();
    let api = SqsApi::new(sqs.clone());
    let url = create(&api, "idle", json!({"MessageRetentionPeriod": "60"})).await;
    ok(&api, "SendMessage", json!({"QueueUrl": url, "MessageBody": "m"})).await;
    // Past its retention, the message is removed by the sweep (every
    // second of the clock, at least 50 ms) without anyone asking.
    age(&sqs, "idle");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let q = sqs.queue_named("idle").unwrap();
    assert_eq!(q.lock().index.visible(), 0);
}

/// Throughput through the kit's `serve` (JSON in and out, a file-backed
/// store), 16 concurrent clients on two worker threads, as the server's
/// benchmark drives it over HTTP. Prints figures; run with
/// `cargo test -p lakestack-sqs --release -- --ignored --nocapture throughput`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement, not a test"]
async fn throughput() {
    const CLIENTS: usize = 16;
    const PER_CLIENT: usize = 2_000;
    let dir = tempfile::tempdir().unwrap();
    let api = SqsApi::new(open(1.0, Some(dir.path())));
    let url = create(&api, "bench", json!({})).await;
    let body = "x".repeat(100);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let (api, url, body) = (api.clone(), url.clone(), body.clone());
        tasks.push(tokio::spawn(async move {
            for _ in 0..PER_CLIENT {
                let a = json_call(&api, "SendMessage", json!({"QueueUrl": url, "MessageBody": body})).await;
                assert_eq!(a.status, 200);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let total = CLIENTS * PER_CLIENT;
    let secs = started.elapsed().as_secs_f64();
    eprintln!("SendMessage: {total} in {secs:.2} s = {:.0}/s", total as f64 / secs);

    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let (api, url) = (api.clone(), url.clone());
        tasks.push(tokio::spawn(async move {
            let mut n = 0;
            loop {
                let a = json_call(
                    &api,
                    "ReceiveMessage",
                    json!({"QueueUrl": url, "MaxNumberOfMessages": 10}),
                )
                .await;
                let v: Value = serde_json::from_str(&a.body).unwrap();
                let Some(msgs) = v["Messages"].as_array() else { break n };
                let entries: Vec<Value> = msgs
                    .iter()
                    .enumerate()
                    .map(|(i, m)| json!({"Id": i.to_string(), "ReceiptHandle": m["ReceiptHandle"]}))
                    .collect();
                n += entries.len();
                let d = json_call(&api, "DeleteMessageBatch", json!({"QueueUrl": url, "Entries": entries})).await;
                assert_eq!(d.status, 200);
            }
        }));
    }
    let mut received = 0;
    for t in tasks {
        received += t.await.unwrap();
    }
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "ReceiveMessage(10) + DeleteMessageBatch: {received} in {secs:.2} s = {:.0}/s",
        received as f64 / secs
    );
    assert_eq!(received, total);
}

// --- review fixes: each test failed before its fix ---------------------------------

/// Receives one message's body and handle, or panics.
async fn receive_one(api: &SqsApi, url: &str) -> (String, String) {
    let got = ok(api, "ReceiveMessage", json!({"QueueUrl": url})).await;
    let m = &got["Messages"][0];
    (
        m["Body"]
            .as_str()
            .unwrap_or_else(|| panic!("nothing received: {got}"))
            .to_owned(),
        m["ReceiptHandle"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn a_clock_scaled_to_zero_still_holds_messages_and_dedups() {
    let api = SqsApi::new(open(0.0, None));
    let url = create(&api, "zero", json!({})).await;
    ok(&api, "SendMessage", json!({"QueueUrl": url, "MessageBody": "m"})).await;
    let (body, handle) = receive_one(&api, &url).await;
    assert_eq!(body, "m", "retention lasts a minute of real time at least");
    assert_eq!(
        ok(&api, "ReceiveMessage", json!({"QueueUrl": url})).await,
        json!({}),
        "the visibility timeout lasts a second of real time at least"
    );
    // A timeout of exactly 0 stays 0.
    ok(
        &api,
        "ChangeMessageVisibility",
        json!({"QueueUrl": url, "ReceiptHandle": handle, "VisibilityTimeout": 0}),
    )
    .await;
    assert_eq!(receive_one(&api, &url).await.0, "m");
    // The purge cooldown holds too.
    ok(&api, "PurgeQueue", json!({"QueueUrl": url})).await;
    assert!(call(&api, "PurgeQueue", json!({"QueueUrl": url})).await.is_err());

    let fifo = create(&api, "zero.fifo", json!({"FifoQueue": "true"})).await;
    let send = json!({"QueueUrl": fifo, "MessageBody": "x", "MessageGroupId": "g", "MessageDeduplicationId": "d"});
    let first = ok(&api, "SendMessage", send.clone()).await;
    let again = ok(&api, "SendMessage", send).await;
    assert_eq!(first["MessageId"], again["MessageId"], "deduplicated");
    assert_eq!(count(&api, &fifo, "ApproximateNumberOfMessages").await, 1);
}

#[tokio::test]
async fn a_shortened_visibility_timeout_wakes_a_long_poll() {
    let api = api();
    let url = create(&api, "shorten", json!({"VisibilityTimeout": "600"})).await;
    ok(&api, "SendMessage", json!({"QueueUrl": url, "MessageBody": "m"})).await;
    let (_, handle) = receive_one(&api, &url).await;
    let waiter = {
        let (api, url) = (api.clone(), url.clone());
        tokio::spawn(async move {
            let started = Instant::now();
            let got = ok(&api, "ReceiveMessage", json!({"QueueUrl": url, "WaitTimeSeconds": 20})).await;
            (started.elapsed(), got)
        })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    ok(
        &api,
        "ChangeMessageVisibility",
        json!({"QueueUrl": url, "ReceiptHandle": handle, "VisibilityTimeout": 1}),
    )
    .await;
    let (took, got) = waiter.await.unwrap();
    assert_eq!(bodies(&got), ["m"]);
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(4),
        "woken by the change, received when the new timeout ended: {took:?}"
    );
}

#[tokio::test]
async fn a_long_poll_wakes_when_a_delete_unlocks_a_fifo_group_or_a_delay_ends() {
    let api = api();
    let url = create(
        &api,
        "unlock.fifo",
        json!({"FifoQueue": "true", "ContentBasedDeduplication": "true", "VisibilityTimeout": "600"}),
    )
    .await;
    for body in ["a", "b"] {
        ok(
            &api,
            "SendMessage",
            json!({"QueueUrl": url, "MessageBody": body, "MessageGroupId": "g"}),
        )
        .await;
    }
    let (first, handle) = receive_one(&api, &url).await;
    assert_eq!(first, "a");
    let poll = |api: SqsApi, url: String| {
        tokio::spawn(async move {
            let started = Instant::now();
            let got = ok(&api, "ReceiveMessage", json!({"QueueUrl": url, "WaitTimeSeconds": 20})).await;
            (started.elapsed(), got)
        })
    };
    let waiter = poll(api.clone(), url.clone());
    tokio::time::sleep(Duration::from_millis(50)).await;
    ok(&api, "DeleteMessage", json!({"QueueUrl": url, "ReceiptHandle": handle})).await;
    let (took, got) = waiter.await.unwrap();
    assert_eq!(bodies(&got), ["b"]);
    assert!(took < Duration::from_secs(3), "{took:?}");

    let plain = create(&api, "delayed", json!({})).await;
    let waiter = poll(api.clone(), plain.clone());
    tokio::time::sleep(Duration::from_millis(50)).await;
    ok(
        &api,
        "SendMessage",
        json!({"QueueUrl": plain, "MessageBody": "later", "DelaySeconds": 1}),
    )
    .await;
    let (took, got) = waiter.await.unwrap();
    assert_eq!(bodies(&got), ["later"]);
    assert!(took < Duration::from_secs(3), "{took:?}");
}

#[tokio::test]
async fn move_tasks_never_strand_messages_in_a_queue_of_another_type() {
    let sqs = open(0.01, None);
    let api = SqsApi::new(sqs.clone());
    create(&api, "dlq", json!({})).await;
    let policy = json!({"deadLetterTargetArn": format!("{ARN}dlq"), "maxReceiveCount": 1}).to_string();
    create(&api, "src", json!({"RedrivePolicy": policy})).await;
    let fifo = create(&api, "f.fifo", json!({"FifoQueue": "true"})).await;
    let e = call(
        &api,
        "StartMessageMoveTask",
        json!({"SourceArn": format!("{ARN}dlq"), "DestinationArn": format!("{ARN}f.fifo")}),
    )
    .await
    .unwrap_err();
    assert_eq!(e.code, "com.amazonaws.sqs#InvalidParameterValueException");
    assert!(e.message.contains("DestinationArn"), "{}", e.message);

    // A dead letter whose source is (somehow) a FIFO queue: no
    // DestinationArn sends it back there, which must not happen.
    let dlq_url = format!("{URL}dlq");
    ok(&api, "SendMessage", json!({"QueueUrl": dlq_url, "MessageBody": "m"})).await;
    {
        let dlq = sqs.queue_named("dlq").unwrap();
        let mut st = dlq.lock();
        let (seq, mut e) = st.index.take_visible(1).pop().unwrap();
        e.dlq_source = Some(format!("{ARN}f.fifo").into());
        st.index.insert(seq, e, sqs.now_ms()).unwrap();
    }
    ok(&api, "StartMessageMoveTask", json!({"SourceArn": format!("{ARN}dlq")})).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    let task = loop {
        let l = ok(&api, "ListMessageMoveTasks", json!({"SourceArn": format!("{ARN}dlq")})).await;
        let task = l["Results"][0].clone();
        if task["Status"] != "RUNNING" || Instant::now() > deadline {
            break task;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    assert_eq!(task["Status"], "FAILED", "{task}");
    assert!(task["FailureReason"].as_str().unwrap().contains("FIFO"), "{task}");
    assert_eq!(count(&api, &dlq_url, "ApproximateNumberOfMessages").await, 1, "kept");
    assert_eq!(count(&api, &fifo, "ApproximateNumberOfMessages").await, 0);
}

#[tokio::test]
async fn a_fifo_duplicate_answers_only_once_its_original_committed() {
    use std::sync::Mutex;
    let sqs = open(1.0, None);
    let api = SqsApi::new(sqs.clone());
    create(&api, "dup.fifo", json!({"FifoQueue": "true"})).await;
    let arn = format!("{ARN}dup.fifo");
    let msg = || NewMessage {
        body: "x".into(),
        group_id: Some("g".into()),
        dedup_id: Some("d".into()),
        ..Default::default()
    };
    let q = sqs.queue_named("dup.fifo").unwrap();
    for fail in [true, false] {
        // Hold the writer, so the first send's write waits uncommitted;
        // dropping `open_gate` lets it go on (after refusing inserts when
        // `fail`).
        let (open_gate, gate) = std::sync::mpsc::channel::<()>();
        let gate = Mutex::new(gate);
        let trigger = if fail {
            "CREATE TEMP TRIGGER IF NOT EXISTS refuse BEFORE INSERT ON messages BEGIN SELECT RAISE(ABORT, 'disk full'); END;"
        } else {
            "DROP TRIGGER IF EXISTS refuse;"
        };
        sqs.writer.submit(Box::new(move |c| {
            let _ = gate.lock().unwrap().recv();
            c.execute_batch(trigger)
        }));
        let first = tokio::spawn({
            let (sqs, arn) = (sqs.clone(), arn.clone());
            async move { sqs.send(&arn, msg()).await }
        });
        let deadline = Instant::now() + Duration::from_secs(5);
        while q.lock().dedup.get("d", sqs.now_ms()).is_none() {
            assert!(Instant::now() < deadline, "the first send never got going");
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let second = tokio::spawn({
            let (sqs, arn) = (sqs.clone(), arn.clone());
            async move { sqs.send(&arn, msg()).await }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!second.is_finished(), "the duplicate waits for the original's commit");
        drop(open_gate);
        let (first, second) = (first.await.unwrap(), second.await.unwrap());
        if fail {
            let (a, b) = (first.unwrap_err(), second.unwrap_err());
            assert_eq!(a.to_string(), b.to_string());
            assert!(a.to_string().contains("disk full"), "{a}");
        } else {
            assert_eq!(first.unwrap().message_id, second.unwrap().message_id);
        }
    }
    let url = format!("{URL}dup.fifo");
    assert_eq!(count(&api, &url, "ApproximateNumberOfMessages").await, 1);
}

#[tokio::test]
async fn errors_the_kit_raises_carry_sqs_query_codes() {
    let api = api();
    let a = form(&api, "/", "Action=SendMesage&QueueUrl=http://x/000000000000/q").await;
    assert_eq!(a.status, 400, "{}", a.body);
    assert!(
        a.body.contains("<Error><Type>Sender</Type><Code>InvalidAction</Code><Message>The action SendMesage is not valid for this web service.</Message>"),
        "{}",
        a.body
    );
    let a = json_call(&api, "SendMesage", json!({})).await;
    assert_eq!(a.status, 400, "{}", a.body);
    assert_eq!(header(&a, "x-amzn-query-error"), Some("InvalidAction;Sender"));
    // An AWS operation lakestack lacks says so, in both protocols.
    let a = form(&api, "/", "Action=AddPermission").await;
    assert_eq!(a.status, 501, "{}", a.body);
    assert!(a.body.contains("<Code>NotImplemented</Code>"), "{}", a.body);
    assert!(a.body.contains("AddPermission"), "{}", a.body);
    let a = json_call(&api, "RemovePermission", json!({})).await;
    assert_eq!(header(&a, "x-amzn-query-error"), Some("NotImplemented;Receiver"));
    // The kit's own errors lose their JSON namespace in awsQuery.
    for (kit, query) in [
        (super::SPEC.internal_error(), "InternalError"),
        (super::SPEC.invalid_input("bad"), "InvalidParameterValue"),
        (super::SPEC.invalid_token("t"), "InvalidParameterValue"),
    ] {
        assert_eq!(super::errors::query_coded(kit).query_code(), query);
    }
}
