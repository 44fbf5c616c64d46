"""S3 event notifications really delivered: to a queue (the test event,
then AWS's record for each write, filtered by prefix and suffix), to a
function that acts on the object, to a topic that fans out to a queue;
configurations naming missing destinations refused; events of
acknowledged writes delivered after `kill -9`. Also a queue drained by a
function through an event source mapping, and Step Functions sending to
queues and topics."""

import json
import time

import pytest
from botocore.exceptions import ClientError

from conftest import Server, cli, client, finish
from test_lambda import ROLE, package

ACCOUNT = "000000000000"


def queue(sqs, name):
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def drain(sqs, url, want, timeout=20):
    """Bodies (parsed) of `want` messages, deleting them."""
    out = []
    deadline = time.time() + timeout
    while len(out) < want and time.time() < deadline:
        for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", []):
            out.append(json.loads(m["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    assert len(out) == want, out
    return out


def test_writes_reach_a_queue_as_s3_event_records(server, s3):
    sqs = client("sqs", server)
    url, arn = queue(sqs, "landing")
    s3.create_bucket(Bucket="lake")
    s3.put_bucket_notification_configuration(
        Bucket="lake",
        NotificationConfiguration={
            "QueueConfigurations": [
                {
                    "Id": "raw-csv",
                    "QueueArn": arn,
                    "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:*", "s3:ObjectTagging:*"],
                    "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "raw/"}, {"Name": "suffix", "Value": ".csv"}]}},
                }
            ]
        },
    )
    (test_event,) = drain(sqs, url, 1)
    assert test_event["Service"] == "Amazon S3"
    assert test_event["Event"] == "s3:TestEvent"
    assert test_event["Bucket"] == "lake"
    got = s3.get_bucket_notification_configuration(Bucket="lake")["QueueConfigurations"]
    assert got[0]["Id"] == "raw-csv" and got[0]["QueueArn"] == arn

    put = s3.put_object(Bucket="lake", Key="raw/year=2024/a b.csv", Body=b"x,y\n1,2\n")
    s3.put_object(Bucket="lake", Key="raw/skip.json", Body=b"{}")  # filtered out by suffix
    s3.put_object(Bucket="lake", Key="cooked/c.csv", Body=b"1")  # filtered out by prefix
    s3.copy_object(Bucket="lake", Key="raw/copy.csv", CopySource="lake/raw/year=2024/a b.csv")
    s3.put_object_tagging(Bucket="lake", Key="raw/copy.csv", Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})
    s3.delete_object(Bucket="lake", Key="raw/copy.csv")
    records = [r for body in drain(sqs, url, 4) for r in body["Records"]]
    assert [r["eventName"] for r in records] == [
        "ObjectCreated:Put",
        "ObjectCreated:Copy",
        "ObjectTagging:Put",
        "ObjectRemoved:Delete",
    ]
    first = records[0]
    assert first["eventVersion"] == "2.1"
    assert first["eventSource"] == "aws:s3"
    assert first["awsRegion"] == "us-east-1"
    assert first["s3"]["s3SchemaVersion"] == "1.0"
    assert first["s3"]["configurationId"] == "raw-csv"
    assert first["s3"]["bucket"]["name"] == "lake"
    assert first["s3"]["bucket"]["arn"] == "arn:aws:s3:::lake"
    obj = first["s3"]["object"]
    assert obj["key"] == "raw/year%3D2024/a+b.csv"
    assert obj["size"] == 8
    assert obj["eTag"] == put["ETag"].strip('"')
    assert "versionId" not in obj
    assert len(obj["sequencer"]) == 16
    assert records[2]["eventVersion"] == "2.3"
    # Sequencers order the events of one key.
    assert records[1]["s3"]["object"]["sequencer"] < records[3]["s3"]["object"]["sequencer"]
    assert "size" not in records[3]["s3"]["object"]


def test_multipart_and_versioned_deletes(server, s3):
    sqs = client("sqs", server)
    url, arn = queue(sqs, "mpu")
    s3.create_bucket(Bucket="versioned")
    s3.put_bucket_versioning(Bucket="versioned", VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_notification_configuration(
        Bucket="versioned",
        NotificationConfiguration={"QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]}]},
    )
    drain(sqs, url, 1)
    up = s3.create_multipart_upload(Bucket="versioned", Key="big")["UploadId"]
    part = s3.upload_part(Bucket="versioned", Key="big", UploadId=up, PartNumber=1, Body=b"z" * 10)
    done = s3.complete_multipart_upload(
        Bucket="versioned", Key="big", UploadId=up, MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]}
    )
    marker = s3.delete_object(Bucket="versioned", Key="big")
    a, b = [body["Records"][0] for body in drain(sqs, url, 2)]
    # A configuration saved without an Id gets one, which its events carry.
    (saved,) = s3.get_bucket_notification_configuration(Bucket="versioned")["QueueConfigurations"]
    assert saved["Id"].startswith("lakestack-")
    assert a["s3"]["configurationId"] == b["s3"]["configurationId"] == saved["Id"]
    assert a["eventName"] == "ObjectCreated:CompleteMultipartUpload"
    assert a["s3"]["object"]["versionId"] == done["VersionId"]
    assert a["s3"]["object"]["eTag"] == done["ETag"].strip('"')
    assert b["eventName"] == "ObjectRemoved:DeleteMarkerCreated"
    assert b["s3"]["object"]["versionId"] == marker["VersionId"]


def test_configurations_naming_missing_destinations_are_refused(server, s3):
    s3.create_bucket(Bucket="refusing")
    for config in (
        {"QueueConfigurations": [{"QueueArn": f"arn:aws:sqs:us-east-1:{ACCOUNT}:nope", "Events": ["s3:ObjectCreated:*"]}]},
        {"TopicConfigurations": [{"TopicArn": f"arn:aws:sns:us-east-1:{ACCOUNT}:nope", "Events": ["s3:ObjectCreated:*"]}]},
        {
            "LambdaFunctionConfigurations": [
                {"LambdaFunctionArn": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:nope", "Events": ["s3:ObjectCreated:*"]}
            ]
        },
    ):
        with pytest.raises(ClientError) as e:
            s3.put_bucket_notification_configuration(Bucket="refusing", NotificationConfiguration=config)
        assert e.value.response["Error"]["Code"] == "InvalidArgument"
        assert e.value.response["Error"]["Message"] == "Unable to validate the following destination configurations"
    sqs = client("sqs", server)
    _, arn = queue(sqs, "q")
    with pytest.raises(ClientError) as e:
        s3.put_bucket_notification_configuration(
            Bucket="refusing",
            NotificationConfiguration={
                "QueueConfigurations": [
                    {"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]},
                    {"QueueArn": arn, "Events": ["s3:ObjectCreated:Put"]},
                ]
            },
        )
    assert e.value.response["Error"]["Code"] == "InvalidArgument"
    assert "overlap" in e.value.response["Error"]["Message"]
    assert s3.get_bucket_notification_configuration(Bucket="refusing").get("QueueConfigurations") is None


HANDLER = '''
import boto3, urllib.parse

def handler(event, context):
    s3 = boto3.client("s3")
    for r in event["Records"]:
        key = urllib.parse.unquote_plus(r["s3"]["object"]["key"])
        body = s3.get_object(Bucket=r["s3"]["bucket"]["name"], Key=key)["Body"].read()
        s3.put_object(Bucket="out", Key=key + ".upper", Body=body.upper())
'''


def test_a_write_runs_a_function_that_acts_on_the_object(server, s3):
    lam = client("lambda", server)
    lam.create_function(
        FunctionName="upper",
        Runtime="python3.11",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": package({"app.py": (HANDLER, 0o644)})},
    )
    lam.get_waiter("function_active_v2").wait(FunctionName="upper", WaiterConfig={"Delay": 0.1})
    arn = lam.get_function(FunctionName="upper")["Configuration"]["FunctionArn"]
    s3.create_bucket(Bucket="inbox")
    s3.create_bucket(Bucket="out")
    s3.put_bucket_notification_configuration(
        Bucket="inbox",
        NotificationConfiguration={"LambdaFunctionConfigurations": [{"LambdaFunctionArn": arn, "Events": ["s3:ObjectCreated:*"]}]},
    )
    s3.put_object(Bucket="inbox", Key="hello world.txt", Body=b"shout")
    deadline = time.time() + 30
    while True:
        try:
            got = s3.get_object(Bucket="out", Key="hello world.txt.upper")["Body"].read()
            break
        except ClientError:
            assert time.time() < deadline, "the function did not run"
            time.sleep(0.1)
    assert got == b"SHOUT"


def test_a_topic_fans_out_s3_events_to_a_queue(server, s3):
    sns, sqs = client("sns", server), client("sqs", server)
    topic = sns.create_topic(Name="uploads")["TopicArn"]
    url, arn = queue(sqs, "fan")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    s3.create_bucket(Bucket="topical")
    s3.put_bucket_notification_configuration(
        Bucket="topical",
        NotificationConfiguration={"TopicConfigurations": [{"TopicArn": topic, "Events": ["s3:ObjectCreated:Put"]}]},
    )
    s3.put_object(Bucket="topical", Key="k", Body=b"1")
    test_event, created = drain(sqs, url, 2)
    for envelope in (test_event, created):
        assert envelope["Type"] == "Notification"
        assert envelope["TopicArn"] == topic
        assert envelope["Subject"] == "Amazon S3 Notification"
    assert json.loads(test_event["Message"])["Event"] == "s3:TestEvent"
    assert json.loads(created["Message"])["Records"][0]["eventName"] == "ObjectCreated:Put"


def test_events_of_acknowledged_writes_survive_kill_9(tmp_path):
    data = str(tmp_path / "data")
    s = Server("--data-dir", data)
    s3, sqs = client("s3", s), client("sqs", s)
    url, arn = queue(sqs, "after-crash")
    s3.create_bucket(Bucket="crashed")
    s3.put_bucket_notification_configuration(
        Bucket="crashed",
        NotificationConfiguration={"QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}]},
    )
    for i in range(20):
        s3.put_object(Bucket="crashed", Key=f"k{i}", Body=b"x")
    s.proc.kill()
    s.proc.wait()
    s = Server("--data-dir", data)
    try:
        sqs = client("sqs", s)
        keys = set()
        deadline = time.time() + 20
        while len(keys) < 20 and time.time() < deadline:
            for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", []):
                body = json.loads(m["Body"])
                keys.update(r["s3"]["object"]["key"] for r in body.get("Records", []))
                sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        # At least once: every acknowledged PUT's event arrives.
        assert keys == {f"k{i}" for i in range(20)}
    finally:
        s.stop()


CONSUMER = '''
import boto3, json

def handler(event, context):
    s3 = boto3.client("s3")
    failures = []
    for r in event["Records"]:
        if r["body"] == "bad":
            failures.append({"itemIdentifier": r["messageId"]})
            continue
        s3.put_object(Bucket="sink", Key=r["body"], Body=json.dumps(r).encode())
    return {"batchItemFailures": failures}
'''


def test_a_queue_is_drained_by_a_function(scaled_server, s3_scaled):
    lam, sqs = client("lambda", scaled_server), client("sqs", scaled_server)
    s3 = s3_scaled
    s3.create_bucket(Bucket="sink")
    dlq, dlq_arn = queue(sqs, "consumer-dlq")
    url = sqs.create_queue(
        QueueName="jobs",
        Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "2"})},
    )["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    lam.create_function(
        FunctionName="consumer",
        Runtime="python3.11",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": package({"app.py": (CONSUMER, 0o644)})},
    )
    lam.get_waiter("function_active_v2").wait(FunctionName="consumer", WaiterConfig={"Delay": 0.1})
    for i in range(25):
        sqs.send_message(QueueUrl=url, MessageBody=f"job-{i}", MessageAttributes={"n": {"DataType": "Number", "StringValue": str(i)}})
    sqs.send_message(QueueUrl=url, MessageBody="bad")
    m = lam.create_event_source_mapping(
        EventSourceArn=arn, FunctionName="consumer", BatchSize=10, FunctionResponseTypes=["ReportBatchItemFailures"]
    )
    assert m["State"] in ("Creating", "Enabled")
    deadline = time.time() + 30
    while True:
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket="sink").get("Contents", [])]
        if len(keys) == 25:
            break
        assert time.time() < deadline, keys
        time.sleep(0.1)
    record = json.loads(s3.get_object(Bucket="sink", Key="job-3")["Body"].read())
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == arn
    assert record["awsRegion"] == "us-east-1"
    assert record["md5OfBody"] == __import__("hashlib").md5(b"job-3").hexdigest()
    assert record["messageAttributes"]["n"] == {
        "stringValue": "3",
        "stringListValues": [],
        "binaryListValues": [],
        "dataType": "Number",
    }
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    # The failed record is retried, then goes to the dead-letter queue.
    dead = []
    while not dead:
        assert time.time() < deadline + 30, "the failing record never reached the dead-letter queue"
        dead = sqs.receive_message(QueueUrl=dlq, WaitTimeSeconds=20).get("Messages", [])
    assert [m["Body"] for m in dead] == ["bad"]


@pytest.fixture
def scaled_server():
    s = Server("--ephemeral", "--wait-time-scale", "0.01")
    yield s
    s.stop()


@pytest.fixture
def s3_scaled(scaled_server):
    return client("s3", scaled_server)


def test_state_machines_send_to_queues_and_topics(server):
    sfn, sqs, sns = client("stepfunctions", server), client("sqs", server), client("sns", server)
    url, arn = queue(sqs, "from-sfn")
    topic = sns.create_topic(Name="alerts")["TopicArn"]
    url2, arn2 = queue(sqs, "alerts-copy")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn2, Attributes={"RawMessageDelivery": "true"})
    definition = {
        "StartAt": "Send",
        "States": {
            "Send": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage",
                "Parameters": {"QueueUrl": url, "MessageBody": {"order.$": "$.order"}},
                "ResultSelector": {"id.$": "$.MessageId", "md5.$": "$.MD5OfMessageBody"},
                "ResultPath": "$.sent",
                "Next": "Notify",
            },
            "Notify": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sns:publish",
                "Parameters": {"TopicArn": topic, "Message.$": "$.order", "Subject": "done"},
                "ResultSelector": {"id.$": "$.MessageId"},
                "ResultPath": "$.published",
                "End": True,
            },
        },
    }
    sm = sfn.create_state_machine(name="notify", definition=json.dumps(definition), roleArn=ROLE)["stateMachineArn"]
    d = finish(sfn, sm, {"order": "o-1"})
    assert d["status"] == "SUCCEEDED", d
    out = json.loads(d["output"])
    (m,) = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5)["Messages"]
    assert json.loads(m["Body"]) == {"order": "o-1"}
    assert out["sent"]["id"] == m["MessageId"]
    (copy,) = sqs.receive_message(QueueUrl=url2, WaitTimeSeconds=5)["Messages"]
    assert copy["Body"] == "o-1"
    assert out["published"]["id"]


def test_a_task_token_comes_back_through_a_queue(server):
    sfn, sqs = client("stepfunctions", server), client("sqs", server)
    url, _ = queue(sqs, "tokens")
    definition = {
        "StartAt": "Wait",
        "States": {
            "Wait": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"QueueUrl": url, "MessageBody": {"token.$": "$$.Task.Token", "n": 2}},
                "End": True,
            }
        },
    }
    sm = sfn.create_state_machine(name="tok", definition=json.dumps(definition), roleArn=ROLE)["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=sm, input="{}")["executionArn"]
    (m,) = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=10)["Messages"]
    body = json.loads(m["Body"])
    sfn.send_task_success(taskToken=body["token"], output=json.dumps({"doubled": body["n"] * 2}))
    deadline = time.time() + 20
    while (d := sfn.describe_execution(executionArn=execution))["status"] == "RUNNING":
        assert time.time() < deadline
        time.sleep(0.05)
    assert d["status"] == "SUCCEEDED"
    assert json.loads(d["output"]) == {"doubled": 4}


FAILING = '''
def handler(event, context):
    raise ValueError("no " + event["what"])
'''


def test_failed_async_invocations_reach_a_queue_destination(fast):
    lam, sqs = client("lambda", fast), client("sqs", fast)
    url, arn = queue(sqs, "failures")
    lam.create_function(
        FunctionName="fails",
        Runtime="python3.11",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": package({"app.py": (FAILING, 0o644)})},
    )
    lam.get_waiter("function_active_v2").wait(FunctionName="fails", WaiterConfig={"Delay": 0.1})
    lam.put_function_event_invoke_config(
        FunctionName="fails", MaximumRetryAttempts=0, DestinationConfig={"OnFailure": {"Destination": arn}}
    )
    lam.invoke(FunctionName="fails", InvocationType="Event", Payload=json.dumps({"what": "luck"}))
    (record,) = drain(sqs, url, 1, timeout=30)
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 1
    assert record["requestPayload"] == {"what": "luck"}
    assert record["responsePayload"]["errorType"] == "ValueError"
    assert record["responsePayload"]["errorMessage"] == "no luck"


def test_aws_cli_configures_a_bucket_and_reads_its_events(server, tmp_path):
    aws = cli("aws", server, tmp_path, "--endpoint-url", server.endpoint)
    url = json.loads(aws("sqs", "create-queue", "--queue-name", "cli-events").stdout)["QueueUrl"]
    arn = json.loads(aws("sqs", "get-queue-attributes", "--queue-url", url, "--attribute-names", "QueueArn").stdout)[
        "Attributes"
    ]["QueueArn"]
    aws("s3", "mb", "s3://cli-bucket")
    config = {"QueueConfigurations": [{"Id": "cli", "QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}]}
    aws(
        "s3api",
        "put-bucket-notification-configuration",
        "--bucket",
        "cli-bucket",
        "--notification-configuration",
        json.dumps(config),
    )
    got = json.loads(aws("s3api", "get-bucket-notification-configuration", "--bucket", "cli-bucket").stdout)
    assert got["QueueConfigurations"][0]["QueueArn"] == arn
    body = tmp_path / "data.csv"
    body.write_text("a,b\n1,2\n")
    aws("s3", "cp", str(body), "s3://cli-bucket/in/data.csv")
    events = []
    deadline = time.time() + 20
    while len(events) < 2 and time.time() < deadline:
        out = aws("sqs", "receive-message", "--queue-url", url, "--max-number-of-messages", "10").stdout
        for m in json.loads(out or "{}").get("Messages", []):
            events.append(json.loads(m["Body"]))
            aws("sqs", "delete-message", "--queue-url", url, "--receipt-handle", m["ReceiptHandle"])
    assert events[0]["Event"] == "s3:TestEvent"
    (record,) = events[1]["Records"]
    assert (record["eventName"], record["s3"]["object"]["key"], record["s3"]["object"]["size"]) == (
        "ObjectCreated:Put",
        "in/data.csv",
        8,
    )
