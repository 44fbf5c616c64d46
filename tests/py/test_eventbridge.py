"""EventBridge through boto3 and aws-cli: rules matching events put by
callers and by lakestack's own services (S3 with EventBridge enabled, Glue
crawlers, Athena queries, Step Functions executions), targets receiving them
as they are or transformed, schedules fired by advancing the server's clock,
retries to a dead-letter queue, and acknowledged events delivered after
`kill -9`."""

import json
import os
import signal
import time
import urllib.request

import pytest
from botocore.exceptions import ClientError

from conftest import Server, cli, client, finish
from test_s3_notifications import drain, queue
from test_stepfunctions import ROLE, machine

ACCOUNT = "000000000000"


def rule_to_queue(events, sqs, name, pattern, **target):
    url, arn = queue(sqs, f"{name}-q")
    events.put_rule(Name=name, EventPattern=json.dumps(pattern))
    put = events.put_targets(Rule=name, Targets=[{"Id": "q", "Arn": arn, **target}])
    assert put["FailedEntryCount"] == 0, put
    return url


def clock(server, **body):
    req = urllib.request.Request(
        f"{server.endpoint}/_lakestack/clock",
        data=json.dumps(body).encode() if body else None,
        method="POST" if body else "GET",
    )
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read())


def test_put_events_reach_a_queue_in_aws_envelope(server):
    events, sqs = client("events", server), client("sqs", server)
    url = rule_to_queue(events, sqs, "orders", {"source": ["shop"], "detail": {"total": [{"numeric": [">=", 100]}]}})
    put = events.put_events(
        Entries=[
            {"Source": "shop", "DetailType": "Order Placed", "Detail": json.dumps({"total": 5}), "Resources": ["arn:aws:shop:o-1"]},
            {"Source": "shop", "DetailType": "Order Placed", "Detail": json.dumps({"total": 250, "id": "o-2"})},
            {"DetailType": "Order Placed", "Detail": "{}"},
        ]
    )
    assert put["FailedEntryCount"] == 1
    assert put["Entries"][2] == {
        "ErrorCode": "InvalidArgument",
        "ErrorMessage": "Parameter Source is not valid. Reason: Source is a required argument.",
    }
    (event,) = drain(sqs, url, 1)
    assert list(event) == ["version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"]
    assert event["id"] == put["Entries"][1]["EventId"]
    assert {k: event[k] for k in ["version", "detail-type", "source", "account", "region", "resources", "detail"]} == {
        "version": "0",
        "detail-type": "Order Placed",
        "source": "shop",
        "account": ACCOUNT,
        "region": "us-east-1",
        "resources": [],
        "detail": {"total": 250, "id": "o-2"},
    }
    assert time.strptime(event["time"], "%Y-%m-%dT%H:%M:%SZ")


def test_input_transformer_output_is_exact(server):
    events, sqs = client("events", server), client("sqs", server)
    transformer = {
        "InputPathsMap": {"instance": "$.detail.instance-id", "state": "$.detail.state", "gone": "$.detail.nothing"},
        "InputTemplate": '{"instance": <instance>, "state": [9, <state>, true], "text": "instance \\"<instance>\\" is <state>", "gone": <gone>, "rule": "<aws.events.rule-name>"}',
    }
    url = rule_to_queue(events, sqs, "ec2", {"source": ["ec2.test"]}, InputTransformer=transformer)
    plain = rule_to_queue(
        events,
        sqs,
        "ec2-text",
        {"source": ["ec2.test"]},
        InputTransformer={"InputPathsMap": {"i": "$.detail.instance-id"}, "InputTemplate": '"instance <i> changed"'},
    )
    events.put_events(
        Entries=[{"Source": "ec2.test", "DetailType": "EC2 Instance State-change Notification", "Detail": json.dumps({"instance-id": "i-0123456789", "state": "RUNNING"})}]
    )
    body = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5)["Messages"][0]["Body"]
    assert body == '{"instance": "i-0123456789", "state": [9, "RUNNING", true], "text": "instance \\"i-0123456789\\" is RUNNING", "gone": "", "rule": "ec2"}'
    body = sqs.receive_message(QueueUrl=plain, WaitTimeSeconds=5)["Messages"][0]["Body"]
    assert body == '"instance i-0123456789 changed"'
    targets = events.list_targets_by_rule(Rule="ec2")["Targets"]
    assert targets[0]["InputTransformer"] == transformer
    with pytest.raises(ClientError) as e:
        events.put_targets(Rule="ec2", Targets=[{"Id": "x", "Arn": "arn:aws:sqs:us-east-1:000000000000:x", "InputTransformer": {"InputTemplate": '"<who>"'}}])
    assert e.value.response["Error"] == {"Code": "ValidationException", "Message": "InputTemplate for target x contains invalid placeholder who."}


def test_s3_with_eventbridge_enabled_sends_object_events(server, s3):
    events, sqs = client("events", server), client("sqs", server)
    url = rule_to_queue(
        events,
        sqs,
        "landing",
        {"source": ["aws.s3"], "detail-type": ["Object Created", "Object Deleted"], "detail": {"bucket": {"name": ["lake"]}, "object": {"key": [{"prefix": "raw/"}]}}},
    )
    s3.create_bucket(Bucket="lake")
    s3.put_bucket_notification_configuration(Bucket="lake", NotificationConfiguration={"EventBridgeConfiguration": {}})
    assert "EventBridgeConfiguration" in s3.get_bucket_notification_configuration(Bucket="lake")
    put = s3.put_object(Bucket="lake", Key="raw/a b.csv", Body=b"hello")
    s3.put_object(Bucket="lake", Key="other/x.csv", Body=b"x")
    s3.delete_object(Bucket="lake", Key="raw/a b.csv")
    created, deleted = drain(sqs, url, 2)
    assert created["detail-type"] == "Object Created"
    assert created["source"] == "aws.s3"
    assert created["resources"] == ["arn:aws:s3:::lake"]
    detail = created["detail"]
    sequencer = detail["object"].pop("sequencer")
    assert len(sequencer) == 16
    request_id = detail.pop("request-id")
    assert request_id
    assert detail == {
        "version": "0",
        "bucket": {"name": "lake"},
        "object": {"key": "raw/a b.csv", "size": 5, "etag": put["ETag"].strip('"')},
        "requester": ACCOUNT,
        "source-ip-address": "127.0.0.1",
        "reason": "PutObject",
    }
    assert deleted["detail-type"] == "Object Deleted"
    assert deleted["detail"]["reason"] == "DeleteObject"
    assert deleted["detail"]["deletion-type"] == "Permanently Deleted"
    assert "size" not in deleted["detail"]["object"]


def test_upload_starts_a_pipeline_that_crawls_and_queries():
    s = Server("--ephemeral", "--wait-time-scale", "0")
    try:
        s3, glue, sfn, events = (client(n, s) for n in ["s3", "glue", "stepfunctions", "events"])
        s3.create_bucket(Bucket="lake")
        s3.put_bucket_notification_configuration(Bucket="lake", NotificationConfiguration={"EventBridgeConfiguration": {}})
        glue.create_database(DatabaseInput={"Name": "lake"})
        glue.create_crawler(Name="raw", Role=ROLE, DatabaseName="lake", Targets={"S3Targets": [{"Path": "s3://lake/raw/events/"}]})
        definition = {
            "StartAt": "Crawl",
            "States": {
                "Crawl": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:glue:startCrawler", "Parameters": {"Name": "raw"}, "ResultPath": None, "Next": "Poll"},
                "Poll": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:glue:getCrawler", "Parameters": {"Name": "raw"}, "ResultSelector": {"state.$": "$.Crawler.State"}, "ResultPath": "$.crawler", "Next": "Ready?"},
                "Ready?": {"Type": "Choice", "Choices": [{"Variable": "$.crawler.state", "StringEquals": "READY", "Next": "Count"}], "Default": "Later"},
                "Later": {"Type": "Wait", "Seconds": 30, "Next": "Poll"},
                "Count": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::athena:startQueryExecution.sync",
                    "Parameters": {"QueryString": "SELECT count(*) AS n FROM lake.events", "ResultConfiguration": {"OutputLocation": "s3://lake/athena/"}},
                    "ResultSelector": {"id.$": "$.QueryExecution.QueryExecutionId"},
                    "Next": "Rows",
                },
                "Rows": {"Type": "Task", "Resource": "arn:aws:states:::athena:getQueryResults", "Parameters": {"QueryExecutionId.$": "$.id"}, "ResultSelector": {"rows.$": "$.ResultSet.Rows[*].Data[*].VarCharValue"}, "OutputPath": "$.rows", "End": True},
            },
        }
        pipeline = machine(sfn, "on-upload", definition)
        events.put_rule(Name="uploads", EventPattern=json.dumps({"source": ["aws.s3"], "detail-type": ["Object Created"], "detail": {"object": {"key": [{"suffix": ".json"}]}}}))
        events.put_targets(Rule="uploads", Targets=[{"Id": "pipeline", "Arn": pipeline, "RoleArn": ROLE, "InputPath": "$.detail"}])
        s3.put_object(Bucket="lake", Key="raw/events/dt=2024-01-01/part-0.json", Body=b'{"who": "a"}\n{"who": "b"}\n')
        deadline = time.time() + 60
        while not (runs := sfn.list_executions(stateMachineArn=pipeline)["executions"]) or runs[0]["status"] == "RUNNING":
            assert time.time() < deadline, runs
            time.sleep(0.05)
        d = sfn.describe_execution(executionArn=runs[0]["executionArn"])
        assert d["status"] == "SUCCEEDED", (d.get("error"), d.get("cause"))
        assert json.loads(d["input"])["object"]["key"] == "raw/events/dt=2024-01-01/part-0.json"
        assert json.loads(d["output"]) == ["n", "2"]
    finally:
        s.stop()


def test_nightly_schedule_fires_when_the_clock_is_advanced():
    s = Server("--ephemeral", "--clock-start", "2026-12-07T13:00:00Z")
    try:
        events, sqs = client("events", s), client("sqs", s)
        url, arn = queue(sqs, "nightly")
        rule_arn = events.put_rule(Name="nightly", ScheduleExpression="cron(0 2 * * ? *)")["RuleArn"]
        events.put_targets(Rule="nightly", Targets=[{"Id": "q", "Arn": arn, "Input": '{"run": "nightly"}'}])
        events.put_rule(Name="hourly", ScheduleExpression="rate(1 hour)")
        events.put_targets(Rule="hourly", Targets=[{"Id": "q", "Arn": arn}])
        now = clock(s)
        assert now["now"].startswith("2026-12-07T13:00")
        assert sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0).get("Messages") is None
        after = clock(s, to="2026-12-08T02:00:30Z")
        assert after["now"].startswith("2026-12-08T02:00:30")
        got = drain(sqs, url, 2)
        scheduled = next(m for m in got if "detail-type" in m)
        assert next(m for m in got if "run" in m) == {"run": "nightly"}
        assert scheduled["detail-type"] == "Scheduled Event"
        assert scheduled["source"] == "aws.events"
        assert scheduled["detail"] == {}
        assert scheduled["resources"] == [rule_arn.replace("nightly", "hourly")]
        with pytest.raises(ClientError) as e:
            events.put_rule(Name="bad", ScheduleExpression="rate(1 minutes)")
        assert e.value.response["Error"]["Message"] == "Parameter ScheduleExpression is not valid."
    finally:
        s.stop()


def test_failed_deliveries_go_to_the_dead_letter_queue(server):
    events, sqs = client("events", server), client("sqs", server)
    dlq_url, dlq = queue(sqs, "dlq")
    events.put_rule(Name="r", EventPattern=json.dumps({"source": ["shop"]}))
    events.put_targets(Rule="r", Targets=[{"Id": "missing", "Arn": "arn:aws:sqs:us-east-1:000000000000:missing", "DeadLetterConfig": {"Arn": dlq}}])
    events.put_events(Entries=[{"Source": "shop", "DetailType": "x", "Detail": "{}"}])
    msgs = sqs.receive_message(QueueUrl=dlq_url, WaitTimeSeconds=5, MessageAttributeNames=["All"])["Messages"]
    attrs = {k: v["StringValue"] for k, v in msgs[0]["MessageAttributes"].items()}
    assert attrs.pop("ERROR_MESSAGE")
    assert attrs == {
        "RULE_ARN": f"arn:aws:events:us-east-1:{ACCOUNT}:rule/r",
        "TARGET_ARN": "arn:aws:sqs:us-east-1:000000000000:missing",
        "ERROR_CODE": "NO_RESOURCE",
        "RETRY_ATTEMPTS": "0",
    }
    assert json.loads(msgs[0]["Body"])["source"] == "shop"


def test_custom_bus_forwarding_and_cli(server, tmp_path):
    events, sqs = client("events", server), client("sqs", server)
    bus_arn = events.create_event_bus(Name="orders")["EventBusArn"]
    assert bus_arn == f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/orders"
    url, arn = queue(sqs, "orders-q")
    events.put_rule(Name="on-orders", EventBusName="orders", EventPattern=json.dumps({"source": ["shop"]}))
    events.put_targets(Rule="on-orders", EventBusName="orders", Targets=[{"Id": "q", "Arn": arn}])
    events.put_rule(Name="forward", EventPattern=json.dumps({"source": ["shop"]}))
    events.put_targets(Rule="forward", Targets=[{"Id": "bus", "Arn": bus_arn}])
    aws = cli("aws", server, tmp_path)
    out = json.loads(aws("events", "put-events", "--entries", json.dumps([{"Source": "shop", "DetailType": "t", "Detail": '{"n": 1}'}])).stdout)
    assert out["FailedEntryCount"] == 0
    (event,) = drain(sqs, url, 1)
    assert event["detail"] == {"n": 1} and event["id"] == out["Entries"][0]["EventId"]
    rules = json.loads(aws("events", "list-rules", "--event-bus-name", "orders").stdout)["Rules"]
    assert [r["Arn"] for r in rules] == [f"arn:aws:events:us-east-1:{ACCOUNT}:rule/orders/on-orders"]
    assert events.test_event_pattern(
        EventPattern=json.dumps({"detail": {"n": [{"numeric": [">", 0]}]}}),
        Event=json.dumps({"id": "1", "account": ACCOUNT, "source": "s", "time": "2026-01-01T00:00:00Z", "region": "us-east-1", "detail-type": "t", "detail": {"n": 2}}),
    )["Result"] is True


def test_acknowledged_events_survive_kill(tmp_path):
    data = tmp_path / "data"
    s = Server("--data-dir", str(data))
    events, sqs = client("events", s), client("sqs", s)
    url, arn = queue(sqs, "durable")
    events.put_rule(Name="r", EventPattern=json.dumps({"source": ["shop"]}))
    events.put_targets(Rule="r", Targets=[{"Id": "q", "Arn": arn}])
    ids = set()
    for i in range(0, 50, 10):
        put = events.put_events(Entries=[{"Source": "shop", "DetailType": "t", "Detail": json.dumps({"i": j})} for j in range(i, i + 10)])
        ids |= {e["EventId"] for e in put["Entries"]}
    os.kill(s.proc.pid, signal.SIGKILL)
    s.proc.wait()
    s = Server("--data-dir", str(data))
    try:
        sqs = client("sqs", s)
        seen = set()
        deadline = time.time() + 20
        while not ids <= seen and time.time() < deadline:
            for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", []):
                seen.add(json.loads(m["Body"])["id"])
                sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        assert ids <= seen, f"{len(ids - seen)} acknowledged events lost"
    finally:
        s.stop()


def test_service_events_carry_aws_detail_fields(server, s3):
    events, sqs, glue, athena, sfn = (client(n, server) for n in ["events", "sqs", "glue", "athena", "stepfunctions"])
    url = rule_to_queue(events, sqs, "services", {"source": ["aws.glue", "aws.athena", "aws.states"]})
    s3.create_bucket(Bucket="lake")
    s3.put_object(Bucket="lake", Key="raw/t/a.json", Body=b'{"x": 1}\n')
    glue.create_database(DatabaseInput={"Name": "svc"})
    glue.create_crawler(Name="svc", Role=ROLE, DatabaseName="svc", Targets={"S3Targets": [{"Path": "s3://lake/raw/"}]})
    glue.start_crawler(Name="svc")
    deadline = time.time() + 30
    while glue.get_crawler(Name="svc")["Crawler"]["State"] != "READY":
        assert time.time() < deadline
        time.sleep(0.05)
    qid = athena.start_query_execution(QueryString="SELECT 1", ResultConfiguration={"OutputLocation": "s3://lake/athena/"})["QueryExecutionId"]
    arn = machine(sfn, "ok", {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": "done", "End": True}}})
    d = finish(sfn, arn, {"a": 1})
    got = drain(sqs, url, 10)
    by_type = {}
    for e in got:
        by_type.setdefault(e["detail-type"], []).append(e)
    crawler = {e["detail"]["state"]: e["detail"] for e in by_type["Glue Crawler State Change"]}
    assert set(crawler) == {"Started", "Succeeded"}
    assert set(crawler["Started"]) == {"accountId", "crawlerName", "startTime", "state", "message"}
    ok = crawler["Succeeded"]
    tables = [t["Name"] for t in glue.get_tables(DatabaseName="svc")["TableList"]]
    partitions = sum(len(glue.get_partitions(DatabaseName="svc", TableName=t)["Partitions"]) for t in tables)
    assert (ok["crawlerName"], ok["message"], ok["tablesCreated"], ok["partitionsCreated"]) == (
        "svc", "Crawler Succeeded", str(len(tables)), str(partitions),
    )
    assert set(ok) == {
        "tablesCreated", "warningMessage", "partitionsUpdated", "tablesUpdated", "message", "partitionsDeleted",
        "accountId", "runningTime (sec)", "tablesDeleted", "crawlerName", "completionDate", "state",
        "partitionsCreated", "cloudWatchLogLink",
    }
    (db_change,) = [e for e in by_type["Glue Data Catalog Database State Change"] if e["detail"]["typeOfChange"] == "CreateTable"]
    assert db_change["detail"] == {"databaseName": "svc", "typeOfChange": "CreateTable", "changedTables": tables}
    athena_events = sorted(by_type["Athena Query State Change"], key=lambda e: int(e["detail"]["sequenceNumber"]))
    assert [(e["detail"].get("previousState"), e["detail"]["currentState"]) for e in athena_events] == [
        (None, "QUEUED"), ("QUEUED", "RUNNING"), ("RUNNING", "SUCCEEDED"),
    ]
    assert athena_events[-1]["detail"] == {
        "versionId": "0", "currentState": "SUCCEEDED", "previousState": "RUNNING", "statementType": "DML",
        "queryExecutionId": qid, "workgroupName": "primary", "sequenceNumber": "3",
    }
    states = {e["detail"]["status"]: e for e in by_type["Step Functions Execution Status Change"]}
    assert set(states) == {"RUNNING", "SUCCEEDED"}
    done = states["SUCCEEDED"]
    assert done["resources"] == [d["executionArn"]]
    detail = done["detail"]
    assert (detail["executionArn"], detail["stateMachineArn"], detail["input"], detail["output"]) == (
        d["executionArn"], arn, '{"a": 1}', '"done"',
    )
    assert detail["inputDetails"] == {"included": True} and detail["outputDetails"] == {"included": True}
    assert isinstance(detail["startDate"], int) and isinstance(detail["stopDate"], int)
    assert states["RUNNING"]["detail"]["stopDate"] is None
