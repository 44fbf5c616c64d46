"""SQS through boto3 (awsJson 1.0), aws-cli, and a hand-signed awsQuery
request as older clients send it: queues and their attributes, MD5s as AWS
computes them, long polling, visibility and dead-letter redrive on a scaled
clock, FIFO order, group locking and deduplication, and messages that
survive `kill -9`."""

import hashlib
import json
import struct
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from conftest import Server, cli, client

ACCOUNT = "000000000000"


@pytest.fixture
def sqs(server):
    return client("sqs", server)


@pytest.fixture
def scaled():
    """Timers a hundred times faster: a 30-second visibility timeout lasts 0.3 s."""
    s = Server("--ephemeral", "--wait-time-scale", "0.01")
    yield s
    s.stop()


def attributes_md5(attrs):
    """MD5OfMessageAttributes as AWS documents it: per attribute, sorted by
    name, length-prefixed name, type, a transport byte and the value."""
    out = b""
    for name in sorted(attrs):
        a = attrs[name]
        out += struct.pack(">I", len(name)) + name.encode()
        out += struct.pack(">I", len(a["DataType"])) + a["DataType"].encode()
        if "StringValue" in a:
            v = a["StringValue"].encode()
            out += b"\x01" + struct.pack(">I", len(v)) + v
        else:
            v = a["BinaryValue"]
            out += b"\x02" + struct.pack(">I", len(v)) + v
    return hashlib.md5(out).hexdigest()


def test_queue_lifecycle_and_attributes(sqs, server):
    url = sqs.create_queue(QueueName="orders", Attributes={"VisibilityTimeout": "45", "DelaySeconds": "0"})["QueueUrl"]
    assert url == f"http://127.0.0.1:{server.port}/{ACCOUNT}/orders"
    # The same name and attributes answer the same URL; other attributes are refused.
    assert sqs.create_queue(QueueName="orders", Attributes={"VisibilityTimeout": "45"})["QueueUrl"] == url
    with pytest.raises(ClientError) as e:
        sqs.create_queue(QueueName="orders", Attributes={"VisibilityTimeout": "50"})
    assert e.value.response["Error"]["Code"] == "QueueAlreadyExists"
    assert sqs.get_queue_url(QueueName="orders")["QueueUrl"] == url
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attrs["QueueArn"] == f"arn:aws:sqs:us-east-1:{ACCOUNT}:orders"
    assert attrs["VisibilityTimeout"] == "45"
    assert attrs["MaximumMessageSize"] == "1048576"
    assert attrs["MessageRetentionPeriod"] == "345600"
    assert attrs["ReceiveMessageWaitTimeSeconds"] == "0"
    assert attrs["ApproximateNumberOfMessages"] == "0"
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "5"})
    got = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["DelaySeconds"])["Attributes"]
    assert got == {"DelaySeconds": "5"}
    sqs.create_queue(QueueName="other")
    assert sqs.list_queues(QueueNamePrefix="ord")["QueueUrls"] == [url]
    sqs.tag_queue(QueueUrl=url, Tags={"team": "data"})
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "data"}
    # An AWS-style URL reaches the same queue: the path names it.
    aws_url = f"https://sqs.us-east-1.amazonaws.com/{ACCOUNT}/orders"
    assert sqs.get_queue_attributes(QueueUrl=aws_url, AttributeNames=["VisibilityTimeout"])["Attributes"] == {
        "VisibilityTimeout": "45"
    }
    sqs.delete_queue(QueueUrl=url)
    with pytest.raises(sqs.exceptions.QueueDoesNotExist) as e:
        sqs.get_queue_url(QueueName="orders")
    # The SDKs map the awsJson error back to the code older clients know.
    assert e.value.response["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"


def test_send_receive_delete_with_attributes_and_md5s(sqs):
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    attrs = {
        "source": {"DataType": "String", "StringValue": "s3"},
        "count": {"DataType": "Number", "StringValue": "42"},
        "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xff"},
    }
    sent = sqs.send_message(QueueUrl=url, MessageBody="hello", MessageAttributes=attrs)
    assert sent["MD5OfMessageBody"] == "5d41402abc4b2a76b9719d911017c592"
    assert sent["MD5OfMessageAttributes"] == attributes_md5(attrs)
    got = sqs.receive_message(
        QueueUrl=url, MessageAttributeNames=["All"], AttributeNames=["All"], MaxNumberOfMessages=10
    )["Messages"]
    assert len(got) == 1
    m = got[0]
    assert m["MessageId"] == sent["MessageId"]
    assert m["Body"] == "hello"
    assert m["MD5OfBody"] == "5d41402abc4b2a76b9719d911017c592"
    assert m["MessageAttributes"] == attrs
    assert m["Attributes"]["ApproximateReceiveCount"] == "1"
    assert set(m["Attributes"]) >= {"SenderId", "SentTimestamp", "ApproximateFirstReceiveTimestamp"}
    # In flight: not visible, counted as such.
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert (counts["ApproximateNumberOfMessages"], counts["ApproximateNumberOfMessagesNotVisible"]) == ("0", "1")
    sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert counts["ApproximateNumberOfMessagesNotVisible"] == "0"
    batch = sqs.send_message_batch(
        QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": f"m{i}"} for i in range(10)]
    )
    assert sorted(s["Id"] for s in batch["Successful"]) == sorted(str(i) for i in range(10))
    with pytest.raises(ClientError) as e:
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "a", "MessageBody": "x"}, {"Id": "a", "MessageBody": "y"}])
    assert e.value.response["Error"]["Code"] == "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"
    with pytest.raises(ClientError) as e:
        sqs.send_message(QueueUrl=url, MessageBody="x" * (1024 * 1024 + 1))
    assert e.value.response["Error"]["Code"] == "InvalidParameterValue"
    with pytest.raises(ClientError) as e:
        sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=11)
    assert e.value.response["Error"]["Code"] == "InvalidParameterValue"


def test_long_polling_returns_as_soon_as_a_message_arrives(sqs):
    url = sqs.create_queue(QueueName="waits")["QueueUrl"]
    threading.Timer(0.5, lambda: sqs.send_message(QueueUrl=url, MessageBody="late")).start()
    started = time.monotonic()
    got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=10)["Messages"]
    took = time.monotonic() - started
    assert [m["Body"] for m in got] == ["late"]
    assert 0.4 < took < 5, took


def test_visibility_expiry_and_dead_letter_redrive(scaled):
    sqs = client("sqs", scaled)
    dlq = sqs.create_queue(QueueName="dead")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    url = sqs.create_queue(
        QueueName="work",
        Attributes={
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "2"}),
            "VisibilityTimeout": "5",
        },
    )["QueueUrl"]
    sent = sqs.send_message(QueueUrl=url, MessageBody="poison")["MessageId"]
    def next_message(queue_url):
        # A visibility timeout lasts at least a second of real time, however
        # scaled; a 20-second long poll lasts 0.2 s here.
        deadline = time.time() + 10
        while time.time() < deadline:
            got = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=20, AttributeNames=["All"])
            if got.get("Messages"):
                return got["Messages"]
        raise AssertionError("no message came")

    for count in ("1", "2"):
        got = next_message(url)
        assert got[0]["Attributes"]["ApproximateReceiveCount"] == count
    # The third receive would exceed maxReceiveCount: it answers nothing and
    # moves the message to the DLQ.
    deadline = time.time() + 10
    while sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"][
        "ApproximateNumberOfMessages"
    ] != "1":
        assert time.time() < deadline, "the message never reached the dead-letter queue"
        assert "Messages" not in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20)
    (dead,) = next_message(dlq)
    assert (dead["MessageId"], dead["Body"]) == (sent, "poison")
    assert sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"] == [url]
    # Redrive back to the source.
    sqs.change_message_visibility(QueueUrl=dlq, ReceiptHandle=dead["ReceiptHandle"], VisibilityTimeout=0)
    task = sqs.start_message_move_task(SourceArn=dlq_arn)["TaskHandle"]
    assert task
    (back,) = next_message(url)
    assert back["Body"] == "poison"
    tasks = sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"]
    assert tasks[0]["Status"] in ("RUNNING", "COMPLETED")


def test_fifo_order_group_locking_and_deduplication(sqs):
    url = sqs.create_queue(
        QueueName="events.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "false"}
    )["QueueUrl"]
    ids = []
    for i in range(4):
        r = sqs.send_message(QueueUrl=url, MessageBody=f"a{i}", MessageGroupId="a", MessageDeduplicationId=f"d{i}")
        ids.append(r["MessageId"])
        assert r["SequenceNumber"]
    # Within five minutes the same deduplication id is the same message.
    dup = sqs.send_message(QueueUrl=url, MessageBody="again", MessageGroupId="a", MessageDeduplicationId="d0")
    assert dup["MessageId"] == ids[0]
    sqs.send_message(QueueUrl=url, MessageBody="b0", MessageGroupId="b", MessageDeduplicationId="e0")
    with pytest.raises(ClientError) as e:
        sqs.send_message(QueueUrl=url, MessageBody="x", MessageDeduplicationId="z")
    # AWS's current answer (it was MissingParameter before 2019).
    assert e.value.response["Error"]["Code"] == "InvalidParameterValue"
    assert e.value.response["Error"]["Message"] == "The request must contain the parameter MessageGroupId."
    first = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2, AttributeNames=["All"])["Messages"]
    assert [m["Body"] for m in first] == ["a0", "a1"]
    assert first[0]["Attributes"]["MessageGroupId"] == "a"
    # Group a is locked while a0 and a1 are in flight: only group b comes.
    second = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in second] == ["b0"]
    for m in first:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    rest = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in rest] == ["a2", "a3"]


def test_acknowledged_messages_survive_kill_9(tmp_path):
    data = str(tmp_path / "data")
    s = Server("--data-dir", data)
    sqs = client("sqs", s)
    url = sqs.create_queue(QueueName="durable")["QueueUrl"]
    for i in range(50):
        sqs.send_message(QueueUrl=url, MessageBody=f"m{i}")
    s.proc.kill()
    s.proc.wait()
    s = Server("--data-dir", data)
    try:
        sqs = client("sqs", s)
        url = sqs.get_queue_url(QueueName="durable")["QueueUrl"]
        bodies = set()
        while True:
            got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
            if not got:
                break
            bodies.update(m["Body"] for m in got)
        assert bodies == {f"m{i}" for i in range(50)}
    finally:
        s.stop()


def query(server, path, params):
    """An awsQuery request as pre-2023 SDKs send it, posted to the queue URL."""
    body = urllib.parse.urlencode({**params, "Version": "2012-11-05"})
    req = AWSRequest(
        method="POST",
        url=f"{server.endpoint}{path}",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    SigV4Auth(Credentials("test", "test"), "sqs", "us-east-1").add_auth(req)
    r = urllib.request.Request(req.url, data=body.encode(), headers=dict(req.headers), method="POST")
    try:
        with urllib.request.urlopen(r) as resp:
            return resp.status, ET.fromstring(resp.read())
    except urllib.error.HTTPError as e:
        return e.code, ET.fromstring(e.read())


NS = {"q": "http://queue.amazonaws.com/doc/2012-11-05/"}


def test_the_query_protocol_of_older_clients(server):
    status, doc = query(server, "/", {"Action": "CreateQueue", "QueueName": "legacy"})
    assert status == 200, ET.tostring(doc)
    url = doc.find("q:CreateQueueResult/q:QueueUrl", NS).text
    assert url.endswith(f"/{ACCOUNT}/legacy")
    status, doc = query(
        server,
        f"/{ACCOUNT}/legacy",
        {
            "Action": "SendMessage",
            "MessageBody": "hello",
            "MessageAttribute.1.Name": "k",
            "MessageAttribute.1.Value.DataType": "String",
            "MessageAttribute.1.Value.StringValue": "v",
        },
    )
    assert status == 200, ET.tostring(doc)
    assert doc.find("q:SendMessageResult/q:MD5OfMessageBody", NS).text == "5d41402abc4b2a76b9719d911017c592"
    status, doc = query(
        server,
        f"/{ACCOUNT}/legacy",
        {"Action": "ReceiveMessage", "MessageAttributeName.1": "All", "AttributeName.1": "All"},
    )
    msg = doc.find("q:ReceiveMessageResult/q:Message", NS)
    assert msg.find("q:Body", NS).text == "hello"
    attr = msg.find("q:MessageAttribute", NS)
    assert attr.find("q:Name", NS).text == "k"
    assert attr.find("q:Value/q:StringValue", NS).text == "v"
    names = {a.find("q:Name", NS).text for a in msg.findall("q:Attribute", NS)}
    assert {"SentTimestamp", "ApproximateReceiveCount"} <= names
    status, doc = query(server, "/", {"Action": "GetQueueUrl", "QueueName": "missing"})
    assert status == 400
    assert doc.find("q:Error/q:Code", NS).text == "AWS.SimpleQueueService.NonExistentQueue"


def test_aws_cli(server, tmp_path):
    # aws-cli v1 points `sqs` commands at queue.amazonaws.com itself, over
    # AWS_ENDPOINT_URL: only the flag wins.
    aws = cli("aws", server, tmp_path, "--endpoint-url", server.endpoint)
    url = json.loads(aws("sqs", "create-queue", "--queue-name", "cli").stdout)["QueueUrl"]
    aws("sqs", "send-message", "--queue-url", url, "--message-body", "from the cli")
    got = json.loads(aws("sqs", "receive-message", "--queue-url", url).stdout)
    assert [m["Body"] for m in got["Messages"]] == ["from the cli"]
    aws("sqs", "purge-queue", "--queue-url", url)
    attrs = json.loads(
        aws("sqs", "get-queue-attributes", "--queue-url", url, "--attribute-names", "ApproximateNumberOfMessages").stdout
    )
    assert attrs["Attributes"] == {"ApproximateNumberOfMessages": "0"}
