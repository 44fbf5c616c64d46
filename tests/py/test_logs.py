"""CloudWatch Logs through boto3 and aws-cli: groups, streams, PutLogEvents,
GetLogEvents with forward and backward tokens, FilterLogEvents with term and
JSON patterns, retention, tags, and `aws logs tail`."""

import json
import time

import pytest
from botocore.exceptions import ClientError

from conftest import client


@pytest.fixture
def logs(server):
    return client("logs", server)


def now_ms():
    return int(time.time() * 1000)


def error_of(call, *args, **kwargs):
    with pytest.raises(ClientError) as e:
        call(*args, **kwargs)
    return e.value.response["Error"]["Code"], e.value.response["Error"]["Message"]


def test_groups_and_streams(logs):
    logs.create_log_group(logGroupName="/app/web", tags={"team": "data"})
    logs.create_log_group(logGroupName="/app/worker")
    assert error_of(logs.create_log_group, logGroupName="/app/web") == (
        "ResourceAlreadyExistsException",
        "The specified log group already exists",
    )
    groups = logs.describe_log_groups(logGroupNamePrefix="/app/")["logGroups"]
    assert [g["logGroupName"] for g in groups] == ["/app/web", "/app/worker"]
    assert groups[0]["arn"].endswith(":log-group:/app/web:*")
    assert groups[0]["logGroupArn"].endswith(":log-group:/app/web")
    first = logs.describe_log_groups(limit=1)
    assert len(first["logGroups"]) == 1 and "nextToken" in first

    for s in ["b", "a"]:
        logs.create_log_stream(logGroupName="/app/web", logStreamName=s)
    streams = logs.describe_log_streams(logGroupName="/app/web")["logStreams"]
    assert [s["logStreamName"] for s in streams] == ["a", "b"]
    assert error_of(logs.describe_log_streams, logGroupName="/nope") == (
        "ResourceNotFoundException",
        "The specified log group does not exist.",
    )
    logs.delete_log_stream(logGroupName="/app/web", logStreamName="b")
    logs.delete_log_group(logGroupName="/app/worker")
    assert [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]] == ["/app/web"]


def test_put_and_get_with_forward_and_backward_tokens(logs):
    logs.create_log_group(logGroupName="g")
    logs.create_log_stream(logGroupName="g", logStreamName="s")
    base = now_ms() - 60_000
    events = [{"timestamp": base + i, "message": f"line {i}"} for i in range(25)]
    put = logs.put_log_events(logGroupName="g", logStreamName="s", logEvents=events)
    assert "nextSequenceToken" in put and "rejectedLogEventsInfo" not in put

    page = logs.get_log_events(logGroupName="g", logStreamName="s", startFromHead=True, limit=10)
    seen = [e["message"] for e in page["events"]]
    token = page["nextForwardToken"]
    while True:
        page = logs.get_log_events(logGroupName="g", logStreamName="s", nextToken=token, limit=10)
        seen += [e["message"] for e in page["events"]]
        if page["nextForwardToken"] == token:
            break
        token = page["nextForwardToken"]
    assert seen == [f"line {i}" for i in range(25)]

    tail = logs.get_log_events(logGroupName="g", logStreamName="s", limit=10)
    assert [e["message"] for e in tail["events"]] == [f"line {i}" for i in range(15, 25)]
    back = logs.get_log_events(logGroupName="g", logStreamName="s", limit=10, nextToken=tail["nextBackwardToken"])
    assert [e["message"] for e in back["events"]] == [f"line {i}" for i in range(5, 15)]

    old = now_ms() - 15 * 86_400_000
    rejected = logs.put_log_events(
        logGroupName="g",
        logStreamName="s",
        logEvents=[{"timestamp": old, "message": "too old"}, {"timestamp": now_ms(), "message": "ok"}],
    )["rejectedLogEventsInfo"]
    assert rejected == {"tooOldLogEventEndIndex": 1}


def test_filter_with_term_and_json_patterns(logs):
    logs.create_log_group(logGroupName="app")
    base = now_ms() - 60_000
    for stream, lines in {
        "web": ["[INFO] started", json.dumps({"level": "ERROR", "latency": 900})],
        "worker": ["[ERROR] Caught IllegalArgumentException", json.dumps({"level": "INFO", "latency": 3})],
    }.items():
        logs.create_log_stream(logGroupName="app", logStreamName=stream)
        logs.put_log_events(
            logGroupName="app",
            logStreamName=stream,
            logEvents=[{"timestamp": base + i, "message": m} for i, m in enumerate(lines)],
        )
    found = logs.filter_log_events(logGroupName="app", filterPattern="ERROR")["events"]
    assert sorted(e["message"] for e in found) == sorted(
        ["[ERROR] Caught IllegalArgumentException", json.dumps({"level": "ERROR", "latency": 900})]
    )
    found = logs.filter_log_events(logGroupName="app", filterPattern='{ $.level = "ERROR" && $.latency > 100 }')
    assert [(e["logStreamName"], json.loads(e["message"])["latency"]) for e in found["events"]] == [("web", 900)]
    assert all(len(e["eventId"]) == 56 for e in found["events"])
    found = logs.filter_log_events(logGroupName="app", logStreamNames=["worker"])["events"]
    assert [e["logStreamName"] for e in found] == ["worker", "worker"]
    assert error_of(logs.filter_log_events, logGroupName="app", filterPattern="{ $.level = ") == (
        "InvalidParameterException",
        "If a filter pattern starts with '{' it must end with '}'",
    )
    paginator = logs.get_paginator("filter_log_events")
    pages = list(paginator.paginate(logGroupName="app", PaginationConfig={"PageSize": 1}))
    assert sum(len(p["events"]) for p in pages) == 4


def test_retention(logs):
    logs.create_log_group(logGroupName="r")
    logs.put_retention_policy(logGroupName="r", retentionInDays=7)
    assert logs.describe_log_groups(logGroupNamePrefix="r")["logGroups"][0]["retentionInDays"] == 7
    code, message = error_of(logs.put_retention_policy, logGroupName="r", retentionInDays=2)
    assert code == "InvalidParameterException"
    assert message.startswith("1 validation error detected: Value '2' at 'retentionInDays'")
    logs.create_log_stream(logGroupName="r", logStreamName="s")
    eight_days = now_ms() - 8 * 86_400_000
    put = logs.put_log_events(
        logGroupName="r",
        logStreamName="s",
        logEvents=[{"timestamp": eight_days, "message": "expired"}, {"timestamp": now_ms(), "message": "kept"}],
    )
    assert put["rejectedLogEventsInfo"] == {"expiredLogEventEndIndex": 1}
    logs.delete_retention_policy(logGroupName="r")
    assert "retentionInDays" not in logs.describe_log_groups(logGroupNamePrefix="r")["logGroups"][0]


def test_tags(logs):
    logs.create_log_group(logGroupName="t", tags={"a": "1"})
    arn = logs.describe_log_groups(logGroupNamePrefix="t")["logGroups"][0]["logGroupArn"]
    logs.tag_resource(resourceArn=arn, tags={"b": "2"})
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"a": "1", "b": "2"}
    logs.untag_resource(resourceArn=arn, tagKeys=["a"])
    logs.tag_log_group(logGroupName="t", tags={"c": "3"})
    assert logs.list_tags_log_group(logGroupName="t")["tags"] == {"b": "2", "c": "3"}
    logs.untag_log_group(logGroupName="t", tags=["b", "c"])
    assert logs.list_tags_log_group(logGroupName="t")["tags"] == {}


def test_aws_logs_tail_prints_the_events(logs, aws2):
    logs.create_log_group(logGroupName="/aws/lambda/fn")
    logs.create_log_stream(logGroupName="/aws/lambda/fn", logStreamName="2026/01/01/[$LATEST]abc")
    base = now_ms() - 60_000
    logs.put_log_events(
        logGroupName="/aws/lambda/fn",
        logStreamName="2026/01/01/[$LATEST]abc",
        logEvents=[{"timestamp": base, "message": "START RequestId: 1"}, {"timestamp": base + 1, "message": "hello"}],
    )
    out = aws2("logs", "tail", "/aws/lambda/fn", "--color", "off").stdout.splitlines()
    assert [line.split(" ", 2)[1:] for line in out] == [
        ["2026/01/01/[$LATEST]abc", "START RequestId: 1"],
        ["2026/01/01/[$LATEST]abc", "hello"],
    ]
    out = aws2("logs", "tail", "/aws/lambda/fn", "--format", "short", "--filter-pattern", "hello").stdout
    assert out.rstrip().endswith(" hello") and "START" not in out
    p = aws2("logs", "tail", "/aws/lambda/nope", check=False)
    assert p.returncode != 0 and "ResourceNotFoundException" in p.stderr


def test_aws_logs_tail_follow_prints_new_events(logs, server, tmp_path):
    """`aws logs tail --follow` (CLI v2) polls FilterLogEvents and prints what arrives."""
    import os
    import subprocess
    import threading

    from conftest import AWS2

    if not os.path.exists(AWS2):
        pytest.skip("AWS CLI v2 is not installed at /usr/bin/aws (Debian's awscli package)")
    logs.create_log_group(logGroupName="/app/follow")
    logs.create_log_stream(logGroupName="/app/follow", logStreamName="s")
    logs.put_log_events(logGroupName="/app/follow", logStreamName="s", logEvents=[{"timestamp": now_ms(), "message": "first"}])
    env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION="us-east-1",
               AWS_CONFIG_FILE=str(tmp_path / "c"), AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "k"))
    p = subprocess.Popen(
        [AWS2, "--endpoint-url", server.endpoint, "logs", "tail", "/app/follow", "--follow", "--format", "short"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    lines = []
    reader = threading.Thread(target=lambda: lines.extend(iter(p.stdout.readline, "")), daemon=True)
    reader.start()
    try:
        deadline = time.time() + 30
        while not any(l.rstrip().endswith(" first") for l in lines):
            assert time.time() < deadline, lines
            time.sleep(0.1)
        logs.put_log_events(logGroupName="/app/follow", logStreamName="s", logEvents=[{"timestamp": now_ms(), "message": "second"}])
        while not any(l.rstrip().endswith(" second") for l in lines):
            assert time.time() < deadline, lines
            time.sleep(0.1)
    finally:
        p.kill()
        p.wait()
