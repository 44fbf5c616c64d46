"""Lambda through boto3 and aws-cli: functions whose code really runs as
local processes (Python, a shell custom runtime, Node.js where node is
installed), their error and timeout answers, their log lines in CloudWatch
Logs, a function calling our S3 with no endpoint of its own, asynchronous
invocations with retries, and a state machine that invokes a function and
catches its error."""

import base64
import io
import json
import shutil
import time
import zipfile

import pytest
from botocore.exceptions import ClientError

from conftest import client, finish

ROLE = "arn:aws:iam::000000000000:role/lambda-role"

PYTHON = '''
import json, os, time
import boto3

print("cold start")

def handler(event, context):
    if "fail" in event:
        raise KeyError(event["fail"])
    if "sleep" in event:
        time.sleep(event["sleep"])
    if "bucket" in event:
        # No endpoint here: AWS_ENDPOINT_URL, set by lakestack, points at it.
        s3 = boto3.client("s3")
        s3.put_object(Bucket=event["bucket"], Key="from-lambda.txt", Body=b"written by a function")
        return {"keys": [o["Key"] for o in s3.list_objects_v2(Bucket=event["bucket"])["Contents"]],
                "caller": boto3.client("sts").get_caller_identity()["Arn"]}
    print("event", json.dumps(event, sort_keys=True))
    return {"echo": event, "function": context.function_name, "version": context.function_version,
            "memory": context.memory_limit_in_mb, "request": context.aws_request_id}
'''

SHELL = r'''#!/bin/sh
set -eu
API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
while true; do
  HEADERS="$(mktemp)"
  EVENT="$(curl -sS -D "$HEADERS" "$API/invocation/next")"
  ID="$(grep -i '^lambda-runtime-aws-request-id:' "$HEADERS" | tr -d '\r' | cut -d' ' -f2)"
  rm -f "$HEADERS"
  echo "shell got $EVENT"
  case "$EVENT" in
    *boom*) curl -sS -X POST "$API/invocation/$ID/error" -d '{"errorMessage":"boom","errorType":"ShellError"}' >/dev/null ;;
    *) curl -sS -X POST "$API/invocation/$ID/response" -d "{\"shell\":$EVENT}" >/dev/null ;;
  esac
done
'''


def package(files):
    """A zip of name -> (text, mode)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, (text, mode) in files.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = mode << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, text)
    return buf.getvalue()


@pytest.fixture
def lam(server):
    return client("lambda", server)


@pytest.fixture
def logs(server):
    return client("logs", server)


def create_python(lam, name, **extra):
    lam.create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": package({"app.py": (PYTHON, 0o644)})},
        **extra,
    )
    lam.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.1})


def invoke(lam, name, event, **kwargs):
    r = lam.invoke(FunctionName=name, Payload=json.dumps(event), **kwargs)
    return r, json.loads(r["Payload"].read())


def test_python_function_sync_error_timeout_and_logs(lam, logs):
    created = lam.create_function(
        FunctionName="parse",
        Runtime="python3.11",
        Role=ROLE,
        Handler="app.handler",
        Timeout=1,
        MemorySize=256,
        Code={"ZipFile": package({"app.py": (PYTHON, 0o644)})},
        Environment={"Variables": {"STAGE": "test"}},
    )
    assert (created["State"], created["StateReasonCode"]) == ("Pending", "Creating")
    assert created["FunctionArn"] == "arn:aws:lambda:us-east-1:000000000000:function:parse"
    lam.get_waiter("function_active_v2").wait(FunctionName="parse", WaiterConfig={"Delay": 0.1})
    conf = lam.get_function_configuration(FunctionName="parse")
    assert (conf["State"], conf["LastUpdateStatus"], conf["Environment"]) == (
        "Active",
        "Successful",
        {"Variables": {"STAGE": "test"}},
    )

    r, out = invoke(lam, "parse", {"file": "raw/a.csv"}, LogType="Tail")
    assert r["StatusCode"] == 200 and "FunctionError" not in r
    assert r["ExecutedVersion"] == "$LATEST"
    assert out["echo"] == {"file": "raw/a.csv"}
    assert (out["function"], out["version"], out["memory"]) == ("parse", "$LATEST", "256")
    tail = base64.b64decode(r["LogResult"]).decode()
    request = out["request"]
    assert f"START RequestId: {request} Version: $LATEST\n" in tail
    assert 'event {"file": "raw/a.csv"}\n' in tail
    assert f"END RequestId: {request}\n" in tail
    assert f"REPORT RequestId: {request}\tDuration: " in tail and "\tMemory Size: 256 MB\t" in tail

    r, err = invoke(lam, "parse", {"fail": "missing-column"})
    assert r["StatusCode"] == 200 and r["FunctionError"] == "Unhandled"
    assert set(err) == {"errorMessage", "errorType", "requestId", "stackTrace"}
    assert (err["errorType"], err["errorMessage"]) == ("KeyError", "'missing-column'")
    assert err["stackTrace"][0].startswith('  File "') and "in handler" in err["stackTrace"][0]

    r, timed = invoke(lam, "parse", {"sleep": 3})
    assert r["FunctionError"] == "Unhandled"
    assert timed["errorType"] == "Sandbox.Timedout"
    assert timed["errorMessage"].endswith(" Error: Task timed out after 1.00 seconds")

    events = logs.filter_log_events(logGroupName="/aws/lambda/parse", filterPattern='"Task timed out"')["events"]
    assert len(events) == 1 and events[0]["message"].endswith("Task timed out after 1.00 seconds")
    errors = logs.filter_log_events(logGroupName="/aws/lambda/parse", filterPattern="?ERROR ?KeyError")["events"]
    assert errors[0]["message"].startswith("[ERROR] KeyError: 'missing-column'\nTraceback (most recent call last):")
    streams = logs.describe_log_streams(logGroupName="/aws/lambda/parse")["logStreams"]
    assert all("/[$LATEST]" in s["logStreamName"] for s in streams)
    messages = [e["message"] for e in logs.filter_log_events(logGroupName="/aws/lambda/parse")["events"]]
    assert "cold start" in messages
    assert sum(m.startswith("REPORT RequestId: ") for m in messages) == 3


def test_a_function_reaches_our_s3_without_an_endpoint_of_its_own(lam, s3):
    s3.create_bucket(Bucket="landing")
    create_python(lam, "writer")
    _, out = invoke(lam, "writer", {"bucket": "landing"})
    assert out["keys"] == ["from-lambda.txt"]
    assert out["caller"] == "arn:aws:sts::000000000000:assumed-role/lambda-role/lakestack-lambda"
    assert s3.get_object(Bucket="landing", Key="from-lambda.txt")["Body"].read() == b"written by a function"


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_a_provided_runtime_runs_its_shell_bootstrap(lam, aws, tmp_path):
    zip_path = tmp_path / "fn.zip"
    zip_path.write_bytes(package({"bootstrap": (SHELL, 0o755)}))
    aws(
        "lambda", "create-function", "--function-name", "sh", "--runtime", "provided.al2023",
        "--handler", "unused", "--role", ROLE, "--zip-file", f"fileb://{zip_path}",
    )
    out = tmp_path / "out.json"
    p = aws("lambda", "invoke", "--function-name", "sh", "--payload", '{"n": 1}', str(out))
    assert json.loads(p.stdout)["StatusCode"] == 200
    assert json.loads(out.read_text()) == {"shell": {"n": 1}}
    p = aws("lambda", "invoke", "--function-name", "sh", "--payload", '{"boom": true}', str(out))
    assert json.loads(p.stdout)["FunctionError"] == "Unhandled"
    assert json.loads(out.read_text()) == {"errorMessage": "boom", "errorType": "ShellError"}


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_a_node_function(lam):
    js = "exports.handler = async (event) => { if (event.fail) { throw new RangeError('too far'); } return {twice: event.n * 2}; };"
    lam.create_function(
        FunctionName="js", Runtime="nodejs20.x", Role=ROLE, Handler="index.handler",
        Code={"ZipFile": package({"index.js": (js, 0o644)})},
    )
    _, out = invoke(lam, "js", {"n": 21})
    assert out == {"twice": 42}
    r, err = invoke(lam, "js", {"fail": True})
    assert r["FunctionError"] == "Unhandled"
    assert (err["errorType"], err["errorMessage"]) == ("RangeError", "too far")
    assert err["trace"][0] == "RangeError: too far"


def test_async_invocations_are_retried_then_sent_to_a_destination(fast):
    # Retries wait one and two minutes on the server's clock: scaled to nothing here.
    lam, logs = client("lambda", fast), client("logs", fast)
    create_python(lam, "flaky")
    create_python(lam, "on-failure")
    lam.put_function_event_invoke_config(
        FunctionName="flaky",
        MaximumRetryAttempts=1,
        DestinationConfig={"OnFailure": {"Destination": "arn:aws:lambda:us-east-1:000000000000:function:on-failure"}},
    )
    r = lam.invoke(FunctionName="flaky", InvocationType="Event", Payload=json.dumps({"fail": "async"}))
    assert r["StatusCode"] == 202
    # The destination function logs the record it got as its event.
    (line,) = wait_for_events(logs, "/aws/lambda/on-failure", '"event "')
    record = json.loads(line[len("event "):])
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 2
    assert record["requestContext"]["functionArn"] == "arn:aws:lambda:us-east-1:000000000000:function:flaky:$LATEST"
    assert record["requestPayload"] == {"fail": "async"}
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"}
    assert record["responsePayload"]["errorType"] == "KeyError"
    starts = logs.filter_log_events(logGroupName="/aws/lambda/flaky", filterPattern='"START RequestId"')["events"]
    assert len(starts) == 2


def wait_for_events(logs, group, pattern, timeout=30):
    """The messages matching `pattern` in `group`, once there are some."""
    deadline = time.time() + timeout
    while True:
        try:
            events = logs.filter_log_events(logGroupName=group, filterPattern=pattern)["events"]
        except logs.exceptions.ResourceNotFoundException:
            events = []
        if events:
            return [e["message"] for e in events]
        assert time.time() < deadline, f"nothing matched {pattern} in {group}"
        time.sleep(0.1)


def test_errors_as_aws_answers_them(lam):
    create_python(lam, "f")
    with pytest.raises(ClientError) as e:
        create_python(lam, "f")
    assert e.value.response["Error"]["Code"] == "ResourceConflictException"
    assert e.value.response["Error"]["Message"] == "Function already exist: f"
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as e:
        lam.invoke(FunctionName="nope")
    assert e.value.response["Error"]["Message"] == "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope"
    with pytest.raises(ClientError) as e:
        lam.invoke(FunctionName="f", Payload=b"x" * 6_291_457)
    assert e.value.response["Error"]["Code"] == "RequestTooLargeException"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 413
    with pytest.raises(ClientError) as e:
        lam.invoke(FunctionName="f", Payload=b"{not json")
    assert e.value.response["Error"]["Code"] == "InvalidRequestContentException"


def test_versions_aliases_and_listing(lam):
    create_python(lam, "v")
    v1 = lam.publish_version(FunctionName="v")
    assert (v1["Version"], v1["FunctionArn"]) == ("1", "arn:aws:lambda:us-east-1:000000000000:function:v:1")
    lam.update_function_configuration(FunctionName="v", Timeout=9)
    lam.get_waiter("function_updated_v2").wait(FunctionName="v", WaiterConfig={"Delay": 0.1})
    v2 = lam.publish_version(FunctionName="v")
    assert (v2["Version"], v2["Timeout"]) == ("2", 9)
    lam.create_alias(FunctionName="v", Name="live", FunctionVersion="1")
    r, out = invoke(lam, "v", {}, Qualifier="live")
    assert (r["ExecutedVersion"], out["version"]) == ("1", "1")
    versions = [c["Version"] for c in lam.list_versions_by_function(FunctionName="v")["Versions"]]
    assert versions == ["$LATEST", "1", "2"]
    assert [a["Name"] for a in lam.list_aliases(FunctionName="v")["Aliases"]] == ["live"]
    assert [f["FunctionName"] for f in lam.list_functions()["Functions"]] == ["v"]
    lam.tag_resource(Resource="arn:aws:lambda:us-east-1:000000000000:function:v", Tags={"team": "data"})
    assert lam.get_function(FunctionName="v")["Tags"] == {"team": "data"}


def test_a_state_machine_invokes_a_function_and_catches_its_error(server, lam):
    create_python(lam, "step")
    sfn = client("stepfunctions", server)
    definition = {
        "StartAt": "Ok",
        "States": {
            "Ok": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "step", "Payload": {"value.$": "$.value"}},
                "ResultSelector": {"echo.$": "$.Payload.echo", "status.$": "$.StatusCode"},
                "ResultPath": "$.ok",
                "Next": "Legacy",
            },
            "Legacy": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:000000000000:function:step",
                "Parameters": {"fail": "column"},
                "Catch": [{"ErrorEquals": ["KeyError"], "ResultPath": "$.caught", "Next": "Done"}],
                "Next": "Done",
            },
            "Done": {"Type": "Pass", "End": True},
        },
    }
    arn = sfn.create_state_machine(name="m", definition=json.dumps(definition), roleArn=ROLE)["stateMachineArn"]
    d = finish(sfn, arn, {"value": 7})
    assert d["status"] == "SUCCEEDED", d
    out = json.loads(d["output"])
    assert out["ok"] == {"echo": {"value": 7}, "status": 200}
    assert out["caught"]["Error"] == "KeyError"
    cause = json.loads(out["caught"]["Cause"])
    assert (cause["errorType"], cause["errorMessage"]) == ("KeyError", "'column'")


def test_get_function_code_location_serves_the_package(lam):
    import urllib.request

    zip_bytes = package({"app.py": (PYTHON, 0o644)})
    lam.create_function(FunctionName="dl", Runtime="python3.11", Role=ROLE, Handler="app.handler", Code={"ZipFile": zip_bytes})
    got = lam.get_function(FunctionName="dl")
    assert got["Code"]["RepositoryType"] == "S3"
    with urllib.request.urlopen(got["Code"]["Location"]) as r:
        assert r.read() == zip_bytes
    assert got["Configuration"]["CodeSize"] == len(zip_bytes)


def test_code_from_s3_layers_and_reserved_concurrency(lam, s3):
    s3.create_bucket(Bucket="artifacts")
    s3.put_object(Bucket="artifacts", Key="fn.zip", Body=package({"app.py": (LAYERED, 0o644)}))
    layer = lam.publish_layer_version(
        LayerName="helpers",
        Content={"ZipFile": package({"python/helper.py": ("def shout(s):\n    return s.upper() + '!'\n", 0o644)})},
        CompatibleRuntimes=["python3.11"],
    )
    assert layer["Version"] == 1
    assert layer["LayerVersionArn"] == "arn:aws:lambda:us-east-1:000000000000:layer:helpers:1"
    lam.create_function(
        FunctionName="layered",
        Runtime="python3.11",
        Role=ROLE,
        Handler="app.handler",
        Code={"S3Bucket": "artifacts", "S3Key": "fn.zip"},
        Layers=[layer["LayerVersionArn"]],
    )
    _, out = invoke(lam, "layered", {"word": "lake"})
    assert out == {"said": "LAKE!"}
    with pytest.raises(ClientError) as e:
        lam.create_function(
            FunctionName="missing", Runtime="python3.11", Role=ROLE, Handler="app.handler",
            Code={"S3Bucket": "artifacts", "S3Key": "nope.zip"},
        )
    assert e.value.response["Error"]["Code"] == "InvalidParameterValueException"
    assert "S3 Error Code: NoSuchKey" in e.value.response["Error"]["Message"]
    # Reserved concurrency 0: every invocation is throttled, as on AWS.
    lam.put_function_concurrency(FunctionName="layered", ReservedConcurrentExecutions=0)
    assert lam.get_function_concurrency(FunctionName="layered")["ReservedConcurrentExecutions"] == 0
    with pytest.raises(lam.exceptions.TooManyRequestsException):
        lam.invoke(FunctionName="layered", Payload=b"{}")
    lam.delete_function_concurrency(FunctionName="layered")
    _, out = invoke(lam, "layered", {"word": "ok"})
    assert out == {"said": "OK!"}


LAYERED = '''
import helper

def handler(event, context):
    return {"said": helper.shout(event["word"])}
'''


def test_a_task_token_waits_for_the_function_to_answer(fast):
    lam, sfn = client("lambda", fast), client("stepfunctions", fast)
    answer = """
import boto3, json

def handler(event, context):
    boto3.client("stepfunctions").send_task_success(taskToken=event["token"], output=json.dumps({"approved": event["order"]}))
    return {}
"""
    lam.create_function(
        FunctionName="approver", Runtime="python3.11", Role=ROLE, Handler="app.handler",
        Code={"ZipFile": package({"app.py": (answer, 0o644)})},
    )
    definition = {
        "StartAt": "Approve",
        "States": {
            "Approve": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                "Parameters": {"FunctionName": "approver", "Payload": {"token.$": "$$.Task.Token", "order.$": "$.order"}},
                "End": True,
            }
        },
    }
    arn = sfn.create_state_machine(name="approval", definition=json.dumps(definition), roleArn=ROLE)["stateMachineArn"]
    d = finish(sfn, arn, {"order": 42})
    assert d["status"] == "SUCCEEDED", d
    assert json.loads(d["output"]) == {"approved": 42}
