//! The SNS edge as the kit calls it, and delivery as a subscriber sees it:
//! exact answers as transcripts in `tests/wire/` (see
//! `lakestack_aws_protocol::transcript`; `BLESS=1` rewrites them), the XML
//! SNS writes for forms as clients send them, and the messages a fake host
//! and a local HTTP or HTTPS server receive.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use http::Request;
use http_body_util::{BodyExt, Full};
use lakestack_aws_protocol::transcript::{self, Volatile};
use lakestack_aws_protocol::{Clock, Protocol, invoke, serve};
use serde_json::{Value, json};

use rustls::pki_types::{CertificateDer, PrivatePkcs8KeyDer};

use super::SnsApi;
use crate::delivery::http::HttpSender;
use crate::envelope::SIGNATURE;
use crate::host::{DeliveryError, Host, QueueMessage};
use crate::message::{Attribute, AttributeValue};
use crate::record::RecordedFilter;
use crate::{Settings, Sns};

const ENDPOINT: &str = "http://localhost:4566";
const TOPIC: &str = "arn:aws:sns:us-east-1:000000000000:orders";
const QUEUE: &str = "arn:aws:sqs:us-east-1:000000000000:q";
/// 2024-01-01T00:00:00.000Z
const JAN_1: i64 = 1_704_067_200_000;

/// A host that keeps what it is asked to deliver, and fails deliveries to
/// the targets it is told to.
#[derive(Default)]
struct FakeHost {
    queued: Mutex<Vec<(String, QueueMessage)>>,
    invoked: Mutex<Vec<(String, Value)>>,
    /// Target → the errors its next deliveries get, in order.
    failures: Mutex<HashMap<String, Vec<DeliveryError>>>,
}

impl FakeHost {
    fn fail(&self, target: &str, errors: Vec<DeliveryError>) {
        self.failures.lock().unwrap().insert(target.to_owned(), errors);
    }

    fn next_failure(&self, target: &str) -> Option<DeliveryError> {
        let mut f = self.failures.lock().unwrap();
        let list = f.get_mut(target)?;
        (!list.is_empty()).then(|| list.remove(0))
    }

    fn queued(&self) -> Vec<(String, QueueMessage)> {
        self.queued.lock().unwrap().clone()
    }

    fn invoked(&self) -> Vec<(String, Value)> {
        self.invoked.lock().unwrap().clone()
    }
}

#[async_trait]
impl Host for FakeHost {
    fn endpoint(&self) -> String {
        ENDPOINT.into()
    }

    async fn send_to_queue(&self, queue_arn: &str, message: QueueMessage) -> Result<(), DeliveryError> {
        if let Some(e) = self.next_failure(queue_arn) {
            return Err(e);
        }
        self.queued.lock().unwrap().push((queue_arn.to_owned(), message));
        Ok(())
    }

    async fn invoke_function(&self, function_arn: &str, event: Value) -> Result<(), DeliveryError> {
        if let Some(e) = self.next_failure(function_arn) {
            return Err(e);
        }
        self.invoked.lock().unwrap().push((function_arn.to_owned(), event));
        Ok(())
    }
}

fn sns_with(host: Arc<FakeHost>, settings: Settings) -> Arc<Sns> {
    Sns::open(settings, host).unwrap()
}

/// A started service on a clock whose waits are instant, and its host.
fn started() -> (Arc<Sns>, SnsApi, Arc<FakeHost>) {
    let host = Arc::new(FakeHost::default());
    let sns = sns_with(
        host.clone(),
        Settings {
            clock: Clock::scaled(0.0),
            ..Settings::default()
        },
    );
    sns.start();
    (sns.clone(), SnsApi::new(sns), host)
}

async fn call(api: &SnsApi, op: &str, input: Value) -> Value {
    invoke(api, op, &input)
        .await
        .unwrap_or_else(|e| panic!("{op} {input}: {e}"))
}

async fn fails(api: &SnsApi, op: &str, input: Value) -> String {
    let e = invoke(api, op, &input).await.unwrap_err();
    format!("{} {}: {}", e.status.as_u16(), e.code, e.message)
}

/// Waits (up to ten seconds) until `f` holds.
async fn until(what: &str, f: impl Fn() -> bool) {
    for _ in 0..2000 {
        if f() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("timed out waiting for {what}");
}

/// A form POSTed through the kit as a client sends it; answers the status and the XML.
async fn post(api: &SnsApi, form: &str) -> (u16, String) {
    let req = Request::post("/")
        .header("content-type", "application/x-www-form-urlencoded")
        .header(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=AK/20260101/us-east-1/sns/aws4_request, SignedHeaders=host, Signature=00",
        )
        .body(Full::new(Bytes::from(form.to_owned())))
        .unwrap();
    let (_, resp) = serve(api, Protocol::AwsQuery, req, None).await;
    (resp.status().as_u16(), String::from_utf8(resp.body().to_vec()).unwrap())
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

fn enc(s: &str) -> String {
    form_encode(s)
}

fn form_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[tokio::test]
async fn wire_transcripts() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/wire");
    // Ids are numbered and the time pinned: answers are the same on every run.
    let volatile = Volatile {
        hidden: &[],
        numbered: &[],
    };
    let new = || {
        let sns = sns_with(Arc::new(FakeHost::default()), Settings::default());
        sns.number_ids();
        sns.pin_time(JAN_1);
        SnsApi::new(sns)
    };
    if let Err(report) = transcript::check_dir(&dir, volatile, new).await {
        panic!("{report}");
    }
}

#[tokio::test]
async fn answers_are_snss_xml_with_maps_as_entries() {
    let (_, api, _) = started();
    let (status, xml) = post(
        &api,
        "Action=CreateTopic&Version=2010-03-31&Name=orders&Attributes.entry.1.key=DisplayName&Attributes.entry.1.value=Orders&Tags.member.1.Key=team&Tags.member.1.Value=a",
    )
    .await;
    assert_eq!(status, 200, "{xml}");
    assert!(xml.starts_with(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CreateTopicResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><CreateTopicResult><TopicArn>arn:aws:sns:us-east-1:000000000000:orders</TopicArn></CreateTopicResult><ResponseMetadata><RequestId>"
    ), "{xml}");
    let (_, xml) = post(&api, &format!("Action=GetTopicAttributes&TopicArn={}", enc(TOPIC))).await;
    assert!(
        xml.contains("<entry><key>DisplayName</key><value>Orders</value></entry>"),
        "{xml}"
    );
    assert!(
        xml.contains("<entry><key>SubscriptionsConfirmed</key><value>0</value></entry>"),
        "{xml}"
    );
    let (_, xml) = post(&api, "Action=ListTopics").await;
    assert!(
        xml.contains("<ListTopicsResult><Topics><member><TopicArn>arn:aws:sns:us-east-1:000000000000:orders</TopicArn></member></Topics></ListTopicsResult>"),
        "{xml}"
    );
    let (_, xml) = post(&api, &format!("Action=ListTagsForResource&ResourceArn={}", enc(TOPIC))).await;
    assert!(
        xml.contains("<Tags><member><Key>team</Key><Value>a</Value></member></Tags>"),
        "{xml}"
    );
    let (status, xml) = post(
        &api,
        "Action=GetTopicAttributes&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A000000000000%3Anope",
    )
    .await;
    assert_eq!(status, 404);
    assert!(
        xml.contains("<Error><Type>Sender</Type><Code>NotFound</Code><Message>Topic does not exist</Message></Error>"),
        "{xml}"
    );
    let (status, xml) = post(&api, "Action=DeleteTopic").await;
    assert_eq!(status, 400);
    assert!(xml.contains("<Code>ValidationError</Code><Message>1 validation error detected: Value null at &apos;topicArn&apos; failed to satisfy constraint: Member must not be null</Message>"), "{xml}");
    let (status, xml) = post(&api, "Action=AddPermission").await;
    assert_eq!((status, between(&xml, "Code")), (501, "NotImplemented"));
}

#[tokio::test]
async fn publish_forms_carry_message_attributes_as_name_and_value() {
    let (sns, api, host) = started();
    sns.pin_time(JAN_1);
    call(&api, "CreateTopic", json!({"Name": "orders"})).await;
    call(
        &api,
        "Subscribe",
        json!({"TopicArn": TOPIC, "Protocol": "sqs", "Endpoint": QUEUE, "Attributes": {"RawMessageDelivery": "true"}}),
    )
    .await;
    let form = format!(
        "Action=Publish&TopicArn={}&Message=hello&MessageAttributes.entry.1.Name=color&MessageAttributes.entry.1.Value.DataType=String&MessageAttributes.entry.1.Value.StringValue=red\
         &MessageAttributes.entry.2.Name=blob&MessageAttributes.entry.2.Value.DataType=Binary&MessageAttributes.entry.2.Value.BinaryValue=AQID",
        enc(TOPIC)
    );
    let (status, xml) = post(&api, &form).await;
    assert_eq!(status, 200, "{xml}");
    assert_eq!(between(&xml, "MessageId").len(), 36);
    until("the raw delivery", || host.queued().len() == 1).await;
    let (queue, m) = host.queued().remove(0);
    assert_eq!(queue, QUEUE);
    assert_eq!(
        m,
        QueueMessage {
            body: "hello".into(),
            attributes: BTreeMap::from([
                (
                    "blob".to_string(),
                    Attribute {
                        data_type: "Binary".into(),
                        value: AttributeValue::Binary(vec![1, 2, 3])
                    }
                ),
                ("color".to_string(), Attribute::string("String", "red")),
            ]),
            group_id: None,
            dedup_id: None,
        }
    );
}

#[tokio::test]
async fn sqs_gets_the_envelope_exactly_as_aws_writes_it() {
    let (sns, api, host) = started();
    sns.pin_time(JAN_1);
    call(&api, "CreateTopic", json!({"Name": "orders"})).await;
    let sub = call(
        &api,
        "Subscribe",
        json!({"TopicArn": TOPIC, "Protocol": "sqs", "Endpoint": QUEUE}),
    )
    .await;
    let sub = sub["SubscriptionArn"].as_str().unwrap().to_owned();
    let out = call(
        &api,
        "Publish",
        json!({"TopicArn": TOPIC, "Message": "hello \"world\"", "Subject": "Greetings",
               "MessageAttributes": {"n": {"DataType": "Number", "StringValue": "99.12"}}}),
    )
    .await;
    let id = out["MessageId"].as_str().unwrap().to_owned();
    until("the delivery", || host.queued().len() == 1).await;
    let (_, m) = host.queued().remove(0);
    assert_eq!(
        m.body,
        format!(
            "{{\n  \"Type\" : \"Notification\",\n  \"MessageId\" : \"{id}\",\n  \"TopicArn\" : \"{TOPIC}\",\n  \"Subject\" : \"Greetings\",\n  \"Message\" : \"hello \\\"world\\\"\",\n  \"Timestamp\" : \"2024-01-01T00:00:00.000Z\",\n  \"SignatureVersion\" : \"1\",\n  \"Signature\" : \"{SIGNATURE}\",\n  \"SigningCertURL\" : \"{ENDPOINT}/_lakestack/sns/SimpleNotificationService-lakestack.pem\",\n  \"UnsubscribeURL\" : \"{ENDPOINT}/?Action=Unsubscribe&SubscriptionArn={sub}\",\n  \"MessageAttributes\" : {{\n    \"n\" : {{\"Type\":\"Number\",\"Value\":\"99.12\"}}\n  }}\n}}"
        )
    );
    assert!(m.attributes.is_empty());
    until("the message's row to go", || sns.pending_deliveries() == 0).await;

    // MessageStructure=json: the queue's own text, and no attributes.
    call(
        &api,
        "Publish",
        json!({"TopicArn": TOPIC, "MessageStructure": "json", "Message": "{\"default\": \"d\", \"sqs\": \"for queues\", \"email\": \"e\"}",
               "MessageAttributes": {"n": {"DataType": "Number", "StringValue": "1"}}}),
    )
    .await;
    until("the second delivery", || host.queued().len() == 2).await;
    let body: Value = serde_json::from_str(&host.queued()[1].1.body).unwrap();
    assert_eq!(body["Message"], "for queues");
    assert_eq!(body.get("MessageAttributes"), None);
    assert_eq!(body.get("Subject"), None);
}

#[tokio::test]
async fn functions_get_the_sns_event_as_lambda_documents_it() {
    let (sns, api, host) = started();
    sns.pin_time(JAN_1);
    call(&api, "CreateTopic", json!({"Name": "orders"})).await;
    let f = "arn:aws:lambda:us-east-1:000000000000:function:handler";
    let sub = call(
        &api,
        "Subscribe",
        json!({"TopicArn": TOPIC, "Protocol": "lambda", "Endpoint": f}),
    )
    .await;
    let sub = sub["SubscriptionArn"].as_str().unwrap().to_owned();
    let out = call(
        &api,
        "Publish",
        json!({"TopicArn": TOPIC, "Message": "m", "MessageAttributes": {"k": {"DataType": "String", "StringValue": "v"}}}),
    )
    .await;
    until("the invocation", || host.invoked().len() == 1).await;
    let (function, event) = host.invoked().remove(0);
    assert_eq!(function, f);
    assert_eq!(
        event,
        json!({"Records": [{
            "EventSource": "aws:sns",
            "EventVersion": "1.0",
            "EventSubscriptionArn": sub,
            "Sns": {
                "Type": "Notification",
                "MessageId": out["MessageId"],
                "TopicArn": TOPIC,
                "Subject": null,
                "Message": "m",
                "Timestamp": "2024-01-01T00:00:00.000Z",
                "SignatureVersion": "1",
                "Signature": SIGNATURE,
                "SigningCertUrl": format!("{ENDPOINT}/_lakestack/sns/SimpleNotificationService-lakestack.pem"),
                "UnsubscribeUrl": format!("{ENDPOINT}/?Action=Unsubscribe&SubscriptionArn={sub}"),
                "MessageAttributes": {"k": {"Type": "String", "Value": "v"}}
            }
        }]})
    );
}

#[tokio::test]
async fn filter_policies_choose_the_subscriptions_a_message_goes_to() {
    let (_, api, host) = started();
    call(&api, "CreateTopic", json!({"Name": "orders"})).await;
    let q = |n: &str| format!("arn:aws:sqs:us-east-1:000000000000:{n}");
    call(
        &api,
        "Subscribe",
        json!({"TopicArn": TOPIC, "Protocol": "sqs", "Endpoint": q("all"), "Attributes": {"RawMessageDelivery": "true"}}),
    )
    .await;
    call(
        &api,
        "Subscribe",
        json!({"TopicArn": TOPIC, "Protocol": "sqs", "Endpoint": q("red"),
               "Attributes": {"RawMessageDelivery": "true", "FilterPolicy": "{\"color\": [\"red\"], \"size\": [{\"numeric\": [\">\", 2]}]}"}}),
    )
    .await;
    call(
        &api,
        "Subscribe",
        json!({"TopicArn": TOPIC, "Protocol": "sqs", "Endpoint": q("body"),
               "Attributes": {"RawMessageDelivery": "true", "FilterPolicyScope": "MessageBody",
                              "FilterPolicy": "{\"order\": {\"kind\": [{\"prefix\": \"book\"}]}}"}}),
    )
    .await;
    let publish = |msg: &str, color: &str, size: &str| {
        json!({"TopicArn": TOPIC, "Message": msg, "MessageAttributes": {
            "color": {"DataType": "String", "StringValue": color},
            "size": {"DataType": "Number", "StringValue": size}}})
    };
    call(&api, "Publish", publish("1", "red", "3")).await;
    call(&api, "Publish", publish("2", "red", "1")).await;
    call(&api, "Publish", publish("3", "blue", "5")).await;
    call(
        &api,
        "Publish",
        publish("{\"order\": {\"kind\": \"books\"}}", "blue", "5"),
    )
    .await;
    until("the deliveries", || host.queued().len() == 6).await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    let mut got: Vec<(String, String)> = host
        .queued()
        .into_iter()
        .map(|(q, m)| (q.rsplit(':').next().unwrap().to_owned(), m.body))
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            ("all".to_string(), "1".to_string()),
            ("all".into(), "2".into()),
            ("all".into(), "3".into()),
            ("all".into(), "{\"order\": {\"kind\": \"books\"}}".into()),
            ("body".into(), "{\"order\": {\"kind\": \"books\"}}".into()),
            ("red".into(), "1".into()),
        ]
    );
}

#[tokio::test]
async fn fifo_topics_deduplicate_number_and_keep_order() {
    let (sns, api, host) = started();
    sns.pin_time(JAN_1);
    let topic = call(
        &api,
        "CreateTopic",
        json!({"Name": "orders.fifo", "Attributes": {"FifoTopic": "true", "ContentBasedDeduplication": "true"}}),
    )
    .await;
    let topic = topic["TopicArn"].as_str().unwrap().to_owned();
    let queue = "arn:aws:sqs:us-east-1:000000000000:q.fifo";
    let sub = call(
        &api,
        "Subscribe",
        json!({"TopicArn": topic, "Protocol": "sqs", "Endpoint": queue}),
    )
    .await;
    let sub = sub["SubscriptionArn"].as_str().unwrap().to_owned();
    // The first attempt fails: the group's later messages wait for it.
    host.fail(queue, vec![DeliveryError::Transient("throttled".into())]);
    let first = call(
        &api,
        "Publish",
        json!({"TopicArn": topic, "Message": "Test", "MessageGroupId": "g"}),
    )
    .await;
    assert_eq!(first["SequenceNumber"], "10000000000000001000");
    let again = call(
        &api,
        "Publish",
        json!({"TopicArn": topic, "Message": "Test", "MessageGroupId": "g"}),
    )
    .await;
    assert_eq!(again, first, "a duplicate answers the first message");
    for i in 2..=5 {
        call(
            &api,
            "Publish",
            json!({"TopicArn": topic, "Message": format!("m{i}"), "MessageGroupId": "g", "MessageDeduplicationId": format!("d{i}")}),
        )
        .await;
    }
    until("five deliveries", || host.queued().len() == 5).await;
    let got = host.queued();
    let messages: Vec<String> = got
        .iter()
        .map(|(_, m)| {
            serde_json::from_str::<Value>(&m.body).unwrap()["Message"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(messages, ["Test", "m2", "m3", "m4", "m5"]);
    let (_, m) = &got[0];
    assert_eq!(m.group_id.as_deref(), Some("g"));
    assert_eq!(
        m.dedup_id.as_deref(),
        Some("532eaabd9574880dbf76b9b8cc00832c20a6ec113d682299550d7a6e0f345e25")
    );
    assert_eq!(got[1].1.dedup_id.as_deref(), Some("d2"));
    assert_eq!(
        m.body,
        format!(
            "{{\n  \"Type\" : \"Notification\",\n  \"MessageId\" : \"{}\",\n  \"SequenceNumber\" : \"10000000000000001000\",\n  \"TopicArn\" : \"{topic}\",\n  \"Message\" : \"Test\",\n  \"Timestamp\" : \"2024-01-01T00:00:00.000Z\",\n  \"UnsubscribeURL\" : \"{ENDPOINT}/?Action=Unsubscribe&SubscriptionArn={sub}\"\n}}",
            first["MessageId"].as_str().unwrap()
        )
    );
    assert_eq!(
        fails(&api, "Publish", json!({"TopicArn": topic, "Message": "x"})).await,
        "400 InvalidParameter: Invalid parameter: The MessageGroupId parameter is required for FIFO topics"
    );
}

#[tokio::test]
async fn the_deduplication_window_is_five_minutes_of_service_time() {
    let host = Arc::new(FakeHost::default());
    let sns = sns_with(
        host,
        Settings {
            clock: Clock::scaled(0.0),
            ..Settings::default()
        },
    );
    let api = SnsApi::new(sns.clone());
    sns.pin_time(JAN_1);
    let topic = call(
        &api,
        "CreateTopic",
        json!({"Name": "t.fifo", "Attributes": {"FifoTopic": "true"}}),
    )
    .await;
    let publish =
        json!({"TopicArn": topic["TopicArn"], "Message": "x", "MessageGroupId": "g", "MessageDeduplicationId": "d"});
    let a = call(&api, "Publish", publish.clone()).await;
    // At a scale of 0 the five minutes last the shortest window, a second.
    sns.pin_time(JAN_1 + 999);
    let again = call(&api, "Publish", publish.clone()).await;
    assert_eq!(again, a);
    sns.pin_time(JAN_1 + 1000);
    let b = call(&api, "Publish", publish).await;
    assert_ne!(a["MessageId"], b["MessageId"]);
    assert_eq!(b["SequenceNumber"], "10000000000000002000");
}

#[tokio::test]
async fn failed_deliveries_are_retried_then_sent_to_the_dead_letter_queue() {
    let (_, api, host) = started();
    call(&api, "CreateTopic", json!({"Name": "orders"})).await;
    let dlq = "arn:aws:sqs:us-east-1:000000000000:dlq";
    // A queue that throttles twice gets the message at the third attempt.
    host.fail(
        QUEUE,
        vec![
            DeliveryError::Transient("slow".into()),
            DeliveryError::Transient("slow".into()),
        ],
    );
    call(
        &api,
        "Subscribe",
        json!({"TopicArn": TOPIC, "Protocol": "sqs", "Endpoint": QUEUE}),
    )
    .await;
    call(&api, "Publish", json!({"TopicArn": TOPIC, "Message": "one"})).await;
    until("the retried delivery", || host.queued().len() == 1).await;
    // A function that does not exist refuses for good: to the DLQ at once.
    let f = "arn:aws:lambda:us-east-1:000000000000:function:gone";
    call(&api, "Unsubscribe", json!({"SubscriptionArn": call(&api, "ListSubscriptions", json!({})).await["Subscriptions"][0]["SubscriptionArn"]})).await;
    host.fail(f, vec![DeliveryError::Permanent("Function not found".into())]);
    let sub = call(
        &api,
        "Subscribe",
        json!({"TopicArn": TOPIC, "Protocol": "lambda", "Endpoint": f,
               "Attributes": {"RedrivePolicy": format!("{{\"deadLetterTargetArn\": \"{dlq}\"}}")}}),
    )
    .await;
    call(&api, "Publish", json!({"TopicArn": TOPIC, "Message": "two"})).await;
    until("the dead letter", || host.queued().len() == 2).await;
    let (queue, m) = host.queued().remove(1);
    assert_eq!(queue, dlq);
    let body: Value = serde_json::from_str(&m.body).unwrap();
    assert_eq!(
        (body["Type"].as_str(), body["Message"].as_str()),
        (Some("Notification"), Some("two"))
    );
    let recorded = host_recorded(&api, sub["SubscriptionArn"].as_str().unwrap());
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].error.as_deref(), Some("Function not found"));
    assert_eq!(recorded[0].protocol, "lambda");
}

fn host_recorded(api: &SnsApi, sub: &str) -> Vec<crate::RecordedMessage> {
    api.service().recorded(&RecordedFilter {
        subscription_arn: Some(sub.to_owned()),
        ..RecordedFilter::default()
    })
}

#[tokio::test]
async fn email_and_sms_are_recorded_and_email_confirms_with_its_token() {
    let (sns, api, _) = started();
    sns.pin_time(JAN_1);
    call(&api, "CreateTopic", json!({"Name": "orders"})).await;
    let pending = call(
        &api,
        "Subscribe",
        json!({"TopicArn": TOPIC, "Protocol": "email", "Endpoint": "a@example.com"}),
    )
    .await;
    assert_eq!(pending, json!({"SubscriptionArn": "pending confirmation"}));
    let listed = call(&api, "ListSubscriptionsByTopic", json!({"TopicArn": TOPIC})).await;
    assert_eq!(listed["Subscriptions"][0]["SubscriptionArn"], "PendingConfirmation");
    let all = sns.recorded(&RecordedFilter::default());
    assert_eq!(all.len(), 1);
    let c = &all[0];
    assert_eq!(
        (
            c.kind.as_str(),
            c.protocol.as_str(),
            c.endpoint.as_str(),
            c.subject.as_deref()
        ),
        (
            "SubscriptionConfirmation",
            "email",
            "a@example.com",
            Some("AWS Notification - Subscription Confirmation")
        )
    );
    let token = c.message.split("&Token=").nth(1).unwrap().to_owned();
    assert_eq!(token.len(), 128);
    assert!(c.message.starts_with(&format!(
        "You have chosen to subscribe to the topic: \n{TOPIC}\n\nTo confirm this subscription, click or visit the link below (If this was in error no action is necessary):\nConfirm subscription: {ENDPOINT}/?Action=ConfirmSubscription&TopicArn={TOPIC}&Token="
    )));
    assert_eq!(
        fails(&api, "ConfirmSubscription", json!({"TopicArn": TOPIC, "Token": "abcd"})).await,
        "400 InvalidParameter: Invalid parameter: Token"
    );
    assert_eq!(
        fails(
            &api,
            "ConfirmSubscription",
            json!({"TopicArn": TOPIC, "Token": "not hex"})
        )
        .await,
        "400 InvalidParameter: Invalid token"
    );
    assert_eq!(
        fails(&api, "ConfirmSubscription", json!({"TopicArn": "nope", "Token": token})).await,
        "400 InvalidParameter: Invalid parameter: Topic"
    );
    let confirmed = call(&api, "ConfirmSubscription", json!({"TopicArn": TOPIC, "Token": token})).await;
    let sub = confirmed["SubscriptionArn"].as_str().unwrap().to_owned();
    assert!(sub.starts_with(&format!("{TOPIC}:")));
    let out = call(
        &api,
        "Publish",
        json!({"TopicArn": TOPIC, "Message": "hi", "Subject": "S"}),
    )
    .await;
    until("the recorded email", || host_recorded(&api, &sub).len() == 2).await;
    let m = host_recorded(&api, &sub).remove(1);
    assert_eq!(
        serde_json::to_value(&m).unwrap(),
        json!({"id": m.id, "time": "2024-01-01T00:00:00.000Z", "type": "Notification", "topicArn": TOPIC,
               "subscriptionArn": sub, "protocol": "email", "endpoint": "a@example.com",
               "messageId": out["MessageId"], "subject": "S", "message": "hi"})
    );
    let sms = call(
        &api,
        "Publish",
        json!({"PhoneNumber": "+15551234567", "Message": "code 1234"}),
    )
    .await;
    let texts = sns.recorded(&RecordedFilter {
        protocol: Some("sms".into()),
        ..RecordedFilter::default()
    });
    assert_eq!(texts.len(), 1);
    assert_eq!(
        (
            texts[0].endpoint.as_str(),
            texts[0].message.as_str(),
            texts[0].message_id.as_str(),
            texts[0].topic_arn.as_deref()
        ),
        ("+15551234567", "code 1234", sms["MessageId"].as_str().unwrap(), None)
    );
    assert_eq!(sns.clear_recorded(&RecordedFilter::default()), 3);
    assert!(sns.recorded(&RecordedFilter::default()).is_empty());
}

#[tokio::test]
async fn deliveries_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings {
        dir: Some(dir.path().to_owned()),
        clock: Clock::scaled(0.0),
        ..Settings::default()
    };
    let before = Arc::new(FakeHost::default());
    {
        let sns = sns_with(before.clone(), settings.clone());
        let api = SnsApi::new(sns.clone());
        call(&api, "CreateTopic", json!({"Name": "orders"})).await;
        call(
            &api,
            "Subscribe",
            json!({"TopicArn": TOPIC, "Protocol": "sqs", "Endpoint": QUEUE}),
        )
        .await;
        // Not started: the server dies before it delivers, one attempt
        // under way (its delivery leased) and one waiting.
        call(&api, "Publish", json!({"TopicArn": TOPIC, "Message": "in flight"})).await;
        let leased = crate::store::lease_due(&sns.store.lock(), i64::MAX, 1).unwrap();
        assert_eq!(leased.len(), 1);
        call(&api, "Publish", json!({"TopicArn": TOPIC, "Message": "kept"})).await;
        assert_eq!(sns.pending_deliveries(), 2);
    }
    let after = Arc::new(FakeHost::default());
    let sns = sns_with(after.clone(), settings);
    sns.start();
    until("the resumed deliveries", || after.queued().len() == 2).await;
    let mut messages: Vec<String> = after
        .queued()
        .iter()
        .map(|(_, m)| {
            serde_json::from_str::<Value>(&m.body).unwrap()["Message"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    messages.sort();
    assert_eq!(messages, ["in flight", "kept"]);
    until("the delivery's row to go", || sns.pending_deliveries() == 0).await;
    assert!(before.queued().is_empty());
}

#[tokio::test]
async fn list_pages_continue_with_next_token() {
    let (_, api, _) = started();
    for i in 0..105 {
        call(&api, "CreateTopic", json!({"Name": format!("t{i:03}")})).await;
    }
    let first = call(&api, "ListTopics", json!({})).await;
    assert_eq!(first["Topics"].as_array().unwrap().len(), 100);
    let token = first["NextToken"].as_str().unwrap();
    let second = call(&api, "ListTopics", json!({"NextToken": token})).await;
    assert_eq!(
        second["Topics"],
        json!([
            {"TopicArn": "arn:aws:sns:us-east-1:000000000000:t100"},
            {"TopicArn": "arn:aws:sns:us-east-1:000000000000:t101"},
            {"TopicArn": "arn:aws:sns:us-east-1:000000000000:t102"},
            {"TopicArn": "arn:aws:sns:us-east-1:000000000000:t103"},
            {"TopicArn": "arn:aws:sns:us-east-1:000000000000:t104"}
        ])
    );
    assert_eq!(second.get("NextToken"), None);
    assert_eq!(
        fails(&api, "ListTopics", json!({"NextToken": "***"})).await,
        "400 InvalidParameter: Invalid parameter: NextToken"
    );
}

// --- HTTP endpoints -------------------------------------------------------------------

/// One request an HTTP subscriber received.
#[derive(Debug, Clone)]
struct Received {
    headers: http::HeaderMap,
    body: String,
}

/// A local HTTP server that answers each request with the next status of
/// `statuses` (then 200) and keeps what it received.
async fn subscriber(statuses: Vec<u16>) -> (SocketAddr, Arc<Mutex<Vec<Received>>>) {
    serve_subscriber(statuses, None).await
}

/// The TLS identity an HTTPS subscriber presents; tests swap it to make a
/// trusted endpoint untrusted.
type ServerTls = Arc<Mutex<Arc<rustls::ServerConfig>>>;

/// [`subscriber`] over TLS with `tls`'s certificate, as it is when each
/// connection comes. It closes every connection after one answer, so that
/// no delivery rides on a connection verified under an older certificate.
async fn https_subscriber(tls: Arc<rustls::ServerConfig>) -> (SocketAddr, Arc<Mutex<Vec<Received>>>, ServerTls) {
    let tls = Arc::new(Mutex::new(tls));
    let (addr, received) = serve_subscriber(vec![], Some(tls.clone())).await;
    (addr, received, tls)
}

async fn serve_subscriber(statuses: Vec<u16>, tls: Option<ServerTls>) -> (SocketAddr, Arc<Mutex<Vec<Received>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let received = Arc::new(Mutex::new(Vec::new()));
    let statuses = Arc::new(Mutex::new(statuses));
    let kept = received.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let kept = kept.clone();
            let statuses = statuses.clone();
            let tls = tls.as_ref().map(|t| t.lock().unwrap().clone());
            tokio::spawn(async move {
                match tls {
                    None => answer(stream, kept, statuses, true).await,
                    Some(config) => {
                        // A client that refuses the certificate ends the handshake.
                        if let Ok(stream) = tokio_rustls::TlsAcceptor::from(config).accept(stream).await {
                            answer(stream, kept, statuses, false).await;
                        }
                    }
                }
            });
        }
    });
    (addr, received)
}

/// Serves one connection of a subscriber.
async fn answer<S>(stream: S, kept: Arc<Mutex<Vec<Received>>>, statuses: Arc<Mutex<Vec<u16>>>, keep_alive: bool)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
        let kept = kept.clone();
        let statuses = statuses.clone();
        async move {
            let (parts, body) = req.into_parts();
            let body = body.collect().await.unwrap().to_bytes();
            kept.lock().unwrap().push(Received {
                headers: parts.headers,
                body: String::from_utf8(body.to_vec()).unwrap(),
            });
            let status = {
                let mut s = statuses.lock().unwrap();
                if s.is_empty() { 200 } else { s.remove(0) }
            };
            let mut resp = http::Response::new(Full::new(Bytes::new()));
            *resp.status_mut() = http::StatusCode::from_u16(status).unwrap();
            Ok::<_, std::convert::Infallible>(resp)
        }
    });
    let _ = hyper::server::conn::http1::Builder::new()
        .keep_alive(keep_alive)
        .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
        .await;
}

/// A certificate for 127.0.0.1 and localhost named `name`, that signs
/// itself, made anew for each test (so no system trusts it), and a server
/// identity with it.
fn self_signed(name: &str) -> (CertificateDer<'static>, Arc<rustls::ServerConfig>) {
    let mut params = rcgen::CertificateParams::new(["127.0.0.1".to_owned(), "localhost".to_owned()]).unwrap();
    params.distinguished_name.push(rcgen::DnType::CommonName, name);
    let key_pair = rcgen::KeyPair::generate().unwrap();
    let cert = params.self_signed(&key_pair).unwrap().der().clone();
    let key = PrivatePkcs8KeyDer::from(key_pair.serialize_der());
    let config = rustls::ServerConfig::builder_with_provider(crate::delivery::http::crypto())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert.clone()], key.into())
        .unwrap();
    (cert, Arc::new(config))
}

/// A started service whose HTTP/S deliveries trust `root` besides the
/// system's roots.
fn started_trusting(root: CertificateDer<'static>) -> (Arc<Sns>, SnsApi, Arc<FakeHost>) {
    let (sns, api, host) = started();
    assert!(sns.http.set(HttpSender::with_roots(vec![root])).is_ok());
    (sns, api, host)
}

fn header<'a>(r: &'a Received, name: &str) -> Option<&'a str> {
    r.headers.get(name).and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn http_endpoints_confirm_then_receive_notifications() {
    let (sns, api, _) = started();
    sns.pin_time(JAN_1);
    let (addr, received) = subscriber(vec![]).await;
    let url = format!("http://{addr}/sns");
    call(&api, "CreateTopic", json!({"Name": "orders"})).await;
    let pending = call(
        &api,
        "Subscribe",
        json!({"TopicArn": TOPIC, "Protocol": "http", "Endpoint": url}),
    )
    .await;
    assert_eq!(pending["SubscriptionArn"], "pending confirmation");
    until("the confirmation request", || received.lock().unwrap().len() == 1).await;
    let confirmation = received.lock().unwrap()[0].clone();
    assert_eq!(
        header(&confirmation, "x-amz-sns-message-type"),
        Some("SubscriptionConfirmation")
    );
    assert_eq!(header(&confirmation, "x-amz-sns-topic-arn"), Some(TOPIC));
    assert_eq!(header(&confirmation, "x-amz-sns-subscription-arn"), None);
    assert_eq!(header(&confirmation, "content-type"), Some("text/plain; charset=UTF-8"));
    assert_eq!(
        header(&confirmation, "user-agent"),
        Some("Amazon Simple Notification Service Agent")
    );
    let doc: Value = serde_json::from_str(&confirmation.body).unwrap();
    let token = doc["Token"].as_str().unwrap();
    assert_eq!(header(&confirmation, "x-amz-sns-message-id"), doc["MessageId"].as_str());
    assert_eq!(
        doc,
        json!({
            "Type": "SubscriptionConfirmation",
            "MessageId": doc["MessageId"],
            "Token": token,
            "TopicArn": TOPIC,
            "Message": format!("You have chosen to subscribe to the topic {TOPIC}.\nTo confirm the subscription, visit the SubscribeURL included in this message."),
            "SubscribeURL": format!("{ENDPOINT}/?Action=ConfirmSubscription&TopicArn={TOPIC}&Token={token}"),
            "Timestamp": "2024-01-01T00:00:00.000Z",
            "SignatureVersion": "1",
            "Signature": SIGNATURE,
            "SigningCertURL": format!("{ENDPOINT}/_lakestack/sns/SimpleNotificationService-lakestack.pem")
        })
    );

    // The subscriber visits the SubscribeURL: an unsigned GET to lakestack.
    let query = doc["SubscribeURL"]
        .as_str()
        .unwrap()
        .split_once('?')
        .unwrap()
        .1
        .to_owned();
    let req = Request::get(format!("/?{query}"))
        .body(Full::new(Bytes::new()))
        .unwrap();
    let (_, resp) = serve(&api, Protocol::AwsQuery, req, None).await;
    let xml = String::from_utf8(resp.body().to_vec()).unwrap();
    assert_eq!(resp.status(), 200, "{xml}");
    let sub = between(&xml, "SubscriptionArn").to_owned();
    let attrs = call(&api, "GetSubscriptionAttributes", json!({"SubscriptionArn": sub})).await;
    let attr = |k: &str| {
        attrs["Attributes"]["entry"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["key"] == k)
            .map(|e| e["value"].clone())
    };
    assert_eq!(attr("PendingConfirmation"), Some(json!("false")));
    assert_eq!(attr("ConfirmationWasAuthenticated"), Some(json!("false")));

    let out = call(
        &api,
        "Publish",
        json!({"TopicArn": TOPIC, "Message": "hello", "MessageAttributes": {"k": {"DataType": "String", "StringValue": "v"}}}),
    )
    .await;
    until("the notification", || received.lock().unwrap().len() == 2).await;
    let n = received.lock().unwrap()[1].clone();
    assert_eq!(header(&n, "x-amz-sns-message-type"), Some("Notification"));
    assert_eq!(header(&n, "x-amz-sns-message-id"), out["MessageId"].as_str());
    assert_eq!(header(&n, "x-amz-sns-subscription-arn"), Some(sub.as_str()));
    assert_eq!(header(&n, "x-amz-sns-rawdelivery"), None);
    assert_eq!(
        n.body,
        format!(
            "{{\n  \"Type\" : \"Notification\",\n  \"MessageId\" : \"{}\",\n  \"TopicArn\" : \"{TOPIC}\",\n  \"Message\" : \"hello\",\n  \"Timestamp\" : \"2024-01-01T00:00:00.000Z\",\n  \"SignatureVersion\" : \"1\",\n  \"Signature\" : \"{SIGNATURE}\",\n  \"SigningCertURL\" : \"{ENDPOINT}/_lakestack/sns/SimpleNotificationService-lakestack.pem\",\n  \"UnsubscribeURL\" : \"{ENDPOINT}/?Action=Unsubscribe&SubscriptionArn={sub}\",\n  \"MessageAttributes\" : {{\n    \"k\" : {{\"Type\":\"String\",\"Value\":\"v\"}}\n  }}\n}}",
            out["MessageId"].as_str().unwrap()
        )
    );

    call(
        &api,
        "SetSubscriptionAttributes",
        json!({"SubscriptionArn": sub, "AttributeName": "RawMessageDelivery", "AttributeValue": "true"}),
    )
    .await;
    call(
        &api,
        "SetSubscriptionAttributes",
        json!({"SubscriptionArn": sub, "AttributeName": "DeliveryPolicy", "AttributeValue": "{\"requestPolicy\": {\"headerContentType\": \"application/json\"}}"}),
    )
    .await;
    call(
        &api,
        "Publish",
        json!({"TopicArn": TOPIC, "Message": "{\"raw\": true}"}),
    )
    .await;
    until("the raw notification", || received.lock().unwrap().len() == 3).await;
    let raw = received.lock().unwrap()[2].clone();
    assert_eq!(raw.body, "{\"raw\": true}");
    assert_eq!(header(&raw, "x-amz-sns-rawdelivery"), Some("true"));
    assert_eq!(header(&raw, "content-type"), Some("application/json"));

    call(&api, "Unsubscribe", json!({"SubscriptionArn": sub})).await;
    until("the unsubscribe confirmation", || received.lock().unwrap().len() == 4).await;
    let bye = received.lock().unwrap()[3].clone();
    assert_eq!(header(&bye, "x-amz-sns-message-type"), Some("UnsubscribeConfirmation"));
    assert_eq!(header(&bye, "x-amz-sns-subscription-arn"), Some(sub.as_str()));
    let doc: Value = serde_json::from_str(&bye.body).unwrap();
    assert_eq!(
        doc["Message"],
        format!(
            "You have chosen to deactivate subscription {sub}.\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message."
        )
    );
    assert_eq!(
        fails(&api, "GetSubscriptionAttributes", json!({"SubscriptionArn": sub})).await,
        "404 NotFound: Subscription does not exist"
    );
    // Its token restores the subscription.
    let restored = call(
        &api,
        "ConfirmSubscription",
        json!({"TopicArn": TOPIC, "Token": doc["Token"]}),
    )
    .await;
    assert_eq!(restored["SubscriptionArn"], sub);
    let topic = call(&api, "GetTopicAttributes", json!({"TopicArn": TOPIC})).await;
    let counts: Vec<&Value> = topic["Attributes"]["entry"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["key"].as_str().unwrap().starts_with("Subscriptions"))
        .map(|e| &e["value"])
        .collect();
    assert_eq!(
        counts,
        [&json!("1"), &json!("1"), &json!("0")],
        "confirmed, deleted, pending"
    );
}

#[tokio::test]
async fn http_deliveries_retry_under_the_delivery_policy_then_go_to_the_dlq() {
    let (_, api, host) = started();
    // The confirmation fails once, then every notification fails.
    let (addr, received) = subscriber(vec![500, 200, 503, 503, 503, 503]).await;
    let url = format!("http://{addr}/");
    call(&api, "CreateTopic", json!({"Name": "orders"})).await;
    let sub = call(
        &api,
        "Subscribe",
        json!({"TopicArn": TOPIC, "Protocol": "http", "Endpoint": url, "ReturnSubscriptionArn": true,
               "Attributes": {"RedrivePolicy": "{\"deadLetterTargetArn\": \"arn:aws:sqs:us-east-1:000000000000:dlq\"}"}}),
    )
    .await;
    let sub = sub["SubscriptionArn"].as_str().unwrap().to_owned();
    assert!(sub.starts_with(&format!("{TOPIC}:")));
    until("the retried confirmation", || received.lock().unwrap().len() == 2).await;
    let token = serde_json::from_str::<Value>(&received.lock().unwrap()[1].body).unwrap()["Token"]
        .as_str()
        .unwrap()
        .to_owned();
    call(&api, "ConfirmSubscription", json!({"TopicArn": TOPIC, "Token": token})).await;
    call(&api, "Publish", json!({"TopicArn": TOPIC, "Message": "lost"})).await;
    // AWS's default policy: three retries after the first attempt.
    until("the dead letter", || host.queued().len() == 1).await;
    assert_eq!(received.lock().unwrap().len(), 6);
    let (queue, m) = host.queued().remove(0);
    assert_eq!(queue, "arn:aws:sqs:us-east-1:000000000000:dlq");
    assert_eq!(serde_json::from_str::<Value>(&m.body).unwrap()["Message"], "lost");
    let recorded = host_recorded(&api, &sub);
    assert_eq!(
        recorded.last().and_then(|r| r.error.as_deref()),
        Some("the endpoint answered HTTP 503 (after 4 attempts)")
    );
}

#[tokio::test]
async fn https_endpoints_confirm_then_receive_notifications() {
    let (cert, tls) = self_signed("subscriber");
    let (sns, api, _) = started_trusting(cert);
    sns.pin_time(JAN_1);
    let (addr, received, _) = https_subscriber(tls).await;
    let url = format!("https://127.0.0.1:{}/hook", addr.port());
    call(&api, "CreateTopic", json!({"Name": "orders"})).await;
    let pending = call(
        &api,
        "Subscribe",
        json!({"TopicArn": TOPIC, "Protocol": "https", "Endpoint": url}),
    )
    .await;
    assert_eq!(pending["SubscriptionArn"], "pending confirmation");
    until("the confirmation request", || received.lock().unwrap().len() == 1).await;
    let confirmation = received.lock().unwrap()[0].clone();
    assert_eq!(
        header(&confirmation, "x-amz-sns-message-type"),
        Some("SubscriptionConfirmation")
    );
    assert_eq!(header(&confirmation, "x-amz-sns-topic-arn"), Some(TOPIC));
    assert_eq!(header(&confirmation, "x-amz-sns-subscription-arn"), None);
    assert_eq!(header(&confirmation, "content-type"), Some("text/plain; charset=UTF-8"));
    assert_eq!(
        header(&confirmation, "user-agent"),
        Some("Amazon Simple Notification Service Agent")
    );
    let doc: Value = serde_json::from_str(&confirmation.body).unwrap();
    assert_eq!(doc["Type"], "SubscriptionConfirmation");
    assert_eq!(header(&confirmation, "x-amz-sns-message-id"), doc["MessageId"].as_str());
    // Nothing is recorded for an endpoint that was reached.
    assert_eq!(api.service().recorded(&RecordedFilter::default()), []);

    let confirmed = call(
        &api,
        "ConfirmSubscription",
        json!({"TopicArn": TOPIC, "Token": doc["Token"]}),
    )
    .await;
    let sub = confirmed["SubscriptionArn"].as_str().unwrap().to_owned();
    let out = call(&api, "Publish", json!({"TopicArn": TOPIC, "Message": "hello"})).await;
    until("the notification", || received.lock().unwrap().len() == 2).await;
    let n = received.lock().unwrap()[1].clone();
    assert_eq!(header(&n, "x-amz-sns-message-type"), Some("Notification"));
    assert_eq!(header(&n, "x-amz-sns-message-id"), out["MessageId"].as_str());
    assert_eq!(header(&n, "x-amz-sns-topic-arn"), Some(TOPIC));
    assert_eq!(header(&n, "x-amz-sns-subscription-arn"), Some(sub.as_str()));
    assert_eq!(header(&n, "x-amz-sns-rawdelivery"), None);
    let doc: Value = serde_json::from_str(&n.body).unwrap();
    assert_eq!(doc["Type"], "Notification");
    assert_eq!(doc["Message"], "hello");
}

#[tokio::test]
async fn https_endpoints_with_an_untrusted_certificate_fail_then_go_to_the_dlq() {
    let (trusted, tls) = self_signed("trusted subscriber");
    let (_, api, host) = started_trusting(trusted);
    let (addr, received, presented) = https_subscriber(tls).await;
    let url = format!("https://127.0.0.1:{}/", addr.port());
    call(&api, "CreateTopic", json!({"Name": "orders"})).await;
    call(
        &api,
        "Subscribe",
        json!({"TopicArn": TOPIC, "Protocol": "https", "Endpoint": url,
               "Attributes": {"RedrivePolicy": "{\"deadLetterTargetArn\": \"arn:aws:sqs:us-east-1:000000000000:dlq\"}"}}),
    )
    .await;
    until("the confirmation request", || received.lock().unwrap().len() == 1).await;
    let token = serde_json::from_str::<Value>(&received.lock().unwrap()[0].body).unwrap()["Token"].clone();
    let confirmed = call(&api, "ConfirmSubscription", json!({"TopicArn": TOPIC, "Token": token})).await;
    let sub = confirmed["SubscriptionArn"].as_str().unwrap().to_owned();

    // The endpoint now presents a certificate that signs itself and that
    // nothing trusts, as a subscriber's own would be.
    *presented.lock().unwrap() = self_signed("untrusted subscriber").1;
    call(&api, "Publish", json!({"TopicArn": TOPIC, "Message": "lost"})).await;
    // AWS's default policy: three retries after the first attempt.
    until("the dead letter", || host.queued().len() == 1).await;
    assert_eq!(received.lock().unwrap().len(), 1, "no notification got through");
    let (queue, m) = host.queued().remove(0);
    assert_eq!(queue, "arn:aws:sqs:us-east-1:000000000000:dlq");
    assert_eq!(serde_json::from_str::<Value>(&m.body).unwrap()["Message"], "lost");
    let recorded = host_recorded(&api, &sub);
    assert_eq!(recorded.len(), 1);
    assert_eq!(
        recorded[0].error.as_deref(),
        Some(
            "the endpoint could not be reached: client error (Connect): invalid peer certificate: UnknownIssuer (after 4 attempts)"
        )
    );
}

#[tokio::test]
async fn in_process_publishes_are_checked_as_the_operation_checks_them() {
    let (sns, api, host) = started();
    call(&api, "CreateTopic", json!({"Name": "orders"})).await;
    call(
        &api,
        "Subscribe",
        json!({"TopicArn": TOPIC, "Protocol": "sqs", "Endpoint": QUEUE}),
    )
    .await;
    assert!(sns.topic_exists(TOPIC));
    assert!(!sns.topic_exists("arn:aws:sns:us-east-1:000000000000:nope"));
    let out = sns.publish(TOPIC, crate::PublishInput::text("from S3")).await.unwrap();
    assert_eq!(out.sequence_number, None);
    until("the delivery", || host.queued().len() == 1).await;
    let err = sns.publish(TOPIC, crate::PublishInput::text("")).await.unwrap_err();
    assert_eq!(err.to_string(), "Invalid parameter: Empty message");
    let err = sns
        .publish(
            "arn:aws:sns:us-east-1:000000000000:nope",
            crate::PublishInput::text("x"),
        )
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "Topic does not exist");
}
