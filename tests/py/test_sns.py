"""SNS through boto3 and aws-cli: topics fanning out to queues (the JSON
envelope exactly as AWS writes it, and raw delivery), filter policies on
attributes and on the body, FIFO topics into FIFO queues with
deduplication, an HTTP endpoint with its confirmation handshake, a function
subscribed to a topic, and email/SMS recorded where tests can read them."""

import json
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer

import boto3
import pytest
from botocore.exceptions import ClientError

from conftest import Server, client
from test_lambda import ROLE, package

ACCOUNT = "000000000000"


@pytest.fixture
def sns(server):
    return client("sns", server)


@pytest.fixture
def sqs(server):
    return client("sqs", server)


def queue(sqs, name, **attrs):
    url = sqs.create_queue(QueueName=name, Attributes=attrs)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def receive(sqs, url, want, timeout=10, **kwargs):
    out = []
    deadline = time.time() + timeout
    while len(out) < want and time.time() < deadline:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1, **kwargs)
        for m in got.get("Messages", []):
            out.append(m)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return out


def test_topic_to_queue_envelope_and_raw_delivery(sns, sqs):
    topic = sns.create_topic(Name="orders", Attributes={"DisplayName": "Orders"})["TopicArn"]
    assert topic == f"arn:aws:sns:us-east-1:{ACCOUNT}:orders"
    assert sns.create_topic(Name="orders")["TopicArn"] == topic
    wrapped_url, wrapped_arn = queue(sqs, "wrapped")
    raw_url, raw_arn = queue(sqs, "raw")
    sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=wrapped_arn, ReturnSubscriptionArn=True)["SubscriptionArn"]
    assert sub.startswith(topic + ":")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=raw_arn, Attributes={"RawMessageDelivery": "true"})
    attrs = sns.get_topic_attributes(TopicArn=topic)["Attributes"]
    assert attrs["SubscriptionsConfirmed"] == "2"
    assert attrs["DisplayName"] == "Orders"
    published = sns.publish(
        TopicArn=topic,
        Message="order 1",
        Subject="new order",
        MessageAttributes={"kind": {"DataType": "String", "StringValue": "new"}},
    )
    (m,) = receive(sqs, wrapped_url, 1)
    envelope = json.loads(m["Body"])
    assert envelope["Type"] == "Notification"
    assert envelope["MessageId"] == published["MessageId"]
    assert envelope["TopicArn"] == topic
    assert envelope["Subject"] == "new order"
    assert envelope["Message"] == "order 1"
    assert envelope["MessageAttributes"] == {"kind": {"Type": "String", "Value": "new"}}
    assert envelope["SignatureVersion"] == "1"
    assert envelope["UnsubscribeURL"].endswith(f"?Action=Unsubscribe&SubscriptionArn={sub}")
    assert set(envelope) == {
        "Type", "MessageId", "TopicArn", "Subject", "Message", "Timestamp", "SignatureVersion",
        "Signature", "SigningCertURL", "UnsubscribeURL", "MessageAttributes",
    }
    (r,) = receive(sqs, raw_url, 1, MessageAttributeNames=["All"])
    assert r["Body"] == "order 1"
    assert r["MessageAttributes"] == {"kind": {"DataType": "String", "StringValue": "new"}}
    subs = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert sorted(s["Endpoint"] for s in subs) == sorted([wrapped_arn, raw_arn])
    sns.unsubscribe(SubscriptionArn=sub)
    sns.publish(TopicArn=topic, Message="order 2")
    assert [m["Body"] for m in receive(sqs, raw_url, 1)] == ["order 2"]
    assert receive(sqs, wrapped_url, 1, timeout=1) == []


def test_filter_policies_on_attributes_and_body(sns, sqs):
    topic = sns.create_topic(Name="filtered")["TopicArn"]
    big_url, big_arn = queue(sqs, "big")
    eu_url, eu_arn = queue(sqs, "eu")
    sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=big_arn,
        Attributes={
            "RawMessageDelivery": "true",
            "FilterPolicy": json.dumps({"amount": [{"numeric": [">=", 100]}], "kind": [{"anything-but": "test"}]}),
        },
    )
    sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=eu_arn,
        Attributes={
            "RawMessageDelivery": "true",
            "FilterPolicyScope": "MessageBody",
            "FilterPolicy": json.dumps({"region": [{"prefix": "eu-"}], "order": {"items": [{"exists": True}]}}),
        },
    )

    def publish(body, **attrs):
        sns.publish(
            TopicArn=topic,
            Message=json.dumps(body),
            MessageAttributes={
                k: {"DataType": "Number" if isinstance(v, int) else "String", "StringValue": str(v)}
                for k, v in attrs.items()
            },
        )

    publish({"n": 1, "region": "eu-west-1", "order": {"items": [1]}}, amount=150, kind="real")
    publish({"n": 2, "region": "us-east-1", "order": {"items": [1]}}, amount=50, kind="real")
    publish({"n": 3, "region": "eu-central-1", "order": {}}, amount=500, kind="test")
    publish({"n": 4, "region": "eu-north-1", "order": {"items": []}}, amount=100, kind="real")
    big = sorted(json.loads(m["Body"])["n"] for m in receive(sqs, big_url, 2))
    # An empty array has no value for `exists` to find, as in EventBridge patterns.
    eu = sorted(json.loads(m["Body"])["n"] for m in receive(sqs, eu_url, 2, timeout=2))
    assert big == [1, 4]
    assert eu == [1]
    with pytest.raises(ClientError) as e:
        sns.subscribe(
            TopicArn=topic, Protocol="sqs", Endpoint=big_arn, Attributes={"FilterPolicy": json.dumps({"a": "not-a-list"})}
        )
    assert e.value.response["Error"]["Code"] == "InvalidParameter"


def test_fifo_topic_to_fifo_queue_keeps_order_and_deduplicates(sns, sqs):
    topic = sns.create_topic(
        Name="ledger.fifo", Attributes={"FifoTopic": "true", "ContentBasedDeduplication": "true"}
    )["TopicArn"]
    url, arn = queue(sqs, "ledger.fifo", FifoQueue="true")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    ids = [sns.publish(TopicArn=topic, Message=f"e{i}", MessageGroupId="acct-1")["MessageId"] for i in range(5)]
    # The same content within five minutes is the same message.
    assert sns.publish(TopicArn=topic, Message="e0", MessageGroupId="acct-1")["MessageId"] == ids[0]
    with pytest.raises(ClientError) as e:
        sns.publish(TopicArn=topic, Message="no group")
    assert e.value.response["Error"]["Code"] == "InvalidParameter"
    bodies = [m["Body"] for m in receive(sqs, url, 5)]
    assert bodies == [f"e{i}" for i in range(5)]


class Endpoint(BaseHTTPRequestHandler):
    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Endpoint.received.append((dict(self.headers), json.loads(body)))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_http_endpoint_confirms_then_receives(sns):
    Endpoint.received = []
    httpd = HTTPServer(("127.0.0.1", 0), Endpoint)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        topic = sns.create_topic(Name="hooks")["TopicArn"]
        url = f"http://127.0.0.1:{httpd.server_port}/hook"
        pending = sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=url)["SubscriptionArn"]
        assert pending == "pending confirmation"
        deadline = time.time() + 10
        while not Endpoint.received:
            assert time.time() < deadline
            time.sleep(0.05)
        headers, confirm = Endpoint.received[0]
        assert headers["x-amz-sns-message-type"] == "SubscriptionConfirmation"
        assert confirm["Type"] == "SubscriptionConfirmation"
        assert confirm["TopicArn"] == topic
        # Visiting SubscribeURL confirms, as it does on AWS.
        with urllib.request.urlopen(confirm["SubscribeURL"]) as r:
            assert r.status == 200
        subs = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
        assert subs[0]["SubscriptionArn"].startswith(topic + ":")
        sns.publish(TopicArn=topic, Message="ping")
        while len(Endpoint.received) < 2:
            assert time.time() < deadline
            time.sleep(0.05)
        headers, note = Endpoint.received[1]
        assert headers["x-amz-sns-message-type"] == "Notification"
        assert headers["x-amz-sns-topic-arn"] == topic
        assert headers["x-amz-sns-subscription-arn"] == subs[0]["SubscriptionArn"]
        assert note["Message"] == "ping"
    finally:
        httpd.shutdown()


FUNCTION = '''
import boto3

def handler(event, context):
    r = event["Records"][0]
    assert r["EventSource"] == "aws:sns"
    boto3.client("s3").put_object(Bucket="seen", Key=r["Sns"]["MessageId"], Body=r["Sns"]["Message"].encode())
'''


def test_a_topic_invokes_a_function(server, sns):
    lam, s3 = client("lambda", server), client("s3", server)
    s3.create_bucket(Bucket="seen")
    lam.create_function(
        FunctionName="on-message",
        Runtime="python3.11",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": package({"app.py": (FUNCTION, 0o644)})},
    )
    lam.get_waiter("function_active_v2").wait(FunctionName="on-message", WaiterConfig={"Delay": 0.1})
    arn = lam.get_function(FunctionName="on-message")["Configuration"]["FunctionArn"]
    topic = sns.create_topic(Name="to-lambda")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=arn)
    mid = sns.publish(TopicArn=topic, Message="hello function")["MessageId"]
    deadline = time.time() + 30
    while True:
        try:
            body = s3.get_object(Bucket="seen", Key=mid)["Body"].read()
            break
        except ClientError:
            assert time.time() < deadline, "the function did not run"
            time.sleep(0.1)
    assert body == b"hello function"


def test_email_and_sms_are_recorded(server, sns):
    topic = sns.create_topic(Name="alerts")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="oncall@example.com")
    sns.publish(PhoneNumber="+15555550100", Message="sms text")
    sns.publish(TopicArn=topic, Message="disk full", Subject="alert")
    with urllib.request.urlopen(f"{server.endpoint}/_lakestack/sns/messages") as r:
        messages = json.loads(r.read())["messages"]
    sms = [m for m in messages if m.get("protocol") == "sms"]
    assert [m["message"] for m in sms] == ["sms text"]
    assert sms[0]["endpoint"] == "+15555550100"


def test_aws_cli(aws):
    topic = json.loads(aws("sns", "create-topic", "--name", "cli").stdout)["TopicArn"]
    listed = json.loads(aws("sns", "list-topics").stdout)["Topics"]
    assert {"TopicArn": topic} in listed
    out = json.loads(aws("sns", "publish", "--topic-arn", topic, "--message", "hi").stdout)
    assert out["MessageId"]
    aws("sns", "delete-topic", "--topic-arn", topic)
    assert json.loads(aws("sns", "list-topics").stdout)["Topics"] == []


def test_links_are_served_unsigned_in_strict_mode_and_nothing_else():
    s = Server("--ephemeral", "--auth", "strict", "--keys", "AKIDSNS:snssecret")
    try:
        sns = boto3.client(
            "sns",
            endpoint_url=s.endpoint,
            region_name="us-east-1",
            aws_access_key_id="AKIDSNS",
            aws_secret_access_key="snssecret",
        )
        topic = sns.create_topic(Name="guarded")["TopicArn"]
        # A link: reaches SNS without a signature (and fails on its made-up token).
        try:
            urllib.request.urlopen(f"{s.endpoint}/?Action=ConfirmSubscription&TopicArn={topic}&Token=bogus")
            raise AssertionError("a bogus token was accepted")
        except urllib.error.HTTPError as e:
            assert e.code == 400
            assert b"<Code>InvalidParameter</Code>" in e.read()
        # The same query with a form body is not a link: unsigned, it is taken
        # for S3's (which refuses it), never served by SNS.
        body = f"Action=DeleteTopic&TopicArn={topic}".encode()
        req = urllib.request.Request(f"{s.endpoint}/?Action=Unsubscribe", data=body, method="POST")
        try:
            urllib.request.urlopen(req)
            raise AssertionError("an unsigned DeleteTopic was served")
        except urllib.error.HTTPError as e:
            assert b"DeleteTopicResponse" not in e.read()
        assert [t["TopicArn"] for t in sns.list_topics()["Topics"]] == [topic]
    finally:
        s.stop()
