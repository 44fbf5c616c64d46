"""Step Functions through boto3: definitions validated as AWS words it,
executions that really run (exact outputs and history event sequences),
waits made instant by --wait-time-scale 0, task tokens and activities, and
the pipeline the stack exists for: crawl a prefix, poll the crawler, CTAS
with athena:startQueryExecution.sync, query the new table."""

import json
import threading
import time

import boto3
import pytest
from botocore.config import Config

from conftest import client, finish

ROLE = "arn:aws:iam::000000000000:role/sf"


@pytest.fixture
def sfn(fast):
    return client("stepfunctions", fast)


def machine(sfn, name, definition, kind="STANDARD"):
    return sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE, type=kind)[
        "stateMachineArn"
    ]


def sync_client(server):
    """A client for the operations AWS serves on `sync-<host>` (StartSyncExecution,
    TestState): a local endpoint has no such name, so the prefix must not be added."""
    return boto3.client(
        "stepfunctions",
        endpoint_url=server.endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(inject_host_prefix=False, retries={"max_attempts": 1}),
    )


def kinds(sfn, execution):
    events = sfn.get_execution_history(executionArn=execution, maxResults=1000)["events"]
    return [e["type"] for e in events]


def test_definition_errors_and_lifecycle(sfn):
    with pytest.raises(sfn.exceptions.InvalidDefinition) as e:
        machine(sfn, "bad", {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}})
    assert e.value.response["Error"]["Message"] == (
        "Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: B at /States/A/Next, "
        "MISSING_END_STATE: Workflow has no terminal state at null'"
    )
    v = sfn.validate_state_machine_definition(definition='{"StartAt": "A"}')
    assert v["result"] == "FAIL"
    assert v["diagnostics"][0]["code"] == "SCHEMA_VALIDATION_FAILED"

    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    arn = machine(sfn, "ok", definition)
    assert arn == "arn:aws:states:us-east-1:000000000000:stateMachine:ok"
    assert machine(sfn, "ok", definition) == arn
    with pytest.raises(sfn.exceptions.StateMachineAlreadyExists):
        machine(sfn, "ok", {"StartAt": "Q", "States": {"Q": {"Type": "Succeed"}}})
    d = sfn.describe_state_machine(stateMachineArn=arn)
    assert json.loads(d["definition"]) == definition and d["type"] == "STANDARD" and d["status"] == "ACTIVE"
    assert [m["name"] for m in sfn.list_state_machines()["stateMachines"]] == ["ok"]

    first = finish(sfn, arn, {"a": 1}, name="run-1")
    assert first["status"] == "SUCCEEDED" and json.loads(first["output"]) == {"a": 1}
    with pytest.raises(sfn.exceptions.ExecutionAlreadyExists):
        sfn.start_execution(stateMachineArn=arn, name="run-1", input="{}")
    with pytest.raises(sfn.exceptions.InvalidExecutionInput):
        sfn.start_execution(stateMachineArn=arn, input="{not json")
    listed = sfn.list_executions(stateMachineArn=arn, statusFilter="SUCCEEDED")["executions"]
    assert [x["name"] for x in listed] == ["run-1"]
    with pytest.raises(sfn.exceptions.ExecutionDoesNotExist):
        sfn.describe_execution(executionArn=arn.replace("stateMachine", "execution") + ":nope")
    sfn.delete_state_machine(stateMachineArn=arn)
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist):
        sfn.describe_state_machine(stateMachineArn=arn)


def test_flow_history_and_instant_waits(sfn):
    arn = machine(
        sfn,
        "flow",
        {
            "StartAt": "Shape",
            "States": {
                "Shape": {
                    "Type": "Pass",
                    "Parameters": {"n.$": "States.ArrayLength($.xs)", "id.$": "$$.Execution.Name"},
                    "ResultPath": "$.s",
                    "Next": "Long",
                },
                "Long": {"Type": "Wait", "Seconds": 600, "Next": "Check"},
                "Check": {
                    "Type": "Choice",
                    "Choices": [{"Variable": "$.s.n", "NumericEquals": 3, "Next": "Sum"}],
                    "Default": "Nope",
                },
                "Sum": {
                    "Type": "Map",
                    "ItemsPath": "$.xs",
                    "ItemProcessor": {"StartAt": "Double", "States": {"Double": {"Type": "Pass", "Parameters": {"v.$": "States.MathAdd($, $)"}, "OutputPath": "$.v", "End": True}}},
                    "ResultPath": "$.doubled",
                    "OutputPath": "$.doubled",
                    "End": True,
                },
                "Nope": {"Type": "Fail", "Error": "Bad", "Cause": "not three"},
            },
        },
    )
    started = time.time()
    d = finish(sfn, arn, {"xs": [1, 2, 3]}, name="e1")
    assert time.time() - started < 5
    assert d["status"] == "SUCCEEDED" and json.loads(d["output"]) == [2, 4, 6]
    k = kinds(sfn, d["executionArn"])
    assert k[:9] == [
        "ExecutionStarted", "PassStateEntered", "PassStateExited", "WaitStateEntered", "WaitStateExited",
        "ChoiceStateEntered", "ChoiceStateExited", "MapStateEntered", "MapStateStarted",
    ]
    assert k[-3:] == ["MapStateSucceeded", "MapStateExited", "ExecutionSucceeded"]
    assert k.count("MapIterationStarted") == 3 and k.count("PassStateEntered") == 4
    h = sfn.get_execution_history(executionArn=d["executionArn"], maxResults=2, reverseOrder=True)
    assert [e["type"] for e in h["events"]] == ["ExecutionSucceeded", "MapStateExited"] and "nextToken" in h
    first = sfn.get_execution_history(executionArn=d["executionArn"], maxResults=1)["events"][0]
    assert first["id"] == 1 and first["previousEventId"] == 0
    assert json.loads(first["executionStartedEventDetails"]["input"]) == {"xs": [1, 2, 3]}

    d = finish(sfn, arn, {"xs": [1]})
    assert (d["status"], d["error"], d["cause"]) == ("FAILED", "Bad", "not three")
    assert kinds(sfn, d["executionArn"])[-2:] == ["FailStateEntered", "ExecutionFailed"]


def test_express_sync_execution(fast, sfn):
    # StartSyncExecution goes to the `sync-` host prefix; a local endpoint
    # has no such name, so the client must not add it.
    sync = sync_client(fast)
    arn = machine(sfn, "quick", {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"ok": True}, "End": True}}}, kind="EXPRESS")
    r = sync.start_sync_execution(stateMachineArn=arn, input="{}")
    assert r["status"] == "SUCCEEDED" and json.loads(r["output"]) == {"ok": True}
    standard = machine(sfn, "slow", {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    with pytest.raises(sfn.exceptions.StateMachineTypeNotSupported):
        sync.start_sync_execution(stateMachineArn=standard, input="{}")


def test_activity_and_task_token(fast, sfn):
    s3 = client("s3", fast)
    s3.create_bucket(Bucket="tokens")
    activity = sfn.create_activity(name="work")["activityArn"]
    arn = machine(
        sfn,
        "workers",
        {
            "StartAt": "Work",
            "States": {
                "Work": {"Type": "Task", "Resource": activity, "ResultPath": "$.worked", "Next": "Callback"},
                "Callback": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::aws-sdk:s3:putObject.waitForTaskToken",
                    "Parameters": {"Bucket": "tokens", "Key": "t", "Body.$": "$$.Task.Token"},
                    "ResultPath": "$.called",
                    "End": True,
                },
            },
        },
    )

    def worker():
        t = sfn.get_activity_task(activityArn=activity, workerName="w1")
        sfn.send_task_success(taskToken=t["taskToken"], output=json.dumps({"in": json.loads(t["input"])}))
        for _ in range(500):
            try:
                token = s3.get_object(Bucket="tokens", Key="t")["Body"].read().decode()
                break
            except s3.exceptions.NoSuchKey:
                time.sleep(0.01)
        sfn.send_task_heartbeat(taskToken=token)
        sfn.send_task_success(taskToken=token, output='{"back": 1}')

    th = threading.Thread(target=worker)
    th.start()
    d = finish(sfn, arn, {"job": 7})
    th.join()
    assert d["status"] == "SUCCEEDED", (d.get("error"), d.get("cause"))
    assert json.loads(d["output"]) == {"job": 7, "worked": {"in": {"job": 7}}, "called": {"back": 1}}
    k = kinds(sfn, d["executionArn"])
    assert k[:7] == [
        "ExecutionStarted", "TaskStateEntered", "ActivityScheduled", "ActivityStarted", "ActivitySucceeded",
        "TaskStateExited", "TaskStateEntered",
    ]
    with pytest.raises(sfn.exceptions.InvalidToken):
        sfn.send_task_success(taskToken="nope", output="{}")


def seed_events(server):
    """Two days of JSON events under s3://lake/raw/events/ and a crawler `raw`
    over them into database `lake`: per `who`, a totals 8 and b 4."""
    s3 = client("s3", server)
    glue = client("glue", server)
    s3.create_bucket(Bucket="lake")
    for day, rows in [("2024-01-01", [("a", 3), ("b", 4)]), ("2024-01-02", [("a", 5)])]:
        body = "".join(json.dumps({"who": u, "n": n}) + "\n" for u, n in rows)
        s3.put_object(Bucket="lake", Key=f"raw/events/dt={day}/part-0.json", Body=body.encode())
    glue.create_database(DatabaseInput={"Name": "lake"})
    glue.create_crawler(
        Name="raw", Role=ROLE, DatabaseName="lake", Targets={"S3Targets": [{"Path": "s3://lake/raw/events/"}]}
    )
    return s3


def test_pipeline_crawl_poll_ctas_query(fast, sfn):
    seed_events(fast)
    results = "s3://lake/athena/"
    definition = {
        "StartAt": "Crawl",
        "States": {
            "Crawl": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:glue:startCrawler", "Parameters": {"Name": "raw"}, "ResultPath": None, "Next": "Poll"},
            "Poll": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:glue:getCrawler", "Parameters": {"Name": "raw"}, "ResultSelector": {"state.$": "$.Crawler.State"}, "ResultPath": "$.crawler", "Next": "Ready?"},
            "Ready?": {"Type": "Choice", "Choices": [{"Variable": "$.crawler.state", "StringEquals": "READY", "Next": "Summarise"}], "Default": "Later"},
            "Later": {"Type": "Wait", "Seconds": 30, "Next": "Poll"},
            "Summarise": {
                "Type": "Task",
                "Resource": "arn:aws:states:::athena:startQueryExecution.sync",
                "Parameters": {
                    "QueryString": "CREATE TABLE lake.totals WITH (format = 'PARQUET') AS SELECT who, sum(n) AS total FROM lake.events GROUP BY who",
                    "ResultConfiguration": {"OutputLocation": results},
                },
                "ResultPath": None,
                "Next": "Query",
            },
            "Query": {
                "Type": "Task",
                "Resource": "arn:aws:states:::athena:startQueryExecution.sync",
                "Parameters": {"QueryString": "SELECT who, total FROM lake.totals ORDER BY who", "ResultConfiguration": {"OutputLocation": results}},
                "ResultSelector": {"id.$": "$.QueryExecution.QueryExecutionId"},
                "Next": "Rows",
            },
            "Rows": {
                "Type": "Task",
                "Resource": "arn:aws:states:::athena:getQueryResults",
                "Parameters": {"QueryExecutionId.$": "$.id"},
                "ResultSelector": {"rows.$": "$.ResultSet.Rows[*].Data[*].VarCharValue"},
                "OutputPath": "$.rows",
                "End": True,
            },
        },
    }
    arn = machine(sfn, "pipeline", definition)
    d = finish(sfn, arn, {})
    assert d["status"] == "SUCCEEDED", (d.get("error"), d.get("cause"))
    # Jayway flattens `[*]` inside `[*]`, as Step Functions does.
    assert json.loads(d["output"]) == ["who", "total", "a", "8", "b", "4"]
    k = kinds(sfn, d["executionArn"])
    assert "TaskSubmitted" in k
    failing = machine(
        sfn,
        "broken",
        {"StartAt": "Q", "States": {"Q": {"Type": "Task", "Resource": "arn:aws:states:::athena:startQueryExecution.sync",
                                         "Parameters": {"QueryString": "SELECT nope FROM lake.totals", "ResultConfiguration": {"OutputLocation": results}}, "End": True}}},
    )
    d = finish(sfn, failing, {})
    assert d["status"] == "FAILED" and d["error"] == "States.TaskFailed"
    assert json.loads(d["cause"])["QueryExecution"]["Status"]["State"] == "FAILED"


def test_redrive_continues_from_the_failed_state(fast, sfn):
    s3 = client("s3", fast)
    s3.create_bucket(Bucket="input")
    arn = machine(
        sfn,
        "redrivable",
        {
            "StartAt": "Prepare",
            "States": {
                "Prepare": {"Type": "Pass", "Result": "ready", "ResultPath": "$.prepared", "Next": "Fetch"},
                "Fetch": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
                    "Parameters": {"Bucket": "input", "Key": "data.json"},
                    "ResultSelector": {"body.$": "States.StringToJson($.Body)"},
                    "ResultPath": "$.fetched",
                    "Next": "Done",
                },
                "Done": {"Type": "Succeed"},
            },
        },
    )
    first = finish(sfn, arn, {"run": 1})
    assert first["status"] == "FAILED"
    assert first["redriveStatus"] == "REDRIVABLE"
    execution = first["executionArn"]
    before = kinds(sfn, execution)

    s3.put_object(Bucket="input", Key="data.json", Body=b'{"n": 42}')
    redriven = sfn.redrive_execution(executionArn=execution)
    assert redriven["redriveDate"]
    deadline = time.time() + 60
    while (d := sfn.describe_execution(executionArn=execution))["status"] == "RUNNING":
        assert time.time() < deadline
        time.sleep(0.02)
    assert d["status"] == "SUCCEEDED", d
    assert d["redriveCount"] == 1 and d["redriveStatus"] == "NOT_REDRIVABLE"
    assert d["redriveStatusReason"] == "Execution is SUCCEEDED and cannot be redriven"
    assert json.loads(d["output"]) == {"run": 1, "prepared": "ready", "fetched": {"body": {"n": 42}}}
    # The history goes on from where it stopped; Prepare did not run again.
    after = kinds(sfn, execution)
    assert after[: len(before)] == before and before[-1] == "ExecutionFailed"
    assert after[len(before) :] == [
        "ExecutionRedriven",
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskSucceeded",
        "TaskStateExited",
        "SucceedStateEntered",
        "SucceedStateExited",
        "ExecutionSucceeded",
    ]
    events = sfn.get_execution_history(executionArn=execution, maxResults=1000)["events"]
    redrive_event = events[len(before)]
    assert redrive_event["executionRedrivenEventDetails"] == {"redriveCount": 1}
    assert redrive_event["previousEventId"] == len(before)

    with pytest.raises(sfn.exceptions.ExecutionNotRedrivable) as e:
        sfn.redrive_execution(executionArn=execution)
    assert "SUCCEEDED" in e.value.response["Error"]["Message"]


def test_test_state_runs_one_state_and_shows_its_data_flow(fast):
    # Like StartSyncExecution, TestState goes to the `sync-` host prefix.
    sfn = sync_client(fast)
    s3 = client("s3", fast)
    s3.create_bucket(Bucket="input")
    s3.put_object(Bucket="input", Key="k", Body=b"hello")
    task = {
        "Type": "Task",
        "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
        "InputPath": "$.req",
        "Parameters": {"Bucket.$": "$.bucket", "Key": "k"},
        "ResultSelector": {"body.$": "$.Body"},
        "ResultPath": "$.got",
        "OutputPath": "$.got",
        "Next": "After",
    }
    r = sfn.test_state(
        definition=json.dumps(task), roleArn=ROLE, input=json.dumps({"req": {"bucket": "input"}}), inspectionLevel="DEBUG"
    )
    assert (r["status"], r["nextState"], json.loads(r["output"])) == ("SUCCEEDED", "After", {"body": "hello"})
    data = r["inspectionData"]
    assert json.loads(data["input"]) == {"req": {"bucket": "input"}}
    assert json.loads(data["afterInputPath"]) == {"bucket": "input"}
    assert json.loads(data["afterParameters"]) == {"Bucket": "input", "Key": "k"}
    assert json.loads(data["result"])["Body"] == "hello"
    assert json.loads(data["afterResultSelector"]) == {"body": "hello"}
    assert json.loads(data["afterResultPath"]) == {"req": {"bucket": "input"}, "got": {"body": "hello"}}

    # A failure a retrier names is RETRIABLE until its attempts are spent, then the catcher takes it.
    missing = dict(
        task,
        Parameters={"Bucket": "input", "Key": "missing"},
        Retry=[{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2}],
        Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Recover", "ResultPath": "$.error"}],
    )
    r = sfn.test_state(definition=json.dumps(missing), roleArn=ROLE, input=json.dumps({"req": {}}))
    assert r["status"] == "RETRIABLE" and r["error"].startswith("S3.")
    assert "inspectionData" not in r and "nextState" not in r
    r = sfn.test_state(
        definition=json.dumps(missing),
        roleArn=ROLE,
        input=json.dumps({"req": {}}),
        stateConfiguration={"retrierRetryCount": 2},
    )
    assert (r["status"], r["nextState"]) == ("CAUGHT_ERROR", "Recover")
    assert json.loads(r["output"])["error"]["Error"] == r["error"]

    choice = {
        "Type": "Choice",
        "Choices": [{"Variable": "$.n", "NumericGreaterThan": 5, "Next": "Big"}],
        "Default": "Small",
    }
    r = sfn.test_state(definition=json.dumps(choice), roleArn=ROLE, input='{"n": 9}')
    assert (r["status"], r["nextState"], r["output"]) == ("SUCCEEDED", "Big", '{"n":9}')

    fail = {"Type": "Fail", "Error": "Nope", "Cause": "because"}
    r = sfn.test_state(definition=json.dumps(fail), roleArn=ROLE)
    assert (r["status"], r["error"], r["cause"]) == ("FAILED", "Nope", "because")

    # Map and Parallel run with a mock standing in for their branches.
    mapped = {
        "Type": "Map",
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
        "ResultPath": "$.results",
        "End": True,
    }
    r = sfn.test_state(definition=json.dumps(mapped), roleArn=ROLE, input='{"items": []}', mock={"result": "[1, 2]"})
    assert (r["status"], json.loads(r["output"])) == ("SUCCEEDED", {"items": [], "results": [1, 2]})
    caught = dict(mapped, Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Handle", "ResultPath": "$.err"}])
    r = sfn.test_state(
        definition=json.dumps(caught), roleArn=ROLE, input="{}", mock={"errorOutput": {"error": "Boom", "cause": "c"}}
    )
    assert (r["status"], r["nextState"], json.loads(r["output"])) == (
        "CAUGHT_ERROR", "Handle", {"err": {"Error": "Boom", "Cause": "c"}},
    )
    with pytest.raises(sfn.exceptions.InvalidDefinition):
        sfn.test_state(definition=json.dumps({"Type": "Pass", "Next": 3}), roleArn=ROLE)


def test_the_18_intrinsics_through_a_pass_state(sfn):
    arn = machine(
        sfn,
        "intrinsics",
        {
            "StartAt": "All",
            "States": {
                "All": {
                    "Type": "Pass",
                    "Parameters": {
                        "fmt.$": "States.Format('{} is {}', $.name, $.n)",
                        "parsed.$": "States.StringToJson($.json)",
                        "text.$": "States.JsonToString($.obj)",
                        "arr.$": "States.Array(1, 'two', $.n)",
                        "parts.$": "States.ArrayPartition($.list, 2)",
                        "has.$": "States.ArrayContains($.list, 3)",
                        "range.$": "States.ArrayRange(1, 9, 3)",
                        "item.$": "States.ArrayGetItem($.list, 1)",
                        "len.$": "States.ArrayLength($.list)",
                        "uniq.$": "States.ArrayUnique($.dups)",
                        "b64.$": "States.Base64Encode('hello')",
                        "plain.$": "States.Base64Decode('aGVsbG8=')",
                        "hash.$": "States.Hash('hello', 'SHA-256')",
                        "merged.$": "States.JsonMerge($.a, $.b, false)",
                        "rand.$": "States.MathRandom(5, 10)",
                        "sum.$": "States.MathAdd($.n, -1)",
                        "split.$": "States.StringSplit('a,b,c', ',')",
                        "uuid.$": "States.UUID()",
                    },
                    "End": True,
                }
            },
        },
    )
    d = finish(
        sfn,
        arn,
        {
            "name": "x", "n": 3, "json": '{"a": 1}', "obj": {"k": [1, 2]}, "list": [1, 2, 3, 4, 5],
            "dups": [1, 2, 2, 3, 1], "a": {"x": 1, "y": {"p": 1}}, "b": {"y": {"q": 2}, "z": 3},
        },
    )
    assert d["status"] == "SUCCEEDED", d
    out = json.loads(d["output"])
    rand, uuid = out.pop("rand"), out.pop("uuid")
    assert 5 <= rand <= 10 and isinstance(rand, int)
    assert len(uuid) == 36 and uuid[14] == "4"
    assert out == {
        "fmt": "x is 3",
        "parsed": {"a": 1},
        "text": '{"k":[1,2]}',
        "arr": [1, "two", 3],
        "parts": [[1, 2], [3, 4], [5]],
        "has": True,
        "range": [1, 4, 7],
        "item": 2,
        "len": 5,
        "uniq": [1, 2, 3],
        "b64": "aGVsbG8=",
        "plain": "hello",
        "hash": "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
        "merged": {"x": 1, "y": {"q": 2}, "z": 3},
        "sum": 2,
        "split": ["a", "b", "c"],
    }
    # A bad argument fails the state with States.IntrinsicFailure.
    bad = machine(
        sfn,
        "bad-intrinsic",
        {"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"v.$": "States.ArrayGetItem($.list, 9)"}, "End": True}}},
    )
    failed = finish(sfn, bad, {"list": [1]})
    assert (failed["status"], failed["error"]) == ("FAILED", "States.IntrinsicFailure"), failed


def test_a_logging_machine_writes_its_events_to_cloudwatch_logs(sfn, fast):
    logs = client("logs", fast)
    group = "arn:aws:logs:us-east-1:000000000000:log-group:/sfn/orders:*"
    definition = {
        "StartAt": "Hello",
        "States": {
            "Hello": {"Type": "Pass", "Result": {"ok": True}, "Next": "Boom"},
            "Boom": {"Type": "Fail", "Error": "Nope", "Cause": "on purpose"},
        },
    }
    for name, level in [("all", "ALL"), ("errors", "ERROR")]:
        arn = sfn.create_state_machine(
            name=name,
            definition=json.dumps(definition),
            roleArn=ROLE,
            loggingConfiguration={
                "level": level,
                "includeExecutionData": level == "ALL",
                "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": group}}],
            },
        )["stateMachineArn"]
        d = finish(sfn, arn, {"n": 1}, name="run-1")
        assert d["status"] == "FAILED"
    # The events are written as each execution ends, off its path.
    deadline = time.time() + 10
    while True:
        try:
            streams = logs.describe_log_streams(logGroupName="/sfn/orders")["logStreams"]
        except logs.exceptions.ResourceNotFoundException:
            streams = []
        if len(streams) == 2 or time.time() > deadline:
            break
        time.sleep(0.05)
    by_machine = {}
    for s in streams:
        parts = s["logStreamName"].split("/")
        assert parts[0] == "states" and len(parts) == 4, s["logStreamName"]
        events = logs.get_log_events(logGroupName="/sfn/orders", logStreamName=s["logStreamName"], startFromHead=True)["events"]
        by_machine[parts[1]] = [json.loads(e["message"]) for e in events]
    assert [e["type"] for e in by_machine["all"]] == [
        "ExecutionStarted", "PassStateEntered", "PassStateExited", "FailStateEntered", "ExecutionFailed",
    ]
    started = by_machine["all"][0]
    assert started["details"]["input"] == '{"n": 1}'
    assert started["execution_arn"].endswith(":execution:all:run-1")
    assert (started["id"], started["previous_event_id"]) == ("1", "0")
    assert [e["type"] for e in by_machine["errors"]] == ["FailStateEntered", "ExecutionFailed"]
    assert by_machine["errors"][1]["details"] == {"error": "Nope", "cause": "on purpose"}
