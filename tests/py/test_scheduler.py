"""EventBridge Scheduler through boto3: one-time schedules in a time zone,
templated and universal targets, and completion, all fired by advancing the
server's clock instead of waiting."""

import json

import pytest
from botocore.exceptions import ClientError

from conftest import Server, client
from test_eventbridge import clock
from test_s3_notifications import drain, queue

ACCOUNT = "000000000000"
ROLE = "arn:aws:iam::000000000000:role/scheduler"


@pytest.fixture
def at_noon():
    s = Server("--ephemeral", "--clock-start", "2026-12-07T12:00:00Z")
    yield s
    s.stop()


def test_one_time_schedule_in_paris_fires_at_its_local_time(at_noon):
    scheduler, sqs = client("scheduler", at_noon), client("sqs", at_noon)
    url, arn = queue(sqs, "fired")
    made = scheduler.create_schedule(
        Name="morning",
        ScheduleExpression="at(2026-12-08T09:00:00)",
        ScheduleExpressionTimezone="Europe/Paris",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={"Arn": arn, "RoleArn": ROLE, "Input": '{"run": "morning"}'},
        ActionAfterCompletion="DELETE",
    )
    assert made["ScheduleArn"] == f"arn:aws:scheduler:us-east-1:{ACCOUNT}:schedule/default/morning"
    got = scheduler.get_schedule(Name="morning")
    assert (got["State"], got["GroupName"], got["ScheduleExpressionTimezone"]) == ("ENABLED", "default", "Europe/Paris")
    # 09:00 in Paris is 08:00 UTC in winter: a minute before, nothing.
    clock(at_noon, to="2026-12-08T07:59:00Z")
    assert sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0).get("Messages") is None
    clock(at_noon, to="2026-12-08T08:00:00Z")
    assert drain(sqs, url, 1) == [{"run": "morning"}]
    with pytest.raises(ClientError) as e:
        for _ in range(200):
            scheduler.get_schedule(Name="morning")
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_universal_target_and_groups(at_noon):
    scheduler, sqs = client("scheduler", at_noon), client("sqs", at_noon)
    url, _ = queue(sqs, "universal")
    scheduler.create_schedule_group(Name="pipelines")
    scheduler.create_schedule(
        Name="nightly",
        GroupName="pipelines",
        ScheduleExpression="cron(0 2 * * ? *)",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={
            "Arn": "arn:aws:scheduler:::aws-sdk:sqs:sendMessage",
            "RoleArn": ROLE,
            "Input": json.dumps({"QueueUrl": url, "MessageBody": "nightly run"}),
        },
    )
    names = [s["Name"] for s in scheduler.list_schedules(GroupName="pipelines")["Schedules"]]
    assert names == ["nightly"]
    clock(at_noon, to="2026-12-08T02:00:00Z")
    msgs = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5)["Messages"]
    assert [m["Body"] for m in msgs] == ["nightly run"]
    with pytest.raises(ClientError) as e:
        scheduler.create_schedule(
            Name="bad", ScheduleExpression="rate(5 parsecs)", FlexibleTimeWindow={"Mode": "OFF"},
            Target={"Arn": "arn:aws:sqs:us-east-1:000000000000:q", "RoleArn": ROLE},
        )
    assert e.value.response["Error"]["Code"] == "ValidationException"
    scheduler.delete_schedule_group(Name="pipelines")
    with pytest.raises(ClientError):
        scheduler.get_schedule(Name="nightly", GroupName="pipelines")
